/*
 * cfg.h - auditd.conf, read with auditd's syntax, defaults and checks, and
 * ringauditd.conf, the optional file beside it for what auditd does not
 * have (so that auditd.conf stays valid for auditd).
 *
 * Both files are "key = value" lines, '#' comments, blank lines ignored.
 * A bad line stops the load with a message that names the file, the line
 * and the value; the daemon then exits 6, as auditd does.
 */
#ifndef RINGAUDIT_CFG_H
#define RINGAUDIT_CFG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum cfg_flush {
	CFG_FLUSH_NONE,
	CFG_FLUSH_INCREMENTAL,
	CFG_FLUSH_INCREMENTAL_ASYNC,
	CFG_FLUSH_DATA,
	CFG_FLUSH_SYNC,
};

enum cfg_log_format {
	CFG_LOG_FORMAT_RAW,
	CFG_LOG_FORMAT_ENRICHED,
};

enum cfg_name_format {
	CFG_NAME_NONE,
	CFG_NAME_HOSTNAME,
	CFG_NAME_FQD,
	CFG_NAME_NUMERIC,
	CFG_NAME_USER,
};

/* space_left_action, admin_space_left_action, disk_full_action and
 * disk_error_action; not every key takes every action (auditd.conf(5)). */
enum cfg_action {
	CFG_ACT_IGNORE,
	CFG_ACT_SYSLOG,
	CFG_ACT_ROTATE,
	CFG_ACT_EMAIL,
	CFG_ACT_EXEC,
	CFG_ACT_SUSPEND,
	CFG_ACT_SINGLE,
	CFG_ACT_HALT,
};

/* max_log_file_action.  auditd 3.0.9 has no "exec" here (later ones do):
 * it refuses "exec", as its man page says. */
enum cfg_max_action {
	CFG_MAX_IGNORE,
	CFG_MAX_SYSLOG,
	CFG_MAX_SUSPEND,
	CFG_MAX_ROTATE,
	CFG_MAX_KEEP_LOGS,
};

enum cfg_overflow {		/* overflow_action (plugins' queue) */
	CFG_OVF_IGNORE,
	CFG_OVF_SYSLOG,
	CFG_OVF_SUSPEND,
	CFG_OVF_SINGLE,
	CFG_OVF_HALT,
};

enum cfg_transport {
	CFG_TRANSPORT_TCP,
	CFG_TRANSPORT_KRB5,
};

enum cfg_ingest {		/* ringauditd.conf's ingest */
	CFG_INGEST_UNICAST,	/* the registered audit daemon */
	CFG_INGEST_MULTICAST,	/* a listener beside it; sets nothing */
};

enum cfg_scheduler {		/* ringauditd.conf's scheduler */
	CFG_SCHED_BATCH,	/* SCHED_BATCH: no preemption on wake-up */
	CFG_SCHED_OTHER,	/* the default policy */
};

enum cfg_remote_ack {		/* ringauditd.conf's remote_ack */
	CFG_ACK_WRITTEN,	/* as auditd: once written */
	CFG_ACK_DURABLE,	/* once synced (flush = data or sync) */
};

#define CFG_NAME_MAX 255
#define CFG_VALUE_MAX 256
#define CFG_WARN_MAX 16
#define CFG_WARN_LEN 320

/* An action, and the program it runs for "exec /path". */
struct cfg_act {
	enum cfg_action act;
	char exe[PATH_MAX];		/* CFG_ACT_EXEC only, else "" */
};

/* A space threshold: MiB, or a percentage of the partition ("N%", 1..99;
 * "0%" is 0 MiB, as in auditd). */
struct cfg_space {
	unsigned long value;
	bool percent;
};

struct cfg {
	/* auditd.conf */
	bool local_events;
	bool write_logs;
	char log_file[PATH_MAX];
	enum cfg_log_format log_format;
	gid_t log_group;
	enum cfg_flush flush;
	unsigned long freq;
	enum cfg_name_format name_format;
	char name[CFG_NAME_MAX + 1];
	unsigned long priority_boost;

	/* rotation */
	unsigned long num_logs;			/* 0..999; < 2: no rotation */
	unsigned long max_log_file;		/* MiB */
	enum cfg_max_action max_log_file_action;

	/* disk space */
	struct cfg_space space_left;
	struct cfg_act space_left_action;
	struct cfg_space admin_space_left;
	struct cfg_act admin_space_left_action;
	struct cfg_act disk_full_action;
	struct cfg_act disk_error_action;
	char action_mail_acct[CFG_VALUE_MAX];
	bool verify_email;

	/* network (validated and kept; not acted on yet) */
	unsigned long tcp_listen_port;		/* 0: not listening */
	unsigned long tcp_listen_queue;
	unsigned long tcp_max_per_addr;
	bool use_libwrap;
	unsigned long tcp_client_port_lo, tcp_client_port_hi;
	unsigned long tcp_client_max_idle;
	enum cfg_transport transport;
	bool enable_krb5;		/* deprecated; yes sets transport */
	char krb5_principal[CFG_VALUE_MAX];
	char krb5_key_file[PATH_MAX];
	bool distribute_network;

	/* plugins (validated and kept; not acted on yet) */
	unsigned long q_depth;
	enum cfg_overflow overflow_action;
	unsigned long max_restarts;
	char plugin_dir[PATH_MAX];		/* as auditd: '/' appended */
	unsigned long end_of_event_timeout;	/* seconds */

	/* Notes that do not stop a load ("FILE:LINE: ..."): deprecated
	 * options, lines auditd skips, loose modes.  auditd prints the same
	 * ones; the caller logs them.  Cleared by cfg_defaults and cfg_load. */
	char warn[CFG_WARN_MAX][CFG_WARN_LEN];
	unsigned n_warn;

	/* ringauditd.conf */
	enum cfg_ingest ingest;		/* unicast; fixed at start */
	unsigned workers;		/* parser workers, 1..64 */
	unsigned records;		/* record pool size, 64..1048576 */
	unsigned ring_size;		/* per-ring capacity, 16..1048576 */
	unsigned netlink_rcvbuf;	/* bytes, SO_RCVBUFFORCE */
	unsigned drain_timeout_ms;	/* shutdown: wait this long for the
					 * kernel's queue to empty */
	unsigned write_batch;		/* bytes in one write buffer */
	unsigned gather_ms;		/* records coming often: let them
					 * gather this long (ingest.h) */
	enum cfg_scheduler scheduler;	/* the stage threads' policy
					 * (common/thread.h), at start */
	int inline_work;		/* 1: ingest formats and writes a
					 * small batch itself while the other
					 * stages sleep (ring.h's baton) */
	unsigned name_cache_entries;	/* ENRICHED: uid (and gid) names each
					 * worker keeps */
	unsigned name_cache_refresh;	/* seconds between refreshes of the
					 * names; 0: only on SIGHUP */
	char pid_file[PATH_MAX];	/* "" until set: see cfg_pid_file() */
	char metrics_file[PATH_MAX];	/* Prometheus text file; "": none */
	unsigned metrics_interval;	/* seconds between its rewrites */
	char control_socket[108];	/* ringaudit-top's socket (ctlsock.c);
					 * "": none (sun_path's size) */
	char state_file[PATH_MAX];	/* SIGCONT's report,
					 * /var/run/auditd.state */
	char init_command[PATH_MAX];	/* single: "CMD 1", halt: "CMD 0";
					 * /sbin/init; tests name a stand-in */
	char sendmail[PATH_MAX];	/* email action: /usr/lib/sendmail */
	enum cfg_remote_ack remote_ack;	/* when a remote record is acked */
	unsigned remote_ack_line;	/* ... its line, for the error */
	unsigned tcp_max_clients;	/* clients connected at once */
	unsigned tcp_messages;		/* remote records in the pipeline */
	unsigned tcp_client_messages;	/* ... from one client */
};

void cfg_defaults(struct cfg *c);

/*
 * Read DIR/auditd.conf, then DIR/ringauditd.conf if it exists, into c
 * (which cfg_defaults filled).  Returns 0, or a negative errno with a
 * message in err ("FILE:LINE: ..."): -EINVAL for bad content, -EPERM for
 * a file not owned by root, world writable or not regular, else open()'s;
 * c is then left as it was.  A missing auditd.conf means the defaults, as
 * in auditd (with a note in c->warn).  allow_symlinks: auditd's -l.
 */
int cfg_load(struct cfg *c, const char *dir, bool allow_symlinks,
    char *err, size_t errlen);

/* One file; for tests and for cfg_load. */
int cfg_load_auditd(struct cfg *c, const char *path, bool allow_symlinks,
    char *err, size_t errlen);
int cfg_load_ringauditd(struct cfg *c, const char *path, char *err,
    size_t errlen);

/*
 * The pid file to write: pid_file if ringauditd.conf set it, else auditd's
 * /var/run/auditd.pid for unicast, and "" (none) for multicast, where that
 * file belongs to the registered daemon.
 */
const char *cfg_pid_file(const struct cfg *c);

const char *cfg_flush_name(enum cfg_flush f);
const char *cfg_action_name(enum cfg_action a);
const char *cfg_max_action_name(enum cfg_max_action a);

#endif
