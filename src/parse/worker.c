/*
 * worker.c - the parser worker threads.
 *
 * Each worker owns one ring from ingest and one ring to the writer.  It
 * takes a batch of records, formats each in place (parse_format_record),
 * and pushes it on; end-of-stream records pass through and end the thread.
 * Ingest shards by serial, so all records of one event come to the same
 * worker, in order, and leave it in that order.
 *
 * New options (a node name after SIGHUP) are staged under a lock and taken
 * on the record that carries RING_CMD_RECONF, so the change starts exactly
 * at DAEMON_CONFIG, as in auditd.
 *
 * Waiting: with nothing to take, the worker spins a little (ring_spin: as
 * long as spinning paid off lately), then announces
 * sleep on its futex waiter, re-checks its input, and sleeps; ingest wakes
 * it only if it announced.  Before sleeping it wakes the writer (records it
 * pushed) and ingest (room it made in the input ring).
 *
 * Asleep, it lends itself (ring.h's baton): ingest, with a small batch,
 * formats the records on its own thread (parse_worker_help) rather than
 * wake this one, and the worker takes its state back when it wakes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include "common/stat.h"
#include "common/thread.h"
#include "parse/parse.h"
#include "ring/ring.h"

#define WORKER_BATCH 64
#define WORKER_SPINS 256

struct parse_worker {
	struct parse_worker_config c;
	struct parse_worker_stats st;
	struct parse_names *names;		/* ENRICHED: this thread's */
	pthread_t thread;
	bool started;
	bool done;				/* end of stream passed on */
	struct ring_baton baton;
	char node[RING_REC_NODE_MAX + 1];	/* c.opts.node points here */

	pthread_mutex_t mu;			/* the staged options */
	struct parse_opts staged;
	char staged_node[RING_REC_NODE_MAX + 1];
};

/* o's node copied into buf; the copy's options point at it. */
static void
copy_opts(struct parse_opts *dst, char *buf, const struct parse_opts *o)
{
	size_t len = o->node != NULL ? o->node_len : 0;

	if (len > RING_REC_NODE_MAX)
		len = RING_REC_NODE_MAX;
	*dst = *o;
	if (len > 0)
		memcpy(buf, o->node, len);
	buf[len] = '\0';
	dst->node = o->node != NULL ? buf : NULL;
	dst->node_len = len;
}

int
parse_worker_create(struct parse_worker **out,
    const struct parse_worker_config *c)
{
	struct parse_worker *pw;
	int rc;

	/* The name tables, if the caller has not built them yet. */
	if ((rc = parse_init()) < 0)
		return rc;
	if ((pw = calloc(1, sizeof(*pw))) == NULL)
		return -ENOMEM;
	rc = parse_names_create(&pw->names, c->name_cache_entries > 0 ?
	    c->name_cache_entries : PARSE_NAMES_ENTRIES_DEFAULT,
	    c->names_epoch, c->names_drops);
	if (rc < 0) {
		free(pw);
		return rc;
	}
	pw->c = *c;
	copy_opts(&pw->c.opts, pw->node, &c->opts);
	pw->c.opts.names = pw->names;
	copy_opts(&pw->staged, pw->staged_node, &c->opts);
	pthread_mutex_init(&pw->mu, NULL);
	*out = pw;
	return 0;
}

void
parse_worker_destroy(struct parse_worker *pw)
{
	if (pw == NULL)
		return;
	pthread_mutex_destroy(&pw->mu);
	parse_names_destroy(pw->names);
	free(pw);
}

void
parse_worker_set_opts(struct parse_worker *pw, const struct parse_opts *o)
{
	pthread_mutex_lock(&pw->mu);
	copy_opts(&pw->staged, pw->staged_node, o);
	pthread_mutex_unlock(&pw->mu);
}

static void
take_staged(struct parse_worker *pw)
{
	pthread_mutex_lock(&pw->mu);
	copy_opts(&pw->c.opts, pw->node, &pw->staged);
	pw->c.opts.names = pw->names;
	pthread_mutex_unlock(&pw->mu);
}

/* One record taken: formatted in place (end of stream passes as it is). */
static void
format_one(struct parse_worker *pw, struct ring_rec *r)
{
	if (r->flags & RING_REC_EOS) {
		pw->done = true;
		return;
	}
	STAT_ADD(pw->st.records, 1);
	if (r->cmd == RING_CMD_RECONF)
		take_staged(pw);
	if (parse_format_record(r, &pw->c.opts) < 0) {
		/* Cannot happen with a node name of at most 255 bytes; keep
		 * the record, bare. */
		STAT_ADD(pw->st.format_errors, 1);
		r->line_off = RING_REC_HEADROOM;
		r->line_len = r->len;
	}
}

/* High-water marks, once a batch of n: the counts cost a look at the
 * other side's index. */
static void
mark_high(struct parse_worker *pw, unsigned n)
{
	unsigned in_now = n + ring_count(pw->c.in);
	unsigned out_now = ring_count(pw->c.out);

	if (in_now > pw->st.in_high)
		STAT_SET(pw->st.in_high, in_now);
	if (out_now > pw->st.out_high)
		STAT_SET(pw->st.out_high, out_now);
}

unsigned
parse_worker_help(struct parse_worker *pw)
{
	struct ring *in = pw->c.in, *out = pw->c.out;
	unsigned n = 0, room;
	struct ring_rec *r;
	bool done;

	if (!ring_baton_lend(&pw->baton))
		return 0;
	/* Only what fits: a borrower does not wait. */
	room = ring_capacity(out) - ring_count(out);
	while (n < room && !pw->done && ring_trypop(in, &r)) {
		format_one(pw, r);
		if (!ring_trypush(out, r))
			fatalx("parse: no room after all in the writer's ring");
		n++;
	}
	if (n > 0) {
		STAT_ADD(pw->st.helped, n);
		mark_high(pw, n);
	}
	done = pw->done;	/* the worker's again once returned */
	ring_baton_return(&pw->baton);
	/* Left behind, or the end passed on: the worker's own to see. */
	if (ring_count(in) > 0 || done)
		ring_waiter_wake(pw->c.self);
	return n;
}

static void *
worker_main(void *arg)
{
	struct parse_worker *pw = arg;
	struct ring *in = pw->c.in, *out = pw->c.out;
	struct ring_spin spin;

	ring_spin_init(&spin, WORKER_SPINS);
	while (!pw->done) {
		struct ring_rec *r;
		unsigned n = 0;

		while (n < WORKER_BATCH && ring_trypop(in, &r)) {
			n++;
			format_one(pw, r);
			if (!ring_trypush(out, r)) {
				/* About to wait: ingest may wait for the room
				 * this batch made in the input ring. */
				ring_wake_producer(in);
				ring_push_wait(out, r, pw->c.self, NULL);
			}
			if (pw->done)
				break;
		}
		if (n > 0) {
			mark_high(pw, n);
			ring_spin_found(&spin);
			ring_waiter_wake(out->consumer);
			ring_wake_producer(in);
			continue;
		}
		if (ring_spin(&spin)) {
			ck_pr_stall();
			continue;
		}
		if (ring_spin_doze(&spin))
			continue;
		uint32_t epoch = ring_waiter_prepare(pw->c.self);

		if (ring_count(in) > 0) {
			ring_waiter_cancel(pw->c.self);
			continue;
		}
		STAT_ADD(pw->st.sleeps, 1);
		ring_spin_slept(&spin);
		ring_baton_idle(&pw->baton);
		ring_waiter_sleep(pw->c.self, epoch);
		ring_baton_take(&pw->baton);
	}
	ring_waiter_wake(out->consumer);
	return NULL;
}

int
parse_worker_start(struct parse_worker *pw)
{
	int rc = pthread_create(&pw->thread, NULL, worker_main, pw);

	if (rc != 0)
		return -rc;
	pw->started = true;
	thread_setup(pw->thread, "ra-parse");
	return 0;
}

int
parse_worker_join(struct parse_worker *pw)
{
	if (!pw->started)
		return 0;
	pw->started = false;
	return -pthread_join(pw->thread, NULL);
}

void
parse_worker_get_stats(struct parse_worker *pw,
    struct parse_worker_stats *st)
{
	stat_copy(st, &pw->st, sizeof(*st));
	parse_names_get_stats(pw->names, &st->names);
}
