/*
 * bench_ring_c.c - the C half of bench_ring.cc.
 *
 * ring.h cannot be included from C++: its C11 _Atomic/_Alignas/
 * _Static_assert are not C++, and ck_ring.h 0.7.1 itself does not compile
 * as C++ ("return false" from a function returning void *).  The hot path
 * (ring_trypush/ring_trypop, inline) must be measured as C, so this file
 * owns the ring and both loops; the C++ side only drives iterations.
 *
 * The calling thread is the producer: ring_push_wait, one wake of the
 * consumer per batch, as a parser worker does.  A consumer thread pops,
 * wakes the producer after each batch of pops if it waits for room
 * (ring_wake_producer), and when the ring is empty
 * spins, announces, re-checks and sleeps (ring.h's protocol).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include "ring/ring.h"
#include "bench_ring.h"

#define BENCH_BATCH 64
#define BENCH_SPINS 256

struct ra_bench_ring {
	struct ring r;
	struct ring_waiter cons_w, prod_w;
	pthread_t consumer;
	cpu_set_t prod_mask;		/* the caller's, restored at the end */
	int cons_cpu;
	uint64_t next;			/* producer: next item */
	uint64_t popped;		/* consumer */
	uint64_t out_of_order;		/* consumer */
	_Atomic bool stop;
};

static void
pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *
consumer_main(void *arg)
{
	struct ra_bench_ring *b = arg;
	uint64_t expect = 1;
	unsigned spins = 0, n = 0;

	pin(b->cons_cpu);
	for (;;) {
		void *it;
		uint32_t epoch;

		if (ring_trypop(&b->r, &it)) {
			uintptr_t v = (uintptr_t)it;

			if (v == 0)	/* the end */
				break;
			if (v != expect)
				b->out_of_order++;
			expect = v + 1;
			spins = 0;
			if (++n == BENCH_BATCH) {
				n = 0;
				ring_wake_producer(&b->r);
			}
			continue;
		}
		if (n > 0) {
			n = 0;
			ring_wake_producer(&b->r);
		}
		if (spins++ < BENCH_SPINS) {
			ck_pr_stall();
			continue;
		}
		spins = 0;
		epoch = ring_waiter_prepare(&b->cons_w);
		if (ring_count(&b->r) > 0) {
			ring_waiter_cancel(&b->cons_w);
			continue;
		}
		ring_waiter_sleep(&b->cons_w, epoch);
	}
	b->popped = expect - 1;
	ring_wake_producer(&b->r);
	return NULL;
}

struct ra_bench_ring *
ra_bench_ring_create(unsigned size, int prod_cpu, int cons_cpu)
{
	/* struct ring is cache-line aligned: not plain malloc. */
	struct ra_bench_ring *b = ring_calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->next = 1;
	b->cons_cpu = cons_cpu;
	if (ring_waiter_init(&b->cons_w, false) < 0 ||
	    ring_waiter_init(&b->prod_w, false) < 0 ||
	    ring_init(&b->r, size, &b->cons_w, &b->prod_w) < 0) {
		free(b);
		return NULL;
	}
	pthread_getaffinity_np(pthread_self(), sizeof(b->prod_mask),
	    &b->prod_mask);
	pin(prod_cpu);
	if (pthread_create(&b->consumer, NULL, consumer_main, b) != 0) {
		ring_fini(&b->r);
		free(b);
		return NULL;
	}
	return b;
}

void
ra_bench_ring_push(struct ra_bench_ring *b, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		ring_push_wait(&b->r, (void *)(uintptr_t)b->next++, &b->prod_w,
		    NULL);
		if ((i + 1) % BENCH_BATCH == 0)
			ring_waiter_wake(b->r.consumer);
	}
	ring_waiter_wake(b->r.consumer);
}

void
ra_bench_ring_destroy(struct ra_bench_ring *b, struct ra_bench_ring_stats *st)
{
	ring_push_wait(&b->r, NULL, &b->prod_w, NULL);
	ring_waiter_wake(b->r.consumer);
	pthread_join(b->consumer, NULL);
	pthread_setaffinity_np(pthread_self(), sizeof(b->prod_mask),
	    &b->prod_mask);
	st->items = b->popped;
	st->full_waits = b->r.pstats.full_waits;
	st->consumer_sleeps = atomic_load(&b->cons_w.sleeps);
	st->producer_sleeps = atomic_load(&b->prod_w.sleeps);
	st->out_of_order = b->out_of_order;
	ring_fini(&b->r);
	ring_waiter_fini(&b->cons_w);
	ring_waiter_fini(&b->prod_w);
	free(b);
}
