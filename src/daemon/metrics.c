/*
 * metrics.c - ringauditd's counters, for people and for Prometheus.
 *
 * One table (collect) names every figure twice: the words of the SIGCONT
 * state report's "# ringauditd" section, and a Prometheus metric.  The
 * report shows them as "name = value"; metrics_write puts them in a file
 * in Prometheus's text format, which node_exporter's textfile collector
 * reads (ringauditd.conf: metrics_file, metrics_interval).  The file is
 * written beside its name and renamed over it, so a scrape never sees
 * half of it.
 *
 * The stages' figures: records received (kernel or replay), made by the
 * daemon, skipped (EOE), written, durable (a sync covered them), dropped
 * (logging suspended or a failed write), socket overflows and multicast
 * losses, ring waits (a stage found the next one full and waited: the
 * wait is what reaches the kernel's backlog), the rings' high-water marks,
 * and the latency from receive to written and to durable (log-linear
 * histograms, within 12.5%; for Prometheus, histograms with fixed bounds
 * that add up across a fleet).  Each plugin's figures (metrics_plugins)
 * are labelled with its file's name: offered, delivered, dropped,
 * restarts, its queue now and at its deepest, and its state.
 *
 * What an admin alerts on for auditd comes with them: the kernel's lost,
 * backlog and backlog_limit (AUDIT_GET, asked each time the figures are
 * shown, never on a timer of its own), whether logging is suspended or
 * the disk failed, the log's size and the free space beside the
 * space_left thresholds, and the version and start time.
 * dist/ringauditd-alerts.yml has rules for them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/hist.h"
#include "daemon/daemon.h"

enum metric_type {
	M_COUNTER,
	M_GAUGE,
};

struct metric {
	const char *report;	/* words in the state report */
	const char *prom;	/* the Prometheus name */
	const char *help;
	enum metric_type type;
	uint64_t v;
};

#define METRICS_MAX 128

#define C(r, p, h, v) { r, "ringauditd_" p, h, M_COUNTER, v }
#define G(r, p, h, v) { r, "ringauditd_" p, h, M_GAUGE, v }

#define NET_ROWS 25

/* The network listener's figures, when it listens. */
static size_t
collect_net(struct net *n, struct metric *m)
{
	struct net_stats s;

	net_get_stats(n, &s);
	const struct metric rows[] = {
	G("network clients", "network_clients",
	    "Remote clients connected now.", s.active),
	G("network clients, most", "network_clients_max",
	    "Most remote clients connected at once.", s.active_high),
	C("network connections accepted", "network_accepted_total",
	    "Connections accepted (DAEMON_ACCEPT res=success).", s.accepted),
	C("network connections refused, port", "network_refused_port_total",
	    "Connections from a port outside tcp_client_ports (op=port).",
	    s.rejected[NET_REJ_PORT]),
	C("network connections refused, wrap", "network_refused_wrap_total",
	    "Connections libwrap refused (op=wrap).",
	    s.rejected[NET_REJ_WRAP]),
	C("network connections refused, dup", "network_refused_dup_total",
	    "Connections past tcp_max_per_addr (op=dup).",
	    s.rejected[NET_REJ_DUP]),
	C("network connections refused, alloc", "network_refused_alloc_total",
	    "Connections past tcp_max_clients (op=alloc).",
	    s.rejected[NET_REJ_ALLOC]),
	C("network clients closed, eof", "network_closed_eof_total",
	    "Clients that closed their connection.", s.closed[NET_CL_EOF]),
	C("network clients closed, error", "network_closed_error_total",
	    "Clients closed on a read or write error.",
	    s.closed[NET_CL_ERROR]),
	C("network clients closed, idle", "network_closed_idle_total",
	    "Clients closed after tcp_client_max_idle.", s.closed[NET_CL_IDLE]),
	C("network clients closed, bad", "network_closed_bad_total",
	    "Clients closed for bytes that are no frame.",
	    s.closed[NET_CL_BAD]),
	C("network clients closed, too long", "network_closed_too_long_total",
	    "Clients closed for a frame longer than 8970 bytes.",
	    s.closed[NET_CL_TOO_LONG]),
	C("network clients closed, stop", "network_closed_stop_total",
	    "Clients sent ENDING and closed as the daemon stopped.",
	    s.closed[NET_CL_STOP]),
	C("network clients closed, auth", "network_closed_auth_total",
	    "KRB5 connections closed before a security context, or whose "
	    "principal was refused.", s.closed[NET_CL_AUTH]),
	C("network tokens undecrypted", "network_undecrypted_total",
	    "KRB5 tokens that did not unwrap, dropped unanswered.",
	    s.undecrypted),
	C("network records", "network_records_total",
	    "Records received from remote clients.", s.records),
	C("network heartbeats", "network_heartbeats_total",
	    "Heartbeats received (each acked).", s.heartbeats),
	C("network lines dropped", "network_lines_dropped_total",
	    "Lines without the protocol's magic, dropped unanswered.",
	    s.lines_dropped),
	C("network replies", "network_replies_total",
	    "Replies sent to clients.", s.replies),
	C("network replies not ok", "network_replies_not_ok_total",
	    "Replies other than ACK (disk low, full, error, suspended).",
	    s.not_ok),
	C("network replies lost", "network_replies_lost_total",
	    "Records whose client was gone when they were written.",
	    s.replies_lost),
	C("network bytes", "network_bytes_total",
	    "Bytes read from remote clients.", s.bytes),
	C("network pauses", "network_pauses_total",
	    "Times no client was read: every message slot was in the "
	    "pipeline.", s.pauses),
	C("network reply stalls", "network_reply_stalls_total",
	    "Times a client was not read because it did not read its "
	    "replies.", s.reply_stalls),
	C("network daemon records lost", "network_daemon_records_lost_total",
	    "DAEMON_ACCEPT or DAEMON_CLOSE records not logged.",
	    s.daemon_records_lost),
	};

	_Static_assert(sizeof(rows) / sizeof(rows[0]) == NET_ROWS,
	    "NET_ROWS");
	memcpy(m, rows, sizeof(rows));
	return NET_ROWS;
}

#define KERNEL_ROWS 10

/*
 * The kernel's own figures (AUDIT_GET), read when the figures are shown:
 * what SREs alert on for auditd (auditctl -s).  Without CAP_AUDIT_CONTROL
 * (multicast mode as another user) AUDIT_GET is refused: only
 * kernel_status_up = 0 is shown.
 */
static size_t
collect_kernel(const struct metrics_in *in, struct metric *m)
{
	const struct ingest_kstatus *k = &in->ks;
	const struct metric rows[] = {
	C("kernel lost", "kernel_lost_total",
	    "The kernel's lost counter (auditctl -s): records it dropped, "
	    "its backlog full or its rate limit passed.", k->lost),
	G("kernel backlog", "kernel_backlog",
	    "Records waiting in the kernel's queue (auditctl -s backlog).",
	    k->backlog),
	G("kernel backlog_limit", "kernel_backlog_limit",
	    "The kernel's queue limit (auditctl -b).", k->backlog_limit),
	G("kernel backlog_wait_time", "kernel_backlog_wait_time",
	    "How long a process waits for room in a full queue, in the "
	    "kernel's units (auditctl --backlog_wait_time).",
	    k->backlog_wait_time),
	G("kernel backlog_wait_time_actual", "kernel_backlog_wait_time_actual",
	    "Time processes spent waiting for room in the queue, as "
	    "auditctl -s shows it (kernel 5.9 and later; else 0).",
	    k->backlog_wait_time_actual),
	G("kernel enabled", "kernel_enabled",
	    "Auditing: 0 off, 1 on, 2 on and locked (auditctl -e).",
	    k->enabled),
	G("kernel failure", "kernel_failure",
	    "What the kernel does when records are lost: 0 silent, 1 printk, "
	    "2 panic (auditctl -f).", k->failure),
	G("kernel rate_limit", "kernel_rate_limit",
	    "Records a second the kernel lets through; 0: no limit.",
	    k->rate_limit),
	G("kernel sends to this daemon", "kernel_registered",
	    "1: the kernel's audit pid is this daemon's.",
	    k->pid != 0 && k->pid == (uint32_t)getpid()),
	G("kernel status read", "kernel_status_up",
	    "1: the kernel answered AUDIT_GET (the kernel_* figures are "
	    "now's).", 1),
	};

	_Static_assert(sizeof(rows) / sizeof(rows[0]) == KERNEL_ROWS,
	    "KERNEL_ROWS");
	/* lost only grows, or auditctl --reset-lost sets it to 0, which a
	 * counter's reader takes for a restart. */
	memcpy(m, rows, sizeof(rows));
	if (in->ks_rc == 0)
		return KERNEL_ROWS;
	m[0] = rows[KERNEL_ROWS - 1];
	m[0].v = 0;
	return 1;
}

static size_t
collect(const struct dmn *d, const struct metrics_in *in, struct metric *m)
{
	const struct pl_stats *st = &in->st;
	const struct wr_state *ws = &in->ws;
	const struct metric rows[] = {
	C("records received", "records_received_total",
	    "Records read from the kernel (or a replayed log).",
	    st->in.received),
	C("daemon records", "daemon_records_total",
	    "DAEMON_* records the daemon made.", st->in.injected),
	C("records skipped", "records_skipped_total",
	    "Records not logged by rule (EOE).", st->wr.skipped),
	C("records written", "records_written_total",
	    "Records whose write to the log completed.", st->wr.written),
	C("records durable", "records_durable_total",
	    "Records a completed sync covers.", st->wr.durable),
	C("records dropped", "records_dropped_total",
	    "Records not written: logging suspended or a write failed.",
	    st->wr.dropped),
	G("writing without io_uring", "writer_io_uring_unavailable",
	    "1: the kernel refused io_uring; the log is written with "
	    "system calls.", st->wr.io_direct),
	C("writes made at once", "writes_at_once_total",
	    "Small log writes made on the writer's thread, not handed to "
	    "io_uring's worker.", st->wr.writes_now),
	C("slow writes made at once", "writes_at_once_slow_total",
	    "Of those, writes that took a millisecond or more, asleep in "
	    "the kernel (then writes through io_uring for 64 times as long, "
	    "a second at most).",
	    st->wr.writes_now_slow),
	C("writes made at once kept from the CPU",
	    "writes_at_once_preempted_total",
	    "Writes made at once that took a millisecond or more without "
	    "sleeping: the thread waited for a CPU, not for the disk (no "
	    "change of course).", st->wr.writes_now_preempted),
	C("syncs on the sync thread", "syncs_by_thread_total",
	    "incremental_async's syncs made on the writer's own sync thread "
	    "(as auditd's flush thread), not by io_uring's worker.",
	    st->wr.syncs_by_thread),
	C("syncs beside another", "syncs_beside_total",
	    "Group commit (flush = data or sync): syncs sent while the one "
	    "before was still in flight.", st->wr.syncs_beside),
	C("syncs held", "syncs_held_total",
	    "Group commit: of those, syncs that ended before the one sent "
	    "ahead of them; their records counted as durable once it ended.",
	    st->wr.syncs_held),
	C("writer rings renewed", "writer_ring_renewals_total",
	    "Times the idle writer closed its io_uring until woken, so that "
	    "the kernel's worker thread for its syncs did not stay.",
	    st->wr.ring_renewals),
	C("write errors", "write_errors_total", "Failed log writes.",
	    st->wr.write_errors),
	C("syncs", "syncs_total", "Log syncs completed (fdatasync, fsync).",
	    st->wr.syncs),
	C("sync errors", "sync_errors_total", "Failed log syncs.",
	    st->wr.sync_errors),
	C("log holes", "log_holes_total",
	    "Gaps a failed write left in the log.", st->wr.holes),
	C("log cut short under the daemon", "log_truncated_total",
	    "Times the log was found cut short by another program "
	    "(copytruncate); records went on at its end.", st->wr.log_cut),
	C("log deleted or moved under the daemon", "log_replaced_total",
	    "Times the log was found deleted or moved; a new one was "
	    "opened at log_file.", st->wr.log_replaced),
	C("space checks", "space_checks_total",
	    "Free-space checks of the log's file system.",
	    st->wr.space_checks),
	C("rotations", "rotations_total", "Log rotations.",
	    st->wr.rotations),
	C("rotation errors", "rotation_errors_total",
	    "Log rotations that failed.", st->wr.rotate_errors),
	C("socket overflows (ENOBUFS)", "socket_overflows_total",
	    "Times the netlink socket overflowed (ENOBUFS).", st->in.enobufs),
	C("multicast records lost", "multicast_records_lost_total",
	    "Records the kernel dropped on the full multicast socket.",
	    st->in.lost),
	C("socket errors", "socket_errors_total",
	    "Other netlink receive errors.", st->in.sock_errors),
	C("receive batches", "receive_batches_total",
	    "Receives that took records from the kernel.", st->in.batches),
	C("gathering sleeps", "gathering_sleeps_total",
	    "Sleeps that let records gather in the socket (gather_ms).",
	    st->in.gathers),
	C("records formatted inline", "records_formatted_inline_total",
	    "Records ingest formatted itself while the workers slept "
	    "(ringauditd.conf inline).", st->parsed_inline),
	C("records written inline", "records_written_inline_total",
	    "Records ingest put in the log's buffers itself while the "
	    "writer slept (inline).", st->wr.helped),
	C("ring waits", "ring_waits_total",
	    "Times a stage waited for room in the next one.",
	    st->in.pool_waits + st->in.ring_waits + st->worker_ring_waits),
	G("records in use, most", "pool_records_high",
	    "Most record slots in use at once.", st->pool_high),
	G("records in the pool", "pool_records",
	    "Record slots (ringauditd.conf records).", d->cfg->records),
	G("ingest->worker ring, most", "ring_to_workers_high",
	    "Most records waiting in one ring from ingest to a worker.",
	    st->to_workers_high),
	G("worker->writer ring, most", "ring_to_writer_high",
	    "Most records waiting in one ring from a worker to the writer.",
	    st->to_writer_high),
	G("records in use", "pool_records_in_use",
	    "Record slots in use now.", st->pool_in_use),
	G("ingest->worker ring, now", "ring_to_workers",
	    "Records waiting now in the fullest ring from ingest to a worker.",
	    st->to_workers_now),
	G("worker->writer ring, now", "ring_to_writer",
	    "Records waiting now in the fullest ring from a worker to the "
	    "writer.", st->to_writer_now),
	G("ring capacity", "ring_capacity",
	    "Records each ring holds (ring_size rounded up to a power of "
	    "two, less one): the ring gauges' full mark.", st->ring_capacity),
	G("logging suspended", "logging_suspended",
	    "1: records are not written (an action suspended logging, or the "
	    "disk is full or failed) until SIGUSR2 or the condition clears.",
	    ws->suspended),
	G("disk full", "disk_full",
	    "1: a write met a full file system (disk_full_action).",
	    ws->no_space),
	G("disk error", "disk_error",
	    "1: a write or sync of the log failed (disk_error_action).",
	    ws->disk_error),
	G("log size bytes", "log_size_bytes", "Size of the log being written.",
	    (uint64_t)ws->log_size),
	G("log free bytes", "log_free_bytes",
	    "Free bytes on the log's file system, as space_left counts them.",
	    ws->avail),
	G("log file system bytes", "log_filesystem_bytes",
	    "Size of the log's file system.", ws->total),
	G("space_left bytes", "space_left_bytes",
	    "space_left, in bytes (log_free_bytes below it: the action).",
	    ws->space_left_bytes),
	G("admin_space_left bytes", "admin_space_left_bytes",
	    "admin_space_left, in bytes.", ws->admin_space_left_bytes),
	G("start time", "start_time_seconds",
	    "When the daemon started, in seconds since the epoch.",
	    (uint64_t)d->started),
	C("reconfigurations", "reconfigurations_total",
	    "SIGHUPs that applied a new configuration.", d->st.reconfigs),
	C("reconfigurations refused", "reconfigurations_refused_total",
	    "SIGHUPs whose configuration was refused.", d->st.reconfig_errors),
	C("rotate requests", "rotate_requests_total", "SIGUSR1s.",
	    d->st.rotate_requests),
	C("resume requests", "resume_requests_total", "SIGUSR2s.",
	    d->st.resumes),
	C("space_left events", "space_left_events_total",
	    "space_left reached.", d->st.space_left_events),
	C("admin_space_left events", "admin_space_left_events_total",
	    "admin_space_left reached.", d->st.admin_space_left_events),
	C("disk_full events", "disk_full_events_total",
	    "The log's file system was full.", d->st.disk_full_events),
	C("disk_error events", "disk_error_events_total",
	    "Errors writing or syncing the log.", d->st.disk_error_events),
	C("max_log_file events", "max_log_file_events_total",
	    "max_log_file reached.", d->st.max_log_file_events),
	C("action programs started", "action_programs_total",
	    "Programs an action started.", d->st.actions),
	C("action programs failed", "action_program_errors_total",
	    "Programs an action could not start.", d->st.action_errors),
	C("daemon records not queued", "daemon_records_lost_total",
	    "DAEMON_* records that could not be queued.",
	    d->st.record_errors),
	C("name lookups cached", "name_lookups_cached_total",
	    "ENRICHED uid/gid names found in a worker's cache.",
	    st->names.hits),
	C("name lookups missed", "name_lookups_missed_total",
	    "ENRICHED uid/gid names not in the cache.", st->names.misses),
	C("name service calls", "name_service_calls_total",
	    "getpwuid_r/getgrgid_r calls.", st->names.nss_calls),
	C("name service errors", "name_service_errors_total",
	    "Name service calls that failed.", st->names.nss_errors),
	C("name refreshes", "name_refreshes_total",
	    "Times a worker's names were refreshed.", st->names.refreshes),
	C("name drops", "name_drops_total",
	    "Times a worker forgot its names after a user or group "
	    "management record.", st->names.drops),
	C("names too long to keep", "names_too_long_total",
	    "Lookups of names longer than the cache keeps.",
	    st->names.too_long),
	};

	size_t k = sizeof(rows) / sizeof(rows[0]);

	_Static_assert(sizeof(rows) / sizeof(rows[0]) + KERNEL_ROWS +
	    NET_ROWS <= METRICS_MAX, "METRICS_MAX is too small");
	memcpy(m, rows, sizeof(rows));
	k += collect_kernel(in, m + k);
	if (d->net != NULL)
		k += collect_net(d->net, m + k);
	return k;
}

#undef C
#undef G

static const struct {
	const char *report;	/* "receive->written" */
	const char *prom;
	const char *help;
	size_t off;		/* the hist in struct wr_stats */
} lats[] = {
	{ "receive->written", "ringauditd_receive_to_written_seconds",
	    "From a record's arrival to its write completing.",
	    offsetof(struct wr_stats, lat_written) },
	{ "receive->durable", "ringauditd_receive_to_durable_seconds",
	    "From a record's arrival to a sync covering it (flush = data, "
	    "sync).", offsetof(struct wr_stats, lat_durable) },
	{ "writer switch", "ringauditd_writer_switch_seconds",
	    "How long the writer took no records for a rotation, a resume "
	    "or new parameters.", offsetof(struct wr_stats, lat_switch) },
};

static const struct {
	const char *label;
	double q;
} quants[] = {
	{ "p50", 0.5 }, { "p90", 0.9 }, { "p99", 0.99 }, { "p99.9", 0.999 },
};

static const struct hist *
lat_hist(const struct pl_stats *st, size_t i)
{
	return (const struct hist *)(const void *)((const char *)&st->wr +
	    lats[i].off);
}

/*
 * The histograms' bounds, in seconds: the same on every daemon, so that a
 * fleet's buckets add up.  Each is counted from the log-linear buckets
 * that lie wholly under it (hist_count_le): within 12.5%, on the low side.
 */
static const double les[] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

void
metrics_gather(struct dmn *d, struct metrics_in *in)
{
	struct statvfs sv;
	struct stat sb;

	memset(in, 0, sizeof(*in));
	pl_get_stats(d->p, &in->st);
	pl_get_writer_state(d->p, &in->ws);
	in->ks_rc = ingest_kernel_status(&in->ks);
	/* The writer publishes its state at its own events (a space check,
	 * an error, a rotation); the log's size and the free space are read
	 * now, as ls and df would, and counted as the writer counts them. */
	if (!d->writes_file)
		return;
	if (stat(d->cfg->log_file, &sb) == 0)
		in->ws.log_size = sb.st_size;
	if (statvfs(d->cfg->log_file, &sv) == 0) {
		in->ws.avail = (uint64_t)sv.f_bavail * sv.f_frsize;
		in->ws.total = (uint64_t)sv.f_blocks * sv.f_frsize;
	}
}

void
metrics_report(FILE *f, const struct dmn *d, const struct metrics_in *in)
{
	struct metric m[METRICS_MAX];
	size_t n = collect(d, in, m);

	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s = %" PRIu64 "\n", m[i].report, m[i].v);
	for (size_t i = 0; i < sizeof(lats) / sizeof(lats[0]); i++) {
		const struct hist *h = lat_hist(&in->st, i);

		for (size_t q = 0; q < sizeof(quants) / sizeof(quants[0]); q++)
			fprintf(f, "%s %s us = %" PRIu64 "\n", lats[i].report,
			    quants[q].label,
			    hist_quantile(h, quants[q].q) / 1000);
		fprintf(f, "%s max us = %" PRIu64 "\n", lats[i].report,
		    h->max / 1000);
	}
}

void
metrics_prometheus(FILE *f, const struct dmn *d, const struct metrics_in *in)
{
	struct metric m[METRICS_MAX];
	size_t n = collect(d, in, m);

	fprintf(f, "# HELP ringauditd_build_info The daemon's version, and "
	    "the auditd it stands in for.\n# TYPE ringauditd_build_info "
	    "gauge\nringauditd_build_info{version=\"%s\",auditd=\"%s\"} 1\n",
	    RA_VERSION, PL_AUDITD_COMPAT);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n",
		    m[i].prom, m[i].help, m[i].prom,
		    m[i].type == M_COUNTER ? "counter" : "gauge", m[i].prom,
		    m[i].v);
	for (size_t i = 0; i < sizeof(lats) / sizeof(lats[0]); i++) {
		const struct hist *h = lat_hist(&in->st, i);

		fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", lats[i].prom,
		    lats[i].help, lats[i].prom);
		for (size_t b = 0; b < sizeof(les) / sizeof(les[0]); b++)
			fprintf(f, "%s_bucket{le=\"%g\"} %" PRIu64 "\n",
			    lats[i].prom, les[b],
			    hist_count_le(h, (uint64_t)(les[b] * 1e9 + 0.5)));
		fprintf(f, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n%s_sum %.9f\n"
		    "%s_count %" PRIu64 "\n", lats[i].prom, h->count,
		    lats[i].prom, (double)h->sum / 1e9, lats[i].prom, h->count);
		fprintf(f, "# HELP %s_max %s The longest.\n"
		    "# TYPE %s_max gauge\n%s_max %.9f\n", lats[i].prom,
		    lats[i].help, lats[i].prom, lats[i].prom,
		    (double)h->max / 1e9);
	}
}

void
metrics_all(FILE *f, struct dmn *d)
{
	struct metrics_in in;

	metrics_gather(d, &in);
	metrics_prometheus(f, d, &in);
	metrics_plugins(f, d, true);
}

int
metrics_write(struct dmn *d, const char *path)
{
	return files_write(path, 0644, metrics_all, d);
}

static const char *const disp_states[] = {
	[DISP_ST_RUNNING] = "running",
	[DISP_ST_RESTARTING] = "restarting",
	[DISP_ST_DEAD] = "dead",
	[DISP_ST_SUSPENDED] = "suspended",
	[DISP_ST_LISTENING] = "listening",
};

/* A label value: '\\', '"' and newlines escaped, as Prometheus says. */
static void
put_label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void
prom_plugin(FILE *f, const char *name, const char *help, bool counter,
    const struct disp_plugin_stats *ps, unsigned n, size_t off)
{
	fprintf(f, "# HELP ringauditd_plugin_%s %s\n# TYPE ringauditd_plugin_%s "
	    "%s\n", name, help, name, counter ? "counter" : "gauge");
	for (unsigned i = 0; i < n; i++) {
		const char *p = (const char *)&ps[i] + off;
		/* Counters are uint64_t, gauges unsigned. */
		uint64_t v = counter ? *(const uint64_t *)(const void *)p :
		    *(const unsigned *)(const void *)p;

		fprintf(f, "ringauditd_plugin_%s{plugin=\"", name);
		put_label(f, ps[i].name);
		fprintf(f, "\"} %" PRIu64 "\n", v);
	}
}

void
metrics_plugins(FILE *f, const struct dmn *d, bool prom)
{
	static const struct {
		const char *name, *report, *help;
		bool counter;
		size_t off;
	} rows[] = {
#define P(n, r, h, c, fld) { n, r, h, c, offsetof(struct disp_plugin_stats, fld) }
	P("offered_total", "offered", "Records meant for the plugin.", true,
	    offered),
	P("delivered_total", "delivered", "Records written to it whole.",
	    true, delivered),
	P("dropped_total", "dropped", "Records it did not get: queue "
	    "overflow, suspension, death, a full feed.", true, dropped),
	P("restarts_total", "restarts", "Times it was started again.", true,
	    restarts),
	P("queue_depth", "queue depth", "Records queued for it now.", false,
	    depth),
	P("queue_high", "queue high", "Most records queued for it at once.",
	    false, high),
	P("clients", "clients", "af_unix clients connected now.", false,
	    clients),
#undef P
	};
	static struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats ds;
	unsigned n, i;
	size_t r;

	if (d->disp == NULL)
		return;
	n = disp_get_stats(d->disp, &ds, ps, DISP_PLUGINS_MAX);
	if (prom) {
		fprintf(f, "# HELP ringauditd_dispatch_feed_lost_total Records "
		    "the dispatcher's feed had no room for.\n# TYPE "
		    "ringauditd_dispatch_feed_lost_total counter\n"
		    "ringauditd_dispatch_feed_lost_total %" PRIu64 "\n",
		    ds.feed_lost);
		fprintf(f, "# HELP ringauditd_dispatch_feed_skipped_total "
		    "Records not copied for plugins: every plugin's queue "
		    "was full (each counted dropped).\n# TYPE "
		    "ringauditd_dispatch_feed_skipped_total counter\n"
		    "ringauditd_dispatch_feed_skipped_total %" PRIu64 "\n",
		    ds.feed_skipped);
		fprintf(f, "# HELP ringauditd_dispatch_records_inline_total "
		    "Records given to plugins on ingest's thread while the "
		    "dispatch thread slept (inline).\n# TYPE "
		    "ringauditd_dispatch_records_inline_total counter\n"
		    "ringauditd_dispatch_records_inline_total %" PRIu64 "\n",
		    ds.helped);
		fprintf(f, "# HELP ringauditd_dispatch_suspended Plugins get "
		    "nothing (overflow_action = suspend) until SIGUSR2.\n"
		    "# TYPE ringauditd_dispatch_suspended gauge\n"
		    "ringauditd_dispatch_suspended %d\n", ds.suspended);
		for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++)
			prom_plugin(f, rows[r].name, rows[r].help,
			    rows[r].counter, ps, n, rows[r].off);
		fprintf(f, "# HELP ringauditd_plugin_up 1 if the plugin runs "
		    "(or listens), 0 if it is dead or restarting.\n"
		    "# TYPE ringauditd_plugin_up gauge\n");
		for (i = 0; i < n; i++) {
			fprintf(f, "ringauditd_plugin_up{plugin=\"");
			put_label(f, ps[i].name);
			fprintf(f, "\"} %d\n", ps[i].state != DISP_ST_DEAD &&
			    ps[i].state != DISP_ST_RESTARTING);
		}
		return;
	}
	fprintf(f, "dispatch records = %" PRIu64 "\n", ds.records);
	fprintf(f, "dispatch records inline = %" PRIu64 "\n", ds.helped);
	fprintf(f, "dispatch feed lost = %" PRIu64 "\n", ds.feed_lost);
	fprintf(f, "dispatch feed skipped = %" PRIu64 "\n", ds.feed_skipped);
	fprintf(f, "dispatch feed bytes = %" PRIu64 "\n", ds.feed_bytes);
	for (i = 0; i < n; i++) {
		fprintf(f, "plugin %s path = %s\n", ps[i].name, ps[i].path);
		fprintf(f, "plugin %s state = %s\n", ps[i].name,
		    disp_states[ps[i].state]);
		fprintf(f, "plugin %s pid = %d\n", ps[i].name, (int)ps[i].pid);
		for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
			const char *p = (const char *)&ps[i] + rows[r].off;
			uint64_t v = rows[r].counter ?
			    *(const uint64_t *)(const void *)p :
			    *(const unsigned *)(const void *)p;

			fprintf(f, "plugin %s %s = %" PRIu64 "\n", ps[i].name,
			    rows[r].report, v);
		}
	}
}
