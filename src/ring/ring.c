/*
 * ring.c - record pools, ring set-up, and the slow half of the wait/wake
 * protocol described in ring.h.
 *
 * The fast paths (push, pop, the fence-and-check in ring_waiter_wake) are
 * inline in ring.h.  What is here runs only when a thread goes to sleep or
 * must wake one: the futex or eventfd system calls, and the bounded spin
 * that comes before them.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <ck_pr.h>

#include "common/stat.h"
#include "ring/ring.h"

/* The page size a pool's slots are touched by at start (ring_pool_create):
 * the smallest Linux has, so a bigger one is touched whole all the same. */
#define RING_POOL_PAGE 4096

/* Spins before a producer facing a full ring announces sleep. */
#define RING_SPINS 128

/* Private anonymous pages, backed only when first touched; NULL and errno
 * on failure. */
static void *
ring_map(size_t bytes)
{
	void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

int
ring_pool_create(struct ring_pool *p, unsigned n)
{
	size_t bytes = (size_t)n * sizeof(struct ring_rec);
	void *m;

	if (n == 0)
		return -EINVAL;
	/* Anonymous memory: untouched parts of each slot cost no RSS. */
	if ((m = ring_map(bytes)) == NULL)
		return -errno;
	p->recs = m;
	p->n = n;
	/* Each slot's first page (its header, the headroom and a payload of
	 * up to RING_POOL_PAGE - 64 - RING_REC_HEADROOM bytes: nearly every
	 * record) is touched now.  Otherwise the kernel would allocate it
	 * on the hot path, in a page fault inside the first receive into
	 * each slot, until the pool had gone round once. */
	for (unsigned i = 0; i < n; i++)
		((volatile unsigned char *)&p->recs[i])[RING_POOL_PAGE - 1] = 0;
	return 0;
}

void *
ring_calloc(size_t n, size_t size)
{
	size_t bytes;
	void *m;

	if (n != 0 && size > (SIZE_MAX - RING_CACHELINE) / n)
		return NULL;
	bytes = (n * size + RING_CACHELINE - 1) & ~(size_t)(RING_CACHELINE - 1);
	if (bytes == 0)
		bytes = RING_CACHELINE;
	m = aligned_alloc(RING_CACHELINE, bytes);
	if (m != NULL)
		memset(m, 0, bytes);
	return m;
}

void
ring_pool_destroy(struct ring_pool *p)
{
	if (p->recs != NULL)
		munmap(p->recs, (size_t)p->n * sizeof(struct ring_rec));
	p->recs = NULL;
	p->n = 0;
}

int
ring_init(struct ring *r, unsigned capacity, struct ring_waiter *consumer,
    struct ring_waiter *producer)
{
	unsigned size = 2;

	/* ck_ring holds size - 1 items; round up so capacity fit. */
	if (capacity == 0 || capacity > UINT_MAX / 2)
		return -EINVAL;
	while (size < capacity + 1)
		size <<= 1;
	memset(r, 0, sizeof(*r));
	r->buf = ring_calloc(size, sizeof(*r->buf));
	if (r->buf == NULL)
		return -ENOMEM;
	ck_ring_init(&r->ck, size);
	r->consumer = consumer;
	r->producer = producer;
	return 0;
}

void
ring_fini(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

int
ring_waiter_init(struct ring_waiter *w, bool use_eventfd)
{
	memset(w, 0, sizeof(*w));
	w->efd = -1;
	w->sleep_ms = RING_SLEEP_MS;
	if (use_eventfd) {
		/* Blocking: its owner reads it through io_uring, which then
		 * waits for it; a write never blocks below 2^64 - 1. */
		w->efd = eventfd(0, EFD_CLOEXEC);
		if (w->efd < 0)
			return -errno;
	}
	return 0;
}

void
ring_waiter_fini(struct ring_waiter *w)
{
	if (w->efd >= 0)
		close(w->efd);
	w->efd = -1;
}

void
ring_waiter_wake_slow(struct ring_waiter *w)
{
	uint64_t one = 1;

	/* Only one waker pays the system call. */
	if (!atomic_exchange_explicit(&w->sleeping, 0, memory_order_acq_rel))
		return;
	/* Bump the epoch so a sleeper that has not yet entered the kernel
	 * sees the change and does not sleep (release: the epoch is read
	 * with acquire in ring_waiter_prepare). */
	atomic_fetch_add_explicit(&w->word, 1, memory_order_release);
	atomic_fetch_add_explicit(&w->wakes, 1, memory_order_relaxed);
	if (w->efd >= 0) {
		if (write(w->efd, &one, sizeof(one)) < 0) {
			/* EAGAIN: the counter is saturated, already awake. */
		}
	} else {
		syscall(SYS_futex, &w->word, FUTEX_WAKE_PRIVATE, 1, NULL,
		    NULL, 0);
	}
}

void
ring_waiter_sleep(struct ring_waiter *w, uint32_t epoch)
{
	struct timespec ts, *tsp = NULL;

	if (w->sleep_ms >= 0) {
		ts.tv_sec = w->sleep_ms / 1000;
		ts.tv_nsec = (long)(w->sleep_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	atomic_fetch_add_explicit(&w->sleeps, 1, memory_order_relaxed);
	/* Returns at once (EAGAIN) if a waker bumped the epoch already. */
	syscall(SYS_futex, &w->word, FUTEX_WAIT_PRIVATE, epoch, tsp, NULL, 0);
	ring_waiter_cancel(w);
}

void
ring_baton_return(struct ring_baton *b)
{
	if (atomic_exchange_explicit(&b->word, RING_BATON_IDLE,
	    memory_order_release) == RING_BATON_WANTED)
		syscall(SYS_futex, &b->word, FUTEX_WAKE_PRIVATE, 1, NULL,
		    NULL, 0);
}

void
ring_baton_take(struct ring_baton *b)
{
	for (;;) {
		uint32_t v = RING_BATON_IDLE;

		if (atomic_compare_exchange_strong_explicit(&b->word, &v,
		    RING_BATON_RUN, memory_order_acquire,
		    memory_order_relaxed))
			return;
		/* Lent: say so, and sleep until it comes back (EAGAIN if
		 * it came back meanwhile). */
		if (v == RING_BATON_LENT &&
		    !atomic_compare_exchange_strong_explicit(&b->word, &v,
		    RING_BATON_WANTED, memory_order_relaxed,
		    memory_order_relaxed))
			continue;
		if (v == RING_BATON_RUN)
			fatalx("ring: a stage taken back twice");
		syscall(SYS_futex, &b->word, FUTEX_WAIT_PRIVATE,
		    RING_BATON_WANTED, NULL, NULL, 0);
	}
}

bool
ring_push_wait(struct ring *r, void *item, struct ring_waiter *self,
    const _Atomic bool *stop)
{
	unsigned spins = 0;
	bool waited = false;

	while (!ring_trypush(r, item)) {
		uint32_t epoch;

		if (!waited) {
			waited = true;
			STAT_ADD(r->pstats.full_waits, 1);
			ring_waiter_wake(r->consumer);
		}
		if (spins++ < RING_SPINS) {
			ck_pr_stall();
			continue;
		}
		if (stop != NULL &&
		    atomic_load_explicit(stop, memory_order_relaxed)) {
			atomic_store_explicit(&r->full_wait, false,
			    memory_order_relaxed);
			return false;
		}
		/* Before the announcement's fence (ring_wake_producer). */
		atomic_store_explicit(&r->full_wait, true,
		    memory_order_relaxed);
		epoch = ring_waiter_prepare(self);
		if (ring_count(r) < ring_capacity(r)) {
			ring_waiter_cancel(self);
			continue;
		}
		ring_waiter_sleep(self, epoch);
	}
	if (waited)
		atomic_store_explicit(&r->full_wait, false,
		    memory_order_relaxed);
	return true;
}

int
ring_feed_init(struct ring_feed *f, uint64_t bytes,
    struct ring_waiter *consumer)
{
	uint64_t cap = 4096;
	void *m;

	memset(f, 0, sizeof(*f));
	while (cap < bytes)
		cap <<= 1;
	/* Pages are backed as the feed first goes round, not before. */
	if ((m = ring_map(cap)) == NULL)
		return -errno;
	f->mem = m;
	f->cap = cap;
	f->consumer = consumer;
	return 0;
}

void
ring_feed_fini(struct ring_feed *f)
{
	if (f->mem != NULL)
		munmap(f->mem, f->cap);
	f->mem = NULL;
}

/*
 * A copy of record r as its consumer reads it: the log line, or for
 * protocol 0 the text plugins get in its place (v0_len bytes, the byte
 * the line's '\n' replaced put back, the payload's own newlines too).
 * False if the feed is off, skipping (counted in skipped) or full
 * (counted in lost).  The producer wakes the consumer itself, once for a
 * batch.
 */
bool
ring_feed_put(struct ring_feed *f, const struct ring_rec *r)
{
	struct ring_feed_ent *e;
	uint32_t len = r->v0_len > 0 ? r->v0_len + 1 : r->line_len;
	const char *line = r->data + r->line_off;

	/* Relaxed: a plugin that starts later may miss what comes first. */
	if (!atomic_load_explicit(&f->on, memory_order_relaxed))
		return false;
	if (atomic_load_explicit(&f->skip, memory_order_relaxed)) {
		/* Only the producer writes skipped.  Release: a consumer
		 * that sees the count sees every entry put before. */
		atomic_store_explicit(&f->skipped, atomic_load_explicit(
		    &f->skipped, memory_order_relaxed) + 1,
		    memory_order_release);
		return false;
	}
	if ((e = ring_feed_reserve(f, len)) == NULL)
		return false;
	e->seq = r->seq;
	e->skipped = atomic_load_explicit(&f->skipped, memory_order_relaxed);
	e->type = r->type;
	e->ver = 1;
	e->raw_off = 0;
	if (r->v0_len == 0) {
		memcpy(e->text, line, len);
		ring_feed_commit(f);
		return true;
	}
	memcpy(e->text, line, r->v0_len);
	if (r->line_len - 1 < r->v0_len)
		e->text[r->line_len - 1] = (char)r->v0_byte;
	e->text[r->v0_len] = '\n';
	e->ver = 0;
	e->raw_off = (uint16_t)(RING_REC_HEADROOM - r->line_off);
	for (unsigned i = 0; i < r->v0_nl; i++) {
		uint16_t at;

		memcpy(&at, r->data + RING_REC_HEADROOM + r->len + 1 +
		    i * sizeof(at), sizeof(at));
		e->text[e->raw_off + at] = '\n';
		e->flags = RING_FEED_NL;
	}
	ring_feed_commit(f);
	return true;
}
