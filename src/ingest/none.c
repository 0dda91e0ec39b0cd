/*
 * none.c - the source of a daemon that takes nothing from the kernel
 * (local_events = no: a log server for remote clients only).  It never
 * opens a NETLINK_AUDIT socket, so it never registers, never sets the
 * kernel's flags and needs no capability for it; its records all come
 * through ingest's message inbox.  recv only sleeps until ingest is
 * woken (a message, an injected record, the stop).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <unistd.h>

#include "ingest/source.h"

static int
none_open(struct ingest_source *s, const struct ingest_config *c)
{
	(void)s;
	(void)c;
	return 0;
}

static int
none_recv(struct ingest_source *s, struct ring_rec **recs, unsigned n,
    int timeout_ms, int wake_fd)
{
	struct pollfd pfd = { .fd = wake_fd, .events = POLLIN };
	uint64_t v;

	(void)s;
	(void)recs;
	(void)n;
	if (wake_fd >= 0 && poll(&pfd, 1, timeout_ms) > 0 &&
	    read(wake_fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: another read took it */
	}
	return -EAGAIN;
}

static int
none_ready(struct ingest_source *s)
{
	(void)s;
	return 1;
}

static void
none_nothing(struct ingest_source *s)
{
	(void)s;
}

const struct ingest_source_ops ingest_none_ops = {
	.name = "none",
	.open = none_open,
	.recv = none_recv,
	.ready = none_ready,
	.backlog = NULL,
	.unregister = none_nothing,
	.close = none_nothing,
};
