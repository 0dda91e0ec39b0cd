/*
 * dispatch.h - the dispatcher: auditd's plugins (plugins.d), fed from the
 * writer, each plugin and each af_unix client with its own bounded queue.
 * The whole interface of src/dispatch/; the daemon, the tests and the
 * benchmarks use nothing else of the stage.
 *
 * The writer copies every record it takes (EOE included, in log order)
 * into a feed (ring.h, struct ring_feed) and never waits for it: a full
 * feed is counted, never waited on.  One dispatch thread takes the feed
 * and writes to every consumer what its socket takes; a consumer whose
 * queue holds q_depth records meets overflow_action.  dispatch.c says how.
 */
#ifndef RINGAUDIT_DISPATCH_H
#define RINGAUDIT_DISPATCH_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ring/ring.h"

/* ---- plugins.d, read as auditd 3.0.9 reads it (pconf.c) ---- */

#define DISP_ARGS_MAX 2		/* auditd 3.0.9 takes two args at most */
#define DISP_LINE_MAX 160	/* auditd's line buffer, '\n' included */
#define DISP_NAME_MAX 256
#define DISP_AF_UNIX "builtin_af_unix"

enum disp_ptype {
	DISP_TYPE_ALWAYS,	/* an executable, started by the daemon */
	DISP_TYPE_BUILTIN,	/* builtin_af_unix */
};

enum disp_format {
	DISP_FMT_STRING,	/* the log line and '\n' */
	DISP_FMT_BINARY,	/* auditd's 16-byte header, fixed frame */
};

struct disp_pconf {
	char name[DISP_NAME_MAX];	/* the file's name: plugins match by it */
	bool active;
	enum disp_ptype type;
	enum disp_format format;
	char path[DISP_LINE_MAX];
	unsigned nargs;
	char args[DISP_ARGS_MAX][DISP_LINE_MAX];
	dev_t dev;			/* the binary's, at load: a HUP that */
	ino_t ino;			/* finds another restarts it */
};

/*
 * One file of plugin_dir ('dir' ends in '/', as auditd makes it), with
 * auditd's checks and messages (log_warnx, naming the file and line).
 * 0: read; pc->active says whether it is to run (an empty file, or
 * active = no, is not).  <0: the plugin is skipped ("Skipping NAME plugin
 * due to errors" was said).
 */
int disp_pconf_load(const char *dir, const char *name, struct disp_pconf *pc);

/*
 * The files auditd would read, in its order (readdir's, unsorted), names
 * with a leading '.' or more than one '.' passed over.  Fills at most max
 * active plugins into pcs; returns how many, or -errno if the folder
 * cannot be read.
 */
int disp_pconf_scan(const char *dir, struct disp_pconf *pcs, unsigned max);

/* ---- the dispatcher ---- */

enum disp_overflow {
	DISP_OVF_IGNORE,
	DISP_OVF_SYSLOG,
	DISP_OVF_SUSPEND,
	DISP_OVF_SINGLE,
	DISP_OVF_HALT,
};

#define DISP_PLUGINS_MAX 64	/* active plugin files */
#define DISP_CLIENTS_MAX 16	/* af_unix clients at once, per builtin */

struct disp_config {
	char plugin_dir[PATH_MAX];	/* as auditd: ends in '/' */
	unsigned q_depth;
	enum disp_overflow overflow;
	unsigned max_restarts;
	unsigned stop_ms;	/* at stop: time to hand plugins their queue */
	bool keep_stdio;	/* plugins share the daemon's stdout and
				 * stderr (-f), else /dev/null, as auditd */
};

/* What the daemon is told (disp_take_events), to act on as for disks. */
enum disp_event {
	DISP_EV_SINGLE = 1u << 0,	/* overflow_action = single */
	DISP_EV_HALT = 1u << 1,		/* overflow_action = halt */
};

enum disp_state {
	DISP_ST_RUNNING,
	DISP_ST_RESTARTING,
	DISP_ST_DEAD,		/* exceeded max_restarts, or cannot start */
	DISP_ST_SUSPENDED,	/* overflow_action = suspend, until resumed */
	DISP_ST_LISTENING,	/* builtin_af_unix */
};

struct disp_plugin_stats {
	char name[DISP_NAME_MAX];
	char path[DISP_LINE_MAX];
	enum disp_state state;
	pid_t pid;
	unsigned clients;	/* af_unix: connected now */
	uint64_t offered;	/* records meant for it */
	uint64_t delivered;	/* written to it whole (af_unix: to a client) */
	uint64_t dropped;	/* not delivered: overflow, dead, suspended */
	uint64_t restarts;
	unsigned depth;		/* queued now */
	unsigned high;		/* most queued at once */
};

struct disp_stats {
	unsigned active;	/* plugins running or to be restarted */
	uint64_t records;	/* taken from the feed */
	uint64_t helped;	/* ... of those, by ingest (disp_help) */
	uint64_t feed_lost;	/* the feed was full: lost for every plugin */
	uint64_t feed_skipped;	/* not copied: every plugin's queue was full */
	bool overflowed;	/* a queue overflowed since start or HUP */
	bool suspended;		/* overflow_action = suspend took effect */
	unsigned q_depth;
	unsigned high;		/* deepest queue ever */
	unsigned depth;		/* deepest queue now */
	uint64_t feed_bytes;	/* the feed's capacity */
};

struct disp;

/* The feed is allocated here, sized from q_depth; no plugin runs yet. */
int disp_create(struct disp **out, const struct disp_config *c);
void disp_destroy(struct disp *d);
/* What the writer copies records into (wr_config.feed). */
struct ring_feed *disp_feed(struct disp *d);
/* Read plugins.d, start every active plugin and the dispatch thread. */
int disp_start(struct disp *d);
/*
 * Ingest's, after a batch the writer was lent for (pipeline.h's
 * feed_help): if the dispatch thread sleeps with nothing to send, take
 * the feed into every consumer's queue and send what each socket takes,
 * on the caller's thread (ring.h's baton); otherwise, or when something
 * is left (a socket full, a send that failed), wake the thread.
 */
void disp_help(struct disp *d);
/* SIGHUP: plugins.d read again, plugins matched by file name. */
void disp_reconfigure(struct disp *d, const struct disp_config *c);
/* SIGUSR2: end a suspension. */
void disp_resume(struct disp *d);
/*
 * After the log is complete: every plugin gets what its queue holds
 * (within stop_ms), then SIGTERM and EOF; waits for them, bounded.
 */
void disp_stop(struct disp *d);
int disp_event_fd(struct disp *d);
uint32_t disp_take_events(struct disp *d);
/* Returns how many plugins' stats were filled (at most max). */
unsigned disp_get_stats(struct disp *d, struct disp_stats *st,
    struct disp_plugin_stats *ps, unsigned max);

#endif
