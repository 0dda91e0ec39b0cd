/*
 * test_writer.c - the writer thread alone, driven by this program acting as
 * ingest and as one parser worker (wr_test.c, the harness): each flush
 * mode, records not logged by rule, appending to a log there was, a last
 * line cut short, writing without io_uring, and the outputs other than a
 * file.  test_writer_log.c (the log and its folder under the writer),
 * test_writer_errors.c (a full disk) and test_writer_rotate.c (rotation,
 * suspension, space) hold the rest.
 *
 * Every test runs under an alarm: a writer that stops waking up fails the
 * program with the test's name instead of hanging ctest.
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

/* ---- one test per flush mode ---- */

static void
common_checks(const struct wr_stats *st, unsigned n, const struct buf *want)
{
	assert_int_equal(st->records, n);
	assert_int_equal(st->skipped, 0);
	assert_int_equal(st->written, n);
	assert_int_equal(st->durable, n);
	assert_int_equal(st->bytes, want->len);
	assert_int_equal(st->write_errors, 0);
	assert_int_equal(st->sync_errors, 0);
	assert_int_equal(st->dropped, 0);
	assert_int_equal(st->lat_written.count, n);
	assert_true(st->writes >= 1);
}

static void
flush_mode(enum wr_flush flush, unsigned freq, const char *name,
    struct wr_stats *st)
{
	char dir[64], path[PATH_MAX];
	struct wr_config c;
	struct buf want = { 0 };
	struct run_result res;

	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, flush, freq);
	ra_test_guard(name, 60);
	run_writer(&c, N_RECS, 0, 1, &want, st, &res);
	ra_test_unguard();
	print_stats(name, st);
	assert_no_stall(name, &res, N_RECS);
	assert_file_is(path, &want);
	{
		size_t len;
		char *got = read_file(path, &len);

		assert_int_equal(count_lines(got, len), N_RECS);
		free(got);
	}
	common_checks(st, N_RECS, &want);
	buf_free(&want);
	rm_rf(dir);
}

/*
 * flush = none: no sync while running.  At end of stream wr_main submits
 * one last fsync "whatever the mode" (final_sync), so that what was logged
 * before DAEMON_END is on disk: exactly one sync, covering every record.
 */
static void
test_flush_none(void **state)
{
	struct wr_stats st;

	(void)state;
	flush_mode(WR_FLUSH_NONE, FREQ, "flush_none", &st);
	assert_int_equal(st.syncs, 1);
	assert_int_equal(st.lat_durable.count, 0);
}

/*
 * flush = incremental, freq = 7.  pull() counts logged records
 * (since_sync) and on every 7th marks the current buffer as a sync point
 * and closes it.  submit_queued() turns each sync point into one chain:
 * the queued buffers up to and including it, linked to one fdatasync, and
 * stops at the sync point, so two sync points never share a sync.  The
 * N % 7 records after the last sync point go out as a plain write, and
 * the end-of-stream fsync follows.  So, with no short writes or errors:
 * syncs == N / 7 + 1 exactly (N = 2000: 285 + 1).
 */
static void
test_flush_incremental(void **state)
{
	struct wr_stats st;

	(void)state;
	flush_mode(WR_FLUSH_INCREMENTAL, FREQ, "flush_incremental", &st);
	assert_int_equal(st.short_writes, 0);
	assert_int_equal(st.syncs, N_RECS / FREQ + 1);
	assert_int_equal(st.lat_durable.count, 0);
}

/*
 * incremental_async: the same sync points, but the writer does not wait.
 * A sync point met while a sync is in flight is written at once and owes
 * one sync, made when the one in flight ends; several sync points can
 * share it.  So between 2 (one, plus the end-of-stream fsync) and
 * N / 7 + 1 syncs, and every record durable at the end.
 */
static void
test_flush_incremental_async(void **state)
{
	struct wr_stats st;

	(void)state;
	flush_mode(WR_FLUSH_INCREMENTAL_ASYNC, FREQ,
	    "flush_incremental_async", &st);
	assert_int_equal(st.short_writes, 0);
	assert_in_range(st.syncs, 2, N_RECS / FREQ + 1);
	assert_int_equal(st.durable, N_RECS);
	assert_int_equal(st.lat_durable.count, 0);
}

/*
 * flush = data / sync: group commit.  Every record is in some group whose
 * sync completed (lat_durable counts each record once), and the end of
 * stream adds its own fsync: at least one group plus that one.
 */
static void
test_flush_data(void **state)
{
	struct wr_stats st;

	(void)state;
	flush_mode(WR_FLUSH_DATA, FREQ, "flush_data", &st);
	assert_true(st.syncs >= 2);
	assert_true(st.syncs <= N_RECS + 1);
	assert_int_equal(st.lat_durable.count, N_RECS);
}

static void
test_flush_sync(void **state)
{
	struct wr_stats st;

	(void)state;
	flush_mode(WR_FLUSH_SYNC, FREQ, "flush_sync", &st);
	assert_true(st.syncs >= 2);
	assert_true(st.syncs <= N_RECS + 1);
	assert_int_equal(st.lat_durable.count, N_RECS);
}

/* ---- skipped records, appending, other outputs ---- */

/*
 * Every 5th record is RING_REC_SKIP: not written, counted in records and
 * skipped.  (flush = none, so that this test does not depend on the
 * incremental modes; there skipped records are not counted towards freq
 * either: pull() bumps since_sync only for logged ones.)
 */
static void
test_skip_not_written(void **state)
{
	char dir[64], path[PATH_MAX];
	struct wr_config c;
	struct wr_stats st;
	struct run_result res;
	struct buf want = { 0 };
	const unsigned n = 1000, logged = n - n / 5;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, FREQ);
	ra_test_guard("skip_not_written", 60);
	run_writer(&c, n, 5, 2, &want, &st, &res);
	ra_test_unguard();
	print_stats("skip", &st);
	assert_no_stall("skip", &res, n);
	assert_file_is(path, &want);
	assert_int_equal(st.records, n);
	assert_int_equal(st.skipped, n / 5);
	assert_int_equal(st.written, logged);
	assert_int_equal(st.durable, logged);
	assert_int_equal(st.lat_written.count, logged);
	assert_int_equal(st.bytes, want.len);
	assert_int_equal(st.syncs, 1);
	buf_free(&want);
	rm_rf(dir);
}

/*
 * The dispatcher's feed: the writer copies every record into it, skipped
 * ones too, and never waits for it.  Nobody reads this feed (a stalled
 * dispatcher): the log is complete all the same, and every record is
 * either in the feed, in order, or counted lost there.
 */
static void
test_feed_never_waits(void **state)
{
	char dir[64], path[PATH_MAX];
	struct ring_feed feed;
	struct ring_waiter fw;
	struct ring_feed_ent *e;
	struct wr_config c;
	struct wr_stats st;
	struct run_result res;
	struct buf want = { 0 };
	const unsigned n = 1000;
	uint64_t pos = 0, seq = 0, in_feed = 0;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	assert_int_equal(ring_waiter_init(&fw, true), 0);
	assert_int_equal(ring_feed_init(&feed, 64 << 10, &fw), 0);
	atomic_store(&feed.on, true);
	atomic_store(&fw.sleeping, 1);	/* as a dispatcher that sleeps */
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, FREQ);
	c.feed = &feed;
	ra_test_guard("feed_never_waits", 60);
	run_writer(&c, n, 5, 2, &want, &st, &res);
	ra_test_unguard();
	assert_no_stall("feed", &res, n);
	assert_file_is(path, &want);
	assert_int_equal(st.written, n - n / 5);
	/* What is in the feed is the first records, in order, whole. */
	while ((e = ring_feed_peek(&feed, &pos)) != NULL) {
		assert_int_equal(e->seq, seq);
		assert_int_equal(e->ver, 1);
		assert_int_equal(e->text[e->len - 1], '\n');
		seq++;
		in_feed++;
		pos += e->span;
	}
	assert_true(in_feed > 0 && in_feed < n);
	assert_int_equal(st.fed, in_feed);
	assert_int_equal(in_feed + atomic_load(&feed.lost), n);
	/* It was woken (it had announced sleep) for what it was given. */
	assert_true(atomic_load(&fw.wakes) > 0);
	buf_free(&want);

	/* No plugin (the feed off): nothing copied, and a dispatcher that
	 * sleeps is never woken. */
	atomic_store(&feed.on, false);
	atomic_store(&fw.sleeping, 1);
	atomic_store(&fw.wakes, 0);
	memset(&want, 0, sizeof(want));
	join_path(path, sizeof(path), dir, "audit2.log");
	ra_test_guard("feed_off", 60);
	run_writer(&c, n, 5, 2, &want, &st, &res);
	ra_test_unguard();
	assert_file_is(path, &want);
	assert_int_equal(st.fed, 0);
	assert_int_equal(atomic_load(&fw.wakes), 0);
	ring_feed_fini(&feed);
	ring_waiter_fini(&fw);
	buf_free(&want);
	rm_rf(dir);
}

/* A second run on the same file goes on after what is there. */
static void
test_append_second_run(void **state)
{
	char dir[64], path[PATH_MAX];
	struct wr_config c;
	struct wr_stats st;
	struct buf want = { 0 };
	struct run_result res;
	size_t first;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, 0);
	ra_test_guard("append_second_run", 60);
	run_writer(&c, 700, 0, 1, &want, &st, &res);
	assert_no_stall("append 1", &res, 700);
	assert_int_equal(st.written, 700);
	assert_int_equal(st.bytes, want.len);
	assert_file_is(path, &want);
	first = want.len;
	/* Different lines, with a different flush mode. */
	c.params.flush = WR_FLUSH_DATA;
	run_writer(&c, 1100, 0, 2, &want, &st, &res);
	ra_test_unguard();
	assert_no_stall("append 2", &res, 1100);
	assert_int_equal(st.written, 1100);
	assert_int_equal(st.bytes, want.len - first);
	assert_file_is(path, &want);
	buf_free(&want);
	rm_rf(dir);
}

/*
 * Regression: a kill in the middle of a write left a line without its
 * '\n', and the next start's first record continued it.  The fragment is
 * kept and ended; what follows starts a line.
 */
static void
test_torn_last_line_ended_at_open(void **state)
{
	static const char torn[] = "type=USER msg=audit(1.000:1): a\n"
	    "type=SYSCALL msg=audit(1.000:2): arch=c00";
	char dir[64], path[PATH_MAX];
	struct wr_config c;
	struct wr_stats st;
	struct buf want = { 0 };
	struct run_result res;
	FILE *f;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(torn, f);
	fclose(f);
	buf_add(&want, torn, strlen(torn));
	buf_add(&want, "\n", 1);
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_INCREMENTAL_ASYNC,
	    50);
	ra_test_guard("torn_last_line", 60);
	run_writer(&c, 300, 0, 1, &want, &st, &res);
	ra_test_unguard();
	assert_no_stall("torn", &res, 300);
	assert_int_equal(st.written, 300);
	assert_file_is(path, &want);
	buf_free(&want);
	rm_rf(dir);
}

/* Without io_uring the writer says so in its figures (the metrics). */
static void
test_without_io_uring_says_so(void **state)
{
	char dir[64], path[PATH_MAX];
	struct wr_config c;
	struct wr_stats st;
	struct buf want = { 0 };
	struct run_result res;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_DATA, 0);
	ra_test_guard("without_io_uring", 60);
	c.io_direct = false;
	run_writer(&c, 50, 0, 1, &want, &st, &res);
	assert_int_equal(st.io_direct, 0);
	c.io_direct = true;
	run_writer(&c, 50, 0, 2, &want, &st, &res);
	ra_test_unguard();
	assert_int_equal(st.io_direct, 1);
	assert_int_equal(st.written, 50);
	assert_true(st.syncs > 0);
	assert_file_is(path, &want);
	buf_free(&want);
	rm_rf(dir);
}

/* write_logs = no: nothing written, every record counted and returned. */
static void
test_discard(void **state)
{
	char dir[64], path[PATH_MAX];
	struct wr_config c;
	struct wr_stats st;
	struct run_result res;
	struct stat sb;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_DISCARD, path, WR_FLUSH_SYNC, FREQ);
	ra_test_guard("discard", 60);
	run_writer(&c, N_RECS, 0, 1, NULL, &st, &res);
	ra_test_unguard();
	print_stats("discard", &st);
	assert_no_stall("discard", &res, N_RECS);
	assert_int_equal(stat(path, &sb), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(st.records, N_RECS);
	assert_int_equal(st.written, 0);
	assert_int_equal(st.durable, 0);
	assert_int_equal(st.bytes, 0);
	assert_int_equal(st.writes, 0);
	assert_int_equal(st.syncs, 0);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.lat_written.count, 0);
	rm_rf(dir);
}

/* An open stream (-f: stderr): written at its own position, no syncs. */
static void
test_output_fd(void **state)
{
	char dir[64], path[PATH_MAX];
	struct wr_config c;
	struct wr_stats st;
	struct buf want = { 0 };
	struct run_result res;
	int fd;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "stream");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "HEADER\n", 7), 7);
	buf_add(&want, "HEADER\n", 7);
	base_config(NULL, &c, WR_OUT_FD, NULL, WR_FLUSH_SYNC, FREQ);
	c.fd = fd;
	ra_test_guard("output_fd", 60);
	run_writer(&c, N_RECS, 0, 1, &want, &st, &res);
	ra_test_unguard();
	print_stats("fd", &st);
	assert_no_stall("fd", &res, N_RECS);
	/* The writer does not own the stream. */
	assert_int_equal(fcntl(fd, F_GETFD) >= 0, 1);
	close(fd);
	assert_file_is(path, &want);
	assert_int_equal(st.written, N_RECS);
	assert_int_equal(st.syncs, 0);
	assert_int_equal(st.lat_written.count, N_RECS);
	buf_free(&want);
	rm_rf(dir);
}

int
main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_flush_none),
		T(test_flush_incremental),
		T(test_flush_incremental_async),
		T(test_flush_data),
		T(test_flush_sync),
		T(test_skip_not_written),
		T(test_feed_never_waits),
		T(test_append_second_run),
		T(test_torn_last_line_ended_at_open),
		T(test_without_io_uring_says_so),
		T(test_discard),
		T(test_output_fd),
	};
#undef T

	return wr_test_main("test_writer", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
