/*
 * test_config.c - auditd.conf and ringauditd.conf: the defaults, every
 * key's table, the line syntax, long and NUL lines, and the checks across
 * keys at the end.  test_config_values.c (each value of each key, the
 * actions, the files named) and test_config_files.c (file ownership and
 * modes, Debian's stock auditd.conf, ringauditd.conf, the folder) hold
 * the rest; cfg_test.c the harness.
 *
 * Where a table gives auditd's verdict ("auditd:"), it was learned by
 * running Debian's auditd 3.0.9 (auditd -f -c DIR) on the same file, with
 * an unknown key on the next line so that auditd stopped there when it had
 * accepted the line, or inside a user namespace (which cannot reach the
 * kernel's audit socket) when the whole file had to be accepted.  A few
 * rows say "auditd's source": what a load cannot show (enable_krb5's
 * effect on transport, a 1-character plugin_dir, the defaults of keys
 * that are only used later).
 *
 * Files are written into a mkdtemp() directory, removed at the end.  The
 * files must be owned by root, so the program skips when not run as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/cfg.h"
#include "cfg_test.h"

static void
test_defaults(void **state)
{
	static struct cfg c;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	cfg_defaults(&c);
	assert_true(c.local_events);
	assert_true(c.write_logs);
	assert_string_equal(c.log_file, "/var/log/audit/audit.log");
	/* auditd: DAEMON_START says format=enriched with no log_format. */
	assert_int_equal(c.log_format, CFG_LOG_FORMAT_ENRICHED);
	assert_int_equal(c.log_group, 0);
	/* auditd: no flush and freq = 0 is accepted, flush = incremental or
	 * incremental_async with freq = 0 is not: the default is none (the
	 * man page says incremental_async). */
	assert_int_equal(c.flush, CFG_FLUSH_NONE);
	/* auditd: flush = incremental without freq is refused. */
	assert_int_equal(c.freq, 0);
	assert_int_equal(c.name_format, CFG_NAME_NONE);
	assert_string_equal(c.name, "");
	assert_int_equal(c.priority_boost, 4);
	/* auditd's clear_config(); the man page agrees where it says. */
	assert_int_equal(c.num_logs, 0);
	assert_int_equal(c.max_log_file, 0);
	assert_int_equal(c.max_log_file_action, CFG_MAX_IGNORE);
	assert_int_equal(c.space_left.value, 0);
	assert_false(c.space_left.percent);
	assert_int_equal(c.space_left_action.act, CFG_ACT_IGNORE);
	assert_string_equal(c.space_left_action.exe, "");
	assert_int_equal(c.admin_space_left.value, 0);
	assert_false(c.admin_space_left.percent);
	assert_int_equal(c.admin_space_left_action.act, CFG_ACT_IGNORE);
	assert_int_equal(c.disk_full_action.act, CFG_ACT_IGNORE);
	assert_int_equal(c.disk_error_action.act, CFG_ACT_SYSLOG);
	assert_string_equal(c.action_mail_acct, "root");
	assert_true(c.verify_email);
	assert_int_equal(c.tcp_listen_port, 0);
	assert_int_equal(c.tcp_listen_queue, 5);
	assert_int_equal(c.tcp_max_per_addr, 1);
	assert_true(c.use_libwrap);
	assert_int_equal(c.tcp_client_port_lo, 0);
	assert_int_equal(c.tcp_client_port_hi, 65535);
	assert_int_equal(c.tcp_client_max_idle, 0);
	assert_int_equal(c.transport, CFG_TRANSPORT_TCP);
	assert_false(c.enable_krb5);
	assert_string_equal(c.krb5_principal, "auditd");
	assert_string_equal(c.krb5_key_file, "/etc/audit/audit.key");
	assert_false(c.distribute_network);
	assert_int_equal(c.q_depth, 2000);
	assert_int_equal(c.overflow_action, CFG_OVF_SYSLOG);
	assert_int_equal(c.max_restarts, 10);
	assert_string_equal(c.plugin_dir, "/etc/audit/plugins.d");
	assert_int_equal(c.end_of_event_timeout, 2);
	assert_int_equal(c.n_warn, 0);
	assert_int_equal(c.workers, 1);
	assert_int_equal(c.records, 4096);
	assert_int_equal(c.ring_size, 1024);
	assert_int_equal(c.netlink_rcvbuf, 8388608);
	assert_int_equal(c.drain_timeout_ms, 5000);
	assert_int_equal(c.write_batch, 262144);
	assert_int_equal(c.gather_ms, 40);
	assert_int_equal(c.scheduler, CFG_SCHED_BATCH);
	assert_int_equal(c.inline_work, 1);
	assert_int_equal(c.name_cache_entries, 1024);
	assert_int_equal(c.name_cache_refresh, 60);
	assert_int_equal(c.metrics_interval, 10);
	assert_string_equal(c.metrics_file, "");
	assert_string_equal(c.control_socket, "/run/ringauditd.sock");
	assert_int_equal(c.ingest, CFG_INGEST_UNICAST);
	/* Unset: the mode says (test_pid_file_by_mode). */
	assert_string_equal(c.pid_file, "");
	assert_string_equal(cfg_pid_file(&c), "/var/run/auditd.pid");
	assert_string_equal(c.state_file, "/var/run/auditd.state");
	assert_string_equal(c.init_command, "/sbin/init");
	assert_string_equal(c.sendmail, "/usr/lib/sendmail");
}

static void
test_flush_name(void **state)
{
	(void)state;
	assert_string_equal(cfg_flush_name(CFG_FLUSH_NONE), "none");
	assert_string_equal(cfg_flush_name(CFG_FLUSH_INCREMENTAL),
	    "incremental");
	assert_string_equal(cfg_flush_name(CFG_FLUSH_INCREMENTAL_ASYNC),
	    "incremental_async");
	assert_string_equal(cfg_flush_name(CFG_FLUSH_DATA), "data");
	assert_string_equal(cfg_flush_name(CFG_FLUSH_SYNC), "sync");
	assert_string_equal(cfg_action_name(CFG_ACT_IGNORE), "ignore");
	assert_string_equal(cfg_action_name(CFG_ACT_SYSLOG), "syslog");
	assert_string_equal(cfg_action_name(CFG_ACT_ROTATE), "rotate");
	assert_string_equal(cfg_action_name(CFG_ACT_EMAIL), "email");
	assert_string_equal(cfg_action_name(CFG_ACT_EXEC), "exec");
	assert_string_equal(cfg_action_name(CFG_ACT_SUSPEND), "suspend");
	assert_string_equal(cfg_action_name(CFG_ACT_SINGLE), "single");
	assert_string_equal(cfg_action_name(CFG_ACT_HALT), "halt");
	assert_string_equal(cfg_max_action_name(CFG_MAX_IGNORE), "ignore");
	assert_string_equal(cfg_max_action_name(CFG_MAX_SYSLOG), "syslog");
	assert_string_equal(cfg_max_action_name(CFG_MAX_SUSPEND), "suspend");
	assert_string_equal(cfg_max_action_name(CFG_MAX_ROTATE), "rotate");
	assert_string_equal(cfg_max_action_name(CFG_MAX_KEEP_LOGS),
	    "keep_logs");
}

/* Each key the daemon acts on; every verdict is auditd's. */
static const struct kcase auditd_keys[] = {
	OK(P "local_events = yes\n", F_LOCAL_EVENTS, 1),
	OK(P "local_events = No\n", F_LOCAL_EVENTS, 0),
	OK(P "local_events = YES\n", F_LOCAL_EVENTS, 1),
	BAD(P "local_events = true\n", 3, "true"),
	BAD(P "local_events = 1\n", 3, "1"),
	BAD(P "local_events = yes no\n", 3, "no"),

	OK(P "write_logs = no\n", F_WRITE_LOGS, 0),
	OK(P "write_logs = yEs\n", F_WRITE_LOGS, 1),
	BAD(P "write_logs = on\n", 3, "on"),

	OK(P "log_format = raw\n", F_LOG_FORMAT, CFG_LOG_FORMAT_RAW),
	OK(P "log_format = RaW\n", F_LOG_FORMAT, CFG_LOG_FORMAT_RAW),
	OK(P "log_format = ENRICHED\n", F_LOG_FORMAT,
	    CFG_LOG_FORMAT_ENRICHED),
	/* Deprecated, accepted with a warning; turns write_logs off. */
	OK(P "log_format = nolog\n", F_WRITE_LOGS, 0),
	OK(P "log_format = NOLOG\n", F_LOG_FORMAT, CFG_LOG_FORMAT_ENRICHED),
	BAD(P "log_format = json\n", 3, "json"),
	BAD(P "log_format = raw\t\n", 3, "raw\\t"),

	OK(P "log_group = root\n", F_LOG_GROUP, 0),
	OK(P "log_group = 0\n", F_LOG_GROUP, 0),
	OK(P "log_group = 4\n", F_LOG_GROUP, 4),
	OK(P "log_group = 12abc\n", F_LOG_GROUP, 12),
	OK(P "log_group = 4294967296\n", F_LOG_GROUP, 0),
	BAD(P "log_group = nosuchgroup\n", 3, "nosuchgroup"),
	BAD(P "log_group = ROOT\n", 3, "ROOT"),
	BAD(P "log_group = -1\n", 3, "-1"),
	BAD(P "log_group = +4\n", 3, "+4"),
	BAD(P "log_group = 99999999999999999999999\n", 3,
	    "99999999999999999999999"),

	OK(P "flush = none\n", F_FLUSH, CFG_FLUSH_NONE),
	OK(P "flush = NONE\n", F_FLUSH, CFG_FLUSH_NONE),
	OK(P "flush = data\n", F_FLUSH, CFG_FLUSH_DATA),
	OK(P "flush = DATA\n", F_FLUSH, CFG_FLUSH_DATA),
	OK(P "flush = sync\n", F_FLUSH, CFG_FLUSH_SYNC),
	OK(P "freq = 1\nflush = incremental\n", F_FLUSH,
	    CFG_FLUSH_INCREMENTAL),
	OK(P "flush = Incremental_Async\nfreq = 50\n", F_FLUSH,
	    CFG_FLUSH_INCREMENTAL_ASYNC),
	BAD(P "flush = bogus\n", 3, "bogus"),
	BAD(P "flush = syncx\n", 3, "syncx"),
	BAD(P "flush = incremental-async\n", 3, "incremental-async"),
	BAD(P "flush = sync\t\n", 3, "sync\\t"),

	/* freq and priority_boost: digits only, 0..INT_MAX. */
	OK(P "freq = 0\n", F_FREQ, 0),
	OK(P "freq = 05\n", F_FREQ, 5),
	OK(P "freq = 2147483647\n", F_FREQ, 2147483647),
	BAD(P "freq = 2147483648\n", 3, "2147483648"),
	BAD(P "freq = 4294967296\n", 3, "4294967296"),
	BAD(P "freq = 18446744073709551616\n", 3, "18446744073709551616"),
	BAD(P "freq = -1\n", 3, "-1"),
	BAD(P "freq = +5\n", 3, "+5"),
	BAD(P "freq = 1x\n", 3, "1x"),
	BAD(P "freq = 0x10\n", 3, "0x10"),
	BAD(P "freq = 1 2\n", 3, "2"),

	OK(P "priority_boost = 0\n", F_PRIO, 0),
	OK(P "priority_boost = 07\n", F_PRIO, 7),
	OK(P "priority_boost = 2147483647\n", F_PRIO, 2147483647),
	BAD(P "priority_boost = 2147483648\n", 3, "2147483648"),
	BAD(P "priority_boost = 18446744073709551615\n", 3,
	    "18446744073709551615"),
	BAD(P "priority_boost = -1\n", 3, "-1"),
	BAD(P "priority_boost = +5\n", 3, "+5"),
	BAD(P "priority_boost = 4x\n", 3, "4x"),

	OK(P "name_format = none\n", F_NAME_FORMAT, CFG_NAME_NONE),
	OK(P "name_format = hostname\n", F_NAME_FORMAT, CFG_NAME_HOSTNAME),
	OK(P "name_format = FQD\n", F_NAME_FORMAT, CFG_NAME_FQD),
	OK(P "name_format = Numeric\n", F_NAME_FORMAT, CFG_NAME_NUMERIC),
	OK(P "name_format = USER\n", F_NAME_FORMAT, CFG_NAME_USER),
	BAD(P "name_format = fqdn\n", 3, "fqdn"),

	/* name: anything that is one token. */
	OKS(P "name = hello=world\n", F_NAME, "hello=world"),
	OKS(P "name = #x\n", F_NAME, "#x"),
	OKS(P "name = \"q\"\n", F_NAME, "\"q\""),
	OKS(P "name = caf\xc3\xa9\n", F_NAME, "caf\xc3\xa9"),
	BAD(P "name = a b\n", 3, "b"),

	/* log_file: its folder needs 4 characters and must open; an existing
	 * log must be a regular file; a missing one is fine. */
	OKS(P "log_file = @D/audit.log\n", F_LOG_FILE, "@D/audit.log"),
	BAD(P "log_file = audit.log\n", 3, "audit.log"),
	BAD(P "log_file = /a/x.log\n", 3, "/a/x.log"),
	BAD(P "log_file = /x.log\n", 3, "/x.log"),
	BAD(P "log_file = /../ra-test-x.log\n", 3, "/../ra-test-x.log"),
	OKS(P "log_file = /tmp/ra-test-x.log\n", F_LOG_FILE,
	    "/tmp/ra-test-x.log"),
	BAD(P "log_file = @D/nodir/x.log\n", 3, "@D/nodir/x.log"),
	BAD(P "log_file = @D\n", 3, "@D"),
	BAD(P "log_file = @D/\n", 3, "@D/"),
};

static void
test_auditd_keys(void **state)
{
	(void)state;
	run(auditd_keys, sizeof(auditd_keys) / sizeof(auditd_keys[0]), true);
}

/* Line syntax; every verdict is auditd's. */
static const struct kcase syntax[] = {
	BAD(P "flush=sync\n", 3, "flush=sync"),
	BAD(P "flush= sync\n", 3, "flush= sync"),
	BAD(P "flush =sync\n", 3, "flush =sync"),
	BAD(P "flush\t=\tsync\n", 3, "flush\\t=\\tsync"),
	BAD(P "flush\n", 3, "flush"),
	BAD(P "flush =\n", 3, "flush ="),
	BAD(P "flush = \n", 3, "flush = "),
	BAD(P "flush = sync extra\n", 3, "extra"),
	BAD(P "flush = sync # comment\n", 3, "#"),
	BAD(P "flush = = sync\n", 3, "sync"),
	OK(P "   flush = sync\n", F_FLUSH, CFG_FLUSH_SYNC),
	OK(P "flush   =   sync\n", F_FLUSH, CFG_FLUSH_SYNC),
	BAD(P "\tflush = sync\n", 3, "\\tflush"),
	OK(P "flush = sync   \n", F_FLUSH, CFG_FLUSH_SYNC),
	BAD(P "flush = sync\t\n", 3, "sync\\t"),
	BAD(P "flush = sync\r\n", 3, "sync\\r"),
	OK(P "# comment\n   # indented\n#flush=bogus\n\n   \nflush = data\n",
	    F_FLUSH, CFG_FLUSH_DATA),
	OK("\n# c\n" P "\n\nflush = data\n", F_FLUSH, CFG_FLUSH_DATA),
	BAD(P "\t\n", 3, "\\t"),
	OK(P "FLUSH = Sync\n", F_FLUSH, CFG_FLUSH_SYNC),
	BAD(P "frobnicate = 1\n", 3, "frobnicate"),
	BAD(P "frobnicate = 1 2\n", 3, "frobnicate"),
	BAD(P "\nfrobnicate\n", 4, "frobnicate"),
	BAD(P "#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\nx = 1\n",
	    21, "x"),
	OK(P "flush = sync\nflush = data\n", F_FLUSH, CFG_FLUSH_DATA),
	BAD(P "flush = sync\nflush = bogus\n", 4, "bogus"),
	/* The last line without a newline is skipped. */
	OK(P "flush = bogus", F_FLUSH, CFG_FLUSH_NONE),
	OK(P "flush = data\n# no newline", F_FLUSH, CFG_FLUSH_DATA),
	/* The end checks run only after a complete line. */
	OK("", F_FLUSH, CFG_FLUSH_NONE),
	OK("flush = incremental", F_FLUSH, CFG_FLUSH_NONE),
};

static void
test_syntax(void **state)
{
	(void)state;
	run(syntax, sizeof(syntax) / sizeof(syntax[0]), true);
}

/* auditd: lines of 159 characters or more are skipped, 158 are read. */
static void
test_long_lines(void **state)
{
	static struct cfg c;
	char text[1024], x[400], err[512];
	const char *path;

	(void)state;
	memset(x, 'x', sizeof(x));
	x[151] = '\0';
	snprintf(text, sizeof(text), P "name = %s\n", x);	/* 158 */
	path = put("auditd.conf", text, 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_string_equal(c.name, x);
	assert_int_equal(c.n_warn, 0);

	x[151] = 'x';
	x[152] = '\0';
	snprintf(text, sizeof(text), P "name = %s\nflush = data\n", x);
	path = put("auditd.conf", text, 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_string_equal(c.name, "");
	assert_int_equal(c.flush, CFG_FLUSH_DATA);
	assert_true(warned(&c, ":3: line longer than 158"));

	/* A skipped line is skipped whatever it holds; lines still count. */
	x[300] = '\0';
	snprintf(text, sizeof(text), P "flush = %s\nflush = bogus\n", x);
	path = put("auditd.conf", text, 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EINVAL);
	assert_err(err, path, 4, "bogus");
}

/* Writes tmp/auditd.conf with len bytes of text (NULs too), mode 0600. */
static const char *
put_bytes(const char *text, size_t len)
{
	static char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/auditd.conf", tmp);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/*
 * auditd's fgets() sees a line holding a NUL as one without '\n': it
 * skips it up to the next '\n' it reads, the end of the following line,
 * which vanishes unread and uncounted.
 */
static void
test_nul_line_hides_the_next_line(void **state)
{
	static const char t1[] = P "flush = d\0ata\nbogus = 1\nflush = sync\n";
	static const char t2[] = P "x\0\nzz\nbogus = 1\n";
	static const char t3[] = "flush = sync\0\n";
	static struct cfg c;
	char err[512];
	const char *path;

	(void)state;
	path = put_bytes(t1, sizeof(t1) - 1);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_int_equal(c.flush, CFG_FLUSH_SYNC);
	assert_true(warned(&c, ":3: line longer than 158"));

	/* The vanished line is not counted: the error is on "line 4". */
	path = put_bytes(t2, sizeof(t2) - 1);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EINVAL);
	assert_err(err, path, 4, "bogus");

	/* No line was read whole: no end checks (space_left 0 passes). */
	path = put_bytes(t3, sizeof(t3) - 1);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_int_equal(c.flush, CFG_FLUSH_NONE);
}

/* The checks auditd makes at the end of the file. */
static const struct kcase end_checks[] = {
	/* auditd: space_left must be above admin_space_left, both 0 unset,
	 * unless either is a percentage. */
	BAD("flush = sync\n", 0, ""),
	BAD("# only a comment\n", 0, ""),
	BAD("space_left = 5\nadmin_space_left = 5\n", 2, "5"),
	BAD("admin_space_left = 0\nspace_left = 0\n", 2, "0"),
	OK("admin_space_left = 0\nspace_left = 1\n", F_NONE, 0),
	OK("space_left = 5%\nadmin_space_left = 25%\n", F_NONE, 0),
	OK("space_left = 50\nadmin_space_left = 5%\n", F_NONE, 0),
	OK("space_left = 0\nadmin_space_left = 5%\n", F_NONE, 0),
	OK("space_left = 5%\nadmin_space_left = 5\n", F_NONE, 0),
	OK("space_left = 5%\nadmin_space_left = 50%\n", F_NONE, 0),
	OK("space_left = 1%\nadmin_space_left = 0\n", F_NONE, 0),
	OK("space_left = 5\nadmin_space_left = 5%%\n", F_NONE, 0),
	/* auditd: 0% (and "%") is 0 MiB, and checked as such. */
	OK("space_left = 5\nadmin_space_left = 0%\n", F_NONE, 0),
	BAD("space_left = 0%\nadmin_space_left = 5\n", 2, "0"),
	BAD("space_left = %\nadmin_space_left = 5\n", 2, "5"),
	BAD("admin_space_left = 5\n#\n#\nspace_left = 0%\n#\n", 4, "0"),
	/* auditd: incremental flushing needs a non-zero freq. */
	BAD(P "flush = incremental\n", 3, "incremental"),
	BAD(P "flush = incremental_async\nfreq = 0\n", 3,
	    "incremental_async"),
	BAD(P "freq = 0\nflush = INCREMENTAL_ASYNC\n", 4,
	    "incremental_async"),
	OK(P "freq = 0\n", F_FREQ, 0),
	OK(P "freq = 50\n", F_FREQ, 50),
	OK(P "flush = none\nfreq = 50\n", F_FREQ, 50),
	OK(P "flush = data\nfreq = 50\n", F_FREQ, 50),
	/* auditd: no log_group for a log directly in /var/log (compared as
	 * a string: /var//log passes). */
	BAD(P "log_file = /var/log/ra-test-x.log\nlog_group = 4\n", 4,
	    "/var/log/ra-test-x.log"),
	BAD(P "log_group = 4\nlog_file = /var/log/ra-test-x.log\n", 4,
	    "/var/log/ra-test-x.log"),
	OK(P "log_file = /var/log/ra-test-x.log\nlog_group = 0\n",
	    F_LOG_GROUP, 0),
	OK(P "log_file = /var//log/ra-test-x.log\nlog_group = 4\n",
	    F_LOG_GROUP, 4),
	OK(P "log_file = @D/x.log\nlog_group = 4\n", F_LOG_GROUP, 4),
};

static void
test_end_checks(void **state)
{
	static struct cfg c;
	char err[512];
	const char *path;

	(void)state;
	run(end_checks, sizeof(end_checks) / sizeof(end_checks[0]), true);

	path = put("auditd.conf", "flush = sync\n", 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "space_left (0)"));

	/* auditd: accepted, with a warning. */
	path = put("auditd.conf", P "flush = sync\nfreq = 50\n", 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_true(warned(&c, ":4: freq: 50 has no effect"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flush_name),
		cmocka_unit_test(test_auditd_keys),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_nul_line_hides_the_next_line),
		cmocka_unit_test(test_end_checks),
	};

	return cfg_test_main("test_config", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
