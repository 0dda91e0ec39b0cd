/*
 * wr_test.c - the writer tests' harness (wr_test.h): this program acting as
 * ingest and as one parser worker around the writer thread.
 *
 * The harness builds what pipeline.c builds around the writer: a pool of
 * records, the free ring (capacity = the pool, its consumer a futex waiter
 * owned here, no producer waiter) and one from_worker ring (consumer: the
 * writer's eventfd waiter, producer: a futex waiter owned here).  It takes
 * free records, writes a line straight into each (seq from 0, no gaps),
 * pushes them as a worker does (ring_push_wait, a wake per batch), ends the
 * stream with an EOS record and joins the writer.  The tests then check the
 * file byte for byte against the lines it made, and the writer's counters.
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

/* ---- a growing byte buffer: the lines we expect in the file ---- */


void
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

void
buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

char *
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

size_t
count_lines(const char *p, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += p[i] == '\n';
	return n;
}

/* The file is exactly 'want'; on a mismatch, say where. */
void
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


void
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

void
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

void
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
struct ring_rec *
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
void
h_push(struct harness *h, struct ring_rec *r)
{
	assert_true(ring_push_wait(&h->from_worker, r, &h->prod_w, NULL));
	if (++h->batch >= PUSH_BATCH) {
		h->batch = 0;
		ring_waiter_wake(h->from_worker.consumer);
	}
}

void
h_flush(struct harness *h)
{
	h->batch = 0;
	ring_waiter_wake(h->from_worker.consumer);
}

/*
 * Record i of a run tagged 'tag': lengths vary, and every 500th line is
 * long (8000 bytes) so buffers fill and close at odd places.
 */
void
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
	r->ack = 0;
	if (want != NULL && !(flags & RING_REC_SKIP))
		buf_add(want, p, (size_t)n);
}

/* Records pushed so far are all accounted for: end the stream. */
void
h_end(struct harness *h)
{
	struct ring_rec *r = h_get_free(h);

	memset(r, 0, offsetof(struct ring_rec, data));
	r->seq = h->seq++;
	r->flags = RING_REC_EOS;
	h_push(h, r);
	h_flush(h);
}

#define STALL_MS 1000
#define STALL_AGAIN_MS 100

void *
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


const struct cmd_at *run_cmds;
void (*run_hook)(unsigned i, const struct buf *want);
struct wr *run_wr;
bool run_wake_only;
static struct harness *run_h;

void
run_flush(void)
{
	h_flush(run_h);
}
bool run_acks;

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
void
run_writer(const struct wr_config *c, unsigned n, unsigned skip_every,
    unsigned tag, struct buf *want, struct wr_stats *st,
    struct run_result *res)
{
	struct watchdog wd;
	struct harness h;
	struct ring_rec *r;
	unsigned i;

	h_init(&h);
	if (run_wake_only)
		h.writer_w.sleep_ms = -1;
	{
		/* The harness owns the rings the config points at. */
		struct wr_config cc = *c;

		cc.from_worker = &h.from_worker;
		cc.free_ring = &h.free_ring;
		cc.self = &h.writer_w;
		assert_int_equal(wr_create(&h.wr, &cc), 0);
	}
	run_wr = h.wr;
	run_h = &h;
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
		if (run_acks)
			r->ack = i + 1;
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
	run_wr = NULL;
	run_h = NULL;
}

/* A stalled writer fails the test with the reason, before the counts. */
void
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

void
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
char tmp_dir[64];
bool tmp_mounted;

void
make_tmpdir(char *dir, size_t len)
{
	assert_true(len >= sizeof(tmp_dir));
	strcpy(dir, "/tmp/test_writer.XXXXXX");
	assert_non_null(mkdtemp(dir));
	strcpy(tmp_dir, dir);
}

void
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
int
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

void
join_path(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < len);
}

/* Mounts go into a private mount namespace when we can have one, so that
 * a crash cannot leave a tmpfs behind on the host. */
bool
private_mounts(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return false;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return false;
	return true;
}

/* A new temporary folder with a tmpfs of 'size' on it, or skip. */
void
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

int
wr_test_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	log_init(name, true, false);
	/* RA_TEST_FILTER=pattern runs only the matching tests. */
	if (getenv("RA_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("RA_TEST_FILTER"));
	return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}
