/*
 * source.h - inside the ingest stage: the small ops table behind which a
 * record source varies (netlink.c, replay.c), as redis's ae_epoll.c sits
 * behind ae.c.  Not part of the stage's interface.
 */
#ifndef RINGAUDIT_INGEST_SOURCE_H
#define RINGAUDIT_INGEST_SOURCE_H

#include "ingest/ingest.h"

struct ingest_source;

struct ingest_source_ops {
	const char *name;
	int (*open)(struct ingest_source *s, const struct ingest_config *c);
	/*
	 * Receive up to n records into recs[0..n).  The records come back
	 * at the front of the array, in order, with type, len, node_len and
	 * flags set; the rest of the array stays free records.  Blocks up
	 * to timeout_ms (0: not at all) or until wake_fd is readable.
	 * Returns the count, -EAGAIN for none, -ENODATA at the end of the
	 * source, or another negative errno.
	 */
	int (*recv)(struct ingest_source *s, struct ring_rec **recs,
	    unsigned n, int timeout_ms, int wake_fd);
	/* 1 registered (or nothing to register), 0 waiting, <0 refused. */
	int (*ready)(struct ingest_source *s);
	/* Records the kernel still holds for us (>= 0), or -errno; NULL
	 * when none are held for us (multicast): no drain at stop. */
	int (*backlog)(struct ingest_source *s);
	void (*unregister)(struct ingest_source *s);
	void (*close)(struct ingest_source *s);
};

struct ingest_source {
	const struct ingest_source_ops *ops;
	struct ingest_stats *stats;	/* the source counts its errors */
	void *priv;
};

extern const struct ingest_source_ops ingest_netlink_ops;
extern const struct ingest_source_ops ingest_multicast_ops;
extern const struct ingest_source_ops ingest_replay_ops;
extern const struct ingest_source_ops ingest_none_ops;

/* AUDIT_SET on a private socket, waiting for the kernel's answer. */
int ingest_kernel_set(uint32_t mask, uint32_t pid, uint32_t enabled);

#endif
