/*
 * reap.c - the writer's answers: what io_uring (or the system-call path,
 * or the sync thread) says of each write and sync, taken in one reap.
 *
 * A write's answer is io.c's (wr_write_done: written, short and sent
 * again, failed and cut back).  A sync's answer ends its chain: the
 * chain's records count as durable, or its sync failed and they do not;
 * a cancelled sync (a link broke) sends the chain again.  Within a reap,
 * the syncs are handled after the writes, so a cancelled chain sees all
 * of its writes answered.
 *
 * Group commit (data, sync) keeps two syncs in flight at most: once a
 * chain's writes are all done and only its sync runs, the chain steps
 * aside (prior) and the next one's writes and sync go out beside it
 * (maybe_retire).  A record that came during a sync waited for that sync
 * and then for its own; now for its own.  The second sync goes through a
 * second open of the log (open_fd2 says why).  Answers count in the
 * order the syncs were asked: the later sync covers the earlier one's
 * writes too, and the kernel may end it first; its answer is then held
 * (chain.answered, counted as syncs_held) until the earlier one's comes.
 *
 * This file calls io.c, uring.c and syncer.c, and nothing calls it but
 * the writer's loop (wr_reap).
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stat.h"
#include "writer/writer_int.h"

/* A chain's sync answered: its records durable, or not, and its
 * buffers free. */
static void
finish_chain(struct wr *w, struct wchain *c, int res, uint64_t now)
{
	unsigned i, j;

	c->active = false;
	for (i = 0; w->c.ack_durable && i < c->n; i++)
		wr_ack_buffer(w, c->bufs[i], res < 0 ? RING_ACK_ERROR :
		    w->space_hit ? RING_ACK_WRITTEN_LOW : RING_ACK_WRITTEN);
	if (res < 0) {
		STAT_ADD(w->st.sync_errors, 1);
		if (log_ratelimit_ok(&w->rl))
			log_warnx("writer: %s: sync failed: %s", w->path,
			    strerror(-res));
	} else {
		uint64_t durable = c->base;

		/* A failed write left its buffer with nrec 0. */
		for (i = 0; i < c->n; i++)
			durable += c->bufs[i]->nrec;
		STAT_ADD(w->st.syncs, 1);
		if (durable > w->st.durable)
			STAT_SET(w->st.durable, durable);
		/* Group commit keeps every record's receive time to here. */
		for (i = 0; group_commit(w) && i < c->n; i++) {
			struct wbuf *b = c->bufs[i];

			for (j = 0; j < b->nrec; j++)
				hist_add(&w->st.lat_durable,
				    now - b->recv_ns[j]);
		}
	}
	for (i = 0; i < c->n; i++)
		wr_free_buffer(c->bufs[i]);
	c->n = 0;
}

/* The chain's sync answered.  Answers count in the order the syncs were
 * asked: one that ends before the sync beside it (prior) waits for it. */
static void
sync_done(struct wr *w, int res, uint64_t now)
{
	if (res == -ECANCELED) {
		/* A short or failed write broke the chain: go again. */
		w->chain.resubmit = true;
		wr_maybe_resubmit(w);
		return;
	}
	if (w->prior.active) {
		w->chain.answered = true;
		w->chain.res = res;
		STAT_ADD(w->st.syncs_held, 1);
		return;
	}
	finish_chain(w, &w->chain, res, now);
}

/* The sync beside the chain answered (all its writes were done: a
 * cancel here is the ring's, a failure), and then the chain's, if it
 * came first. */
static void
prior_done(struct wr *w, int res, uint64_t now)
{
	finish_chain(w, &w->prior, res, now);
	if (w->chain.answered) {
		w->chain.answered = false;
		finish_chain(w, &w->chain, w->chain.res, now);
	}
}

/*
 * The log opened a second time, for the syncs of gen 1: a file of its
 * own, not a dup.  The kernel tells a write-back error to the next sync
 * of each file that was open when it happened; two syncs in flight on
 * one file could each take the other's error, and the one that took
 * none would count records durable that are not.  With a file each,
 * each is told every error since its own last sync (a sync may be told
 * an error its neighbour was told too: its records then count as not
 * durable, the cautious side).  false: it cannot be opened (no /proc):
 * chains go one at a time, as before.
 */
static bool
open_fd2(struct wr *w)
{
	char path[64];

	if (w->fd2 >= 0)
		return true;
	if (w->fd2_refused)
		return false;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", w->fd);
	w->fd2 = open(path, O_RDONLY | O_CLOEXEC);
	if (w->fd2 < 0) {
		w->fd2_refused = true;
		log_warn("writer: %s: cannot open it again; group commit "
		    "makes one sync at a time", w->path);
		return false;
	}
	return true;
}

/*
 * Group commit: a chain whose writes are all done, its sync alone in the
 * ring, steps aside (prior), and the next chain's writes and sync go out
 * beside that sync rather than after it.  A record that came while a sync
 * ran waited for it to end and then for its own; now only for its own.
 * The new chain's sync covers the prior's writes as well (a sync waits
 * for every write-back of the file under way), so its answer is counted
 * after the prior's, never before.  At most two: a third waits, as the
 * second did before.  Not for a chain that went back to the ring (a short
 * write), nor while a failed write is to be cut back.
 */
static void
maybe_retire(struct wr *w)
{
	struct wchain *c = &w->chain;
	struct wbuf **spare;
	unsigned i;

	if (!group_commit(w) || !c->active || !c->in_ring || c->resubmit ||
	    c->answered || w->prior.active || w->rebase || w->inflight > 0)
		return;
	for (i = 0; i < c->n; i++)
		if (c->bufs[i]->state != WB_WRITTEN ||
		    c->bufs[i]->done < c->bufs[i]->len)
			return;
	if (c->gen == 0 && !open_fd2(w))
		return;
	spare = w->prior.bufs;
	w->prior = *c;
	c->active = false;	/* chain_begin makes the next one */
	c->n = 0;
	c->bufs = spare;
}

/*
 * prior_answers_last (tests): the prior's answer is kept while the chain's
 * sync is in the ring, to be answered; released once the chain's came,
 * or once the chain cannot answer before the prior ends (it goes again
 * after a cut back, which waits for the prior).
 */
static void
keep_prior(struct wr *w, int res)
{
	w->prior_late = true;
	w->prior_late_res = res;
}

static bool
release_prior(const struct wr *w)
{
	const struct wchain *c = &w->chain;

	return w->prior_late && (c->answered || !c->active || !c->in_ring ||
	    c->resubmit || w->rebase);
}

/* The syncs answered in one reap. */
struct wr_answers {
	bool sync_seen, prior_seen;
	int sync_res, prior_res;
};

/* One answer, from io_uring or the direct path. */
static void
complete(struct wr *w, uint64_t tag, int res, uint64_t now,
    struct wr_answers *a)
{
	if (tag == WR_TAG_WAKE) {
		/* Readable (the poll said so): the read does not block. */
		if (res > 0 && read(w->c.self->efd, &w->wake_val,
		    sizeof(w->wake_val)) < 0)
			log_warn("writer: waiter");
		w->wake_armed = false;
	} else if (tag == WR_TAG_SYNC || tag == WR_TAG_SYNC1) {
		/* Handled after the writes of this batch, so that a cancelled
		 * chain sees all of its writes answered. */
		if (w->prior.active &&
		    w->prior.gen == (tag == WR_TAG_SYNC1 ? 1u : 0u)) {
			a->prior_seen = true;
			a->prior_res = res;
		} else {
			a->sync_seen = true;
			a->sync_res = res;
		}
	} else {
		wr_write_done(w, (struct wbuf *)(uintptr_t)tag, res, now);
	}
}

bool
wr_reap(struct wr *w)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;
	uint64_t now = clock_mono_ns();
	struct wr_answers a = { 0 };
	int res;

	w->requeued = 0;
	/* The sync thread's answer, taken as io_uring's would be. */
	if (wr_syncer_take(&w->syncer, &res))
		wr_post_done(w, WR_TAG_SYNC, res);

	/* The answers of what was made at once (all of it without
	 * io_uring); those they cause wait their turn, as io_uring's
	 * would. */
	n = w->ndone;
	for (unsigned i = 0; i < n; i++)
		complete(w, w->done[i].tag, w->done[i].res, now, &a);
	w->ndone -= n;
	memmove(w->done, w->done + n, w->ndone * sizeof(*w->done));
	/* io_uring's answers are its own thread's: it sleeps until one
	 * comes, and one taken by a borrower (ingest) would leave it asleep
	 * with no wake-up armed. */
	if (!w->direct && !w->lent) {
		unsigned k = 0;

		io_uring_for_each_cqe(&w->ring, head, cqe) {
			k++;
			complete(w, io_uring_cqe_get_data64(cqe), cqe->res,
			    now, &a);
		}
		io_uring_cq_advance(&w->ring, k);
		n += k;
	}
	if (a.prior_seen && w->c.prior_answers_last) {
		keep_prior(w, a.prior_res);
		a.prior_seen = false;
	}
	if (a.prior_seen)
		prior_done(w, a.prior_res, now);
	if (a.sync_seen)
		sync_done(w, a.sync_res, now);
	else
		wr_maybe_resubmit(w);
	if (release_prior(w)) {
		w->prior_late = false;
		prior_done(w, w->prior_late_res, now);
	}
	maybe_retire(w);
	return n > 0;
}
