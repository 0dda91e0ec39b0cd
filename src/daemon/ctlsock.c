/*
 * ctlsock.c - control_socket: the daemon's figures for whoever asks,
 * read-only.
 *
 * ringaudit-top and scripts read a running daemon here, not from its
 * logs: an AF_UNIX stream socket (ringauditd.conf control_socket, default
 * /run/ringauditd.sock), mode 0600 and root's, and a peer that is not
 * root (or the daemon's own user) is closed unanswered.  Each connection
 * gets what metrics_file would hold at that moment (the kernel's status
 * is asked then) in Prometheus's text format, and is closed.  Nothing is
 * read from a client: there is no command to parse and nothing a client
 * can change.
 *
 * The answer is made in a buffer set aside at start and sent without
 * waiting; a client that leaves it unread gets what its socket took (the
 * whole of it, but for a socket buffer shrunk below it) and is closed.
 * The control thread serves it between signals: while nobody asks, the
 * socket costs no wake-up.
 *
 * A socket already at the path is another daemon's if it answers (two
 * daemons with local_events = no may run side by side): it is left alone
 * and this daemon runs without one.  One that does not answer is a dead
 * daemon's and is replaced.  Anything else there is not touched.  At the
 * end the socket is removed only if the name is still this daemon's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/daemon.h"

/* The metrics of 64 plugins and a network server fit with room to spare
 * (about 40 KiB with all of them). */
#define CTL_ANSWER_MAX (256 * 1024)

static char answer[CTL_ANSWER_MAX];
static dev_t bound_dev;
static ino_t bound_ino;

static int
addr_of(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/* 0: nothing at path, or a dead daemon's socket, now removed; -EADDRINUSE:
 * a live one; -EEXIST: something that is no socket. */
static int
clear_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat sb;
	int fd, rc;

	if (lstat(path, &sb) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(sb.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
ctl_open(struct dmn *d, const char *path)
{
	struct sockaddr_un sa;
	struct stat sb;
	int fd, rc;

	d->ctl_fd = -1;
	if (path[0] == '\0')
		return 0;
	if ((rc = addr_of(path, &sa)) < 0 || (rc = clear_stale(path, &sa)) < 0)
		goto err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		goto err;
	}
	/* 0600 before it listens: no connection is taken before then.  Not
	 * through umask, which the other threads share (the writer creates
	 * logs); and a peer that is not root is refused anyway (may_read). */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 8) < 0 ||
	    stat(path, &sb) < 0) {
		rc = -errno;
		close(fd);
		goto err;
	}
	bound_dev = sb.st_dev;
	bound_ino = sb.st_ino;
	d->ctl_fd = fd;
	return 0;
err:
	log_warnx("Cannot open the control socket %s: %s; ringaudit-top "
	    "cannot read this daemon", path, rc == -EADDRINUSE ?
	    "another daemon answers there" : rc == -EEXIST ?
	    "something that is not a socket is there" : strerror(-rc));
	return rc;
}

static bool
may_read(int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return false;
	return uc.uid == 0 || uc.uid == geteuid();
}

static void
answer_one(struct dmn *d, int fd)
{
	FILE *f;
	long len;

	if (!may_read(fd))
		return;
	f = fmemopen(answer, sizeof(answer), "w");
	if (f == NULL)
		return;
	metrics_all(f, d);
	len = ftell(f);
	if (ferror(f) || len < 0 || (size_t)len >= sizeof(answer)) {
		fclose(f);
		log_warnx("The control socket's answer is larger than %d "
		    "bytes; not sent", CTL_ANSWER_MAX);
		return;
	}
	fclose(f);
	/* Not waited for: a client that reads nothing holds nobody up. */
	(void)send(fd, answer, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

void
ctl_serve(struct dmn *d)
{
	/* A few at a time: a flood of connections does not hold signals
	 * up; the rest wait in the backlog for the next poll. */
	for (int i = 0; i < 8; i++) {
		int fd = accept4(d->ctl_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			return;
		answer_one(d, fd);
		close(fd);
	}
}

void
ctl_close(struct dmn *d, const char *path)
{
	struct stat sb;

	if (d->ctl_fd < 0)
		return;
	close(d->ctl_fd);
	d->ctl_fd = -1;
	/* Another daemon may have taken the name since. */
	if (stat(path, &sb) == 0 && sb.st_dev == bound_dev &&
	    sb.st_ino == bound_ino)
		unlink(path);
}
