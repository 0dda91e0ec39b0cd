/*
 * pipeline.h - the whole record path assembled: the record pool, the
 * rings, one ingest thread, W parser workers, one writer.  The daemon's
 * main, the tests and the benchmarks build it through this one interface.
 */
#ifndef RINGAUDIT_PIPELINE_H
#define RINGAUDIT_PIPELINE_H

#include <linux/audit.h>
#include <stdbool.h>
#include <stdint.h>

#include "ingest/ingest.h"
#include "parse/parse.h"
#include "writer/writer.h"

/* auditd's version that DAEMON_* records name: the format they follow. */
#define PL_AUDITD_COMPAT "3.0.9"

/* The daemon's record types that <linux/audit.h> leaves to userspace. */
#ifndef AUDIT_DAEMON_ABORT
#define AUDIT_DAEMON_ABORT 1202
#endif
#ifndef AUDIT_DAEMON_CONFIG
#define AUDIT_DAEMON_CONFIG 1203
#endif
#ifndef AUDIT_DAEMON_ROTATE
#define AUDIT_DAEMON_ROTATE 1205
#endif
#ifndef AUDIT_DAEMON_RESUME
#define AUDIT_DAEMON_RESUME 1206
#endif
#ifndef AUDIT_DAEMON_ERR
#define AUDIT_DAEMON_ERR 1209
#endif

struct pl_config {
	enum ingest_source_kind source;
	const char *replay_path;
	unsigned replay_recs, replay_gap_us;	/* ingest.h: a pace */
	enum ingest_enable enable;
	unsigned rcvbuf;
	unsigned drain_timeout_ms;
	unsigned gather_ms;		/* ingest.h; 0: none */
	bool inline_work;		/* ingest helps the sleeping stages
					 * with small batches (ingest.h) */

	unsigned workers;
	unsigned records;
	unsigned ring_size;

	enum parse_format format;
	const char *node;		/* NULL: no node= prefix */
	unsigned name_cache_entries;	/* each worker's uid/gid names */

	enum wr_output output;
	const char *log_path;
	int out_fd;
	gid_t log_group;
	struct wr_params wr;		/* flush, rotation, space limits */
	unsigned batch_bytes;
	unsigned nbufs;

	int wait_timeout_ms;		/* waiters' safety net; -1: none */
	struct ring_feed *feed;		/* the dispatcher's; NULL: none */
	/* The feed's consumer's work, done on ingest's thread after a batch
	 * the writer was lent for (disp_help); NULL: it is woken. */
	void (*feed_help)(void *arg);
	void *feed_help_arg;

	/* Messages from another stage (the network listener): at most
	 * this many out at once (its slots); 0: none. */
	unsigned messages;
	bool feed_remote;		/* clients' records to plugins too */
	bool ack_durable;		/* acked once synced (group commit) */
};

/*
 * The pipeline's side of the message path, for their producer: push
 * struct ring_msg * on 'in', then write wake_fd (8 bytes); each token
 * comes back on 'acks' (RING_ACK) once its record is written or dropped,
 * and 'self', its consumer's waiter (an eventfd: poll self->efd), is
 * woken.  'in' and 'acks' hold every slot: neither is ever full.
 */
struct pl_msg_port {
	struct ring *in;
	struct ring *acks;
	struct ring_waiter *self;
	int wake_fd;
};

struct pl_stats {
	struct ingest_stats in;
	struct wr_stats wr;
	uint64_t parsed;
	uint64_t parsed_inline;		/* of those, by ingest (inline) */
	uint64_t format_errors;
	uint64_t worker_ring_waits;	/* a worker found its out ring full */
	uint64_t worker_sleeps;
	uint64_t writer_wakes;		/* system calls that woke the writer */
	struct parse_names_stats names;	/* ENRICHED's uid/gid names */
	/* High-water marks, of capacities records and ring_size. */
	unsigned pool_high;		/* records in use at once */
	unsigned to_workers_high;	/* in one ring from ingest */
	unsigned to_writer_high;	/* in one ring to the writer */
	/* Now, as the caller read them (a moment's view), and the real
	 * capacities (ring_size rounded up to a power of two, less one). */
	unsigned pool_in_use;		/* record slots not free */
	unsigned to_workers_now;	/* the fullest ring from ingest */
	unsigned to_writer_now;		/* the fullest ring to the writer */
	unsigned ring_capacity;		/* of each of those rings */
};

struct pl;

void pl_config_defaults(struct pl_config *c);
int pl_create(struct pl **out, const struct pl_config *c);
void pl_destroy(struct pl *p);

/*
 * Start every thread; with the netlink source, returns once the kernel
 * accepted the registration (or its error: -EEXIST, -EPERM); with the
 * multicast source, once the group is joined (or -EPERM).
 */
int pl_start(struct pl *p);

/*
 * A daemon record (DAEMON_START, ...): 'text' is what follows the
 * "audit(sec.msec:serial): " header, which this adds with the daemon's own
 * serial numbers.  May be called before pl_start: it is then the first
 * record of the log.  cmd (enum wr_cmd) makes the writer switch (rotate,
 * resume, reconfigure) right before it writes this record.
 */
int pl_inject(struct pl *p, unsigned type, unsigned cmd, const char *text);

/*
 * A daemon record written at once, appended to the log (O_APPEND) past
 * the pipeline: for a daemon the kernel refused, whose pipeline never
 * ran (DAEMON_START, then DAEMON_ABORT, as auditd writes them).
 */
int pl_append(struct pl *p, unsigned type, const char *text);

/* Finish: drain the kernel (multicast: the socket), write 'last'
 * (DAEMON_END, may be NULL). */
void pl_stop(struct pl *p, unsigned type, const char *last);
/* Wait for every thread to finish; the log is synced when it returns. */
int pl_wait(struct pl *p);
/* The source ended by itself (a replayed file). */
bool pl_finished(struct pl *p);
void pl_get_stats(struct pl *p, struct pl_stats *st);

/* The writer's side, for the daemon: see writer.h. */
void pl_get_writer_state(struct pl *p, struct wr_state *st);
void pl_set_writer_params(struct pl *p, const struct wr_params *wp);
/* Every worker's staged options (parse.h), taken at RING_CMD_RECONF. */
void pl_set_parse_opts(struct pl *p, const struct parse_opts *o);
/* Ask every worker to look uid and gid names up again (SIGHUP, timer). */
void pl_refresh_names(struct pl *p);
/* ingest's gather_ms (ingest.h), from the next batch on. */
void pl_set_gather_ms(struct pl *p, unsigned ms);
int pl_event_fd(struct pl *p);
/* -ENOENT without pl_config.messages. */
int pl_msg_port(struct pl *p, struct pl_msg_port *port);
/*
 * A daemon record's payload, "audit(sec.msec:serial): TEXT", numbered
 * with the daemon's own serials (any thread): for a stage that makes
 * DAEMON_* records of its own (DAEMON_ACCEPT, DAEMON_CLOSE).  Its length,
 * or -E2BIG.
 */
int pl_daemon_record(struct pl *p, unsigned type, const char *text,
    char *buf, size_t len);
uint32_t pl_take_events(struct pl *p);

#endif
