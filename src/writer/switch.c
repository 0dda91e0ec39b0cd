/*
 * switch.c - the writer's switches and limits: what the writer thread does
 * between records rather than with them.  It runs on the writer thread,
 * called from the write path (writer.c) at record boundaries and after
 * reaping, and works on the writer's state (writer_int.h); what it adds
 * is what the daemon sees of the writer: the published state, the staged
 * parameters and the events.
 *
 * Switches.  Rotation (SIGUSR1, max_log_file, a space action), resuming
 * after a suspension (SIGUSR2) and new parameters (SIGHUP) all happen at a
 * record boundary: the writer stops taking records (they keep gathering in
 * the rings behind it), lets every buffer it holds go out, syncs the old
 * file through io_uring, and only then renames and opens files (short
 * metadata calls, logfile.c).  The daemon's own requests ride in band on a
 * DAEMON_* record (ring_rec.cmd), so DAEMON_ROTATE is the first record of
 * the new log and DAEMON_RESUME the first one written after a suspension.
 *
 * Limits.  After each record the writer compares the log's size with
 * max_log_file; after each 64 KiB written, and after every write error,
 * the partition's free space with space_left and admin_space_left.  Each
 * condition is told to the daemon once (wr_take_events) until it is
 * re-armed (a write that succeeds again, a rotation, a resume, new
 * thresholds); the writer itself acts on what is its own (suspend,
 * rotate).
 *
 * Waking the daemon: an event sets its bit in w->events and writes the
 * event fd (wr_event_fd), which the daemon polls; wr_take_events drains
 * both.  The state report (wr_get_state) and new parameters
 * (wr_set_params) cross under w->mu; staged parameters apply only when a
 * DAEMON_CONFIG record (RING_CMD_RECONF) reaches the writer.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/hist.h"
#include "common/log.h"
#include "common/stat.h"
#include "writer/logfile.h"
#include "writer/writer_int.h"

#define MIB (1024ull * 1024ull)
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

/* Thresholds in bytes, from the partition the log is on. */
void
wr_resolve_space(struct wr *w)
{
	uint64_t avail = 0, total = 0;

	if (w->fd >= 0 && w->c.output == WR_OUT_FILE)
		(void)lf_space(w->fd, &avail, &total);
	/* As auditd: whole MiB, a percentage of the size in whole MiB. */
	w->space_bytes = (w->p.space_left.percent ? total / MIB *
	    w->p.space_left.value / 100 : w->p.space_left.value) * MIB;
	w->admin_bytes = (w->p.admin_space_left.percent ? total / MIB *
	    w->p.admin_space_left.value / 100 :
	    w->p.admin_space_left.value) * MIB;
}

void
wr_publish(struct wr *w, uint64_t avail, uint64_t total)
{
	pthread_mutex_lock(&w->mu);
	w->pub.suspended = w->suspended;
	w->pub.space_left_hit = w->space_hit;
	w->pub.admin_space_left_hit = w->admin_hit;
	w->pub.no_space = w->no_space;
	w->pub.disk_error = w->error_hit;
	w->pub.error = w->last_error;
	w->pub.logs_found = w->logs_found;
	w->pub.log_size = w->off;
	if (total > 0) {
		w->pub.avail = avail;
		w->pub.total = total;
	}
	w->pub.space_left_bytes = w->space_bytes;
	w->pub.admin_space_left_bytes = w->admin_bytes;
	pthread_mutex_unlock(&w->mu);
}

void
wr_post(struct wr *w, uint32_t ev)
{
	uint64_t one = 1;

	/* Release: what the daemon reads about the event (wr_get_state) is
	 * published before the bit. */
	atomic_fetch_or_explicit(&w->events, ev, memory_order_release);
	if (write(w->ev_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full, the daemon will look anyway */
	}
}

/* Ask for a switch: no record is taken until it is done. */
static void
request_switch(struct wr *w, unsigned op)
{
	if (w->sw == 0)
		w->sw_since = clock_mono_ns();
	w->sw |= op;
	wr_close_current(w);
}

/* The writer's own part of an action. */
void
wr_act(struct wr *w, enum wr_act a)
{
	switch (a) {
	case WR_ACT_NONE:
		break;
	case WR_ACT_SUSPEND:
		/* The daemon says auditd's words for it (control.c). */
		if (!w->suspended)
			log_debug("writer: logging is suspended; records are "
			    "counted as dropped until it is resumed (SIGUSR2)");
		w->suspended = true;
		break;
	case WR_ACT_ROTATE:
		/* As auditd: an action's rotation needs num_logs > 1, and
		 * is skipped without a word (SIGUSR1's is not an action). */
		if (w->p.num_logs > 1)
			request_switch(w, SW_ROTATE);
		break;
	case WR_ACT_KEEP_LOGS:
		request_switch(w, SW_KEEP);
		break;
	}
}

/*
 * The log under the writer's feet, looked at after each 64 KiB written
 * once no write is in flight.  Cut short (logrotate's copytruncate, ": >
 * audit.log"): the writes, appends, went on at its end already, as
 * auditd's do; the writer's own idea of the size follows (max_log_file,
 * the state report), and syslog is told.  Deleted, renamed or replaced:
 * auditd writes on into the old file for ever (deleted: into nothing);
 * here a new log is opened at log_file, the old one synced first.
 */
static void
check_file(struct wr *w)
{
	off_t size, expect, delta;
	unsigned i;
	int rc;

	w->file_check_owed = false;
	if (w->c.output != WR_OUT_FILE || w->fd < 0)
		return;
	rc = lf_check(w->fd, w->path, &size);
	if (rc == LF_DELETED || rc == LF_MOVED) {
		STAT_ADD(w->st.log_replaced, 1);
		log_warnx("writer: %s was %s under the daemon; %s, and records "
		    "from here on go to a new %s", w->path, rc == LF_DELETED ?
		    "deleted" : "renamed or replaced", rc == LF_DELETED ?
		    "what was written to it since is gone with it" :
		    "the records before are in the old file", w->path);
		request_switch(w, SW_REPLACED);
		return;
	}
	if (rc < 0)
		return;
	/* Where the next write will land, as the writer counts: the start
	 * of what waits (queued buffers, then the current one, contiguous
	 * up to w->off). */
	expect = w->qlen > 0 ? w->bufs[w->queue[w->qhead]].off :
	    w->cur != NULL ? w->cur->off : w->off;
	if (size == expect)
		return;
	delta = size - expect;
	if (size < expect) {
		STAT_ADD(w->st.log_cut, 1);
		log_warnx("writer: %s was cut from %lld to %lld bytes under "
		    "the daemon (copytruncate?); records go on at its end",
		    w->path, (long long)expect, (long long)size);
	}
	/* Another program appended, or cut: the offsets follow. */
	for (i = 0; i < w->qlen; i++)
		w->bufs[w->queue[(w->qhead + i) % w->c.nbufs]].off += delta;
	if (w->cur != NULL)
		w->cur->off += delta;
	w->off += delta;
	wr_publish(w, 0, 0);
}

/*
 * What io.c left to do once the completions were in: the actions of
 * failed writes, then the state, then the events (the daemon may answer
 * an event by reading the state).  And, every 64 KiB written or after a
 * failure, the free space.
 */
void
wr_settle(struct wr *w)
{
	unsigned a;

	for (a = 0; w->acts_owed != 0; a++) {
		if (w->acts_owed & (1u << a)) {
			w->acts_owed &= ~(1u << a);
			wr_act(w, (enum wr_act)a);
		}
	}
	if (w->publish_owed) {
		w->publish_owed = false;
		wr_publish(w, 0, 0);
	}
	if (w->events_owed != 0) {
		wr_post(w, w->events_owed);
		w->events_owed = 0;
	}
	if (w->st.bytes - w->checked_at >= WR_SPACE_EVERY ||
	    (w->rebase && w->checked_at != w->st.bytes)) {
		wr_check_space(w);
		w->file_check_owed = true;
	}
	/* Its size is known only with no write of ours in flight. */
	if (w->file_check_owed && w->inflight == 0 && !w->rebase &&
	    !w->chain.resubmit && w->sw == 0)
		check_file(w);
}

/* A daemon record's instruction: the switch happens before it is
 * written. */
bool
wr_take_cmd(struct wr *w, struct ring_rec *r)
{
	unsigned op = 0;

	switch ((enum ring_cmd)r->cmd) {
	case RING_CMD_NONE:
		return false;
	case RING_CMD_ROTATE:
		/* keep_logs rotates so for SIGUSR1 too. */
		if (w->c.output == WR_OUT_FILE)
			op = w->p.max_log_act == WR_ACT_KEEP_LOGS ? SW_KEEP :
			    SW_ROTATE;
		break;
	case RING_CMD_RESUME:
		op = SW_REOPEN;
		break;
	case RING_CMD_RECONF:
		op = SW_PARAMS;
		break;
	}
	r->cmd = RING_CMD_NONE;
	if (op == 0)
		return false;
	w->pending = r;
	request_switch(w, op);
	return true;
}

/* max_log_file, after a record went into a buffer. */
bool
wr_check_size(struct wr *w)
{
	if (w->p.max_log_bytes == 0 || w->max_hit ||
	    w->c.output != WR_OUT_FILE || (uint64_t)w->off < w->p.max_log_bytes)
		return false;
	w->max_hit = true;
	wr_act(w, w->p.max_log_act);
	wr_publish(w, 0, 0);
	wr_post(w, WR_EV_MAX_LOG_FILE);
	return w->sw != 0;
}

/* Free space against space_left and admin_space_left. */
void
wr_check_space(struct wr *w)
{
	uint64_t avail, total;
	uint32_t ev = 0;

	w->checked_at = w->st.bytes;
	if (w->c.output != WR_OUT_FILE || w->fd < 0 ||
	    lf_space(w->fd, &avail, &total) < 0)
		return;
	STAT_ADD(w->st.space_checks, 1);
	if (avail < w->admin_bytes) {
		if (!w->admin_hit) {
			w->admin_hit = w->space_hit = true;
			ev = WR_EV_ADMIN_SPACE_LEFT;
			wr_act(w, w->p.admin_space_left.act);
		}
	} else if (avail < w->space_bytes) {
		if (!w->space_hit) {
			w->space_hit = true;
			ev = WR_EV_SPACE_LEFT;
			wr_act(w, w->p.space_left.act);
		}
	}
	/* As auditd: space coming back re-arms nothing; a resume, a rotation
	 * that was the action, or new thresholds do.  The state goes out
	 * before the event, which the daemon may answer by reading it. */
	wr_publish(w, avail, total);
	if (ev != 0)
		wr_post(w, ev);
}

/* Close and rotate the log (the caller opens the new one); a failure is
 * counted and logged. */
static void
rotate_now(struct wr *w, bool keep)
{
	int rc;

	if (!keep && w->p.num_logs < 2) {
		/* auditd: fewer than 2 logs means no rotation. */
		log_notice("Log rotation disabled (num_logs < 2), skipping");
		return;
	}
	wr_close_log(w);
	rc = lf_rotate(w->path, w->p.num_logs, keep);
	if (rc < 0) {
		STAT_ADD(w->st.rotate_errors, 1);
		log_warnx("writer: %s: cannot rotate: %s", w->path,
		    strerror(-rc));
	} else {
		STAT_ADD(w->st.rotations, 1);
		w->logs_found = (unsigned)rc;
		w->max_hit = false;
		/* "Except for rotate, it will perform this action just one
		 * time" (auditd.conf(5)): a rotating space action re-arms. */
		if (w->p.space_left.act == WR_ACT_ROTATE)
			w->space_hit = false;
		if (w->p.admin_space_left.act == WR_ACT_ROTATE)
			w->admin_hit = false;
	}
}

static bool
same_space(const struct wr_space *a, const struct wr_space *b)
{
	return a->value == b->value && a->percent == b->percent &&
	    a->act == b->act;
}

/* New parameters; true if the log must be reopened (a new path). */
static bool
take_params(struct wr *w)
{
	struct wr_params np;
	bool reopen = false;

	pthread_mutex_lock(&w->mu);
	np = w->staged;
	pthread_mutex_unlock(&w->mu);
	if (!same_space(&np.space_left, &w->p.space_left) ||
	    !same_space(&np.admin_space_left, &w->p.admin_space_left))
		w->space_hit = w->admin_hit = false;
	if (np.log_file[0] != '\0' && (strcmp(np.log_file, w->path) != 0 ||
	    np.log_group != w->group)) {
		snprintf(w->path, sizeof(w->path), "%s", np.log_file);
		w->group = np.log_group;
		reopen = true;
	}
	w->p = np;
	w->since_sync = 0;
	w->max_hit = false;
	return reopen;
}

/*
 * A switch, once every write it follows is done: sync the old file (by
 * io_uring, so that the writer does not block on it), then rename, open,
 * apply.  Returns true while it made progress.
 */
bool
wr_do_switch(struct wr *w)
{
	bool file = w->c.output == WR_OUT_FILE;
	unsigned sw = w->sw;
	uint32_t ev = 0;
	int rc;

	if (!wr_idle_io(w))
		return false;
	if (file && w->fd >= 0 && !w->sw_synced &&
	    (sw & (SW_ROTATE | SW_KEEP | SW_REOPEN | SW_PARAMS |
	    SW_REPLACED))) {
		w->sw_synced = true;
		wr_submit_bare_sync(w, false);
		return true;
	}
	w->sw_synced = false;
	w->sw = 0;
	hist_add(&w->st.lat_switch, clock_mono_ns() - w->sw_since);
	if ((sw & SW_PARAMS) && take_params(w))
		sw |= SW_NEWFILE;
	if (file && (sw & (SW_ROTATE | SW_KEEP | SW_REOPEN | SW_NEWFILE |
	    SW_REPLACED))) {
		if (sw & (SW_ROTATE | SW_KEEP))
			rotate_now(w, (sw & SW_KEEP) != 0);
		wr_close_log(w);
		w->err_off = -1;
		w->rebase = false;
		rc = wr_open_log(w);
		if (rc < 0) {
			log_warnx("writer: %s: cannot open: %s", w->path,
			    strerror(-rc));
			if (!w->error_hit) {
				w->error_hit = true;
				ev |= WR_EV_DISK_ERROR;
			}
			wr_act(w, w->p.disk_error_act);
			/* With no file, nothing can be written. */
			w->suspended = w->drop_queued = true;
		} else if (sw & SW_NEWFILE) {
			/* A log that was open before: a new one writes. */
			w->suspended = w->drop_queued = false;
		}
	}
	if (sw & SW_REOPEN) {
		/* "resumed logging" is said for a suspended log only, as
		 * auditd says it only when it had closed the log. */
		if (w->suspended)
			ev |= WR_EV_RESUMED;
		if (w->fd >= 0 || !file) {
			w->suspended = w->drop_queued = false;
			w->full_hit = w->error_hit = w->no_space = false;
		}
		w->space_hit = w->admin_hit = w->max_hit = false;
	}
	if (file) {
		wr_resolve_space(w);
		wr_check_space(w);
	}
	/* The state first, then the events that may make the daemon read
	 * it. */
	wr_publish(w, 0, 0);
	if (ev != 0)
		wr_post(w, ev);
	return true;
}

void
wr_get_state(struct wr *w, struct wr_state *st)
{
	pthread_mutex_lock(&w->mu);
	*st = w->pub;
	pthread_mutex_unlock(&w->mu);
}

void
wr_set_params(struct wr *w, const struct wr_params *p)
{
	pthread_mutex_lock(&w->mu);
	w->staged = *p;
	pthread_mutex_unlock(&w->mu);
}

int
wr_event_fd(struct wr *w)
{
	return w->ev_fd;
}

uint32_t
wr_take_events(struct wr *w)
{
	uint64_t n;

	if (read(w->ev_fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing new since the last look */
	}
	/* Acquire: pairs with wr_post()'s release. */
	return atomic_exchange_explicit(&w->events, 0, memory_order_acquire);
}
