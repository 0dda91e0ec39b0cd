/*
 * hist.c - see hist.h.  Bucket index: for v < 8, v itself; otherwise the
 * position of the top bit picks the power of two and the next three bits
 * the sub-bucket.
 */
#include "common/hist.h"
#include "common/stat.h"

static unsigned
bucket(uint64_t v)
{
	unsigned top;

	if (v < HIST_SUB)
		return (unsigned)v;
	top = 63u - (unsigned)__builtin_clzll(v);
	return (top - 2u) * HIST_SUB +
	    (unsigned)((v >> (top - 3u)) & (HIST_SUB - 1));
}

static uint64_t
bucket_upper(unsigned i)
{
	unsigned top, sub;

	if (i < HIST_SUB)
		return i;
	top = i / HIST_SUB + 2u;
	sub = i % HIST_SUB;
	if (top >= 63)
		return UINT64_MAX;
	return ((uint64_t)(HIST_SUB + sub + 1) << (top - 3u)) - 1;
}

void
hist_add(struct hist *h, uint64_t v)
{
	/* One thread adds; the state report reads (common/stat.h). */
	STAT_ADD(h->b[bucket(v)], 1);
	STAT_ADD(h->count, 1);
	STAT_ADD(h->sum, v);
	if (v > h->max)
		STAT_SET(h->max, v);
}

uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t want, seen = 0;
	unsigned i;

	if (h->count == 0)
		return 0;
	want = (uint64_t)(q * (double)h->count);
	if (want >= h->count)
		want = h->count - 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen > want) {
			uint64_t u = bucket_upper(i);

			return u < h->max ? u : h->max;
		}
	}
	return h->max;
}

uint64_t
hist_count_le(const struct hist *h, uint64_t v)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < HIST_BUCKETS && bucket_upper(i) <= v; i++)
		n += h->b[i];
	return n;
}
