/*
 * test_baton.c - ring.h's baton: a sleeping stage lent to another thread.
 *
 * - Lending: only an idle stage is lent, and only to one borrower at a
 *   time; a stage its thread runs, or one lent already, is refused.
 * - The owner waking while its stage is lent waits for it to come back,
 *   and then sees what the borrower did.
 * - Under load (two threads, the owner idling and taking back, the
 *   borrower lending whenever it can): the state both change is never
 *   changed by both at once (a plain counter counts every increment;
 *   the thread sanitizer build watches the same accesses).
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "ring/ring.h"

static void
test_lend_only_idle(void **state)
{
	struct ring_baton b = { RING_BATON_RUN };

	(void)state;
	/* Its thread has it. */
	assert_false(ring_baton_lend(&b));
	ring_baton_idle(&b);
	assert_true(ring_baton_lend(&b));
	/* One borrower at a time. */
	assert_false(ring_baton_lend(&b));
	ring_baton_return(&b);
	assert_int_equal(atomic_load(&b.word), RING_BATON_IDLE);
	/* Taken back with no borrower: at once. */
	ring_baton_take(&b);
	assert_int_equal(atomic_load(&b.word), RING_BATON_RUN);
	assert_false(ring_baton_lend(&b));
}

struct waker {
	struct ring_baton b;
	int data;		/* the stage's state: plain */
	int seen;		/* what the owner saw once it took it back */
	_Atomic int took;
};

static void *
owner_takes(void *arg)
{
	struct waker *w = arg;

	ring_baton_take(&w->b);
	w->seen = w->data;
	atomic_store(&w->took, 1);
	return NULL;
}

static void
test_take_waits_while_lent(void **state)
{
	struct waker w = { .b = { RING_BATON_IDLE } };
	struct timespec ts = { 0, 50 * 1000000L };
	pthread_t t;

	(void)state;
	assert_true(ring_baton_lend(&w.b));
	assert_int_equal(pthread_create(&t, NULL, owner_takes, &w), 0);
	/* However long it is lent, the owner does not take it meanwhile. */
	nanosleep(&ts, NULL);
	assert_int_equal(atomic_load(&w.took), 0);
	w.data = 42;
	ring_baton_return(&w.b);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(atomic_load(&w.took), 1);
	assert_int_equal(w.seen, 42);
	assert_int_equal(atomic_load(&w.b.word), RING_BATON_RUN);
}

#define ROUNDS 20000

struct shared {
	struct ring_baton b;
	uint64_t counter;	/* plain: only whoever has the stage */
	int inside;		/* plain: 1 while someone uses it */
	_Atomic bool done;
	_Atomic bool lent_once;
	uint64_t lent;		/* the borrower's increments */
	uint64_t clashes;
};

static void
use(struct shared *s)
{
	if (s->inside != 0)
		s->clashes++;
	s->inside = 1;
	s->counter++;
	s->inside = 0;
}

static void *
borrower(void *arg)
{
	struct shared *s = arg;

	while (!atomic_load_explicit(&s->done, memory_order_acquire)) {
		if (!ring_baton_lend(&s->b))
			continue;
		use(s);
		s->lent++;
		ring_baton_return(&s->b);
		atomic_store_explicit(&s->lent_once, true,
		    memory_order_release);
	}
	return NULL;
}

static void
test_two_threads(void **state)
{
	struct shared s = { .b = { RING_BATON_RUN } };
	pthread_t t;
	unsigned i;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, borrower, &s), 0);
	for (i = 0; i < ROUNDS; i++) {
		use(&s);
		ring_baton_idle(&s.b);
		/* A moment asleep now and then, for the borrower to come. */
		if (i % 64 == 0)
			sched_yield();
		ring_baton_take(&s.b);
	}
	/* At least once lent, whatever the scheduler did above. */
	ring_baton_idle(&s.b);
	while (!atomic_load_explicit(&s.lent_once, memory_order_acquire))
		sched_yield();
	ring_baton_take(&s.b);
	use(&s);
	atomic_store_explicit(&s.done, true, memory_order_release);
	assert_int_equal(pthread_join(t, NULL), 0);
	print_message("%u rounds, %llu lent\n", ROUNDS,
	    (unsigned long long)s.lent);
	assert_int_equal(s.clashes, 0);
	assert_true(s.lent > 0);
	assert_int_equal(s.counter, ROUNDS + 1 + s.lent);
	assert_int_equal(atomic_load(&s.b.word), RING_BATON_RUN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lend_only_idle),
		cmocka_unit_test(test_take_waits_while_lent),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
