/*
 * net_int.h - inside the network stage: the state its files share and
 * what each offers the others.  They call downward only: net.c (the
 * thread and its loop) calls listen.c (sockets, accepting, the checks,
 * the idle tick), which calls client.c (reading, frames, replies, a
 * close), which calls slot.c (message slots to the pipeline and back)
 * and frame.c.  Not part of
 * the stage's interface: other stages use net.h.
 */
#ifndef RINGAUDIT_NET_INT_H
#define RINGAUDIT_NET_INT_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/log.h"
#include "net/frame.h"
#include "net/net.h"

#define NET_MAX_LISTEN 4	/* listening sockets, as auditd */
#define NET_NONE UINT32_MAX	/* no client, no slot */
#define NET_ADDR_MAX 64		/* an address as text */
#define NET_DAEMON_ACCEPT 1207	/* libaudit's AUDIT_DAEMON_ACCEPT */
#define NET_DAEMON_CLOSE 1208	/* ... AUDIT_DAEMON_CLOSE */

/* A message out in the pipeline: its ring_msg, and whom to answer. */
struct net_slot {
	struct ring_msg m;	/* m.token: index + 1 */
	uint32_t client;	/* NET_NONE: a daemon record */
	uint32_t gen;		/* the client's, when it was sent */
	uint32_t seq;		/* the frame's, echoed in the reply */
	uint32_t next_free;
};

struct net_client {
	int fd;			/* -1: free */
	uint32_t gen;		/* bumped at each close: stale acks miss */
	uint32_t next_free;
	struct sockaddr_in6 sa;	/* the peer (an IPv4 one: mapped) */
	char addr[NET_ADDR_MAX];
	unsigned port;
	bool active;		/* read since the last idle tick */
	bool reading;		/* EPOLLIN on */
	bool want_out;		/* EPOLLOUT on */
	unsigned out_msgs;	/* messages in the pipeline */
	size_t len;		/* bytes in buf */
	size_t olen;		/* reply bytes waiting in obuf */
	unsigned char buf[NET_FRAME_MAX];
	unsigned char *obuf;	/* per_client + 1 replies */
};

struct net {
	struct net_config c;
	pthread_t thread;
	bool started;
	int ep;				/* epoll */
	int stop_fd;			/* eventfd: net_stop */
	int lfd[NET_MAX_LISTEN];
	unsigned nlisten;

	struct net_client *clients;
	unsigned char *obufs;
	uint32_t free_client;		/* head of the free list */
	unsigned nclients;
	bool paused;			/* some client waits for a slot */
	unsigned resume_at;		/* where net_resume's next round starts */

	struct net_slot *slots;
	uint32_t free_slot;
	unsigned slots_out;
	unsigned reserve;		/* slots only daemon records take */
	bool stopping;			/* net_stop: no client is read */
	bool wake_owed;			/* pushed to in: write wake_fd */

	uint64_t next_tick;		/* tcp_client_max_idle, ns */
	int spare_fd;			/* given up to take a connection when
					 * no descriptor is left (EMFILE) */
	bool listen_off;		/* ... and none was: not accepting */
	struct log_ratelimit rl;	/* accept failures */
	struct net_stats st;
};

/* epoll user data: a listener (index), the stop or ack fd, a client. */
#define NET_EV_LISTEN 0x100000000ull
#define NET_EV_STOP 0x200000000ull
#define NET_EV_ACKS 0x300000000ull
#define NET_EV_KIND(u) ((u) & 0xf00000000ull)
#define NET_EV_INDEX(u) ((uint32_t)(u))

/* slot.c: messages to the pipeline. */
int net_slots_init(struct net *n);
struct net_slot *net_slot_get(struct net *n);
/* A slot for a client's record: more free than the reserve. */
bool net_slot_for_client(const struct net *n);
void net_slot_put(struct net *n, struct net_slot *s);
/* Hand a filled slot on (ingest is woken by net_flush_in). */
void net_slot_send(struct net *n, struct net_slot *s);
void net_flush_in(struct net *n);
/* A DAEMON_* record with TEXT; false (counted) if no slot was free. */
bool net_daemon_record(struct net *n, unsigned type, const char *text);

/* client.c: clients' bytes in, replies out. */
void net_client_read(struct net *n, struct net_client *cl);
void net_client_write(struct net *n, struct net_client *cl);
void net_client_close(struct net *n, struct net_client *cl,
    enum net_close why);
/* Replies for what the writer gave back; true if a slot freed. */
bool net_take_acks(struct net *n);
/* Clients that stopped for want of a slot read again. */
void net_resume(struct net *n);
void net_set_events(struct net *n, struct net_client *cl);

/* listen.c: sockets and accepting. */
int net_listen_open(struct net *n);
void net_accept(struct net *n, int lfd);
void net_idle_tick(struct net *n);
/* Listening again once a descriptor is free (after EMFILE). */
void net_listen_retry(struct net *n);

#endif
