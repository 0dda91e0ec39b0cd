/*
 * writer_int.h - inside the writer stage: the writer's state, shared by
 * its two files, writer.c (the write path) and switch.c (switches and
 * limits), and the few functions each calls in the other.  Not part of
 * the stage's interface: other stages use writer.h.
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
#include "ring/ring.h"
#include "writer/writer.h"

/* Switch operations, done at a record boundary once I/O is idle. */
enum {
	SW_PARAMS = 1u << 0,
	SW_ROTATE = 1u << 1,
	SW_KEEP = 1u << 2,
	SW_REOPEN = 1u << 3,
	SW_NEWFILE = 1u << 4,	/* SIGHUP named another log_file */
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
	bool sync_point;	/* a sync must follow this buffer */
	bool in_chain;		/* held until the chain's sync */
};

struct wchain {
	bool active;
	bool datasync;
	bool resubmit;		/* its sync was cancelled: go again */
	uint64_t base;		/* records written before it was made */
	unsigned n;
	struct wbuf **bufs;
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

	struct wbuf *bufs;
	unsigned *queue;		/* QUEUED buffers, FIFO of indices */
	unsigned qhead, qlen;
	struct wbuf *cur;
	unsigned inflight;		/* write requests in flight */
	struct wchain chain;		/* at most one sync chain in flight */
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
	off_t ok_end;		/* end of the furthest completed write */

	unsigned sw;		/* SW_* requested */
	bool sw_synced;		/* the old file's sync was made */
	bool max_hit, space_hit, admin_hit, full_hit, error_hit;
	bool no_space;		/* ENOSPC seen; until resumed */
	unsigned logs_found;
	uint64_t space_bytes, admin_bytes;	/* thresholds, resolved */
	uint64_t checked_at;	/* st.bytes at the last space check */

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

	struct wr_stats st;
	struct log_ratelimit rl;
};

/* writer.c: the write path, as a switch needs it. */
int wr_open_log(struct wr *w);
void wr_close_current(struct wr *w);
bool wr_idle_io(const struct wr *w);
void wr_submit_bare_sync(struct wr *w, bool datasync);

/* switch.c: in-band commands, limits, and what the daemon is told. */
void wr_resolve_space(struct wr *w);
void wr_publish(struct wr *w, uint64_t avail, uint64_t total);
void wr_post(struct wr *w, uint32_t ev);
void wr_act(struct wr *w, enum wr_act a);
bool wr_take_cmd(struct wr *w, struct ring_rec *r);
bool wr_check_size(struct wr *w);
void wr_check_space(struct wr *w);
bool wr_do_switch(struct wr *w);

#endif
