/*
 * test_signals.c - auditd's signals, sent to ringauditd while events
 * stream: HUP re-reads the configuration (DAEMON_CONFIG), USR1 rotates
 * (DAEMON_ROTATE, first record of the new log), USR2 resumes
 * (DAEMON_RESUME), CONT writes the state report, TERM stops with
 * DAEMON_END.  Every event made before TERM is in the logs exactly once,
 * and ausearch finds each DAEMON_* record.  (That ausearch reads back
 * every line of a log is test_kernel_log's; it takes minutes on large
 * logs.)  A bad configuration on HUP is reported and changes nothing; a
 * good one applies (num_logs, and a new log_file with name_format,
 * starting at DAEMON_CONFIG).
 *
 * Needs root and the kernel's audit subsystem; see ra_kernel.h for the
 * lock and the clean-up on every exit path.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_kernel.h"

#include "ingest/ingest.h"

#define N_LOAD 24000

static void
write_conf(unsigned num_logs, const char *flush)
{
	char text[2048];

	snprintf(text, sizeof(text),
	    "log_file = %s/log/audit.log\n"
	    "log_format = RAW\n"
	    "flush = %s\n"
	    "freq = 50\n"
	    "num_logs = %u\n"
	    "max_log_file = 0\n"
	    "max_log_file_action = ROTATE\n"
	    "space_left = 2\n"
	    "space_left_action = SYSLOG\n"
	    "admin_space_left = 1\n"
	    "admin_space_left_action = SYSLOG\n"
	    "disk_full_action = SUSPEND\n"
	    "disk_error_action = SUSPEND\n"
	    "priority_boost = 4\n"
	    "plugin_dir = %s/plugins.d\n", ra_k.dir, flush, num_logs,
	    ra_k.dir);
	ra_write_file("auditd.conf", text);
	ra_write_ringauditd_conf(NULL);
}

static void
start(const char *what)
{
	ra_start("ra_sig", what);
}

static void
signal_daemon(int sig)
{
	struct timespec ts = { 0, 150 * 1000000L };

	assert_int_equal(kill(ra_k.daemon_pid, sig), 0);
	/* One at a time: a second signal of a kind pending is merged. */
	nanosleep(&ts, NULL);
}

static void
stop_daemon_ok(void)
{
	assert_int_equal(ra_daemon_stop(), 0);
	ra_rule_delete();
}

static void
test_signals_under_load(void **s)
{
	struct ingest_kstatus k0, k1;
	char path[256];
	pid_t load;
	int status, got;
	long pidfile_pid;

	(void)s;
	write_conf(5, "incremental_async");
	start("load");
	/* The pid file names the daemon while it runs. */
	pidfile_pid = ra_run_count("cat %s/auditd.pid", ra_k.dir);
	assert_int_equal(pidfile_pid, ra_k.daemon_pid);

	/* A steady stream, not one burst: ~20 events/ms. */
	assert_int_equal(ingest_kernel_status(&k0), 0);
	load = ra_load_start(N_LOAD, 20);
	signal_daemon(SIGHUP);
	signal_daemon(SIGUSR1);
	signal_daemon(SIGUSR2);
	/* Waits for the report: the daemon may be behind the load. */
	ra_state_report();
	signal_daemon(SIGUSR1);
	/* The load was still going: the signals came while events flowed. */
	assert_int_equal(waitpid(load, &status, WNOHANG), 0);
	assert_int_equal(waitpid(load, &status, 0), load);
	/* SIGCONT's report: auditd's lines, then ours.  Once failed in CI
	 * under ASan, unseen: the report and the daemon's words if again. */
	if (ra_run("grep -q '^audit version = 3.0.9$' "
	    "%s/auditd.state && grep -q '^logging suspended = no$' "
	    "%s/auditd.state && grep -q '^records dropped = 0$' "
	    "%s/auditd.state && grep -q '^Logging partition free space "
	    "[0-9]* MB$' %s/auditd.state", ra_k.dir, ra_k.dir, ra_k.dir,
	    ra_k.dir) != 0) {
		ra_run("cat %s/auditd.state %s/stderr >&2", ra_k.dir,
		    ra_k.dir);
		fail_msg("the state report is not as expected (above)");
	}
	/* TERM right after the last event: none may be lost. */
	stop_daemon_ok();
	/* As auditd, the report goes with the daemon. */
	snprintf(path, sizeof(path), "%s/auditd.state", ra_k.dir);
	assert_int_equal(access(path, F_OK), -1);

	snprintf(path, sizeof(path), "%s/auditd.pid", ra_k.dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(ra_concat_logs(), 2);
	snprintf(path, sizeof(path), "%s/all.log", ra_k.dir);
	got = ra_key_events(path);
	if (got != N_LOAD) {
		/* Failed once in CI under ASan (21,264 of 24,000): what the
		 * kernel says, and what the daemon said. */
		assert_int_equal(ingest_kernel_status(&k1), 0);
		print_message("%d of %d events logged; the kernel lost %u "
		    "meanwhile (backlog_wait_time %u, backlog_limit %u); the "
		    "daemon said:\n", got, N_LOAD, k1.lost - k0.lost,
		    k1.backlog_wait_time, k1.backlog_limit);
		ra_run("cat %s/stderr >&2", ra_k.dir);
	}
	assert_int_equal(got, N_LOAD);
	assert_int_equal(ra_duplicate_serials(path), 0);
	/* Each rotation's record opens its new log. */
	assert_int_equal(ra_run("head -n1 %s/log/audit.log.1 | grep -q "
	    "'^type=DAEMON_ROTATE msg=audit([0-9.]*:[0-9]*): op=rotate-logs "
	    "auid=[0-9]* uid=0 ses=[0-9]* pid=%d res=success$'", ra_k.dir,
	    (int)getpid()), 0);
	assert_int_equal(ra_run("head -n1 %s/log/audit.log | grep -q "
	    "'^type=DAEMON_ROTATE '", ra_k.dir), 0);
	assert_int_equal(ra_run("head -n1 %s/log/audit.log.2 | grep -q "
	    "'^type=DAEMON_START '", ra_k.dir), 0);
	/* ausearch finds each daemon record. */
	ra_ausearch(path, "DAEMON_ROTATE,DAEMON_CONFIG,DAEMON_RESUME,"
	    "DAEMON_START,DAEMON_END");
	assert_int_equal(ra_found("DAEMON_ROTATE"), 2);
	assert_int_equal(ra_found("DAEMON_CONFIG"), 1);
	assert_int_equal(ra_found("DAEMON_RESUME"), 1);
	assert_int_equal(ra_found("DAEMON_START"), 1);
	assert_int_equal(ra_found("DAEMON_END"), 1);
	/* As auditd: its own records number on from DAEMON_START's serial,
	 * one by one; DAEMON_CONFIG takes a serial of its own. */
	assert_int_equal(ra_run("grep -E '^type=DAEMON_(START|ROTATE|RESUME|"
	    "END) ' %s | sed 's/^[^(]*([0-9.]*:\\([0-9]*\\)).*/\\1/' | "
	    "awk 'NR > 1 && $1 != p + 1 { bad = 1 } { p = $1 } "
	    "END { exit bad || NR != 5 }'", path), 0);
	assert_int_equal(ra_run("grep -q '^type=DAEMON_CONFIG msg=audit("
	    "[0-9.]*:[0-9]*): op=reconfigure state=changed auid=[0-9]* "
	    "pid=%d subj=? res=success$' %s", (int)getpid(), path), 0);
	assert_int_equal(ra_run("grep -q '^type=DAEMON_RESUME msg=audit("
	    "[0-9.]*:[0-9]*): op=resume-logging auid=[0-9]* uid=0 ses=[0-9]* "
	    "pid=%d res=success$' %s", (int)getpid(), path), 0);
	assert_int_equal(ra_run("tail -n1 %s/log/audit.log | grep -q "
	    "'^type=DAEMON_END .* pid=%d res=success$'", ra_k.dir,
	    (int)getpid()), 0);
}

/* A bad file on HUP: reported (syslog, stderr), nothing changes, logging
 * goes on. */
static void
test_bad_config_on_hup(void **s)
{
	char path[256];

	(void)s;
	write_conf(5, "none");
	start("badhup");
	ra_write_file("auditd.conf", "flush = bogus\n");
	signal_daemon(SIGHUP);
	assert_int_equal(kill(ra_k.daemon_pid, 0), 0);
	ra_make_calls(300);
	stop_daemon_ok();
	snprintf(path, sizeof(path), "%s/log/audit.log", ra_k.dir);
	assert_int_equal(ra_key_events(path), 300);
	/* As auditd: a refused file writes no DAEMON_CONFIG. */
	assert_int_equal(ra_run("grep -q '^type=DAEMON_CONFIG ' %s", path), 1);
	assert_int_equal(ra_run("grep -q 'auditd.conf:1: flush: \"bogus\"' "
	    "%s/stderr", ra_k.dir), 0);
}

/*
 * num_logs < 2: SIGUSR1 does not rotate (auditd: "Log rotation disabled"),
 * the record stays in the one log.  After a HUP with num_logs = 3 it does.
 */
static void
test_hup_applies_num_logs(void **s)
{
	char path[256], live[256];

	(void)s;
	write_conf(0, "data");
	start("numlogs");
	snprintf(live, sizeof(live), "%s/log/audit.log", ra_k.dir);
	ra_make_calls(100);
	ra_wait_key_events(live, 100);
	signal_daemon(SIGUSR1);
	snprintf(path, sizeof(path), "%s/log/audit.log.1", ra_k.dir);
	assert_int_equal(access(path, F_OK), -1);
	write_conf(3, "data");
	signal_daemon(SIGHUP);
	ra_make_calls(100);
	ra_wait_key_events(live, 200);
	signal_daemon(SIGUSR1);
	ra_make_calls(100);
	stop_daemon_ok();
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(ra_key_events(path), 200);
	assert_int_equal(ra_run_count("grep -c '^type=DAEMON_ROTATE ' %s",
	    path), 1);
	snprintf(path, sizeof(path), "%s/log/audit.log", ra_k.dir);
	assert_int_equal(ra_key_events(path), 100);
	assert_int_equal(ra_run("head -n1 %s | grep -q '^type=DAEMON_ROTATE '",
	    path), 0);
	assert_int_equal(ra_run("grep -q 'Log rotation disabled (num_logs < "
	    "2), skipping' %s/stderr", ra_k.dir), 0);
}

/*
 * A HUP naming another log_file and name_format = user: the old log stays
 * as it was, and the new one starts with DAEMON_CONFIG, already with the
 * node prefix, as auditd does.
 */
static void
test_hup_new_log_file_and_node(void **s)
{
	char text[2048], old[256], new[256];

	(void)s;
	write_conf(5, "none");
	start("newlog");
	snprintf(old, sizeof(old), "%s/log/audit.log", ra_k.dir);
	snprintf(new, sizeof(new), "%s/log2/other.log", ra_k.dir);
	ra_make_calls(100);
	ra_wait_key_events(old, 100);
	assert_int_equal(ra_run("mkdir -p %s/log2", ra_k.dir), 0);
	snprintf(text, sizeof(text),
	    "log_file = %s\n"
	    "log_format = RAW\n"
	    "flush = none\n"
	    "name_format = USER\n"
	    "name = ra-node\n"
	    "space_left = 2\n"
	    "admin_space_left = 1\n", new);
	ra_write_file("auditd.conf", text);
	signal_daemon(SIGHUP);
	ra_make_calls(100);
	assert_int_equal(ra_daemon_stop(), 0);
	ra_rule_delete();
	assert_int_equal(ra_key_events(old), 100);
	assert_int_equal(ra_run("grep -q '^type=DAEMON_CONFIG ' %s", old), 1);
	assert_int_equal(ra_run_count("grep -c '^node=ra-node type=SYSCALL .* "
	    "key=\"%s\"$' %s", ra_k.key, new), 100);
	assert_int_equal(ra_run("head -n1 %s | grep -q '^node=ra-node "
	    "type=DAEMON_CONFIG msg=audit([0-9.]*:[0-9]*): op=reconfigure "
	    "state=changed auid=[0-9]* pid=%d subj=? res=success$'", new,
	    (int)getpid()), 0);
	assert_int_equal(ra_run("tail -n1 %s | grep -q '^node=ra-node "
	    "type=DAEMON_END '", new), 0);
}

/*
 * The metrics file (ringauditd.conf metrics_file) is rewritten every
 * metrics_interval and counts what the log holds; a HUP that turns on
 * log_format = ENRICHED applies from DAEMON_CONFIG on, as in auditd; and
 * the state report carries the latency quantiles and high-water marks.
 */
static void
test_metrics_file_and_enriched_on_hup(void **s)
{
	char log[256], prom[256], extra[512];
	long written = 0;

	(void)s;
	write_conf(5, "incremental_async");
	snprintf(prom, sizeof(prom), "%s/ringauditd.prom", ra_k.dir);
	snprintf(extra, sizeof(extra), "metrics_file = %s\n"
	    "metrics_interval = 1\n", prom);
	ra_write_ringauditd_conf(extra);
	start("metrics");
	snprintf(log, sizeof(log), "%s/log/audit.log", ra_k.dir);
	ra_make_calls(300);
	ra_wait_key_events(log, 300);
	/* Written within a couple of intervals, never half. */
	for (int i = 0; i < 40 && written < 300; i++) {
		struct timespec ts = { 0, 100 * 1000000L };

		nanosleep(&ts, NULL);
		written = ra_run_count("grep -s "
		    "'^ringauditd_records_written_total ' %s | cut -d' ' -f2",
		    prom);
	}
	assert_true(written >= 300);
	assert_int_equal(ra_run("grep -q '^# TYPE ringauditd_records_written_"
	    "total counter$' %s && grep -q '^ringauditd_receive_to_written_"
	    "seconds_bucket{le=\"+Inf\"} [1-9][0-9]*$' %s && grep -q "
	    "'^ringauditd_pool_records_high [1-9][0-9]*$' %s", prom, prom,
	    prom), 0);
	assert_int_equal(ra_run("test ! -e %s.tmp", prom), 0);
	/* No interpretation yet. */
	assert_int_equal(ra_run_count("grep -c '\x1d' %s", log), 0);

	ra_run("sed -i 's/^log_format = RAW$/log_format = ENRICHED/' "
	    "%s/auditd.conf", ra_k.dir);
	signal_daemon(SIGHUP);
	ra_make_calls(100);
	ra_wait_key_events(log, 400);
	/* DAEMON_CONFIG and every record after it are ENRICHED (those
	 * with a field to interpret: PROCTITLE has none, as in auditd). */
	assert_int_equal(ra_run("sed -n '/type=DAEMON_CONFIG/,$p' %s | "
	    "grep -E '^type=(SYSCALL|DAEMON_CONFIG) ' | grep -v -q '\x1d'",
	    log), 1);
	assert_int_equal(ra_run_count("grep 'type=SYSCALL' %s | grep -c "
	    "'\x1d" "ARCH=x86_64 SYSCALL=getpriority AUID=.* UID=\"root\" "
	    "GID=\"root\"'", log), 100);
	assert_int_equal(ra_run("ausearch -if %s -m SYSCALL -k %s -i "
	    ">/dev/null", log, ra_k.key), 0);

	signal_daemon(SIGCONT);
	assert_int_equal(ra_run("grep -q '^receive->written p99.9 us = "
	    "[0-9]*$' %s/auditd.state && grep -q '^receive->written max us "
	    "= [0-9]*$' %s/auditd.state && grep -q '^records in use, most = "
	    "[1-9][0-9]*$' %s/auditd.state", ra_k.dir, ra_k.dir, ra_k.dir),
	    0);
	stop_daemon_ok();
	/* The last figures stay. */
	assert_true(ra_run_count("grep '^ringauditd_records_written_total ' "
	    "%s | cut -d' ' -f2", prom) >= 400);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, ra_kernel_setup, \
    ra_kernel_teardown)
	const struct CMUnitTest tests[] = {
		T(test_signals_under_load),
		T(test_bad_config_on_hup),
		T(test_hup_applies_num_logs),
		T(test_hup_new_log_file_and_node),
		T(test_metrics_file_and_enriched_on_hup),
	};
#undef T
	return ra_kernel_main(tests);
}
