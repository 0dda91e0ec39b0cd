/*
 * bench_writer.h - the C side of the writer benchmark (bench_writer_c.c),
 * as bench_writer.cc calls it.  writer.h includes ring.h, which is C only.
 */
#ifndef RINGAUDIT_BENCH_WRITER_H
#define RINGAUDIT_BENCH_WRITER_H

#include <stdint.h>

#include "bench_log.h"

#ifdef __cplusplus
extern "C" {
#endif

/* enum wr_flush, in its order. */
enum ra_bench_flush {
	RA_BENCH_FLUSH_NONE,
	RA_BENCH_FLUSH_INCREMENTAL,
	RA_BENCH_FLUSH_INCREMENTAL_ASYNC,
	RA_BENCH_FLUSH_DATA,
	RA_BENCH_FLUSH_SYNC,
};

struct ra_bench_wr_result {
	/* From wr_start until every record was written (none, incremental,
	 * incremental_async) or durable (data, sync): the figure. */
	uint64_t done_ns;
	/* Until wr_join returned: the end-of-stream fsync included. */
	uint64_t join_ns;
	uint64_t done_count;	/* records in done_ns's histogram */
	uint64_t written;
	uint64_t bytes;
	uint64_t writes;
	uint64_t syncs;
	uint64_t errors;	/* write, sync errors and dropped records */
	uint64_t buffer_waits;
	int leftover;		/* records not back on the free ring */
	struct ra_bench_log_lines lines;	/* the file, read back */
};

struct ra_bench_wr;

int ra_bench_wr_create(struct ra_bench_wr **out);
void ra_bench_wr_destroy(struct ra_bench_wr *b);

/*
 * One writer on a new file at 'path': n records pushed as a parser worker
 * pushes them, then end of stream, join, read the file back, remove it.
 * Returns 0, or -errno if the writer could not be made.
 */
int ra_bench_wr_run(struct ra_bench_wr *b, const char *path,
    enum ra_bench_flush flush, unsigned freq, unsigned n,
    struct ra_bench_wr_result *res);

#ifdef __cplusplus
}
#endif

#endif
