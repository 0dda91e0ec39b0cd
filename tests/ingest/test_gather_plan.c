/*
 * test_gather_plan.c - how long ingest lets records gather (gather.c),
 * driven by a model of the loop: records arrive at set times, a receive
 * takes up to 64 of those already there and costs 5 us plus 1 us a record,
 * and a sleep the plan asks for lets time pass.  What a record waits is
 * from its arrival to the receive that takes it.
 * - A burst after a quiet spell is not held a budget's worth: the first
 *   sleeps are short (a run at 20,000 events a second began with 2,400
 *   records held 40 ms with gather_ms = 40).
 * - A pause in a stream (shorter than a quiet spell) is not taken for a
 *   trickle: what comes after it is not held a budget's worth either.
 * - A steady trickle sleeps the whole budget, and so wakes once a budget.
 * - A burst at a rate too fast to sleep for, then a slower stream: the
 *   burst waits the budget at most, the stream after it under 1.5 ms.
 * - Every batch read after a sleep, until one empties the socket, carries
 *   the sleep's start: records read after its end are counted from it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ingest/gather.h"

#define MS 1000000ull
#define US 1000ull
#define BATCH 64

struct arrivals {
	uint64_t *t;
	size_t n, cap;
};

static void
arrive(struct arrivals *a, uint64_t t)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 1024;
		a->t = realloc(a->t, a->cap * sizeof(a->t[0]));
		assert_non_null(a->t);
	}
	a->t[a->n++] = t;
}

/* Events of three records at events_per_s from `from` for `len` ns. */
static void
stream(struct arrivals *a, uint64_t from, uint64_t len, uint64_t events_per_s)
{
	uint64_t gap = 1000000000ull / events_per_s, t;

	for (t = from; t < from + len; t += gap) {
		arrive(a, t);
		arrive(a, t + 1 * US);
		arrive(a, t + 2 * US);
	}
}

struct run {
	uint64_t max_wait;		/* over records arriving >= after */
	uint64_t after;
	unsigned sleeps, sleeps_after;	/* sleeps begun >= after ... */
	uint64_t shortest_after;	/* ... the shortest of them */
};

/* The loop over the arrivals with a budget of w; see the top. */
static struct run
loop(const struct arrivals *a, uint64_t w, uint64_t after)
{
	struct ingest_gather g;
	struct run r = { .after = after, .shortest_after = UINT64_MAX };
	uint64_t t = a->t[0], d, held, slept_from = 0;
	size_t i = 0, k, j;
	bool emptied;

	ingest_gather_init(&g);
	while (i < a->n) {
		if (a->t[i] > t) {
			/* Nothing there: a receive finds none, then the
			 * loop blocks until the next record. */
			ingest_gather_held(&g, true);
			slept_from = 0;
			t = a->t[i];
		}
		for (k = 0; k < BATCH && i + k < a->n && a->t[i + k] <= t; k++)
			;
		emptied = k < BATCH;
		/* Read after a sleep, until a batch empties the socket:
		 * counted from the sleep's start. */
		held = ingest_gather_held(&g, emptied);
		assert_int_equal(held, slept_from);
		if (emptied)
			slept_from = 0;
		for (j = i; j < i + k; j++)
			if (a->t[j] >= after && t - a->t[j] > r.max_wait)
				r.max_wait = t - a->t[j];
		i += k;
		t += 5 * US + k * US;
		d = ingest_gather_plan(&g, t, (unsigned)k, emptied, w);
		assert_true(d <= w);
		if (d != 0) {
			slept_from = t;
			r.sleeps++;
			if (t >= after) {
				r.sleeps_after++;
				if (d < r.shortest_after)
					r.shortest_after = d;
			}
		}
		t += d;
	}
	return r;
}

/* The loop, and no record from `after` on waits more than `most`. */
static struct run
waits_at_most(const struct arrivals *a, uint64_t w, uint64_t after,
    uint64_t most, const char *what)
{
	struct run r = loop(a, w, after);

	print_message("%s, gather_ms %llu: the longest wait %llu us, %u "
	    "sleeps\n", what, (unsigned long long)(w / MS),
	    (unsigned long long)(r.max_wait / US), r.sleeps);
	assert_true(r.max_wait <= most);
	return r;
}

static void
test_burst_after_quiet_spell_sleeps_short(void **state)
{
	uint64_t w, t0 = 1000 * MS, go = t0 + 38 * MS;
	struct arrivals a = { 0 };
	struct run r;
	int i;

	(void)state;
	/* As in the run that held them: a few records (the rules loaded),
	 * a pause, then 20,000 events a second. */
	for (i = 0; i < 5; i++)
		arrive(&a, t0);
	for (i = 0; i < 4; i++)
		arrive(&a, t0 + 10 * US);
	stream(&a, go, 1000 * MS, 20000);
	for (w = 20 * MS; w <= 40 * MS; w += 20 * MS) {
		r = waits_at_most(&a, w, go, 1500 * US, "the burst");
		/* It still gathers: a sleep a few batches of 24. */
		assert_true(r.sleeps > 1000);
	}
	free(a.t);
}

static void
test_pause_in_a_stream_sleeps_short(void **state)
{
	uint64_t w = 40 * MS, t0 = 1000 * MS, pause = t0 + 500 * MS;
	struct arrivals a = { 0 };

	(void)state;
	/* 20,000 events a second, a pause of 60 ms, and on. */
	stream(&a, t0, 500 * MS, 20000);
	stream(&a, pause + 60 * MS, 500 * MS, 20000);
	waits_at_most(&a, w, pause, 1500 * US, "after the pause");
	free(a.t);
}

static void
test_trickle_sleeps_the_budget(void **state)
{
	uint64_t w = 20 * MS, t0 = 1000 * MS, len = 2000 * MS;
	struct arrivals a = { 0 };
	struct run r;

	(void)state;
	stream(&a, t0, len, 100);
	r = loop(&a, w, t0 + 200 * MS);
	print_message("%u sleeps, %u after 200 ms, the shortest of those "
	    "%llu us\n", r.sleeps, r.sleeps_after,
	    (unsigned long long)(r.shortest_after / US));
	assert_int_equal(r.shortest_after, w);
	/* One wake-up a budget (and a little): 1.8 s of 20 ms sleeps. */
	assert_true(r.sleeps_after >= 85 && r.sleeps_after <= 92);
	free(a.t);
}

static void
test_fast_burst_then_a_stream(void **state)
{
	uint64_t w = 20 * MS, t0 = 1000 * MS, burst = t0 + 500 * MS;
	struct arrivals a = { 0 };
	uint64_t t;

	(void)state;
	stream(&a, t0, 500 * MS, 100);
	/* 200,000 records a second: too fast to sleep for. */
	for (t = burst; t < burst + 50 * MS; t += 5 * US)
		arrive(&a, t);
	stream(&a, burst + 50 * MS, 500 * MS, 20000);
	waits_at_most(&a, w, burst, w + 1 * MS, "the burst and after");
	waits_at_most(&a, w, burst + 2 * w, 1500 * US,
	    "from 2 budgets after it began");
	free(a.t);
}

static void
test_held_until_emptied(void **state)
{
	struct ingest_gather g;
	uint64_t t = 1000 * MS, d, from;

	(void)state;
	ingest_gather_init(&g);
	/* A quiet spell ends; then a batch 100 us on: a short sleep. */
	assert_int_equal(ingest_gather_plan(&g, t, 3, true, 20 * MS), 0);
	assert_int_equal(ingest_gather_held(&g, true), 0);
	t += 100 * US;
	d = ingest_gather_plan(&g, t, 3, true, 20 * MS);
	assert_true(d > 0 && d <= 1 * MS);
	from = t;
	/* Three full batches, then the one that empties: all from it. */
	assert_int_equal(ingest_gather_held(&g, false), from);
	assert_int_equal(ingest_gather_held(&g, false), from);
	assert_int_equal(ingest_gather_held(&g, false), from);
	assert_int_equal(ingest_gather_held(&g, true), from);
	assert_int_equal(ingest_gather_held(&g, true), 0);
	/* No gathering at all: never a sleep. */
	assert_int_equal(ingest_gather_plan(&g, t + 10 * US, 1, true, 0), 0);
	assert_int_equal(ingest_gather_plan(&g, t + 20 * US, 1, true, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_after_quiet_spell_sleeps_short),
		cmocka_unit_test(test_pause_in_a_stream_sleeps_short),
		cmocka_unit_test(test_trickle_sleeps_the_budget),
		cmocka_unit_test(test_fast_burst_then_a_stream),
		cmocka_unit_test(test_held_until_emptied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
