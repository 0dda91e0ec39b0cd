/*
 * test_kernel_log.c - ringauditd as the kernel's real audit daemon.
 *
 * For each flush mode: start `ringauditd -n -c DIR`, load a rule on
 * getpriority for this test's children only, make exactly N calls from a
 * child, send SIGTERM the moment the child is gone (no waiting), and check
 * that the log holds exactly N events with the rule's key, that ausearch
 * agrees, and that `ausearch --raw` gives back the log's own lines.
 *
 * This needs root and the kernel's audit subsystem.  It skips (77) only
 * when the kernel refuses the registration (not root, no audit, or another
 * audit daemon is registered), and says why.  Every path, failure
 * included, stops the daemon (which unregisters), deletes the rules this
 * test added, and puts the kernel's enabled flag back.
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
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest/ingest.h"

#define N_CALLS 5000

static char dir[64];
static char key[64];
static pid_t daemon_pid;
static bool rule_loaded;
static uint32_t enabled_before;

static int
run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* First line of a command's output as a number, or -1. */
static long
run_count(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static long
run_count(const char *fmt, ...)
{
	char cmd[1024], out[64] = "";
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	if (fgets(out, sizeof(out), p) == NULL)
		out[0] = '\0';
	pclose(p);
	return out[0] != '\0' ? strtol(out, NULL, 10) : -1;
}

/* In CI (RA_REQUIRE_KERNEL) a skip would hide a broken machine: fail. */
static int
skip_or_fail(const char *why)
{
	bool required = getenv("RA_REQUIRE_KERNEL") != NULL;

	printf("%s: %s\n", required ? "FAIL (RA_REQUIRE_KERNEL)" : "SKIP",
	    why);
	return required ? 1 : 77;
}

static void
stop_daemon(void)
{
	int status, i;

	if (daemon_pid <= 0)
		return;
	kill(daemon_pid, SIGTERM);
	for (i = 0; i < 300; i++) {
		if (waitpid(daemon_pid, &status, WNOHANG) == daemon_pid)
			break;
		usleep(100000);
	}
	if (i == 300) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, &status, 0);
	}
	daemon_pid = 0;
}

/* A forked daemon is not our child: find it through the kernel. */
static void
stop_registered_ringauditd(void)
{
	struct ingest_kstatus ks;
	char path[64], comm[32] = "";
	FILE *f;
	int i;

	if (ingest_kernel_status(&ks) < 0 || ks.pid == 0)
		return;
	snprintf(path, sizeof(path), "/proc/%u/comm", ks.pid);
	f = fopen(path, "re");
	if (f == NULL)
		return;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	if (strcmp(comm, "ringauditd\n") != 0)
		return;
	kill((pid_t)ks.pid, SIGTERM);
	for (i = 0; i < 100 && kill((pid_t)ks.pid, 0) == 0; i++)
		usleep(50000);
}

/* Every exit path: no daemon, no rule of ours, enabled as it was. */
static void
restore_kernel(void)
{
	stop_daemon();
	stop_registered_ringauditd();
	if (rule_loaded) {
		run("auditctl -D >/dev/null 2>&1");
		rule_loaded = false;
	}
	if (enabled_before < 2)
		run("auditctl -e %u >/dev/null 2>&1", enabled_before);
}

static void
write_conf(const char *flush)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/auditd.conf", dir);
	f = fopen(path, "we");
	assert_non_null(f);
	fprintf(f,
	    "local_events = yes\n"
	    "write_logs = yes\n"
	    "log_file = %s/log/audit.log\n"
	    "log_group = root\n"
	    "log_format = RAW\n"
	    "flush = %s\n"
	    "freq = 20\n"
	    "max_log_file = 8\n"
	    "num_logs = 5\n"
	    "priority_boost = 4\n"
	    "name_format = NONE\n"
	    "max_log_file_action = ROTATE\n"
	    "space_left = 75\n"
	    "space_left_action = SYSLOG\n"
	    "admin_space_left = 50\n"
	    "admin_space_left_action = SUSPEND\n"
	    "disk_full_action = SUSPEND\n"
	    "disk_error_action = SUSPEND\n"
	    "plugin_dir = %s/plugins.d\n", dir, flush, dir);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
}

/* Start the daemon; false (and a reason) if the kernel refused it. */
static bool
start_daemon_flag(const char *flag, char *why, size_t whylen)
{
	char errpath[128];
	struct ingest_kstatus ks;
	int i, status;

	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	daemon_pid = fork();
	assert_true(daemon_pid >= 0);
	if (daemon_pid == 0) {
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, STDERR_FILENO);
		execl(RA_DAEMON_PATH, "ringauditd", flag, "-c", dir,
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		if (ingest_kernel_status(&ks) == 0 &&
		    ks.pid == (uint32_t)daemon_pid)
			return true;
		if (waitpid(daemon_pid, &status, WNOHANG) == daemon_pid) {
			char msg[512] = "";
			FILE *f = fopen(errpath, "re");

			if (f != NULL) {
				size_t n = fread(msg, 1, sizeof(msg) - 1, f);

				msg[n] = '\0';
				fclose(f);
			}
			daemon_pid = 0;
			snprintf(why, whylen, "ringauditd exited %d: %s",
			    WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			    msg);
			return false;
		}
		usleep(50000);
	}
	fail_msg("ringauditd did not register within 5 s");
	return false;
}

static bool
start_daemon(char *why, size_t whylen)
{
	return start_daemon_flag("-n", why, whylen);
}

static void
make_calls(unsigned n)
{
	pid_t pid = fork();
	int status;
	unsigned i;

	assert_true(pid >= 0);
	if (pid == 0) {
		for (i = 0; i < n; i++)
			syscall(SYS_getpriority, PRIO_PROCESS, 0);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
check_log(unsigned n)
{
	char log[128];
	long got;

	snprintf(log, sizeof(log), "%s/log/audit.log", dir);
	got = run_count("grep -c '^type=SYSCALL .* key=\"%s\"$' %s", key,
	    log);
	assert_int_equal(got, n);
	/* -sc: the rule's own CONFIG_CHANGE event carries the key too. */
	got = run_count("ausearch -if %s -k %s -sc getpriority --raw "
	    "2>/dev/null | grep -c '^type=SYSCALL'", log, key);
	assert_int_equal(got, n);
	/* Exactly one start and one end, first and last. */
	assert_int_equal(run("head -n1 %s | grep -q '^type=DAEMON_START "
	    "msg=audit([0-9.]*:[0-9]*): op=start ver=3.0.9 format=raw "
	    "kernel=' ", log), 0);
	assert_int_equal(run("tail -n1 %s | grep -q '^type=DAEMON_END "
	    "msg=audit([0-9.]*:[0-9]*): op=terminate auid=[0-9]* uid=0 "
	    "ses=[0-9]* pid=%d res=success$'", log, (int)getpid()), 0);
	/* ausearch reads back every line of the log, and nothing else. */
	assert_int_equal(run("ausearch -if %s --raw 2>/dev/null | sort > "
	    "%s/ausearch.txt && sort %s > %s/log.txt && "
	    "cmp -s %s/ausearch.txt %s/log.txt", log, dir, log, dir, dir,
	    dir), 0);
	/* The daemon is gone from the kernel. */
	{
		struct ingest_kstatus ks;

		assert_int_equal(ingest_kernel_status(&ks), 0);
		assert_int_equal(ks.pid, 0);
	}
	{
		struct stat sb;

		assert_int_equal(stat(log, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
	}
}

static void
run_mode(const char *flush)
{
	char why[600];
	int status;

	write_conf(flush);
	snprintf(key, sizeof(key), "ra_%s_%d", flush, (int)getpid());
	if (!start_daemon(why, sizeof(why))) {
		/* Registration refused: the machine, not the code. */
		if (strstr(why, "another audit daemon") != NULL ||
		    strstr(why, "exited 4") != NULL) {
			restore_kernel();
			exit(skip_or_fail(why));
		}
		fail_msg("%s", why);
	}
	assert_int_equal(run("auditctl -a always,exit -F arch=b64 -S "
	    "getpriority -F ppid=%d -k %s >/dev/null", (int)getpid(), key),
	    0);
	rule_loaded = true;
	make_calls(N_CALLS);
	/* Right after the last call: what the kernel queued must not be
	 * lost. */
	assert_int_equal(kill(daemon_pid, SIGTERM), 0);
	assert_int_equal(waitpid(daemon_pid, &status, 0), daemon_pid);
	daemon_pid = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	run("auditctl -D >/dev/null 2>&1");
	rule_loaded = false;
	check_log(N_CALLS);
}

static void test_flush_none(void **s) { (void)s; run_mode("none"); }
static void test_flush_incremental(void **s) { (void)s;
    run_mode("incremental"); }
static void test_flush_incremental_async(void **s) { (void)s;
    run_mode("incremental_async"); }
static void test_flush_data(void **s) { (void)s; run_mode("data"); }
static void test_flush_sync(void **s) { (void)s; run_mode("sync"); }

/* A second daemon is refused by the kernel; the first keeps working. */
static void
test_second_daemon_refused(void **s)
{
	char why[600];
	pid_t first;
	int status;

	(void)s;
	write_conf("incremental_async");
	snprintf(key, sizeof(key), "ra_second_%d", (int)getpid());
	assert_true(start_daemon(why, sizeof(why)));
	first = daemon_pid;
	assert_false(start_daemon(why, sizeof(why)));
	assert_non_null(strstr(why, "exited 1"));
	assert_non_null(strstr(why, "another audit daemon"));
	daemon_pid = first;
	assert_int_equal(run("auditctl -a always,exit -F arch=b64 -S "
	    "getpriority -F ppid=%d -k %s >/dev/null", (int)getpid(), key),
	    0);
	rule_loaded = true;
	make_calls(100);
	kill(daemon_pid, SIGTERM);
	assert_int_equal(waitpid(daemon_pid, &status, 0), daemon_pid);
	daemon_pid = 0;
	assert_int_equal(WEXITSTATUS(status), 0);
	run("auditctl -D >/dev/null 2>&1");
	rule_loaded = false;
	check_log(100);
}

/* -f: records go to stderr instead of the log, as with auditd -f. */
static void
test_foreground_writes_records_to_stderr(void **s)
{
	char why[600], log[128];
	int status;

	(void)s;
	write_conf("incremental_async");
	snprintf(key, sizeof(key), "ra_fg_%d", (int)getpid());
	assert_true(start_daemon_flag("-f", why, sizeof(why)));
	assert_int_equal(run("auditctl -a always,exit -F arch=b64 -S "
	    "getpriority -F ppid=%d -k %s >/dev/null", (int)getpid(), key),
	    0);
	rule_loaded = true;
	make_calls(50);
	kill(daemon_pid, SIGTERM);
	assert_int_equal(waitpid(daemon_pid, &status, 0), daemon_pid);
	daemon_pid = 0;
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(run_count("grep -c '^type=SYSCALL .* key=\"%s\"$' "
	    "%s/stderr", key, dir), 50);
	assert_int_equal(run("grep -q '^type=DAEMON_END ' %s/stderr", dir),
	    0);
	snprintf(log, sizeof(log), "%s/log/audit.log", dir);
	assert_int_equal(access(log, F_OK), -1);
}

/*
 * Without -f or -n the daemon forks; the command returns 0 only once the
 * child is the registered audit daemon, as init scripts expect.
 */
static void
test_forks_and_returns_once_registered(void **s)
{
	struct ingest_kstatus ks;
	pid_t child;
	int i;

	(void)s;
	write_conf("incremental_async");
	assert_int_equal(run("%s -c %s", RA_DAEMON_PATH, dir), 0);
	assert_int_equal(ingest_kernel_status(&ks), 0);
	child = (pid_t)ks.pid;
	assert_true(child > 0);
	assert_int_equal(kill(child, 0), 0);
	assert_int_equal(kill(child, SIGTERM), 0);
	for (i = 0; i < 100 && kill(child, 0) == 0; i++)
		usleep(50000);
	assert_int_not_equal(kill(child, 0), 0);
	assert_int_equal(ingest_kernel_status(&ks), 0);
	assert_int_equal(ks.pid, 0);
	assert_int_equal(run("head -n1 %s/log/audit.log | grep -q "
	    "'^type=DAEMON_START .* pid=%d '", dir, (int)child), 0);
	assert_int_equal(run("tail -n1 %s/log/audit.log | grep -q "
	    "'^type=DAEMON_END '", dir), 0);
}

static int
setup(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ra-kernel-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/plugins.d %s/log", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	restore_kernel();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
on_signal(int sig)
{
	restore_kernel();
	signal(sig, SIG_DFL);
	raise(sig);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flush_none, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flush_incremental, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flush_incremental_async,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_data, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flush_sync, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_second_daemon_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_foreground_writes_records_to_stderr, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_forks_and_returns_once_registered, setup, teardown),
	};
	struct ingest_kstatus ks;
	int lock, rc;

	if (geteuid() != 0)
		return skip_or_fail("registering as the audit daemon needs root");
	if (system("command -v auditctl >/dev/null && "
	    "command -v ausearch >/dev/null") != 0) {
		/* CI installs them; a missing tool is a failure, not a skip. */
		printf("FAIL: auditctl and ausearch (Debian: auditd) are "
		    "needed\n");
		return 1;
	}
	if (ingest_kernel_status(&ks) < 0)
		return skip_or_fail("the kernel has no audit subsystem to talk to");
	if (ks.enabled == 2)
		return skip_or_fail("audit is locked (enabled 2) until reboot");
	/* One kernel user at a time, across test programs and sessions. */
	lock = open("/run/ringaudit-kernel.lock", O_RDWR | O_CREAT | O_CLOEXEC,
	    0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		perror("/run/ringaudit-kernel.lock");
		return 1;
	}
	if (ingest_kernel_status(&ks) < 0)
		return 1;
	enabled_before = ks.enabled;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGALRM, on_signal);
	alarm(280);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	restore_kernel();
	return rc;
}
