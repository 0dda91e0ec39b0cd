/*
 * thread.h - what every stage's thread is given when it starts: its name
 * (top -H, /proc/PID/task/TID/comm) and the scheduler's batch policy.
 *
 * SCHED_BATCH: a thread woken by another does not preempt it.  A stage
 * wakes the next one just before it goes to sleep itself (ingest after a
 * batch, a worker after its records, the writer after a write); under
 * the default policy the woken thread often preempted the waker on its
 * core, and the waker was switched back in only to go to sleep: at 100
 * events a second, 500 of the 2,300 context switches of 1,000 events
 * were such preemptions (ingest 287, a worker 205).  The nice value
 * (priority_boost) is kept; a thread that cannot change its policy
 * stays as it is.
 */
#ifndef RINGAUDIT_THREAD_H
#define RINGAUDIT_THREAD_H

#include <pthread.h>
#include <stdbool.h>

/* Name THREAD (15 characters at most) and give it SCHED_BATCH, unless
 * thread_batch(false) was called before (ringauditd.conf's scheduler =
 * other). */
void thread_setup(pthread_t thread, const char *name);
void thread_batch(bool on);

#endif
