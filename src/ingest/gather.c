/*
 * gather.c - how long ingest lets records gather in the socket after a
 * batch that emptied it.
 *
 * A sleep is a bet that more records come: each one read in the same
 * batch saves a wake-up of every stage, and each waits for the sleep to
 * end.  The budget w (gather_ms) bounds the wait.  Within it the sleep
 * aims at GATHER_AIM records at the rate they come, so that a busy daemon
 * adds little latency; when those would come within GATHER_FAST_NS
 * (above some 32,000 records a second) the stages are hardly asleep
 * between batches and a smaller batch costs little more, so it aims at
 * GATHER_AIM_FAST (at 60,000 records a second, 0.4 ms where 64 records
 * took 1.1 ms; PERF.md).  A sleep shorter than GATHER_MIN_NS is not
 * worth its wake-up.
 *
 * The rate is the faster of two measures:
 * - the rate over the last GATHER_RATE_NS or so: one batch alone says
 *   little when records come in bursts;
 * - the rate since the span began: the last sleep's start, or the end of
 *   a quiet spell.  A burst after a trickle is seen in the batch it
 *   fills, where the 50 ms, still counting the trickle, would keep the
 *   sleeps long for a while (at 20,000 events a second, p99.9 20 ms
 *   became 1.3-4.2 ms; PERF.md).  A batch that is not followed by a sleep
 *   does not end the span: its records still count.
 * The span alone is not enough: while no sleep ends it, it averages over
 * all it has seen and misses a rate that rises within it (measured by
 * turns: p99 at 20,000 events a second 2.1-8.4 ms against 0.9-2.1, and
 * bursts after a trickle lost records in 3 of 9 against 1 of 9; PERF.md).
 *
 * A slow rate is a guess: a pause in a stream, or the quiet before a
 * burst, looks the same as a trickle, and a full budget's sleep on it
 * would hold a budget's worth of what comes next (a run at 20,000 events
 * a second began with 1,200 records held 20 ms, 2,400 held 40 ms with
 * gather_ms = 40; a pause mid-stream would do the same, test_gather_plan).
 * So a sleep is at most twice the one before it, and GATHER_FIRST_NS
 * after a quiet spell (no batch for twice the budget), whose first batch
 * is read at once.  A trickle reaches the whole budget within a few
 * sleeps, and then sleeps it each time.
 *
 * Records read after a sleep may have come at any time in it: every
 * batch until the socket is empty carries the sleep's start as its
 * receive time, so that latency measured from receive includes the
 * sleep.  Those that came after its end are counted from its start, an
 * overstatement; those that came while the batch before it was handled,
 * tens of microseconds, are counted from the sleep's start as if they
 * had come then, as any record is counted from when it is read.
 */
#include "ingest/gather.h"

#define GATHER_AIM 64			/* records a sleep aims at */
#define GATHER_FAST_NS 2000000u		/* ... unless they come within this */
#define GATHER_AIM_FAST 24		/* ... then it aims at this many */
#define GATHER_MIN_NS 200000u		/* shorter: not worth a sleep */
#define GATHER_RATE_NS 50000000u	/* the rate measured over 50 ms */
#define GATHER_FIRST_NS 1000000u	/* the first sleep after a quiet spell */

void
ingest_gather_init(struct ingest_gather *g)
{
	*g = (struct ingest_gather){ .cap_ns = GATHER_FIRST_NS };
}

uint64_t
ingest_gather_plan(struct ingest_gather *g, uint64_t now, unsigned n,
    bool emptied, uint64_t w)
{
	uint64_t since = now - g->last_batch_ns, span = now - g->rate_from_ns;
	uint64_t per, burst, d;

	g->last_batch_ns = now;
	g->rate_recs += n;
	if (span >= GATHER_RATE_NS) {
		g->ns_per_rec = span < 4 * GATHER_RATE_NS ?
		    span / g->rate_recs : 0;
		g->rate_from_ns = now;
		g->rate_recs = 0;
	}
	g->span_recs += n;
	if (w == 0 || since >= 2 * w) {
		/* A quiet spell ends, or no gathering: measure from here. */
		g->span_from_ns = now;
		g->span_recs = 0;
		g->cap_ns = GATHER_FIRST_NS;
		return 0;
	}
	if (!emptied || g->span_recs == 0)
		return 0;
	per = g->ns_per_rec;
	burst = (now - g->span_from_ns) / g->span_recs;
	if (per == 0 || burst < per)
		per = burst;
	if (per < GATHER_FAST_NS / GATHER_AIM)
		d = per * GATHER_AIM_FAST;
	else if (per < w / GATHER_AIM)
		d = per * GATHER_AIM;
	else
		d = w;
	if (d > g->cap_ns)
		d = g->cap_ns;
	if (d > w)
		d = w;
	if (d < GATHER_MIN_NS)
		return 0;	/* the stages' dozes do as well; the span goes on */
	g->span_from_ns = now;
	g->span_recs = 0;
	g->cap_ns = d < GATHER_FIRST_NS / 2 ? GATHER_FIRST_NS : 2 * d;
	g->held_from_ns = now;
	return d;
}

uint64_t
ingest_gather_held(struct ingest_gather *g, bool emptied)
{
	uint64_t from = g->held_from_ns;

	if (emptied)
		g->held_from_ns = 0;
	return from;
}

bool
ingest_gather_holding(const struct ingest_gather *g)
{
	return g->held_from_ns != 0;
}
