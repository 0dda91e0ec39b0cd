/*
 * drain.c - --drain: ringaudit-bench itself as the audit daemon, reading
 * records as fast as it can and keeping none, which shows how fast the
 * kernel can hand records over on this machine with nothing written.
 *
 * One socket, registered with AUDIT_SET pid (kaudit.c), with a large
 * receive buffer (SO_RCVBUFFORCE).  One thread reads it with recvmmsg,
 * DRAIN_BATCH datagrams per call (MSG_WAITFORONE: it blocks for the
 * first only), and per record looks at the type only; a SYSCALL record is
 * searched for the rule's key and its time stamp read, for the run's
 * window (see count.c).  The socket's 100 ms receive timeout is how the
 * thread notices it should stop.
 *
 * The counters are the thread's, published with relaxed stores: they are
 * figures read while it runs, and the final ones after pthread_join.  Its
 * CPU time comes from its own thread clock.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "bench.h"

#define DRAIN_BATCH 128
#define DRAIN_MSG 9000		/* MAX_AUDIT_MESSAGE_LENGTH 8970, and more */

struct rb_drain {
	struct rb_kdaemon kd;
	pthread_t tid;
	clockid_t cpu_clock;
	bool stop;			/* atomic */
	uint64_t window_ms;		/* atomic */
	uint64_t events, stale, records, enobufs, last_event_ns; /* atomic */
	bool registered;
	char needle[320];
	size_t needlelen;
	struct mmsghdr msgs[DRAIN_BATCH];
	struct iovec iov[DRAIN_BATCH];
	struct sockaddr_nl addr[DRAIN_BATCH];
	char *bufs;
};

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* "audit(SEC.MS:" at the start of the payload: the time in ms, or 0. */
static uint64_t
stamp_ms(const char *p, size_t len)
{
	const char *end = p + len;
	uint64_t sec = 0, ms = 0;

	if (len < 8 || memcmp(p, "audit(", 6) != 0)
		return 0;
	for (p += 6; p < end && *p >= '0' && *p <= '9'; p++)
		sec = sec * 10 + (uint64_t)(*p - '0');
	if (p >= end || *p++ != '.')
		return 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		ms = ms * 10 + (uint64_t)(*p - '0');
	return sec * 1000 + ms;
}

static void *
drain_main(void *arg)
{
	struct rb_drain *d = arg;
	uint64_t events = 0, stale = 0, records = 0, enobufs = 0;
	int got, i;

	while (!__atomic_load_n(&d->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < DRAIN_BATCH; i++) {
			d->msgs[i].msg_hdr.msg_namelen = sizeof(d->addr[i]);
			d->msgs[i].msg_hdr.msg_flags = 0;
		}
		got = recvmmsg(d->kd.fd, d->msgs, DRAIN_BATCH, MSG_WAITFORONE,
		    NULL);
		if (got < 0) {
			if (errno == ENOBUFS)
				__atomic_store_n(&d->enobufs, ++enobufs,
				    __ATOMIC_RELAXED);
			continue;	/* EAGAIN: the timeout; EINTR */
		}
		for (i = 0; i < got; i++) {
			const struct nlmsghdr *nlh = d->iov[i].iov_base;
			size_t len = d->msgs[i].msg_len;
			const char *p;
			uint64_t ms;

			if (len < NLMSG_HDRLEN || d->addr[i].nl_pid != 0 ||
			    nlh->nlmsg_type < AUDIT_FIRST_USER_MSG)
				continue;	/* answers, probes */
			records++;
			if (nlh->nlmsg_type != AUDIT_SYSCALL)
				continue;
			/* nlmsg_len is the payload's length for records:
			 * take the length recvmmsg gave. */
			p = (const char *)nlh + NLMSG_HDRLEN;
			len -= NLMSG_HDRLEN;
			if (memmem(p, len, d->needle, d->needlelen) == NULL)
				continue;
			ms = stamp_ms(p, len);
			/* Relaxed: the window changes between runs only,
			 * after the kernel's backlog was seen empty. */
			if (ms < __atomic_load_n(&d->window_ms,
			    __ATOMIC_RELAXED)) {
				stale++;
				continue;
			}
			events++;
			/* Relaxed: figures for the main thread's polls. */
			__atomic_store_n(&d->last_event_ns, mono_ns(),
			    __ATOMIC_RELAXED);
		}
		__atomic_store_n(&d->events, events, __ATOMIC_RELAXED);
		__atomic_store_n(&d->stale, stale, __ATOMIC_RELAXED);
		__atomic_store_n(&d->records, records, __ATOMIC_RELAXED);
	}
	return NULL;
}

int
rb_drain_start(struct rb_drain **out, const char *key, unsigned rcvbuf)
{
	struct rb_drain *d;
	uint64_t early;
	int i, rc;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->bufs = malloc((size_t)DRAIN_BATCH * DRAIN_MSG);
	if (d->bufs == NULL) {
		free(d);
		return -ENOMEM;
	}
	d->needlelen = (size_t)snprintf(d->needle, sizeof(d->needle),
	    "key=\"%s\"", key);
	for (i = 0; i < DRAIN_BATCH; i++) {
		d->iov[i].iov_base = d->bufs + (size_t)i * DRAIN_MSG;
		d->iov[i].iov_len = DRAIN_MSG;
		d->msgs[i].msg_hdr.msg_iov = &d->iov[i];
		d->msgs[i].msg_hdr.msg_iovlen = 1;
		d->msgs[i].msg_hdr.msg_name = &d->addr[i];
	}
	rc = rb_k_register(&d->kd, rcvbuf, 2000, &early);
	if (rc < 0)
		goto err;
	d->registered = true;
	d->records = early;
	rc = pthread_create(&d->tid, NULL, drain_main, d);
	if (rc != 0) {
		rc = -rc;
		goto err;
	}
	if (pthread_getcpuclockid(d->tid, &d->cpu_clock) != 0)
		d->cpu_clock = (clockid_t)-1;
	*out = d;
	return 0;
err:
	if (d->registered)
		rb_k_unregister();
	rb_k_close(&d->kd);
	free(d->bufs);
	free(d);
	return rc;
}

void
rb_drain_window(struct rb_drain *d, uint64_t from_ms)
{
	__atomic_store_n(&d->window_ms, from_ms, __ATOMIC_RELAXED);
}

void
rb_drain_get(struct rb_drain *d, struct rb_drain_counts *c)
{
	struct timespec ts;

	c->events = __atomic_load_n(&d->events, __ATOMIC_RELAXED);
	c->stale = __atomic_load_n(&d->stale, __ATOMIC_RELAXED);
	c->records = __atomic_load_n(&d->records, __ATOMIC_RELAXED);
	c->enobufs = __atomic_load_n(&d->enobufs, __ATOMIC_RELAXED);
	c->last_event_ns = __atomic_load_n(&d->last_event_ns,
	    __ATOMIC_RELAXED);
	c->cpu_s = -1;
	if (d->cpu_clock != (clockid_t)-1 &&
	    clock_gettime(d->cpu_clock, &ts) == 0)
		c->cpu_s = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
rb_drain_stop(struct rb_drain *d)
{
	if (d == NULL)
		return;
	/* Relaxed: the thread sees it within its 100 ms receive timeout. */
	__atomic_store_n(&d->stop, true, __ATOMIC_RELAXED);
	pthread_join(d->tid, NULL);
	if (d->registered)
		rb_k_unregister();
	rb_k_close(&d->kd);
	free(d->bufs);
	free(d);
}
