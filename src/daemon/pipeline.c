/*
 * pipeline.c - builds the pipeline of DESIGN.md and tears it down.
 *
 *   ingest --to_worker[i]--> worker i --from_worker[i]--> writer
 *      ^                                                    |
 *      +------------------------ free ring -----------------+
 *
 * Every record is allocated here, once.  Each thread has one waiter; each
 * ring names the waiter of its consumer (woken when items arrive) and of
 * its producer (woken when room frees).  The free ring holds the whole pool
 * and so is never full; it has no producer waiter.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stat.h"
#include "daemon/pipeline.h"

struct pl {
	struct pl_config c;
	struct ring_pool pool;
	struct ring free_ring;
	struct ring *to_worker;
	struct ring *from_worker;
	struct ring_waiter ingest_w;
	struct ring_waiter writer_w;
	struct ring_waiter *worker_w;
	struct ingest *ing;
	struct parse_worker **workers;
	struct wr *wr;
	struct ring msg_in;		/* messages, when c.messages */
	struct ring acks;
	struct ring_waiter msg_w;	/* their producer's (eventfd) */
	bool msgs;
	_Atomic uint32_t daemon_serial;
	uint32_t names_epoch;		/* bumped: the workers refresh names */
	uint32_t names_drops;		/* bumped by a worker: all drop names */
	bool started;
};

void
pl_config_defaults(struct pl_config *c)
{
	memset(c, 0, sizeof(*c));
	c->source = INGEST_NETLINK;
	c->enable = INGEST_ENABLE;
	c->rcvbuf = 8u << 20;
	c->drain_timeout_ms = 5000;
	c->workers = 1;
	c->records = 4096;
	c->ring_size = 1024;
	c->format = PARSE_FORMAT_RAW;
	c->name_cache_entries = PARSE_NAMES_ENTRIES_DEFAULT;
	c->output = WR_OUT_FILE;
	c->out_fd = -1;
	c->wr.flush = WR_FLUSH_INCREMENTAL_ASYNC;
	c->inline_work = true;
	c->batch_bytes = 256u << 10;
	c->nbufs = 8;
	/* No safety net: the waiters' protocol never needs one, and its
	 * wake-ups were an idle daemon's only ones (issue 13). */
	c->wait_timeout_ms = -1;
}

/*
 * Ingest's, after a small batch: the workers' work, the writer's and the
 * dispatcher's done on its thread while they sleep (parse.h, writer.h,
 * feed_help); whoever is awake, or whatever needs its own thread, is woken
 * as usual.
 */
static void
pl_help(void *arg)
{
	struct pl *p = arg;
	unsigned i, n = 0;

	for (i = 0; i < p->c.workers; i++)
		n += parse_worker_help(p->workers[i]);
	if (n == 0 || !wr_help(p->wr))
		return;
	/* Records for plugins, which the lent writer did not wake for. */
	if (p->c.feed_help != NULL)
		p->c.feed_help(p->c.feed_help_arg);
	else
		ring_waiter_wake(p->c.feed->consumer);
}

int
pl_create(struct pl **out, const struct pl_config *c)
{
	struct ingest_config ic;
	struct wr_config wc;
	struct pl *p;
	unsigned i;
	int rc = -ENOMEM;

	if (c->workers == 0 || c->workers > 64 || c->records < 2 ||
	    c->ring_size < 2)
		return -EINVAL;
	p = ring_calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->c = *c;
	/* auditd numbers its own records from a random point below 10000. */
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	p->daemon_serial = (uint32_t)(random() % 10000);
	p->to_worker = ring_calloc(c->workers, sizeof(*p->to_worker));
	p->from_worker = ring_calloc(c->workers, sizeof(*p->from_worker));
	p->worker_w = ring_calloc(c->workers, sizeof(*p->worker_w));
	p->workers = calloc(c->workers, sizeof(*p->workers));
	if (p->to_worker == NULL || p->from_worker == NULL ||
	    p->worker_w == NULL || p->workers == NULL)
		goto err;
	if ((rc = ring_pool_create(&p->pool, c->records)) < 0 ||
	    (rc = ring_waiter_init(&p->ingest_w, false)) < 0 ||
	    (rc = ring_waiter_init(&p->writer_w, true)) < 0 ||
	    (rc = ring_init(&p->free_ring, c->records, &p->ingest_w,
	    NULL)) < 0)
		goto err;
	p->ingest_w.sleep_ms = c->wait_timeout_ms;
	p->writer_w.sleep_ms = c->wait_timeout_ms;
	if (c->messages > 0) {
		/* Ingest, who consumes msg_in, sleeps in poll on its
		 * wake_fd, not on its waiter: the producer writes that. */
		if ((rc = ring_waiter_init(&p->msg_w, true)) < 0 ||
		    (rc = ring_init(&p->msg_in, c->messages + 1, NULL,
		    NULL)) < 0 ||
		    (rc = ring_init(&p->acks, c->messages + 1, &p->msg_w,
		    NULL)) < 0)
			goto err;
		p->msgs = true;
	}
	for (i = 0; i < c->workers; i++) {
		if ((rc = ring_waiter_init(&p->worker_w[i], false)) < 0 ||
		    (rc = ring_init(&p->to_worker[i], c->ring_size,
		    &p->worker_w[i], &p->ingest_w)) < 0 ||
		    (rc = ring_init(&p->from_worker[i], c->ring_size,
		    &p->writer_w, &p->worker_w[i])) < 0)
			goto err;
		p->worker_w[i].sleep_ms = c->wait_timeout_ms;
	}

	memset(&wc, 0, sizeof(wc));
	wc.output = c->output;
	wc.path = c->log_path;
	wc.fd = c->out_fd;
	wc.log_group = c->log_group;
	wc.params = c->wr;
	wc.batch_bytes = c->batch_bytes;
	wc.nbufs = c->nbufs;
	wc.from_worker = p->from_worker;
	wc.workers = c->workers;
	wc.free_ring = &p->free_ring;
	wc.self = &p->writer_w;
	wc.feed = c->feed;
	wc.feed_remote = c->feed_remote;
	wc.acks = p->msgs ? &p->acks : NULL;
	wc.ack_durable = c->ack_durable;
	if ((rc = wr_create(&p->wr, &wc)) < 0)
		goto err;

	for (i = 0; i < c->workers; i++) {
		struct parse_worker_config pc = {
			.in = &p->to_worker[i],
			.out = &p->from_worker[i],
			.self = &p->worker_w[i],
			.opts = {
				.format = c->format,
				.node = c->node,
				.node_len = c->node != NULL ? strlen(c->node) : 0,
			},
			.name_cache_entries = c->name_cache_entries,
			.names_epoch = &p->names_epoch,
			.names_drops = &p->names_drops,
		};

		if ((rc = parse_worker_create(&p->workers[i], &pc)) < 0)
			goto err;
	}

	memset(&ic, 0, sizeof(ic));
	ic.kind = c->source;
	ic.replay_path = c->replay_path;
	ic.replay_recs = c->replay_recs;
	ic.replay_gap_us = c->replay_gap_us;
	ic.enable = c->enable;
	ic.rcvbuf = c->rcvbuf;
	ic.drain_timeout_ms = c->drain_timeout_ms;
	ic.gather_ms = c->gather_ms;
	if (c->inline_work) {
		ic.help = pl_help;
		ic.help_arg = p;
	}
	ic.pool = &p->pool;
	ic.free_ring = &p->free_ring;
	ic.to_worker = p->to_worker;
	ic.workers = c->workers;
	ic.self = &p->ingest_w;
	ic.msg_in = p->msgs ? &p->msg_in : NULL;
	if ((rc = ingest_create(&p->ing, &ic)) < 0)
		goto err;
	*out = p;
	return 0;
err:
	pl_destroy(p);
	return rc;
}

void
pl_destroy(struct pl *p)
{
	unsigned i;

	if (p == NULL)
		return;
	ingest_destroy(p->ing);
	wr_destroy(p->wr);
	for (i = 0; i < p->c.workers; i++) {
		if (p->workers != NULL)
			parse_worker_destroy(p->workers[i]);
		if (p->to_worker != NULL)
			ring_fini(&p->to_worker[i]);
		if (p->from_worker != NULL)
			ring_fini(&p->from_worker[i]);
		if (p->worker_w != NULL)
			ring_waiter_fini(&p->worker_w[i]);
	}
	if (p->msgs) {
		ring_fini(&p->msg_in);
		ring_fini(&p->acks);
		ring_waiter_fini(&p->msg_w);
	}
	ring_fini(&p->free_ring);
	ring_waiter_fini(&p->ingest_w);
	ring_waiter_fini(&p->writer_w);
	ring_pool_destroy(&p->pool);
	free(p->to_worker);
	free(p->from_worker);
	free(p->worker_w);
	free(p->workers);
	free(p);
}

int
pl_start(struct pl *p)
{
	unsigned i;
	int rc;

	if ((rc = wr_start(p->wr)) < 0)
		return rc;
	for (i = 0; i < p->c.workers; i++)
		if ((rc = parse_worker_start(p->workers[i])) < 0)
			fatalx("cannot start a parser worker: %s",
			    strerror(-rc));
	p->started = true;
	/* On failure ingest has already ended the stream: pl_wait joins. */
	return ingest_start(p->ing);
}

/* "audit(sec.msec:serial): text" with the daemon's own serial; length or
 * -E2BIG. */
static int
daemon_record(struct pl *p, unsigned type, const char *text, char *buf,
    size_t len)
{
	struct timespec ts;
	uint32_t serial;
	int n;

	/* auditd numbers DAEMON_CONFIG apart: a random serial below 10000,
	 * not the next one of its own records. */
	serial = type == AUDIT_DAEMON_CONFIG ? (uint32_t)(random() % 10000) :
	    atomic_fetch_add(&p->daemon_serial, 1);
	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(buf, len, "audit(%lld.%03ld:%u): %s",
	    (long long)ts.tv_sec, ts.tv_nsec / 1000000L, serial, text);
	return n < 0 || (size_t)n >= len ? -E2BIG : n;
}

int
pl_daemon_record(struct pl *p, unsigned type, const char *text, char *buf,
    size_t len)
{
	return daemon_record(p, type, text, buf, len);
}

int
pl_msg_port(struct pl *p, struct pl_msg_port *port)
{
	if (!p->msgs)
		return -ENOENT;
	port->in = &p->msg_in;
	port->acks = &p->acks;
	port->self = &p->msg_w;
	port->wake_fd = ingest_wake_fd(p->ing);
	return 0;
}

int
pl_inject(struct pl *p, unsigned type, unsigned cmd, const char *text)
{
	char buf[2048];
	int n = daemon_record(p, type, text, buf, sizeof(buf));

	if (n < 0)
		return n;
	return ingest_inject(p->ing, type, cmd, buf, (size_t)n);
}

int
pl_append(struct pl *p, unsigned type, const char *text)
{
	char rec[2048], line[2600], name[64];
	int n = daemon_record(p, type, text, rec, sizeof(rec));

	if (n < 0)
		return n;
	parse_type_format(type, name, sizeof(name));
	n = snprintf(line, sizeof(line), "%s%s%stype=%s msg=%s\n",
	    p->c.node != NULL ? "node=" : "",
	    p->c.node != NULL ? p->c.node : "", p->c.node != NULL ? " " : "",
	    name, rec);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -E2BIG;
	return wr_append(p->wr, line, (size_t)n);
}

void
pl_stop(struct pl *p, unsigned type, const char *last)
{
	char buf[2048];
	int n = last != NULL ? daemon_record(p, type, last, buf, sizeof(buf)) :
	    -1;

	ingest_stop(p->ing, type, n >= 0 ? buf : NULL, n >= 0 ? (size_t)n : 0);
}

int
pl_wait(struct pl *p)
{
	unsigned i;
	int rc;

	if (!p->started)
		return 0;
	rc = ingest_join(p->ing);
	for (i = 0; i < p->c.workers; i++)
		parse_worker_join(p->workers[i]);
	wr_join(p->wr);
	p->started = false;
	return rc;
}

bool
pl_finished(struct pl *p)
{
	return ingest_finished(p->ing);
}

void
pl_get_stats(struct pl *p, struct pl_stats *st)
{
	unsigned i;

	memset(st, 0, sizeof(*st));
	ingest_get_stats(p->ing, &st->in);
	wr_get_stats(p->wr, &st->wr);
	st->pool_high = p->c.records - st->in.free_low;
	st->pool_in_use = p->c.records - ring_count(&p->free_ring);
	st->ring_capacity = ring_capacity(&p->to_worker[0]);
	for (i = 0; i < p->c.workers; i++) {
		struct parse_worker_stats ws;
		unsigned in = ring_count(&p->to_worker[i]);
		unsigned out = ring_count(&p->from_worker[i]);

		if (in > st->to_workers_now)
			st->to_workers_now = in;
		if (out > st->to_writer_now)
			st->to_writer_now = out;

		parse_worker_get_stats(p->workers[i], &ws);
		st->parsed += ws.records;
		st->parsed_inline += ws.helped;
		st->format_errors += ws.format_errors;
		st->worker_sleeps += ws.sleeps;
		if (ws.in_high > st->to_workers_high)
			st->to_workers_high = ws.in_high;
		if (ws.out_high > st->to_writer_high)
			st->to_writer_high = ws.out_high;
		st->names.hits += ws.names.hits;
		st->names.misses += ws.names.misses;
		st->names.nss_calls += ws.names.nss_calls;
		st->names.nss_errors += ws.names.nss_errors;
		st->names.refreshes += ws.names.refreshes;
		st->names.drops += ws.names.drops;
		st->names.too_long += ws.names.too_long;
		st->worker_ring_waits += STAT_GET(
		    p->from_worker[i].pstats.full_waits);
	}
	st->writer_wakes = atomic_load_explicit(&p->writer_w.wakes,
	    memory_order_relaxed);
}

void
pl_get_writer_state(struct pl *p, struct wr_state *st)
{
	wr_get_state(p->wr, st);
}

void
pl_set_writer_params(struct pl *p, const struct wr_params *wp)
{
	wr_set_params(p->wr, wp);
}

void
pl_set_parse_opts(struct pl *p, const struct parse_opts *o)
{
	unsigned i;

	for (i = 0; i < p->c.workers; i++)
		parse_worker_set_opts(p->workers[i], o);
}

void
pl_refresh_names(struct pl *p)
{
	/* The workers read it with a plain atomic load; they see the new
	 * value soon, and nothing else is ordered by it. */
	ck_pr_inc_32(&p->names_epoch);
}

void
pl_set_gather_ms(struct pl *p, unsigned ms)
{
	ingest_set_gather_ms(p->ing, ms);
}

int
pl_event_fd(struct pl *p)
{
	return wr_event_fd(p->wr);
}

uint32_t
pl_take_events(struct pl *p)
{
	return wr_take_events(p->wr);
}
