/*
 * gen.c - the load: T threads calling getppid(2), each call one audit
 * event under the bench rule.
 *
 * The threads start together on a barrier, from one start time.  At a
 * fixed rate each thread owns rate/T of it and keeps an absolute
 * schedule: call k is due at t0 + k/rate_per_thread.  It makes a small
 * batch (about 250 µs worth), then sleeps with clock_nanosleep(
 * TIMER_ABSTIME) until the next batch is due, so errors do not add up and
 * the rate holds to hundreds of thousands a second; the timer slack is
 * set to 1 µs for that.  A thread that falls behind (descheduled, or the
 * kernel holding it in audit_log_start) catches up, but by at most 100 ms
 * of its schedule: past that the debt is forgiven, so a long stall never
 * turns into a burst the daemon would not otherwise see, and the achieved
 * rate tells.  (20 ms was too little on a busy 2-core machine: 5,000/s
 * came out 10% short from ordinary descheduling.)  At a fixed rate a run
 * is rate x duration calls, so runs at one rate compare; a wall-clock
 * limit of 2 x duration + 1 s stops a generator far behind.  "As fast as
 * they can" is batches of 64 calls between checks of the clock.
 *
 * Each thread publishes its count on a cache line of its own; the main
 * thread sums them for progress.  Nothing here makes a system call
 * besides the load, the clock and the sleep.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "common/log.h"

#define GEN_MAX_BATCH 64
#define GEN_MAX_LAG_NS 100000000ll

struct gen_thread {
	/* Written by its thread, read by the main thread: relaxed is
	 * enough, it is a progress figure; join() gives the final one. */
	uint64_t made;
	uint64_t quota;			/* 0: until the deadline */
	struct rb_gen *g;
	pthread_t tid;
	double rate;			/* this thread's, 0: as fast */
	uint64_t done_ns;
} __attribute__((aligned(64)));

struct rb_gen {
	struct rb_gen_config c;
	pthread_barrier_t start;
	int64_t t0_ns, deadline_ns;	/* CLOCK_MONOTONIC */
	bool stop;			/* atomic: rb_gen_stop */
	unsigned running;		/* atomic: threads not done */
	unsigned nthreads;
	struct gen_thread *t;
};

static void
sleep_until(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ll,
	    .tv_nsec = ns % 1000000000ll };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		;
}

static bool
thread_over(struct gen_thread *t, int64_t now)
{
	struct rb_gen *g = t->g;

	/* Relaxed: a flag polled once per batch, no data rides on it. */
	if (__atomic_load_n(&g->stop, __ATOMIC_RELAXED))
		return true;
	if (t->quota > 0 && t->made >= t->quota)
		return true;
	return now >= g->deadline_ns;
}

static void *
gen_main(void *arg)
{
	struct gen_thread *t = arg;
	struct rb_gen *g = t->g;
	uint64_t batch = GEN_MAX_BATCH, made = 0, i, n;
	double period_ns = 0;
	int64_t t0, now, due;

	/* clock_nanosleep wakes up to the slack late; 50 µs by default. */
	prctl(PR_SET_TIMERSLACK, 1000ul, 0, 0, 0);
	if (t->rate > 0) {
		period_ns = 1e9 / t->rate;
		batch = (uint64_t)(t->rate / 4000.0);
		if (batch < 1)
			batch = 1;
		if (batch > GEN_MAX_BATCH)
			batch = GEN_MAX_BATCH;
	}
	pthread_barrier_wait(&g->start);
	t0 = g->t0_ns;
	sleep_until(t0);
	now = t0;
	while (!thread_over(t, now)) {
		if (period_ns > 0) {
			due = t0 + (int64_t)((double)made * period_ns);
			now = (int64_t)clock_mono_ns();
			if (due > now) {
				sleep_until(due);
			} else if (now - due > GEN_MAX_LAG_NS) {
				/* Forgive the debt beyond the catch-up. */
				t0 += now - due - GEN_MAX_LAG_NS;
			}
		}
		n = batch;
		if (t->quota > 0 && t->quota - made < n)
			n = t->quota - made;
		for (i = 0; i < n; i++)
			syscall(SYS_getppid);
		made += n;
		/* Relaxed: a progress figure; pthread_join orders the last. */
		__atomic_store_n(&t->made, made, __ATOMIC_RELAXED);
		now = (int64_t)clock_mono_ns();
	}
	t->done_ns = (uint64_t)(int64_t)clock_mono_ns();
	/* Release: the count above is complete when rb_gen_done sees it. */
	__atomic_sub_fetch(&g->running, 1, __ATOMIC_RELEASE);
	return NULL;
}

int
rb_gen_start(struct rb_gen **out, const struct rb_gen_config *c)
{
	struct rb_gen *g;
	unsigned i, n = c->threads;
	uint64_t total;
	int rc;

	if (n == 0)
		return -EINVAL;
	/* Fewer calls than threads: a thread per call. */
	if (c->count > 0 && c->count < n)
		n = (unsigned)c->count;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	g->c = *c;
	g->nthreads = n;
	g->t = aligned_alloc(64, sizeof(*g->t) * n);
	if (g->t == NULL) {
		free(g);
		return -ENOMEM;
	}
	memset(g->t, 0, sizeof(*g->t) * n);
	if ((rc = pthread_barrier_init(&g->start, NULL, n + 1)) != 0) {
		free(g->t);
		free(g);
		return -rc;
	}
	g->running = n;
	/* At a fixed rate a duration is a count: rate x duration events,
	 * the same for every run at that rate. */
	total = c->count;
	if (total == 0 && c->rate > 0) {
		total = (uint64_t)llround(c->rate * c->duration_s);
		if (total < n)
			total = n;
	}
	for (i = 0; i < n; i++) {
		struct gen_thread *t = &g->t[i];

		t->g = g;
		t->rate = c->rate / n;
		if (total > 0)
			t->quota = total / n + (i < total % n ? 1 : 0);
	}
	for (i = 0; i < n; i++) {
		/* The ones started wait on the barrier for all: a thread
		 * that cannot be made at start-up is fatal. */
		rc = pthread_create(&g->t[i].tid, NULL, gen_main, &g->t[i]);
		if (rc != 0) {
			errno = rc;
			fatal(RB_NAME ": load generator thread %u", i);
		}
	}
	/* 5 ms from now: every thread is at its first sleep by then. */
	g->t0_ns = (int64_t)clock_mono_ns() + 5000000ll;
	if (c->count > 0)
		g->deadline_ns = INT64_MAX;
	else if (c->rate > 0)	/* a safety: a generator far behind */
		g->deadline_ns = g->t0_ns + (int64_t)((2 * c->duration_s + 1) *
		    1e9);
	else
		g->deadline_ns = g->t0_ns + (int64_t)(c->duration_s * 1e9);
	pthread_barrier_wait(&g->start);
	*out = g;
	return 0;
}

uint64_t
rb_gen_made(struct rb_gen *g)
{
	uint64_t sum = 0;
	unsigned i;

	for (i = 0; i < g->nthreads; i++)
		sum += __atomic_load_n(&g->t[i].made, __ATOMIC_RELAXED);
	return sum;
}

bool
rb_gen_done(struct rb_gen *g)
{
	/* Acquire: pairs with each thread's release at its end. */
	return __atomic_load_n(&g->running, __ATOMIC_ACQUIRE) == 0;
}

void
rb_gen_stop(struct rb_gen *g)
{
	/* Relaxed: see thread_over(). */
	__atomic_store_n(&g->stop, true, __ATOMIC_RELAXED);
}

void
rb_gen_join(struct rb_gen *g, uint64_t *made, double *secs, int64_t *end_ns)
{
	uint64_t last = 0;
	unsigned i;

	*made = 0;
	for (i = 0; i < g->nthreads; i++) {
		pthread_join(g->t[i].tid, NULL);
		*made += g->t[i].made;
		if (g->t[i].done_ns > last)
			last = g->t[i].done_ns;
	}
	*secs = last > (uint64_t)g->t0_ns ?
	    (double)(last - (uint64_t)g->t0_ns) / 1e9 : 0;
	*end_ns = (int64_t)last;
	pthread_barrier_destroy(&g->start);
	free(g->t);
	free(g);
}
