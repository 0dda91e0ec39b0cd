/*
 * uring.c - the writer's io_uring: made at start, closed while the writer
 * is idle and made again when work comes, or, where the kernel refuses
 * one, the system-call path in its place (io.c's essay says what that
 * path keeps and loses).  Also the entries requests are made in, and the
 * queue of answers of what was made at once, which wr_reap reads as it
 * reads io_uring's.  It calls nothing else of the writer's.
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/stat.h"
#include "writer/writer_int.h"

/* Errors that mean "no io_uring here", not "something went wrong". */
static bool
uring_refused(int rc)
{
	return rc == -EPERM || rc == -ENOSYS || rc == -EACCES;
}

/* No io_uring from now on: system calls on this thread, said (WHY, RC)
 * unless the configuration asked for it. */
static void
go_direct(struct wr *w, const char *why, int rc)
{
	memset(&w->ring, 0, sizeof(w->ring));
	w->direct = true;
	STAT_SET(w->st.io_direct, 1);
	if (why != NULL)
		log_warnx("writer: io_uring %s (%s: kernel.io_uring_disabled, "
		    "or a seccomp profile); the log is written with pwrite and "
		    "fdatasync instead, on the writer thread", why,
		    strerror(-rc));
}

/*
 * An io_uring of depth entries, or, where the kernel refuses one (or
 * wr_config.io_direct asks), the system-call path, said once.
 */
int
wr_io_init(struct wr *w, unsigned depth)
{
	int rc = 0;

	/* Every request may be answered, and each answer resubmit one; the
	 * writes made at once (prep_write) are answered here too. */
	w->done_cap = 2 * depth;
	w->done = calloc(w->done_cap, sizeof(*w->done));
	if (w->done == NULL)
		return -ENOMEM;
	w->depth = depth;
	if (!w->c.io_direct) {
		rc = io_uring_queue_init(depth, &w->ring, 0);
		if (rc == 0)
			return 0;
		if (!uring_refused(rc)) {
			free(w->done);
			w->done = NULL;
			return rc;
		}
		go_direct(w, "is not available", rc);
		return 0;
	}
	go_direct(w, NULL, 0);
	return 0;
}

void
wr_io_fini(struct wr *w)
{
	if (!w->direct && w->ring.ring_fd > 0)
		io_uring_queue_exit(&w->ring);
	free(w->done);
	w->done = NULL;
}

void
wr_submit(struct wr *w)
{
	if (!w->direct)
		io_uring_submit(&w->ring);
}

void
wr_post_done(struct wr *w, uint64_t tag, int res)
{
	/* Sized for every request out and one resubmission each. */
	if (w->ndone == w->done_cap)
		fatalx("writer: completion queue full");
	w->done[w->ndone].tag = tag;
	w->done[w->ndone].res = res;
	w->ndone++;
}

/*
 * An idle writer's ring closed, and made anew when work comes.  The
 * kernel keeps the last of the worker threads that ran a thread's writes
 * and syncs for as long as the thread has a ring, and wakes it every 5 s:
 * an idle daemon's only wake-ups, where auditd makes none.  With no ring
 * left the worker goes at once (on this 6.18 kernel: measured), so the
 * writer closes its ring once idle for renew_ms after the worker ran,
 * sleeps on its eventfd alone, and makes a new ring when woken; the new
 * one has no worker until it needs one.  Only with nothing in flight and
 * no answer waiting (the wake poll is cancelled with the ring: the
 * eventfd keeps what came).  If no new ring can be made, the writer goes
 * on with system calls, as without io_uring, and says so.
 */
bool
wr_io_renew_due(const struct wr *w)
{
	return !w->direct && w->uring_work && w->ndone == 0 && wr_idle_io(w);
}

void
wr_io_close_idle(struct wr *w)
{
	if (!wr_io_renew_due(w))
		return;
	io_uring_queue_exit(&w->ring);
	memset(&w->ring, 0, sizeof(w->ring));
	w->ring_closed = true;
	w->wake_armed = false;
	w->uring_work = false;
	STAT_ADD(w->st.ring_renewals, 1);
}

void
wr_io_reopen(struct wr *w)
{
	int rc;

	if (!w->ring_closed)
		return;
	w->ring_closed = false;
	if ((rc = io_uring_queue_init(w->depth, &w->ring, 0)) != 0)
		go_direct(w, "could not be made again", rc);
}

struct io_uring_sqe *
wr_get_sqe(struct wr *w)
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
