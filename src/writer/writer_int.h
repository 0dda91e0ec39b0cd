/*
 * writer_int.h - inside the writer stage: the writer's state, shared by
 * its files, and what each offers the others.  They call downward
 * only: writer.c (the thread, taking records into buffers) calls switch.c
 * (switches and limits) and io.c (buffers out through io_uring); switch.c
 * calls io.c; writer.c and io.c call syncer.c (incremental_async's syncs
 * on a thread of their own) and uring.c (the ring itself, or the
 * system-call path), which call none of them.  Not part of the stage's
 * interface: other stages use writer.h.
 */
#ifndef RINGAUDIT_WRITER_INT_H
#define RINGAUDIT_WRITER_INT_H

#include <liburing.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/log.h"
#include "common/stat.h"
#include "ring/ring.h"
#include "writer/writer.h"

/* Switch operations, done at a record boundary once I/O is idle. */
enum {
	SW_PARAMS = 1u << 0,
	SW_ROTATE = 1u << 1,
	SW_KEEP = 1u << 2,
	SW_REOPEN = 1u << 3,
	SW_NEWFILE = 1u << 4,	/* SIGHUP named another log_file */
	SW_REPLACED = 1u << 5,	/* the log was deleted or moved: a new one */
};

enum wbuf_state {
	WB_FREE,
	WB_FILL,	/* the current buffer */
	WB_QUEUED,	/* closed, not yet submitted */
	WB_INFLIGHT,	/* its write was submitted */
	WB_WRITTEN,	/* written, held until its chain's sync completes */
};

struct wbuf {
	enum wbuf_state state;
	char *mem;
	size_t len;
	size_t done;		/* bytes written so far (short writes) */
	off_t off;
	uint64_t *recv_ns;
	unsigned nrec;
	uint32_t *ack;		/* the tokens of its messages (wr_config.acks) */
	unsigned nack;
	bool sync_point;	/* a sync must follow this buffer */
	bool in_chain;		/* held until the chain's sync */
};

/* syncer.c's thread: one sync at a time, asked under mu, answered in
 * the atomic words. */
struct wr_syncer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd;			/* the sync asked for (under mu) */
	bool datasync;
	bool asked, stop;	/* (under mu) */
	bool started;
	_Atomic bool done;	/* an answer waits to be taken ... */
	_Atomic int res;	/* ... this one: 0 or -errno */
	_Atomic bool want_wake;	/* the writer waits for it: wake */
	struct ring_waiter *wake;	/* the writer's */
};

struct wchain {
	bool active;
	bool datasync;
	bool resubmit;		/* its sync was cancelled: go again */
	bool in_ring;		/* its sync went to io_uring */
	bool answered;		/* ... and was answered (res) while the
				 * one before it still runs: held */
	int res;
	unsigned gen;		/* 0: synced through fd, 1: through fd2 */
	uint64_t base;		/* records written before it was made */
	unsigned n;
	struct wbuf **bufs;
};

/* Without io_uring: a completion as io_uring would have given it. */
struct wr_done {
	uint64_t tag;		/* WR_TAG_SYNC, or the wbuf */
	int res;
};

struct wr {
	struct wr_config c;
	struct wr_params p;		/* in force, the writer's own */
	char path[PATH_MAX];		/* the log, now */
	gid_t group;
	pthread_t thread;
	bool started;
	int fd;
	bool own_fd;
	off_t off;
	struct io_uring ring;
	bool direct;		/* no io_uring: system calls, this thread */
	bool link_broken;	/* a linked write made at once fell short */
	struct wr_done *done;	/* answers of what was made at once,
				 * not yet reaped */
	unsigned ndone, done_cap;
	uint64_t now_after;	/* no write made at once before (a slow one) */
	unsigned depth;		/* the ring's entries */
	bool uring_work;	/* a write or sync, which a worker thread
				 * may run, since the ring was made
				 * (wr_io_close_idle) */
	bool ring_closed;	/* idle: no ring until woken (sleep_once) */
	struct ring_baton baton;	/* lent to ingest while asleep */
	bool lent;		/* running on a borrower's thread: nothing
				 * is submitted, no switch made */

	struct wbuf *bufs;
	unsigned *queue;		/* QUEUED buffers, FIFO of indices */
	unsigned qhead, qlen;
	struct wbuf *cur;
	unsigned inflight;		/* write requests in flight */
	struct wchain chain;		/* the sync chain being made */
	struct wchain prior;		/* group commit: the one before, its
					 * writes done, its sync in flight */
	int fd2;			/* the log opened again: the syncs of
					 * chains of gen 1 (io.c) */
	bool fd2_refused;		/* ... it could not be */
	bool prior_late;		/* prior_answers_last: its answer came,
					 * kept (prior_late_res) for after
					 * the chain's */
	int prior_late_res;
	struct wr_syncer syncer;	/* its sync, when not in the ring */
	unsigned cap_rec;

	struct ring_rec **held;		/* head of each worker ring */
	struct ring_rec *pending;	/* next record, not yet in a buffer */
	bool buffer_wait;		/* ... because every buffer is busy */
	uint64_t next_seq;
	unsigned eos;
	bool *popped;

	uint64_t since_sync;
	bool suspended;		/* new records are dropped */
	bool drop_queued;	/* ... and so is what waits (a failed write) */
	bool rebase;		/* a write failed: cut back, then go on */
	off_t err_off;		/* where the first failed buffer started */
	off_t err_tail;		/* bytes the dropped buffers wrote in part */
	unsigned requeued;	/* cancelled plain writes put back, this reap */

	unsigned sw;		/* SW_* requested */
	bool sw_synced;		/* the old file's sync was made */
	uint64_t sw_since;	/* when the switch was asked (ns) */
	bool max_hit, space_hit, admin_hit, full_hit, error_hit;
	bool no_space;		/* ENOSPC seen; until resumed */
	int last_error;		/* errno of the last failed write */
	unsigned logs_found;
	uint64_t space_bytes, admin_bytes;	/* thresholds, resolved */
	uint64_t checked_at;	/* st.bytes at the last space check */
	bool file_check_owed;	/* the log's place and size, once idle */

	pthread_mutex_t mu;	/* staged and pub */
	struct wr_params staged;
	struct wr_state pub;
	_Atomic uint32_t events;
	int ev_fd;
	bool final_sync;	/* the last sync, at the end, was submitted */
	bool sync_owed;		/* incremental_async: a sync point went by */
	bool wake_armed;
	uint64_t wake_val;
	unsigned freed;
	bool fed_batch;		/* records went into the feed: wake it */
	unsigned acts_owed;	/* 1 << wr_act, from failed writes */
	uint32_t events_owed;	/* WR_EV_*, ditto */
	bool publish_owed;	/* the state changed under io.c */
	bool acks_owed;		/* tokens went back: wake their consumer */

	struct wr_stats st;
	struct log_ratelimit rl;
};

#define WR_TAG_SYNC 1u	/* io_uring user data: a sync (gen 0), ... */
#define WR_TAG_WAKE 2u	/* ... the waiter's eventfd read, ... */
#define WR_TAG_SYNC1 3u	/* ... a sync of gen 1; else a wbuf */
/* A write this small, with nothing in flight, is made at once (io.c). */
#define WR_WRITE_NOW_MAX (64u << 10)
/* A write made at once that took this long asleep: the disk is slow,
 * and for WR_WRITE_NOW_PAUSE_BY times as long (WR_WRITE_NOW_PAUSE_NS at
 * most) every write goes through io_uring, so that the writer's thread
 * goes on taking records while the disk works (io.c). */
#define WR_WRITE_NOW_SLOW_NS 1000000ull
#define WR_WRITE_NOW_PAUSE_BY 64u
#define WR_WRITE_NOW_PAUSE_NS 1000000000ull
/* Idle this long after its ring's worker ran, the writer closes the
 * ring until woken (wr_config.renew_ms). */
#define WR_RENEW_MS 5000

static inline bool
has_syncs(const struct wr *w)
{
	return w->c.output == WR_OUT_FILE && w->p.flush != WR_FLUSH_NONE;
}

static inline bool
group_commit(const struct wr *w)
{
	return w->c.output == WR_OUT_FILE &&
	    (w->p.flush == WR_FLUSH_DATA || w->p.flush == WR_FLUSH_SYNC);
}

/* A message's token back to its owner (wr_config.acks). */
static inline void
wr_ack(struct wr *w, uint32_t token, enum ring_ack_state st)
{
	/* The owner has no more tokens out than the ring holds. */
	if (!ring_trypush(w->c.acks, RING_ACK(token, st)))
		fatalx("writer: ack ring overflow");
	STAT_ADD(w->st.acked, 1);
	w->acks_owed = true;
}

/* Nothing in flight, queued or being filled, nothing to cut back. */
static inline bool
wr_idle_io(const struct wr *w)
{
	return w->inflight == 0 && !w->chain.active && !w->prior.active &&
	    w->qlen == 0 && w->cur == NULL && !w->rebase;
}

/* uring.c: the ring (or the system-call path), its entries, and the
 * answers of what was made at once. */
int wr_io_init(struct wr *w, unsigned depth);
void wr_io_fini(struct wr *w);
struct io_uring_sqe *wr_get_sqe(struct wr *w);
void wr_post_done(struct wr *w, uint64_t tag, int res);
bool wr_io_renew_due(const struct wr *w);
void wr_io_close_idle(struct wr *w);
void wr_io_reopen(struct wr *w);
void wr_submit(struct wr *w);

/* io.c: buffers out, and what their writes' answers do. */
void wr_close_current(struct wr *w);
void wr_close_log(struct wr *w);
void wr_submit_queued(struct wr *w);
void wr_submit_bare_sync(struct wr *w, bool datasync);
void wr_ack_buffer(struct wr *w, struct wbuf *b, enum ring_ack_state st);
enum ring_ack_state wr_drop_state(const struct wr *w);
void wr_free_buffer(struct wbuf *b);
void wr_write_done(struct wr *w, struct wbuf *b, int res, uint64_t now);
void wr_maybe_resubmit(struct wr *w);

/* reap.c: the answers of a reap, syncs' included; true if any came. */
bool wr_reap(struct wr *w);

/*
 * syncer.c: a sync on a thread of its own, for incremental_async.
 * wr_syncer_ask: one at a time, once the last answer was taken;
 * wr_syncer_take: the answer, once, if it came; wr_syncer_want_wake:
 * whether the writer's waiter is woken when it comes (stored before the
 * waiter announces sleep; wr_syncer_ready re-checked after).
 */
int wr_syncer_start(struct wr_syncer *s, struct ring_waiter *wake);
void wr_syncer_stop(struct wr_syncer *s);
void wr_syncer_ask(struct wr_syncer *s, int fd, bool datasync);
bool wr_syncer_take(struct wr_syncer *s, int *res);
bool wr_syncer_ready(struct wr_syncer *s);
void wr_syncer_want_wake(struct wr_syncer *s, bool want);

/* switch.c: in-band commands, limits, and what the daemon is told. */
int wr_open_log(struct wr *w);
void wr_settle(struct wr *w);
void wr_resolve_space(struct wr *w);
void wr_publish(struct wr *w, uint64_t avail, uint64_t total);
void wr_post(struct wr *w, uint32_t ev);
void wr_act(struct wr *w, enum wr_act a);
bool wr_take_cmd(struct wr *w, struct ring_rec *r);
bool wr_check_size(struct wr *w);
void wr_check_space(struct wr *w);
bool wr_do_switch(struct wr *w);

#endif
