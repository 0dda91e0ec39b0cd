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

#include <gssapi/gssapi.h>

#include "common/log.h"
#include "net/frame.h"
#include "net/net.h"

#define NET_MAX_LISTEN 4	/* listening sockets, as auditd */
#define NET_NONE UINT32_MAX	/* no client, no slot */
#define NET_ADDR_MAX 64		/* an address as text */
#define NET_DAEMON_ACCEPT 1207	/* libaudit's AUDIT_DAEMON_ACCEPT */
#define NET_DAEMON_CLOSE 1208	/* ... AUDIT_DAEMON_CLOSE */
#define NET_PRINCIPAL_MAX 256	/* a KRB5 client's name, NUL included */
/* What gss_wrap adds to a reply, at most (aes-cts-hmac-sha1-96: 60). */
#define NET_GSS_WRAP_MAX 192
#define NET_TOKEN_HDR 4		/* a KRB5 token's length, big-endian */
/* s: negotiating at two ticks in a row: closed (a slow KDC, a client's
 * own ticket fetched once connected, is given 10 to 20 s). */
#define NET_GSS_TICK 10

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
	/* transport = KRB5 (gss.c): */
	bool negotiating;	/* no security context yet: not a client
				 * for the log (no DAEMON_ACCEPT yet) */
	bool slow;		/* negotiating at the last negotiation tick */
	gss_ctx_id_t gctx;
	char *principal;	/* its name, for " krb5=" (NET_PRINCIPAL_MAX) */
	size_t principal_len;
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
	size_t reply_room;		/* one reply in obuf: a frame, or the
					 * token that wraps one */
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

	/* transport = KRB5 (gss.c): */
	bool krb5;
	char *krb5_strs[2];		/* c.krb5_principal, c.krb5_key_file */
	gss_cred_id_t gcred;		/* ours, from the key file */
	char realm[NET_PRINCIPAL_MAX];	/* every client's */
	char *principals;		/* max_clients names */
	unsigned negotiating;		/* clients with no context yet */
	uint64_t next_gss_tick;		/* 0: no tick armed (none is) */
	struct log_ratelimit grl;	/* clients' GSS failures */
};

/* A client's reply buffer: every reply it can be owed, and one more. */
static inline size_t
net_obuf_cap(const struct net *n)
{
	return (size_t)(n->c.per_client + 1) * n->reply_room;
}

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

/* gss.c: transport = KRB5, as auditd 3.0.9 with GSS-API.  Every unit
 * on the wire is a token: 4 bytes of length, big-endian, then its bytes. */
enum net_gss_rc {
	NET_GSS_MORE,		/* negotiating: a token to come */
	NET_GSS_DONE,		/* a context, and the name passed */
	NET_GSS_FAIL,		/* logged: close it, no record */
};
/* Check the key file, take our credential and the realm (logged). */
int net_gss_init(struct net *n);
void net_gss_fini(struct net *n);
/* The tokens in cl->buf toward a context; replies queued in obuf. */
enum net_gss_rc net_gss_negotiate(struct net *n, struct net_client *cl);
/* The first token in the LEN bytes at P: *size its bytes when whole. */
enum net_frame_rc net_gss_token(const unsigned char *p, size_t len,
    size_t *size);
/* That whole token unwrapped in place and read as a frame (its text
 * with every last '\n' cut); BAD_MAGIC: drop it (logged if it did not
 * decrypt). */
enum net_frame_rc net_gss_unwrap(struct net *n, struct net_client *cl,
    unsigned char *tok, size_t size, struct net_frame *f);
/* REPLY wrapped as a token into OUT (CAP bytes): its size, 0 if not. */
size_t net_gss_wrap(struct net *n, struct net_client *cl,
    const unsigned char *reply, size_t len, unsigned char *out, size_t cap);
/* A record's text, " krb5=" and the client's name after it, into DST. */
size_t net_gss_text(const struct net_client *cl, const struct net_frame *f,
    char *dst, size_t cap);
void net_gss_client_end(struct net_client *cl);

/* client.c: clients' bytes in, replies out. */
/* A client for the log: counted, its DAEMON_ACCEPT. */
void net_client_welcome(struct net *n, struct net_client *cl);
/* ENDING to a client at stop, and no more from it. */
void net_client_ending(struct net *n, struct net_client *cl);
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
/* KRB5: a client still negotiating at two ticks in a row is closed. */
void net_negotiation_tick(struct net *n);
/* Listening again once a descriptor is free (after EMFILE). */
void net_listen_retry(struct net *n);

#endif
