/*
 * test_config_files.c - the configuration files themselves: ownership and
 * modes, the log file's rules, Debian's stock auditd.conf read back,
 * ringauditd.conf's keys, the pid file by mode, and a configuration
 * folder with files missing.  The harness is cfg_test.c's.
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
	char got[PATH_MAX + 16], want[PATH_MAX];
	char *tok[3], *save;
	struct group *gr;
	unsigned checked = 0;
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
		line[strcspn(line, "\n")] = '\0';
		tok[0] = strtok_r(line, " ", &save);
		if (tok[0] == NULL || tok[0][0] == '#')
			continue;
		tok[1] = strtok_r(NULL, " ", &save);
		tok[2] = strtok_r(NULL, " ", &save);
		assert_non_null(tok[2]);
		checked++;
		render(&c, tok[0], got, sizeof(got));
		if (strcmp(tok[0], "log_group") == 0) {
			gr = getgrnam(tok[2]);
			assert_non_null(gr);
			assert_int_equal(c.log_group, gr->gr_gid);
		} else if (strcmp(tok[0], "plugin_dir") == 0) {
			snprintf(want, sizeof(want), "%s/", tok[2]);
			assert_string_equal(got, want);
		} else if (strcasecmp(got, tok[2]) != 0)
			fail_msg("%s = %s reads \"%s\"", tok[0], tok[2], got);
	}
	fclose(in);
	assert_true(checked > 30);

	/* What Debian 3.0.9 ships, for the record. */
	if (c.freq == 50 && c.flush == CFG_FLUSH_INCREMENTAL_ASYNC) {
		assert_string_equal(c.log_file, "/var/log/audit/audit.log");
		assert_int_equal(c.log_format, CFG_LOG_FORMAT_ENRICHED);
		assert_int_equal(c.priority_boost, 4);
		assert_int_equal(c.max_log_file, 8);
		assert_int_equal(c.num_logs, 5);
		assert_int_equal(c.max_log_file_action, CFG_MAX_ROTATE);
		assert_int_equal(c.space_left.value, 75);
		assert_int_equal(c.admin_space_left.value, 50);
		assert_int_equal(c.admin_space_left_action.act,
		    CFG_ACT_SUSPEND);
		assert_int_equal(c.end_of_event_timeout, 2);
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
	OK("gather_ms = 0\n", F_GATHER, 0),
	OK("gather_ms = 1000\n", F_GATHER, 1000),
	OK("scheduler = other\n", F_SCHED, CFG_SCHED_OTHER),
	OK("scheduler = other\nscheduler = batch\n", F_SCHED, CFG_SCHED_BATCH),
	BAD("scheduler = fifo\n", 1, "fifo"),
	OK("inline = no\n", F_INLINE, 0),
	OK("inline = no\ninline = yes\n", F_INLINE, 1),
	BAD("inline = 1\n", 1, "1"),
	BAD("gather_ms = 1001\n", 1, "1001"),
	BAD("gather_ms = -1\n", 1, "-1"),
	OK("name_cache_entries = 16\n", F_NAMES, 16),
	OK("name_cache_entries = 1048576\n", F_NAMES, 1048576),
	BAD("name_cache_entries = 15\n", 1, "15"),
	OK("name_cache_refresh = 0\n", F_NAMES_REFRESH, 0),
	OK("name_cache_refresh = 86400\n", F_NAMES_REFRESH, 86400),
	BAD("name_cache_refresh = 86401\n", 1, "86401"),
	BAD("name_cache_refresh = soon\n", 1, "soon"),
	OK("metrics_interval = 1\n", F_METRICS_INTERVAL, 1),
	OK("metrics_interval = 3600\n", F_METRICS_INTERVAL, 3600),
	BAD("metrics_interval = 0\n", 1, "0"),
	BAD("metrics_interval = 3601\n", 1, "3601"),
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
	/* Paths: absolute, one token, case kept. */
	OKS("pid_file = /run/ra.pid\n", F_PID_FILE, "/run/ra.pid"),
	OKS("PID_FILE = /Run/RA.pid\n", F_PID_FILE, "/Run/RA.pid"),
	OKS("pid_file = /\n", F_PID_FILE, "/"),
	BAD("pid_file = run/ra.pid\n", 1, "run/ra.pid"),
	BAD("pid_file = ./ra.pid\n", 1, "./ra.pid"),
	BAD("pid_file = /a b\n", 1, "b"),
	OKS("state_file = @D/state\n", F_STATE_FILE, "@D/state"),
	BAD("state_file = state\n", 1, "state"),
	OKS("init_command = @D/x0755\n", F_INIT, "@D/x0755"),
	BAD("init_command = init\n", 1, "init"),
	BAD("init_command = ~/init\n", 1, "~/init"),
	OKS("sendmail = /usr/sbin/sendmail\n", F_SENDMAIL,
	    "/usr/sbin/sendmail"),
	BAD("sendmail = sendmail\n", 1, "sendmail"),
	BAD("sendmail = /usr/sbin/sendmail -t\n", 1, "-t"),
	OKS("sendmail = /a\nsendmail = /b\n", F_SENDMAIL, "/b"),
	/* A socket's path: at most sun_path's 107 characters, or none. */
	OKS("control_socket = /run/ra/ctl.sock\n", F_CONTROL_SOCKET,
	    "/run/ra/ctl.sock"),
	OKS("control_socket = none\n", F_CONTROL_SOCKET, ""),
	OKS("control_socket = NONE\ncontrol_socket = /s\n", F_CONTROL_SOCKET,
	    "/s"),
	OKS("control_socket = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    F_CONTROL_SOCKET, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	BAD("control_socket = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 1, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	BAD("control_socket = ctl.sock\n", 1, "ctl.sock"),
	BAD("pid_file = none\n", 1, "none"),
	BAD("workers = 2\nsendmail = x\n", 2, "x"),
	/* ingest: a choice, case-insensitive, last one wins. */
	OK("ingest = unicast\n", F_INGEST, CFG_INGEST_UNICAST),
	OK("ingest = multicast\n", F_INGEST, CFG_INGEST_MULTICAST),
	OK("INGEST = MultiCast\n", F_INGEST, CFG_INGEST_MULTICAST),
	OK("ingest = multicast\ningest = unicast\n", F_INGEST,
	    CFG_INGEST_UNICAST),
	BAD("ingest = broadcast\n", 1, "broadcast"),
	/* The log server's: when a remote record is acked, how many
	 * clients and records at once. */
	OK("remote_ack = written\n", F_REMOTE_ACK, CFG_ACK_WRITTEN),
	OK("REMOTE_ACK = Written\n", F_REMOTE_ACK, CFG_ACK_WRITTEN),
	BAD("remote_ack = synced\n", 1, "synced"),
	/* durable needs group commit; auditd.conf here is the default
	 * (incremental_async). */
	BAD("workers = 2\nremote_ack = durable\n", 2, "durable"),
	OK("tcp_max_clients = 1\n", F_TCP_CLIENTS, 1),
	OK("tcp_max_clients = 65536\n", F_TCP_CLIENTS, 65536),
	BAD("tcp_max_clients = 0\n", 1, "0"),
	BAD("tcp_max_clients = 65537\n", 1, "65537"),
	OK("tcp_messages = 16\n", F_TCP_MESSAGES, 16),
	OK("tcp_messages = 65536\n", F_TCP_MESSAGES, 65536),
	BAD("tcp_messages = 15\n", 1, "15"),
	OK("tcp_client_messages = 1\n", F_TCP_CLIENT_MESSAGES, 1),
	OK("tcp_client_messages = 4096\n", F_TCP_CLIENT_MESSAGES, 4096),
	BAD("tcp_client_messages = 4097\n", 1, "4097"),
	BAD("ingest = 1\n", 1, "1"),
	BAD("ingest = \n", 1, NULL),
	BAD("ingest = multicast unicast\n", 1, "unicast"),
	BAD("workers = 2\ningest = multicast\t\n", 2, "multicast\\t"),
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

/*
 * The pid file: auditd's by default for the registered daemon; none by
 * default for a multicast listener (auditd.pid is the registered daemon's
 * there); whatever pid_file names, in either mode.
 */
static void
test_pid_file_by_mode(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} t[] = {
		{ "", "/var/run/auditd.pid" },
		{ "ingest = unicast\n", "/var/run/auditd.pid" },
		{ "ingest = multicast\n", "" },
		{ "ingest = multicast\npid_file = /run/ra-mc.pid\n",
		    "/run/ra-mc.pid" },
		{ "pid_file = /run/ra-mc.pid\ningest = multicast\n",
		    "/run/ra-mc.pid" },
		{ "ingest = multicast\npid_file = /var/run/auditd.pid\n",
		    "/var/run/auditd.pid" },
		{ "ingest = unicast\npid_file = /run/ra.pid\n", "/run/ra.pid" },
	};
	static struct cfg c;
	char err[512];
	const char *path;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		path = put("ringauditd.conf", t[i].text, 0600);
		cfg_defaults(&c);
		if (cfg_load_ringauditd(&c, path, err, sizeof(err)) != 0)
			fail_msg("case %zu: %s", i, err);
		if (strcmp(cfg_pid_file(&c), t[i].want) != 0)
			fail_msg("case %zu \"%s\": pid file \"%s\", want "
			    "\"%s\"", i, t[i].text, cfg_pid_file(&c),
			    t[i].want);
	}
	unlink(path);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_rules),
		cmocka_unit_test(test_log_file_rules),
		cmocka_unit_test(test_debian_stock),
		cmocka_unit_test(test_ringauditd_keys),
		cmocka_unit_test(test_pid_file_by_mode),
		cmocka_unit_test(test_load_dir),
	};

	return cfg_test_main("test_config_files", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
