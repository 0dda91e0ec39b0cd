/*
 * test_written_files.c - the pid file, the state report (SIGCONT) and the
 * metrics file are written anew, never through what another user put at
 * their names.  For each, a symlink to a victim file, a dangling symlink,
 * a hard link to the victim and a FIFO are planted at the name and at the
 * name's ".tmp"; the file is written, and the victim must keep its
 * content, mode and owner, the name must hold the real file with auditd's
 * mode (0644 pid file, 0640 report; 0644 metrics), and nothing may block
 * on the FIFO (a guard fails the test if it does).
 *
 * The report and the metrics are those of a pipeline that was made (a
 * replay of an empty file) and never started.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_plant.h"
#include "ra_test.h"

#include "daemon/daemon.h"



static char dir[64];
static char victim[128];
static char nowhere[160];	/* a dangling symlink's target */
static struct cfg cfg;
static struct dmn d;
static struct pl *pl;

static char *
slurp(const char *path)
{
	static char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

/* The name holds a file of ours, with mode, not the victim. */
static void
assert_written(const char *path, mode_t mode)
{
	struct stat sb, vb;
	char tmp[PATH_MAX];

	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, mode);
	assert_int_equal(sb.st_uid, geteuid());
	assert_int_equal(sb.st_nlink, 1);
	assert_int_equal(stat(victim, &vb), 0);
	assert_true(sb.st_ino != vb.st_ino);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(access(nowhere, F_OK), -1);
}

typedef int (*write_fn)(const char *path);

/* Plants each thing at path and at path.tmp; writes; checks. */
static void
check_planted(const char *what, write_fn fn, mode_t mode,
    const char *starts)
{
	char path[128], tmp[160];
	enum ra_plant p;
	int at;

	snprintf(path, sizeof(path), "%s/%s", dir, what);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	for (at = 0; at < 2; at++) {
		for (p = RA_PLANT_NONE; p <= RA_PLANT_FIFO; p++) {
			print_message("%s: %s at %s\n", what, ra_plant_names[p],
			    at == 0 ? "its name" : "its name.tmp");
			ra_victim_make(victim);
			unlink(path);
			unlink(tmp);
			ra_plant(p, at == 0 ? path : tmp, victim, nowhere);
			ra_test_guard(what, 10);
			assert_int_equal(fn(path), 0);
			ra_test_unguard();
			ra_victim_untouched(victim);
			assert_written(path, mode);
			assert_true(strncmp(slurp(path), starts,
			    strlen(starts)) == 0);
		}
	}
	unlink(path);
}

static int
write_pid(const char *path)
{
	return files_pid_write(path);
}

static int
write_state(const char *path)
{
	snprintf(cfg.state_file, sizeof(cfg.state_file), "%s", path);
	return state_report(&d);
}

static int
write_metrics(const char *path)
{
	return metrics_write(&d, path);
}

static int
setup(void **state)
{
	struct pl_config c;
	char empty[128];
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ra-files-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(nowhere, sizeof(nowhere), "%s/made-through-link", dir);
	snprintf(empty, sizeof(empty), "%s/empty.log", dir);
	if ((fd = open(empty, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return -1;
	close(fd);
	pl_config_defaults(&c);
	c.source = INGEST_REPLAY;
	c.replay_path = empty;
	c.workers = 1;
	c.records = 16;
	c.ring_size = 16;
	c.output = WR_OUT_DISCARD;
	if (pl_create(&pl, &c) < 0)
		return -1;
	cfg_defaults(&cfg);
	memset(&d, 0, sizeof(d));
	d.cfg = &cfg;
	d.p = pl;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	pl_destroy(pl);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_pid_file_never_written_through_a_planted_file(void **state)
{
	char pid[32];

	(void)state;
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	check_planted("auditd.pid", write_pid, 0644, pid);
}

/* Removing it removes a symlink put in its place, not what it names. */
static void
test_pid_file_removal_removes_a_planted_symlink_only(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/auditd.pid", dir);
	ra_victim_make(victim);
	ra_plant(RA_PLANT_SYMLINK, path, victim, nowhere);
	files_pid_remove(path);
	assert_int_equal(access(path, F_OK), -1);
	ra_victim_untouched(victim);
}

static void
test_state_report_never_written_through_a_planted_file(void **state)
{
	(void)state;
	check_planted("auditd.state", write_state, 0640, "audit version = ");
}

static void
test_metrics_file_never_written_through_a_planted_file(void **state)
{
	(void)state;
	check_planted("ringauditd.prom", write_metrics, 0644, "# HELP ");
}

/* auditd's modes whatever the umask: 0640 report, 0644 pid file. */
static void
test_modes_are_kept_under_a_narrow_umask(void **state)
{
	char path[128];
	mode_t old = umask(0077);

	(void)state;
	snprintf(path, sizeof(path), "%s/auditd.pid", dir);
	assert_int_equal(write_pid(path), 0);
	assert_written(path, 0644);
	snprintf(path, sizeof(path), "%s/auditd.state", dir);
	assert_int_equal(write_state(path), 0);
	assert_written(path, 0640);
	snprintf(path, sizeof(path), "%s/ringauditd.prom", dir);
	assert_int_equal(write_metrics(path), 0);
	assert_written(path, 0644);
	umask(0);
	assert_int_equal(write_state(path), 0);
	assert_written(path, 0640);
	umask(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_pid_file_never_written_through_a_planted_file),
		cmocka_unit_test(
		    test_pid_file_removal_removes_a_planted_symlink_only),
		cmocka_unit_test(
		    test_state_report_never_written_through_a_planted_file),
		cmocka_unit_test(
		    test_metrics_file_never_written_through_a_planted_file),
		cmocka_unit_test(test_modes_are_kept_under_a_narrow_umask),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_written_files: needs root (the victim "
		    "is another user's file)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
