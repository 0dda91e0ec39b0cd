/*
 * gather.h - inside the ingest stage: when to let records gather in the
 * socket, and for how long (ingest.c's top says why).  Pure: the caller
 * reads the clock, sleeps and receives.  Not part of the stage's
 * interface.
 */
#ifndef RINGAUDIT_INGEST_GATHER_H
#define RINGAUDIT_INGEST_GATHER_H

#include <stdbool.h>
#include <stdint.h>

struct ingest_gather {
	uint64_t last_batch_ns;		/* when the last batch was read */
	uint64_t rate_from_ns;		/* records counted since then ... */
	uint64_t rate_recs;
	uint64_t ns_per_rec;		/* ... give the rate; 0: not known */
	uint64_t span_from_ns;		/* a sleep began or a quiet spell
					 * ended, ... */
	uint64_t span_recs;		/* ... and records read since */
	uint64_t cap_ns;		/* the longest sleep for now */
	uint64_t held_from_ns;		/* a sleep whose records are not all
					 * read yet began; 0: none */
};

void ingest_gather_init(struct ingest_gather *g);

/*
 * After a batch of n records read at now (emptied: the source had no
 * more), with a budget of w_ns: how long to sleep now, 0 for not at all.
 * A sleep's start is held for ingest_gather_held.
 */
uint64_t ingest_gather_plan(struct ingest_gather *g, uint64_t now,
    unsigned n, bool emptied, uint64_t w_ns);

/*
 * The receive time for a batch read now: the start of the sleep its
 * records may have gathered in, held until a batch empties the source
 * (emptied); 0: none, the batch's own time.
 */
uint64_t ingest_gather_held(struct ingest_gather *g, bool emptied);

/* Whether records may have gathered since the last batch (a sleep's
 * records are not all read yet): the next receive need not wait. */
bool ingest_gather_holding(const struct ingest_gather *g);

#endif
