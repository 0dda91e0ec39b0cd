/*
 * test_ring.c - the SPSC ring, the record pool and the wait/wake protocol
 * of ring.h.
 *
 * The single-threaded tests pin down the ring's arithmetic: capacity
 * rounding, full and empty, FIFO order, the high-water mark.  The threaded
 * ones are built as Concurrency Kit's validate/ programs are: two threads
 * pinned to CPUs 0 and 1 (when there are two), started together on a
 * barrier.  The stress test pushes millions of distinct items through a
 * small ring, and makes each side sleep at least once whatever the two
 * threads' speeds (the consumer takes nothing until the producer sleeps
 * for room; half-way, the producer pushes nothing until the consumer
 * sleeps for items); the lost-wake-up test puts
 * the consumer to sleep without a timeout, thousands of times, under an
 * alarm, so that one missed wake-up fails the program instead of hanging it.
 * The stress test's producer also sleeps without a timeout, so a consumer
 * that fails to wake it for room (ring_wake_producer) fails it the same way.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
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
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_test.h"

#include <ck_pr.h>

#include "ring/ring.h"

/*
 * Items through the stress ring.  10 million takes about a second on two
 * cores; the sanitizers slow every access down, so they get fewer.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define STRESS_ITEMS 1000000u
#else
#define STRESS_ITEMS 10000000u
#endif
#define STRESS_RING 64
#define CONSUMER_SPINS 64
#define LOST_WAKE_ROUNDS 10000u

/* The first two CPUs this process may run on; -1 if there is only one. */
static void
pick_cpus(int cpu[2])
{
	cpu_set_t set;
	int i, n = 0;

	cpu[0] = cpu[1] = -1;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return;
	for (i = 0; i < CPU_SETSIZE && n < 2; i++)
		if (CPU_ISSET(i, &set))
			cpu[n++] = i;
	if (n < 2)
		cpu[0] = cpu[1] = -1;
}

static void
pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof(set),
	    &set), 0);
}

static void *
item(uint64_t i)
{
	return (void *)(uintptr_t)i;
}

/* ---- single-threaded ---- */

static void
test_init_rounds_capacity(void **state)
{
	static const unsigned asked[] = { 1, 2, 3, 7, 8, 63, 64, 65, 1000,
	    1023, 1024, 4096 };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(asked) / sizeof(asked[0]); i++) {
		struct ring r;
		unsigned cap;

		assert_int_equal(ring_init(&r, asked[i], NULL, NULL), 0);
		cap = ring_capacity(&r);
		assert_true(cap >= asked[i]);
		/* usable = power of two - 1, and no bigger than needed */
		assert_int_equal((cap + 1) & cap, 0);
		assert_true(cap < 2 * asked[i] + 1);
		assert_int_equal(ring_count(&r), 0);
		assert_int_equal(r.pstats.high_water, 0);
		assert_int_equal(r.pstats.full_waits, 0);
		ring_fini(&r);
		assert_null(r.buf);
	}
}

/*
 * Regression: ring_init_capacity_overflow.  ring_init rounds capacity + 1
 * up to a power of two; for capacity UINT_MAX that sum wraps to 0, and
 * ring_init succeeded with a ring of one slot.  Too big must be refused.
 * (Capacities above 2^31 - 1 are refused by the doubling check; they are
 * not tried with smaller values here, which would allocate gigabytes.)
 */
static void
test_ring_init_capacity_overflow(void **state)
{
	static const unsigned asked[] = { UINT_MAX, UINT_MAX - 1,
	    (1u << 31) + 1 };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(asked) / sizeof(asked[0]); i++) {
		struct ring r;
		int rc = ring_init(&r, asked[i], NULL, NULL);

		if (rc == 0) {
			unsigned cap = ring_capacity(&r);

			ring_fini(&r);
			fail_msg("ring_init(%u) succeeded with capacity %u",
			    asked[i], cap);
		}
		assert_int_equal(rc, -EINVAL);
	}
}

static void
test_full_empty_fifo(void **state)
{
	struct ring r;
	unsigned cap, i;
	void *out;

	(void)state;
	assert_int_equal(ring_init(&r, 100, NULL, NULL), 0);
	cap = ring_capacity(&r);

	/* Empty: pop fails and leaves the output alone. */
	out = item(12345);
	assert_false(ring_trypop(&r, &out));
	assert_ptr_equal(out, item(12345));

	/* Several laps, so the indices wrap around the mask. */
	for (unsigned lap = 0; lap < 5; lap++) {
		for (i = 0; i < cap; i++) {
			assert_true(ring_trypush(&r, item(lap * 1000 + i + 1)));
			assert_int_equal(ring_count(&r), i + 1);
		}
		/* Full: exactly at capacity. */
		assert_false(ring_trypush(&r, item(999999)));
		assert_int_equal(ring_count(&r), cap);
		for (i = 0; i < cap; i++) {
			assert_true(ring_trypop(&r, &out));
			assert_ptr_equal(out, item(lap * 1000 + i + 1));
		}
		assert_false(ring_trypop(&r, &out));
		assert_int_equal(ring_count(&r), 0);
	}

	/* Interleaved: one in, one out, still FIFO and never full. */
	for (i = 0; i < 10 * cap; i++) {
		assert_true(ring_trypush(&r, item(i + 1)));
		assert_true(ring_trypush(&r, item(i + 2)));
		assert_true(ring_trypop(&r, &out));
		assert_ptr_equal(out, item(i + 1));
		assert_true(ring_trypop(&r, &out));
		assert_ptr_equal(out, item(i + 2));
	}
	ring_fini(&r);
}

static void
test_high_water_tracks_peak(void **state)
{
	struct ring r;
	unsigned i;
	void *out;

	(void)state;
	assert_int_equal(ring_init(&r, 64, NULL, NULL), 0);
	for (i = 0; i < 5; i++)
		assert_true(ring_trypush(&r, item(i + 1)));
	assert_int_equal(r.pstats.high_water, 5);
	for (i = 0; i < 5; i++)
		assert_true(ring_trypop(&r, &out));
	/* Lower levels later do not lower the mark. */
	for (i = 0; i < 3; i++)
		assert_true(ring_trypush(&r, item(i + 1)));
	assert_int_equal(r.pstats.high_water, 5);
	for (i = 0; i < 3; i++)
		assert_true(ring_trypop(&r, &out));
	/* A new peak raises it, up to the capacity and no further. */
	for (i = 0; i < ring_capacity(&r); i++)
		assert_true(ring_trypush(&r, item(i + 1)));
	assert_false(ring_trypush(&r, item(1)));
	assert_int_equal(r.pstats.high_water, ring_capacity(&r));
	ring_fini(&r);
}

static void
test_pool_create_destroy(void **state)
{
	static const unsigned sizes[] = { 1, 2, 7, 256 };
	unsigned k, i;

	(void)state;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct ring_pool p;

		memset(&p, 0xa5, sizeof(p));
		assert_int_equal(ring_pool_create(&p, sizes[k]), 0);
		assert_non_null(p.recs);
		assert_int_equal(p.n, sizes[k]);
		/* Each slot's first page is resident from the start (no
		 * fault on the hot path), and only that one. */
		for (i = 0; i < p.n; i++) {
			unsigned char in[2];

			assert_int_equal(mincore(&p.recs[i], 2 * 4096, in), 0);
			if (!(in[0] & 1) || (in[1] & 1))
				fail_msg("record %u: pages resident %u %u", i,
				    in[0] & 1, in[1] & 1);
		}
		for (i = 0; i < p.n; i++) {
			const unsigned char *b =
			    (const unsigned char *)&p.recs[i];
			size_t j;

			/* n slots of exactly RING_REC_SIZE, back to back */
			assert_int_equal((const char *)&p.recs[i] -
			    (const char *)p.recs, (size_t)i * RING_REC_SIZE);
			for (j = 0; j < RING_REC_SIZE; j++)
				if (b[j] != 0)
					fail_msg("record %u byte %zu is %u",
					    i, j, b[j]);
		}
		/* Every slot is writable end to end. */
		memset(p.recs, 0x5a, (size_t)p.n * RING_REC_SIZE);
		ring_pool_destroy(&p);
		assert_null(p.recs);
		assert_int_equal(p.n, 0);
		/* Destroying twice is harmless. */
		ring_pool_destroy(&p);
	}
}

static void
test_ring_calloc_aligned_zeroed(void **state)
{
	static const size_t sizes[] = { 1, 63, 64, 65, sizeof(struct ring),
	    sizeof(struct ring_waiter), 1000 };
	unsigned k;

	(void)state;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned char *m = ring_calloc(3, sizes[k]);
		size_t j;

		assert_non_null(m);
		assert_int_equal((uintptr_t)m % RING_CACHELINE, 0);
		for (j = 0; j < 3 * sizes[k]; j++)
			assert_int_equal(m[j], 0);
		free(m);
	}
	/* n * size overflows: refused. */
	assert_null(ring_calloc(SIZE_MAX / 2, 3));
}

/*
 * Regression: ring_calloc_rounding_overflow.  n * size fits, but rounding
 * it up to a cache line wraps around to 0, and ring_calloc returned one
 * 64-byte line for a request of nearly SIZE_MAX bytes.
 */
static void
test_ring_calloc_rounding_overflow(void **state)
{
	void *m;

	(void)state;
	m = ring_calloc(1, SIZE_MAX - 10);
	if (m != NULL) {
		free(m);
		fail_msg("ring_calloc(1, SIZE_MAX - 10) returned memory: the "
		    "round-up to a cache line wrapped around");
	}
}

static void
test_pool_rejects_zero(void **state)
{
	struct ring_pool p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ring_pool_create(&p, 0), -EINVAL);
	assert_null(p.recs);
}

/* ---- the eventfd waiter: the "busy consumer is never woken" contract ---- */

static bool
efd_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = poll(&pfd, 1, 0);

	assert_true(n >= 0);
	return n == 1 && (pfd.revents & POLLIN);
}

static void
test_eventfd_waiter(void **state)
{
	struct ring_waiter w;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(ring_waiter_init(&w, true), 0);
	assert_true(w.efd >= 0);

	/* Not announced: a wake is only a fence, no write. */
	ring_waiter_wake(&w);
	ring_waiter_wake(&w);
	assert_false(efd_readable(w.efd));
	assert_int_equal(atomic_load(&w.wakes), 0);

	/* Announced: one write, the counter readable and > 0. */
	(void)ring_waiter_prepare(&w);
	ring_waiter_wake(&w);
	assert_true(efd_readable(w.efd));
	assert_int_equal(read(w.efd, &v, sizeof(v)), (ssize_t)sizeof(v));
	assert_true(v > 0);
	assert_int_equal(atomic_load(&w.wakes), 1);
	assert_int_equal(atomic_load(&w.sleeping), 0);

	/* Only the first waker of one announcement pays the system call. */
	ring_waiter_wake(&w);
	assert_false(efd_readable(w.efd));
	assert_int_equal(atomic_load(&w.wakes), 1);

	/* Announced, then cancelled (work found on the re-check): no write. */
	(void)ring_waiter_prepare(&w);
	ring_waiter_cancel(&w);
	ring_waiter_wake(&w);
	assert_false(efd_readable(w.efd));
	assert_int_equal(atomic_load(&w.wakes), 1);

	/* A wake bumps the epoch that prepare hands out. */
	{
		uint32_t e1 = ring_waiter_prepare(&w), e2;

		ring_waiter_wake(&w);
		e2 = ring_waiter_prepare(&w);
		assert_int_not_equal(e1, e2);
		ring_waiter_cancel(&w);
		assert_int_equal(read(w.efd, &v, sizeof(v)),
		    (ssize_t)sizeof(v));
	}
	assert_int_equal(atomic_load(&w.wakes), 2);

	/* A NULL waiter (the free ring's producer) is a no-op. */
	ring_waiter_wake(NULL);

	ring_waiter_fini(&w);
	assert_int_equal(w.efd, -1);
}

static void
test_futex_waiter_stale_epoch(void **state)
{
	struct ring_waiter w;
	struct timespec t0, t1;
	uint32_t epoch;

	(void)state;
	assert_int_equal(ring_waiter_init(&w, false), 0);
	assert_int_equal(w.efd, -1);

	/* A wake between prepare and sleep makes the sleep return at once:
	 * the epoch moved. */
	epoch = ring_waiter_prepare(&w);
	ring_waiter_wake(&w);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	w.sleep_ms = 5000;
	ring_waiter_sleep(&w, epoch);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	assert_int_equal(atomic_load(&w.sleeping), 0);
	assert_int_equal(atomic_load(&w.sleeps), 1);
	assert_int_equal(atomic_load(&w.wakes), 1);

	/* With no wake, the timeout ends the sleep. */
	epoch = ring_waiter_prepare(&w);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	w.sleep_ms = 50;
	ring_waiter_sleep(&w, epoch);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000000000LL +
	    (t1.tv_nsec - t0.tv_nsec) >= 40000000LL);
	assert_int_equal(atomic_load(&w.sleeping), 0);
	ring_waiter_fini(&w);
}

/* ring_push_wait on a full ring gives up when told to stop. */
static void
test_push_wait_stop(void **state)
{
	struct ring_waiter self;
	struct ring r;
	_Atomic bool stop = true;
	unsigned i;

	(void)state;
	assert_int_equal(ring_waiter_init(&self, false), 0);
	assert_int_equal(ring_init(&r, 4, NULL, &self), 0);
	for (i = 0; i < ring_capacity(&r); i++)
		assert_true(ring_push_wait(&r, item(i + 1), &self, &stop));
	assert_int_equal(r.pstats.full_waits, 0);
	assert_false(ring_push_wait(&r, item(99), &self, &stop));
	assert_int_equal(r.pstats.full_waits, 1);
	assert_int_equal(ring_count(&r), ring_capacity(&r));
	ring_fini(&r);
	ring_waiter_fini(&self);
}

/*
 * The consumer wakes its producer only while the producer waits for room:
 * a producer announced asleep for something else (its own input) is not
 * woken; one in ring_push_wait is (full_wait, set before it sleeps).
 */
static void
test_wake_producer_only_when_full(void **state)
{
	struct ring_waiter prod;
	struct ring r;

	(void)state;
	assert_int_equal(ring_waiter_init(&prod, false), 0);
	assert_int_equal(ring_init(&r, 4, NULL, &prod), 0);
	(void)ring_waiter_prepare(&prod);
	ring_wake_producer(&r);
	assert_int_equal(atomic_load(&prod.wakes), 0);
	assert_int_equal(atomic_load(&prod.sleeping), 1);
	/* What ring_push_wait says before its announcement. */
	atomic_store(&r.full_wait, true);
	ring_wake_producer(&r);
	assert_int_equal(atomic_load(&prod.wakes), 1);
	ring_waiter_cancel(&prod);
	ring_fini(&r);
	ring_waiter_fini(&prod);
}

/* ---- two threads: stress ---- */

struct stress {
	struct ring r;
	struct ring_waiter cons_w, prod_w;
	pthread_barrier_t barrier;
	int cpu[2];
	uint64_t n;
	uint64_t got;		/* consumer: items received in order */
	uint64_t bad_at;	/* consumer: first out-of-order index, or 0 */
	void *bad_item;
};

static void *
stress_producer(void *arg)
{
	struct stress *s = arg;
	uint64_t i;

	pin_self(s->cpu[0]);
	pthread_barrier_wait(&s->barrier);
	for (i = 1; i <= s->n; i++) {
		/* Once, half-way: nothing until the consumer sleeps, so that
		 * its sleep and wake are taken whatever the two speeds. */
		if (i == s->n / 2)
			while (atomic_load(&s->cons_w.sleeping) == 0)
				ck_pr_stall();
		ring_push_wait(&s->r, item(i), &s->prod_w, NULL);
		/* One fence per item; a system call only if it sleeps. */
		ring_waiter_wake(s->r.consumer);
	}
	ring_waiter_wake(s->r.consumer);
	return NULL;
}

static void *
stress_consumer(void *arg)
{
	struct stress *s = arg;
	uint64_t expect = 1;
	unsigned spins = 0;

	pin_self(s->cpu[1]);
	pthread_barrier_wait(&s->barrier);
	/* Nothing taken until the producer waits for room, asleep: the full
	 * ring's wait and wake are taken whatever the two speeds. */
	while (!atomic_load(&s->r.full_wait))
		ck_pr_stall();
	while (expect <= s->n) {
		void *it;
		uint32_t epoch;

		if (ring_trypop(&s->r, &it)) {
			if (it != item(expect) && s->bad_at == 0) {
				s->bad_at = expect;
				s->bad_item = it;
			}
			expect++;
			spins = 0;
			ring_wake_producer(&s->r);
			continue;
		}
		if (spins++ < CONSUMER_SPINS) {
			ck_pr_stall();
			continue;
		}
		spins = 0;
		epoch = ring_waiter_prepare(&s->cons_w);
		if (ring_count(&s->r) > 0) {
			ring_waiter_cancel(&s->cons_w);
			continue;
		}
		/* No timeout: a lost wake-up hangs here; the alarm fires. */
		s->cons_w.sleep_ms = -1;
		ring_waiter_sleep(&s->cons_w, epoch);
	}
	s->got = expect - 1;
	return NULL;
}

static void
test_stress_two_threads(void **state)
{
	struct stress *s;
	pthread_t tp, tc;
	struct timespec t0, t1;
	double secs;
	void *it;

	(void)state;
	/* struct ring is cache-line aligned: not plain calloc. */
	s = ring_calloc(1, sizeof(*s));
	assert_non_null(s);
	s->n = STRESS_ITEMS;
	pick_cpus(s->cpu);
	if (s->cpu[0] < 0)
		print_message("only one CPU: threads not pinned\n");
	assert_int_equal(ring_waiter_init(&s->cons_w, false), 0);
	assert_int_equal(ring_waiter_init(&s->prod_w, false), 0);
	/* No timeout for the producer either: a wake ring_wake_producer
	 * failed to make hangs it, and the alarm fires. */
	s->prod_w.sleep_ms = -1;
	assert_int_equal(ring_init(&s->r, STRESS_RING, &s->cons_w,
	    &s->prod_w), 0);
	assert_int_equal(pthread_barrier_init(&s->barrier, NULL, 2), 0);

	ra_test_guard("test_stress_two_threads", 120);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pthread_create(&tc, NULL, stress_consumer, s), 0);
	assert_int_equal(pthread_create(&tp, NULL, stress_producer, s), 0);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ra_test_unguard();
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	print_message("%" PRIu64 " items in %.2f s (%.1f M/s): full_waits "
	    "%" PRIu64 " high_water %u, consumer sleeps %" PRIu64 " woken "
	    "%" PRIu64 ", producer sleeps %" PRIu64 " woken %" PRIu64 "\n",
	    s->n, secs, (double)s->n / secs / 1e6, s->r.pstats.full_waits,
	    s->r.pstats.high_water, atomic_load(&s->cons_w.sleeps),
	    atomic_load(&s->cons_w.wakes), atomic_load(&s->prod_w.sleeps),
	    atomic_load(&s->prod_w.wakes));

	if (s->bad_at != 0)
		fail_msg("item %" PRIu64 " arrived as %" PRIuPTR, s->bad_at,
		    (uintptr_t)s->bad_item);
	assert_true(s->got == s->n);
	assert_false(ring_trypop(&s->r, &it));
	/* Both sleep paths were really taken (each forced once). */
	assert_true(s->r.pstats.full_waits > 0);
	assert_true(atomic_load(&s->prod_w.sleeps) > 0);
	assert_true(atomic_load(&s->cons_w.sleeps) > 0);
	assert_int_equal(s->r.pstats.high_water, ring_capacity(&s->r));

	pthread_barrier_destroy(&s->barrier);
	ring_fini(&s->r);
	ring_waiter_fini(&s->cons_w);
	ring_waiter_fini(&s->prod_w);
	free(s);
}

/* ---- two threads: lost wake-up ---- */

struct lostwake {
	struct ring r;
	struct ring_waiter cons_w;
	pthread_barrier_t barrier;
	int cpu[2];
	unsigned rounds;
	_Atomic unsigned consumed;	/* rounds the consumer finished */
	unsigned bad_round;		/* 1 + first wrong round, or 0 */
	uint64_t real_sleeps;		/* sleeps that returned no item */
};

/* Cheap per-round pseudo-random delay: varies where the push lands
 * relative to the consumer's announce / re-check / futex_wait. */
static unsigned
lw_delay(unsigned round)
{
	uint32_t x = round * 2654435761u;

	return (x >> 24) & 0x3f;
}

static void *
lw_consumer(void *arg)
{
	struct lostwake *lw = arg;
	unsigned round;

	pin_self(lw->cpu[1]);
	pthread_barrier_wait(&lw->barrier);
	for (round = 0; round < lw->rounds; round++) {
		void *it;

		for (;;) {
			uint32_t epoch;

			if (ring_trypop(&lw->r, &it))
				break;
			epoch = ring_waiter_prepare(&lw->cons_w);
			if (ring_count(&lw->r) > 0) {
				ring_waiter_cancel(&lw->cons_w);
				continue;
			}
			lw->cons_w.sleep_ms = -1;
			ring_waiter_sleep(&lw->cons_w, epoch);
		}
		if (it != item(round + 1) && lw->bad_round == 0)
			lw->bad_round = round + 1;
		/* release: the producer reads it before the next round */
		atomic_store_explicit(&lw->consumed, round + 1,
		    memory_order_release);
	}
	return NULL;
}

static void *
lw_producer(void *arg)
{
	struct lostwake *lw = arg;
	unsigned round, i;

	pin_self(lw->cpu[0]);
	pthread_barrier_wait(&lw->barrier);
	for (round = 0; round < lw->rounds; round++) {
		/* Odd rounds wait until the consumer announced sleep, so
		 * the wake must be a system call; even ones push at a
		 * varying moment, racing the announcement. */
		if (round & 1) {
			while (!atomic_load_explicit(&lw->cons_w.sleeping,
			    memory_order_relaxed))
				ck_pr_stall();
		}
		for (i = lw_delay(round); i > 0; i--)
			ck_pr_stall();
		while (!ring_trypush(&lw->r, item(round + 1)))
			ck_pr_stall();
		ring_waiter_wake(lw->r.consumer);
		/* acquire: pairs with the consumer's release */
		while (atomic_load_explicit(&lw->consumed,
		    memory_order_acquire) != round + 1)
			ck_pr_stall();
	}
	return NULL;
}

static void
test_lost_wakeup(void **state)
{
	struct lostwake *lw;
	pthread_t tp, tc;

	(void)state;
	lw = ring_calloc(1, sizeof(*lw));
	assert_non_null(lw);
	lw->rounds = LOST_WAKE_ROUNDS;
	pick_cpus(lw->cpu);
	assert_int_equal(ring_waiter_init(&lw->cons_w, false), 0);
	assert_int_equal(ring_init(&lw->r, 8, &lw->cons_w, NULL), 0);
	assert_int_equal(pthread_barrier_init(&lw->barrier, NULL, 2), 0);

	ra_test_guard("test_lost_wakeup", 20);
	assert_int_equal(pthread_create(&tc, NULL, lw_consumer, lw), 0);
	assert_int_equal(pthread_create(&tp, NULL, lw_producer, lw), 0);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	ra_test_unguard();

	print_message("%u rounds: consumer sleeps %" PRIu64 ", wakes %" PRIu64
	    "\n", lw->rounds, atomic_load(&lw->cons_w.sleeps),
	    atomic_load(&lw->cons_w.wakes));
	assert_int_equal(lw->bad_round, 0);
	assert_int_equal(atomic_load(&lw->consumed), lw->rounds);
	/* The system-call paths were taken (in odd rounds the consumer
	 * announced before the push; it may still find the item on its
	 * re-check, so not every odd round sleeps). */
	assert_true(atomic_load(&lw->cons_w.wakes) > 0);
	assert_true(atomic_load(&lw->cons_w.sleeps) > 0);

	pthread_barrier_destroy(&lw->barrier);
	ring_fini(&lw->r);
	ring_waiter_fini(&lw->cons_w);
	free(lw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rounds_capacity),
		cmocka_unit_test(test_ring_init_capacity_overflow),
		cmocka_unit_test(test_full_empty_fifo),
		cmocka_unit_test(test_high_water_tracks_peak),
		cmocka_unit_test(test_pool_create_destroy),
		cmocka_unit_test(test_pool_rejects_zero),
		cmocka_unit_test(test_ring_calloc_aligned_zeroed),
		cmocka_unit_test(test_ring_calloc_rounding_overflow),
		cmocka_unit_test(test_eventfd_waiter),
		cmocka_unit_test(test_futex_waiter_stale_epoch),
		cmocka_unit_test(test_push_wait_stop),
		cmocka_unit_test(test_wake_producer_only_when_full),
		cmocka_unit_test(test_stress_two_threads),
		cmocka_unit_test(test_lost_wakeup),
	};

	/* RA_TEST_FILTER=pattern runs only the matching tests. */
	if (getenv("RA_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("RA_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
