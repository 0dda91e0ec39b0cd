/*
 * bench_parse.h - the C side of the formatting benchmarks
 * (bench_parse_c.c), as bench_parse.cc calls it.  The formatter works on a
 * struct ring_rec, which ring.h defines, and ring.h is C only.
 */
#ifndef RINGAUDIT_BENCH_PARSE_H
#define RINGAUDIT_BENCH_PARSE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ra_bench_fmt;

/* What one pass over every record took, and what it found. */
struct ra_bench_fmt_times {
	uint64_t records;
	uint64_t format_ns;	/* parse_format_record alone */
	uint64_t reset_ns;	/* putting the records back into the slots */
	uint64_t errors;	/* parse_format_record failed */
	uint64_t mismatches;	/* a line other than the reference line */
};

/* enriched: PARSE_FORMAT_ENRICHED with a uid/gid name cache of its own;
 * else PARSE_FORMAT_RAW.  slots: records formatted between two resets. */
int ra_bench_fmt_create(struct ra_bench_fmt **out, int enriched,
    unsigned slots);
void ra_bench_fmt_destroy(struct ra_bench_fmt *b);

/* A log line "[node=N ]type=NAME msg=PAYLOAD" as the replay source reads
 * it (parse_log_line): its type, and where its node and payload are in
 * it.  Returns 0, or parse_log_line's error. */
struct ra_bench_line {
	unsigned type;
	size_t node_off, node_len;	/* node_len 0: no node */
	size_t payload_off;		/* the payload is the rest */
};
int ra_bench_split_line(const char *line, size_t len,
    struct ra_bench_line *out);

/* A record as ingest leaves it: its type, its own node (replayed
 * "node=X" lines; node_len 0 if none) and its payload.  The text is
 * copied. */
int ra_bench_fmt_add(struct ra_bench_fmt *b, unsigned type, const char *node,
    size_t node_len, const char *payload, size_t len);

/*
 * Format every record once, untimed, and keep each line as the reference
 * the timed passes are compared with; this also fills the name cache.
 * Returns 0 or the first error of parse_format_record.
 */
int ra_bench_fmt_prime(struct ra_bench_fmt *b);

/* Record i's reference line ('\n' included). */
const char *ra_bench_fmt_line(const struct ra_bench_fmt *b, size_t i,
    size_t *len);

/* One timed pass over every record, in order; adds to *p. */
void ra_bench_fmt_pass(struct ra_bench_fmt *b, struct ra_bench_fmt_times *p);

/* NSS lookups the name cache made so far (ENRICHED; 0 for RAW). */
uint64_t ra_bench_fmt_nss_calls(const struct ra_bench_fmt *b);

#ifdef __cplusplus
}
#endif

#endif
