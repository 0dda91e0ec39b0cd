/*
 * writer.h - the pipeline's last stage: one thread that takes formatted
 * records from the W worker rings in ingest order, copies them into large
 * write buffers, and writes them with io_uring at explicit offsets,
 * honouring auditd's flush/freq settings with group commit.  Records go
 * back to ingest on the free ring as soon as their bytes are copied.
 */
#ifndef RINGAUDIT_WRITER_H
#define RINGAUDIT_WRITER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/hist.h"
#include "ring/ring.h"

enum wr_flush {
	WR_FLUSH_NONE,
	WR_FLUSH_INCREMENTAL,		/* fdatasync every freq, waited for */
	WR_FLUSH_INCREMENTAL_ASYNC,	/* fdatasync every freq, not waited */
	WR_FLUSH_DATA,			/* every record fdatasync'd: groups */
	WR_FLUSH_SYNC,			/* every record fsync'd: groups */
};

enum wr_output {
	WR_OUT_FILE,		/* the log file at 'path' */
	WR_OUT_FD,		/* an open stream (stderr, for -f): no syncs */
	WR_OUT_DISCARD,		/* write_logs = no */
};

/*
 * What the writer does itself when a limit is reached; everything else an
 * action means (syslog, email, exec, single, halt) is the daemon's, told
 * through wr_take_events.
 */
enum wr_act {
	WR_ACT_NONE,
	WR_ACT_SUSPEND,		/* stop writing; records counted as dropped */
	WR_ACT_ROTATE,		/* rotate, num_logs files in all */
	WR_ACT_KEEP_LOGS,	/* rotate, keeping every old log */
};

struct wr_space {
	uint64_t value;		/* MiB, or a percentage of the partition */
	bool percent;
	enum wr_act act;
};

/* What a reconfiguration (SIGHUP) may change while records flow. */
struct wr_params {
	char log_file[PATH_MAX];	/* "": wr_config's path */
	gid_t log_group;
	enum wr_flush flush;
	unsigned freq;
	uint64_t max_log_bytes;		/* 0: no limit */
	enum wr_act max_log_act;
	unsigned num_logs;
	struct wr_space space_left;
	struct wr_space admin_space_left;
	enum wr_act disk_full_act;
	enum wr_act disk_error_act;
	/* disk_full_action changes the system (single, halt): told once
	 * until logging is resumed, not again each time the disk fills
	 * after a write that worked. */
	bool disk_full_once;
};

/* Conditions the daemon is told of, once each until re-armed. */
enum wr_event {
	WR_EV_SPACE_LEFT = 1u << 0,	/* free space fell below space_left */
	WR_EV_ADMIN_SPACE_LEFT = 1u << 1,
	WR_EV_DISK_FULL = 1u << 2,	/* a write failed with ENOSPC */
	WR_EV_DISK_ERROR = 1u << 3,	/* any other write or open error */
	WR_EV_MAX_LOG_FILE = 1u << 4,	/* the log reached max_log_file */
	WR_EV_RESUMED = 1u << 5,	/* a suspended log resumed (RING_CMD_RESUME) */
};

struct wr_config {
	enum wr_output output;
	const char *path;		/* WR_OUT_FILE */
	int fd;				/* WR_OUT_FD */
	gid_t log_group;
	struct wr_params params;
	unsigned batch_bytes;		/* one write buffer */
	unsigned nbufs;			/* write buffers, 2..64 */

	struct ring *from_worker;	/* W rings, the writer consumes */
	unsigned workers;
	struct ring *free_ring;		/* records back to ingest */
	struct ring_waiter *self;	/* the writer's waiter (eventfd) */
	struct ring_feed *feed;		/* the dispatcher's copy; NULL: none */
	bool feed_remote;		/* remote clients' records too
					 * (distribute_network) */
	bool io_direct;			/* system calls, not io_uring (tests) */
	/* Idle this long (ms; 0: WR_RENEW_MS) after its ring's worker
	 * thread ran a write or sync, the writer closes its ring until
	 * woken, and then makes a new one. */
	unsigned renew_ms;
	/* Records that came as messages (ring_rec.ack): each token goes
	 * back on this ring, RING_ACK(token, state), once the record is
	 * written (ack_durable: once a sync covers it, group commit only)
	 * or dropped; its consumer is woken.  NULL: no messages. */
	struct ring *acks;
	bool ack_durable;
	/* Tests: of two syncs in flight (group commit), the prior's answer
	 * is taken only after the later one's, an order the kernel may
	 * give; so that the held answer (reap.c) is tested whatever order
	 * this kernel gives. */
	bool prior_answers_last;
	/* Tests: each write made at once takes this much longer (µs),
	 * spent on the CPU, never asleep, as a write whose thread lost its
	 * CPU meanwhile does; so that such a write is tested whatever the
	 * scheduler does. */
	unsigned now_spin_us;
	/* Tests: the first write made at once takes this much longer (µs),
	 * asleep, as a write that waited for the disk does. */
	unsigned now_sleep_once_us;
};

struct wr_stats {
	uint64_t records;	/* taken from the rings (EOS not counted) */
	uint64_t skipped;	/* not logged by rule (EOE) */
	uint64_t written;	/* their write completed */
	uint64_t durable;	/* a sync covering them completed */
	uint64_t bytes;
	uint64_t writes;	/* write requests completed */
	uint64_t short_writes;
	uint64_t syncs;
	uint64_t write_errors;
	uint64_t sync_errors;
	uint64_t dropped;	/* not written: logging was suspended, or
				 * the write failed */
	uint64_t holes;		/* a failed write left a gap in the log:
				 * none since the log is appended to (kept
				 * for the report's and metrics' names) */
	uint64_t log_cut;	/* the log was cut short under the writer */
	uint64_t log_replaced;	/* ... deleted or moved: a new one opened */
	uint64_t rotations;
	uint64_t rotate_errors;
	uint64_t space_checks;
	uint64_t waits;		/* times the writer slept */
	uint64_t buffer_waits;	/* no free write buffer: stopped pulling */
	uint64_t fed;		/* copied into the dispatcher's feed */
	uint64_t acked;		/* messages' tokens given back */
	uint64_t io_direct;	/* 1: written without io_uring */
	uint64_t writes_now;	/* made at once on the writer's thread */
	uint64_t writes_now_slow;	/* ... that took WR_WRITE_NOW_SLOW_NS
					 * or more, asleep: none for 64 times
					 * as long, a second at most */
	uint64_t writes_now_preempted;	/* ... that took as long but never
					 * slept: the thread lost its CPU */
	uint64_t syncs_by_thread;	/* incremental_async's syncs asked of
					 * the writer's sync thread */
	uint64_t syncs_beside;	/* group commit: syncs sent while the one
				 * before was still in flight */
	uint64_t syncs_held;	/* ... that ended before it: their answer
				 * waited for its */
	uint64_t ring_renewals;	/* the io_uring closed, idle, to be made
				 * anew when woken */
	uint64_t helped;	/* records taken by ingest (wr_help) */
	struct hist lat_written;	/* receive -> written, ns */
	struct hist lat_durable;	/* receive -> durable, ns (data, sync) */
	struct hist lat_switch;		/* a switch asked -> records taken
					 * again (rotation, resume, SIGHUP) */
};

/* What the writer is doing now, for the state report. */
struct wr_state {
	bool suspended;
	bool space_left_hit;
	bool admin_space_left_hit;
	bool no_space;		/* a write met ENOSPC; until resumed */
	bool disk_error;
	int error;		/* errno of the last failed write, or 0 */
	unsigned logs_found;	/* numbered logs at the last rotation */
	off_t log_size;
	uint64_t avail;		/* free bytes on the log's partition */
	uint64_t total;
	uint64_t space_left_bytes;	/* thresholds, resolved */
	uint64_t admin_space_left_bytes;
};

struct wr;

/* Opens (creates) the log file with auditd's modes; -errno on failure. */
int wr_create(struct wr **out, const struct wr_config *c);
void wr_destroy(struct wr *w);
int wr_start(struct wr *w);
/* Returns once every worker's end-of-stream record went through. */
int wr_join(struct wr *w);
void wr_get_stats(struct wr *w, struct wr_stats *st);

/*
 * One line appended to the log with O_APPEND, when the writer thread is
 * not running (a daemon the kernel refused): the writer's own descriptor
 * is closed first.  Another daemon may be appending to the same file; if
 * that is a ringauditd (it holds the log's lock), nothing is written and
 * -EBUSY returned, for its writes are not appends.
 */
int wr_append(struct wr *w, const char *line, size_t len);
void wr_get_state(struct wr *w, struct wr_state *st);

/*
 * Ingest's, after a small batch: if the writer sleeps, do its work on the
 * caller's thread (ring.h's baton): take the records waiting in order,
 * write them at once when that is allowed, and answer what those writes
 * answer, without waking it.  Requests for io_uring (syncs, large or slow
 * writes), switches and the end of the stream are left to the writer,
 * which is woken for them, as it is when it was awake; under group commit
 * (data, sync) all of it is.  true: records went into the dispatcher's
 * feed and its consumer was not woken for them: the caller wakes it or
 * does its work (disp_help).
 */
bool wr_help(struct wr *w);

/* Stage new parameters; RING_CMD_RECONF on a record applies them. */
void wr_set_params(struct wr *w, const struct wr_params *p);

/*
 * An eventfd that becomes readable when there are events; wr_take_events
 * returns them (enum wr_event bits) and clears them.
 */
int wr_event_fd(struct wr *w);
uint32_t wr_take_events(struct wr *w);

#endif
