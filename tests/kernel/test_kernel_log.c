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
#include "ra_kernel.h"

#define N_CALLS 5000

static void
write_conf(const char *flush)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/auditd.conf", ra_k.dir);
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
	    "plugin_dir = %s/plugins.d\n", ra_k.dir, flush, ra_k.dir);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	ra_write_ringauditd_conf(NULL);
}

static bool
start_daemon(char *why, size_t whylen)
{
	return ra_daemon_start("-n", why, whylen);
}

static void
check_log(unsigned n)
{
	char log[128];
	long got;

	snprintf(log, sizeof(log), "%s/log/audit.log", ra_k.dir);
	got = ra_run_count("grep -c '^type=SYSCALL .* key=\"%s\"$' %s",
	    ra_k.key, log);
	assert_int_equal(got, n);
	/* -sc: the rule's own CONFIG_CHANGE event carries the key too. */
	got = ra_run_count("ausearch -if %s -k %s -sc getpriority --raw "
	    "2>/dev/null | grep -c '^type=SYSCALL'", log, ra_k.key);
	assert_int_equal(got, n);
	/* Exactly one start and one end, first and last. */
	assert_int_equal(ra_run("head -n1 %s | grep -q '^type=DAEMON_START "
	    "msg=audit([0-9.]*:[0-9]*): op=start ver=3.0.9 format=raw "
	    "kernel=' ", log), 0);
	assert_int_equal(ra_run("tail -n1 %s | grep -q '^type=DAEMON_END "
	    "msg=audit([0-9.]*:[0-9]*): op=terminate auid=[0-9]* uid=0 "
	    "ses=[0-9]* pid=%d res=success$'", log, (int)getpid()), 0);
	/* ausearch reads back every line of the log, and nothing else. */
	assert_int_equal(ra_run("ausearch -if %s --raw 2>/dev/null | sort > "
	    "%s/ausearch.txt && sort %s > %s/log.txt && "
	    "cmp -s %s/ausearch.txt %s/log.txt", log, ra_k.dir, log, ra_k.dir,
	    ra_k.dir, ra_k.dir), 0);
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
	snprintf(ra_k.key, sizeof(ra_k.key), "ra_%s_%d", flush,
	    (int)getpid());
	if (!start_daemon(why, sizeof(why))) {
		/* Registration refused: the machine, not the code. */
		if (strstr(why, "another audit daemon") != NULL ||
		    strstr(why, "exited 4") != NULL) {
			ra_kernel_restore();
			exit(ra_skip_or_fail(why));
		}
		fail_msg("%s", why);
	}
	ra_rule_add();
	ra_make_calls(N_CALLS);
	/* Right after the last call: what the kernel queued must not be
	 * lost. */
	assert_int_equal(kill(ra_k.daemon_pid, SIGTERM), 0);
	assert_int_equal(waitpid(ra_k.daemon_pid, &status, 0), ra_k.daemon_pid);
	ra_k.daemon_pid = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	ra_rule_delete();
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
	snprintf(ra_k.key, sizeof(ra_k.key), "ra_second_%d", (int)getpid());
	assert_true(start_daemon(why, sizeof(why)));
	first = ra_k.daemon_pid;
	assert_false(start_daemon(why, sizeof(why)));
	assert_non_null(strstr(why, "exited 1"));
	assert_non_null(strstr(why, "another audit daemon"));
	ra_k.daemon_pid = first;
	ra_rule_add();
	ra_make_calls(100);
	kill(ra_k.daemon_pid, SIGTERM);
	assert_int_equal(waitpid(ra_k.daemon_pid, &status, 0), ra_k.daemon_pid);
	ra_k.daemon_pid = 0;
	assert_int_equal(WEXITSTATUS(status), 0);
	ra_rule_delete();
	check_log(100);
}

/*
 * A daemon the kernel refuses writes DAEMON_START and DAEMON_ABORT
 * (op=set-pid res=failed) to its own log, as auditd does, and exits 1;
 * the registered one goes on.
 */
static void
test_refused_daemon_writes_abort(void **s)
{
	char why[600], text[1024], log2[256];

	(void)s;
	write_conf("incremental_async");
	snprintf(ra_k.key, sizeof(ra_k.key), "ra_abort_%d", (int)getpid());
	assert_true(start_daemon(why, sizeof(why)));
	assert_int_equal(ra_run("mkdir -p %s/second/log", ra_k.dir), 0);
	snprintf(text, sizeof(text), "log_file = %s/second/log/audit.log\n"
	    "log_format = RAW\nspace_left = 2\nadmin_space_left = 1\n",
	    ra_k.dir);
	ra_write_file("second/auditd.conf", text);
	assert_int_equal(ra_run("%s -n -c %s/second 2>/dev/null",
	    RA_DAEMON_PATH, ra_k.dir), 1);
	snprintf(log2, sizeof(log2), "%s/second/log/audit.log", ra_k.dir);
	assert_int_equal(ra_run_count("wc -l < %s", log2), 2);
	assert_int_equal(ra_run("head -n1 %s | grep -q '^type=DAEMON_START "
	    "msg=audit([0-9.]*:[0-9]*): op=start ver=3.0.9 format=raw '",
	    log2), 0);
	assert_int_equal(ra_run("tail -n1 %s | grep -q '^type=DAEMON_ABORT "
	    "msg=audit([0-9.]*:[0-9]*): op=set-pid auid=[0-9]* pid=[0-9]* "
	    "uid=0 ses=[0-9]* res=failed$'", log2), 0);
	ra_rule_add();
	ra_make_calls(100);
	assert_int_equal(ra_daemon_stop(), 0);
	ra_rule_delete();
	check_log(100);
}

/* -f: records go to stdout instead of the log, as with auditd -f. */
static void
test_foreground_writes_records_to_stdout(void **s)
{
	char why[600], log[128];
	int status;

	(void)s;
	write_conf("incremental_async");
	snprintf(ra_k.key, sizeof(ra_k.key), "ra_fg_%d", (int)getpid());
	assert_true(ra_daemon_start("-f", why, sizeof(why)));
	ra_rule_add();
	ra_make_calls(50);
	kill(ra_k.daemon_pid, SIGTERM);
	assert_int_equal(waitpid(ra_k.daemon_pid, &status, 0), ra_k.daemon_pid);
	ra_k.daemon_pid = 0;
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(ra_run_count("grep -c '^type=SYSCALL .* key=\"%s\"$' "
	    "%s/stdout", ra_k.key, ra_k.dir), 50);
	assert_int_equal(ra_run("grep -q '^type=DAEMON_END ' %s/stdout",
	    ra_k.dir), 0);
	snprintf(log, sizeof(log), "%s/log/audit.log", ra_k.dir);
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
	assert_int_equal(ra_run("%s -c %s", RA_DAEMON_PATH, ra_k.dir), 0);
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
	assert_int_equal(ra_run("head -n1 %s/log/audit.log | grep -q "
	    "'^type=DAEMON_START .* pid=%d '", ra_k.dir, (int)child), 0);
	assert_int_equal(ra_run("tail -n1 %s/log/audit.log | grep -q "
	    "'^type=DAEMON_END '", ra_k.dir), 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, ra_kernel_setup, \
    ra_kernel_teardown)
	const struct CMUnitTest tests[] = {
		T(test_flush_none),
		T(test_flush_incremental),
		T(test_flush_incremental_async),
		T(test_flush_data),
		T(test_flush_sync),
		T(test_second_daemon_refused),
		T(test_refused_daemon_writes_abort),
		T(test_foreground_writes_records_to_stdout),
		T(test_forks_and_returns_once_registered),
	};
#undef T
	int rc;

	if ((rc = ra_kernel_begin(280)) != 0)
		return rc;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	ra_kernel_restore();
	return rc;
}
