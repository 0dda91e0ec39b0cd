/*
 * test_config.c - auditd.conf and ringauditd.conf: every key the daemon
 * acts on with good, bad and boundary values, the line syntax, the keys
 * kept for later, file ownership and modes, and Debian's stock auditd.conf.
 *
 * Where a table gives auditd's verdict ("auditd:"), it was learned by
 * running Debian's auditd 3.0.9 (auditd -f -c DIR) on the same file, with
 * an unknown key on the next line so that auditd stopped there when it had
 * accepted the line, or inside a user namespace (which cannot reach the
 * kernel's audit socket) when the whole file had to be accepted.
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

/* auditd refuses a file with any line unless space_left > admin_space_left
 * (auditd: "flush = sync" alone is refused), so most files start so. */
#define P "space_left = 2\nadmin_space_left = 1\n"

static char tmp[64];

enum field {
	F_NONE, F_LOCAL_EVENTS, F_WRITE_LOGS, F_LOG_FILE, F_LOG_FORMAT,
	F_LOG_GROUP, F_FLUSH, F_FREQ, F_NAME_FORMAT, F_NAME, F_PRIO,
	F_WORKERS, F_RECORDS, F_RING_SIZE, F_RCVBUF, F_DRAIN, F_BATCH,
};

struct kcase {
	const char *text;	/* the file; "@D" is the temporary folder */
	int rc;
	enum field f;		/* on success, this field ... */
	unsigned long want;	/* ... has this value */
	const char *swant;	/* or this string ("@D" as above) */
	unsigned line;		/* on failure, the line the error names */
	const char *bad;	/* and the value it quotes ("" for none) */
};

#define OK(t, f, v)	{ t, 0, f, v, NULL, 0, NULL }
#define OKS(t, f, s)	{ t, 0, f, 0, s, 0, NULL }
#define BAD(t, l, b)	{ t, -EINVAL, F_NONE, 0, NULL, l, b }

static unsigned long
field(const struct cfg *c, enum field f)
{
	switch (f) {
	case F_LOCAL_EVENTS: return c->local_events;
	case F_WRITE_LOGS: return c->write_logs;
	case F_LOG_FORMAT: return c->log_format;
	case F_LOG_GROUP: return c->log_group;
	case F_FLUSH: return c->flush;
	case F_FREQ: return c->freq;
	case F_NAME_FORMAT: return c->name_format;
	case F_PRIO: return c->priority_boost;
	case F_WORKERS: return c->workers;
	case F_RECORDS: return c->records;
	case F_RING_SIZE: return c->ring_size;
	case F_RCVBUF: return c->netlink_rcvbuf;
	case F_DRAIN: return c->drain_timeout_ms;
	case F_BATCH: return c->write_batch;
	case F_NONE: case F_LOG_FILE: case F_NAME: break;
	}
	fail_msg("field %d is not a number", (int)f);
	return 0;
}

static const char *
sfield(const struct cfg *c, enum field f)
{
	return f == F_LOG_FILE ? c->log_file : c->name;
}

/* s with every "@D" replaced by the temporary folder. */
static void
subst(char *dst, size_t len, const char *s)
{
	size_t o = 0, tl = strlen(tmp);

	for (; *s != '\0'; s++) {
		if (s[0] == '@' && s[1] == 'D') {
			assert_true(o + tl < len);
			memcpy(dst + o, tmp, tl);
			o += tl;
			s++;
			continue;
		}
		assert_true(o + 1 < len);
		dst[o++] = *s;
	}
	dst[o] = '\0';
}

/* Writes tmp/name with exactly mode; returns its path (static). */
static const char *
put(const char *name, const char *text, mode_t mode)
{
	static char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* err names path and line ("PATH:LINE: ") and quotes bad. */
static void
assert_err(const char *err, const char *path, unsigned line, const char *bad)
{
	char want[PATH_MAX + 32], q[512];

	if (line > 0)
		snprintf(want, sizeof(want), "%s:%u: ", path, line);
	else
		snprintf(want, sizeof(want), "%s: ", path);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", err, want);
	if (bad == NULL || bad[0] == '\0')
		return;
	snprintf(q, sizeof(q), "\"%s\"", bad);
	if (strstr(err, q) == NULL)
		fail_msg("error \"%s\" does not quote %s", err, q);
}

static bool
warned(const struct cfg *c, const char *what)
{
	unsigned i;

	for (i = 0; i < c->n_warn; i++)
		if (strstr(c->warn[i], what) != NULL)
			return true;
	return false;
}

static const struct cfg_kv *
other(const struct cfg *c, const char *key)
{
	unsigned i;

	for (i = 0; i < c->n_other; i++)
		if (strcmp(c->other[i].key, key) == 0)
			return &c->other[i];
	return NULL;
}

static void
run(const struct kcase *t, size_t n, bool auditd)
{
	static struct cfg c;
	char text[2048], path[PATH_MAX], err[1024], s[PATH_MAX];
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		subst(text, sizeof(text), t[i].text);
		snprintf(path, sizeof(path), "%s",
		    put(auditd ? "auditd.conf" : "ringauditd.conf", text,
		    0600));
		cfg_defaults(&c);
		err[0] = '\0';
		if (auditd)
			rc = cfg_load_auditd(&c, path, false, err, sizeof(err));
		else
			rc = cfg_load_ringauditd(&c, path, err, sizeof(err));
		if (rc != t[i].rc)
			fail_msg("case %zu \"%s\": rc %d, want %d (%s)", i,
			    t[i].text, rc, t[i].rc, err);
		if (rc < 0) {
			if (t[i].bad != NULL) {
				subst(s, sizeof(s), t[i].bad);
				assert_err(err, path, t[i].line, s);
			}
			continue;
		}
		if (t[i].swant != NULL) {
			subst(s, sizeof(s), t[i].swant);
			if (strcmp(sfield(&c, t[i].f), s) != 0)
				fail_msg("case %zu \"%s\": got \"%s\"", i,
				    t[i].text, sfield(&c, t[i].f));
		} else if (t[i].f != F_NONE && field(&c, t[i].f) != t[i].want)
			fail_msg("case %zu \"%s\": got %lu, want %lu", i,
			    t[i].text, field(&c, t[i].f), t[i].want);
	}
}

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
	assert_int_equal(c.n_other, 0);
	assert_int_equal(c.n_warn, 0);
	assert_int_equal(c.workers, 1);
	assert_int_equal(c.records, 4096);
	assert_int_equal(c.ring_size, 1024);
	assert_int_equal(c.netlink_rcvbuf, 8388608);
	assert_int_equal(c.drain_timeout_ms, 5000);
	assert_int_equal(c.write_batch, 262144);
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

/* Every other key auditd 3.0.9 knows, with a value from its man page. */
static const char *const others[][2] = {
	{ "num_logs", "5" },
	{ "dispatcher", "/sbin/audispd" },
	{ "disp_qos", "lossy" },
	{ "max_log_file", "8" },
	{ "max_log_file_action", "ROTATE" },
	{ "space_left", "75" },
	{ "space_left_action", "SYSLOG" },
	{ "action_mail_acct", "root" },
	{ "verify_email", "yes" },
	{ "admin_space_left", "50" },
	{ "admin_space_left_action", "exec /usr/local/sbin/full" },
	{ "disk_full_action", "SUSPEND" },
	{ "disk_error_action", "SUSPEND" },
	{ "tcp_listen_port", "60" },
	{ "tcp_listen_queue", "5" },
	{ "tcp_max_per_addr", "1" },
	{ "use_libwrap", "yes" },
	{ "tcp_client_ports", "1024-65535" },
	{ "tcp_client_max_idle", "0" },
	{ "transport", "TCP" },
	{ "enable_krb5", "no" },
	{ "krb5_principal", "auditd" },
	{ "krb5_key_file", "/etc/audit/audit.key" },
	{ "distribute_network", "no" },
	{ "q_depth", "2000" },
	{ "overflow_action", "SYSLOG" },
	{ "max_restarts", "10" },
	{ "plugin_dir", "/etc/audit/plugins.d" },
	{ "end_of_event_timeout", "2" },
};

static void
test_other_keys(void **state)
{
	static struct cfg c;
	const struct cfg_kv *kv;
	const size_t n = sizeof(others) / sizeof(others[0]);
	char text[4096], err[512];
	const char *path;
	size_t i, o = 0;

	(void)state;
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s = %s\n",
		    others[i][0], others[i][1]);
	/* Case-insensitive key, kept under its own name; last one wins. */
	snprintf(text + o, sizeof(text) - o, "NUM_LOGS = 9\n");
	path = put("auditd.conf", text, 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_int_equal(c.n_other, n);
	for (i = 0; i < n; i++) {
		kv = other(&c, others[i][0]);
		assert_non_null(kv);
		if (i == 0) {
			assert_string_equal(kv->value, "9");
			assert_int_equal(kv->line, n + 1);
			continue;
		}
		assert_string_equal(kv->value, others[i][1]);
		assert_int_equal(kv->line, i + 1);
	}
	assert_true(warned(&c, ":2: dispatcher is deprecated"));
	assert_true(warned(&c, ":3: disp_qos is deprecated"));
	/* The daemon's own keys are not in other[]. */
	assert_null(other(&c, "flush"));

	/* auditd: only the four actions take an option ("exec PATH"); with
	 * more tokens it complains but goes on. */
	path = put("auditd.conf", P "num_logs = 5 6\n", 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EINVAL);
	assert_err(err, path, 3, "6");
	path = put("auditd.conf", P "disk_full_action = suspend a b\n", 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_string_equal(other(&c, "disk_full_action")->value, "suspend a");
	assert_true(warned(&c, ":3: disk_full_action: what follows"));
}

/* auditd: owner root, not world writable, a regular file, no symlink
 * without -l; a missing file means the defaults. */
static void
test_file_rules(void **state)
{
	static struct cfg c, d;
	char err[512], path[PATH_MAX], link[PATH_MAX];
	const char *p;

	(void)state;
	p = put("auditd.conf", P "flush = data\n", 0666);
	snprintf(path, sizeof(path), "%s", p);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EPERM);
	assert_err(err, path, 0, NULL);
	assert_non_null(strstr(err, "world writable"));
	assert_int_equal(c.flush, CFG_FLUSH_NONE);

	assert_int_equal(chmod(path, 0602), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EPERM);
	assert_non_null(strstr(err, "world writable"));
	assert_int_equal(chmod(path, 01646), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EPERM);

	/* auditd accepts a group-writable file (0620, 0660, any group):
	 * here too, with a warning. */
	assert_int_equal(chmod(path, 0660), 0);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_int_equal(c.flush, CFG_FLUSH_DATA);
	assert_true(warned(&c, "group writable"));
	assert_int_equal(chmod(path, 0644), 0);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_int_equal(c.n_warn, 0);
	assert_int_equal(chmod(path, 0000), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);

	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(chown(path, 65534, 0), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EPERM);
	assert_err(err, path, 0, NULL);
	assert_non_null(strstr(err, "not root"));
	assert_int_equal(chown(path, 0, 65534), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);

	/* A symlink: refused without allow_symlinks (auditd's -l). */
	snprintf(link, sizeof(link), "%s/link.conf", tmp);
	assert_int_equal(symlink(path, link), 0);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, link, false, err, sizeof(err)),
	    -ELOOP);
	assert_err(err, link, 0, NULL);
	assert_int_equal(cfg_load_auditd(&c, link, true, err, sizeof(err)),
	    0);
	assert_int_equal(c.flush, CFG_FLUSH_DATA);
	unlink(link);
	/* A dangling one: refused, or with -l a missing file. */
	assert_int_equal(symlink("nowhere", link), 0);
	assert_int_equal(cfg_load_auditd(&c, link, false, err, sizeof(err)),
	    -ELOOP);
	assert_int_equal(cfg_load_auditd(&c, link, true, err, sizeof(err)),
	    0);
	unlink(link);

	/* Not a regular file. */
	snprintf(link, sizeof(link), "%s/dir.conf", tmp);
	assert_int_equal(mkdir(link, 0700), 0);
	assert_int_equal(cfg_load_auditd(&c, link, false, err, sizeof(err)),
	    -EPERM);
	assert_err(err, link, 0, NULL);
	rmdir(link);
	/* A FIFO (auditd hangs on it; refused here without blocking). */
	assert_int_equal(mkfifo(link, 0600), 0);
	assert_int_equal(cfg_load_auditd(&c, link, false, err, sizeof(err)),
	    -EPERM);
	unlink(link);

	/* Missing: the defaults, with a warning. */
	snprintf(link, sizeof(link), "%s/missing.conf", tmp);
	cfg_defaults(&c);
	cfg_defaults(&d);
	assert_int_equal(cfg_load_auditd(&c, link, false, err, sizeof(err)),
	    0);
	assert_true(warned(&c, "does not exist"));
	c.n_warn = 0;
	memset(c.warn, 0, sizeof(c.warn));
	assert_memory_equal(&c, &d, sizeof(c));
	unlink(path);
}

/* auditd: an existing log must be a regular file owned by root; a loose
 * mode only warns. */
static void
test_log_file_rules(void **state)
{
	static struct cfg c;
	char err[512], log[PATH_MAX], text[PATH_MAX + 64], path[PATH_MAX];
	static const mode_t quiet[] = { 0600, 0640, 0200 };
	static const mode_t loud[] = { 0644, 0660, 0666, 0700, 0400, 0000 };
	size_t i;
	int fd;

	(void)state;
	snprintf(log, sizeof(log), "%s/audit.log", tmp);
	snprintf(text, sizeof(text), P "log_file = %s\n", log);
	snprintf(path, sizeof(path), "%s", put("auditd.conf", text, 0600));
	fd = open(log, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		assert_int_equal(chmod(log, quiet[i]), 0);
		cfg_defaults(&c);
		assert_int_equal(cfg_load_auditd(&c, path, false, err,
		    sizeof(err)), 0);
		assert_string_equal(c.log_file, log);
		assert_int_equal(c.n_warn, 0);
	}
	for (i = 0; i < sizeof(loud) / sizeof(loud[0]); i++) {
		assert_int_equal(chmod(log, loud[i]), 0);
		cfg_defaults(&c);
		assert_int_equal(cfg_load_auditd(&c, path, false, err,
		    sizeof(err)), 0);
		assert_true(warned(&c, ":3: log_file:"));
	}
	assert_int_equal(chmod(log, 0600), 0);
	assert_int_equal(chown(log, 65534, 0), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EINVAL);
	assert_err(err, path, 3, log);
	unlink(log);
	assert_int_equal(mkfifo(log, 0600), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EINVAL);
	assert_err(err, path, 3, log);
	unlink(log);
}

/* Debian's /etc/audit/auditd.conf loads, with the values it gives. */
static void
test_debian_stock(void **state)
{
	static struct cfg c;
	static const char stock[] = "/etc/audit/auditd.conf";
	char dir[128], path[PATH_MAX], err[512], line[512];
	char *tok[3], *save;
	const struct cfg_kv *kv;
	struct group *gr;
	unsigned n = 0, checked = 0;
	FILE *in, *out;

	(void)state;
	if ((in = fopen(stock, "r")) == NULL)
		skip();
	snprintf(dir, sizeof(dir), "%s/stock", tmp);
	assert_int_equal(mkdir(dir, 0750), 0);
	snprintf(path, sizeof(path), "%s/auditd.conf", dir);
	out = fopen(path, "w");
	assert_non_null(out);
	while (fgets(line, sizeof(line), in) != NULL)
		fputs(line, out);
	fclose(out);
	assert_int_equal(chmod(path, 0640), 0);

	cfg_defaults(&c);
	if (cfg_load(&c, dir, false, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.n_warn, 0);

	/* Each "key = value" line, read back from the loaded config. */
	rewind(in);
	while (fgets(line, sizeof(line), in) != NULL) {
		n++;
		line[strcspn(line, "\n")] = '\0';
		tok[0] = strtok_r(line, " ", &save);
		if (tok[0] == NULL || tok[0][0] == '#')
			continue;
		tok[1] = strtok_r(NULL, " ", &save);
		tok[2] = strtok_r(NULL, " ", &save);
		assert_non_null(tok[2]);
		checked++;
		if (strcmp(tok[0], "local_events") == 0)
			assert_int_equal(c.local_events,
			    strcasecmp(tok[2], "yes") == 0);
		else if (strcmp(tok[0], "write_logs") == 0)
			assert_int_equal(c.write_logs,
			    strcasecmp(tok[2], "yes") == 0);
		else if (strcmp(tok[0], "log_file") == 0)
			assert_string_equal(c.log_file, tok[2]);
		else if (strcmp(tok[0], "log_group") == 0) {
			gr = getgrnam(tok[2]);
			assert_non_null(gr);
			assert_int_equal(c.log_group, gr->gr_gid);
		} else if (strcmp(tok[0], "log_format") == 0)
			assert_int_equal(c.log_format,
			    strcasecmp(tok[2], "raw") == 0 ?
			    CFG_LOG_FORMAT_RAW : CFG_LOG_FORMAT_ENRICHED);
		else if (strcmp(tok[0], "flush") == 0)
			assert_int_equal(strcasecmp(cfg_flush_name(c.flush),
			    tok[2]), 0);
		else if (strcmp(tok[0], "freq") == 0)
			assert_int_equal(c.freq, strtoul(tok[2], NULL, 10));
		else if (strcmp(tok[0], "priority_boost") == 0)
			assert_int_equal(c.priority_boost,
			    strtoul(tok[2], NULL, 10));
		else if (strcmp(tok[0], "name_format") == 0)
			assert_int_equal(c.name_format, CFG_NAME_NONE);
		else {
			kv = other(&c, tok[0]);
			if (kv == NULL)
				fail_msg("%s: not kept", tok[0]);
			assert_string_equal(kv->value, tok[2]);
			assert_int_equal(kv->line, n);
		}
	}
	fclose(in);
	assert_true(checked > 30);

	/* What Debian 3.0.9 ships, for the record. */
	if (c.freq == 50 && c.flush == CFG_FLUSH_INCREMENTAL_ASYNC) {
		assert_string_equal(c.log_file, "/var/log/audit/audit.log");
		assert_int_equal(c.log_format, CFG_LOG_FORMAT_ENRICHED);
		assert_int_equal(c.priority_boost, 4);
		assert_string_equal(other(&c, "max_log_file")->value, "8");
		assert_string_equal(other(&c, "end_of_event_timeout")->value,
		    "2");
	}
	unlink(path);
	rmdir(dir);
}

/* Each ringauditd.conf key at its limits, and past them. */
static const struct kcase ringauditd_keys[] = {
	OK("workers = 1\n", F_WORKERS, 1),
	OK("workers = 64\n", F_WORKERS, 64),
	BAD("workers = 0\n", 1, "0"),
	BAD("workers = 65\n", 1, "65"),
	BAD("workers = -1\n", 1, "-1"),
	BAD("workers = two\n", 1, "two"),
	OK("records = 64\n", F_RECORDS, 64),
	OK("records = 1048576\n", F_RECORDS, 1048576),
	BAD("records = 63\n", 1, "63"),
	BAD("records = 1048577\n", 1, "1048577"),
	OK("ring_size = 16\n", F_RING_SIZE, 16),
	OK("ring_size = 1048576\n", F_RING_SIZE, 1048576),
	OK("ring_size = 1000\n", F_RING_SIZE, 1000),
	BAD("ring_size = 15\n", 1, "15"),
	BAD("ring_size = 1048577\n", 1, "1048577"),
	OK("netlink_rcvbuf = 65536\n", F_RCVBUF, 65536),
	OK("netlink_rcvbuf = 1073741824\n", F_RCVBUF, 1073741824),
	BAD("netlink_rcvbuf = 65535\n", 1, "65535"),
	BAD("netlink_rcvbuf = 1073741825\n", 1, "1073741825"),
	BAD("netlink_rcvbuf = 99999999999999999999999\n", 1,
	    "99999999999999999999999"),
	OK("drain_timeout_ms = 0\n", F_DRAIN, 0),
	OK("drain_timeout_ms = 600000\n", F_DRAIN, 600000),
	BAD("drain_timeout_ms = 600001\n", 1, "600001"),
	OK("write_batch = 4096\n", F_BATCH, 4096),
	OK("write_batch = 67108864\n", F_BATCH, 67108864),
	BAD("write_batch = 4095\n", 1, "4095"),
	BAD("write_batch = 67108865\n", 1, "67108865"),
	BAD("write_batch = 1m\n", 1, "1m"),
	/* The same syntax as auditd.conf. */
	OK("# c\n\n  WORKERS = 4   \n", F_WORKERS, 4),
	BAD("workers=4\n", 1, "workers=4"),
	BAD("workers = 4 5\n", 1, "5"),
	BAD("\nflush = sync\n", 2, "flush"),
	OK("workers = 2\nworkers = 3\n", F_WORKERS, 3),
	/* Stricter than auditd: a last line without a newline is read. */
	OK("records = 128", F_RECORDS, 128),
};

static void
test_ringauditd_keys(void **state)
{
	static struct cfg c;
	char text[512], err[512];
	const char *path;

	(void)state;
	run(ringauditd_keys,
	    sizeof(ringauditd_keys) / sizeof(ringauditd_keys[0]), false);

	/* Stricter than auditd: an over-long line is an error. */
	memset(text, ' ', sizeof(text));
	memcpy(text + 300, "workers = 2\n", 13);
	path = put("ringauditd.conf", text, 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_ringauditd(&c, path, err, sizeof(err)),
	    -EINVAL);
	assert_err(err, path, 1, NULL);

	path = put("ringauditd.conf", "workers = 2\n", 0666);
	assert_int_equal(cfg_load_ringauditd(&c, path, err, sizeof(err)),
	    -EPERM);
	assert_err(err, path, 0, NULL);
	unlink(path);
	assert_int_equal(cfg_load_ringauditd(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.n_warn, 0);
}

/* cfg_load: both files from one folder; a refused file changes nothing. */
static void
test_load_dir(void **state)
{
	static struct cfg c, d;
	char err[512], apath[PATH_MAX], rpath[PATH_MAX];

	(void)state;
	snprintf(apath, sizeof(apath), "%s",
	    put("auditd.conf", P "flush = sync\n", 0600));
	snprintf(rpath, sizeof(rpath), "%s",
	    put("ringauditd.conf", "workers = 3\nrecords = 8192\n", 0640));
	cfg_defaults(&c);
	assert_int_equal(cfg_load(&c, tmp, false, err, sizeof(err)), 0);
	assert_int_equal(c.flush, CFG_FLUSH_SYNC);
	assert_int_equal(c.workers, 3);
	assert_int_equal(c.records, 8192);
	assert_int_equal(c.ring_size, 1024);

	/* A bad ringauditd.conf: named in the error, nothing applied. */
	put("ringauditd.conf", "workers = 3\nring_size = 8\n", 0600);
	cfg_defaults(&c);
	cfg_defaults(&d);
	assert_int_equal(cfg_load(&c, tmp, false, err, sizeof(err)), -EINVAL);
	assert_err(err, rpath, 2, "8");
	assert_memory_equal(&c, &d, sizeof(c));

	/* A bad auditd.conf: same. */
	put("ringauditd.conf", "workers = 3\n", 0600);
	put("auditd.conf", P "flush = sync\nfreq = x\n", 0600);
	assert_int_equal(cfg_load(&c, tmp, false, err, sizeof(err)), -EINVAL);
	assert_err(err, apath, 4, "x");
	assert_memory_equal(&c, &d, sizeof(c));

	/* No ringauditd.conf is fine; no auditd.conf is the defaults. */
	unlink(rpath);
	unlink(apath);
	assert_int_equal(cfg_load(&c, tmp, false, err, sizeof(err)), 0);
	assert_int_equal(c.n_warn, 1);
	assert_true(warned(&c, "auditd.conf: does not exist"));
}

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return remove(path);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/ra-test-config-XXXXXX");
	return mkdtemp(tmp) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
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
		cmocka_unit_test(test_end_checks),
		cmocka_unit_test(test_other_keys),
		cmocka_unit_test(test_file_rules),
		cmocka_unit_test(test_log_file_rules),
		cmocka_unit_test(test_debian_stock),
		cmocka_unit_test(test_ringauditd_keys),
		cmocka_unit_test(test_load_dir),
	};

	if (geteuid() != 0) {
		printf("skip: config files must be owned by root; run as "
		    "root\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
