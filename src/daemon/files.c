/*
 * files.c - the files the daemon writes for others to read: the pid file,
 * and the way the state report and the metrics file are written.
 *
 * Each is written to a temporary file and renamed over the old one, so a
 * reader never sees half of one, and never through what another user may have put at their names (their
 * folders are root's, but a metrics_file may be anywhere): the temporary
 * file is made with O_EXCL | O_NOFOLLOW after whatever had its name is
 * removed (unlink removes a symlink, a FIFO or a hard link itself, and
 * follows nothing), its mode is set on the descriptor, and rename(2)
 * replaces the name's symlink, FIFO or link rather than writing into what
 * it leads to.  auditd opens the pid file O_NOFOLLOW but O_TRUNC (through
 * a hard link, and it blocks on a FIFO), and fopen()s its state report,
 * following a symlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/daemon.h"

/*
 * Exactly MODE, whatever the umask: auditd makes its report 0640 under a
 * umask of its own, and a collector must be able to read the metrics.
 */
int
files_write(const char *path, mode_t mode, files_fill_fn fill,
    struct dmn *d)
{
	char tmp[PATH_MAX + 8];
	FILE *f;
	int fd, rc = 0;

	/* A name cut short would be some other file, removed below. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	if (unlink(tmp) < 0 && errno != ENOENT)
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		close(fd);
		unlink(tmp);
		return rc;
	}
	fill(f, d);
	if (fflush(f) != 0 || ferror(f))
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

static void
fill_pid(FILE *f, struct dmn *d)
{
	(void)d;
	fprintf(f, "%d\n", (int)getpid());
}

/* auditd's: the pid and a newline, 0644. */
int
files_pid_write(const char *path)
{
	if (path[0] == '\0')
		return 0;
	return files_write(path, 0644, fill_pid, NULL);
}

void
files_pid_remove(const char *path)
{
	if (path[0] != '\0')
		unlink(path);
}
