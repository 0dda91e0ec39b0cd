/*
 * syncer.c - incremental_async's syncs on a thread of their own.
 *
 * With flush = incremental_async the writer does not wait for a sync: it
 * asks for one every freq records and writes on.  auditd makes that sync
 * on a flush thread, woken by a condition variable.  Through io_uring
 * the same sync cost the writer two wake-ups of its own besides the
 * kernel's worker: one to submit the request (a borrower, ingest, cannot
 * leave the writer's thread a submission) and one for its completion.
 * At 20,000 events a second that is 16,000 wake-ups in 10 s, about 250
 * ms of the writer's CPU, for 8,000 syncs (PERF.md, "A thread for
 * incremental_async's syncs").
 *
 * Here the writer, or ingest doing its work, asks (wr_syncer_ask: a
 * mutex, a condition variable, and a system call only when the thread
 * sleeps); the thread syncs and leaves the answer in an atomic word, and
 * whoever holds the writer next takes it (wr_syncer_take) as it reaps
 * io_uring's answers, so an answer costs nobody a wake-up.  The writer is
 * woken for it only when it asked to be (wr_syncer_want_wake): when
 * something waits for the sync to end (an owed sync, a switch, the end),
 * before it sleeps.  Until the answer is taken the writer's chain stays
 * active, so that no switch closes the file under the sync, and the
 * durable count waits for it: at a lull, until the next record.
 *
 * One sync at a time: the writer asks only once the last answer was
 * taken (its chain model, io.c).  The thread sleeps without a timeout:
 * an idle daemon's syncer makes no wake-up.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "common/thread.h"
#include "writer/writer_int.h"

static void *
syncer_main(void *arg)
{
	struct wr_syncer *s = arg;

	for (;;) {
		bool datasync;
		int fd, res;

		pthread_mutex_lock(&s->mu);
		while (!s->asked && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->asked) {
			pthread_mutex_unlock(&s->mu);
			return NULL;
		}
		s->asked = false;
		fd = s->fd;
		datasync = s->datasync;
		pthread_mutex_unlock(&s->mu);

		res = (datasync ? fdatasync(fd) : fsync(fd)) < 0 ? -errno : 0;
		atomic_store(&s->res, res);
		atomic_store(&s->done, true);
		/* Pairs with wr_syncer_ready after the writer's want: one of
		 * the two sees the other's store. */
		if (atomic_load(&s->want_wake))
			ring_waiter_wake(s->wake);
	}
}

int
wr_syncer_start(struct wr_syncer *s, struct ring_waiter *wake)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->wake = wake;
	if ((rc = pthread_mutex_init(&s->mu, NULL)) != 0)
		return -rc;
	if ((rc = pthread_cond_init(&s->cv, NULL)) != 0) {
		pthread_mutex_destroy(&s->mu);
		return -rc;
	}
	if ((rc = pthread_create(&s->thread, NULL, syncer_main, s)) != 0) {
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		return -rc;
	}
	thread_setup(s->thread, "ra-sync");
	s->started = true;
	return 0;
}

void
wr_syncer_stop(struct wr_syncer *s)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	s->started = false;
}

void
wr_syncer_ask(struct wr_syncer *s, int fd, bool datasync)
{
	pthread_mutex_lock(&s->mu);
	s->fd = fd;
	s->datasync = datasync;
	s->asked = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

bool
wr_syncer_take(struct wr_syncer *s, int *res)
{
	if (!atomic_load_explicit(&s->done, memory_order_acquire))
		return false;
	*res = atomic_load(&s->res);
	atomic_store(&s->done, false);
	return true;
}

bool
wr_syncer_ready(struct wr_syncer *s)
{
	return atomic_load(&s->done);
}

void
wr_syncer_want_wake(struct wr_syncer *s, bool want)
{
	atomic_store(&s->want_wake, want);
}
