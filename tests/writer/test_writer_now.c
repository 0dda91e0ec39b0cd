/*
 * test_writer_now.c - fewer wake-ups of io_uring's worker thread: with
 * io_uring, a small write with nothing in flight is made on the writer's
 * thread (io.c), not handed to the worker; one that takes a millisecond
 * or more sends the next second's writes through io_uring; and an idle
 * writer closes its ring, so that the worker goes.
 *
 * - A log with flush = none: some writes are made at once, and the log
 *   is whole and in order.
 * - flush = incremental_async (freq 50): a sync point's chain is written
 *   at once too, and its sync is made on the writer's sync thread
 *   (syncer.c): every write is made at once (unless one was slow), syncs
 *   are made, the last one covers every record, the log is whole.
 * - incremental_async, lulls after 500, 1,000 and 1,500 records: a sync
 *   owed when one began (a sync point passed while a sync was made) is
 *   made in the lull, not when the next record comes: one record later,
 *   every record before the lull is counted durable.  (The writer sleeps
 *   without the waiter's safety net here, so a lost wake-up shows.  Its
 *   doze before sleeping often takes the answer itself: with the want of
 *   a wake-up for an owed sync left out of writer.c, 1 run in 6 failed;
 *   test_syncer holds the want itself.)
 * - flush = data: every write is in a chain with its sync (group
 *   commit), none is made at once, no sync is the sync thread's.
 * - A stream (a pipe) read slowly, 4 KiB every 3 ms: a write into the
 *   full pipe is slow; after it, writes go through io_uring; the reader
 *   gets every line in order.
 * - The first write made at once 2 ms asleep: 128 ms of writes through
 *   io_uring, then made at once again.
 * - incremental_async, each write made at once 1.5 ms on the CPU
 *   (now_spin_us), as a thread kept from its CPU: counted, none called
 *   slow, every write still made at once.
 * - Idle halfway (renew_ms 50, group commit): the writer closes its
 *   ring, its io_uring worker thread goes, and the second half is
 *   written and synced through a new ring.
 * Run without io_uring (RA_WR_DIRECT, the _direct variant) every write
 * is a system call and none is counted as made at once.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "ra_test.h"
#include "writer/writer.h"
#include "wr_test.h"

#define N_NOW 2000

static bool
direct(void)
{
	return getenv("RA_WR_DIRECT") != NULL;
}

static unsigned log_freq = 50;
/* For the next log_run: the log on a tmpfs (no write-back to wait for),
 * and the writer's test seams now_spin_us and now_sleep_once_us. */
static bool log_tmpfs;
static unsigned log_spin_us, log_sleep_once_us;

/* N_NOW records to a log with FLUSH (freq log_freq) and renew_ms
 * RENEW_MS (run_hook and the log_ knobs as the caller set them; the
 * knobs are reset): all written, the log as sent. */
static void
log_run(enum wr_flush flush, unsigned renew_ms, const char *name,
    struct wr_stats *st)
{
	char dir[64], path[PATH_MAX];
	struct wr_config c;
	struct buf want = { 0 };
	struct run_result res;
	bool tmpfs = log_tmpfs;

	if (tmpfs)
		mount_small(dir, sizeof(dir), "16m");
	else
		make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, flush, log_freq);
	c.renew_ms = renew_ms;
	c.now_spin_us = log_spin_us;
	c.now_sleep_once_us = log_sleep_once_us;
	log_tmpfs = false;
	log_spin_us = log_sleep_once_us = 0;
	ra_test_guard(name, 60);
	run_writer(&c, N_NOW, 0, 1, &want, st, &res);
	ra_test_unguard();
	print_stats(name, st);
	print_message("%s: writes made at once %" PRIu64 " of %" PRIu64
	    ", slow %" PRIu64 ", kept from the CPU %" PRIu64 ", rings "
	    "closed %" PRIu64 "\n", name, st->writes_now, st->writes,
	    st->writes_now_slow, st->writes_now_preempted, st->ring_renewals);
	assert_no_stall(name, &res, N_NOW);
	assert_int_equal(st->written, N_NOW);
	assert_file_is(path, &want);
	assert_true(st->writes_now <= st->writes);
	buf_free(&want);
	/* A tmpfs goes with the teardown, which unmounts it first. */
	if (!tmpfs)
		rm_rf(dir);
}

static void
test_small_writes_at_once(void **state)
{
	struct wr_stats st;

	(void)state;
	log_run(WR_FLUSH_NONE, 0, "now_none", &st);
	if (direct())
		assert_int_equal(st.writes_now, 0);
	else
		assert_true(st.writes_now >= 1);
}

static void
test_async_chains_at_once(void **state)
{
	struct wr_stats st;

	(void)state;
	log_run(WR_FLUSH_INCREMENTAL_ASYNC, 0, "now_async", &st);
	assert_true(st.syncs >= 1);
	/* The last sync, at the end, covers every record. */
	assert_int_equal(st.durable, N_NOW);
	if (direct()) {
		assert_int_equal(st.writes_now, 0);
		assert_int_equal(st.syncs_by_thread, 0);
	} else {
		assert_true(st.syncs_by_thread >= 1);
		if (st.writes_now_slow == 0)
			assert_int_equal(st.writes_now, st.writes);
	}
}

/*
 * Writes made at once that each take 1.5 ms on the CPU, never asleep
 * (now_spin_us), as when the thread loses its CPU to another: counted,
 * and nothing else changes: no write is called slow, every write is
 * still made at once.  The log is on a tmpfs, where a write has no
 * write-back to wait for (on this disk one in ten slept on it, and
 * rightly paused).  Before the sleep was looked at, the first of them
 * sent a second of writes through io_uring (on a busy two-core machine
 * at 20,000 events/s, a few times a minute; PERF.md).
 */
static void
test_slow_on_the_cpu_no_pause(void **state)
{
	struct wr_stats st;

	(void)state;
	log_tmpfs = true;
	log_spin_us = 1500;
	log_run(WR_FLUSH_INCREMENTAL_ASYNC, 0, "now_spin", &st);
	assert_int_equal(st.durable, N_NOW);
	if (direct()) {
		assert_int_equal(st.writes_now, 0);
		assert_int_equal(st.writes_now_preempted, 0);
		return;
	}
	assert_true(st.writes_now_preempted >= 1);
	assert_int_equal(st.writes_now_slow, 0);
	assert_int_equal(st.writes_now_preempted, st.writes_now);
	assert_int_equal(st.writes_now, st.writes);
}

/*
 * The first write made at once sleeps 2 ms (now_sleep_once_us), as one
 * that waited for the disk: the writes of the next 64 times as long
 * (128 ms) go through io_uring, and after that they are made at once
 * again.  Records come 10 every 4 ms for about 0.8 s; at 400 ms the
 * counts are taken.  With a second's pause for any slow write (before
 * this change) no write after 400 ms was made at once.
 */
static uint64_t pause_at_now, pause_at_writes, pause_t0;
static bool pause_seen;

static void
pause_hook(unsigned i, const struct buf *want)
{
	const struct timespec gap = { 0, 4000000 };
	struct wr_stats st;

	(void)want;
	if (i == 0)
		pause_t0 = clock_mono_ns();
	if (i % 10 != 0)
		return;
	run_flush();
	nanosleep(&gap, NULL);
	if (!pause_seen && clock_mono_ns() - pause_t0 >= 400000000u) {
		wr_get_stats(run_wr, &st);
		pause_at_now = st.writes_now;
		pause_at_writes = st.writes;
		pause_seen = true;
	}
}

static void
test_slow_write_pause_ends(void **state)
{
	struct wr_stats st;

	(void)state;
	log_tmpfs = true;
	log_sleep_once_us = 2000;
	pause_seen = false;
	run_hook = pause_hook;
	log_run(WR_FLUSH_NONE, 0, "pause_ends", &st);
	run_hook = NULL;
	print_message("pause_ends: at 400 ms, writes made at once %" PRIu64
	    " of %" PRIu64 "\n", pause_at_now, pause_at_writes);
	assert_true(pause_seen);
	if (direct()) {
		assert_int_equal(st.writes_now, 0);
		return;
	}
	/* The slow write, then writes through io_uring ... */
	assert_int_equal(st.writes_now_slow, 1);
	assert_true(pause_at_writes > pause_at_now);
	/* ... and after the pause, every write made at once again. */
	assert_true(st.writes > pause_at_writes);
	assert_int_equal(st.writes_now - pause_at_now,
	    st.writes - pause_at_writes);
}

/* ---- lulls: the owed sync is made in them ---- */

#define LULLS 3

static const unsigned lull_at[LULLS] = { 500, 1000, 1500 };
static struct wr_stats lull_st[LULLS];

/* Nothing for 300 ms after lull_at[k] records, and again after one more;
 * the counts at the end of the second pause. */
static void
lull_hook(unsigned i, const struct buf *want)
{
	const struct timespec ts = { 0, 300000000 };

	(void)want;
	for (unsigned k = 0; k < LULLS; k++) {
		if (i == lull_at[k]) {
			run_flush();
			nanosleep(&ts, NULL);
		}
		if (i == lull_at[k] + 1) {
			run_flush();
			nanosleep(&ts, NULL);
			wr_get_stats(run_wr, &lull_st[k]);
		}
	}
}

static void
test_async_owed_sync_in_a_lull(void **state)
{
	struct wr_stats st;

	(void)state;
	memset(lull_st, 0, sizeof(lull_st));
	run_hook = lull_hook;
	run_wake_only = true;
	/* A sync point every 5 records: the writer takes 16 at a time, so
	 * the last sync point before a lull is owed. */
	log_freq = 5;
	log_run(WR_FLUSH_INCREMENTAL_ASYNC, 0, "lull", &st);
	log_freq = 50;
	run_wake_only = false;
	run_hook = NULL;
	for (unsigned k = 0; k < LULLS; k++) {
		print_message("lull %u: after %u records and one more, written "
		    "%" PRIu64 ", durable %" PRIu64 ", syncs %" PRIu64 " (%"
		    PRIu64 " on the sync thread)\n", k, lull_at[k],
		    lull_st[k].written, lull_st[k].durable, lull_st[k].syncs,
		    lull_st[k].syncs_by_thread);
		assert_int_equal(lull_st[k].written, lull_at[k] + 1);
		/* The last sync point before the lull was owed (a sync was
		 * in flight).  Made in the lull, its answer is taken with the
		 * next record; had it waited for that record, it would be
		 * the one in flight now, and the count would stop at the
		 * sync before it. */
		assert_true(lull_st[k].durable >= lull_at[k]);
	}
	assert_int_equal(st.durable, N_NOW);
}

static void
test_group_commit_not_at_once(void **state)
{
	struct wr_stats st;

	(void)state;
	log_run(WR_FLUSH_DATA, 0, "now_data", &st);
	assert_int_equal(st.writes_now, 0);
	assert_int_equal(st.syncs_by_thread, 0);
	assert_int_equal(st.writes_now_slow, 0);
	assert_true(st.syncs >= 1);
	assert_int_equal(st.durable, N_NOW);
}

/* ---- a stream read slowly ---- */

struct slow_reader {
	pthread_t thread;
	int fd;
	struct buf got;
};

static void *
slow_reader_main(void *arg)
{
	struct slow_reader *r = arg;
	const struct timespec ts = { 0, 3000000 };
	char chunk[4096];
	ssize_t n;

	while ((n = read(r->fd, chunk, sizeof(chunk))) > 0) {
		buf_add(&r->got, chunk, (size_t)n);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void
test_slow_write_pauses(void **state)
{
	struct wr_config c;
	struct wr_stats st;
	struct buf want = { 0 };
	struct run_result res;
	struct slow_reader r = { 0 };
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	/* One page: a write of more waits for the reader. */
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 4096) >= 4096);
	r.fd = p[0];
	assert_int_equal(pthread_create(&r.thread, NULL, slow_reader_main,
	    &r), 0);
	base_config(NULL, &c, WR_OUT_FD, NULL, WR_FLUSH_NONE, 0);
	c.fd = p[1];
	ra_test_guard("slow_write", 60);
	run_writer(&c, N_NOW, 0, 1, &want, &st, &res);
	ra_test_unguard();
	close(p[1]);
	pthread_join(r.thread, NULL);
	close(p[0]);
	print_stats("slow", &st);
	print_message("slow: writes made at once %" PRIu64 ", slow %" PRIu64
	    ", bytes %zu\n", st.writes_now, st.writes_now_slow, want.len);
	assert_no_stall("slow", &res, N_NOW);
	assert_int_equal(st.written, N_NOW);
	assert_int_equal(r.got.len, want.len);
	assert_memory_equal(r.got.p, want.p, want.len);
	if (direct()) {
		assert_int_equal(st.writes_now, 0);
	} else {
		/* The pipe holds 4 KiB and the lines are more: a write made
		 * at once waited for the reader's 3 ms at least once, and
		 * writes went through io_uring after it. */
		assert_true(st.writes_now_slow >= 1);
		assert_true(st.writes > st.writes_now);
	}
	buf_free(&want);
	buf_free(&r.got);
}

/* ---- an idle writer closes its ring ---- */

static unsigned idle_at;
static bool idle_no_worker;

/* Whether a kernel io_uring worker thread (iou-wrk-*) is ours now. */
static bool
have_uring_worker(void)
{
	char path[300], comm[32];
	bool found = false;
	struct dirent *e;
	DIR *d = opendir("/proc/self/task");

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
		    e->d_name);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strncmp(comm, "iou-wrk", 7) == 0)
			found = true;
		fclose(f);
	}
	closedir(d);
	return found;
}

/* Halfway, nothing comes for a while: the writer closes its ring, and
 * its worker thread goes (3 s at most, polled). */
static void
idle_hook(unsigned i, const struct buf *want)
{
	const struct timespec ts = { 0, 20000000 };

	(void)want;
	if (i != idle_at)
		return;
	for (unsigned k = 0; k < 150; k++) {
		nanosleep(&ts, NULL);
		if (k >= 5 && !have_uring_worker()) {
			idle_no_worker = true;
			return;
		}
	}
}

static void
test_idle_ring_closed(void **state)
{
	struct wr_stats st;

	(void)state;
	idle_at = N_NOW / 2;
	idle_no_worker = false;
	run_hook = idle_hook;
	/* Group commit: every write and sync through io_uring.  The second
	 * half goes through a new ring. */
	log_run(WR_FLUSH_DATA, 50, "idle", &st);
	run_hook = NULL;
	assert_int_equal(st.durable, N_NOW);
	if (direct()) {
		assert_int_equal(st.ring_renewals, 0);
	} else {
		assert_true(st.ring_renewals >= 1);
		assert_true(idle_no_worker);
	}
}

int
main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_small_writes_at_once),
		T(test_async_chains_at_once),
		T(test_async_owed_sync_in_a_lull),
		T(test_group_commit_not_at_once),
		T(test_slow_write_pauses),
		T(test_slow_on_the_cpu_no_pause),
		T(test_slow_write_pause_ends),
		T(test_idle_ring_closed),
	};
#undef T

	return wr_test_main("test_writer_now", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
