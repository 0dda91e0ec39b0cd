/*
 * fuzz_replay.c - a replayed file (ringauditd --replay): the input is the
 * whole file, log lines or netlink frames as replay.c tells them apart.
 * The replay source itself reads it (its ops table, as ingest drives it,
 * without ingest's threads and rings), and every record it yields goes on
 * as ingest and a parser worker take it: parse_header for the serial, then
 * parse_format_record, RAW and ENRICHED by turns, with and without a
 * configured node.  ENRICHED runs without a name cache: uid and gid names
 * would ask NSS.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/source.h"
#include "parse/parse.h"
#include "ring/ring.h"

#include "fuzz_util.h"

#define BATCH 8

static struct ring_rec *recs[BATCH];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned i;

	(void)argc;
	(void)argv;
	fuzz_init(NULL, "replay.log");
	for (i = 0; i < BATCH; i++)
		if ((recs[i] = calloc(1, sizeof(*recs[i]))) == NULL)
			abort();
	return 0;
}

/* What ingest's dispatch and a worker do with one record. */
static void
format(struct ring_rec *r, unsigned k)
{
	struct parse_opts o = { .format = PARSE_FORMAT_RAW };
	struct parse_hdr h;

	r->line_off = r->line_len = r->v0_len = 0;
	if (parse_header(ring_rec_payload(r), r->len, &h) == 0)
		r->serial = h.serial;
	else
		r->flags |= RING_REC_NOHDR;
	if (k & 1)
		o.format = PARSE_FORMAT_ENRICHED;
	if (k & 2) {
		o.node = "fuzz-node";
		o.node_len = strlen(o.node);
	}
	if (parse_format_record(r, &o) == 0 &&
	    !(r->flags & RING_REC_SKIP) &&
	    ((size_t)r->line_off + r->line_len > RING_REC_DATA_SIZE ||
	    r->line_len == 0 ||
	    r->data[r->line_off + r->line_len - 1] != '\n'))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_config c = { .kind = INGEST_REPLAY,
	    .replay_path = fuzz_path };
	struct ingest_stats st;
	struct ingest_source s = { .ops = &ingest_replay_ops, .stats = &st };
	unsigned k = 0;
	int i, n;

	memset(&st, 0, sizeof(st));
	fuzz_write(data, size);
	if (s.ops->open(&s, &c) < 0)
		abort();
	while ((n = s.ops->recv(&s, recs, BATCH, 0, -1)) > 0) {
		if (n > BATCH)
			abort();
		for (i = 0; i < n; i++) {
			if (recs[i]->len > RING_REC_PAYLOAD_MAX ||
			    recs[i]->node_len > RING_REC_NODE_MAX)
				abort();
			format(recs[i], k++);
		}
	}
	if (n != -ENODATA)
		abort();
	s.ops->close(&s);
	return 0;
}
