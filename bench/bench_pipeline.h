/*
 * bench_pipeline.h - the C side of the pipeline benchmark
 * (bench_pipeline_c.c), as bench_pipeline.cc calls it.  pipeline.h
 * includes ring.h, which is C only.
 */
#ifndef RINGAUDIT_BENCH_PIPELINE_H
#define RINGAUDIT_BENCH_PIPELINE_H

#include <stdint.h>

#include "bench_log.h"

#ifdef __cplusplus
extern "C" {
#endif

/* n SYSCALL records as log lines, serials 1..n (bench_log.h). */
int ra_bench_pl_generate(const char *path, unsigned n);

struct ra_bench_pl_result {
	uint64_t run_ns;	/* pl_start until pl_wait returned */
	uint64_t cpu_ns;	/* CPU time of all threads, meanwhile */
	uint64_t received;	/* by ingest */
	uint64_t parsed;	/* by the workers */
	uint64_t written;	/* by the writer */
	uint64_t problems;	/* malformed, truncated, format and write
				 * errors, dropped records */
	uint64_t worker_sleeps;
	uint64_t writer_wakes;
	uint64_t ingest_waits;	/* pool or ring full: ingest waited */
	uint64_t switches;	/* context switches of the process */
	uint64_t formatted_inline;	/* by ingest, for a sleeping worker */
	uint64_t written_inline;	/* ... for the sleeping writer */
	int finished;		/* the replay source reached its end */
	struct ra_bench_log_lines lines;	/* the log, read back */
};

/*
 * Replay 'in' through the whole pipeline (pl_create with INGEST_REPLAY,
 * the daemon's defaults otherwise) into a new log at 'out', with
 * 'workers' parser workers, RAW or ENRICHED; read the log back, remove it.
 */
int ra_bench_pl_run(const char *in, const char *out, unsigned workers,
    int enriched, struct ra_bench_pl_result *res);

/*
 * The same at a low rate: 'recs' records a receive, 'gap_us' apart (the
 * replay source's pace), with ingest helping the sleeping stages
 * (ringauditd.conf inline) or not.
 */
struct ra_bench_pl_pace {
	unsigned recs;
	unsigned gap_us;
	int inline_work;
};

int ra_bench_pl_run_paced(const char *in, const char *out, unsigned workers,
    int enriched, const struct ra_bench_pl_pace *pace,
    struct ra_bench_pl_result *res);

#ifdef __cplusplus
}
#endif

#endif
