/*
 * hist.h - a fixed-size log-linear latency histogram (nanoseconds): 8
 * sub-buckets per power of two, so any value is kept within 12.5%.  No
 * allocation; one writer, readers copy it after the writer stopped or
 * accept a torn view.
 */
#ifndef RINGAUDIT_HIST_H
#define RINGAUDIT_HIST_H

#include <stdint.h>

#define HIST_SUB 8
#define HIST_BUCKETS (64 * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum;
	uint64_t max;
	uint64_t b[HIST_BUCKETS];
};

void hist_add(struct hist *h, uint64_t v);
/* Value at quantile q (0..1): the upper bound of its bucket. */
uint64_t hist_quantile(const struct hist *h, double q);
/* Values counted in buckets that lie wholly at or below v: a lower bound
 * of the values <= v, short by at most the one bucket v falls in. */
uint64_t hist_count_le(const struct hist *h, uint64_t v);

#endif
