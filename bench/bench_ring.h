/*
 * bench_ring.h - the C side of the ring benchmark (bench_ring_c.c), as the
 * C++ harness (bench_ring.cc) calls it.  ring.h itself is C only.
 */
#ifndef RINGAUDIT_BENCH_RING_H
#define RINGAUDIT_BENCH_RING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ra_bench_ring_stats {
	uint64_t items;
	uint64_t full_waits;
	uint64_t consumer_sleeps;
	uint64_t producer_sleeps;
	uint64_t out_of_order;
};

struct ra_bench_ring;

/* The calling thread becomes the producer (pinned to prod_cpu if >= 0). */
struct ra_bench_ring *ra_bench_ring_create(unsigned size, int prod_cpu,
    int cons_cpu);
void ra_bench_ring_push(struct ra_bench_ring *b, uint64_t n);
/* Ends the stream, joins the consumer, fills st, frees b. */
void ra_bench_ring_destroy(struct ra_bench_ring *b,
    struct ra_bench_ring_stats *st);

#ifdef __cplusplus
}
#endif

#endif
