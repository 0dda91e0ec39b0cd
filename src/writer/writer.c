/*
 * writer.c - the writer thread.
 *
 * Records arrive on W rings, one per parser worker, each in ingest order;
 * the writer keeps the head of each ring in hand and always takes the
 * record whose sequence number is next, so the log keeps the kernel's order.
 * A record's line is copied into the current write buffer and the record
 * goes straight back to ingest on the free ring: slots never wait on I/O.
 *
 * Buffers are closed when full, when no record is waiting (so an idle
 * moment never holds records back), or at a sync point, and are written
 * with io_uring.  The log is opened O_APPEND, as auditd's: a write lands
 * where the file ends, so one cut short under the daemon (copytruncate)
 * goes on at its top, never past a hole; writes therefore go one at a
 * time, or linked in a chain, so that they land in order.  (switch.c
 * follows a log that is cut, deleted or moved.)  flush decides the syncs:
 *
 *   none               one write after another, no sync
 *   incremental        after every freq records, the buffer write is linked
 *                      to an fdatasync; nothing more is written until it
 *                      completes (records keep gathering meanwhile)
 *   incremental_async  the same chain, but writing goes on behind it; a
 *                      sync point met while a sync is in flight is written
 *                      at once and owes one sync, made when that ends; a
 *                      sync no write in the ring precedes is made on a
 *                      thread of its own (syncer.c)
 *   data / sync        group commit: all that gathered is written as one
 *                      chain of writes linked to one fdatasync / fsync; once
 *                      its writes are done and only its sync runs, the next
 *                      group goes out beside it (two syncs at most, io.c)
 *
 * A chain is submitted only when no earlier write is in flight, so its sync
 * covers every record before it.  (IOSQE_IO_DRAIN would say the same to the
 * kernel, but it also waits for the writer's own armed eventfd read, which
 * completes only when someone wakes the writer.)  A short write breaks the
 * link: the kernel cancels the sync, and the writer resubmits the rest of
 * the chain with a new one.  A small incremental_async chain's writes are
 * made at once on the writer's thread and only its sync goes to the
 * kernel (io.c); one that fell short cancels that sync the same way.  A record counts as
 * written when its write completed and as durable when the sync covering
 * it did; both latencies from receive are kept in histograms.
 *
 * Write errors.  A failed write drops its buffer's records (counted); once
 * nothing is in flight the file is cut back to the start of that buffer,
 * so no partial line stays, and what waits is written after it, unless
 * the action suspends logging.
 *
 * Waiting: the writer sleeps only in io_uring_submit_and_wait_timeout, with
 * a read of its waiter's eventfd armed in the same ring; a worker that
 * pushed records writes that eventfd only if the writer announced sleep.
 * (Without io_uring, io.c makes the requests as system calls, and the
 * writer sleeps in poll on that eventfd.)
 *
 * The writer is five files, each calling only those below it: this one
 * (the thread: records into buffers, sleeping, waking); switch.c
 * (rotation, resume, new parameters, and the limits: max_log_file, free
 * space, write errors told to the daemon), called at record boundaries
 * and after reaping; io.c (buffers out through io_uring, completions in);
 * syncer.c (incremental_async's syncs, on a thread of their own); uring.c
 * (the ring itself, closed while idle, or the system-call path).
 * The state they share is in writer_int.h.
 */
#include <errno.h>
#include <liburing.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ck_pr.h>

#include "common/log.h"
#include "common/stat.h"
#include "common/thread.h"
#include "writer/logfile.h"
#include "writer/writer_int.h"

#define WR_MIN_LINE 12		/* "type=X msg=\n": sizes recv_ns arrays */
#define WR_SPINS 64

int
wr_create(struct wr **out, const struct wr_config *c)
{
	struct wr *w;
	unsigned i, depth;
	int rc = -ENOMEM;

	if (c->workers == 0 || c->nbufs < 2 || c->nbufs > 64 ||
	    c->batch_bytes < 2 * RING_REC_SIZE)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	w->c = *c;
	w->p = c->params;
	w->staged = c->params;
	if (c->path != NULL)
		snprintf(w->path, sizeof(w->path), "%s", c->path);
	w->group = c->log_group;
	w->fd = -1;
	w->fd2 = -1;
	w->ev_fd = -1;
	w->err_off = -1;
	pthread_mutex_init(&w->mu, NULL);
	w->rl.interval_ns = 10ull * 1000000000u;
	w->rl.burst = 3;
	w->cap_rec = c->batch_bytes / WR_MIN_LINE + 1;
	w->bufs = calloc(c->nbufs, sizeof(*w->bufs));
	w->queue = calloc(c->nbufs, sizeof(*w->queue));
	w->chain.bufs = calloc(c->nbufs, sizeof(*w->chain.bufs));
	w->prior.bufs = calloc(c->nbufs, sizeof(*w->prior.bufs));
	w->held = calloc(c->workers, sizeof(*w->held));
	w->popped = calloc(c->workers, sizeof(*w->popped));
	if (w->bufs == NULL || w->queue == NULL || w->chain.bufs == NULL ||
	    w->prior.bufs == NULL || w->held == NULL || w->popped == NULL)
		goto err;
	for (i = 0; i < c->nbufs; i++) {
		w->bufs[i].mem = aligned_alloc(4096, c->batch_bytes);
		w->bufs[i].recv_ns = calloc(w->cap_rec, sizeof(uint64_t));
		if (w->bufs[i].mem == NULL || w->bufs[i].recv_ns == NULL)
			goto err;
		if (c->acks != NULL && (w->bufs[i].ack = calloc(w->cap_rec,
		    sizeof(uint32_t))) == NULL)
			goto err;
	}
	w->ev_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->ev_fd < 0) {
		rc = -errno;
		goto err;
	}
	switch (c->output) {
	case WR_OUT_FILE:
		rc = wr_open_log(w);
		if (rc < 0)
			goto err;
		/* auditd trims the numbered logs to num_logs at start. */
		if (w->p.max_log_act == WR_ACT_ROTATE)
			lf_remove_excess(w->path, w->p.num_logs);
		wr_resolve_space(w);
		/* auditd's setup_percentages says so once the percentages
		 * are MiB, and goes on. */
		if (w->space_bytes <= w->admin_bytes)
			log_warnx("Error - space_left(%llu) must be larger "
			    "than admin_space_left(%llu)",
			    (unsigned long long)(w->space_bytes >> 20),
			    (unsigned long long)(w->admin_bytes >> 20));
		break;
	case WR_OUT_FD:
		w->fd = c->fd;
		break;
	case WR_OUT_DISCARD:
		break;
	}
	/* Every buffer may be in flight, each with a resubmission, plus the
	 * sync and the wake read. */
	depth = 4;
	while (depth < 2 * c->nbufs + 4)
		depth <<= 1;
	if ((rc = wr_io_init(w, depth)) < 0)
		goto err;
	*out = w;
	return 0;
err:
	wr_destroy(w);
	return rc;
}

void
wr_destroy(struct wr *w)
{
	unsigned i;

	if (w == NULL)
		return;
	wr_syncer_stop(&w->syncer);
	wr_io_fini(w);
	wr_close_log(w);
	if (w->ev_fd >= 0)
		close(w->ev_fd);
	pthread_mutex_destroy(&w->mu);
	for (i = 0; w->bufs != NULL && i < w->c.nbufs; i++) {
		free(w->bufs[i].mem);
		free(w->bufs[i].recv_ns);
		free(w->bufs[i].ack);
	}
	free(w->bufs);
	free(w->queue);
	free(w->chain.bufs);
	free(w->prior.bufs);
	free(w->held);
	free(w->popped);
	free(w);
}


static void
release_rec(struct wr *w, struct ring_rec *r)
{
	/* The dispatcher gets every record taken, EOE and records the log
	 * does not keep included, in log order; a full feed is not waited
	 * for (plugins count what it lost). */
	if (w->c.feed != NULL && !(r->flags & RING_REC_EOS) &&
	    (!(r->flags & RING_REC_VERBATIM) || w->c.feed_remote) &&
	    ring_feed_put(w->c.feed, r)) {
		STAT_ADD(w->st.fed, 1);
		w->fed_batch = true;
	}
	r->cmd = RING_CMD_NONE;
	/* The free ring holds the whole pool: it cannot be full. */
	if (!ring_trypush(w->c.free_ring, r))
		fatalx("writer: free ring overflow");
	w->freed++;
}

/* The record whose turn it is, or NULL if it has not arrived yet. */
static struct ring_rec *
next_record(struct wr *w)
{
	unsigned i;

	for (i = 0; i < w->c.workers; i++) {
		struct ring_rec *r = w->held[i];

		if (r == NULL) {
			if (!ring_trypop(&w->c.from_worker[i], &r))
				continue;
			w->popped[i] = true;
			w->held[i] = r;
		}
		if (r->seq == w->next_seq) {
			w->held[i] = NULL;
			w->next_seq++;
			return r;
		}
	}
	return NULL;
}

static struct wbuf *
take_buffer(struct wr *w)
{
	unsigned i;

	for (i = 0; i < w->c.nbufs; i++) {
		struct wbuf *b = &w->bufs[i];

		if (b->state == WB_FREE) {
			b->state = WB_FILL;
			b->len = 0;
			b->done = 0;
			b->nrec = 0;
			b->nack = 0;
			b->sync_point = false;
			b->in_chain = false;
			return b;
		}
	}
	return NULL;
}



/* Take records in order into buffers; true if any was taken. */
static bool
pull(struct wr *w)
{
	bool progress = false;
	unsigned i;

	for (;;) {
		struct ring_rec *r = w->pending;

		if (w->sw != 0)
			break;
		if (r == NULL) {
			r = next_record(w);
			if (r == NULL)
				break;
		}
		w->pending = NULL;
		if (r->cmd != RING_CMD_NONE && wr_take_cmd(w, r))
			break;
		if (r->flags & RING_REC_EOS) {
			w->eos++;
			release_rec(w, r);
			progress = true;
			continue;
		}
		if (r->flags & RING_REC_SKIP) {
			STAT_ADD(w->st.records, 1);
			STAT_ADD(w->st.skipped, 1);
			if (r->ack != 0)
				wr_ack(w, r->ack, RING_ACK_WRITTEN);
			release_rec(w, r);
			progress = true;
			continue;
		}
		if (w->c.output == WR_OUT_DISCARD || w->suspended) {
			STAT_ADD(w->st.records, 1);
			if (w->suspended)
				STAT_ADD(w->st.dropped, 1);
			/* write_logs = no: auditd acks at once. */
			if (r->ack != 0)
				wr_ack(w, r->ack, w->suspended ?
				    wr_drop_state(w) : RING_ACK_WRITTEN);
			release_rec(w, r);
			progress = true;
			continue;
		}
		if (w->cur != NULL && w->cur->len + r->line_len >
		    w->c.batch_bytes) {
			/* Full: let it go out before filling the next. */
			wr_close_current(w);
			w->pending = r;
			break;
		}
		if (w->cur == NULL) {
			w->cur = take_buffer(w);
			if (w->cur == NULL) {
				/* Every buffer is busy: back-pressure. */
				w->pending = r;
				if (!w->buffer_wait)
					STAT_ADD(w->st.buffer_waits, 1);
				w->buffer_wait = true;
				break;
			}
			w->buffer_wait = false;
			w->cur->off = w->off;
		}
		memcpy(w->cur->mem + w->cur->len, r->data + r->line_off,
		    r->line_len);
		w->cur->len += r->line_len;
		w->cur->recv_ns[w->cur->nrec++] = r->recv_ns;
		if (r->ack != 0)
			w->cur->ack[w->cur->nack++] = r->ack;
		w->off += r->line_len;
		STAT_ADD(w->st.records, 1);
		release_rec(w, r);
		progress = true;
		if (w->p.freq > 0 && has_syncs(w) && !group_commit(w) &&
		    ++w->since_sync >= w->p.freq) {
			w->since_sync = 0;
			w->cur->sync_point = true;
			/* incremental: nothing is written past the sync
			 * point until its sync ends.  incremental_async:
			 * the buffer fills on, and a sync follows its
			 * write; closed here, a slow disk would be written
			 * freq records a write. */
			if (w->p.flush == WR_FLUSH_INCREMENTAL)
				wr_close_current(w);
		}
		if (wr_check_size(w))
			break;
	}
	/* Hand back what we took: ingest may wait for free records, a
	 * worker for room in its ring. */
	if (w->freed > 0) {
		w->freed = 0;
		ring_waiter_wake(w->c.free_ring->consumer);
	}
	/* Only for what it was given: with no plugin, never; lent, the
	 * borrower's to do (wr_help). */
	if (w->fed_batch && !w->lent) {
		w->fed_batch = false;
		ring_waiter_wake(w->c.feed->consumer);
	}
	for (i = 0; i < w->c.workers; i++) {
		if (w->popped[i]) {
			w->popped[i] = false;
			ring_wake_producer(&w->c.from_worker[i]);
		}
	}
	return progress;
}













/* Tokens went back: their owner looks once for the lot. */
static void
wake_acks(struct wr *w)
{
	if (!w->acks_owed)
		return;
	w->acks_owed = false;
	ring_waiter_wake(w->c.acks->consumer);
}

static bool
input_ready(struct wr *w)
{
	unsigned i;

	for (i = 0; i < w->c.workers; i++) {
		if (w->held[i] != NULL && w->held[i]->seq == w->next_seq)
			return true;
		if (w->held[i] == NULL && ring_count(&w->c.from_worker[i]) > 0)
			return true;
	}
	return false;
}

/*
 * Before the writer's thread sleeps, or a borrower gives it back: whether
 * the sync thread is to wake it when its sync ends.  Only when something
 * waits for that end: a sync owed, a switch, the end of the stream, the
 * file to cut back after a failed write, buffers queued behind it; else
 * the answer waits for whoever takes records next (syncer.c).  Stored
 * before the waiter announces sleep; the caller re-checks
 * wr_syncer_ready after that.
 */
static bool
want_sync_answer(struct wr *w)
{
	bool want = w->chain.active && (w->sync_owed || w->sw != 0 ||
	    w->eos > 0 || w->rebase || w->qlen > 0);

	wr_syncer_want_wake(&w->syncer, want);
	return want;
}

/* Without io_uring: answers waiting are reaped first; else a poll of
 * the waiter's eventfd. */
static void
sleep_direct(struct wr *w, int ms)
{
	struct pollfd pfd = { .fd = w->c.self->efd, .events = POLLIN };
	uint64_t v;

	if (w->ndone > 0)
		return;
	ring_waiter_prepare(w->c.self);
	if (input_ready(w) && w->pending == NULL && w->sw == 0) {
		ring_waiter_cancel(w->c.self);
		return;
	}
	STAT_ADD(w->st.waits, 1);
	if (poll(&pfd, 1, ms) > 0 && read(pfd.fd, &v, sizeof(v)) < 0) {
		/* Raced with another read: nothing to clear. */
	}
	ring_waiter_cancel(w->c.self);
}

static void
sleep_once(struct wr *w)
{
	int ms = w->c.self->sleep_ms, rc;
	unsigned renew_ms = w->c.renew_ms != 0 ? w->c.renew_ms : WR_RENEW_MS;
	bool renew, lendable, want;
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;

	if (w->direct) {
		sleep_direct(w, ms);
		return;
	}
	/* Answers of writes made at once wait: no sleep. */
	if (w->ndone > 0)
		return;
	/* Idle after the ring's worker ran: close the ring if nothing comes
	 * for renew_ms (wr_io_close_idle). */
	renew = wr_io_renew_due(w);
	if (renew && (ms < 0 || (unsigned)ms > renew_ms))
		ms = (int)renew_ms;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	if (!w->wake_armed) {
		struct io_uring_sqe *sqe = wr_get_sqe(w);

		/* A poll, not a read: io_uring hands a blocking read of an
		 * eventfd to a worker thread, which wakes every few seconds
		 * while it waits (an idle daemon's only wake-ups). */
		io_uring_prep_poll_add(sqe, w->c.self->efd, POLLIN);
		io_uring_sqe_set_data64(sqe, WR_TAG_WAKE);
		w->wake_armed = true;
	}
	/* All is submitted before the writer lends itself: a borrower
	 * finds the submission queue empty and leaves it so. */
	wr_submit(w);
	want = want_sync_answer(w);
	ring_waiter_prepare(w->c.self);
	/* During a switch no record is taken: input does not count. */
	if ((input_ready(w) && w->pending == NULL && w->sw == 0) ||
	    (want && wr_syncer_ready(&w->syncer))) {
		ring_waiter_cancel(w->c.self);
		return;
	}
	STAT_ADD(w->st.waits, 1);
	/* Lent only where a borrower can do its work (wr_help): not under
	 * group commit, where each group is a chain this thread submits, so
	 * lending would save no wake-up and add a step before the sync; and
	 * not where io_uring cannot wait with a timeout as an argument
	 * (before 5.11: liburing then queues a timeout request in the
	 * submission queue a borrower would share). */
	lendable = (w->ring.features & IORING_FEAT_EXT_ARG) &&
	    !group_commit(w);
	if (lendable)
		ring_baton_idle(&w->baton);
	rc = io_uring_wait_cqe_timeout(&w->ring, &cqe, ms >= 0 ? &ts : NULL);
	if (lendable)
		ring_baton_take(&w->baton);
	ring_waiter_cancel(w->c.self);
	if (renew && rc == -ETIME) {
		/* Idle all that time: no ring (and so no worker thread)
		 * until something comes. */
		wr_io_close_idle(w);
		if (w->ring_closed) {
			sleep_direct(w, w->c.self->sleep_ms);
			wr_io_reopen(w);
		}
	}
}


/*
 * One round of the writer's work: answers reaped, records taken, buffers
 * sent, syncs owed.  Returns whether anything moved; *input: records were
 * taken; *done: all is written and synced after the last end of stream.
 */
static bool
step(struct wr *w, bool *input, bool *done)
{
	bool progress, finishing;

	*done = false;
	progress = wr_reap(w);
	wr_settle(w);
	*input = pull(w);
	progress |= *input;
	wake_acks(w);
	if (w->sw != 0 && !w->lent)
		progress |= wr_do_switch(w);
	finishing = w->eos == w->c.workers && w->pending == NULL;
	/* Nothing waits behind the current buffer: let it go;
	 * unless a write is in flight, which the next write would
	 * wait for anyway: the buffer fills meanwhile, and on a
	 * slow disk the log is written in a few large writes
	 * rather than in as many small ones as there were takes
	 * (kernel/test_faults: 486 of 10.7 KB on average, at 20 ms
	 * a write). */
	if (w->pending == NULL && w->cur != NULL &&
	    w->inflight == 0 &&
	    !(group_commit(w) && w->chain.active) &&
	    !(w->p.flush == WR_FLUSH_INCREMENTAL && w->chain.active))
		wr_close_current(w);
	if (finishing)
		wr_close_current(w);
	if (w->qlen > 0 || w->rebase) {
		unsigned before = w->qlen;
		bool rebase = w->rebase;

		wr_submit_queued(w);
		wr_settle(w);
		wake_acks(w);
		if (w->qlen != before || w->rebase != rebase)
			progress = true;
	}
	if (finishing && wr_idle_io(w)) {
		/* A last sync, whatever the mode: what was written
		 * before DAEMON_END is on disk when we exit. */
		if (w->c.output != WR_OUT_FILE || w->final_sync) {
			*done = true;
			return progress;
		}
		w->final_sync = true;
		w->sync_owed = false;
		wr_submit_bare_sync(w, false);
		progress = true;
	}
	if (w->sync_owed && !w->chain.active) {
		w->sync_owed = false;
		wr_submit_bare_sync(w, true);
		progress = true;
	}
	return progress;
}

/* What only the writer's own thread may go on with: requests to submit,
 * a switch (rotation, resume, new parameters), the end of the stream,
 * records waiting for a buffer.  (It lends itself only with a ring and
 * io_uring's timeout argument, and not under group commit: sleep_once.) */
static bool
thread_needed(struct wr *w)
{
	return io_uring_sq_ready(&w->ring) > 0 || w->sw != 0 || w->eos > 0 ||
	    w->buffer_wait;
}

#define WR_HELP_ROUNDS 8

bool
wr_help(struct wr *w)
{
	uint64_t before;
	unsigned rounds;
	bool input, done, left, fed;

	if (!ring_baton_lend(&w->baton)) {
		/* Awake, or about to sleep (its waiter says which). */
		ring_waiter_wake(w->c.self);
		return false;
	}
	before = w->st.records;
	w->lent = true;
	/* Rounds while records or the answers of writes made at once come;
	 * what needs io_uring, or a switch, is left to the thread. */
	for (rounds = 0; rounds < WR_HELP_ROUNDS; rounds++)
		if (thread_needed(w) || !step(w, &input, &done) || done)
			break;
	left = rounds == WR_HELP_ROUNDS || thread_needed(w) ||
	    (want_sync_answer(w) && wr_syncer_ready(&w->syncer));
	fed = w->fed_batch;
	w->fed_batch = false;
	w->lent = false;
	if (w->st.records != before)
		STAT_ADD(w->st.helped, w->st.records - before);
	ring_baton_return(&w->baton);
	if (left)
		ring_waiter_wake(w->c.self);
	return fed;
}

static void *
wr_main(void *arg)
{
	struct wr *w = arg;
	struct ring_spin spin;

	ring_spin_init(&spin, WR_SPINS);
	wr_check_space(w);
	wr_publish(w, 0, 0);
	for (;;) {
		bool progress, input, done;

		progress = step(w, &input, &done);
		if (done)
			break;
		if (progress) {
			/* Only records earn dozes: a doze that found the
			 * completion of our own write says nothing of when
			 * the next record comes. */
			if (input)
				ring_spin_found(&spin);
			else
				ring_spin_progress(&spin);
			wr_submit(w);
			continue;
		}
		if (ring_spin(&spin)) {
			ck_pr_stall();
			continue;
		}
		/* With writes or syncs in flight, sleep where their
		 * completion wakes us; a doze would only delay them. */
		if (w->inflight == 0 && ring_spin_doze(&spin))
			continue;
		if (w->inflight == 0)
			ring_spin_slept(&spin);
		else
			ring_spin_slept_busy(&spin);
		sleep_once(w);
	}
	return NULL;
}

int
wr_start(struct wr *w)
{
	int rc;

	/* Its syncs' thread, where io_uring can be had: without it the
	 * writer makes every request itself (io.c). */
	if (!w->direct && (rc = wr_syncer_start(&w->syncer, w->c.self)) < 0)
		return rc;
	rc = pthread_create(&w->thread, NULL, wr_main, w);
	if (rc != 0) {
		wr_syncer_stop(&w->syncer);
		return -rc;
	}
	w->started = true;
	thread_setup(w->thread, "ra-writer");
	return 0;
}

int
wr_join(struct wr *w)
{
	int rc;

	if (!w->started)
		return 0;
	w->started = false;
	rc = -pthread_join(w->thread, NULL);
	/* The writer's thread took the last answer before it ended. */
	wr_syncer_stop(&w->syncer);
	return rc;
}

void
wr_get_stats(struct wr *w, struct wr_stats *st)
{
	stat_copy(st, &w->st, sizeof(*st));
}

int
wr_append(struct wr *w, const char *line, size_t len)
{
	int fd, rc = 0;

	switch (w->c.output) {
	case WR_OUT_DISCARD:
		return 0;
	case WR_OUT_FD:
		return write(w->c.fd, line, len) == (ssize_t)len ? 0 : -EIO;
	case WR_OUT_FILE:
		break;
	}
	wr_close_log(w);
	if ((fd = lf_open_append(w->path)) < 0)
		return fd;
	if (write(fd, line, len) != (ssize_t)len)
		rc = -EIO;
	close(fd);
	return rc;
}
