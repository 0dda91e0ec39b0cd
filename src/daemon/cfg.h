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

#define CFG_NAME_MAX 255
#define CFG_VALUE_MAX 256
#define CFG_OTHER_MAX 64
#define CFG_WARN_MAX 16
#define CFG_WARN_LEN 320

/* A key auditd has that ringauditd keeps but does not act on yet. */
struct cfg_kv {
	char key[32];
	char value[CFG_VALUE_MAX];
	unsigned line;
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
	struct cfg_kv other[CFG_OTHER_MAX];	/* validated later (issue 3) */
	unsigned n_other;

	/* Notes that do not stop a load ("FILE:LINE: ..."): deprecated
	 * options, lines auditd skips, loose modes.  auditd prints the same
	 * ones; the caller logs them.  Cleared by cfg_defaults and cfg_load. */
	char warn[CFG_WARN_MAX][CFG_WARN_LEN];
	unsigned n_warn;

	/* ringauditd.conf */
	unsigned workers;		/* parser workers, 1..64 */
	unsigned records;		/* record pool size, 64..1048576 */
	unsigned ring_size;		/* per-ring capacity, 16..1048576 */
	unsigned netlink_rcvbuf;	/* bytes, SO_RCVBUFFORCE */
	unsigned drain_timeout_ms;	/* shutdown: wait this long for the
					 * kernel's queue to empty */
	unsigned write_batch;		/* bytes in one write buffer */
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

const char *cfg_flush_name(enum cfg_flush f);

#endif
