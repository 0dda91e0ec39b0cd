/*
 * netlink.c - the kernel as a record source, in one of two modes.
 *
 * Unicast (ingest_netlink_ops): one NETLINK_AUDIT socket (libmnl opens and
 * binds it) registered with the kernel as the audit daemon (AUDIT_SET
 * pid).  Multicast (ingest_multicast_ops): the same socket joins the
 * kernel's AUDIT_NLGRP_READLOG group instead (CAP_AUDIT_READ) and sends
 * the kernel nothing at all, so ringauditd can run beside the registered
 * daemon: kauditd hands every record on its main queue to the group's
 * listeners first, then to the daemon, whether one is registered or not.
 *
 * Records are read with recvmmsg straight into free record slots, many per
 * system call, so no byte is copied between the kernel and the parser.
 * The socket is read without blocking while records keep coming; only
 * when it is empty does the thread poll it, together with ingest's wake
 * eventfd.
 *
 * Kernel facts this copes with: for unicast records the kernel sets
 * nlmsg_len to the payload length, not header plus payload (multicast
 * copies have it right), so the length is taken from what recvmmsg
 * returned; payloads are not NUL-terminated (trailing NULs are trimmed);
 * one datagram carries one record.  Datagrams that do not come from the
 * kernel (nl_pid != 0) are dropped and counted: no other process may
 * forge records into the log.
 *
 * AUDIT_REPLACE datagrams are the kernel probing whether we are alive; they
 * are not records and are not passed on.
 *
 * The answer to the registration (an NLMSG_ERROR carrying 0 or an errno)
 * arrives on the same socket, possibly after the first records; it is
 * consumed here and reported through ready().
 *
 * Loss: the kernel never waits for a multicast listener.  When our
 * receive buffer is full it drops the record, counts it on the socket
 * (SO_MEMINFO's drops), and reports ENOBUFS once; from then on it drops
 * every record until we have emptied the buffer.  ENOBUFS is counted, and
 * when the buffer is empty again the socket's drop count is read into
 * stats->lost and a rate-limited warning says how many were lost.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/audit.h>
#include <linux/sock_diag.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stat.h"
#include "ingest/source.h"

#define NL_BATCH 64

struct nl_source {
	struct mnl_socket *nl;
	int fd;
	uint32_t reg_seq;
	int reg_state;		/* 0 waiting, 1 registered, <0 refused */
	bool registered;
	bool multicast;
	bool overflowed;	/* ENOBUFS seen; drops not yet counted */
	struct ring_spin spin;	/* dozes while records come (ring.h) */
	enum ingest_enable enable;
	struct mmsghdr msgs[NL_BATCH];
	struct iovec iov[NL_BATCH];
	struct sockaddr_nl addr[NL_BATCH];
	struct log_ratelimit rl;
};

static int
nl_register(struct nl_source *ns)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct audit_status s;

	memset(&s, 0, sizeof(s));
	s.mask = AUDIT_STATUS_PID;
	s.pid = (uint32_t)getpid();
	if (ns->enable != INGEST_NOCHANGE) {
		s.mask |= AUDIT_STATUS_ENABLED;
		s.enabled = ns->enable == INGEST_ENABLE ? 1 : 0;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = AUDIT_SET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ns->reg_seq = (uint32_t)time(NULL);
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(s)), &s, sizeof(s));
	if (mnl_socket_sendto(ns->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

/* The socket both modes read: bound, non-blocking, its buffer sized. */
static int
nl_socket(struct ingest_source *s, const struct ingest_config *c)
{
	struct nl_source *ns;
	int rcvbuf = (int)c->rcvbuf;

	ns = calloc(1, sizeof(*ns));
	if (ns == NULL)
		return -ENOMEM;
	ns->enable = c->enable;
	ring_spin_init(&ns->spin, 0);	/* doze only, never spin */
	ns->rl.interval_ns = 10ull * 1000000000u;
	ns->rl.burst = 5;
	s->priv = ns;
	ns->nl = mnl_socket_open2(NETLINK_AUDIT, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (ns->nl == NULL)
		return -errno;
	if (mnl_socket_bind(ns->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	ns->fd = mnl_socket_get_fd(ns->nl);
	/* FORCE lifts the rmem_max cap (we are root); plain as fallback. */
	if (rcvbuf > 0 && setsockopt(ns->fd, SOL_SOCKET, SO_RCVBUFFORCE,
	    &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(ns->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	return 0;
}

static void
nl_free(struct ingest_source *s)
{
	struct nl_source *ns = s->priv;

	if (ns == NULL)
		return;
	if (ns->nl != NULL)
		mnl_socket_close(ns->nl);
	free(ns);
	s->priv = NULL;
}

static int
nl_open(struct ingest_source *s, const struct ingest_config *c)
{
	int rc;

	if ((rc = nl_socket(s, c)) < 0 || (rc = nl_register(s->priv)) < 0) {
		nl_free(s);
		return rc;
	}
	return 0;
}

/*
 * Join the read-only group.  The kernel checks CAP_AUDIT_READ here
 * (-EPERM) and, when audit is enabled, logs the join as an EVENT_LISTENER
 * record (op=connect; op=disconnect when the socket closes).
 */
static int
mc_open(struct ingest_source *s, const struct ingest_config *c)
{
	struct nl_source *ns;
	int grp = AUDIT_NLGRP_READLOG, rc;

	if ((rc = nl_socket(s, c)) < 0)
		goto err;
	ns = s->priv;
	ns->multicast = true;
	if (mnl_socket_setsockopt(ns->nl, NETLINK_ADD_MEMBERSHIP, &grp,
	    sizeof(grp)) < 0) {
		rc = -errno;
		goto err;
	}
	/* Nothing to register: ready() says yes at once. */
	ns->reg_state = 1;
	return 0;
err:
	nl_free(s);
	return rc;
}

/* An answer on the record socket: only the registration's is expected. */
static void
nl_control(struct ingest_source *s, const struct nlmsghdr *nlh, size_t len)
{
	struct nl_source *ns = s->priv;
	const struct nlmsgerr *e;

	if (nlh->nlmsg_type != NLMSG_ERROR || len < sizeof(*e))
		return;
	e = (const struct nlmsgerr *)((const char *)nlh + NLMSG_HDRLEN);
	if (e->msg.nlmsg_seq != ns->reg_seq || ns->reg_state != 0)
		return;
	if (e->error == 0) {
		ns->reg_state = 1;
		ns->registered = true;
	} else {
		ns->reg_state = e->error;
	}
}

static int
nl_wait(struct nl_source *ns, int timeout_ms, int wake_fd)
{
	struct pollfd pfd[2] = {
		{ .fd = ns->fd, .events = POLLIN },
		{ .fd = wake_fd, .events = POLLIN },
	};
	uint64_t v;
	int n;

	n = poll(pfd, wake_fd >= 0 ? 2 : 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (wake_fd >= 0 && (pfd[1].revents & POLLIN)) {
		if (read(wake_fd, &v, sizeof(v)) < 0) {
			/* EAGAIN: another reader emptied it; fine */
		}
	}
	return (pfd[0].revents & (POLLIN | POLLERR)) ? 1 : 0;
}

/*
 * The socket is empty after an overflow, so the kernel delivers again:
 * the drops it counted on the socket are the records lost.
 */
static void
mc_count_drops(struct ingest_source *s)
{
	struct nl_source *ns = s->priv;
	struct ingest_stats *st = s->stats;
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);
	uint64_t before = st->lost;

	ns->overflowed = false;
	memset(mem, 0, sizeof(mem));
	if (getsockopt(ns->fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0 ||
	    len < (SK_MEMINFO_DROPS + 1) * sizeof(mem[0])) {
		if (log_ratelimit_ok(&ns->rl))
			log_warnx("multicast: receive buffer overflow, records "
			    "were lost (%llu times so far; a larger "
			    "netlink_rcvbuf helps)",
			    (unsigned long long)st->enobufs);
		return;
	}
	STAT_SET(st->lost, mem[SK_MEMINFO_DROPS]);
	if (log_ratelimit_ok(&ns->rl))
		log_warnx("multicast: receive buffer overflow, %llu records "
		    "lost (%llu so far, in %llu overflows; a larger "
		    "netlink_rcvbuf helps)",
		    (unsigned long long)(st->lost - before),
		    (unsigned long long)st->lost,
		    (unsigned long long)st->enobufs);
}

static int
nl_recv(struct ingest_source *s, struct ring_rec **recs, unsigned n,
    int timeout_ms, int wake_fd)
{
	struct nl_source *ns = s->priv;
	struct ingest_stats *st = s->stats;
	unsigned i, kept = 0;
	int got;

	if (n > NL_BATCH)
		n = NL_BATCH;
	for (i = 0; i < n; i++) {
		/* The netlink header lands just before the payload's place;
		 * one byte stays free after the payload for the '\n'. */
		ns->iov[i].iov_base = ring_rec_payload(recs[i]) - NLMSG_HDRLEN;
		ns->iov[i].iov_len = NLMSG_HDRLEN + RING_REC_DATA_SIZE -
		    RING_REC_HEADROOM - 1;
		memset(&ns->msgs[i].msg_hdr, 0, sizeof(ns->msgs[i].msg_hdr));
		ns->msgs[i].msg_hdr.msg_iov = &ns->iov[i];
		ns->msgs[i].msg_hdr.msg_iovlen = 1;
		ns->msgs[i].msg_hdr.msg_name = &ns->addr[i];
		ns->msgs[i].msg_hdr.msg_namelen = sizeof(ns->addr[i]);
	}
again:
	for (;;) {
		got = recvmmsg(ns->fd, ns->msgs, n, MSG_DONTWAIT, NULL);
		if (got > 0)
			break;
		if (got < 0 && errno == ENOBUFS) {
			/* The kernel dropped records for us: say so (for
			 * multicast, with the count, once we are empty). */
			STAT_ADD(st->enobufs, 1);
			ns->overflowed = ns->multicast;
			if (!ns->multicast && log_ratelimit_ok(&ns->rl))
				log_warnx("netlink: receive buffer overflow, "
				    "records were lost (%llu times so far)",
				    (unsigned long long)st->enobufs);
			continue;
		}
		if (got < 0 && errno != EAGAIN && errno != EINTR) {
			STAT_ADD(st->sock_errors, 1);
			if (log_ratelimit_ok(&ns->rl))
				log_warn("netlink: recvmmsg");
			return -errno;
		}
		if (ns->overflowed)
			mc_count_drops(s);
		if (timeout_ms == 0)
			return -EAGAIN;
		/* Records came lately: let a few more gather in the socket
		 * rather than be woken by each. */
		if (ring_spin_doze(&ns->spin))
			continue;
		ring_spin_slept(&ns->spin);
		got = nl_wait(ns, timeout_ms, wake_fd);
		if (got <= 0)
			return got < 0 ? got : -EAGAIN;
	}
	ring_spin_found(&ns->spin);
	/* A short batch emptied the socket: the kernel delivers again. */
	if (ns->overflowed && (unsigned)got < n)
		mc_count_drops(s);
	for (i = 0; i < (unsigned)got; i++) {
		struct ring_rec *r = recs[i];
		const struct nlmsghdr *nlh = ns->iov[i].iov_base;
		size_t len = ns->msgs[i].msg_len;
		const char *p;

		if (len < NLMSG_HDRLEN || ns->addr[i].nl_pid != 0) {
			STAT_ADD(st->sock_errors, 1);
			continue;
		}
		len -= NLMSG_HDRLEN;
		if (nlh->nlmsg_type == NLMSG_ERROR ||
		    nlh->nlmsg_type == NLMSG_DONE ||
		    nlh->nlmsg_type == NLMSG_NOOP) {
			nl_control(s, nlh, len);
			continue;
		}
		/* The kernel's "are you alive" probe, sent to the registered
		 * daemon when another process sets the pid; not a record,
		 * and auditd does not log it. */
		if (nlh->nlmsg_type == AUDIT_REPLACE)
			continue;
		if (ns->msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
			STAT_ADD(st->truncated, 1);
		p = ring_rec_payload(r);
		while (len > 0 && p[len - 1] == '\0')
			len--;
		r->type = nlh->nlmsg_type;
		r->len = (uint32_t)len;
		r->flags = 0;
		r->node_len = 0;
		/* Keep records at the front, in arrival order. */
		if (kept != i) {
			recs[i] = recs[kept];
			recs[kept] = r;
		}
		kept++;
	}
	/* Only answers and probes: the socket may hold records still. */
	if (kept == 0)
		goto again;
	return (int)kept;
}

static int
nl_ready(struct ingest_source *s)
{
	struct nl_source *ns = s->priv;

	return ns->reg_state;
}

static int
nl_backlog(struct ingest_source *s)
{
	struct ingest_kstatus ks;
	int rc;

	(void)s;
	rc = ingest_kernel_status(&ks);
	return rc < 0 ? rc : (int)ks.backlog;
}

static void
nl_unregister(struct ingest_source *s)
{
	struct nl_source *ns = s->priv;
	int rc;

	if (ns == NULL || !ns->registered)
		return;
	rc = ingest_kernel_set(AUDIT_STATUS_PID, 0, 0);
	if (rc < 0) {
		errno = -rc;
		log_warn("netlink: unregistering as the audit daemon");
	}
	ns->registered = false;
}

static void
nl_close(struct ingest_source *s)
{
	struct nl_source *ns = s->priv;

	if (ns == NULL)
		return;
	if (ns->overflowed)
		mc_count_drops(s);
	nl_unregister(s);
	nl_free(s);
}

const struct ingest_source_ops ingest_netlink_ops = {
	.name = "netlink",
	.open = nl_open,
	.recv = nl_recv,
	.ready = nl_ready,
	.backlog = nl_backlog,
	.unregister = nl_unregister,
	.close = nl_close,
};

/* No backlog: the kernel's queue is the registered daemon's, not ours. */
const struct ingest_source_ops ingest_multicast_ops = {
	.name = "multicast",
	.open = mc_open,
	.recv = nl_recv,
	.ready = nl_ready,
	.backlog = NULL,
	.unregister = nl_unregister,	/* nothing registered: a no-op */
	.close = nl_close,
};
