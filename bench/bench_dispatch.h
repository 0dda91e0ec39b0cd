/*
 * bench_dispatch.h - the C side of the dispatcher benchmark
 * (bench_dispatch_c.c), as bench_dispatch.cc calls it.  dispatch.h
 * includes ring.h, which is C only.
 */
#ifndef RINGAUDIT_BENCH_DISPATCH_H
#define RINGAUDIT_BENCH_DISPATCH_H

#include <stdint.h>

#include "bench_log.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ra_bench_disp_result {
	uint64_t run_ns;	/* first record fed until the plugin's file
				 * held every byte */
	uint64_t disp_cpu_ns;	/* the dispatch thread's CPU, meanwhile */
	uint64_t feed_cpu_ns;	/* the feeding thread's (this one) */
	uint64_t plugin_cpu_ns;	/* the plugin's, from its start to its exit */
	uint64_t feed_sleeps;	/* the feeder waited for the plugin */
	uint64_t offered;	/* the dispatcher's figures for the plugin */
	uint64_t delivered;
	uint64_t dropped;
	uint64_t feed_lost;
	uint64_t helped;	/* taken on the feeder's thread (disp_help) */
	int timed_out;		/* the file never held every byte */
	struct ra_bench_log_lines lines;	/* the plugin's file, read back */
};

struct ra_bench_disp;

/*
 * n SYSCALL lines, serials 1..n, and a plugins.d in 'dir' with one plugin
 * (a root-owned script: exec cat > dir/plugin.out).  -errno on failure.
 */
int ra_bench_disp_create(struct ra_bench_disp **out, const char *dir,
    unsigned n);
void ra_bench_disp_destroy(struct ra_bench_disp *b);

/*
 * One dispatcher with that plugin, q_depth records: every line fed as the
 * writer feeds it, never more than q_depth / 2 of them on their way to
 * the plugin's file; then stop, the figures, the file checked and
 * removed.  LENT: after each batch the feeder does the dispatcher's
 * round itself while the dispatch thread sleeps (disp_help), as ingest
 * does inline, rather than wake it.  0, or -errno if the dispatcher could
 * not be made.
 */
int ra_bench_disp_run(struct ra_bench_disp *b, unsigned q_depth, int lent,
    struct ra_bench_disp_result *res);

#ifdef __cplusplus
}
#endif

#endif
