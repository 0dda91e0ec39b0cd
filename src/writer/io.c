/*
 * io.c - the writer's buffers on their way out: queued, submitted to
 * io_uring as plain writes or as chains ending in a sync, and reaped.
 *
 * The write path (writer.c) fills a buffer and closes it (wr_close_current);
 * wr_submit_queued sends what is queued as flush asks (writer.c's essay
 * says how each mode chains its writes and syncs); reap.c takes the
 * completions and hands each write's here (wr_write_done): its records
 * count as written, a short write is sent again (in a chain, the whole
 * rest of the chain with a new sync, once the kernel cancelled the old
 * one: wr_maybe_resubmit).
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
 * Syncs and bigger writes stay in the ring.  A write made at once that
 * took a millisecond or more asleep says the disk is slow (or the page
 * cache full): for 64 times as long, a second at most, every write goes
 * through io_uring, where the disk's time is a worker's and the writer
 * goes on taking records (a disk of 20 ms a write: kernel/test_faults).
 * One as slow that never slept lost its CPU meanwhile, and changes
 * nothing.
 *
 * Group commit (data, sync) keeps two syncs in flight at most (reap.c
 * says when a chain steps aside); a chain of gen 1 is synced through
 * the log's second open, fd2, which wr_close_log closes with the log.
 *
 * This file calls nothing above it: what a completion asks of the rest
 * (an action, an event for the daemon, the state republished) is left in
 * acts_owed, events_owed and publish_owed, and switch.c's wr_settle does
 * it once the reap is over.  Within the reap only what the I/O itself
 * needs changes at once (drop_queued, rebase).
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stat.h"
#include "writer/writer_int.h"

void
wr_free_buffer(struct wbuf *b)
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

/* The calling thread's voluntary context switches so far (the times it
 * slept), or -1. */
static long
thread_sleeps(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) == 0 ? ru.ru_nvcsw : -1;
}

/* Tests (wr_config.now_spin_us): on the CPU for US µs, asleep never;
 * now_sleep_once_us sleeps. */
static void
spin_us(unsigned us)
{
	uint64_t end = clock_mono_ns() + (uint64_t)us * 1000u;

	while (clock_mono_ns() < end)
		;
}

/*
 * A write made at once, from T0 on, SLEPT0 the thread's sleeps then.
 *
 * A slow one that slept waited for the disk (or the page cache, or our
 * own sync of the page it appends to): the writes of the next 64 times
 * as long, a second at most, go through io_uring.  So a disk that is
 * slow for good holds the thread in a write made at once for at most
 * about 1/65 of the time, and a write that slept 1.5 ms once costs 0.1 s
 * of writes through io_uring, not a second: at 20,000 events/s each
 * such second was some 2,400 wake-ups of io_uring's worker and of the
 * writer, and on this two-core machine 0 to 3 writes in 10 s slept a
 * millisecond (PERF.md, "Slow writes made at once").
 *
 * One that never slept was slow only because the thread lost its CPU
 * meanwhile: io_uring's worker would be one more thread wanting one, so
 * it is only counted.
 */
static void
write_now_timed(struct wr *w, uint64_t t0, long slept0)
{
	uint64_t t1, pause;
	long slept;

	if (w->c.now_spin_us > 0)
		spin_us(w->c.now_spin_us);
	if (w->c.now_sleep_once_us > 0 && w->st.writes_now == 0)
		usleep(w->c.now_sleep_once_us);
	t1 = clock_mono_ns();
	STAT_ADD(w->st.writes_now, 1);
	if (t1 - t0 < WR_WRITE_NOW_SLOW_NS)
		return;
	slept = thread_sleeps();
	if (slept0 >= 0 && slept == slept0) {
		STAT_ADD(w->st.writes_now_preempted, 1);
		return;
	}
	STAT_ADD(w->st.writes_now_slow, 1);
	pause = (t1 - t0) * WR_WRITE_NOW_PAUSE_BY;
	w->now_after = t1 + (pause < WR_WRITE_NOW_PAUSE_NS ? pause :
	    WR_WRITE_NOW_PAUSE_NS);
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
			long slept0 = now ? thread_sleeps() : -1;

			n = off < 0 ? write(w->fd, b->mem + b->done, len) :
			    pwrite(w->fd, b->mem + b->done, len, off);
			if (n < 0)
				n = -errno;
			if (now)
				write_now_timed(w, t0, slept0);
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
void
wr_maybe_resubmit(struct wr *w)
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
			wr_free_buffer(b);
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

void
wr_write_done(struct wr *w, struct wbuf *b, int res, uint64_t now)
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
			wr_free_buffer(b);
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
		wr_free_buffer(b);
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
