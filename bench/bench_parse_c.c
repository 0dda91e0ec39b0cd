/*
 * bench_parse_c.c - the C half of bench_parse.cc's formatting benchmarks.
 *
 * parse_format_record works in place on a record slot (struct ring_rec,
 * ring.h, which C++ cannot include) and changes it: it writes the prefix
 * into the headroom, moves a replayed node, turns '\n' in the payload into
 * spaces and appends the ENRICHED text.  So before every format the slot
 * is put back as ingest leaves it (type, flags, length, node, payload
 * copy).  A pass takes the records in chunks of as many slots as the
 * benchmark has: reset the chunk, format it, compare it.  Only the format
 * step is counted as its figure; the reset is timed apart, so the copy is
 * reported and not hidden in it; the comparison is not timed.  Each step
 * is bracketed by clock_mono_ns, so the format figure carries one clock
 * read per chunk (a few ns per record over a chunk of 32).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "parse/parse.h"
#include "ring/ring.h"
#include "bench_parse.h"

struct fmt_rec {
	unsigned type;
	uint16_t node_len;
	char node[RING_REC_NODE_MAX];
	char *payload;
	size_t len;
	char *ref;		/* the line of the priming pass */
	size_t ref_len;
};

struct ra_bench_fmt {
	struct ring_pool pool;	/* the slots, made as the daemon does */
	struct parse_opts opts;
	struct fmt_rec *recs;
	size_t n, cap;
};

int
ra_bench_fmt_create(struct ra_bench_fmt **out, int enriched, unsigned slots)
{
	struct ra_bench_fmt *b;
	int rc;

	if ((rc = parse_init()) < 0)
		return rc;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -ENOMEM;
	if ((rc = ring_pool_create(&b->pool, slots)) < 0) {
		free(b);
		return rc;
	}
	b->opts.format = enriched ? PARSE_FORMAT_ENRICHED : PARSE_FORMAT_RAW;
	if (enriched && (rc = parse_names_create(&b->opts.names,
	    PARSE_NAMES_ENTRIES_DEFAULT, NULL, NULL)) < 0) {
		ring_pool_destroy(&b->pool);
		free(b);
		return rc;
	}
	*out = b;
	return 0;
}

void
ra_bench_fmt_destroy(struct ra_bench_fmt *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->recs[i].payload);
		free(b->recs[i].ref);
	}
	free(b->recs);
	if (b->opts.names != NULL)
		parse_names_destroy(b->opts.names);
	ring_pool_destroy(&b->pool);
	free(b);
}

int
ra_bench_split_line(const char *line, size_t len, struct ra_bench_line *out)
{
	struct ring_rec *r = malloc(sizeof(*r));
	int rc;

	if (r == NULL)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	rc = parse_log_line(r, line, len);
	if (rc == 0) {
		out->type = r->type;
		out->node_len = r->node_len;
		out->node_off = r->node_len > 0 ? sizeof("node=") - 1 : 0;
		out->payload_off = len - r->len;
	}
	free(r);
	return rc;
}

int
ra_bench_fmt_add(struct ra_bench_fmt *b, unsigned type, const char *node,
    size_t node_len, const char *payload, size_t len)
{
	struct fmt_rec *fr;

	if (type > UINT16_MAX || node_len > RING_REC_NODE_MAX ||
	    len > RING_REC_PAYLOAD_MAX)
		return -EINVAL;
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		struct fmt_rec *p = realloc(b->recs, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		b->recs = p;
		b->cap = cap;
	}
	fr = &b->recs[b->n];
	memset(fr, 0, sizeof(*fr));
	if ((fr->payload = malloc(len + 1)) == NULL)
		return -ENOMEM;
	memcpy(fr->payload, payload, len);
	fr->len = len;
	fr->type = type;
	fr->node_len = (uint16_t)node_len;
	memcpy(fr->node, node, node_len);
	b->n++;
	return 0;
}

/* The slot as ingest leaves it: what the formatter reads and changes. */
static inline void
reset(struct ring_rec *r, const struct fmt_rec *fr)
{
	r->type = (uint16_t)fr->type;
	r->flags = fr->node_len > 0 ? RING_REC_NODE : 0;
	r->len = (uint32_t)fr->len;
	r->node_len = fr->node_len;
	memcpy(r->data, fr->node, fr->node_len);
	memcpy(ring_rec_payload(r), fr->payload, fr->len);
}

static inline bool
same(const struct ring_rec *r, const struct fmt_rec *fr)
{
	return r->line_len == fr->ref_len &&
	    memcmp(r->data + r->line_off, fr->ref, fr->ref_len) == 0;
}

int
ra_bench_fmt_prime(struct ra_bench_fmt *b)
{
	struct ring_rec *r = &b->pool.recs[0];
	size_t i;
	int rc;

	for (i = 0; i < b->n; i++) {
		struct fmt_rec *fr = &b->recs[i];

		reset(r, fr);
		if ((rc = parse_format_record(r, &b->opts)) < 0)
			return rc;
		free(fr->ref);
		if ((fr->ref = malloc(r->line_len)) == NULL)
			return -ENOMEM;
		memcpy(fr->ref, r->data + r->line_off, r->line_len);
		fr->ref_len = r->line_len;
	}
	return 0;
}

const char *
ra_bench_fmt_line(const struct ra_bench_fmt *b, size_t i, size_t *len)
{
	*len = b->recs[i].ref_len;
	return b->recs[i].ref;
}

void
ra_bench_fmt_pass(struct ra_bench_fmt *b, struct ra_bench_fmt_times *p)
{
	struct ring_rec *slots = b->pool.recs;
	size_t i, j, k;

	for (i = 0; i < b->n; i += k) {
		uint64_t t0, t1, t2;

		k = b->n - i < b->pool.n ? b->n - i : b->pool.n;
		t0 = clock_mono_ns();
		for (j = 0; j < k; j++)
			reset(&slots[j], &b->recs[i + j]);
		t1 = clock_mono_ns();
		for (j = 0; j < k; j++)
			if (parse_format_record(&slots[j], &b->opts) < 0)
				p->errors++;
		t2 = clock_mono_ns();
		for (j = 0; j < k; j++)
			if (!same(&slots[j], &b->recs[i + j]))
				p->mismatches++;
		p->reset_ns += t1 - t0;
		p->format_ns += t2 - t1;
	}
	p->records += b->n;
}

uint64_t
ra_bench_fmt_nss_calls(const struct ra_bench_fmt *b)
{
	struct parse_names_stats st;

	if (b->opts.names == NULL)
		return 0;
	parse_names_get_stats(b->opts.names, &st);
	return st.nss_calls;
}
