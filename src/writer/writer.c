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
 * with io_uring at explicit file offsets.  flush decides the syncs:
 *
 *   none               unlinked writes, several in flight, no sync
 *   incremental        after every freq records, the buffer write is linked
 *                      to an fdatasync; nothing more is written until it
 *                      completes (records keep gathering meanwhile)
 *   incremental_async  the same chain, but writing goes on behind it; a
 *                      sync point met while a sync is in flight is written
 *                      at once and owes one sync, made when that ends
 *   data / sync        group commit: all that gathered is written as one
 *                      chain of writes linked to one fdatasync / fsync; while
 *                      it is in flight the next group gathers
 *
 * A chain is submitted only when no earlier write is in flight, so its sync
 * covers every record before it.  (IOSQE_IO_DRAIN would say the same to the
 * kernel, but it also waits for the writer's own armed eventfd read, which
 * completes only when someone wakes the writer.)  A short write breaks the
 * link: the kernel cancels the sync, and the writer resubmits the rest of
 * the chain with a new one.  A record counts as
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
 *
 * Switches (rotation, resume, new parameters) and limits (max_log_file,
 * free space, write errors told to the daemon) are switch.c's; the writer
 * calls into it at record boundaries and after reaping.  The state both
 * files share is in writer_int.h.
 */
#include <errno.h>
#include <liburing.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ck_pr.h>

#include "common/log.h"
#include "writer/logfile.h"
#include "writer/writer_int.h"

#define WR_TAG_SYNC 1u
#define WR_TAG_WAKE 2u
#define WR_MIN_LINE 12		/* "type=X msg=\n": sizes recv_ns arrays */
#define WR_SPINS 64
#define WR_SPACE_EVERY (64u << 10)	/* bytes written between checks */

int
wr_open_log(struct wr *w)
{
	int fd = lf_open(w->path, w->group, &w->off);

	if (fd < 0)
		return fd;
	w->fd = fd;
	w->own_fd = true;
	return 0;
}

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
	w->ev_fd = -1;
	w->err_off = -1;
	pthread_mutex_init(&w->mu, NULL);
	w->rl.interval_ns = 10ull * 1000000000u;
	w->rl.burst = 3;
	w->cap_rec = c->batch_bytes / WR_MIN_LINE + 1;
	w->bufs = calloc(c->nbufs, sizeof(*w->bufs));
	w->queue = calloc(c->nbufs, sizeof(*w->queue));
	w->chain.bufs = calloc(c->nbufs, sizeof(*w->chain.bufs));
	w->held = calloc(c->workers, sizeof(*w->held));
	w->popped = calloc(c->workers, sizeof(*w->popped));
	if (w->bufs == NULL || w->queue == NULL || w->chain.bufs == NULL ||
	    w->held == NULL || w->popped == NULL)
		goto err;
	for (i = 0; i < c->nbufs; i++) {
		w->bufs[i].mem = aligned_alloc(4096, c->batch_bytes);
		w->bufs[i].recv_ns = calloc(w->cap_rec, sizeof(uint64_t));
		if (w->bufs[i].mem == NULL || w->bufs[i].recv_ns == NULL)
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
	rc = io_uring_queue_init(depth, &w->ring, 0);
	if (rc < 0)
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
	if (w->ring.ring_fd > 0)
		io_uring_queue_exit(&w->ring);
	if (w->own_fd && w->fd >= 0)
		close(w->fd);
	if (w->ev_fd >= 0)
		close(w->ev_fd);
	pthread_mutex_destroy(&w->mu);
	for (i = 0; w->bufs != NULL && i < w->c.nbufs; i++) {
		free(w->bufs[i].mem);
		free(w->bufs[i].recv_ns);
	}
	free(w->bufs);
	free(w->queue);
	free(w->chain.bufs);
	free(w->held);
	free(w->popped);
	free(w);
}

static bool
has_syncs(const struct wr *w)
{
	return w->c.output == WR_OUT_FILE && w->p.flush != WR_FLUSH_NONE;
}

static bool
group_commit(const struct wr *w)
{
	return w->c.output == WR_OUT_FILE &&
	    (w->p.flush == WR_FLUSH_DATA || w->p.flush == WR_FLUSH_SYNC);
}

static struct io_uring_sqe *
get_sqe(struct wr *w)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&w->ring);

	if (sqe == NULL) {
		io_uring_submit(&w->ring);
		sqe = io_uring_get_sqe(&w->ring);
	}
	/* The ring is sized for every request the writer can have out. */
	if (sqe == NULL)
		fatalx("writer: io_uring submission queue full");
	return sqe;
}

/*
 * The dispatcher gets every record the writer takes, EOE and records the
 * log does not keep included, in log order.  The writer never waits for
 * it: a full feed counts the record lost there (plugins count it dropped).
 */
static void
feed_rec(struct wr *w, struct ring_rec *r)
{
	struct ring_feed *f = w->c.feed;
	struct ring_feed_ent *e;
	uint32_t len = r->v0_len > 0 ? r->v0_len + 1 : r->line_len;
	const char *line = r->data + r->line_off;

	/* Relaxed: a plugin that starts later may miss what comes first. */
	if (!atomic_load_explicit(&f->on, memory_order_relaxed))
		return;
	e = ring_feed_reserve(f, len);
	if (e == NULL)
		return;
	e->seq = r->seq;
	e->type = r->type;
	e->ver = 1;
	e->raw_off = 0;
	if (r->v0_len > 0) {
		/* The line's '\n' replaced a byte of the protocol 0 text. */
		memcpy(e->text, line, r->v0_len);
		if (r->line_len - 1 < r->v0_len)
			e->text[r->line_len - 1] = (char)r->v0_byte;
		e->text[r->v0_len] = '\n';
		e->ver = 0;
		e->raw_off = (uint16_t)(RING_REC_HEADROOM - r->line_off);
		for (unsigned i = 0; i < r->v0_nl; i++) {
			uint16_t at;

			memcpy(&at, r->data + RING_REC_HEADROOM + r->len + 1 +
			    i * sizeof(at), sizeof(at));
			e->text[e->raw_off + at] = '\n';
			e->flags = RING_FEED_NL;
		}
	} else {
		memcpy(e->text, line, len);
	}
	ring_feed_commit(f);
	w->st.fed++;
	w->fed_batch = true;
}

static void
release_rec(struct wr *w, struct ring_rec *r)
{
	if (w->c.feed != NULL && !(r->flags & RING_REC_EOS))
		feed_rec(w, r);
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
			b->sync_point = false;
			b->in_chain = false;
			return b;
		}
	}
	return NULL;
}

void
wr_close_current(struct wr *w)
{
	struct wbuf *b = w->cur;

	if (b == NULL)
		return;
	w->cur = NULL;
	if (b->len == 0) {
		b->state = WB_FREE;
		return;
	}
	b->state = WB_QUEUED;
	w->queue[(w->qhead + w->qlen++) % w->c.nbufs] = (unsigned)(b - w->bufs);
}

static void
free_buffer(struct wbuf *b)
{
	b->state = WB_FREE;
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
			w->st.records++;
			w->st.skipped++;
			release_rec(w, r);
			progress = true;
			continue;
		}
		if (w->c.output == WR_OUT_DISCARD || w->suspended) {
			w->st.records++;
			if (w->suspended)
				w->st.dropped++;
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
					w->st.buffer_waits++;
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
		w->off += r->line_len;
		w->st.records++;
		release_rec(w, r);
		progress = true;
		if (w->p.freq > 0 && has_syncs(w) && !group_commit(w) &&
		    ++w->since_sync >= w->p.freq) {
			w->since_sync = 0;
			w->cur->sync_point = true;
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
	/* Only for what it was given: with no plugin, never. */
	if (w->fed_batch) {
		w->fed_batch = false;
		ring_waiter_wake(w->c.feed->consumer);
	}
	for (i = 0; i < w->c.workers; i++) {
		if (w->popped[i]) {
			w->popped[i] = false;
			ring_waiter_wake(w->c.from_worker[i].producer);
		}
	}
	return progress;
}

static void
prep_write(struct wr *w, struct wbuf *b, unsigned flags)
{
	struct io_uring_sqe *sqe = get_sqe(w);
	/* A stream (stderr) is written at its own position, one at a time. */
	off_t off = w->c.output == WR_OUT_FD ? -1 : b->off + (off_t)b->done;

	io_uring_prep_write(sqe, w->fd, b->mem + b->done,
	    (unsigned)(b->len - b->done), (uint64_t)off);
	io_uring_sqe_set_data(sqe, b);
	sqe->flags |= (uint8_t)flags;
	b->state = WB_INFLIGHT;
	w->inflight++;
}

static void
prep_sync(struct wr *w)
{
	struct io_uring_sqe *sqe = get_sqe(w);

	io_uring_prep_fsync(sqe, w->fd,
	    w->chain.datasync ? IORING_FSYNC_DATASYNC : 0);
	io_uring_sqe_set_data64(sqe, WR_TAG_SYNC);
}

/* Writes of the chain's unfinished buffers, linked, then its sync. */
static void
submit_chain(struct wr *w)
{
	unsigned i;

	for (i = 0; i < w->chain.n; i++) {
		struct wbuf *b = w->chain.bufs[i];

		if (b->done < b->len)
			prep_write(w, b, IOSQE_IO_LINK);
	}
	prep_sync(w);
}

/*
 * A sync of its own, linked to no write: the one at the end, and the one
 * incremental_async owes.  It covers every write completed before it.
 */
void
wr_submit_bare_sync(struct wr *w, bool datasync)
{
	w->chain.active = true;
	w->chain.n = 0;
	w->chain.datasync = datasync;
	w->chain.base = w->st.written;
	prep_sync(w);
}

/* Records that will not be written: logging is suspended. */
static void
drop_buffer(struct wr *w, struct wbuf *b)
{
	w->st.dropped += b->nrec;
	b->nrec = 0;
	b->done = b->len;
}

/*
 * A write failed: its records are dropped (counted), the daemon is told,
 * and the action decides whether what waits is still written.  Either
 * way, the file is cut back to where the failed buffer started once
 * nothing is in flight (rebase).
 */
static void
write_failed(struct wr *w, struct wbuf *b, int err)
{
	bool full = err == ENOSPC || err == EDQUOT;
	enum wr_act a = full ? w->p.disk_full_act : w->p.disk_error_act;
	uint32_t ev = 0;

	w->st.write_errors++;
	if (log_ratelimit_ok(&w->rl))
		log_warnx("writer: %s: %s", w->path[0] != '\0' ? w->path :
		    "output", strerror(err));
	if (full)
		w->no_space = true;
	if (full && !w->full_hit) {
		w->full_hit = true;
		ev = WR_EV_DISK_FULL;
	} else if (!full && !w->error_hit) {
		w->error_hit = true;
		ev = WR_EV_DISK_ERROR;
	}
	if (w->err_off < 0 || b->off < w->err_off)
		w->err_off = b->off;
	w->rebase = w->c.output == WR_OUT_FILE;
	drop_buffer(w, b);
	wr_act(w, a);
	if (a == WR_ACT_SUSPEND || w->c.output != WR_OUT_FILE)
		w->drop_queued = true;
	/* The state first: the daemon may answer the event by reading it. */
	wr_publish(w, 0, 0);
	if (ev != 0)
		wr_post(w, ev);
}

/*
 * Nothing in flight after a failed write: cut the file back to the failed
 * buffer's start (no partial line stays) and give what waits to be written
 * offsets from there.  Only buffers at or past that point, none of whose
 * bytes went out, move: a buffer written in part (a short write whose rest
 * waits) keeps its place before it.  A later write that completed past
 * the failed one leaves a hole that cannot be filled; it is counted.
 */
static void
rebase(struct wr *w)
{
	const off_t from = w->err_off;
	off_t off = from;
	struct stat sb;
	unsigned i;

	w->rebase = false;
	w->err_off = -1;
	/* Never past the end: ftruncate would fill the gap with zeros. */
	if (fstat(w->fd, &sb) == 0 && sb.st_size < off)
		off = sb.st_size;
	if (w->ok_end > off) {
		w->st.holes++;
		log_warnx("writer: %s: %lld bytes at offset %lld were lost "
		    "after a failed write", w->path,
		    (long long)(w->ok_end - off), (long long)off);
		off = w->ok_end;
	} else if (ftruncate(w->fd, off) < 0 && log_ratelimit_ok(&w->rl)) {
		log_warn("writer: %s: cannot cut back a failed write",
		    w->path);
	}
	for (i = 0; w->chain.active && i < w->chain.n; i++) {
		struct wbuf *b = w->chain.bufs[i];

		if (b->done == 0 && b->off >= from) {
			b->off = off;
			off += (off_t)b->len;
		}
	}
	for (i = 0; i < w->qlen; i++) {
		struct wbuf *b = &w->bufs[w->queue[(w->qhead + i) %
		    w->c.nbufs]];

		b->off = off;
		off += (off_t)b->len;
	}
	if (w->cur != NULL) {
		w->cur->off = off;
		off += (off_t)w->cur->len;
	}
	w->off = off;
	wr_publish(w, 0, 0);
}

/* A cancelled chain goes again once every one of its writes answered. */
static void
maybe_resubmit(struct wr *w)
{
	unsigned i;

	if (!w->chain.resubmit)
		return;
	for (i = 0; i < w->chain.n; i++)
		if (w->chain.bufs[i]->state == WB_INFLIGHT)
			return;
	/* A failed write moves what follows it: only once no write at all
	 * is in flight (incremental_async writes beside a chain).  The next
	 * reap comes back here. */
	if (w->rebase && w->inflight > 0)
		return;
	w->chain.resubmit = false;
	/* Dropping: the rest of the chain goes too, cut back to where it
	 * starts (a short write may have left part of a line); its sync
	 * still runs (for what was written) and ends the chain. */
	for (i = 0; (w->drop_queued || w->fd < 0) && i < w->chain.n; i++) {
		struct wbuf *b = w->chain.bufs[i];

		if (b->done >= b->len)
			continue;
		if (w->c.output == WR_OUT_FILE &&
		    (w->err_off < 0 || b->off < w->err_off)) {
			w->err_off = b->off;
			w->rebase = true;
		}
		drop_buffer(w, b);
	}
	if (w->rebase)
		rebase(w);
	submit_chain(w);
}

/* Queued buffers out: as plain writes, or as one chain ending in a sync. */
static void
submit_queued(struct wr *w)
{
	if (w->rebase) {
		if (w->inflight > 0 || w->chain.active)
			return;
		rebase(w);
	}
	while (w->qlen > 0) {
		struct wbuf *b = &w->bufs[w->queue[w->qhead]];
		bool sync = group_commit(w) || b->sync_point;

		if (w->drop_queued || (w->c.output == WR_OUT_FILE &&
		    w->fd < 0)) {
			/* Nothing is written past a failed write: that would
			 * leave a hole in the log. */
			w->qhead = (w->qhead + 1) % w->c.nbufs;
			w->qlen--;
			drop_buffer(w, b);
			free_buffer(b);
			continue;
		}

		if (w->c.output == WR_OUT_FD && w->inflight > 0)
			return;
		/* incremental: nothing more is written until the sync ends. */
		if (w->p.flush == WR_FLUSH_INCREMENTAL && w->chain.active)
			return;
		if (sync && w->p.flush == WR_FLUSH_INCREMENTAL_ASYNC &&
		    w->chain.active) {
			/* Not waited for: write it now, sync when the one in
			 * flight is done. */
			b->sync_point = false;
			w->sync_owed = true;
			sync = false;
		}
		if (sync) {
			/* One chain at a time, and only once every earlier
			 * write completed: then its sync covers them. */
			if (w->chain.active || w->inflight > 0)
				return;
			/* All queued buffers up to the sync point join. */
			w->chain.active = true;
			w->chain.n = 0;
			w->chain.datasync = w->p.flush != WR_FLUSH_SYNC;
			while (w->qlen > 0) {
				b = &w->bufs[w->queue[w->qhead]];
				w->qhead = (w->qhead + 1) % w->c.nbufs;
				w->qlen--;
				b->in_chain = true;
				w->chain.bufs[w->chain.n++] = b;
				if (b->sync_point && !group_commit(w))
					break;
			}
			w->chain.base = w->st.written;
			submit_chain(w);
			return;
		}
		w->qhead = (w->qhead + 1) % w->c.nbufs;
		w->qlen--;
		prep_write(w, b, 0);
	}
}

static void
write_done(struct wr *w, struct wbuf *b, int res, uint64_t now)
{
	unsigned i;

	w->inflight--;
	if (res == -ECANCELED) {
		/* An earlier link failed; the chain's sync will tell. */
		b->state = WB_WRITTEN;
		return;
	}
	if (res < 0) {
		write_failed(w, b, -res);
		if (!b->in_chain)
			free_buffer(b);
		else
			b->state = WB_WRITTEN;
		return;
	}
	w->st.writes++;
	w->st.bytes += (uint64_t)res;
	b->done += (size_t)res;
	if (b->done < b->len) {
		w->st.short_writes++;
		if (b->in_chain) {
			/* The kernel cancels the linked sync; resubmitted
			 * with the chain when that arrives. */
			b->state = WB_WRITTEN;
		} else {
			prep_write(w, b, 0);
		}
		return;
	}
	w->st.written += b->nrec;
	if (b->off + (off_t)b->len > w->ok_end)
		w->ok_end = b->off + (off_t)b->len;
	if (w->full_hit || w->error_hit) {
		/* The disk takes writes again: re-armed. */
		w->full_hit = w->error_hit = false;
	}
	for (i = 0; i < b->nrec; i++)
		hist_add(&w->st.lat_written, now - b->recv_ns[i]);
	if (b->in_chain)
		b->state = WB_WRITTEN;
	else
		free_buffer(b);
}

static void
sync_done(struct wr *w, int res, uint64_t now)
{
	unsigned i, j;

	if (res == -ECANCELED) {
		/* A short or failed write broke the chain: go again. */
		w->chain.resubmit = true;
		maybe_resubmit(w);
		return;
	}
	w->chain.active = false;
	if (res < 0) {
		w->st.sync_errors++;
		if (log_ratelimit_ok(&w->rl))
			log_warnx("writer: %s: sync failed: %s", w->path,
			    strerror(-res));
	} else {
		uint64_t durable = w->chain.base;

		/* A failed write left its buffer with nrec 0. */
		for (i = 0; i < w->chain.n; i++)
			durable += w->chain.bufs[i]->nrec;
		w->st.syncs++;
		if (durable > w->st.durable)
			w->st.durable = durable;
		/* Group commit keeps every record's receive time to here. */
		for (i = 0; group_commit(w) && i < w->chain.n; i++) {
			struct wbuf *b = w->chain.bufs[i];

			for (j = 0; j < b->nrec; j++)
				hist_add(&w->st.lat_durable,
				    now - b->recv_ns[j]);
		}
	}
	for (i = 0; i < w->chain.n; i++)
		free_buffer(w->chain.bufs[i]);
	w->chain.n = 0;
}

static bool
reap(struct wr *w)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;
	uint64_t now = clock_mono_ns();
	bool sync_seen = false;
	int sync_res = 0;

	io_uring_for_each_cqe(&w->ring, head, cqe) {
		uint64_t tag = io_uring_cqe_get_data64(cqe);

		n++;
		if (tag == WR_TAG_WAKE) {
			w->wake_armed = false;
		} else if (tag == WR_TAG_SYNC) {
			/* Handled after the writes of this batch, so that a
			 * cancelled chain sees all of its writes answered. */
			sync_seen = true;
			sync_res = cqe->res;
		} else {
			write_done(w, (struct wbuf *)(uintptr_t)tag, cqe->res,
			    now);
		}
	}
	io_uring_cq_advance(&w->ring, n);
	if (sync_seen)
		sync_done(w, sync_res, now);
	else
		maybe_resubmit(w);
	if (w->st.bytes - w->checked_at >= WR_SPACE_EVERY ||
	    (w->rebase && w->checked_at != w->st.bytes))
		wr_check_space(w);
	return n > 0;
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

static void
sleep_once(struct wr *w)
{
	int ms = w->c.self->sleep_ms;
	struct __kernel_timespec ts = { .tv_sec = ms / 1000,
	    .tv_nsec = (long)(ms % 1000) * 1000000L };
	struct io_uring_cqe *cqe;

	if (!w->wake_armed) {
		struct io_uring_sqe *sqe = get_sqe(w);

		io_uring_prep_read(sqe, w->c.self->efd, &w->wake_val,
		    sizeof(w->wake_val), 0);
		io_uring_sqe_set_data64(sqe, WR_TAG_WAKE);
		w->wake_armed = true;
	}
	ring_waiter_prepare(w->c.self);
	/* During a switch no record is taken: input does not count. */
	if (input_ready(w) && w->pending == NULL && w->sw == 0) {
		ring_waiter_cancel(w->c.self);
		io_uring_submit(&w->ring);
		return;
	}
	w->st.waits++;
	io_uring_submit_and_wait_timeout(&w->ring, &cqe, 1, ms >= 0 ? &ts :
	    NULL, NULL);
	ring_waiter_cancel(w->c.self);
}

bool
wr_idle_io(const struct wr *w)
{
	return w->inflight == 0 && !w->chain.active && w->qlen == 0 &&
	    w->cur == NULL && !w->rebase;
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
		bool progress, finishing;

		progress = reap(w);
		progress |= pull(w);
		if (w->sw != 0)
			progress |= wr_do_switch(w);
		finishing = w->eos == w->c.workers && w->pending == NULL;
		/* Nothing waits behind the current buffer: let it go. */
		if (w->pending == NULL && w->cur != NULL &&
		    !(group_commit(w) && w->chain.active) &&
		    !(w->c.output == WR_OUT_FD && w->inflight > 0) &&
		    !(w->p.flush == WR_FLUSH_INCREMENTAL && w->chain.active))
			wr_close_current(w);
		if (finishing)
			wr_close_current(w);
		if (w->qlen > 0 || w->rebase) {
			unsigned before = w->qlen;
			bool rebase = w->rebase;

			submit_queued(w);
			if (w->qlen != before || w->rebase != rebase)
				progress = true;
		}
		if (finishing && wr_idle_io(w)) {
			/* A last sync, whatever the mode: what was written
			 * before DAEMON_END is on disk when we exit. */
			if (w->c.output != WR_OUT_FILE || w->final_sync)
				break;
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
		if (progress) {
			ring_spin_found(&spin);
			io_uring_submit(&w->ring);
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
		ring_spin_slept(&spin);
		sleep_once(w);
	}
	return NULL;
}

int
wr_start(struct wr *w)
{
	int rc = pthread_create(&w->thread, NULL, wr_main, w);

	if (rc != 0)
		return -rc;
	w->started = true;
	return 0;
}

int
wr_join(struct wr *w)
{
	if (!w->started)
		return 0;
	w->started = false;
	return -pthread_join(w->thread, NULL);
}

void
wr_get_stats(struct wr *w, struct wr_stats *st)
{
	*st = w->st;
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
	if (w->own_fd && w->fd >= 0) {
		close(w->fd);
		w->fd = -1;
	}
	if ((fd = lf_open_append(w->path)) < 0)
		return fd;
	if (write(fd, line, len) != (ssize_t)len)
		rc = -EIO;
	close(fd);
	return rc;
}
