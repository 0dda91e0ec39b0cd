/*
 * fleet.h - a fleet of remote-logging clients in one thread: N
 * connections to a log server (ringauditd or auditd with
 * tcp_listen_port), each sending records framed as audisp-remote frames
 * them, with up to W unanswered at once (1: stop-and-wait, as
 * audisp-remote), paced to a total rate or as fast as the replies come.
 * ringaudit-bench --remote (remote.c) and ra-netload (tools/ra_netload.c)
 * both drive it.  Everything is allocated by rb_fleet_create; a run
 * allocates nothing.
 *
 * Client i connects from a loopback address of its own, 127.0.0.1 + i
 * (127.0.0.1, 127.0.0.2, ..., 127.0.1.0, ...: 65,000 clients stay inside
 * 127.0.0.0/16), or, with `sources` S > 0, from 127.0.0.(1 + i % S) as
 * ra-netload's -a.  Each record is
 *
 *   node=NODE type=USER msg=audit(T:N): tag=TAG client=I seq=S x=...
 *
 * Names start with rb_fleet_.  Functions that can fail return 0 or a
 * negative errno.
 */
#ifndef RINGAUDIT_BENCH_FLEET_H
#define RINGAUDIT_BENCH_FLEET_H

#include <stdbool.h>
#include <stdint.h>

#include "common/hist.h"

#define RB_FLEET_MAX_WINDOW 256

struct rb_fleet_config {
	const char *host, *port;
	const char *node;	/* node= of each record */
	const char *tag;
	const char *name;	/* the prefix of messages on stderr */
	unsigned clients;
	unsigned max_window;	/* the largest window of any run */
	unsigned size;		/* bytes of a record's text, about */
	unsigned sources;	/* 0: an address per client */
	unsigned fail_msgs;	/* at most this many client failures said
				 * on stderr (0: every one) */
};

struct rb_fleet;

/* Allocates every client; raises RLIMIT_NOFILE for them (as far as the
 * hard limit, or past it with CAP_SYS_RESOURCE). */
int rb_fleet_create(struct rb_fleet **out, const struct rb_fleet_config *c);
/* Closes every connection. */
void rb_fleet_destroy(struct rb_fleet *f);
/* Connects every client in turn; the number connected. */
unsigned rb_fleet_connect(struct rb_fleet *f);

struct rb_fleet_load {
	double rate;		/* records/s, all clients; 0: max */
	unsigned window;	/* 1..max_window */
	double secs;		/* sending */
	double grace_s;		/* then waiting for the replies owed */
	const int *stop;	/* non-zero: stop sending now (or NULL) */
};

struct rb_fleet_result {
	unsigned clients, connected, window;
	double rate_req;	/* 0: max */
	uint64_t sent, acked;
	uint64_t acked_load;	/* of them, acked while the load was sending */
	uint64_t not_ok;	/* answered otherwise: disk low, full, ... */
	uint64_t unanswered;	/* sent, no reply at all */
	unsigned connect_failed;	/* never connected (the first run) */
	unsigned closed;	/* closed by the server, or an error */
	unsigned timed_out;	/* still owed replies after grace_s */
	unsigned failed;	/* all three, as clients */
	unsigned lossy;		/* clients with a record not acked */
	uint64_t most_lost;	/* the most records of one client not acked */
	uint64_t least_acked;	/* the fewest of one client: fairness */
	double secs;		/* the run, sending and waiting */
	double load_s;		/* sending: min(secs, the load's secs) */
	double rate;		/* acked / load_s (ra-netload's) */
	double rate_load;	/* acked_load / load_s: the acks that came
				 * while sending, without those of the W x N
				 * records out when it stopped */
	double drain_s;		/* from the end of sending to the last reply */
	struct hist lat;	/* send to reply, ns */
};

/* One run over the connected clients: counters start from 0, sequences
 * go on.  A client closed in a run stays closed. */
void rb_fleet_run(struct rb_fleet *f, const struct rb_fleet_load *l,
    struct rb_fleet_result *r);

/* One client's figures in the last run. */
struct rb_fleet_client {
	uint64_t sent, acked, not_ok;
	bool connected;
	const char *failure;	/* NULL: none; else why it was dropped */
};
void rb_fleet_client(const struct rb_fleet *f, unsigned i,
    struct rb_fleet_client *c);

#endif
