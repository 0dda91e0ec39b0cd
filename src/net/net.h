/*
 * net.h - the network stage: ringauditd as the central log server that
 * audisp-remote clients send to (auditd.conf's tcp_listen_port).  One
 * thread listens, reads every client, hands each record to the pipeline
 * as a message (ring.h's struct ring_msg, through the pipeline's message
 * port) and answers each when the writer gave it back: auditd 3.0.9's
 * protocol (frame.h), records and syslog lines.  Its memory (clients,
 * message slots) is allocated by net_create.
 */
#ifndef RINGAUDIT_NET_H
#define RINGAUDIT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring/ring.h"

/* Rejections, by the op= auditd names them with in DAEMON_ACCEPT. */
enum net_reject {
	NET_REJ_PORT,		/* source port outside tcp_client_ports */
	NET_REJ_WRAP,		/* libwrap said no */
	NET_REJ_DUP,		/* past tcp_max_per_addr */
	NET_REJ_ALLOC,		/* no client slot left */
	NET_REJ_N,
};

/* Why a client was closed. */
enum net_close {
	NET_CL_EOF,		/* the client closed */
	NET_CL_ERROR,		/* a read or write failed */
	NET_CL_IDLE,		/* tcp_client_max_idle */
	NET_CL_BAD,		/* not auditd's protocol: no frame fits */
	NET_CL_TOO_LONG,	/* a frame longer than 8970 */
	NET_CL_STOP,		/* the daemon stops: ENDING sent */
	NET_CL_AUTH,		/* KRB5: no context, or a name refused:
				 * never a client for the log */
	NET_CL_N,
};

struct net_config {
	unsigned port;			/* tcp_listen_port (> 0) */
	unsigned queue;			/* tcp_listen_queue */
	unsigned max_per_addr;		/* tcp_max_per_addr */
	unsigned port_lo, port_hi;	/* tcp_client_ports */
	unsigned max_idle;		/* tcp_client_max_idle, s; 0: none */
	bool use_libwrap;		/* hosts_access, daemon name auditd */
	bool krb5;			/* transport = KRB5 */
	const char *krb5_principal;	/* the service, and every client's */
	const char *krb5_key_file;	/* our keytab: mode 0400, root's */
	unsigned max_clients;		/* client slots */
	unsigned per_client;		/* a client's messages out at once */

	/* The pipeline's message port (daemon/pipeline.h's pl_msg_port):
	 * slots is its size. */
	struct ring *in;
	struct ring *acks;
	struct ring_waiter *self;
	int wake_fd;
	unsigned slots;

	/* DAEMON_* records' payloads, numbered by the daemon. */
	int (*daemon_record)(void *ctx, unsigned type, const char *text,
	    char *buf, size_t len);
	void *ctx;
};

struct net_stats {
	uint64_t accepted;
	uint64_t rejected[NET_REJ_N];
	uint64_t closed[NET_CL_N];
	uint64_t active;		/* connected now */
	uint64_t active_high;		/* most at once */
	uint64_t records;		/* messages handed to the pipeline */
	uint64_t heartbeats;
	uint64_t lines_dropped;		/* bytes not a frame, up to a '\n' */
	uint64_t replies;		/* replies sent (acks, heartbeats) */
	uint64_t replies_lost;		/* their client was gone */
	uint64_t not_ok;		/* replies other than ACK */
	uint64_t bytes;			/* read from clients */
	uint64_t pauses;		/* reading stopped: no slot free */
	uint64_t reply_stalls;		/* a client not read: it does not
					 * read the replies it is owed */
	uint64_t daemon_records_lost;	/* DAEMON_ACCEPT/CLOSE not logged */
	uint64_t undecrypted;		/* KRB5 tokens that did not unwrap */
};

struct net;

/*
 * Open the listening sockets (as auditd: dual-stack when there is an
 * IPv4 and an IPv6 address), with KRB5 take the credential, and allocate
 * everything.  0, or -errno with the reason already logged in auditd's
 * words: -EKEYREJECTED when the KRB5 key or credential was refused (auditd
 * then logs DAEMON_ABORT op=network-init).
 */
int net_create(struct net **out, const struct net_config *c);
void net_destroy(struct net *n);
int net_start(struct net *n);
/*
 * Send ENDING to every client, close them (DAEMON_CLOSE each), stop the
 * thread.  Messages already handed on are still logged; their replies
 * are not sent.
 */
void net_stop(struct net *n);
void net_get_stats(struct net *n, struct net_stats *st);

/* The words auditd's state report and records use. */
const char *net_reject_name(enum net_reject r);
const char *net_close_name(enum net_close c);

#endif
