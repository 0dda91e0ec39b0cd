/*
 * test_multicast.c - ringauditd with ingest = multicast, a listener on the
 * kernel's AUDIT_NLGRP_READLOG group beside the registered audit daemon.
 *
 * Beside a registered ringauditd (unicast, ra_k.dir) a second one listens
 * (ra_k.dir/mc): both logs hold every event, the same lines with the same
 * serials; the kernel's audit pid stays the first one's and its settings
 * (enabled, failure, rate_limit, backlog_limit, backlog_wait_time) are
 * what they were, while the listener runs and after it stopped; the
 * registered daemon keeps working after the listener left.  Without a registered
 * daemon the listener still gets every record.  A listener that cannot
 * keep up (stopped, with a small buffer) loses records: the state report
 * counts the overflows and the records lost, and a warning says so,
 * while the registered daemon loses nothing.
 *
 * Needs root and the kernel's audit subsystem; see ra_kernel.h for the
 * lock and the clean-up on every exit path (both daemons stopped, the
 * rules deleted, enabled and backlog_limit put back).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest/ingest.h"
#include "ra_kernel.h"

#define N_CALLS 2000

/* Both daemons' auditd.conf ("@D": the daemon's folder). */
static const char auditd_conf[] =
    "log_file = @D/log/audit.log\n"
    "log_format = RAW\n"
    "flush = incremental_async\n"
    "freq = 50\n"
    "space_left = 2\n"
    "admin_space_left = 1\n"
    "plugin_dir = @D/plugins.d\n";

/* The listener's; it names no pid_file, so it must write none. */
static const char mc_conf[] =
    "ingest = multicast\n"
    "state_file = @D/auditd.state\n";

static char mc_log[160];

/* The settings a listener must leave alone, and the audit pid. */
static void
status_now(struct ingest_kstatus *ks)
{
	assert_int_equal(ingest_kernel_status(ks), 0);
}

static void
assert_settings_equal(const struct ingest_kstatus *a,
    const struct ingest_kstatus *b)
{
	assert_int_equal(a->enabled, b->enabled);
	assert_int_equal(a->failure, b->failure);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->rate_limit, b->rate_limit);
	assert_int_equal(a->backlog_limit, b->backlog_limit);
	assert_int_equal(a->backlog_wait_time, b->backlog_wait_time);
}

/* The audit pid as auditctl -s shows it. */
static long
auditctl_pid(void)
{
	return ra_run_count("auditctl -s | awk '$1 == \"pid\" { print $2 }'");
}

static void
write_registered_conf(void)
{
	char text[1024];

	snprintf(text, sizeof(text), "log_file = %s/log/audit.log\n"
	    "log_format = RAW\nflush = incremental_async\nfreq = 50\n"
	    "space_left = 2\nadmin_space_left = 1\n"
	    "plugin_dir = %s/plugins.d\n", ra_k.dir, ra_k.dir);
	ra_write_file("auditd.conf", text);
	ra_write_ringauditd_conf(NULL);
}

static void
listener_start(const char *conf)
{
	char why[600];

	if (!ra_listener_start("mc", auditd_conf, conf, why, sizeof(why)))
		fail_msg("%s", why);
	snprintf(mc_log, sizeof(mc_log), "%s/log/audit.log",
	    ra_k.listener_dir);
}

/*
 * Our events in a log, those of ra_make_calls: the daemons are children of
 * this program too, and a state report calls getpriority.
 */
static long
calls(const char *log)
{
	return ra_run_count("grep '^type=SYSCALL .* key=\"%s\"$' %s | "
	    "grep -vc ' comm=\"ringauditd\" '", ra_k.key, log);
}

/*
 * The serials of our events in a log, sorted, into ra_k.dir/NAME.  Not
 * the daemons' own (they are the test's children too, and read their
 * niceness at start): the listener's, made before it joined, are in the
 * registered daemon's log only.
 */
static void
serials(const char *log, const char *name)
{
	assert_int_equal(ra_run("grep '^type=SYSCALL .* key=\"%s\"$' %s | "
	    "grep -v ' comm=\"ringauditd\" ' | "
	    "grep -o 'msg=audit([0-9.]*:[0-9]*)' | sort > %s/%s", ra_k.key,
	    log, ra_k.dir, name), 0);
}

/* The listener's log: DAEMON_START first, DAEMON_END (sent by us) last. */
static void
check_listener_log(void)
{
	assert_int_equal(ra_run("head -n1 %s | grep -q '^type=DAEMON_START "
	    "msg=audit([0-9.]*:[0-9]*): op=start ver=3.0.9 format=raw "
	    "kernel=.* res=success$'", mc_log), 0);
	assert_int_equal(ra_run("tail -n1 %s | grep -q '^type=DAEMON_END "
	    "msg=audit([0-9.]*:[0-9]*): op=terminate auid=[0-9]* uid=0 "
	    "ses=[0-9]* pid=%d res=success$'", mc_log, (int)getpid()), 0);
	assert_int_equal(ra_run_count("grep -c '^type=DAEMON_' %s", mc_log),
	    2);
}

static void
test_beside_registered_daemon(void **s)
{
	struct ingest_kstatus before, during, after;
	char a_log[128];
	bool pidfile_before;
	pid_t listener;

	(void)s;
	pidfile_before = access("/var/run/auditd.pid", F_OK) == 0;
	write_registered_conf();
	ra_start("ra_mc", "beside");
	status_now(&before);
	assert_int_equal(before.pid, ra_k.daemon_pid);

	listener_start(mc_conf);
	listener = ra_k.listener_pid;
	status_now(&during);
	assert_settings_equal(&before, &during);
	assert_int_equal(auditctl_pid(), ra_k.daemon_pid);
	/* Not the registered daemon: auditd's pid file is not its. */
	assert_int_equal(access("/var/run/auditd.pid", F_OK) == 0,
	    pidfile_before);

	ra_make_calls(N_CALLS);
	assert_int_equal(auditctl_pid(), ra_k.daemon_pid);
	snprintf(a_log, sizeof(a_log), "%s/log/audit.log", ra_k.dir);
	/* Not drained at stop: wait until the records are there. */
	ra_wait_key_events(a_log, N_CALLS);
	ra_wait_key_events(mc_log, N_CALLS);
	assert_int_equal(calls(mc_log), N_CALLS);
	assert_int_equal(ra_duplicate_serials(mc_log), 0);
	serials(a_log, "a.serials");
	serials(mc_log, "mc.serials");
	assert_int_equal(ra_run("cmp -s %s/a.serials %s/mc.serials", ra_k.dir,
	    ra_k.dir), 0);
	/* The same records: every line of those events, byte for byte. */
	assert_int_equal(ra_run("cd %s && grep -F -f a.serials %s | sort > "
	    "a.lines && grep -F -f a.serials %s | sort > mc.lines && "
	    "[ $(wc -l < a.lines) -ge %d ] && cmp -s a.lines mc.lines",
	    ra_k.dir, a_log, mc_log, 2 * N_CALLS), 0);

	assert_int_equal(ra_listener_stop(), 0);
	status_now(&after);
	assert_settings_equal(&before, &after);
	assert_int_equal(auditctl_pid(), ra_k.daemon_pid);
	check_listener_log();

	/* The kernel logs the join (and the leave) in the registered
	 * daemon's log, naming the listener. */
	assert_int_equal(ra_run("grep -q '^type=EVENT_LISTENER .* pid=%d .* "
	    "nl-mcgrp=1 op=connect res=1' %s", (int)listener, a_log), 0);

	/* The registered daemon goes on alone. */
	ra_make_calls(100);
	ra_wait_key_events(a_log, N_CALLS + 100);
	assert_int_equal(calls(mc_log), N_CALLS);
	assert_int_equal(ra_daemon_stop(), 0);
	ra_rule_delete();
	assert_int_equal(calls(a_log), N_CALLS + 100);
	assert_int_equal(ra_run("grep -q '^type=EVENT_LISTENER .* pid=%d .* "
	    "nl-mcgrp=1 op=disconnect res=1' %s", (int)listener, a_log), 0);
}

/*
 * With no registered daemon the kernel still hands every record to the
 * group (kauditd multicasts each record before it tries the daemon).
 */
static void
test_without_registered_daemon(void **s)
{
	struct ingest_kstatus before, after;

	(void)s;
	status_now(&before);
	if (before.pid != 0)
		fail_msg("an audit daemon (pid %u) is registered",
		    before.pid);
	/* No daemon sets enabled for us; ra_kernel_restore puts it back. */
	if (before.enabled != 1) {
		assert_int_equal(ra_run("auditctl -e 1 >/dev/null"), 0);
		status_now(&before);
	}
	snprintf(ra_k.key, sizeof(ra_k.key), "ra_mc_alone_%d", (int)getpid());
	listener_start(mc_conf);
	ra_rule_add();
	ra_make_calls(500);
	ra_wait_key_events(mc_log, 500);
	assert_int_equal(auditctl_pid(), 0);
	assert_int_equal(ra_listener_stop(), 0);
	ra_rule_delete();
	assert_int_equal(calls(mc_log), 500);
	assert_int_equal(ra_duplicate_serials(mc_log), 0);
	check_listener_log();
	status_now(&after);
	assert_settings_equal(&before, &after);
}

/* A state report's counter; -1 if the line is missing. */
static long
counter(const char *name)
{
	return ra_run_count("sed -n 's/^%s = \\([0-9]*\\)$/\\1/p' "
	    "%s/auditd.state", name, ra_k.listener_dir);
}

/*
 * A listener that does not read (stopped) behind a small buffer loses
 * records; the kernel says ENOBUFS once and drops until the buffer is
 * empty.  The state report counts both; the registered daemon loses none.
 */
static void
test_state_report_counts_overflow(void **s)
{
	char conf[256], a_log[128];
	long overflows = 0, lost = 0, got;
	int i;

	(void)s;
	write_registered_conf();
	ra_start("ra_mc", "overflow");
	snprintf(conf, sizeof(conf), "%snetlink_rcvbuf = 65536\n", mc_conf);
	listener_start(conf);

	/* Both counters are in the report, at 0, from the start. */
	assert_int_equal(kill(ra_k.listener_pid, SIGCONT), 0);
	for (i = 0; i < 50 && counter("multicast records lost") < 0; i++)
		usleep(100000);
	assert_int_equal(counter("socket overflows (ENOBUFS)"), 0);
	assert_int_equal(counter("multicast records lost"), 0);

	assert_int_equal(kill(ra_k.listener_pid, SIGSTOP), 0);
	ra_make_calls(N_CALLS);
	snprintf(a_log, sizeof(a_log), "%s/log/audit.log", ra_k.dir);
	ra_wait_key_events(a_log, N_CALLS);
	/* CONT wakes it and asks for a report; ask again until the report
	 * has seen the overflow and the drops counted. */
	for (i = 0; i < 50 && (overflows <= 0 || lost <= 0); i++) {
		assert_int_equal(kill(ra_k.listener_pid, SIGCONT), 0);
		usleep(100000);
		overflows = counter("socket overflows (ENOBUFS)");
		lost = counter("multicast records lost");
	}
	assert_true(overflows >= 1);
	/* Each event is a SYSCALL, a PROCTITLE and an EOE record. */
	assert_true(lost >= N_CALLS);
	got = calls(mc_log);
	assert_true(got < N_CALLS);
	assert_int_equal(ra_run("grep -q 'multicast: receive buffer overflow, "
	    "[0-9]* records lost' %s/stderr", ra_k.listener_dir), 0);

	/* It goes on reading after the loss, at a rate its small buffer
	 * allows (about one event a millisecond). */
	got = ra_key_events(mc_log);
	ra_load_wait(ra_load_start(100, 1));
	ra_wait_key_events(a_log, N_CALLS + 100);
	ra_wait_key_events(mc_log, got + 100);
	assert_int_equal(ra_listener_stop(), 0);
	check_listener_log();
	assert_int_equal(ra_daemon_stop(), 0);
	ra_rule_delete();
	assert_int_equal(calls(a_log), N_CALLS + 100);
}

/* -s would set the kernel's enabled flag: a listener ignores it. */
static void
test_s_option_ignored(void **s)
{
	struct ingest_kstatus before, after;
	char text[2048];

	(void)s;
	status_now(&before);
	assert_int_equal(ra_run("mkdir -p %s/mc/log", ra_k.dir), 0);
	snprintf(text, sizeof(text), "ingest = multicast\n"
	    "state_file = %s/mc/auditd.state\n", ra_k.dir);
	ra_write_file("mc/ringauditd.conf", text);
	snprintf(text, sizeof(text), "log_file = %s/mc/log/audit.log\n"
	    "log_format = RAW\nspace_left = 2\nadmin_space_left = 1\n",
	    ra_k.dir);
	ra_write_file("mc/auditd.conf", text);
	/* -f: in the foreground, records to stdout; TERM after it listens. */
	assert_int_equal(ra_run("{ %s -f -s %s -c %s/mc > %s/mc/out 2> "
	    "%s/mc/err & p=$!; i=0; while [ $i -lt 50 ] && ! grep -q "
	    "'listening for events' %s/mc/err; do sleep 0.1; i=$((i+1)); "
	    "done; kill -TERM $p; wait $p; }", RA_DAEMON_PATH,
	    before.enabled == 1 ? "disable" : "enable", ra_k.dir, ra_k.dir,
	    ra_k.dir, ra_k.dir), 0);
	status_now(&after);
	assert_settings_equal(&before, &after);
	assert_int_equal(ra_run("grep -q -- '-s %s is ignored: with ingest = "
	    "multicast' %s/mc/err", before.enabled == 1 ? "disable" :
	    "enable", ra_k.dir), 0);
	assert_int_equal(ra_run("grep -q '^type=DAEMON_END ' %s/mc/out",
	    ra_k.dir), 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, ra_kernel_setup, \
    ra_kernel_teardown)
	const struct CMUnitTest tests[] = {
		T(test_beside_registered_daemon),
		T(test_without_registered_daemon),
		T(test_state_report_counts_overflow),
		T(test_s_option_ignored),
	};
#undef T
	return ra_kernel_main(tests);
}
