/*
 * test_writer.c - the writer thread alone, driven by this program acting as
 * ingest and as one parser worker.
 *
 * The harness builds what pipeline.c builds around the writer: a pool of
 * records, the free ring (capacity = the pool, its consumer a futex waiter
 * owned here, no producer waiter) and one from_worker ring (consumer: the
 * writer's eventfd waiter, producer: a futex waiter owned here).  It takes
 * free records, writes a line straight into each (seq from 0, no gaps),
 * pushes them as a worker does (ring_push_wait, a wake per batch), ends the
 * stream with an EOS record and joins the writer.  Then it checks the file
 * byte for byte against the lines it made, and the writer's counters.
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

#define POOL_RECS 256
#define WORKER_RING 64
#define PUSH_BATCH 16
#define N_RECS 2000
#define FREQ 7
#define BATCH_BYTES (64u << 10)
#define NBUFS 4
#define WR_TEST_MIN_LINE 30	/* make_line's shortest line */

/* ---- a growing byte buffer: the lines we expect in the file ---- */

struct buf {
	char *p;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static char *
read_file(const char *path, size_t *len)
{
	struct stat sb;
	char *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	p = malloc((size_t)sb.st_size + 1);
	assert_non_null(p);
	*len = 0;
	while (*len < (size_t)sb.st_size) {
		ssize_t n = read(fd, p + *len, (size_t)sb.st_size - *len);

		assert_true(n > 0);
		*len += (size_t)n;
	}
	close(fd);
	return p;
}

static size_t
count_lines(const char *p, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += p[i] == '\n';
	return n;
}

/* The file is exactly 'want'; on a mismatch, say where. */
static void
assert_file_is(const char *path, const struct buf *want)
{
	size_t len, i;
	char *got = read_file(path, &len);

	for (i = 0; i < len && i < want->len; i++)
		if (got[i] != want->p[i])
			break;
	if (i < len || i < want->len) {
		fail_msg("%s: %zu bytes, %zu expected; first difference at "
		    "byte %zu (line %zu)", path, len, want->len, i,
		    count_lines(want->p, i < want->len ? i : want->len) + 1);
	}
	free(got);
}

/* ---- the harness: ingest + one worker around the writer ---- */

struct harness {
	struct ring_pool pool;
	struct ring free_ring;
	struct ring from_worker;
	struct ring_waiter free_w;	/* ours: consumer of the free ring */
	struct ring_waiter prod_w;	/* ours: producer of from_worker */
	struct ring_waiter writer_w;	/* the writer's (eventfd) */
	struct wr *wr;
	unsigned batch;			/* pushed since the last wake */
	uint64_t seq;
	uint64_t free_sleeps;
};

static void
h_init(struct harness *h)
{
	unsigned i;

	memset(h, 0, sizeof(*h));
	assert_int_equal(ring_pool_create(&h->pool, POOL_RECS), 0);
	assert_int_equal(ring_waiter_init(&h->free_w, false), 0);
	assert_int_equal(ring_waiter_init(&h->prod_w, false), 0);
	assert_int_equal(ring_waiter_init(&h->writer_w, true), 0);
	assert_int_equal(ring_init(&h->free_ring, POOL_RECS, &h->free_w,
	    NULL), 0);
	assert_int_equal(ring_init(&h->from_worker, WORKER_RING,
	    &h->writer_w, &h->prod_w), 0);
	/* As ingest does: every record starts on the free ring. */
	for (i = 0; i < POOL_RECS; i++)
		assert_true(ring_trypush(&h->free_ring, &h->pool.recs[i]));
}

static void
h_fini(struct harness *h)
{
	wr_destroy(h->wr);
	h->wr = NULL;
	ring_fini(&h->free_ring);
	ring_fini(&h->from_worker);
	ring_waiter_fini(&h->free_w);
	ring_waiter_fini(&h->prod_w);
	ring_waiter_fini(&h->writer_w);
	ring_pool_destroy(&h->pool);
}

static void
base_config(struct harness *h, struct wr_config *c, enum wr_output out,
    const char *path, enum wr_flush flush, unsigned freq)
{
	memset(c, 0, sizeof(*c));
	c->output = out;
	c->path = path;
	c->fd = -1;
	c->log_group = 0;
	c->params.flush = flush;
	c->params.freq = freq;
	c->batch_bytes = BATCH_BYTES;
	c->nbufs = NBUFS;
	c->workers = 1;
	/* RA_WR_DIRECT: the same tests, without io_uring. */
	c->io_direct = getenv("RA_WR_DIRECT") != NULL;
	/* run_writer fills these in with its own harness. */
	if (h != NULL) {
		c->from_worker = &h->from_worker;
		c->free_ring = &h->free_ring;
		c->self = &h->writer_w;
	}
}

/* A free record, as ingest takes one: spin, announce, re-check, sleep. */
static struct ring_rec *
h_get_free(struct harness *h)
{
	unsigned spins = 0;

	for (;;) {
		struct ring_rec *r;
		uint32_t epoch;

		if (ring_trypop(&h->free_ring, &r))
			return r;
		if (spins++ < 64) {
			ck_pr_stall();
			continue;
		}
		spins = 0;
		/* The writer may be asleep on what we pushed so far. */
		ring_waiter_wake(h->from_worker.consumer);
		h->batch = 0;
		epoch = ring_waiter_prepare(&h->free_w);
		if (ring_count(&h->free_ring) > 0) {
			ring_waiter_cancel(&h->free_w);
			continue;
		}
		h->free_sleeps++;
		ring_waiter_sleep(&h->free_w, epoch);
	}
}

/* As a worker pushes: wait on a full ring, wake the writer per batch. */
static void
h_push(struct harness *h, struct ring_rec *r)
{
	assert_true(ring_push_wait(&h->from_worker, r, &h->prod_w, NULL));
	if (++h->batch >= PUSH_BATCH) {
		h->batch = 0;
		ring_waiter_wake(h->from_worker.consumer);
	}
}

static void
h_flush(struct harness *h)
{
	h->batch = 0;
	ring_waiter_wake(h->from_worker.consumer);
}

/*
 * Record i of a run tagged 'tag': lengths vary, and every 500th line is
 * long (8000 bytes) so buffers fill and close at odd places.
 */
static void
make_line(struct ring_rec *r, uint64_t seq, unsigned tag, unsigned i,
    uint16_t flags, struct buf *want)
{
	char *p = ring_rec_payload(r);
	size_t room = RING_REC_DATA_SIZE - RING_REC_HEADROOM;
	unsigned pad = i % 500 == 499 ? 8000 : (i * 7) % 61;
	int n;

	n = snprintf(p, room, "type=USER msg=audit(1.000:%u): n=%u t=%u ",
	    i, i, tag);
	assert_true(n > 0 && (size_t)n + pad + 1 < room);
	memset(p + n, 'a' + (char)(i % 26), pad);
	n += (int)pad;
	p[n++] = '\n';
	r->seq = seq;
	r->recv_ns = clock_mono_ns();
	r->serial = i;
	r->type = 1100;
	r->flags = flags;
	r->len = (uint32_t)n;
	r->line_off = RING_REC_HEADROOM;
	r->line_len = (uint32_t)n;
	r->node_len = 0;
	if (want != NULL && !(flags & RING_REC_SKIP))
		buf_add(want, p, (size_t)n);
}

/* Records pushed so far are all accounted for: end the stream. */
static void
h_end(struct harness *h)
{
	struct ring_rec *r = h_get_free(h);

	memset(r, 0, offsetof(struct ring_rec, data));
	r->seq = h->seq++;
	r->flags = RING_REC_EOS;
	h_push(h, r);
	h_flush(h);
}

/*
 * The watchdog: if no record was pushed for STALL_MS, the writer is stuck.
 * It then writes the writer's eventfd itself (outside the protocol: a
 * "kick") so that the run can end and the test fail with a reason, and
 * the harness ends the stream early.  Once it has kicked, it kicks again
 * sooner, so that a writer that stalls on every sync still finishes.
 */
#define STALL_MS 1000
#define STALL_AGAIN_MS 100

struct watchdog {
	pthread_t thread;
	int efd;
	_Atomic uint64_t progress;
	_Atomic bool done;
	_Atomic unsigned kicks;
};

static void *
watchdog_main(void *arg)
{
	struct watchdog *wd = arg;
	uint64_t last = UINT64_MAX;
	unsigned idle = 0;

	while (!atomic_load(&wd->done)) {
		struct timespec ts = { 0, 50 * 1000000L };
		uint64_t p;

		nanosleep(&ts, NULL);
		p = atomic_load(&wd->progress);
		if (p != last) {
			last = p;
			idle = 0;
			continue;
		}
		idle += 50;
		if (idle >= (atomic_load(&wd->kicks) ? STALL_AGAIN_MS :
		    STALL_MS)) {
			uint64_t one = 1;

			idle = 0;
			atomic_fetch_add(&wd->kicks, 1);
			if (write(wd->efd, &one, sizeof(one)) < 0) {
				/* saturated: it will wake anyway */
			}
		}
	}
	return NULL;
}

struct run_result {
	unsigned pushed;	/* records pushed before EOS (stall: fewer) */
	unsigned kicks;		/* times the watchdog had to wake the writer */
};

/* An instruction put on the record with index 'at' (RING_CMD_*). */
struct cmd_at {
	unsigned at;
	uint16_t cmd;
};

/* For the next run_writer: a list ending with { UINT32_MAX, 0 }. */
static const struct cmd_at *run_cmds;
/* For the next run_writer: called before record i is made, with the
 * lines made so far (what another program does to the log meanwhile). */
static void (*run_hook)(unsigned i, const struct buf *want);

static uint16_t
cmd_for(unsigned i)
{
	const struct cmd_at *c;

	for (c = run_cmds; c != NULL && c->at != UINT32_MAX; c++)
		if (c->at == i)
			return c->cmd;
	return RING_CMD_NONE;
}

/*
 * One writer run: n records (every skip_every-th one, if not 0, marked
 * RING_REC_SKIP), then EOS and join.  The lines that should be logged are
 * appended to 'want'.  If the writer stalls, the stream ends early.
 */
static void
run_writer(const struct wr_config *c, unsigned n, unsigned skip_every,
    unsigned tag, struct buf *want, struct wr_stats *st,
    struct run_result *res)
{
	struct watchdog wd;
	struct harness h;
	struct ring_rec *r;
	unsigned i;

	h_init(&h);
	{
		/* The harness owns the rings the config points at. */
		struct wr_config cc = *c;

		cc.from_worker = &h.from_worker;
		cc.free_ring = &h.free_ring;
		cc.self = &h.writer_w;
		assert_int_equal(wr_create(&h.wr, &cc), 0);
	}
	memset(&wd, 0, sizeof(wd));
	wd.efd = h.writer_w.efd;
	assert_int_equal(pthread_create(&wd.thread, NULL, watchdog_main, &wd),
	    0);
	assert_int_equal(wr_start(h.wr), 0);
	for (i = 0; i < n && atomic_load(&wd.kicks) == 0; i++) {
		uint16_t flags = skip_every != 0 && i % skip_every ==
		    skip_every - 1 ? RING_REC_SKIP : 0;

		if (run_hook != NULL)
			run_hook(i, want);
		r = h_get_free(&h);
		make_line(r, h.seq++, tag, i, flags, want);
		r->cmd = cmd_for(i);
		h_push(&h, r);
		atomic_fetch_add(&wd.progress, 1);
	}
	res->pushed = i;
	h_end(&h);
	assert_int_equal(wr_join(h.wr), 0);
	atomic_store(&wd.done, true);
	pthread_join(wd.thread, NULL);
	res->kicks = atomic_load(&wd.kicks);
	wr_get_stats(h.wr, st);

	/* Every record came back to the free ring; nothing is left over. */
	assert_int_equal(ring_count(&h.free_ring), POOL_RECS);
	assert_int_equal(ring_count(&h.from_worker), 0);
	h_fini(&h);
}

/* A stalled writer fails the test with the reason, before the counts. */
static void
assert_no_stall(const char *what, const struct run_result *res, unsigned n)
{
	if (res->kicks == 0)
		return;
	fail_msg("%s: the writer stopped making progress after %u of %u "
	    "records and needed %u wake-ups from the watchdog (a sync chain "
	    "submitted with IOSQE_IO_DRAIN waits for the writer's own armed "
	    "eventfd read, which completes only on the next wake)", what,
	    res->pushed, n, res->kicks);
}

static void
print_stats(const char *what, const struct wr_stats *st)
{
	print_message("%s: records %" PRIu64 " skipped %" PRIu64 " written %"
	    PRIu64 " durable %" PRIu64 " bytes %" PRIu64 " writes %" PRIu64
	    " short %" PRIu64 " syncs %" PRIu64 " write_errors %" PRIu64
	    " sync_errors %" PRIu64 " dropped %" PRIu64 " waits %" PRIu64
	    " buffer_waits %" PRIu64 " lat_written %" PRIu64 " lat_durable %"
	    PRIu64 "\n", what, st->records, st->skipped, st->written,
	    st->durable, st->bytes, st->writes, st->short_writes, st->syncs,
	    st->write_errors, st->sync_errors, st->dropped, st->waits,
	    st->buffer_waits, st->lat_written.count, st->lat_durable.count);
}

/* ---- a temporary directory per test ---- */

/* The current test's directory, removed by the teardown if it fails. */
static char tmp_dir[64];
static bool tmp_mounted;

static void
make_tmpdir(char *dir, size_t len)
{
	assert_true(len >= sizeof(tmp_dir));
	strcpy(dir, "/tmp/test_writer.XXXXXX");
	assert_non_null(mkdtemp(dir));
	strcpy(tmp_dir, dir);
}

static void
rm_rf(const char *path)
{
	char cmd[PATH_MAX + 32];

	/* Test-only cleanup of a mkdtemp() directory. */
	assert_true(strncmp(path, "/tmp/test_writer.", 17) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		print_message("could not remove %s\n", path);
	if (strcmp(path, tmp_dir) == 0)
		tmp_dir[0] = '\0';
}

/* Runs after every test, passed or failed. */
static int
teardown(void **state)
{
	(void)state;
	alarm(0);
	if (tmp_mounted && umount2(tmp_dir, MNT_DETACH) < 0)
		print_message("umount %s: %s\n", tmp_dir, strerror(errno));
	tmp_mounted = false;
	if (tmp_dir[0] != '\0')
		rm_rf(tmp_dir);
	return 0;
}

static void
join_path(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < len);
}

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

/* ---- a write error: a full file system ---- */

/* Mounts go into a private mount namespace when we can have one, so that
 * a crash cannot leave a tmpfs behind on the host. */
static bool
private_mounts(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return false;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return false;
	return true;
}

/* A new temporary folder with a tmpfs of 'size' on it, or skip. */
static void
mount_small(char *dir, size_t len, const char *size)
{
	char opts[64];

	make_tmpdir(dir, len);
	if (!private_mounts())
		print_message("no private mount namespace (%s): mounting in "
		    "the current one\n", strerror(errno));
	snprintf(opts, sizeof(opts), "size=%s,mode=0700", size);
	if (mount("tmpfs", dir, "tmpfs", 0, opts) < 0) {
		print_message("skipped: cannot mount a %s tmpfs on %s: %s\n",
		    size, dir, strerror(errno));
		rm_rf(dir);
		skip();
	}
	tmp_mounted = true;
}

/* Every line of got is a line of want, in want's order. */
static bool
lines_in_order(const char *got, size_t glen, const char *want, size_t wlen,
    size_t *nlines)
{
	size_t g = 0, w = 0;

	*nlines = 0;
	while (g < glen) {
		const char *ge = memchr(got + g, '\n', glen - g);
		size_t gl;

		if (ge == NULL)
			return false;	/* a partial line */
		gl = (size_t)(ge - (got + g)) + 1;
		for (;;) {
			const char *we;
			size_t wl;

			if (w >= wlen)
				return false;
			we = memchr(want + w, '\n', wlen - w);
			wl = (size_t)(we - (want + w)) + 1;
			w += wl;
			if (wl == gl && memcmp(want + w - wl, got + g, gl) == 0)
				break;
		}
		g += gl;
		(*nlines)++;
	}
	return true;
}

/*
 * A full disk.  With disk_full_action = suspend the file holds the start
 * of the log and nothing after the first failure.  With ignore the writer
 * goes on: each failed buffer is dropped and cut back, so the file holds
 * whole lines of the log, in order, exactly as many as counted written.
 */
static void
write_error(enum wr_flush flush, enum wr_act act, const char *name)
{
	char dir[64], path[PATH_MAX];
	struct wr_config c;
	struct wr_stats st;
	struct buf want = { 0 };
	const unsigned n = 4000;
	struct run_result res;
	size_t len;
	char *got;

	mount_small(dir, sizeof(dir), "64k");
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, flush, FREQ);
	c.params.disk_full_act = act;
	ra_test_guard(name, 60);
	run_writer(&c, n, 0, 3, &want, &st, &res);
	ra_test_unguard();
	print_stats(name, &st);
	got = read_file(path, &len);

	if (umount(dir) < 0) {
		print_message("umount %s: %s\n", dir, strerror(errno));
		assert_int_equal(umount2(dir, MNT_DETACH), 0);
	}
	tmp_mounted = false;
	assert_no_stall(name, &res, n);
	assert_true(want.len > 64u << 10);
	assert_int_equal(st.records, n);
	assert_true(st.write_errors > 0);
	assert_true(st.dropped > 0);
	assert_int_equal(st.written + st.dropped, n);
	assert_int_equal(st.lat_written.count, st.written);
	assert_true(len <= want.len);
	if (act == WR_ACT_SUSPEND) {
		/* The start of the log, with no hole. */
		if (memcmp(got, want.p, len) != 0)
			fail_msg("%s: the %zu bytes on the full tmpfs are not "
			    "the start of the log", name, len);
	} else {
		size_t nl;

		if (!lines_in_order(got, len, want.p, want.len, &nl))
			fail_msg("%s: the file holds a partial line or a line "
			    "out of order", name);
		assert_int_equal(nl, st.written);
		assert_int_equal(st.holes, 0);
	}
	/* A record whose write failed is not durable. */
	if (st.durable > st.written)
		fail_msg("%s: durable %" PRIu64 " > written %" PRIu64 ": "
		    "records whose write failed are counted durable", name,
		    st.durable, st.written);
	free(got);
	buf_free(&want);
	rm_rf(dir);
}

static void
test_write_error_none(void **state)
{
	(void)state;
	write_error(WR_FLUSH_NONE, WR_ACT_SUSPEND, "write_error_none");
}

static void
test_write_error_data(void **state)
{
	(void)state;
	write_error(WR_FLUSH_DATA, WR_ACT_SUSPEND, "write_error_data");
}

static void
test_write_error_incremental(void **state)
{
	(void)state;
	write_error(WR_FLUSH_INCREMENTAL, WR_ACT_SUSPEND,
	    "write_error_incremental");
}

/*
 * Regression: with incremental_async a chain (a sync point) and plain
 * writes are in flight together.  When a short chain write and a failed
 * plain write met, the chain was dropped without cutting the file back to
 * its start, and the file was cut "back" to the failed buffer's offset,
 * past its end: ftruncate filled the gap with zeros.
 */
static void
test_write_error_incremental_async(void **state)
{
	(void)state;
	write_error(WR_FLUSH_INCREMENTAL_ASYNC, WR_ACT_SUSPEND,
	    "write_error_incremental_async");
}

static void
test_disk_full_ignore_incremental_async(void **state)
{
	(void)state;
	write_error(WR_FLUSH_INCREMENTAL_ASYNC, WR_ACT_NONE,
	    "disk_full_ignore_incremental_async");
}

static void
test_disk_full_ignore_none(void **state)
{
	(void)state;
	write_error(WR_FLUSH_NONE, WR_ACT_NONE, "disk_full_ignore_none");
}

static void
test_disk_full_ignore_data(void **state)
{
	(void)state;
	write_error(WR_FLUSH_DATA, WR_ACT_NONE, "disk_full_ignore_data");
}

static void
test_disk_full_ignore_incremental(void **state)
{
	(void)state;
	write_error(WR_FLUSH_INCREMENTAL, WR_ACT_NONE,
	    "disk_full_ignore_incremental");
}

/*
 * Regression: incremental_chain_waits_for_wake_read.  After the writer
 * slept and timed out, the read of its eventfd stays armed in its
 * io_uring.  When freq records then reach the writer while it is awake
 * (so a worker's wake is, by design, no system call), the sync chain used
 * to be submitted with IOSQE_IO_DRAIN, which waits for every earlier
 * request - that read included - so those records were neither written
 * nor synced until some later wake.  On a quiet system: never.
 *
 * To make "the records arrive while it is awake" deterministic, the test
 * pushes them while the writer sleeps and does not wake it: the writer
 * finds them when its 100 ms sleep times out, awake, with the read armed.
 * They must be in the file well within a second.
 */
/* ---- rotation, suspension, resumption ---- */

/* want split into its lines: line i is the record of index i. */
struct lines {
	const char **p;
	size_t *len;
	unsigned n;
};

static void
split_lines(const struct buf *want, struct lines *l)
{
	size_t o = 0;

	memset(l, 0, sizeof(*l));
	l->p = calloc(want->len / WR_TEST_MIN_LINE + 1, sizeof(*l->p));
	l->len = calloc(want->len / WR_TEST_MIN_LINE + 1, sizeof(*l->len));
	assert_non_null(l->p);
	assert_non_null(l->len);
	while (o < want->len) {
		const char *e = memchr(want->p + o, '\n', want->len - o);

		assert_non_null(e);
		l->p[l->n] = want->p + o;
		l->len[l->n] = (size_t)(e - (want->p + o)) + 1;
		o += l->len[l->n++];
	}
}

static void
lines_free(struct lines *l)
{
	free(l->p);
	free(l->len);
}

/* Records [from, to) of the run, as the log holds them. */
static void
range(struct buf *out, const struct lines *l, unsigned from, unsigned to)
{
	unsigned i;

	for (i = from; i < to; i++)
		buf_add(out, l->p[i], l->len[i]);
}

/* Where the last line of p[0..len) starts; p ends with '\n'. */
static const char *
last_line(const char *p, size_t len)
{
	const char *q = p + len - 2;

	while (q > p && q[-1] != '\n')
		q--;
	return q;
}

static bool
file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* The record index in a line "type=USER msg=audit(1.000:I): ...". */
static unsigned
line_index(const char *line)
{
	const char *p = strstr(line, ":");

	assert_non_null(p);
	return (unsigned)strtoul(p + 1, NULL, 10);
}

/*
 * SIGUSR1's rotation, in band: with num_logs = 3 the live log and two
 * numbered ones are kept, each record that carried the instruction is the
 * first of its new log, and the oldest log is gone.
 */
static void
test_rotate_in_band(void **state)
{
	static const struct cmd_at cmds[] = {
		{ 500, RING_CMD_ROTATE }, { 1000, RING_CMD_ROTATE },
		{ 1500, RING_CMD_ROTATE }, { UINT32_MAX, 0 },
	};
	char dir[64], path[PATH_MAX], p1[PATH_MAX + 8], p2[PATH_MAX + 8],
	    p3[PATH_MAX + 8];
	struct buf want = { 0 }, exp = { 0 };
	struct run_result res;
	struct wr_config c;
	struct wr_stats st;
	struct lines l;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	snprintf(p1, sizeof(p1), "%s.1", path);
	snprintf(p2, sizeof(p2), "%s.2", path);
	snprintf(p3, sizeof(p3), "%s.3", path);
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_INCREMENTAL, FREQ);
	c.params.num_logs = 3;
	run_cmds = cmds;
	ra_test_guard("rotate_in_band", 60);
	run_writer(&c, N_RECS, 0, 1, &want, &st, &res);
	ra_test_unguard();
	run_cmds = NULL;
	assert_no_stall("rotate_in_band", &res, N_RECS);
	assert_int_equal(st.rotations, 3);
	assert_int_equal(st.rotate_errors, 0);
	assert_int_equal(st.written, N_RECS);
	split_lines(&want, &l);
	range(&exp, &l, 1500, N_RECS);
	assert_file_is(path, &exp);
	exp.len = 0;
	range(&exp, &l, 1000, 1500);
	assert_file_is(p1, &exp);
	exp.len = 0;
	range(&exp, &l, 500, 1000);
	assert_file_is(p2, &exp);
	/* num_logs = 3: the log with records 0..499 was the oldest. */
	assert_false(file_exists(p3));
	lines_free(&l);
	buf_free(&exp);
	buf_free(&want);
	rm_rf(dir);
}

/*
 * max_log_file with rotate (num_logs large enough to keep all) and with
 * keep_logs: every record is in exactly one log, in order, and each log
 * but the live one was rotated on the first record that took it to the
 * limit.
 */
static void
size_rotation(enum wr_act a, unsigned num_logs, const char *what)
{
	char dir[64], path[PATH_MAX], name[PATH_MAX + 16];
	struct buf want = { 0 }, all = { 0 };
	const uint64_t max = 24u << 10;
	struct run_result res;
	struct wr_config c;
	struct wr_stats st;
	unsigned k, files;

	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_DATA, 0);
	c.params.max_log_bytes = max;
	c.params.max_log_act = a;
	c.params.num_logs = num_logs;
	ra_test_guard(what, 60);
	run_writer(&c, N_RECS, 0, 2, &want, &st, &res);
	ra_test_unguard();
	assert_no_stall(what, &res, N_RECS);
	assert_int_equal(st.written, N_RECS);
	assert_true(st.rotations >= want.len / (max + 9000));
	files = (unsigned)st.rotations;
	assert_true(files < 99);
	/* Oldest first: audit.log.N ... audit.log.1, then audit.log. */
	for (k = files; k >= 1; k--) {
		size_t len;
		char *got;

		snprintf(name, sizeof(name), "%s.%u", path, k);
		got = read_file(name, &len);
		/* At the limit, and over it by the last record only. */
		assert_true(len >= max);
		assert_true(len >= 2 && got[len - 1] == '\n');
		assert_true((uint64_t)(last_line(got, len) - got) < max);
		buf_add(&all, got, len);
		free(got);
	}
	snprintf(name, sizeof(name), "%s.%u", path, files + 1);
	assert_false(file_exists(name));
	{
		size_t len;
		char *got = read_file(path, &len);

		buf_add(&all, got, len);
		free(got);
	}
	if (all.len != want.len || memcmp(all.p, want.p, want.len) != 0)
		fail_msg("%s: the %u logs together are not the stream", what,
		    files + 1);
	buf_free(&all);
	buf_free(&want);
	rm_rf(dir);
}

static void
test_size_rotate(void **state)
{
	(void)state;
	size_rotation(WR_ACT_ROTATE, 99, "size_rotate");
}

static void
test_size_keep_logs(void **state)
{
	(void)state;
	/* keep_logs ignores num_logs. */
	size_rotation(WR_ACT_KEEP_LOGS, 2, "size_keep_logs");
}

/*
 * max_log_file = suspend: records after the limit are dropped and
 * counted; a rotation while suspended keeps logging suspended; resume
 * writes again, starting with the record that carried it.
 */
static void
test_suspend_rotate_resume(void **state)
{
	static const struct cmd_at cmds[] = {
		{ 1000, RING_CMD_ROTATE }, { 1500, RING_CMD_RESUME },
		{ UINT32_MAX, 0 },
	};
	char dir[64], path[PATH_MAX], p1[PATH_MAX + 8];
	struct buf want = { 0 }, exp = { 0 };
	const uint64_t max = 64u << 10;
	struct run_result res;
	struct wr_config c;
	struct wr_stats st;
	struct lines l;
	unsigned last;
	size_t len;
	char *got;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	snprintf(p1, sizeof(p1), "%s.1", path);
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, 0);
	c.params.max_log_bytes = max;
	c.params.max_log_act = WR_ACT_SUSPEND;
	c.params.num_logs = 2;
	run_cmds = cmds;
	ra_test_guard("suspend_rotate_resume", 60);
	run_writer(&c, N_RECS, 0, 3, &want, &st, &res);
	ra_test_unguard();
	run_cmds = NULL;
	split_lines(&want, &l);
	/* The rotated log: records from 0 to the one that reached max. */
	got = read_file(p1, &len);
	assert_true(len >= max && len > 0 && got[len - 1] == '\n');
	last = line_index(last_line(got, len));
	free(got);
	range(&exp, &l, 0, last + 1);
	assert_file_is(p1, &exp);
	/* Resumed at 1500, and 1500..1999 stay under the limit. */
	exp.len = 0;
	range(&exp, &l, 1500, N_RECS);
	assert_file_is(path, &exp);
	assert_int_equal(st.dropped, 1500 - (last + 1));
	assert_int_equal(st.written + st.dropped, N_RECS);
	assert_int_equal(st.rotations, 1);
	lines_free(&l);
	buf_free(&exp);
	buf_free(&want);
	rm_rf(dir);
}

/*
 * space_left as a percentage: on a 4 MiB tmpfs, 50% is 2 MiB (auditd
 * resolves it in whole MiB of the partition).  With suspend, logging stops
 * within one space check (64 KiB) and what was already in buffers of the
 * crossing; the daemon is told once; the records after are counted.
 */
static void
test_space_left_percent_suspends(void **state)
{
	char dir[64], path[PATH_MAX];
	struct wr_config c;
	struct wr_stats st;
	struct wr_state ws;
	struct buf want = { 0 };
	const unsigned n = 40000;
	struct harness h;
	struct stat sb;
	uint32_t ev;
	unsigned i;

	(void)state;
	mount_small(dir, sizeof(dir), "4m");
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, 0);
	c.params.space_left.value = 50;
	c.params.space_left.percent = true;
	c.params.space_left.act = WR_ACT_SUSPEND;
	c.params.admin_space_left.value = 0;

	/* run_writer's harness, kept open to ask the writer afterwards. */
	h_init(&h);
	{
		struct wr_config cc = c;

		cc.from_worker = &h.from_worker;
		cc.free_ring = &h.free_ring;
		cc.self = &h.writer_w;
		assert_int_equal(wr_create(&h.wr, &cc), 0);
	}
	ra_test_guard("space_left_percent", 60);
	assert_int_equal(wr_start(h.wr), 0);
	for (i = 0; i < n; i++) {
		struct ring_rec *r = h_get_free(&h);

		make_line(r, h.seq++, 4, i, 0, &want);
		h_push(&h, r);
	}
	h_end(&h);
	assert_int_equal(wr_join(h.wr), 0);
	ra_test_unguard();
	wr_get_stats(h.wr, &st);
	wr_get_state(h.wr, &ws);
	ev = wr_take_events(h.wr);
	assert_int_equal(stat(path, &sb), 0);
	print_message("space_left_percent: log %lld bytes, threshold %llu, "
	    "dropped %llu\n", (long long)sb.st_size,
	    (unsigned long long)ws.space_left_bytes,
	    (unsigned long long)st.dropped);
	assert_int_equal(ws.space_left_bytes, 2u << 20);
	assert_true(ev & WR_EV_SPACE_LEFT);
	assert_false(ev & WR_EV_ADMIN_SPACE_LEFT);
	assert_true(ws.suspended);
	assert_true(ws.space_left_hit);
	/* Suspended once free space fell under 2 MiB: the log is then over
	 * 2 MiB, by at most a check's 64 KiB and the buffers in hand. */
	assert_true(sb.st_size > (off_t)(2u << 20) - (64 << 10));
	assert_true(sb.st_size < (off_t)(2u << 20) + (64 << 10) +
	    (off_t)(NBUFS + 1) * BATCH_BYTES);
	assert_true(st.dropped > 0);
	assert_int_equal(st.written + st.dropped, n);
	assert_int_equal(st.write_errors, 0);
	wr_destroy(h.wr);
	h.wr = NULL;
	h_fini(&h);
	buf_free(&want);
}

static void
test_incremental_chain_waits_for_wake_read(void **state)
{
	char dir[64], path[PATH_MAX];
	struct buf want = { 0 };
	struct wr_config c;
	struct wr_stats st;
	struct harness h;
	unsigned round, i, rec = 0, stalled_round = 0;
	struct watchdog wd;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	h_init(&h);
	base_config(&h, &c, WR_OUT_FILE, path, WR_FLUSH_INCREMENTAL, FREQ);
	assert_int_equal(wr_create(&h.wr, &c), 0);
	ra_test_guard("incremental_chain_waits_for_wake_read", 60);
	assert_int_equal(wr_start(h.wr), 0);
	for (round = 1; round <= 5 && stalled_round == 0; round++) {
		struct stat sb;
		unsigned ms;

		/* Idle and asleep, its eventfd read armed. */
		while (!atomic_load(&h.writer_w.sleeping))
			ck_pr_stall();
		for (i = 0; i < FREQ; i++) {
			struct ring_rec *r = h_get_free(&h);

			make_line(r, h.seq++, 4, rec++, 0, &want);
			assert_true(ring_trypush(&h.from_worker, r));
		}
		for (ms = 0; ms < 1000; ms += 10) {
			struct timespec ts = { 0, 10 * 1000000L };

			assert_int_equal(stat(path, &sb), 0);
			if ((size_t)sb.st_size == want.len)
				break;
			nanosleep(&ts, NULL);
		}
		if ((size_t)sb.st_size != want.len)
			stalled_round = round;
	}
	/* If it is stuck, kick it until the stream has ended. */
	memset(&wd, 0, sizeof(wd));
	wd.efd = h.writer_w.efd;
	if (stalled_round != 0) {
		atomic_store(&wd.kicks, 1);
		assert_int_equal(pthread_create(&wd.thread, NULL,
		    watchdog_main, &wd), 0);
	}
	h_end(&h);
	assert_int_equal(wr_join(h.wr), 0);
	if (stalled_round != 0) {
		atomic_store(&wd.done, true);
		pthread_join(wd.thread, NULL);
	}
	ra_test_unguard();
	wr_get_stats(h.wr, &st);
	print_stats("incremental_idle", &st);
	if (stalled_round != 0)
		fail_msg("round %u: %u records (one freq) that reached an idle "
		    "incremental writer were not in the file 1 s later",
		    stalled_round, FREQ);
	assert_file_is(path, &want);
	assert_int_equal(st.written, rec);
	assert_int_equal(st.durable, rec);
	assert_int_equal(st.syncs, rec / FREQ + 1);
	h_fini(&h);
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
		T(test_truncated_log_goes_on_at_its_top),
		T(test_moved_log_is_followed_by_a_new_one),
		T(test_deleted_log_is_followed_by_a_new_one),
		T(test_without_io_uring_says_so),
		T(test_discard),
		T(test_output_fd),
		T(test_file_and_dir_modes),
		T(test_log_has_one_writer),
		T(test_unwritable_path),
		T(test_write_error_none),
		T(test_write_error_data),
		T(test_write_error_incremental),
		T(test_disk_full_ignore_none),
		T(test_disk_full_ignore_data),
		T(test_disk_full_ignore_incremental),
		T(test_write_error_incremental_async),
		T(test_disk_full_ignore_incremental_async),
		T(test_incremental_chain_waits_for_wake_read),
		T(test_rotate_in_band),
		T(test_size_rotate),
		T(test_size_keep_logs),
		T(test_suspend_rotate_resume),
		T(test_space_left_percent_suspends),
	};
#undef T

	log_init("test_writer", true, false);
	/* RA_TEST_FILTER=pattern runs only the matching tests. */
	if (getenv("RA_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("RA_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
