/*
 * disp_int.h - inside the dispatch stage: the consumers (an exec plugin,
 * an af_unix client) and their queues, shared by dispatch.c (the thread),
 * queue.c (queues, overflow, writing), plugin.c (exec plugins: start,
 * death, restart) and af_unix.c (the builtin's listener and clients).
 * Not part of the stage's interface: other stages use dispatch.h.
 */
#ifndef RINGAUDIT_DISP_INT_H
#define RINGAUDIT_DISP_INT_H

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/log.h"
#include "dispatch/dispatch.h"
#include "ring/ring.h"

/* auditd's binary frame: a 16-byte header, then 8970 bytes of data. */
#define DISP_HDR_LEN 16
#define DISP_DATA_MAX 8970
#define DISP_FRAME (DISP_HDR_LEN + DISP_DATA_MAX)
/* A consumer's write buffer: many records per system call. */
#define DISP_OUT_BYTES (64u * 1024)
/* A consumer's own copy of what it has queued: q_depth records of this
 * size on average (a longer one takes more), and for a plugin room for
 * what it was written and may not have read yet. */
#define DISP_ARENA_PER_REC 2048u
#define DISP_ARENA_RETAIN (512u * 1024)
/* A plugin is asked what it has read once this much is kept for it. */
#define DISP_RETAIN_CHECK (64u * 1024)

/*
 * What the overflow of any queue does, and the one suspension that
 * covers every consumer (auditd's processing_suspended).
 */
struct disp_ovf {
	enum disp_overflow action;
	bool suspended;
	bool overflowed;	/* since start or the last HUP */
	unsigned reported;	/* syslog messages, 5 then the last word */
	uint32_t events;	/* DISP_EV_* for the daemon, posted by the thread */
};

/*
 * One consumer's queue: its records, copied into its arena, in order.
 * Indices only grow; slots are [i & mask].
 *   [rel, sent)   written whole, kept until read (a restart sends again
 *                 what the dead plugin had not read)
 *   [sent, fill)  copied into the write buffer, going out
 *   [fill, head)  waiting
 */
struct disp_q {
	uint64_t *pos;		/* where each record is in the arena */
	uint64_t *end;		/* stream offset where each one ends */
	uint64_t mask;
	uint64_t rel, sent, fill, head;
};

struct disp_cons {
	int fd;			/* ours: non-blocking, CLOEXEC */
	int peer;		/* a plugin's end, held: what it has read */
	enum disp_format fmt;
	bool blocked;		/* its socket said EAGAIN: wait for POLLOUT */
	bool retain;		/* plugins: keep written records */
	unsigned depth_max;	/* the q_depth it was made for */
	uint64_t keep_bytes;	/* at most: the socket's buffer */
	struct ring_feed arena;	/* the records themselves */
	struct disp_q q;
	char *out;
	uint32_t out_len, out_done;
	uint64_t wbytes;	/* bytes written since the socket was made */
	uint64_t offered, delivered, dropped;
	unsigned high;
};

enum disp_kind {
	DISP_EXEC,
	DISP_UNIX,
	DISP_NOOP,		/* an unknown builtin: counted, does nothing */
};

struct disp_client {
	struct disp_cons c;
	bool used;
	bool eof;		/* it shut its side: no more reading it */
};

struct disp_plugin {
	struct disp_pconf conf;
	enum disp_kind kind;
	enum disp_state state;
	bool used;
	/* DISP_EXEC */
	bool keep_stdio;
	pid_t pid;
	int pidfd;
	int peer;		/* the plugin's end, held: what it did not
				 * read stays readable after it died */
	uint64_t restarts;
	struct disp_cons c;
	/* Leaving (SIGHUP): told to stop, and not waited for; its pidfd
	 * says when it is gone, then it starts again or its slot is freed
	 * (removing). */
	bool leaving, removing, killed;
	uint64_t leave_by;	/* CLOCK_MONOTONIC ns: SIGKILL then */
	/* DISP_AF_UNIX */
	int lfd;
	char sock_path[DISP_LINE_MAX];
	struct disp_client *clients;	/* DISP_CLIENTS_MAX */
	unsigned nclients;
	uint64_t offered, delivered, dropped;	/* closed clients' */
	unsigned high;
};

/*
 * A plugin's queues one by one: its own, or each connected af_unix
 * client's.  Start with *k = 0; NULL after the last.  A client's index is
 * *k - 1.
 */
static inline struct disp_cons *
dp_cons(struct disp_plugin *p, unsigned *k)
{
	if (p->kind != DISP_UNIX)
		return (*k)++ == 0 ? &p->c : NULL;
	while (*k < DISP_CLIENTS_MAX) {
		unsigned i = (*k)++;

		if (p->clients[i].used)
			return &p->clients[i].c;
	}
	return NULL;
}

/* Its queues are written: a running plugin, an af_unix client. */
static inline bool
dp_writes(const struct disp_plugin *p)
{
	return p->kind == DISP_UNIX ||
	    (p->kind == DISP_EXEC && p->state == DISP_ST_RUNNING);
}

/* The wake-up, and per plugin a pidfd and socket, or a listener and its
 * clients. */
#define DISP_NFDS (1 + DISP_PLUGINS_MAX * (1 + DISP_CLIENTS_MAX))

enum fd_what { FD_WAKE, FD_PIDFD, FD_PLUGIN, FD_LISTEN, FD_CLIENT };

struct fd_owner {
	enum fd_what what;
	unsigned plugin;
	unsigned client;
};

struct disp {
	struct disp_config c;		/* in force: the thread's */
	struct ring_waiter waiter;
	struct ring_feed feed;
	struct ring_baton baton;	/* lent while asleep (disp_help) */
	struct disp_plugin *plugins;	/* DISP_PLUGINS_MAX slots */
	struct disp_ovf ovf;
	uint64_t rpos;			/* next entry to take */
	unsigned live[DISP_PLUGINS_MAX];	/* the used slots, in order */
	unsigned nlive;
	uint64_t next_seq;
	bool seq_known;
	bool skipping;			/* asked the writer to skip */
	uint64_t skip_seen;		/* the feed's skipped, accounted */
	uint64_t records, helped, feed_lost, feed_skipped;
	unsigned high;
	uint32_t posted;

	pthread_t thread;
	bool started;
	uint64_t deadline;		/* stopping: hand queues until then */
	struct pollfd pfd[DISP_NFDS];
	struct fd_owner own[DISP_NFDS];
	bool pollout;			/* a socket is watched for room */

	pthread_mutex_t mu;		/* what follows */
	pthread_cond_t cv;
	bool stop, resume, hup, want_stats, done;
	uint64_t stats_gen;
	struct disp_config staged;
	struct disp_pconf *staged_pcs;	/* DISP_PLUGINS_MAX */
	int staged_n;
	struct disp_config hup_c;	/* the thread's copy of the above */
	struct disp_pconf *hup_pcs;
	int hup_n;
	struct disp_stats pub;
	struct disp_plugin_stats *pub_ps;	/* DISP_PLUGINS_MAX */
	unsigned pub_n;
	_Atomic uint32_t events;
	int ev_fd;
};

/* queue.c */
int dq_init(struct disp_cons *c, unsigned q_depth, bool retain);
void dq_fini(struct disp_cons *c);
/* Offer one record; false: it was dropped. */
bool dq_offer(struct disp_cons *c, struct disp_ovf *o, unsigned q_depth,
    const char *who, const struct ring_feed_ent *e);
/* It would drop whatever it is offered now (dq_offer's overflow). */
bool dq_full(const struct disp_cons *c, const struct disp_ovf *o,
    unsigned q_depth);
/* A further overflow would change nothing but the counts: its message
 * said as often as it is said, the suspension, single or halt done. */
bool dq_quiet(const struct disp_ovf *o);
/* Record lost before the queue: dropped for this consumer. */
void dq_lost(struct disp_cons *c, uint64_t n);
/* Write what the socket takes; -errno on a broken socket, else 0. */
int dq_flush(struct disp_cons *c);
bool dq_pending(const struct disp_cons *c);
unsigned dq_depth(const struct disp_cons *c);
/* The peer died with 'unread' bytes not read: what it had not read whole
 * goes out again, first. */
void dq_rewind(struct disp_cons *c, uint64_t unread);
/* Everything queued counted dropped (a consumer that goes away). */
void dq_drop_all(struct disp_cons *c);
/* Forget retained records (a peer that cannot die with them unread). */
void dq_settle(struct disp_cons *c);
/* A new socket (peer: the plugin's end, or -1). */
void dq_reset_stream(struct disp_cons *c, int fd, int peer,
    uint64_t keep_bytes);

/* plugin.c */
int dp_start(struct disp_plugin *p);
/* Its pidfd was readable: reap, and restart unless max_restarts. */
void dp_died(struct disp_plugin *p, unsigned max_restarts);
/* SIGTERM and EOF; wait for it until the deadline (CLOCK_MONOTONIC ns),
 * then SIGKILL. */
void dp_stop(struct disp_plugin *p, uint64_t deadline_ns);
void dp_stop_all(struct disp_plugin *ps, unsigned n, uint64_t deadline_ns);
/* SIGTERM and EOF, not waited for (a SIGHUP's restart or removal): false
 * if no process runs, and nothing is to wait for. */
bool dp_leave(struct disp_plugin *p, uint64_t deadline_ns);
/* A leaving plugin's pidfd was readable: collected. */
void dp_left(struct disp_plugin *p);
/* A leaving plugin at 'now': SIGKILL at its deadline, given up a moment
 * later (stuck in the kernel; collected as it is).  The time to be looked
 * at again, or 0 once it is no longer leaving. */
uint64_t dp_leave_check(struct disp_plugin *p, uint64_t now);
bool dp_same_binary(const struct disp_pconf *a, const struct disp_pconf *b);
bool dp_same_conf(const struct disp_pconf *a, const struct disp_pconf *b);

/* roster.c: which plugins run, matched by file name on HUP. */
void dr_add(struct disp *d, const struct disp_pconf *pc);
void dr_apply_hup(struct disp *d, const struct disp_config *nc,
    const struct disp_pconf *pcs, int n);
/* The roster changed: the live list made again, and the writer copies
 * records only while some plugin is there. */
void dr_changed(struct disp *d);
/* Under d->mu: the figures, for disp_get_stats. */
void dr_publish(struct disp *d);
/* A leaving plugin is gone: started again, or its slot freed. */
void dr_left(struct disp *d, struct disp_plugin *p);

/* af_unix.c */
int du_open(struct disp_plugin *p, unsigned q_depth);
void du_close(struct disp_plugin *p);
/* du_close, and the clients' table freed: the plugin goes. */
void du_free(struct disp_plugin *p);
/* The listener was readable: take every waiting client. */
void du_accept(struct disp_plugin *p, unsigned q_depth);
/* A client's socket was readable: it left, or it talks (ignored). */
void du_client_input(struct disp_plugin *p, unsigned i, bool hup);
void du_client_close(struct disp_plugin *p, unsigned i);
/* chmod of the socket file at path, following no symlink: 0 or -errno. */
int du_chmod(const char *path, mode_t mode);

#endif
