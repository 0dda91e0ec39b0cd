/*
 * af_unix.c - builtin_af_unix: a listening socket from which any number
 * of readers (up to DISP_CLIENTS_MAX) take every record.
 *
 * auditd 3.0.9 serves one client at a time, notices that it left only
 * when a write fails, and loses that record.  Here every connected client
 * is a consumer of its own, with a queue of q_depth records and the same
 * overflow policy as a plugin: one that leaves costs the others nothing,
 * one that reads slowly loses only its own records.  A client that
 * connects gets the records that come after it.
 *
 * The args are auditd's: a word of digits is the socket's mode (octal),
 * a word with a '/' its path.  The file is removed if it exists, made,
 * and removed again when the plugin stops.  A client's queue is allocated
 * when it connects (bounded by the number of clients), not per record.
 *
 * No path to the socket's file is followed.  unlink removes whatever
 * was planted at the name (a symlink, a FIFO, a hard link) itself, and
 * bind makes a new file, failing on any name that exists.  auditd then
 * chmods the path, which follows a symlink put there after the bind;
 * here the socket is given its mode before bind (the file is made with
 * it, less the umask: never wider than asked), and du_chmod puts back
 * what the umask took without following a symlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dispatch/disp_int.h"

/* Reads of what a client sends, at most, each time it is seen. */
#define DU_READS_MAX 16

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * chmod(path, mode), for the socket file just bound only: opened O_PATH |
 * O_NOFOLLOW, it must be a socket of ours, and it is changed through
 * /proc/self/fd, which names that inode and no other (fchmod does not take
 * an O_PATH descriptor).  /proc is not needed when the mode is right.
 */
int
du_chmod(const char *path, mode_t mode)
{
	char proc[32];
	struct stat sb;
	int fd, rc = 0;

	if ((fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &sb) < 0)
		rc = -errno;
	else if (S_ISLNK(sb.st_mode))
		rc = -ELOOP;
	else if (!S_ISSOCK(sb.st_mode))
		rc = -ENOTSOCK;
	else if (sb.st_uid != geteuid())
		rc = -EPERM;
	else if ((sb.st_mode & 07777) != mode) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (chmod(proc, mode) < 0)
			rc = -errno;
	}
	close(fd);
	return rc;
}

int
du_open(struct disp_plugin *p, unsigned q_depth)
{
	struct sockaddr_un sa;
	char dir[DISP_LINE_MAX];
	const char *path = NULL;
	mode_t mode = 0;
	bool have_mode = false;
	struct stat sb;
	unsigned i;
	int fd, rc;

	(void)q_depth;
	p->lfd = -1;
	p->sock_path[0] = '\0';
	for (i = 0; i < p->conf.nargs; i++) {
		if (all_digits(p->conf.args[i])) {
			mode = (mode_t)strtoul(p->conf.args[i], NULL, 8) &
			    07777;
			have_mode = true;
		} else if (strchr(p->conf.args[i], '/') != NULL) {
			path = p->conf.args[i];
		}
	}
	/* Kept until the plugin goes (du_free), across reopenings. */
	if (p->clients == NULL)
		p->clients = calloc(DISP_CLIENTS_MAX, sizeof(*p->clients));
	if (p->clients == NULL)
		return -ENOMEM;
	p->state = DISP_ST_LISTENING;
	if (path == NULL) {
		/* auditd says it is ready all the same. */
		log_info("af_unix plugin initialized");
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if (strlen(path) >= sizeof(sa.sun_path) ||
	    stat(dirname(dir), &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		log_warnx("Malformed path %s", path);
		return -EINVAL;
	}
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	/* The file is made with the socket's mode, less the umask. */
	if (have_mode && fchmod(fd, mode) < 0) {
		rc = -errno;
		goto fail;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		goto fail;
	}
	/* As auditd, a mode that cannot be set is the socket's end. */
	if (have_mode && (rc = du_chmod(path, mode)) < 0) {
		log_warnx("Couldn't chmod %s to %04o (%s)", path,
		    (unsigned)mode, strerror(-rc));
		goto unbind;
	}
	if (listen(fd, DISP_CLIENTS_MAX) < 0) {
		rc = -errno;
		log_warnx("Couldn't listen on af_unix socket %s (%s)", path,
		    strerror(-rc));
		goto unbind;
	}
	p->lfd = fd;
	snprintf(p->sock_path, sizeof(p->sock_path), "%s", path);
	log_info("af_unix plugin initialized");
	return 0;
fail:
	log_warnx("Couldn't open/bind af_unix socket %s (%s)", path,
	    strerror(-rc));
	if (fd >= 0)
		close(fd);
	return rc;
unbind:
	/* The name only: unlink follows nothing. */
	unlink(path);
	close(fd);
	return rc;
}

void
du_client_close(struct disp_plugin *p, unsigned i)
{
	struct disp_client *cl = &p->clients[i];

	if (!cl->used)
		return;
	/* What it had not been written, it will not get. */
	dq_drop_all(&cl->c);
	p->offered += cl->c.offered;
	p->delivered += cl->c.delivered;
	p->dropped += cl->c.dropped;
	close(cl->c.fd);
	dq_fini(&cl->c);
	cl->used = false;
	p->nclients--;
	log_debug("dispatch: af_unix client %u left", i);
}

void
du_accept(struct disp_plugin *p, unsigned q_depth)
{
	static struct log_ratelimit rl = { 10ull * 1000000000u, 0, 1, 0, 0 };
	unsigned i;
	int fd;

	while ((fd = accept4(p->lfd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (i = 0; i < DISP_CLIENTS_MAX; i++)
			if (!p->clients[i].used)
				break;
		if (i == DISP_CLIENTS_MAX ||
		    dq_init(&p->clients[i].c, q_depth, false) < 0) {
			if (log_ratelimit_ok(&rl))
				log_warnx("af_unix: %s: %u clients already, "
				    "refusing another", p->sock_path,
				    DISP_CLIENTS_MAX);
			close(fd);
			continue;
		}
		p->clients[i].used = true;
		p->clients[i].eof = false;
		p->clients[i].c.fmt = p->conf.format;
		dq_reset_stream(&p->clients[i].c, fd, -1, 0);
		p->nclients++;
		log_debug("dispatch: af_unix client %u connected", i);
	}
}

/*
 * Readers have nothing to say: what they send is read and dropped, a
 * little at a time.  One that shuts its side for writing (nc -N, a
 * shutdown(SHUT_WR)) still reads: it keeps getting records, and is no
 * longer read.  Gone for good (a hang-up, an error): closed.
 */
void
du_client_input(struct disp_plugin *p, unsigned i, bool hup)
{
	struct disp_client *cl = &p->clients[i];
	char buf[512];
	unsigned rounds = 0;
	ssize_t n;

	if (hup) {
		du_client_close(p, i);
		return;
	}
	do
		n = recv(cl->c.fd, buf, sizeof(buf), MSG_DONTWAIT);
	while (n > 0 && ++rounds < DU_READS_MAX);
	if (n == 0)
		cl->eof = true;
	else if (n < 0 && errno != EAGAIN && errno != EINTR)
		du_client_close(p, i);
}

void
du_close(struct disp_plugin *p)
{
	unsigned i;

	for (i = 0; p->clients != NULL && i < DISP_CLIENTS_MAX; i++)
		du_client_close(p, i);
	if (p->lfd >= 0) {
		close(p->lfd);
		p->lfd = -1;
		unlink(p->sock_path);
		log_info("af_unix plugin terminated");
	}
}

void
du_free(struct disp_plugin *p)
{
	du_close(p);
	free(p->clients);
	p->clients = NULL;
}
