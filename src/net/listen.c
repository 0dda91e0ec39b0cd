/*
 * listen.c - the listening sockets, each connection accepted or refused
 * as auditd 3.0.9 does, and the idle clients closed.
 *
 * Listening.  getaddrinfo(NULL, port, AI_PASSIVE | AI_ADDRCONFIG): when
 * that gives one IPv4 and one IPv6 address, as on most hosts, one IPv6
 * socket takes both (IPv4 peers appear as ::ffff:a.b.c.d), as auditd's;
 * otherwise one socket each (IPv6 ones V6ONLY), where auditd listens on
 * the last one only.  SO_REUSEADDR, listen(tcp_listen_queue).  A port
 * that cannot be bound stops the daemon with auditd's words; auditd
 * itself says nothing when the port is taken and runs on, deaf.
 *
 * Accepting.  The checks, in auditd's order of words: the client's
 * source port within tcp_client_ports (op=port), libwrap's hosts_access
 * under the daemon name "auditd" (op=wrap), no more than tcp_max_per_addr
 * connections from the address, ports not compared (op=dup), and a free
 * client slot (op=alloc: ringauditd's are counted at start, auditd's
 * malloc'd).  A refusal is a DAEMON_ACCEPT ... res=no record and a
 * syslog line, and the socket is closed; an acceptance a DAEMON_ACCEPT
 * ... res=success, SO_KEEPALIVE and TCP_NODELAY, and the client is read.
 * With KRB5 the client negotiates first (gss.c): DAEMON_ACCEPT comes
 * once its name passed, and none if it does not.  The connections from
 * an address count those still negotiating (auditd counts only clients
 * that passed, and negotiates one at a time).
 *
 * Idle clients.  With tcp_client_max_idle N, every N seconds each client
 * not read from since the last tick is closed: N to 2N seconds of
 * silence, as auditd's periodic timer does it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>
#include <unistd.h>

#include <tcpd.h>

#include "common/log.h"
#include "common/stat.h"
#include "net/net_int.h"

/* libwrap's: the priorities of its own log lines. */
int allow_severity = LOG_INFO;
int deny_severity = LOG_NOTICE;

const char *
net_reject_name(enum net_reject r)
{
	static const char *const names[NET_REJ_N] = {
		"port", "wrap", "dup", "alloc",
	};

	return r < NET_REJ_N ? names[r] : "?";
}

static int
listen_one(struct net *n, const struct addrinfo *ai, bool v6only)
{
	int one = 1, off = v6only ? 1 : 0, fd, err;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0) {
		err = errno;
		log_warnx("Cannot create listener socket (%s)", strerror(err));
		return -err;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		err = errno;
		log_warnx("Cannot bind listener socket to port %u (%s)",
		    n->c.port, strerror(err));
		close(fd);
		return -err;
	}
	if (listen(fd, (int)n->c.queue) < 0) {
		err = errno;
		log_warnx("Unable to listen on %u (%s)", n->c.port,
		    strerror(err));
		close(fd);
		return -err;
	}
	n->lfd[n->nlisten++] = fd;
	log_debug("Listening on TCP port %u, protocol tcp", n->c.port);
	return 0;
}

int
net_listen_open(struct net *n)
{
	struct addrinfo hints, *res, *ai;
	unsigned v4 = 0, v6 = 0;
	char port[16];
	int rc = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_PASSIVE | AI_ADDRCONFIG;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", n->c.port);
	if ((rc = getaddrinfo(NULL, port, &hints, &res)) != 0) {
		log_warnx("Cannot find an address to listen on for port %u "
		    "(%s)", n->c.port, gai_strerror(rc));
		return -EADDRNOTAVAIL;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		v4 += ai->ai_family == AF_INET;
		v6 += ai->ai_family == AF_INET6;
	}
	rc = 0;
	for (ai = res; ai != NULL && rc == 0 && n->nlisten < NET_MAX_LISTEN;
	    ai = ai->ai_next) {
		/* One of each: the IPv6 socket takes both. */
		if (v4 == 1 && v6 == 1 && ai->ai_family != AF_INET6)
			continue;
		rc = listen_one(n, ai, !(v4 == 1 && v6 == 1));
	}
	freeaddrinfo(res);
	if (rc == 0 && n->nlisten == 0) {
		log_warnx("Cannot find an address to listen on for port %u",
		    n->c.port);
		rc = -EADDRNOTAVAIL;
	}
	return rc;
}

/* "addr port" of a peer, as auditd names it. */
static void
peer_name(const struct sockaddr_storage *ss, char *addr, size_t len,
    unsigned *port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, addr, (socklen_t)len);
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, addr, (socklen_t)len);
		*port = ntohs(s4->sin_port);
	}
}

/* Connections there are from that address (the text names it whole). */
static unsigned
from_addr(const struct net *n, const char *addr)
{
	unsigned i, k = 0;

	for (i = 0; i < n->c.max_clients; i++)
		if (n->clients[i].fd >= 0 &&
		    strcmp(n->clients[i].addr, addr) == 0)
			k++;
	return k;
}

static void
listeners(struct net *n, bool on)
{
	unsigned i;

	for (i = 0; i < n->nlisten; i++) {
		struct epoll_event ev = { .events = on ? EPOLLIN : 0u,
		    .data.u64 = NET_EV_LISTEN | i };

		epoll_ctl(n->ep, EPOLL_CTL_MOD, n->lfd[i], &ev);
	}
	n->listen_off = !on;
}

/*
 * libwrap reads /etc/hosts.allow and hosts.deny for each connection: at
 * the descriptor limit it could not, and would say no (op=wrap) for want
 * of a descriptor; the spare one is its, for the time it reads.
 */
static bool
wrap_allows(struct net *n, int fd)
{
	struct request_info req;
	bool ok;

	if (n->spare_fd >= 0) {
		close(n->spare_fd);
		n->spare_fd = -1;
	}
	request_init(&req, RQ_DAEMON, "auditd", RQ_FILE, fd, 0);
	fromhost(&req);
	ok = hosts_access(&req) != 0;
	n->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (n->spare_fd < 0)
		listeners(n, false);
	return ok;
}

static void
reject_client(struct net *n, int fd, enum net_reject why, const char *addr,
    unsigned port)
{
	char text[160];

	STAT_ADD(n->st.rejected[why], 1);
	switch (why) {
	case NET_REJ_PORT:
	case NET_REJ_WRAP:
		log_warnx("TCP connection from %52s:%u rejected", addr, port);
		break;
	case NET_REJ_DUP:
		log_warnx("Too many connections from %52s:%u - rejected",
		    addr, port);
		break;
	case NET_REJ_ALLOC:
	case NET_REJ_N:
		/* auditd's words, at auditd's priority. */
		log_critx("Unable to allocate TCP client data");
		break;
	}
	snprintf(text, sizeof(text), "op=%s addr=%s port=%u res=no",
	    net_reject_name(why), addr, port);
	net_daemon_record(n, NET_DAEMON_ACCEPT, text);
	close(fd);
}

static void
accept_one(struct net *n, int fd, const struct sockaddr_storage *ss)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct net_client *cl;
	char addr[NET_ADDR_MAX];
	unsigned port;
	int one = 1;

	peer_name(ss, addr, sizeof(addr), &port);
	if (port < n->c.port_lo || port > n->c.port_hi) {
		reject_client(n, fd, NET_REJ_PORT, addr, port);
		return;
	}
	if (n->c.use_libwrap && !wrap_allows(n, fd)) {
		reject_client(n, fd, NET_REJ_WRAP, addr, port);
		return;
	}
	if (from_addr(n, addr) >= n->c.max_per_addr) {
		reject_client(n, fd, NET_REJ_DUP, addr, port);
		return;
	}
	if (n->free_client == NET_NONE) {
		reject_client(n, fd, NET_REJ_ALLOC, addr, port);
		return;
	}
	cl = &n->clients[n->free_client];
	n->free_client = cl->next_free;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	cl->fd = fd;
	snprintf(cl->addr, sizeof(cl->addr), "%s", addr);
	cl->port = port;
	cl->len = cl->olen = 0;
	cl->out_msgs = 0;
	cl->active = true;
	cl->reading = true;
	cl->want_out = false;
	cl->slow = false;
	cl->gctx = GSS_C_NO_CONTEXT;
	n->nclients++;
	STAT_SET(n->st.active, n->nclients);
	if (n->nclients > n->st.active_high)
		STAT_SET(n->st.active_high, n->nclients);
	/* With KRB5 a client for the log once its name passed (gss.c). */
	cl->negotiating = n->krb5;
	if (n->krb5)
		n->negotiating++;
	else
		net_client_welcome(n, cl);
	ev.data.u64 = (uint64_t)(cl - n->clients);
	if (epoll_ctl(n->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_warn("net: epoll_ctl");
		net_client_close(n, cl, NET_CL_ERROR);
	}
}

/*
 * No descriptor for a connection (EMFILE): it would wait in the queue and
 * the listener stay readable, epoll returning at once for ever.  The
 * spare descriptor makes room to take it and close it, counted; without
 * one, the listeners are left alone until a descriptor frees
 * (net_listen_retry).
 */
static void
no_descriptor(struct net *n, int lfd)
{
	int fd, err = errno;

	if (log_ratelimit_ok(&n->rl))
		log_warnx("Unable to accept TCP connection: no file "
		    "descriptor left (%s); connections are closed until one "
		    "frees", strerror(err));
	if (n->spare_fd >= 0 && (err == EMFILE || err == ENFILE)) {
		close(n->spare_fd);
		n->spare_fd = -1;
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			close(fd);
			STAT_ADD(n->st.rejected[NET_REJ_ALLOC], 1);
		}
		n->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	/* No spare, or no memory (ENOMEM, ENOBUFS): a second's rest. */
	if (n->spare_fd < 0 || (err != EMFILE && err != ENFILE))
		listeners(n, false);
}

void
net_listen_retry(struct net *n)
{
	if (n->spare_fd < 0)
		n->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (n->spare_fd >= 0)
		listeners(n, true);
}

void
net_accept(struct net *n, int lfd)
{
	unsigned i;

	/* A few a turn: clients already in are read between. */
	for (i = 0; i < 16; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0 && (errno == EMFILE || errno == ENFILE ||
		    errno == ENOMEM || errno == ENOBUFS)) {
			no_descriptor(n, lfd);
			return;
		}
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED &&
			    log_ratelimit_ok(&n->rl))
				log_warn("Unable to accept TCP connection");
			return;
		}
		accept_one(n, fd, &ss);
	}
}

void
net_idle_tick(struct net *n)
{
	unsigned i;

	for (i = 0; i < n->c.max_clients; i++) {
		struct net_client *cl = &n->clients[i];

		if (cl->fd < 0)
			continue;
		/* Silent because we do not read it, or wait for our
		 * replies: not idle. */
		if (!cl->reading || cl->out_msgs > 0)
			cl->active = true;
		if (!cl->active)
			net_client_close(n, cl, NET_CL_IDLE);
		else
			cl->active = false;
	}
}

void
net_negotiation_tick(struct net *n)
{
	unsigned i;

	for (i = 0; i < n->c.max_clients; i++) {
		struct net_client *cl = &n->clients[i];

		if (cl->fd < 0 || !cl->negotiating)
			continue;
		if (cl->slow) {
			log_warnx("TCP session from %52s:%u will be closed, "
			    "error ignored (no security context after %u s)",
			    cl->addr, cl->port, NET_GSS_TICK);
			net_client_close(n, cl, NET_CL_AUTH);
		} else {
			cl->slow = true;
		}
	}
}
