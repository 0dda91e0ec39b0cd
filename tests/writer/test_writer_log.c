/*
 * test_writer_log.c - the writer's log file under other programs: cut
 * short, moved, deleted while it writes; the modes of the file and its
 * folder; one writer per log; a path it cannot write.  The harness is
 * wr_test.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_test.h"

#include <ck_pr.h>

#include "common/log.h"
#include "ring/ring.h"
#include "writer/writer.h"
#include "wr_test.h"

/* ---- the log under the writer: cut, moved, deleted ---- */

#define UNDER_N 6000		/* some 550 KB: several file checks after */
#define UNDER_AT 2000		/* the record before which it happens */

enum under_act { UNDER_CUT, UNDER_MOVE, UNDER_DELETE };

static char under_path[PATH_MAX];
static enum under_act under_act;
static size_t under_len;	/* the lines made before it happened */

/* run_hook: at record UNDER_AT, under_act done to the log. */
static void
act_on_log(unsigned i, const struct buf *want)
{
	char to[PATH_MAX + 8];

	if (i != UNDER_AT)
		return;
	under_len = want->len;
	snprintf(to, sizeof(to), "%s.old", under_path);
	switch (under_act) {
	case UNDER_CUT:
		assert_int_equal(truncate(under_path, 0), 0);
		break;
	case UNDER_MOVE:
		assert_int_equal(rename(under_path, to), 0);
		break;
	case UNDER_DELETE:
		assert_int_equal(unlink(under_path), 0);
		break;
	}
}

/* got is the end of want, from the start of a line, without a NUL. */
static void
assert_tail_of(const char *got, size_t len, const struct buf *want)
{
	assert_null(memchr(got, '\0', len));
	assert_true(len <= want->len);
	assert_memory_equal(got, want->p + want->len - len, len);
	assert_true(len == want->len || want->p[want->len - len - 1] == '\n');
}

static void
under_run(enum under_act act, const char *name, char *dir, size_t dlen,
    struct buf *want, struct wr_stats *st)
{
	struct wr_config c;
	struct run_result res;

	make_tmpdir(dir, dlen);
	join_path(under_path, sizeof(under_path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, under_path, WR_FLUSH_NONE, 0);
	ra_test_guard(name, 60);
	under_act = act;
	run_hook = act_on_log;
	run_writer(&c, UNDER_N, 0, 1, want, st, &res);
	run_hook = NULL;
	ra_test_unguard();
	assert_no_stall(name, &res, UNDER_N);
	assert_int_equal(st->written, UNDER_N);
	assert_int_equal(st->write_errors, 0);
}

/*
 * Regression: a log cut short under the writer (logrotate's copytruncate,
 * ": > audit.log") was written on at the old offsets, and filled with
 * NUL bytes up to them, where ausearch saw nothing more.  As auditd's, the
 * writes append: what comes after the cut starts the file, whole lines
 * only, and the writer says it was cut.
 */
static void
test_truncated_log_goes_on_at_its_top(void **state)
{
	char dir[64];
	struct buf want = { 0 };
	struct wr_stats st;
	size_t len;
	char *got;

	(void)state;
	under_run(UNDER_CUT, "truncated_log", dir, sizeof(dir), &want, &st);
	got = read_file(under_path, &len);
	assert_tail_of(got, len, &want);
	/* Everything made after the cut is there. */
	assert_true(len >= want.len - under_len);
	assert_true(st.log_cut >= 1);
	assert_int_equal(st.log_replaced, 0);
	free(got);
	buf_free(&want);
	rm_rf(dir);
}

/*
 * A log renamed under the writer: auditd writes on into the renamed file
 * for ever.  Here the records go on into it until the writer sees it
 * (within 64 KiB), then into a new log at the path: the two together
 * hold every line once, in order.
 */
static void
test_moved_log_is_followed_by_a_new_one(void **state)
{
	char dir[64], old[PATH_MAX + 8];
	struct buf want = { 0 }, both = { 0 };
	struct wr_stats st;
	size_t len, olen;
	char *got, *ogot;

	(void)state;
	under_run(UNDER_MOVE, "moved_log", dir, sizeof(dir), &want, &st);
	snprintf(old, sizeof(old), "%s.old", under_path);
	ogot = read_file(old, &olen);
	got = read_file(under_path, &len);
	/* (Where the cut falls depends on how far behind the writer was:
	 * records made before the rename may be written after it.) */
	assert_true(len > 0);
	buf_add(&both, ogot, olen);
	buf_add(&both, got, len);
	assert_int_equal(both.len, want.len);
	assert_memory_equal(both.p, want.p, want.len);
	assert_int_equal(st.log_replaced, 1);
	free(got);
	free(ogot);
	buf_free(&both);
	buf_free(&want);
	rm_rf(dir);
}

/*
 * A log deleted under the writer: auditd writes on into the deleted file,
 * and everything after is lost.  Here a new log is opened at the path
 * once the writer sees it: it holds the last records, from a line's start.
 */
static void
test_deleted_log_is_followed_by_a_new_one(void **state)
{
	char dir[64];
	struct buf want = { 0 };
	struct wr_stats st;
	size_t len;
	char *got;

	(void)state;
	under_run(UNDER_DELETE, "deleted_log", dir, sizeof(dir), &want, &st);
	got = read_file(under_path, &len);
	assert_true(len > 0);
	assert_tail_of(got, len, &want);
	assert_int_equal(st.log_replaced, 1);
	free(got);
	buf_free(&want);
	rm_rf(dir);
}

/* ---- the file and its directory ---- */

static void
check_mode(const char *path, mode_t want, gid_t gid, bool dir)
{
	struct stat sb;

	assert_int_equal(lstat(path, &sb), 0);
	assert_int_equal(dir, S_ISDIR(sb.st_mode) != 0);
	if ((sb.st_mode & 07777) != want)
		fail_msg("%s: mode %04o, %04o expected", path,
		    (unsigned)(sb.st_mode & 07777), (unsigned)want);
	assert_int_equal(sb.st_uid, 0);
	assert_int_equal(sb.st_gid, gid);
}

static void
test_file_and_dir_modes(void **state)
{
	char dir[64], sub[PATH_MAX], path[PATH_MAX];
	struct harness h;
	struct wr_config c;
	mode_t old;
	int fd;

	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: needs root (chown/chmod of the log)\n");
		skip();
	}
	make_tmpdir(dir, sizeof(dir));
	h_init(&h);
	/* A wide umask must not matter. */
	old = umask(0);

	/* log_group 0: the missing directory is made 0700, the file 0600. */
	join_path(sub, sizeof(sub), dir, "logs");
	join_path(path, sizeof(path), sub, "audit.log");
	base_config(&h, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, 0);
	assert_int_equal(wr_create(&h.wr, &c), 0);
	check_mode(sub, 0700, 0, true);
	check_mode(path, 0600, 0, false);
	wr_destroy(h.wr);
	h.wr = NULL;

	/* An existing file with looser modes is brought back to 0600. */
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(wr_create(&h.wr, &c), 0);
	check_mode(path, 0600, 0, false);
	wr_destroy(h.wr);
	h.wr = NULL;

	/* log_group set: 0750 and 0640, group-owned. */
	join_path(sub, sizeof(sub), dir, "glogs");
	join_path(path, sizeof(path), sub, "audit.log");
	base_config(&h, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, 0);
	c.log_group = 4;
	assert_int_equal(wr_create(&h.wr, &c), 0);
	check_mode(sub, 0750, 4, true);
	check_mode(path, 0640, 4, false);
	wr_destroy(h.wr);
	h.wr = NULL;

	/* A file made before, by someone else, is taken over. */
	join_path(path, sizeof(path), sub, "other.log");
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(fchown(fd, 1, 1), 0);
	close(fd);
	c.log_group = 0;
	assert_int_equal(wr_create(&h.wr, &c), 0);
	check_mode(path, 0600, 0, false);
	wr_destroy(h.wr);
	h.wr = NULL;

	umask(old);
	h_fini(&h);
	rm_rf(dir);
}

static int
create_at(struct harness *h, const char *path)
{
	struct wr_config c;
	int rc;

	base_config(h, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, 0);
	h->wr = NULL;
	rc = wr_create(&h->wr, &c);
	if (rc == 0) {
		wr_destroy(h->wr);
		h->wr = NULL;
	}
	return rc;
}

/*
 * One ringauditd writes a log at a time: a second writer on the same file
 * is refused (-EBUSY); an append past the writer (a refused daemon's
 * DAEMON_ABORT) is refused while one writes it, and lands once it is gone.
 */
static void
test_log_has_one_writer(void **state)
{
	char dir[64], path[PATH_MAX];
	struct harness h, h2;
	struct wr_config c;
	struct wr *w2 = NULL;
	size_t len;
	char *got;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	h_init(&h);
	h_init(&h2);
	base_config(&h, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, 0);
	assert_int_equal(wr_create(&h.wr, &c), 0);
	base_config(&h2, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, 0);
	assert_int_equal(wr_create(&w2, &c), -EBUSY);
	assert_null(w2);
	/* Once h's writer is gone, a writer that never ran appends. */
	{
		struct wr *w3 = NULL;

		base_config(&h2, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, 0);
		wr_destroy(h.wr);
		h.wr = NULL;
		assert_int_equal(wr_create(&w3, &c), 0);
		assert_int_equal(wr_append(w3, "one\n", 4), 0);
		/* w3 closed its own descriptor: another writer may come,
		 * and then appends stop. */
		base_config(&h, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, 0);
		assert_int_equal(wr_create(&h.wr, &c), 0);
		assert_int_equal(wr_append(w3, "two\n", 4), -EBUSY);
		wr_destroy(w3);
	}
	got = read_file(path, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(got, "one\n", 4);
	free(got);
	wr_destroy(h.wr);
	h.wr = NULL;
	h_fini(&h);
	h_fini(&h2);
	rm_rf(dir);
}

static void
test_unwritable_path(void **state)
{
	char dir[64], p1[PATH_MAX], p2[PATH_MAX];
	struct harness h;
	struct stat sb;
	int fd, rc;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	h_init(&h);

	/* The parent is a regular file. */
	join_path(p1, sizeof(p1), dir, "plain");
	fd = open(p1, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(p1, 0644), 0);
	join_path(p2, sizeof(p2), p1, "audit.log");
	rc = create_at(&h, p2);
	print_message("parent is a file: %d (%s)\n", rc, strerror(-rc));
	assert_true(rc < 0);
	assert_int_equal(rc, -ENOTDIR);
	/* Failing must not have touched the file that is in the way:
	 * prepare_dir takes mkdir's EEXIST for "the directory is there"
	 * and, as root, chowns and chmods whatever is at that path. */
	assert_int_equal(stat(p1, &sb), 0);
	if ((sb.st_mode & 07777) != 0644)
		fail_msg("wr_create chmod'ed the regular file %s in the log "
		    "path from 0644 to %04o", p1,
		    (unsigned)(sb.st_mode & 07777));

	/* Two missing levels: only one is made. */
	join_path(p1, sizeof(p1), dir, "a/b/audit.log");
	rc = create_at(&h, p1);
	assert_int_equal(rc, -ENOENT);

	/* The log path is a directory. */
	join_path(p1, sizeof(p1), dir, "adir");
	assert_int_equal(mkdir(p1, 0700), 0);
	rc = create_at(&h, p1);
	assert_true(rc < 0);
	assert_int_equal(rc, -EISDIR);

	/* The log path is a symlink: O_NOFOLLOW refuses it. */
	join_path(p1, sizeof(p1), dir, "target");
	fd = open(p1, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	join_path(p2, sizeof(p2), dir, "link");
	assert_int_equal(symlink(p1, p2), 0);
	rc = create_at(&h, p2);
	assert_int_equal(rc, -ELOOP);

	/* Bad configurations. */
	{
		struct wr_config c;
		struct wr *w = NULL;

		join_path(p1, sizeof(p1), dir, "audit.log");
		base_config(&h, &c, WR_OUT_FILE, p1, WR_FLUSH_NONE, 0);
		c.nbufs = 1;
		assert_int_equal(wr_create(&w, &c), -EINVAL);
		c.nbufs = 65;
		assert_int_equal(wr_create(&w, &c), -EINVAL);
		c.nbufs = NBUFS;
		c.batch_bytes = 2 * RING_REC_SIZE - 1;
		assert_int_equal(wr_create(&w, &c), -EINVAL);
		c.batch_bytes = BATCH_BYTES;
		c.workers = 0;
		assert_int_equal(wr_create(&w, &c), -EINVAL);
		assert_null(w);
	}
	h_fini(&h);
	rm_rf(dir);
}

int
main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_truncated_log_goes_on_at_its_top),
		T(test_moved_log_is_followed_by_a_new_one),
		T(test_deleted_log_is_followed_by_a_new_one),
		T(test_file_and_dir_modes),
		T(test_log_has_one_writer),
		T(test_unwritable_path),
	};
#undef T

	return wr_test_main("test_writer_log", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
