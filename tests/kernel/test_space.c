/*
 * test_space.c - rotation and disk space actions on a small file system
 * made for the test (a tmpfs mounted on the log's folder), under a steady
 * stream of real events.
 *
 * - max_log_file with rotate: every event is in exactly one log (counted
 *   by serial), each rotated log was cut at the limit, and size rotations
 *   write no DAEMON_ROTATE (auditd writes none).
 * - space_left = single (a stand-in, through ringauditd.conf's
 *   init_command) and admin_space_left = exec, which suspends logging as
 *   auditd's does; then, with no space action, disk_full_action = suspend.
 *   Each action fires once below its threshold, the log holds whole lines
 *   and no event twice, suspended records are counted in the state
 *   report, and SIGUSR2, once space was made, resumes logging with
 *   DAEMON_RESUME.
 *
 * Needs root, mount(2) and the kernel's audit subsystem.
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_kernel.h"

#define MIB (1024L * 1024L)

static void
mount_small(unsigned mib)
{
	if (ra_run("mount -t tmpfs -o size=%um,mode=0700 tmpfs %s/log",
	    mib, ra_k.dir) != 0) {
		ra_kernel_restore();
		exit(ra_skip_or_fail("cannot mount a tmpfs for the log"));
	}
}

static void
start(const char *what)
{
	ra_start("ra_space", what);
}

static void
test_size_rotation_keeps_every_event(void **s)
{
	const unsigned n = 12000;
	char path[256];
	unsigned logs, i;

	(void)s;
	mount_small(32);
	ra_write_log_conf("max_log_file = 1\n"
	    "max_log_file_action = ROTATE\n"
	    "num_logs = 30\n"
	    "space_left = 2\n"
	    "space_left_action = SYSLOG\n"
	    "admin_space_left = 1\n"
	    "admin_space_left_action = SUSPEND\n"
	    "disk_full_action = SUSPEND\n");
	ra_write_ringauditd_conf(NULL);
	start("size");
	ra_stream(n);
	assert_int_equal(ra_daemon_stop(), 0);
	ra_rule_delete();

	logs = ra_concat_logs();
	/* ~500 bytes an event: some 6 MiB, 1 MiB a log. */
	assert_true(logs >= 4);
	snprintf(path, sizeof(path), "%s/all.log", ra_k.dir);
	assert_int_equal(ra_key_events(path), n);
	assert_int_equal(ra_duplicate_serials(path), 0);
	ra_ausearch(path, "DAEMON_ROTATE,DAEMON_START,DAEMON_END");
	assert_int_equal(ra_found("DAEMON_ROTATE"), 0);
	assert_int_equal(ra_found("DAEMON_START"), 1);
	assert_int_equal(ra_found("DAEMON_END"), 1);
	for (i = 1; i <= logs; i++) {
		struct stat sb;

		snprintf(path, sizeof(path), "%s/log/audit.log.%u", ra_k.dir,
		    i);
		assert_int_equal(stat(path, &sb), 0);
		/* Cut on the record that reached 1 MiB. */
		assert_true(sb.st_size >= MIB && sb.st_size < MIB + 16384);
		/* As auditd leaves a rotated log: read-only. */
		assert_int_equal(sb.st_mode & 0777, 0400);
	}
	assert_int_equal(ra_run("grep -q 'Audit daemon rotating log files' "
	    "%s/stderr", ra_k.dir), 0);
}

/* A 4 MiB log partition with 1 MiB of ballast, the conf and stand-ins. */
static void
space_setup(const char *actions)
{
	char conf[2048];

	mount_small(4);
	assert_int_equal(ra_run("dd if=/dev/zero of=%s/log/ballast bs=1M "
	    "count=1 status=none", ra_k.dir), 0);
	snprintf(conf, sizeof(conf),
	    "max_log_file = 0\n"
	    "max_log_file_action = IGNORE\n"
	    "disk_error_action = SUSPEND\n"
	    "%s", actions);
	ra_write_log_conf(conf);
	/* Each stand-in notes its arguments and the free KiB it saw. */
	snprintf(conf, sizeof(conf), "#!/bin/sh\n"
	    "echo \"args=$# free=$(df -k --output=avail %s/log | tail -n1 | "
	    "tr -d ' ')\" >> %s/exec.out\n", ra_k.dir, ra_k.dir);
	ra_write_script("exec.sh", conf);
	ra_write_init_standin();
}

/*
 * Suspended: the state report says so, and every record the writer took
 * is either written or counted as dropped.  Returns the events in the log.
 */
static long
check_suspended(const char *path)
{
	long dropped, in_log;

	ra_state_report();
	assert_int_equal(ra_run("grep -q '^logging suspended = yes$' "
	    "%s/auditd.state", ra_k.dir), 0);
	dropped = ra_state_value("records dropped");
	assert_true(dropped > 0);
	assert_int_equal(ra_state_value("records received") +
	    ra_state_value("daemon records") - ra_state_value("records skipped"),
	    ra_state_value("records written") + dropped);
	in_log = ra_key_events(path);
	assert_true(in_log > 1000 && in_log < 12000);
	/* Whole lines only. */
	assert_int_equal(ra_run("tail -c1 %s | od -An -c | grep -q '\\\\n'",
	    path), 0);
	assert_int_equal(ra_run_count("grep -vc '^type=' %s", path), 0);
	return in_log;
}

/* The admin makes room and sends SIGUSR2: logging goes on. */
static void
resume_and_check(const char *path, long before)
{
	assert_int_equal(ra_run("rm -f %s/log/ballast", ra_k.dir), 0);
	assert_int_equal(kill(ra_k.daemon_pid, SIGUSR2), 0);
	usleep(300000);
	ra_stream(100);
	assert_int_equal(ra_daemon_stop(), 0);
	ra_rule_delete();
	assert_int_equal(ra_key_events(path), before + 100);
	assert_int_equal(ra_duplicate_serials(path), 0);
	ra_ausearch(path, "DAEMON_RESUME,DAEMON_END");
	assert_int_equal(ra_found("DAEMON_RESUME"), 1);
	assert_int_equal(ra_found("DAEMON_END"), 1);
}

/*
 * space_left = single (a stand-in init_command), admin_space_left = exec:
 * each fires once below its threshold; exec suspends logging, as auditd's
 * does, until SIGUSR2.
 */
static void
test_space_left_single_admin_exec(void **s)
{
	char conf[1024], path[256];
	long before;

	(void)s;
	snprintf(conf, sizeof(conf),
	    "space_left = 2\n"
	    "space_left_action = SINGLE\n"
	    "admin_space_left = 1\n"
	    "admin_space_left_action = EXEC %s/exec.sh\n"
	    "disk_full_action = SUSPEND\n", ra_k.dir);
	space_setup(conf);
	start("admin");
	/* ~500 bytes an event: far more than the 3 MiB left. */
	ra_stream(12000);
	usleep(300000);
	snprintf(path, sizeof(path), "%s/log/audit.log", ra_k.dir);
	before = check_suspended(path);
	/* single: init_command 1, once; exec: no arguments, once, below
	 * 1 MiB. */
	assert_int_equal(ra_run("cat %s/init.out | tr '\\n' ' ' | "
	    "grep -qx 'init 1 '", ra_k.dir), 0);
	assert_int_equal(ra_run_count("wc -l < %s/exec.out", ra_k.dir), 1);
	assert_int_equal(ra_run("grep -qx 'args=0 free=[0-9]*' %s/exec.out",
	    ra_k.dir), 0);
	assert_true(ra_run_count("sed 's/.*free=//' %s/exec.out", ra_k.dir) <
	    1024);
	assert_int_equal(ra_run("grep -q '^admin space action performed = "
	    "yes$' %s/auditd.state", ra_k.dir), 0);
	assert_int_equal(ra_run("grep -q 'changing the system to single user "
	    "mode' %s/stderr", ra_k.dir), 0);
	resume_and_check(path, before);
}

/*
 * No space action: the disk fills, the write fails, disk_full_action =
 * suspend stops logging; the failed write is cut back to whole lines.
 */
static void
test_disk_full_suspends(void **s)
{
	char path[256];
	long before;

	(void)s;
	space_setup("space_left = 1\n"
	    "space_left_action = IGNORE\n"
	    "admin_space_left = 0\n"
	    "admin_space_left_action = IGNORE\n"
	    "disk_full_action = SUSPEND\n");
	start("full");
	ra_stream(12000);
	usleep(300000);
	snprintf(path, sizeof(path), "%s/log/audit.log", ra_k.dir);
	before = check_suspended(path);
	assert_int_equal(ra_run("grep -q '^space left on partition = no$' "
	    "%s/auditd.state", ra_k.dir), 0);
	assert_int_equal(ra_run("grep -q 'Audit daemon has no space left on "
	    "logging partition' %s/stderr && grep -q 'Audit daemon is "
	    "suspending logging due to no space left on logging partition.' "
	    "%s/stderr", ra_k.dir, ra_k.dir), 0);
	resume_and_check(path, before);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, ra_kernel_setup, \
    ra_kernel_teardown)
	const struct CMUnitTest tests[] = {
		T(test_size_rotation_keeps_every_event),
		T(test_space_left_single_admin_exec),
		T(test_disk_full_suspends),
	};
#undef T
	return ra_kernel_main(tests);
}
