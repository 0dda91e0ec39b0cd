/*
 * daemon.h - inside the daemon stage: what main's control loop shares with
 * the files that do its work.  control.c turns signals and the writer's
 * events into DAEMON_* records and auditd's actions; actions.c runs the
 * programs an action names; state.c writes the pid file and SIGCONT's
 * state report.  Not an interface for other stages.
 */
#ifndef RINGAUDIT_DAEMON_H
#define RINGAUDIT_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <time.h>

#include "daemon/cfg.h"
#include "daemon/pipeline.h"
#include "dispatch/dispatch.h"
#include "net/net.h"

/* Counters of the control thread, for the state report. */
struct dmn_stats {
	uint64_t reconfigs;		/* SIGHUP that applied a new config */
	uint64_t reconfig_errors;	/* SIGHUP with a bad config */
	uint64_t rotate_requests;	/* SIGUSR1 */
	uint64_t resumes;		/* SIGUSR2 */
	uint64_t state_reports;		/* SIGCONT */
	uint64_t actions;		/* programs started by an action */
	uint64_t action_errors;		/* ... that could not be started */
	uint64_t record_errors;		/* DAEMON_* records not queued */
	uint64_t space_left_events, admin_space_left_events;
	uint64_t disk_full_events, disk_error_events, max_log_file_events;
};

struct dmn {
	struct cfg *cfg;		/* in force; replaced on SIGHUP */
	const char *dir;		/* -c */
	bool symlinks;			/* -l */
	struct pl *p;
	struct disp *disp;		/* plugins */
	struct net *net;		/* remote clients; NULL: none */
	uint32_t auid, ses;		/* the daemon's own, for its records */
	bool writes_file;		/* not -f, write_logs */
	bool multicast;			/* not the kernel's registered daemon
					 * (ingest = multicast, local_events =
					 * no), fixed at start: never ask the
					 * kernel who signalled */
	struct signalfd_siginfo stop_si; /* the TERM or INT that stops us */
	char node[CFG_NAME_MAX + 1];	/* name_format's, for the workers */
	int nice_base;			/* the niceness the daemon started
					 * with: priority_boost is below it */
	struct dmn_stats st;
	bool metrics_failed;		/* the last metrics_file write failed */
	time_t started;			/* for ringauditd_start_time_seconds */
	int ctl_fd;			/* control_socket's listener, or -1 */
};

/* control.c */
/* A number in /proc/PID/NAME (PID 0: this process), or -1. */
uint32_t dmn_proc_u32(pid_t pid, const char *name);
void dmn_wr_params(const struct cfg *c, struct wr_params *wp);
/* gather_ms as ingest takes it: 0 with flush = data or sync. */
unsigned dmn_gather_ms(const struct cfg *c);
/* A signal; returns true when the daemon must stop (TERM, INT). */
bool dmn_signal(struct dmn *d, const struct signalfd_siginfo *si);
/* The writer posted events: run the actions they call for. */
void dmn_writer_events(struct dmn *d);
/* The dispatcher's settings from auditd.conf's. */
void dmn_disp_config(const struct cfg *c, struct disp_config *dc);
/* The dispatcher posted events (overflow_action single, halt). */
void dmn_disp_events(struct dmn *d);
/* DAEMON_END's text, with who sent the signal. */
void dmn_end_text(struct dmn *d, char *buf, size_t len);
/* name_format's node name, copied into d's buffer; -errno if it cannot
 * be had. */
int dmn_node(struct dmn *d, const struct cfg *c, struct parse_opts *o);
/* Niceness base - boost (priority_boost); 0 or -errno. */
int dmn_priority(int base, unsigned long boost);

/* remote.c: the network stage, when tcp_listen_port is set (else each
 * does nothing).  create opens the listener (-errno, said in auditd's
 * words); stop sends ENDING and closes every client. */
int dmn_net_create(struct dmn *d, const struct cfg *c);
int dmn_net_start(struct dmn *d);
void dmn_net_stop(struct dmn *d);
void dmn_net_destroy(struct dmn *d);

/* actions.c */
/* Start path (no arguments, as auditd), or "init_command N"; not waited
 * for.  Returns 0 or -errno. */
int act_exec(const char *path, const char *arg);
/* Mail action_mail_acct through "cfg->sendmail -t -fACCT", as auditd. */
int act_email(const struct cfg *c, const char *subject, const char *body);
/* Collect finished children (SIGCHLD). */
void act_reap(void);

/* files.c */
/*
 * Write path anew: fill into path.tmp (O_EXCL | O_NOFOLLOW, given exactly
 * mode), then rename it over path, replacing a symlink, FIFO or hard link
 * there, never writing through it.  0 or -errno.  d may be NULL if fill
 * does not look at it.
 */
typedef void (*files_fill_fn)(FILE *f, struct dmn *d);
int files_write(const char *path, mode_t mode, files_fill_fn fill,
    struct dmn *d);
/* auditd's pid file: the pid and a newline, 0644 ("" : none). */
int files_pid_write(const char *path);
void files_pid_remove(const char *path);

/* state.c */
int state_report(struct dmn *d);

/* metrics.c */
/* What one showing of the figures reads, all at one moment. */
struct metrics_in {
	struct pl_stats st;
	struct wr_state ws;
	struct ingest_kstatus ks;	/* the kernel's (AUDIT_GET) */
	int ks_rc;			/* 0, or -errno: ks not shown */
};
void metrics_gather(struct dmn *d, struct metrics_in *in);
/* ringauditd's own lines of the state report ("name = value"). */
void metrics_report(FILE *f, const struct dmn *d,
    const struct metrics_in *in);
/* The same figures in Prometheus's text format. */
void metrics_prometheus(FILE *f, const struct dmn *d,
    const struct metrics_in *in);
/* Each plugin's figures: report lines, or Prometheus metrics. */
void metrics_plugins(FILE *f, const struct dmn *d, bool prom);
/* metrics_file: written anew (renamed over). 0 or -errno. */
int metrics_write(struct dmn *d, const char *path);
/* Everything metrics_write puts in the file, into f. */
void metrics_all(FILE *f, struct dmn *d);

/* ctlsock.c: control_socket, read-only: each connection gets the metrics
 * and is closed.  open: 0 or -errno (said); "" opens nothing. */
int ctl_open(struct dmn *d, const char *path);
/* The listener is readable: answer who is waiting. */
void ctl_serve(struct dmn *d);
void ctl_close(struct dmn *d, const char *path);

#endif
