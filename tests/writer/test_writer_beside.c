/*
 * test_writer_beside.c - group commit keeps two syncs in flight (io.c's
 * maybe_retire): once a chain's writes are done and only its sync runs,
 * the records that came meanwhile go out in a chain beside it, synced
 * through a second open of the log, rather than after it.
 *
 * The log is on ra_faultfs (tests/common/ra_faultfs.c) with every write
 * and sync held DELAY_MS, so that a sync is still running when the next
 * records are ready, on any machine.  For flush = data and flush = sync,
 * N_BESIDE records pushed as fast as the harness can:
 * - every record written and durable, the log whole and in order, no
 *   sync failed;
 * - at least one sync sent beside another (syncs_beside);
 * - the second open of the log closed with the writer: the process has
 *   the files open it had before the run.
 * Without io_uring (RA_WR_DIRECT, the _direct variant) a sync is waited
 * for where it is made: none is sent beside another, the rest the same.
 *
 * The held answer: the later of two syncs in flight may end first, and
 * its records then count only once the earlier one ended.  This kernel
 * may not give that order on its own (FUSE waits for one fsync of a file
 * before it sends the next), so the writer is told to take the earlier
 * answer last (wr_config.prior_answers_last); each record is a remote
 * client's, acknowledged when durable (ack_durable):
 * - held: every token back once, in order, as written; some answers
 *   held (syncs_held), none without io_uring; all durable;
 * - held_error: ra_faultfs fails the first sync with EIO (eio-sync), the
 *   one in front of the first two in flight, so the error is the answer
 *   taken last: one sync error; every token back once, in order, the
 *   records of one chain (one run of tokens, the first) as not written,
 *   the rest as written; the log whole (the writes passed).
 *
 * Needs root, /dev/fuse and ra_faultfs, else skipped.  The mount is made
 * in a mount namespace of the test's own, by a child that dies with it.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_faultfs_mount.h"
#include "ra_test.h"
#include "writer/writer.h"
#include "wr_test.h"

#define N_BESIDE 2000
#define DELAY_MS 30

static pid_t fs_pid;
static char fs_mnt[PATH_MAX];

static bool
direct(void)
{
	return getenv("RA_WR_DIRECT") != NULL;
}

/* Files this process has open now. */
static unsigned
open_files(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* ra_faultfs over DIR/back on DIR/mnt, its control file DIR/ctl holding
 * MODE; the log's folder is DIR/mnt. */
static void
mount_faultfs(const char *dir, const char *mode)
{
	char back[PATH_MAX], ctl[PATH_MAX];
	const char *missing = ra_faultfs_missing();

	if (missing != NULL) {
		print_message("skipped: %s\n", missing);
		skip();
	}
	if (!private_mounts()) {
		print_message("skipped: no mount namespace: %s\n",
		    strerror(errno));
		skip();
	}
	join_path(back, sizeof(back), dir, "back");
	join_path(fs_mnt, sizeof(fs_mnt), dir, "mnt");
	join_path(ctl, sizeof(ctl), dir, "ctl");
	assert_int_equal(mkdir(fs_mnt, 0700), 0);
	fs_pid = ra_faultfs_start(back, fs_mnt, ctl, mode);
	if (fs_pid < 0) {
		fs_pid = 0;
		fail_msg("ra_faultfs did not mount %s", fs_mnt);
	}
}

static int
beside_teardown(void **state)
{
	ra_faultfs_stop(&fs_pid, fs_mnt);
	fs_mnt[0] = '\0';
	return teardown(state);
}

static void
beside_run(enum wr_flush flush, const char *name)
{
	char dir[64], path[PATH_MAX], mode[32];
	struct wr_config c;
	struct wr_stats st;
	struct buf want = { 0 };
	struct run_result res;
	unsigned files;

	make_tmpdir(dir, sizeof(dir));
	snprintf(mode, sizeof(mode), "delay %d", DELAY_MS);
	mount_faultfs(dir, mode);
	join_path(path, sizeof(path), fs_mnt, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, flush, 50);
	files = open_files();
	ra_test_guard(name, 120);
	run_writer(&c, N_BESIDE, 0, 1, &want, &st, &res);
	ra_test_unguard();
	print_stats(name, &st);
	print_message("%s: syncs beside another %" PRIu64 "\n", name,
	    st.syncs_beside);
	assert_no_stall(name, &res, N_BESIDE);
	assert_int_equal(st.written, N_BESIDE);
	assert_int_equal(st.durable, N_BESIDE);
	assert_int_equal(st.sync_errors, 0);
	assert_int_equal(st.write_errors, 0);
	assert_file_is(path, &want);
	if (direct())
		assert_int_equal(st.syncs_beside, 0);
	else
		assert_true(st.syncs_beside >= 1);
	/* The log and its second open closed with the writer. */
	assert_int_equal(open_files(), files);
	buf_free(&want);
}

/* Tokens 1..n each back once, in order; those in state ERROR one run,
 * whose length is returned (its first token in *first, else 0); all the
 * others WRITTEN. */
static unsigned
check_acks(struct ring *acks, unsigned n, unsigned *first)
{
	unsigned next = 1, errors = 0, runs = 0;
	bool in_run = false;
	void *item;

	*first = 0;
	while (ring_trypop(acks, &item)) {
		uint32_t t = RING_ACK_TOKEN(item);
		enum ring_ack_state st = RING_ACK_STATE(item);

		if (t != next)
			fail_msg("ack %u came where %u was due", t, next);
		next++;
		if (st == RING_ACK_ERROR) {
			errors++;
			if (!in_run && runs++ == 0)
				*first = t;
			in_run = true;
		} else if (st == RING_ACK_WRITTEN) {
			in_run = false;
		} else {
			fail_msg("ack %u: state %d", t, (int)st);
		}
	}
	assert_int_equal(next, n + 1);
	assert_true(runs <= 1);
	return errors;
}

/* N_BESIDE records of remote clients, acknowledged when durable, the
 * prior's answer taken last, on ra_faultfs playing FAULT with DELAY_MS
 * ("delay", "eio-sync N"). */
static void
held_run(enum wr_flush flush, const char *fault, const char *name,
    struct wr_stats *st, unsigned *error_acks, unsigned *first_error)
{
	char dir[64], path[PATH_MAX], mode[32];
	struct wr_config c;
	struct buf want = { 0 };
	struct run_result res;
	struct ring acks;

	make_tmpdir(dir, sizeof(dir));
	snprintf(mode, sizeof(mode), "%s %d", fault, DELAY_MS);
	mount_faultfs(dir, mode);
	join_path(path, sizeof(path), fs_mnt, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, flush, 50);
	assert_int_equal(ring_init(&acks, N_BESIDE + 1, NULL, NULL), 0);
	c.acks = &acks;
	c.ack_durable = true;
	c.prior_answers_last = true;
	run_acks = true;
	ra_test_guard(name, 120);
	run_writer(&c, N_BESIDE, 0, 1, &want, st, &res);
	ra_test_unguard();
	run_acks = false;
	print_stats(name, st);
	print_message("%s: syncs beside another %" PRIu64 ", held %" PRIu64
	    "\n", name, st->syncs_beside, st->syncs_held);
	assert_no_stall(name, &res, N_BESIDE);
	assert_int_equal(st->written, N_BESIDE);
	assert_int_equal(st->write_errors, 0);
	assert_int_equal(st->acked, N_BESIDE);
	*error_acks = check_acks(&acks, N_BESIDE, first_error);
	assert_file_is(path, &want);
	if (direct())
		assert_int_equal(st->syncs_held, 0);
	else
		assert_true(st->syncs_held >= 1);
	ring_fini(&acks);
	buf_free(&want);
}

static void
test_held(void **state)
{
	struct wr_stats st;
	unsigned errors, first;

	(void)state;
	held_run(WR_FLUSH_SYNC, "delay", "held", &st, &errors, &first);
	assert_int_equal(errors, 0);
	assert_int_equal(st.sync_errors, 0);
	assert_int_equal(st.durable, N_BESIDE);
}

static void
test_held_error(void **state)
{
	struct wr_stats st;
	unsigned errors, first;

	(void)state;
	held_run(WR_FLUSH_DATA, "eio-sync 0", "held_error", &st, &errors,
	    &first);
	print_message("held_error: %u records acknowledged as not written, "
	    "from token %u\n", errors, first);
	assert_int_equal(st.sync_errors, 1);
	/* The first chain's: the sync that failed was the first asked. */
	assert_int_equal(first, 1);
	assert_true(errors >= 1 && errors < N_BESIDE);
}

static void
test_data_beside(void **state)
{
	(void)state;
	beside_run(WR_FLUSH_DATA, "beside_data");
}

static void
test_sync_beside(void **state)
{
	(void)state;
	beside_run(WR_FLUSH_SYNC, "beside_sync");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_data_beside, beside_teardown),
		cmocka_unit_test_teardown(test_sync_beside, beside_teardown),
		cmocka_unit_test_teardown(test_held, beside_teardown),
		cmocka_unit_test_teardown(test_held_error, beside_teardown),
	};

	return wr_test_main("test_writer_beside", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
