/*
 * test_bench.c - tools/ringaudit-bench against the real kernel, as an
 * admin runs it: a smoke test of what it counts and of what it must put
 * back.  No figure of speed is asserted; this 2-core machine is shared.
 *
 *  - With ringauditd as the audit daemon, --rate 2000 --duration 1 --json
 *    --log <its log>: every event generated is written, none lost, the
 *    daemon named right; afterwards backlog_limit and backlog_wait_time
 *    are as before, the rule is gone and ringauditd is still registered.
 *  - With no daemon: a fixed-rate run is refused (exit 1); --drain
 *    registers its child (the kernel named it, says the JSON), receives
 *    records,
 *    enables audit for the run when it was off, and afterwards the pid is
 *    0 again, audit off again, the settings and rules as before.
 *  - SIGTERM in the middle of a --drain run: the tool dies of the signal
 *    after it unregistered, deleted its rule and restored the settings.
 *  - Bad arguments: exit 2, naming the option and the value.
 *  - tools/ra_floor.c (ra-floor, the floor of PERF.md's CPU tables) as the
 *    daemon: every event of a --rate run is in its log as a RAW line
 *    (type=SYSCALL msg=audit(...), no EOE), it made at least one sync,
 *    and on SIGTERM it exits 0 and the kernel's pid is 0 again.
 *
 * Needs root and the kernel's audit subsystem; skips (77) otherwise, and
 * fails instead with RA_REQUIRE_KERNEL.  The lock and the clean-up are
 * ra_kernel's.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest/ingest.h"
#include "ra_kernel.h"

static char out[8192];		/* the tool's stdout, first line */

/* ringaudit-bench ARGS, stdout and stderr kept in ra_k.dir; exit code. */
static int
bench(const char *args)
{
	char path[128];
	FILE *f;
	int rc;

	rc = ra_run("%s %s >%s/bench.out 2>%s/bench.err", RA_BENCH_PATH, args,
	    ra_k.dir, ra_k.dir);
	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/bench.out", ra_k.dir);
	if ((f = fopen(path, "re")) != NULL) {
		if (fgets(out, sizeof(out), f) == NULL)
			out[0] = '\0';
		fclose(f);
	}
	if (rc != 0)
		ra_run("cat %s/bench.err", ra_k.dir);
	return rc;
}

static bool
stderr_has(const char *what)
{
	return ra_run("grep -qF -- '%s' %s/bench.err", what, ra_k.dir) == 0;
}

/* A number in the JSON line: "name":N. */
static long long
json_num(const char *name)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", name);
	p = strstr(out, pat);
	if (p == NULL)
		fail_msg("no %s in: %s", name, out);
	return strtoll(p + strlen(pat), NULL, 10);
}

static bool
json_has(const char *text)
{
	return strstr(out, text) != NULL;
}

/* The run's JSON line: every event generated written once, none lost,
 * with DAEMON the daemon it measured. */
static void
assert_run_whole(pid_t daemon)
{
	print_message("%s", out);
	assert_true(json_num("generated") > 0);
	assert_int_equal(json_num("written"), json_num("generated"));
	assert_int_equal(json_num("lost"), 0);
	assert_int_equal(json_num("duplicates"), 0);
	assert_int_equal(json_num("daemon_pid"), daemon);
}

static bool
rule_listed(const char *key)
{
	return ra_run("auditctl -l | grep -qF -- '%s'", key) == 0;
}

static void
assert_settings_as(const struct ingest_kstatus *before)
{
	struct ingest_kstatus now;

	assert_int_equal(ingest_kernel_status(&now), 0);
	assert_int_equal(now.backlog_limit, before->backlog_limit);
	assert_int_equal(now.backlog_wait_time, before->backlog_wait_time);
	assert_int_equal(now.enabled, before->enabled);
	assert_int_equal(now.failure, before->failure);
	assert_int_equal(now.pid, before->pid);
}

static void
write_conf(void)
{
	char text[2048];

	snprintf(text, sizeof(text),
	    "local_events = yes\nwrite_logs = yes\n"
	    "log_file = %s/log/audit.log\nlog_group = root\n"
	    "log_format = RAW\nflush = incremental_async\nfreq = 50\n"
	    "max_log_file = 100\nnum_logs = 5\npriority_boost = 4\n"
	    "name_format = NONE\nmax_log_file_action = ROTATE\n"
	    "space_left = 75\nspace_left_action = SYSLOG\n"
	    "admin_space_left = 50\nadmin_space_left_action = SUSPEND\n"
	    "disk_full_action = SUSPEND\ndisk_error_action = SUSPEND\n"
	    "plugin_dir = %s/plugins.d\n", ra_k.dir, ra_k.dir);
	ra_write_file("auditd.conf", text);
	ra_write_ringauditd_conf(NULL);
}

/*
 * A backlog_wait_time unlike the run's 0, so that putting it back shows;
 * ra_kernel_restore puts the machine's own value back after each test.
 */
static void
set_wait_time(unsigned jiffies)
{
	assert_int_equal(ra_run("auditctl --backlog_wait_time %u >/dev/null",
	    jiffies), 0);
}

static void
test_rate_against_ringauditd(void **s)
{
	struct ingest_kstatus before;
	char why[600], args[512], key[64];

	(void)s;
	write_conf();
	if (!ra_daemon_start("-n", why, sizeof(why)))
		fail_msg("%s", why);
	set_wait_time(15000);
	assert_int_equal(ingest_kernel_status(&before), 0);
	assert_int_equal(before.pid, (uint32_t)ra_k.daemon_pid);

	snprintf(args, sizeof(args), "--rate 2000 --duration 1 --json "
	    "--log %s/log/audit.log", ra_k.dir);
	assert_int_equal(bench(args), 0);
	assert_run_whole(ra_k.daemon_pid);
	assert_int_equal(json_num("backlog_limit"), 8192);
	assert_int_equal(json_num("backlog_wait_time"), 0);
	assert_true(json_has("\"mode\":\"rate\""));
	assert_true(json_has("\"settled\":true"));
	snprintf(key, sizeof(key), "ringaudit-bench-%lld",
	    json_num("tool_pid"));
	assert_true(json_has(key));

	/* The kernel as it was: ringauditd still the daemon, no rule. */
	assert_settings_as(&before);
	assert_false(rule_listed(key));
	/* The events are in the log, as the tool counted them. */
	assert_int_equal(ra_run_count("grep -c 'key=\"%s\"$' %s/log/audit.log",
	    key, ra_k.dir), json_num("written"));
	assert_int_equal(ra_daemon_stop(), 0);
}

static void
test_floor_writes_every_event(void **s)
{
	struct ingest_kstatus ks;
	char args[512], key[64];
	long syncs;
	pid_t pid;
	int i;

	(void)s;
	assert_int_equal(ra_run("mkdir -p %s/log", ra_k.dir), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[160];
		int fd;

		snprintf(err, sizeof(err), "%s/floor.err", ra_k.dir);
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, STDERR_FILENO);
		execl(RA_FLOOR_PATH, "ra-floor", "-n", "-c", ra_k.dir,
		    (char *)NULL);
		_exit(127);
	}
	ra_k.daemon_pid = pid;	/* ra_kernel_restore stops it on a failure */
	for (i = 0; i < 50; i++) {
		assert_int_equal(ingest_kernel_status(&ks), 0);
		if (ks.pid == (uint32_t)pid)
			break;
		usleep(100000);
	}
	assert_int_equal(ks.pid, (uint32_t)pid);

	snprintf(args, sizeof(args), "--rate 2000 --duration 1 --json "
	    "--log %s/log/audit.log", ra_k.dir);
	assert_int_equal(bench(args), 0);
	assert_run_whole(pid);
	snprintf(key, sizeof(key), "ringaudit-bench-%lld",
	    json_num("tool_pid"));
	/* RAW lines as a daemon writes them: each event's SYSCALL record
	 * whole, with its key, and no EOE. */
	assert_int_equal(ra_run_count("grep -c '^type=SYSCALL msg=audit([0-9.]*:"
	    "[0-9]*): arch=.* key=\"%s\"$' %s/log/audit.log", key, ra_k.dir),
	    json_num("written"));
	assert_int_equal(ra_run_count("grep -c '^type=EOE' %s/log/audit.log",
	    ra_k.dir), 0);

	assert_int_equal(ra_daemon_stop(), 0);
	assert_int_equal(ingest_kernel_status(&ks), 0);
	assert_int_equal(ks.pid, 0);
	syncs = ra_run_count("sed -n 's/^ra-floor: [0-9]* records, \\([0-9]*\\) "
	    "syncs$/\\1/p' %s/floor.err", ra_k.dir);
	assert_true(syncs >= 1);
}

static void
test_drain_registers_and_unregisters(void **s)
{
	struct ingest_kstatus before, now;
	char key[64];

	(void)s;
	assert_int_equal(ingest_kernel_status(&now), 0);
	if (now.pid != 0)
		fail_msg("an audit daemon (pid %u) is registered", now.pid);
	/* Without a daemon a fixed-rate run has nothing to measure. */
	assert_int_equal(bench("--rate 100 --duration 1"), 1);
	assert_true(stderr_has("no audit daemon is registered"));

	/* Audit off: the tool turns it on for the run, and off again. */
	assert_int_equal(ra_run("auditctl -e 0 >/dev/null"), 0);
	set_wait_time(15000);
	assert_int_equal(ingest_kernel_status(&before), 0);
	assert_int_equal(bench("--drain --duration 1 --json"), 0);
	print_message("%s", out);
	assert_true(json_has("\"mode\":\"drain\""));
	/* The kernel's audit pid during the run was the tool's drain. */
	assert_true(json_has("\"daemon_comm\":\"rb-drain\""));
	assert_true(json_num("daemon_pid") > 0);
	assert_true(json_num("daemon_pid") != json_num("tool_pid"));
	assert_int_equal(kill((pid_t)json_num("daemon_pid"), 0), -1);
	assert_true(json_num("records_received") > 0);
	assert_true(json_num("written") > 0);
	assert_true(json_has("\"enabled_for_run\":true"));
	snprintf(key, sizeof(key), "ringaudit-bench-%lld",
	    json_num("tool_pid"));
	assert_settings_as(&before);	/* pid 0, enabled 0, ... */
	assert_int_equal(before.pid, 0);
	assert_false(rule_listed(key));
}

static void
test_signal_restores(void **s)
{
	struct ingest_kstatus before, now;
	char key[64], path[128];
	pid_t pid;
	int status, i;

	(void)s;
	set_wait_time(15000);
	assert_int_equal(ingest_kernel_status(&before), 0);
	assert_int_equal(before.pid, 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd;

		snprintf(path, sizeof(path), "%s/bench.out", ra_k.dir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, STDOUT_FILENO);
		execl(RA_BENCH_PATH, "ringaudit-bench", "--drain", "--rate",
		    "1000", "--duration", "60", "--json", "-q", (char *)NULL);
		_exit(127);
	}
	/* Its drain registered, and the rule loaded: the run is under
	 * way. */
	snprintf(key, sizeof(key), "ringaudit-bench-%d", (int)pid);
	for (i = 0; i < 100; i++) {
		if (ingest_kernel_status(&now) == 0 && now.pid != 0 &&
		    rule_listed(key))
			break;
		usleep(50000);
	}
	if (i == 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("ringaudit-bench did not start its run in 5 s");
	}
	usleep(300000);
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_settings_as(&before);	/* pid 0 again */
	assert_int_equal(kill((pid_t)now.pid, 0), -1);	/* drain reaped */
	assert_false(rule_listed(key));
	assert_int_equal(ra_run("grep -q '\"verdict\":\"interrupted\"' "
	    "%s/bench.out", ra_k.dir), 0);
}

static void
test_bad_arguments(void **s)
{
	(void)s;
	assert_int_equal(bench("--rate fast"), 2);
	assert_true(stderr_has("--rate"));
	assert_true(stderr_has("'fast'"));
	assert_int_equal(bench("--sweep 5000"), 2);
	assert_true(stderr_has("--sweep"));
	assert_int_equal(bench("--threads 0"), 2);
	assert_true(stderr_has("--threads"));
	assert_int_equal(bench("--no-such-option"), 2);
	assert_true(stderr_has("--no-such-option"));
	assert_int_equal(bench("--help"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_arguments,
		    ra_kernel_setup, ra_kernel_teardown),
		cmocka_unit_test_setup_teardown(test_rate_against_ringauditd,
		    ra_kernel_setup, ra_kernel_teardown),
		cmocka_unit_test_setup_teardown(test_floor_writes_every_event,
		    ra_kernel_setup, ra_kernel_teardown),
		cmocka_unit_test_setup_teardown(
		    test_drain_registers_and_unregisters, ra_kernel_setup,
		    ra_kernel_teardown),
		cmocka_unit_test_setup_teardown(test_signal_restores,
		    ra_kernel_setup, ra_kernel_teardown),
	};

	return ra_kernel_main(tests);
}
