/*
 * writer.h - the pipeline's last stage: one thread that takes formatted
 * records from the W worker rings in ingest order, copies them into large
 * write buffers, and writes them with io_uring at explicit offsets,
 * honouring auditd's flush/freq settings with group commit.  Records go
 * back to ingest on the free ring as soon as their bytes are copied.
 */
#ifndef RINGAUDIT_WRITER_H
#define RINGAUDIT_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/hist.h"
#include "ring/ring.h"

enum wr_flush {
	WR_FLUSH_NONE,
	WR_FLUSH_INCREMENTAL,		/* fdatasync every freq, waited for */
	WR_FLUSH_INCREMENTAL_ASYNC,	/* fdatasync every freq, not waited */
	WR_FLUSH_DATA,			/* every record fdatasync'd: groups */
	WR_FLUSH_SYNC,			/* every record fsync'd: groups */
};

enum wr_output {
	WR_OUT_FILE,		/* the log file at 'path' */
	WR_OUT_FD,		/* an open stream (stderr, for -f): no syncs */
	WR_OUT_DISCARD,		/* write_logs = no */
};

struct wr_config {
	enum wr_output output;
	const char *path;		/* WR_OUT_FILE */
	int fd;				/* WR_OUT_FD */
	gid_t log_group;
	enum wr_flush flush;
	unsigned freq;
	unsigned batch_bytes;		/* one write buffer */
	unsigned nbufs;			/* write buffers, 2..64 */

	struct ring *from_worker;	/* W rings, the writer consumes */
	unsigned workers;
	struct ring *free_ring;		/* records back to ingest */
	struct ring_waiter *self;	/* the writer's waiter (eventfd) */
};

struct wr_stats {
	uint64_t records;	/* taken from the rings (EOS not counted) */
	uint64_t skipped;	/* not logged by rule (EOE) */
	uint64_t written;	/* their write completed */
	uint64_t durable;	/* a sync covering them completed */
	uint64_t bytes;
	uint64_t writes;	/* write requests completed */
	uint64_t short_writes;
	uint64_t syncs;
	uint64_t write_errors;
	uint64_t sync_errors;
	uint64_t dropped;	/* not written: logging was suspended */
	uint64_t waits;		/* times the writer slept */
	uint64_t buffer_waits;	/* no free write buffer: stopped pulling */
	struct hist lat_written;	/* receive -> written, ns */
	struct hist lat_durable;	/* receive -> durable, ns (data, sync) */
};

struct wr;

/* Opens (creates) the log file with auditd's modes; -errno on failure. */
int wr_create(struct wr **out, const struct wr_config *c);
void wr_destroy(struct wr *w);
int wr_start(struct wr *w);
/* Returns once every worker's end-of-stream record went through. */
int wr_join(struct wr *w);
void wr_get_stats(struct wr *w, struct wr_stats *st);

#endif
