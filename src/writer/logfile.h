/*
 * logfile.h - inside the writer stage: the log file's life on disk, apart
 * from the writing itself.  Opening with auditd's modes and owners, the
 * rotation rename chain, the removal of excess logs, and free space.
 * These are metadata operations, each short; the writer calls them only
 * at a switch point, with no write of its own in flight.  Not part of the
 * stage's interface.
 */
#ifndef RINGAUDIT_WRITER_LOGFILE_H
#define RINGAUDIT_WRITER_LOGFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Open (create) the log for appending: its directory 0700 (0750 with a
 * log group), the file 0600 (0640), both root's and the log group's.
 * A last line without its '\n' (a crash cut it short) is ended first, and
 * syslog told.  Returns the descriptor with *size set, or -errno.
 */
int lf_open(const char *path, gid_t group, off_t *size);

/*
 * The log's lock: a ringauditd holds an exclusive flock on its log for as
 * long as it has it open (two daemons would interleave their buffers),
 * and lf_open returns -EBUSY if another one holds it.  lf_open_append
 * opens for appending, with a shared lock (-EBUSY if a ringauditd writes
 * the log).
 */
int lf_open_append(const char *path);

/*
 * Whether the open log fd is still the file at path: LF_IN_PLACE,
 * LF_DELETED (no name left: what is written to it is lost), LF_MOVED
 * (renamed, or another file put at path), or -errno; *size is its size.
 */
enum { LF_IN_PLACE, LF_DELETED, LF_MOVED };
int lf_check(int fd, const char *path, off_t *size);

/*
 * Shift the numbered logs up by one and move the live log to PATH.1, as
 * auditd does: with num_logs files in all (the live one included), the
 * oldest, PATH.(num_logs-1), is overwritten.  keep: no limit, every
 * numbered log is kept.  The live log must be closed by the caller; a
 * missing numbered log is no error.  The live log becomes read-only
 * (0400, 0440 with a log group), as auditd leaves rotated logs.  Returns
 * the numbered logs there are now, or -errno of the rename of the live
 * log.
 */
int lf_rotate(const char *path, unsigned num_logs, bool keep);

/* Remove PATH.N for N >= num_logs (auditd does so at start). */
unsigned lf_remove_excess(const char *path, unsigned num_logs);

/* Free bytes for root and the partition's size, of the file's fs. */
int lf_space(int fd, uint64_t *avail, uint64_t *total);

#endif
