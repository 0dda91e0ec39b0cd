/*
 * logfile.c - see logfile.h.
 *
 * Rotation renames from the oldest down, so that no name is ever taken
 * twice: with num_logs = 4, PATH.2 -> PATH.3, PATH.1 -> PATH.2, then
 * PATH -> PATH.1.  keep_logs first counts the numbered logs that exist
 * (PATH.1, PATH.2, ... up to the first gap) and shifts them all.  A rename
 * of a numbered log that does not exist is no error: the chain fills as
 * rotations happen.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/log.h"
#include "writer/logfile.h"

/* How far back a torn last line is looked at, to say how long it is. */
#define LF_TAIL_LOOK 16384
/* auditd numbers its logs up to 999; keep_logs may go past it. */
#define LF_KEEP_MAX 100000u

static int
prepare_dir(const char *path, gid_t gid)
{
	char tmp[PATH_MAX];
	mode_t mode = gid == 0 ? 0700 : 0750;
	struct stat sb;
	char *dir;

	if (strlen(path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	strcpy(tmp, path);
	dir = dirname(tmp);
	if (mkdir(dir, mode) < 0 && errno != EEXIST)
		return -errno;
	if (stat(dir, &sb) < 0)
		return -errno;
	if (!S_ISDIR(sb.st_mode))
		return -ENOTDIR;
	/* auditd keeps the log directory to root and log_group only. */
	if (geteuid() == 0) {
		if (chown(dir, 0, gid) < 0 || chmod(dir, mode) < 0)
			return -errno;
	}
	return 0;
}

/*
 * A log whose last line has no '\n' was cut short (a crash, a kill in the
 * middle of a write): the next record would continue that line.  The
 * fragment is kept, as evidence, and ended, so every record starts a line
 * of its own; syslog is told how long it was.
 */
static int
mend_tail(int fd, const char *path, off_t *size)
{
	char buf[LF_TAIL_LOOK];
	off_t from = *size > (off_t)sizeof(buf) ? *size - (off_t)sizeof(buf) : 0;
	ssize_t n;
	char *nl;

	if (*size == 0)
		return 0;
	n = pread(fd, buf, (size_t)(*size - from), from);
	if (n < 0)
		return -errno;
	if (n == 0 || buf[n - 1] == '\n')
		return 0;
	if (pwrite(fd, "\n", 1, *size) != 1)
		return errno != 0 ? -errno : -EIO;
	nl = memrchr(buf, '\n', (size_t)n);
	if (nl != NULL)
		log_warnx("%s: its last line, %zd bytes, had no end (cut short "
		    "by a crash?); ended it, so that the next record starts "
		    "a line", path, n - (nl + 1 - buf));
	else
		log_warnx("%s: its last line, over %zd bytes, had no end (cut "
		    "short by a crash?); ended it, so that the next record "
		    "starts a line", path, n);
	(*size)++;
	return 0;
}

int
lf_open(const char *path, gid_t group, off_t *size)
{
	mode_t mode = group == 0 ? 0600 : 0640;
	struct stat sb;
	int fd, rc;

	if ((rc = prepare_dir(path, group)) < 0)
		return rc;
	/* Appending, as auditd's log: every write lands where the file
	 * ends, even after someone cut it short (copytruncate).  Read too:
	 * the last line is looked at (mend_tail). */
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0) {
		rc = -errno;
		goto err;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = -EINVAL;
		goto err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		goto err;
	}
	if (geteuid() == 0 &&
	    (fchown(fd, 0, group) < 0 || fchmod(fd, mode) < 0)) {
		rc = -errno;
		goto err;
	}
	*size = sb.st_size;
	if ((rc = mend_tail(fd, path, size)) < 0)
		goto err;
	return fd;
err:
	close(fd);
	return rc;
}

int
lf_open_append(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
		int rc = errno == EWOULDBLOCK ? -EBUSY : -errno;

		close(fd);
		return rc;
	}
	return fd;
}

int
lf_check(int fd, const char *path, off_t *size)
{
	struct stat fsb, psb;

	if (fstat(fd, &fsb) < 0)
		return -errno;
	*size = fsb.st_size;
	if (fsb.st_nlink == 0)
		return LF_DELETED;
	if (lstat(path, &psb) < 0 || psb.st_ino != fsb.st_ino ||
	    psb.st_dev != fsb.st_dev)
		return LF_MOVED;
	return LF_IN_PLACE;
}

static void
numbered(char *buf, size_t len, const char *path, unsigned n)
{
	snprintf(buf, len, "%s.%u", path, n);
}

static bool
exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

int
lf_rotate(const char *path, unsigned num_logs, bool keep)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	unsigned i, top, n = 0;
	struct stat sb;

	if (keep) {
		/* The first free number: every log below it moves up. */
		for (top = 1; top < LF_KEEP_MAX; top++) {
			numbered(to, sizeof(to), path, top);
			if (!exists(to))
				break;
		}
	} else {
		if (num_logs < 2)
			return -EINVAL;
		top = num_logs - 1;
	}
	for (i = top; i > 1; i--) {
		numbered(from, sizeof(from), path, i - 1);
		numbered(to, sizeof(to), path, i);
		if (rename(from, to) < 0 && errno != ENOENT)
			return -errno;
	}
	if (stat(path, &sb) == 0)
		(void)chmod(path, sb.st_mode & 0440);
	numbered(to, sizeof(to), path, 1);
	if (rename(path, to) < 0)
		return -errno;
	for (i = 1; i <= top; i++) {
		numbered(to, sizeof(to), path, i);
		if (exists(to))
			n++;
	}
	return (int)n;
}

unsigned
lf_remove_excess(const char *path, unsigned num_logs)
{
	char name[PATH_MAX + 16];
	unsigned n, removed = 0;

	if (num_logs < 2)
		return 0;
	for (n = num_logs; n < LF_KEEP_MAX; n++) {
		numbered(name, sizeof(name), path, n);
		if (unlink(name) < 0)
			break;
		removed++;
	}
	return removed;
}

int
lf_space(int fd, uint64_t *avail, uint64_t *total)
{
	struct statvfs sv;

	if (fstatvfs(fd, &sv) < 0)
		return -errno;
	*avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	*total = (uint64_t)sv.f_blocks * sv.f_frsize;
	return 0;
}
