/*
 * bench.h - inside ringaudit-bench: the interface between its files.
 *
 *   main.c    set-up, and the clean-up that every exit path runs
 *             (atexit, the signal thread)
 *   cli.c     the command line and --help
 *   run.c     one run (load, samples, settling), fixed rates, the sweep
 *   kaudit.c  the kernel's audit subsystem over netlink (libmnl): status,
 *             settings, the one rule, registration for --drain
 *   gen.c     the load generator: T threads calling getppid(2)
 *   count.c   the daemon's side: its log, counted by the rule's key and
 *             serial; its CPU and memory from /proc
 *   drain.c   --drain: a child process as the audit daemon, discarding
 *   report.c  the table, JSON lines, and the gnuplot PNG
 *   fleet.c   remote-logging clients, N connections in one thread
 *             (fleet.h: ra-netload drives it too)
 *   remote.c  --remote: runs of the fleet against a log server, and the
 *             server's CPU (per thread) and memory from /proc
 *
 * Functions that can fail return 0 or a negative errno.  Names start
 * with rb_.
 */
#ifndef RINGAUDIT_BENCH_H
#define RINGAUDIT_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ingest/ingest.h"

#define RB_NAME "ringaudit-bench"
#define RB_DEFAULT_LOG "/var/log/audit/audit.log"
#define RB_MAX_RATES 64
#define RB_MAX_WINDOWS 16

/* kaudit.c */

/* The kernel's status: ingest_kernel_status (struct ingest_kstatus). */
/* AUDIT_SET of backlog_limit and/or backlog_wait_time (mask says). */
int rb_k_set_backlog(uint32_t mask, uint32_t limit, uint32_t wait_time);
/* AUDIT_SET enabled; 0 or 1 only: 2 locks audit until reboot. */
int rb_k_set_enabled(uint32_t enabled);
/* AUDIT_SET pid 0: the kernel accepts it only from the registered pid. */
int rb_k_unregister(void);
/*
 * The bench rule: exit,always -F arch=<native> -S getppid -F pid=TGID
 * -k KEY.  Deleting sends the same rule data, which the kernel compares
 * field by field, so exactly this rule goes.
 */
int rb_k_rule(bool add, pid_t tgid, const char *key);
/* The syscall the rule watches, for messages. */
extern const char rb_k_syscall_name[];

/* A socket registered as the audit daemon (--drain). */
struct mnl_socket;
struct rb_kdaemon {
	struct mnl_socket *nl;
	int fd;
};
int rb_k_register(struct rb_kdaemon *kd, unsigned rcvbuf, int timeout_ms,
    uint64_t *records_before_ack);
void rb_k_close(struct rb_kdaemon *kd);
/* N receive slots for recvmmsg on the registered socket, slot i in
 * bufs + i * size, its sender's address in addr[i]. */
struct mmsghdr;
struct iovec;
struct sockaddr_nl;
void rb_k_recv_slots(struct mmsghdr *msgs, struct iovec *iov,
    struct sockaddr_nl *addr, char *bufs, unsigned n, size_t size);

/* gen.c */

struct rb_gen_config {
	unsigned threads;
	double rate;		/* events/s for all threads; 0: as fast */
	uint64_t count;		/* events in all; 0: run for duration_s */
	double duration_s;
};

struct rb_gen;

int rb_gen_start(struct rb_gen **out, const struct rb_gen_config *c);
uint64_t rb_gen_made(struct rb_gen *g);
bool rb_gen_done(struct rb_gen *g);
void rb_gen_stop(struct rb_gen *g);
/* Waits for the threads: the calls made, the seconds from the start to
 * the last thread's end, and that end (CLOCK_MONOTONIC). */
void rb_gen_join(struct rb_gen *g, uint64_t *made, double *secs,
    int64_t *end_ns);

/* count.c */

struct rb_logcount;

/* Counts what appears in PATH and PATH.N after this call. */
int rb_logcount_create(struct rb_logcount **out, const char *path,
    const char *key);
void rb_logcount_destroy(struct rb_logcount *lc);
/* Reads what the daemon added since the last poll. */
int rb_logcount_poll(struct rb_logcount *lc);
/* A new run starts: events stamped before from_ms (realtime) are stale. */
void rb_logcount_window(struct rb_logcount *lc, uint64_t from_ms);
struct rb_counts {
	uint64_t events;	/* distinct serials in the window */
	uint64_t dups;		/* serials seen again */
	uint64_t stale;		/* events of an earlier run, late */
	int64_t last_write_ns;	/* mtime of the newest log (realtime) */
};
void rb_logcount_get(struct rb_logcount *lc, struct rb_counts *c);

/* utime+stime in seconds; VmRSS, VmHWM and VmData (NULL: not asked) in
 * KiB; comm and exe. */
int rb_proc_cpu(pid_t pid, double *secs);
int rb_proc_mem(pid_t pid, uint64_t *rss_kb, uint64_t *hwm_kb,
    uint64_t *data_kb);
void rb_proc_name(pid_t pid, char *comm, size_t commlen, char *exe,
    size_t exelen);

/* drain.c */

struct rb_drain;

/* Forks the child that registers and drains; -EEXIST: a daemon is. */
int rb_drain_start(struct rb_drain **out, const char *key, unsigned rcvbuf);
pid_t rb_drain_pid(struct rb_drain *d);
void rb_drain_window(struct rb_drain *d, uint64_t from_ms);
struct rb_drain_counts {
	uint64_t events;	/* SYSCALL records with the key, in window */
	uint64_t stale;
	uint64_t records;	/* every record received */
	uint64_t last_event_ns;	/* CLOCK_MONOTONIC */
};
void rb_drain_get(struct rb_drain *d, struct rb_drain_counts *c);
/* The child unregisters and is reaped; again: nothing.  Any thread. */
int rb_drain_stop(struct rb_drain *d);
void rb_drain_free(struct rb_drain *d);

/* report.c */

enum rb_verdict { RB_OK, RB_LOST, RB_UNWRITTEN, RB_SHORT, RB_INTERRUPTED };

struct rb_result {
	const char *mode;	/* "rate", "sweep", "drain", "drain-sweep" */
	unsigned step;		/* sweep: 1, 2, ...; else 0 */
	double rate_req;	/* 0: max */
	unsigned threads;
	uint64_t generated;
	double gen_s;
	double achieved;	/* events/s */
	uint64_t written;	/* in the log, or received (drain) */
	uint64_t dups, stale;
	uint64_t records;	/* drain: every record received */
	uint32_t lost;
	uint32_t peak_backlog;
	uint32_t backlog_limit, backlog_wait_time;
	bool has_wait_actual;
	uint32_t wait_actual;	/* backlog_wait_time_actual delta */
	double daemon_cpu_s;	/* <0: unknown */
	uint64_t rss_peak_kb, hwm_kb;
	bool settled;		/* every generated event written */
	double written_s;	/* generator start to last event written */
	double lag_s;		/* generator stop to last event written */
	enum rb_verdict verdict;
};

struct rb_report_info {
	const char *key;
	pid_t tool_pid;
	pid_t daemon_pid;		/* the kernel's registered pid */
	pid_t measured_pid;		/* whose CPU and memory (--pid) */
	const char *daemon_comm, *daemon_exe;
	const char *log;	/* NULL in drain mode */
	uint32_t failure, rate_limit;
	bool enabled_for_run;
};

const char *rb_verdict_name(enum rb_verdict v);
void rb_report_head(FILE *f, const struct rb_report_info *in);
void rb_report_row(FILE *f, const struct rb_result *r);
void rb_report_json(FILE *f, const struct rb_report_info *in,
    const struct rb_result *r);
bool rb_plot_available(void);
int rb_plot(const char *png, const struct rb_report_info *in,
    const struct rb_result *rs, size_t n);

/* cli.c */

struct rb_opts {
	double rates[RB_MAX_RATES];	/* 0: max */
	size_t nrates;
	bool sweep;
	double sweep_lo, sweep_hi;
	unsigned sweep_steps;
	double duration_s;
	bool duration_set;
	uint64_t count;
	unsigned threads;
	bool drain;
	const char *log;
	pid_t pid;
	double settle_s;
	bool limit_default, wait_default;
	uint32_t backlog_limit, wait_time;
	bool json;
	const char *plot;
	unsigned rcvbuf;
	bool quiet;
	/* --remote HOST:PORT (then pid is the server's, and rates are
	 * records/s, 0: max) */
	bool remote;
	char remote_host[256], remote_port[16];
	unsigned clients;
	unsigned windows[RB_MAX_WINDOWS];
	size_t nwindows;
	unsigned size;
	const char *tag;
	double idle_s;
	double grace_s;
	const char *per_client;
};

/* Exits 2 on a bad argument, naming it; 0 after --help. */
void rb_cli_parse(struct rb_opts *o, int argc, char **argv);

/* run.c */

struct rb_ctx {
	const struct rb_opts *o;
	struct rb_report_info info;
	pid_t dpid;			/* for /proc; 0: none */
	struct rb_logcount *lc;
	struct rb_drain *dr;
	uint32_t limit, wait;		/* in force for the runs */
	bool tty;
	struct rb_result *results;
	size_t nresults, capresults;
	/* main.c's signal thread sets it to the first signal's number:
	 * then the runs wind down.  Read with rb_stopped(). */
	const int *stop;
};

void rb_run_fixed(struct rb_ctx *x);

/* remote.c: the whole of --remote; the exit status.  *stop as rb_ctx's. */
int rb_remote_main(const struct rb_opts *o, const int *stop);
void rb_run_sweep(struct rb_ctx *x);

/* The first signal's number, once one came (then: wind down), or 0. */
static inline int
rb_stopped(const struct rb_ctx *x)
{
	return __atomic_load_n(x->stop, __ATOMIC_RELAXED);
}

#endif
