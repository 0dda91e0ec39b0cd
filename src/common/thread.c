/*
 * thread.c - a stage thread's name and scheduling policy (thread.h).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "common/thread.h"

static atomic_bool batch = true;

void
thread_batch(bool on)
{
	atomic_store(&batch, on);
}

void
thread_setup(pthread_t thread, const char *name)
{
	struct sched_param sp = { .sched_priority = 0 };

	pthread_setname_np(thread, name);
	/* Refused (a seccomp profile): the default policy serves. */
	if (atomic_load(&batch))
		(void)pthread_setschedparam(thread, SCHED_BATCH, &sp);
}
