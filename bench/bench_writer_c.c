/*
 * bench_writer_c.c - the C half of bench_writer.cc: the writer thread
 * alone, fed as tests/writer/test_writer.c feeds it.  This thread plays
 * ingest and one parser worker: it takes free records (spin, announce,
 * re-check, sleep), writes a formatted SYSCALL line into each, pushes them
 * on the worker ring with ring_push_wait and wakes the writer once per 64,
 * as a worker does, and ends the stream with an EOS record.  Sizes are the
 * daemon's defaults (pipeline.c): 4096 records, rings of 1024, eight
 * write buffers of 256 KiB.
 *
 * The time a run takes is read from the writer's own histograms: every
 * record is stamped with the run's start as its receive time, so the
 * largest receive->written latency is the moment the last record's write
 * completed, and the largest receive->durable one (data, sync) the moment
 * the last group commit completed.  That leaves out the fsync the writer
 * makes at end of stream in every mode, which the daemon pays once, at
 * stop; wr_join's time, which has it, is returned too.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ck_pr.h>

#include "common/log.h"
#include "ring/ring.h"
#include "writer/writer.h"
#include "bench_writer.h"

#define POOL_RECS 4096
#define WORKER_RING 1024
#define PUSH_BATCH 64		/* parse/worker.c's WORKER_BATCH */
#define FREE_SPINS 64
#define BATCH_BYTES (256u << 10)
#define NBUFS 8

_Static_assert((int)RA_BENCH_FLUSH_NONE == (int)WR_FLUSH_NONE &&
    (int)RA_BENCH_FLUSH_INCREMENTAL == (int)WR_FLUSH_INCREMENTAL &&
    (int)RA_BENCH_FLUSH_INCREMENTAL_ASYNC ==
    (int)WR_FLUSH_INCREMENTAL_ASYNC &&
    (int)RA_BENCH_FLUSH_DATA == (int)WR_FLUSH_DATA &&
    (int)RA_BENCH_FLUSH_SYNC == (int)WR_FLUSH_SYNC,
    "enum ra_bench_flush is enum wr_flush");

struct ra_bench_wr {
	struct ring_pool pool;
	struct ring free_ring;		/* consumer: free_w (ours) */
	struct ring from_worker;	/* consumer writer_w, producer prod_w */
	struct ring_waiter free_w;
	struct ring_waiter prod_w;
	struct ring_waiter writer_w;	/* the writer's (eventfd) */
	unsigned batch;			/* pushed since the last wake */
};

int
ra_bench_wr_create(struct ra_bench_wr **out)
{
	struct ra_bench_wr *b = ring_calloc(1, sizeof(*b));
	unsigned i;
	int rc;

	if (b == NULL)
		return -ENOMEM;
	/* Futex waiters: nothing to fail. */
	ring_waiter_init(&b->free_w, false);
	ring_waiter_init(&b->prod_w, false);
	if ((rc = ring_pool_create(&b->pool, POOL_RECS)) < 0)
		goto err_free;
	if ((rc = ring_init(&b->free_ring, POOL_RECS, &b->free_w, NULL)) < 0 ||
	    (rc = ring_init(&b->from_worker, WORKER_RING, &b->writer_w,
	    &b->prod_w)) < 0)
		goto err_pool;
	/* As ingest does: every record starts on the free ring. */
	for (i = 0; i < POOL_RECS; i++)
		if (!ring_trypush(&b->free_ring, &b->pool.recs[i])) {
			rc = -ENOSPC;
			goto err_pool;
		}
	*out = b;
	return 0;
err_pool:
	ring_fini(&b->free_ring);	/* takes a zeroed ring */
	ring_fini(&b->from_worker);
	ring_pool_destroy(&b->pool);
err_free:
	free(b);
	return rc;
}

void
ra_bench_wr_destroy(struct ra_bench_wr *b)
{
	if (b == NULL)
		return;
	ring_fini(&b->free_ring);
	ring_fini(&b->from_worker);
	ring_waiter_fini(&b->free_w);
	ring_waiter_fini(&b->prod_w);
	ring_pool_destroy(&b->pool);
	free(b);
}

/* A free record, as ingest takes one. */
static struct ring_rec *
get_free(struct ra_bench_wr *b)
{
	unsigned spins = 0;

	for (;;) {
		struct ring_rec *r;
		uint32_t epoch;

		if (ring_trypop(&b->free_ring, &r))
			return r;
		if (spins++ < FREE_SPINS) {
			ck_pr_stall();
			continue;
		}
		spins = 0;
		/* The writer may be asleep on what we pushed so far. */
		ring_waiter_wake(b->from_worker.consumer);
		b->batch = 0;
		epoch = ring_waiter_prepare(&b->free_w);
		if (ring_count(&b->free_ring) > 0) {
			ring_waiter_cancel(&b->free_w);
			continue;
		}
		ring_waiter_sleep(&b->free_w, epoch);
	}
}

static void
push(struct ra_bench_wr *b, struct ring_rec *r)
{
	ring_push_wait(&b->from_worker, r, &b->prod_w, NULL);
	if (++b->batch >= PUSH_BATCH) {
		b->batch = 0;
		ring_waiter_wake(b->from_worker.consumer);
	}
}

int
ra_bench_wr_run(struct ra_bench_wr *b, const char *path,
    enum ra_bench_flush flush, unsigned freq, unsigned n,
    struct ra_bench_wr_result *res)
{
	struct wr_config c;
	struct wr_stats st;
	struct ring_rec *r;
	struct wr *w;
	uint64_t t0;
	unsigned i;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.output = WR_OUT_FILE;
	c.path = path;
	c.fd = -1;
	c.params.flush = (enum wr_flush)flush;
	c.params.freq = freq;
	c.batch_bytes = BATCH_BYTES;
	c.nbufs = NBUFS;
	c.from_worker = &b->from_worker;
	c.workers = 1;
	c.free_ring = &b->free_ring;
	c.self = &b->writer_w;
	/* A fresh eventfd for each writer: nothing left from the last. */
	if ((rc = ring_waiter_init(&b->writer_w, true)) < 0)
		return rc;
	unlink(path);
	if ((rc = wr_create(&w, &c)) < 0)
		goto out_waiter;
	b->batch = 0;
	t0 = clock_mono_ns();
	if ((rc = wr_start(w)) < 0) {
		wr_destroy(w);
		goto out_waiter;
	}
	for (i = 0; i < n; i++) {
		r = get_free(b);
		r->len = (uint32_t)ra_bench_syscall_line(ring_rec_payload(r),
		    i + 1);
		r->seq = i;
		r->recv_ns = t0;	/* see the top of this file */
		r->serial = i + 1;
		r->type = RA_BENCH_SYSCALL_TYPE;
		r->flags = 0;
		r->line_off = RING_REC_HEADROOM;
		r->line_len = r->len;
		r->node_len = 0;
		r->cmd = RING_CMD_NONE;
		push(b, r);
	}
	r = get_free(b);
	memset(r, 0, offsetof(struct ring_rec, data));
	r->seq = n;
	r->flags = RING_REC_EOS;
	push(b, r);
	ring_waiter_wake(b->from_worker.consumer);
	rc = wr_join(w);
	res->join_ns = clock_mono_ns() - t0;
	wr_get_stats(w, &st);
	wr_destroy(w);
	if (rc < 0)
		goto out_waiter;

	if (flush == RA_BENCH_FLUSH_DATA || flush == RA_BENCH_FLUSH_SYNC) {
		res->done_ns = st.lat_durable.max;
		res->done_count = st.lat_durable.count;
	} else {
		res->done_ns = st.lat_written.max;
		res->done_count = st.lat_written.count;
	}
	res->written = st.written;
	res->bytes = st.bytes;
	res->writes = st.writes;
	res->syncs = st.syncs;
	res->errors = st.write_errors + st.sync_errors + st.dropped;
	res->buffer_waits = st.buffer_waits;
	res->leftover = POOL_RECS - (int)ring_count(&b->free_ring) +
	    (int)ring_count(&b->from_worker);
	rc = ra_bench_log_check(path, &res->lines);
	unlink(path);
out_waiter:
	ring_waiter_fini(&b->writer_w);
	return rc;
}
