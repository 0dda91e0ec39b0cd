/*
 * test_faults.c - the log's disk fails under a stream of real events, and
 * every record is either in the log as a whole line or counted as
 * dropped by the action the configuration names.
 *
 * - Disk full: the log on a 4 MiB ext4 file system (a loop device) with a
 *   1 MiB ballast file, once for each disk_full_action: ignore, syslog,
 *   rotate (no ballast: rotation has old logs to delete), exec, suspend,
 *   single and halt (a stand-in init_command).
 * - Write errors: the log on ra_faultfs, a FUSE file system that fails
 *   every write and sync with EIO while told to, once for each
 *   disk_error_action: ignore, syslog, exec, suspend, single, halt.
 * - A slow disk: every write and sync on ra_faultfs takes 20 ms.
 *
 * For each: the state report balances (records received, plus the
 * daemon's own, less those not logged by rule, are records written plus
 * records dropped); the log holds exactly the records written, each a
 * whole line; logging is suspended for exec and suspend only; the
 * action's message or program ran once; once the fault is gone (space
 * made, the file system mended) and, where logging was suspended, SIGUSR2
 * sent, the next events are all logged; the daemon stops with status 0;
 * and ausearch -if reads the whole log (it finds every keyed event grep
 * finds, and DAEMON_END).
 *
 * Needs root, mount(2), loop devices, /dev/fuse and the kernel's audit
 * subsystem.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_faultfs_mount.h"
#include "ra_kernel.h"

enum fault { DISK_FULL, WRITE_ERROR };

/* The FUSE file system, while a test has it mounted. */
static pid_t fs_pid;

static void
skip_unless(int rc, const char *why)
{
	if (rc != 0) {
		ra_kernel_restore();
		exit(ra_skip_or_fail(why));
	}
}

/* The log folder on a 4 MiB ext4 file system, with a 1 MiB ballast. */
static void
mount_full_disk(bool ballast)
{
	skip_unless(ra_run("truncate -s 4M %s/fs.img && "
	    "mkfs.ext4 -q -F -m 0 -O ^has_journal -b 1024 %s/fs.img && "
	    "mount -o loop %s/fs.img %s/log && chmod 700 %s/log", ra_k.dir,
	    ra_k.dir, ra_k.dir, ra_k.dir, ra_k.dir),
	    "cannot make and mount a loop file system for the log");
	if (ballast)
		assert_int_equal(ra_run("dd if=/dev/zero of=%s/log/ballast "
		    "bs=1M count=1 status=none", ra_k.dir), 0);
}

/* ra_faultfs's control file: ok, eio, delay MS. */
static void
fault_mode(const char *mode)
{
	char ctl[128];

	snprintf(ctl, sizeof(ctl), "%s/ctl", ra_k.dir);
	assert_int_equal(ra_faultfs_ctl(ctl, mode), 0);
}

/* The log folder on ra_faultfs over ra_k.dir/back, in mode ok. */
static void
mount_faultfs(void)
{
	char back[128], mnt[128], ctl[128];
	const char *missing = ra_faultfs_missing();

	skip_unless(missing != NULL, missing);
	snprintf(back, sizeof(back), "%s/back", ra_k.dir);
	snprintf(mnt, sizeof(mnt), "%s/log", ra_k.dir);
	snprintf(ctl, sizeof(ctl), "%s/ctl", ra_k.dir);
	fs_pid = ra_faultfs_start(back, mnt, ctl, "ok");
	if (fs_pid < 0)
		fs_pid = 0;
	skip_unless(fs_pid == 0, "ra_faultfs did not mount the log folder");
}

static int
faults_teardown(void **state)
{
	char mnt[128];

	if (fs_pid > 0) {
		/* The daemon is stopped first: it holds the log open. */
		ra_kernel_restore();
		snprintf(mnt, sizeof(mnt), "%s/log", ra_k.dir);
		ra_faultfs_stop(&fs_pid, mnt);
	}
	return ra_kernel_teardown(state);
}

/* auditd.conf with ACTION for the fault, the other fault's action
 * SUSPEND, no space action, no size rotation; stand-ins for exec and
 * init_command that note how they were run. */
static void
faults_conf(enum fault f, const char *action)
{
	char act[256], conf[1024], body[512];

	if (strcmp(action, "exec") == 0)
		snprintf(act, sizeof(act), "EXEC %s/exec.sh", ra_k.dir);
	else
		snprintf(act, sizeof(act), "%s", action);
	snprintf(conf, sizeof(conf),
	    "max_log_file = 0\n"
	    "max_log_file_action = IGNORE\n"
	    "num_logs = 3\n"
	    "space_left = 1\n"
	    "space_left_action = IGNORE\n"
	    "admin_space_left = 0\n"
	    "admin_space_left_action = IGNORE\n"
	    "disk_full_action = %s\n"
	    "disk_error_action = %s\n",
	    f == DISK_FULL ? act : "SUSPEND", f == DISK_FULL ? "SUSPEND" : act);
	ra_write_log_conf(conf);
	snprintf(body, sizeof(body), "#!/bin/sh\necho \"exec $#\" >> "
	    "%s/exec.out\n", ra_k.dir);
	ra_write_script("exec.sh", body);
	ra_write_init_standin();
}

/* Lines in every log there is, and lines that do not start a record or
 * logs that do not end in '\n'. */
static long
log_lines(void)
{
	return ra_run_count("cat %s/log/audit.log* | wc -l", ra_k.dir);
}

static long
torn_lines(void)
{
	return ra_run_count("n=$(cat %s/log/audit.log* | grep -avc '^type=');"
	    " for f in %s/log/audit.log*; do [ -s \"$f\" ] && "
	    "[ \"$(tail -c1 \"$f\" | od -An -c | tr -d ' ')\" != '\\n' ] && "
	    "n=$((n + 1)); done; echo $n", ra_k.dir, ra_k.dir);
}

/*
 * The state report balances; the logs hold the records written (unless
 * a rotation deleted some), whole; logging is suspended or not.
 * Returns the records dropped.
 */
static long
check_accounted(bool suspended, bool all_logs_kept)
{
	long received, daemon, skipped, written, dropped;

	ra_state_report();
	received = ra_state_value("records received");
	daemon = ra_state_value("daemon records");
	skipped = ra_state_value("records skipped");
	written = ra_state_value("records written");
	dropped = ra_state_value("records dropped");
	print_message("received %ld, daemon %ld, skipped %ld, written %ld, "
	    "dropped %ld, write errors %ld, lines %ld\n", received, daemon,
	    skipped, written, dropped, ra_state_value("write errors"),
	    log_lines());
	assert_true(received > 0 && written > 0);
	assert_int_equal(received + daemon - skipped, written + dropped);
	assert_true(ra_state_value("write errors") > 0);
	if (all_logs_kept)
		assert_int_equal(log_lines(), written);
	assert_int_equal(torn_lines(), 0);
	assert_int_equal(ra_run("grep -qx 'logging suspended = %s' "
	    "%s/auditd.state", suspended ? "yes" : "no", ra_k.dir), 0);
	return dropped;
}

/* What the action did, once: auditd 3.0.9's message, its program. */
static void
check_action(enum fault f, const char *action)
{
	const char *due = f == DISK_FULL ?
	    "due to no space left on logging partition" :
	    "due to previously mentioned write error";

	if (f == DISK_FULL)
		assert_int_equal(ra_run("grep -q 'Audit daemon has no space "
		    "left on logging partition$' %s/stderr", ra_k.dir), 0);
	else	/* said for syslog only, as auditd does */
		assert_int_equal(ra_run("grep -q 'write: Audit daemon "
		    "detected an error writing an event to disk "
		    "(Input/output error)$' %s/stderr", ra_k.dir),
		    strcmp(action, "syslog") == 0 ? 0 : 1);
	if (strcmp(action, "exec") == 0)
		assert_int_equal(ra_run("grep -qx 'exec 0' %s/exec.out && "
		    "[ $(wc -l < %s/exec.out) = 1 ]", ra_k.dir, ra_k.dir), 0);
	else
		assert_int_equal(ra_run("[ ! -e %s/exec.out ]", ra_k.dir), 0);
	if (strcmp(action, "single") == 0 || strcmp(action, "halt") == 0) {
		bool single = action[0] == 's';

		assert_int_equal(ra_run("[ \"$(cat %s/init.out)\" = "
		    "'init %s' ]", ra_k.dir, single ? "1" : "0"), 0);
		assert_int_equal(ra_run("grep -q 'The audit daemon is now "
		    "%s %s' %s/stderr", single ?
		    "changing the system to single user mode" :
		    "halting the system", due, ra_k.dir), 0);
	}
	if (strcmp(action, "suspend") == 0)
		assert_int_equal(ra_run("grep -q 'suspending logging %s' "
		    "%s/stderr", due, ra_k.dir), 0);
	if (strcmp(action, "rotate") == 0)
		assert_int_equal(ra_run("grep -q 'Audit daemon rotating log "
		    "files' %s/stderr", ra_k.dir), 0);
}

/* The fault gone (and SIGUSR2 if suspended): the next events are all
 * logged; the daemon stops with 0; ausearch reads the whole log. */
static void
check_recovers(bool suspended)
{
	char path[256];
	long before, grep_found;

	snprintf(path, sizeof(path), "%s/log/audit.log", ra_k.dir);
	if (suspended) {
		assert_int_equal(kill(ra_k.daemon_pid, SIGUSR2), 0);
		usleep(300000);
	}
	before = ra_key_events(path);
	ra_stream(100);
	ra_wait_key_events(path, before + 100);
	assert_int_equal(ra_daemon_stop(), 0);
	ra_rule_delete();
	assert_int_equal(ra_key_events(path), before + 100);
	assert_int_equal(torn_lines(), 0);
	grep_found = ra_key_events(path);
	/* -k also finds auditctl's event that added the rule. */
	assert_int_equal(ra_run_count("ausearch -if %s -k %s --raw "
	    "2>/dev/null | grep -c '^type=SYSCALL .* key=\"%s\"'", path,
	    ra_k.key, ra_k.key), grep_found);
	ra_ausearch(path, "DAEMON_END");
	assert_int_equal(ra_found("DAEMON_END"), 1);
	if (suspended) {
		ra_ausearch(path, "DAEMON_RESUME");
		assert_int_equal(ra_found("DAEMON_RESUME"), 1);
	}
}

static bool
suspends(const char *action)
{
	return strcmp(action, "suspend") == 0 || strcmp(action, "exec") == 0;
}

static void
disk_full(const char *action)
{
	bool rotate = strcmp(action, "rotate") == 0;

	mount_full_disk(!rotate);
	faults_conf(DISK_FULL, action);
	ra_start("ra_full", action);
	/* ~500 bytes an event: far more than the 3 MiB left. */
	ra_stream(12000);
	usleep(300000);
	assert_true(check_accounted(suspends(action), !rotate) > 0 || rotate);
	check_action(DISK_FULL, action);
	assert_int_equal(ra_run("grep -qx 'space left on partition = no' "
	    "%s/auditd.state", ra_k.dir), 0);
	if (!rotate)
		assert_int_equal(ra_run("rm -f %s/log/ballast", ra_k.dir), 0);
	check_recovers(suspends(action));
}

static void
write_error(const char *action)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/log/audit.log", ra_k.dir);
	mount_faultfs();
	faults_conf(WRITE_ERROR, action);
	ra_start("ra_eio", action);
	ra_stream(2000);
	ra_wait_key_events(path, 2000);
	fault_mode("eio");
	ra_stream(2000);
	usleep(300000);
	fault_mode("ok");
	assert_true(check_accounted(suspends(action), true) > 0);
	check_action(WRITE_ERROR, action);
	check_recovers(suspends(action));
}

#define FAULT_TESTS(f, name)						\
	static void test_##f##_##name(void **s)				\
	{								\
		(void)s;						\
		f(#name);						\
	}
FAULT_TESTS(disk_full, ignore)
FAULT_TESTS(disk_full, syslog)
FAULT_TESTS(disk_full, rotate)
FAULT_TESTS(disk_full, exec)
FAULT_TESTS(disk_full, suspend)
FAULT_TESTS(disk_full, single)
FAULT_TESTS(disk_full, halt)
FAULT_TESTS(write_error, ignore)
FAULT_TESTS(write_error, syslog)
FAULT_TESTS(write_error, exec)
FAULT_TESTS(write_error, suspend)
FAULT_TESTS(write_error, single)
FAULT_TESTS(write_error, halt)
#undef FAULT_TESTS

/* Every write and sync takes 20 ms: nothing is dropped, nothing torn. */
static void
test_slow_disk_loses_nothing(void **s)
{
	char path[256];

	(void)s;
	snprintf(path, sizeof(path), "%s/log/audit.log", ra_k.dir);
	mount_faultfs();
	faults_conf(WRITE_ERROR, "suspend");
	fault_mode("delay 20");
	ra_start("ra_slow", "disk");
	ra_stream(12000);
	ra_wait_key_events(path, 12000);
	ra_state_report();
	assert_int_equal(ra_state_value("records dropped"), 0);
	assert_int_equal(ra_state_value("write errors"), 0);
	fault_mode("ok");
	assert_int_equal(ra_daemon_stop(), 0);
	ra_rule_delete();
	assert_int_equal(ra_key_events(path), 12000);
	assert_int_equal(ra_duplicate_serials(path), 0);
	assert_int_equal(torn_lines(), 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, ra_kernel_setup, \
    faults_teardown)
	const struct CMUnitTest tests[] = {
		T(test_disk_full_ignore),
		T(test_disk_full_syslog),
		T(test_disk_full_rotate),
		T(test_disk_full_exec),
		T(test_disk_full_suspend),
		T(test_disk_full_single),
		T(test_disk_full_halt),
		T(test_write_error_ignore),
		T(test_write_error_syslog),
		T(test_write_error_exec),
		T(test_write_error_suspend),
		T(test_write_error_single),
		T(test_write_error_halt),
		T(test_slow_disk_loses_nothing),
	};
#undef T
	return ra_kernel_main(tests);
}
