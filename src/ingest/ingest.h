/*
 * ingest.h - the pipeline's first stage: one thread that takes records from
 * a source (the kernel's NETLINK_AUDIT socket, or a replayed file), stamps
 * each with its receive time and an ingest sequence number, and hands it to
 * parser worker (serial % W).  It also owns everything else that speaks
 * NETLINK_AUDIT: registration as the audit daemon, the kernel's status
 * (AUDIT_GET), and who sent a signal (AUDIT_SIGNAL_INFO).
 *
 * The kernel source comes in two modes.  INGEST_NETLINK registers as the
 * audit daemon, sets the enabled flag, and at stop drains the kernel's
 * queue and unregisters.  INGEST_MULTICAST joins the kernel's read-only
 * multicast group and changes nothing in the kernel: it reads beside the
 * registered daemon (or none), and at stop reads what its socket holds.
 */
#ifndef RINGAUDIT_INGEST_H
#define RINGAUDIT_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ring/ring.h"

enum ingest_source_kind {
	INGEST_NETLINK,		/* register as the kernel's audit daemon */
	INGEST_MULTICAST,	/* listen to AUDIT_NLGRP_READLOG, register
				 * nothing, set nothing */
	INGEST_REPLAY,		/* read records from a file, then stop */
	INGEST_NONE,		/* nothing from the kernel: only messages
				 * (msg_in) and the daemon's records */
};

enum ingest_enable {
	INGEST_ENABLE,		/* set enabled=1 when registering (default) */
	INGEST_DISABLE,		/* set enabled=0 */
	INGEST_NOCHANGE,
};

struct ingest_config {
	enum ingest_source_kind kind;
	const char *replay_path;	/* INGEST_REPLAY */
	/* INGEST_REPLAY at a pace (benchmarks of low rates): at most
	 * replay_recs records a receive, replay_gap_us apart; 0: as fast
	 * as read. */
	unsigned replay_recs;
	unsigned replay_gap_us;
	enum ingest_enable enable;	/* INGEST_NETLINK */
	unsigned rcvbuf;		/* socket receive buffer, bytes */
	unsigned drain_timeout_ms;	/* at stop: wait for the kernel */

	struct ring_pool *pool;		/* every record; all start free */
	struct ring *free_ring;		/* records back from the writer */
	struct ring *to_worker;		/* W rings, ingest produces */
	unsigned workers;
	struct ring_waiter *self;	/* ingest's own waiter (futex) */
	/* Messages (struct ring_msg *) from another stage, taken in the
	 * order given, beside the source; NULL: none.  Their producer
	 * writes ingest_wake_fd after a batch. */
	struct ring *msg_in;
	/* Records that come often are read in batches: after a batch that
	 * emptied the socket, let more gather for up to this long (ms; less
	 * when they come fast, gather.c); 0: read each as it comes.  See
	 * ingest_set_gather_ms. */
	unsigned gather_ms;
	/* Called after pushing a batch that emptied the source, before the
	 * workers are woken: the pipeline's chance to do the sleeping
	 * stages' work on this thread (pipeline.c).  A worker whose ring it
	 * emptied is not woken.  NULL: none. */
	void (*help)(void *arg);
	void *help_arg;
};

struct ingest_stats {
	uint64_t received;	/* records taken from the source */
	uint64_t injected;	/* daemon records (DAEMON_*) */
	uint64_t batches;	/* recv calls that returned records */
	uint64_t pool_waits;	/* no free record: waited for the writer */
	uint64_t ring_waits;	/* a worker's ring was full: waited */
	uint64_t enobufs;	/* the socket overflowed (records lost) */
	uint64_t lost;		/* multicast: records the kernel dropped on
				 * our full socket (its SO_MEMINFO drops) */
	uint64_t sock_errors;	/* other receive errors */
	uint64_t truncated;	/* records longer than a slot */
	uint64_t malformed;	/* records without audit(...) header */
	uint64_t left_in_kernel; /* kernel backlog when the drain gave up */
	uint64_t gathers;	/* sleeps that let records gather */
	uint64_t messages;	/* records taken from msg_in */
	uint64_t free_low;	/* fewest free records seen (pool high-water:
				 * records less this); only uint64_t here:
				 * read with stat_copy */
};

struct ingest;

int ingest_create(struct ingest **out, const struct ingest_config *c);
void ingest_destroy(struct ingest *ing);

/*
 * Start the thread.  For the netlink source this registers with the
 * kernel and returns only once the kernel answered: 0, or the kernel's
 * error (-EEXIST: another audit daemon is registered; -EPERM).  For
 * multicast, once the group is joined: 0, or -EPERM (no CAP_AUDIT_READ).
 */
int ingest_start(struct ingest *ing);

/*
 * Queue a daemon record (DAEMON_START, DAEMON_END, ...): payload is the
 * text after "msg=", "audit(...): " included.  It enters the stream after
 * the records ingest already took.  cmd rides along on the record
 * (ring_rec.cmd) for a later stage.  Returns -EAGAIN if the mailbox is
 * full, -E2BIG if the text is too long.
 */
int ingest_inject(struct ingest *ing, unsigned type, unsigned cmd,
    const char *payload, size_t len);

/*
 * Ask the thread to finish: read what the kernel has queued (until its
 * backlog is 0 or drain_timeout_ms passed; multicast: what the socket
 * holds, until it is quiet), unregister, write 'last' (DAEMON_END, may be
 * NULL) as the final record, end the stream.  Returns at once;
 * ingest_join waits.
 */
void ingest_stop(struct ingest *ing, unsigned last_type, const char *last,
    size_t last_len);

/* Written (8 bytes, eventfd) to wake the thread: messages came. */
int ingest_wake_fd(struct ingest *ing);
/* Change gather_ms (any thread; taken at the next batch). */
void ingest_set_gather_ms(struct ingest *ing, unsigned ms);
int ingest_join(struct ingest *ing);

/* True once the source ended by itself (replay reached end of file). */
bool ingest_finished(struct ingest *ing);

void ingest_get_stats(struct ingest *ing, struct ingest_stats *st);

/* The kernel side, on a socket of its own (any thread may call these). */
struct ingest_kstatus {
	uint32_t enabled, failure, pid, rate_limit, backlog_limit, lost;
	uint32_t backlog, backlog_wait_time, backlog_wait_time_actual;
	uint32_t feature_bitmap;
	/* No feature bit says the kernel has backlog_wait_time_actual (5.9
	 * and later): only the length of the struct it sent. */
	bool has_wait_actual;
};

int ingest_kernel_status(struct ingest_kstatus *st);

/*
 * One request to the kernel (AUDIT_GET, AUDIT_SET, AUDIT_ADD_RULE, ...):
 * with out, wait for the answer of type want and copy at most outlen
 * bytes of it (*got: how many); without, wait for the kernel's ACK.
 * 0 or -errno (the kernel's refusal, or -EAGAIN after 2 s).
 */
int ingest_kernel_request(uint16_t type, const void *data, size_t len,
    uint16_t want, void *out, size_t outlen, size_t *got);

struct ingest_siginfo {
	uint32_t uid;		/* the sender's auid, or uid when unset */
	int32_t pid;
	char ctx[256];		/* security context, "" if none */
};

int ingest_kernel_signal_info(struct ingest_siginfo *si);

#endif
