/*
 * io.c - the writer's buffers on their way out: queued, submitted to
 * io_uring as plain writes or as chains ending in a sync, and reaped.
 *
 * The write path (writer.c) fills a buffer and closes it (wr_close_current);
 * wr_submit_queued sends what is queued as flush asks (writer.c's essay
 * says how each mode chains its writes and syncs); wr_reap takes the
 * completions: a write's records count as written, a sync's as durable,
 * a short write is sent again (in a chain, the whole rest of the chain
 * with a new sync, once the kernel cancelled the old one).
 *
 * A failed write drops its buffer's records, counted.  Nothing later is
 * written until the file is cut back to where that buffer started
 * (rebase), so the log never keeps a partial line or a hole.
 *
 * Without io_uring (kernel.io_uring_disabled, a container's seccomp
 * profile), the same requests are made as system calls on the writer's
 * thread, pwrite and fdatasync or fsync, each answered at once into a
 * small queue of completions (w->done) that wr_reap reads as it reads
 * io_uring's.  Everything above sees the same requests and answers, so
 * flush and freq mean the same, chains and group commit included: a
 * chain's writes are made in order, and one that falls short cancels the
 * rest and its sync, as a broken link does.  What is lost is overlap:
 * the thread waits for each write and sync, and meanwhile records wait
 * in the rings.
 *
 * With io_uring, too, a plain write of at most WR_WRITE_NOW_MAX bytes
 * with nothing in flight is made that way, at once: at a few thousand
 * records a second each write is small, a buffered write takes
 * microseconds, and io_uring would give it to a worker thread (ext4
 * here cannot write without blocking), two wake-ups and a completion a
 * write.  So are an incremental_async chain's writes, when together
 * they are as small: then only its sync goes to the ring, asked for once
 * they are done, and one that fell short cancels it as the kernel cancels
 * a broken link.
 * Syncs and bigger writes stay in the ring.  A write
 * made at once that took a millisecond or more says the disk is slow
 * (or the page cache full): for the next second every write goes
 * through io_uring, where the disk's time is a worker's and the writer
 * goes on taking records (a disk of 20 ms a write: kernel/test_faults).
 *
 * Group commit (data, sync) keeps two syncs in flight at most: once a
 * chain's writes are all done and only its sync runs, the chain steps
 * aside (prior) and the next one's writes and sync go out beside it
 * (maybe_retire).  A record that came during a sync waited for that sync
 * and then for its own; now for its own.  The second sync goes through a
 * second open of the log (open_fd2 says why), and answers count in the
 * order the syncs were asked.
 *
 * This file calls nothing above it: what a completion asks of the rest
 * (an action, an event for the daemon, the state republished) is left in
 * acts_owed, events_owed and publish_owed, and switch.c's wr_settle does
 * it once the reap is over.  Within the reap only what the I/O itself
 * needs changes at once (drop_queued, rebase).
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stat.h"
#include "writer/writer_int.h"

static void
free_buffer(struct wbuf *b)
{
	b->state = WB_FREE;
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

/* A write made at once, from T0 on: a slow one sends the next second's
 * writes through io_uring. */
static void
write_now_timed(struct wr *w, uint64_t t0)
{
	uint64_t t1 = clock_mono_ns();

	STAT_ADD(w->st.writes_now, 1);
	if (t1 - t0 >= WR_WRITE_NOW_SLOW_NS) {
		STAT_ADD(w->st.writes_now_slow, 1);
		w->now_after = t1 + WR_WRITE_NOW_PAUSE_NS;
	}
}

/* Whether LEN bytes may be written at once (with io_uring; without it,
 * every write is): a small write, with nothing in flight before it, and
 * no slow one in the last second. */
static bool
now_ok(const struct wr *w, size_t len)
{
	return !w->direct && w->inflight == 0 && len <= WR_WRITE_NOW_MAX &&
	    (w->now_after == 0 || clock_mono_ns() >= w->now_after);
}

/* The write's request (NULL when it was made already: without io_uring,
 * or NOW). */
static struct io_uring_sqe *
prep_write(struct wr *w, struct wbuf *b, unsigned flags, bool now)
{
	struct io_uring_sqe *sqe = NULL;

	/* A stream (stderr) is written at its own position.  The log is
	 * opened O_APPEND, so its offset is the kernel's to ignore; it is
	 * where the writer expects the bytes to land. */
	off_t off = w->c.output == WR_OUT_FD ? -1 : b->off + (off_t)b->done;
	size_t len = b->len - b->done;

	if (w->direct || now) {
		ssize_t n = -ECANCELED;

		if (!w->link_broken) {
			uint64_t t0 = now ? clock_mono_ns() : 0;

			n = off < 0 ? write(w->fd, b->mem + b->done, len) :
			    pwrite(w->fd, b->mem + b->done, len, off);
			if (n < 0)
				n = -errno;
			if (now)
				write_now_timed(w, t0);
		}
		/* A linked write that fell short cancels what follows. */
		if ((flags & IOSQE_IO_LINK) && (n < 0 || (size_t)n < len))
			w->link_broken = true;
		wr_post_done(w, (uint64_t)(uintptr_t)b, (int)n);
	} else {
		sqe = wr_get_sqe(w);
		w->uring_work = true;	/* a worker may run it */
		io_uring_prep_write(sqe, w->fd, b->mem + b->done,
		    (unsigned)len, (uint64_t)off);
		io_uring_sqe_set_data(sqe, b);
		sqe->flags |= (uint8_t)flags;
	}
	b->state = WB_INFLIGHT;
	w->inflight++;
	return sqe;
}

/* The chain's sync.  linked: a write of the chain went to the ring
 * before it (the sync must follow it there); else, with
 * incremental_async, the sync thread makes it (syncer.c). */
static void
prep_sync(struct wr *w, bool linked)
{
	struct io_uring_sqe *sqe;
	int fd = w->chain.gen != 0 ? w->fd2 : w->fd;
	uint64_t tag = w->chain.gen != 0 ? WR_TAG_SYNC1 : WR_TAG_SYNC;

	/* A chain whose write made at once fell short ends here, as the
	 * kernel ends a linked one: cancelled. */
	if (w->direct || w->link_broken) {
		int res = -ECANCELED;

		if (!w->link_broken)
			res = (w->chain.datasync ? fdatasync(fd) :
			    fsync(fd)) < 0 ? -errno : 0;
		/* The chain ends here. */
		w->link_broken = false;
		wr_post_done(w, tag, res);
		return;
	}
	if (!linked && w->syncer.started &&
	    w->p.flush == WR_FLUSH_INCREMENTAL_ASYNC) {
		wr_syncer_ask(&w->syncer, fd, w->chain.datasync);
		STAT_ADD(w->st.syncs_by_thread, 1);
		return;
	}
	sqe = wr_get_sqe(w);
	w->uring_work = true;	/* a worker runs it */
	w->chain.in_ring = true;
	if (w->prior.active)
		STAT_ADD(w->st.syncs_beside, 1);
	io_uring_prep_fsync(sqe, fd,
	    w->chain.datasync ? IORING_FSYNC_DATASYNC : 0);
	io_uring_sqe_set_data64(sqe, tag);
}

/* Writes of the chain's unfinished buffers, linked, then its sync.  With
 * incremental_async, made at once when together they are as small as one
 * write made at once may be (now_ok): they are done before the sync is
 * asked for, which then covers them as the link would have.  Where the
 * writer waits for the sync (incremental, data, sync) the link is kept:
 * written at once there, 50,000 records took longer (BM_Writer
 * incremental 130,000 -> 94,000 a second; PERF.md). */
static void
submit_chain(struct wr *w)
{
	size_t len = 0;
	unsigned i;
	bool now, linked = false;

	for (i = 0; i < w->chain.n; i++)
		len += w->chain.bufs[i]->len - w->chain.bufs[i]->done;
	now = w->p.flush == WR_FLUSH_INCREMENTAL_ASYNC && now_ok(w, len);

	for (i = 0; i < w->chain.n; i++) {
		struct wbuf *b = w->chain.bufs[i];

		if (b->done < b->len &&
		    prep_write(w, b, IOSQE_IO_LINK, now) != NULL)
			linked = true;
	}
	prep_sync(w, linked);
}

/* A chain begun: beside one whose sync is in flight (prior), of the
 * other gen. */
static void
chain_begin(struct wr *w, bool datasync)
{
	struct wchain *c = &w->chain;

	c->active = true;
	c->n = 0;
	c->datasync = datasync;
	c->in_ring = false;
	c->answered = false;
	c->gen = w->prior.active ? w->prior.gen ^ 1u : 0;
	c->base = w->st.written;
}

/*
 * A sync of its own, linked to no write: the one at the end, and the one
 * incremental_async owes.  It covers every write completed before it.
 */
void
wr_submit_bare_sync(struct wr *w, bool datasync)
{
	chain_begin(w, datasync);
	prep_sync(w, false);
}

/* Its messages' tokens back, with what became of them. */
void
wr_ack_buffer(struct wr *w, struct wbuf *b, enum ring_ack_state st)
{
	for (unsigned i = 0; i < b->nack; i++)
		wr_ack(w, b->ack[i], st);
	b->nack = 0;
}

/* Why a record is not written, as a message's sender is told. */
enum ring_ack_state
wr_drop_state(const struct wr *w)
{
	if (w->no_space)
		return RING_ACK_FULL;
	if (w->error_hit || w->rebase)
		return RING_ACK_ERROR;
	return RING_ACK_SUSPENDED;
}

/* Records that will not be written: logging is suspended, or a write
 * failed. */
static void
drop_buffer(struct wr *w, struct wbuf *b, enum ring_ack_state st)
{
	wr_ack_buffer(w, b, st);
	STAT_ADD(w->st.dropped, b->nrec);
	b->nrec = 0;
	b->done = b->len;
}

/*
 * A write failed: its records are dropped (counted), the daemon is told
 * (after the reap, wr_settle), and the action decides whether what waits
 * is still written.  Either
 * way, the file is cut back to where the failed buffer started once
 * nothing is in flight (rebase).
 */
static void
write_failed(struct wr *w, struct wbuf *b, int err)
{
	bool full = err == ENOSPC || err == EDQUOT;
	enum wr_act a = full ? w->p.disk_full_act : w->p.disk_error_act;
	uint32_t ev = 0;

	STAT_ADD(w->st.write_errors, 1);
	w->last_error = err;
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
	w->err_tail += b->done;
	drop_buffer(w, b, full ? RING_ACK_FULL : RING_ACK_ERROR);
	if (a == WR_ACT_SUSPEND || w->c.output != WR_OUT_FILE)
		w->drop_queued = true;
	/* Acted on, and told, once the completions are in (wr_settle). */
	w->acts_owed |= 1u << a;
	w->events_owed |= ev;
	w->publish_owed = true;
}

/*
 * Nothing in flight after a failed write: cut the file back to where the
 * failed buffer started (no partial line stays) and give what waits to
 * be written offsets from there.  Writes are appends, made one after
 * another, so what the dropped buffers had written in part (err_tail) is
 * the end of the file.  Only buffers at or past the failed one, none of
 * whose bytes went out, move: a buffer written in part (a short write
 * whose rest waits) keeps its place before it.
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
	if (fstat(w->fd, &sb) == 0) {
		off = sb.st_size > w->err_tail ? sb.st_size - w->err_tail : 0;
		if (off < sb.st_size && ftruncate(w->fd, off) < 0 &&
		    log_ratelimit_ok(&w->rl))
			log_warn("writer: %s: cannot cut back a failed write",
			    w->path);
	}
	w->err_tail = 0;
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
	w->publish_owed = true;
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
		w->err_tail += b->done;
		drop_buffer(w, b, wr_drop_state(w));
	}
	if (w->rebase)
		rebase(w);
	submit_chain(w);
}

/*
 * A plain write cancelled because the one linked before it fell short
 * or failed: back to the queue, before what waits there and after those
 * put back in this reap, so that the order holds.
 */
static void
requeue(struct wr *w, struct wbuf *b)
{
	unsigned k = w->requeued++, i;

	for (i = w->qlen; i > k; i--)
		w->queue[(w->qhead + i) % w->c.nbufs] =
		    w->queue[(w->qhead + i - 1) % w->c.nbufs];
	w->queue[(w->qhead + k) % w->c.nbufs] = (unsigned)(b - w->bufs);
	w->qlen++;
	b->state = WB_QUEUED;
}

/* Queued buffers out: as plain writes, or as one chain ending in a sync. */
void
wr_submit_queued(struct wr *w)
{
	struct io_uring_sqe *prev = NULL;

	if (w->rebase) {
		if (w->inflight > 0 || w->chain.active || w->prior.active)
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
			drop_buffer(w, b, wr_drop_state(w));
			free_buffer(b);
			continue;
		}

		/* Appends (the log is O_APPEND, a stream has one position)
		 * land in the order they are made: a round's first write
		 * once nothing is in flight, the others linked to it (a
		 * short one cancels those after it: requeued).  Without
		 * io_uring each is made at once: one a round. */
		if (w->inflight > 0 && (prev == NULL || w->direct))
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
			chain_begin(w, w->p.flush != WR_FLUSH_SYNC);
			while (w->qlen > 0) {
				b = &w->bufs[w->queue[w->qhead]];
				w->qhead = (w->qhead + 1) % w->c.nbufs;
				w->qlen--;
				b->in_chain = true;
				w->chain.bufs[w->chain.n++] = b;
				if (b->sync_point && !group_commit(w))
					break;
			}
			submit_chain(w);
			return;
		}
		w->qhead = (w->qhead + 1) % w->c.nbufs;
		w->qlen--;
		if (prev != NULL)
			prev->flags |= IOSQE_IO_LINK;
		/* A round's first write may be made at once (the top). */
		prev = prep_write(w, b, 0, prev == NULL &&
		    now_ok(w, b->len - b->done));
	}
}

static void
write_done(struct wr *w, struct wbuf *b, int res, uint64_t now)
{
	unsigned i;

	w->inflight--;
	if (res == -ECANCELED && !b->in_chain) {
		/* Linked after a write that fell short or failed. */
		requeue(w, b);
		return;
	}
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
	STAT_ADD(w->st.writes, 1);
	STAT_ADD(w->st.bytes, (uint64_t)res);
	b->done += (size_t)res;
	if (b->done < b->len) {
		STAT_ADD(w->st.short_writes, 1);
		if (b->in_chain) {
			/* The kernel cancels the linked sync; resubmitted
			 * with the chain when that arrives. */
			b->state = WB_WRITTEN;
		} else {
			prep_write(w, b, 0, false);
		}
		return;
	}
	STAT_ADD(w->st.written, b->nrec);
	/* The disk takes writes again: re-armed (disk full, unless it
	 * is told once until resumed). */
	if (!w->p.disk_full_once)
		w->full_hit = false;
	w->error_hit = false;
	for (i = 0; i < b->nrec; i++)
		hist_add(&w->st.lat_written, now - b->recv_ns[i]);
	/* As auditd: written is acked, before any sync; unless the
	 * sender asked for durable (group commit: the chain's sync). */
	if (!(w->c.ack_durable && b->in_chain))
		wr_ack_buffer(w, b, w->space_hit ? RING_ACK_WRITTEN_LOW :
		    RING_ACK_WRITTEN);
	if (b->in_chain)
		b->state = WB_WRITTEN;
	else
		free_buffer(b);
}

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
		free_buffer(c->bufs[i]);
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
		maybe_resubmit(w);
		return;
	}
	if (w->prior.active) {
		w->chain.answered = true;
		w->chain.res = res;
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

void
wr_close_log(struct wr *w)
{
	if (w->fd2 >= 0)
		close(w->fd2);
	w->fd2 = -1;
	w->fd2_refused = false;
	if (w->own_fd && w->fd >= 0)
		close(w->fd);
	w->fd = -1;
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
		write_done(w, (struct wbuf *)(uintptr_t)tag, res, now);
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
	if (a.prior_seen)
		prior_done(w, a.prior_res, now);
	if (a.sync_seen)
		sync_done(w, a.sync_res, now);
	else
		maybe_resubmit(w);
	maybe_retire(w);
	return n > 0;
}
