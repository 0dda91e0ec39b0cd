/*
 * plugin.c - exec plugins: started as auditd starts them, watched through
 * a pidfd, restarted up to max_restarts times.
 *
 * A plugin runs with its standard input one end of a socketpair (auditd's
 * channel: audisp-remote and friends look at fd 0 and find a socket), an
 * empty environment, argv from 'args', and the signal dispositions that
 * auditd's plugins start with: every signal ignored but SIGCHLD (so a
 * plugin without handlers ignores SIGHUP and SIGTERM, and audisp-remote
 * finds SIGPIPE ignored, as it expects), stdout and stderr /dev/null
 * (the daemon's own with -f).  Where auditd leaks, this does
 * not: every descriptor but 0-2 is closed, and no signal is blocked, on
 * the first start and on every restart alike.  The nice value and limits
 * are the dispatch thread's, which are the daemon's.
 *
 * It is made by clone3 with CLONE_PIDFD and no exit signal: its death
 * is seen at once on the pidfd, in the dispatch thread's poll.  (exec
 * gives it SIGCHLD back, so the daemon's reaper of action programs waits
 * for their pids only, never for any child.)
 *
 * The daemon keeps the plugin's end of the socketpair open too.  So when
 * a plugin dies, what it had not read is still counted in the socket
 * (SIOCINQ), and the queue sends those records again to the next
 * instance (dq_rewind): a crash costs the records it had read and not
 * yet handled, never those still in the pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dispatch/disp_int.h"

/* How long a killed plugin may take to die before it is left behind. */
#define DISP_KILL_WAIT_NS 1000000000ull

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* In the child, before exec: only system calls, nothing that locks. */
static void __attribute__((noreturn))
child(int in, int null, int err_fd, const char *path, char *const argv[])
{
	static char *const no_env[] = { NULL };
	struct sigaction sa;
	sigset_t none;
	int sig, e;

	memset(&sa, 0, sizeof(sa));
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		sa.sa_handler = sig == SIGCHLD ? SIG_DFL : SIG_IGN;
		sigaction(sig, &sa, NULL);	/* glibc's own refuse: fine */
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0)
		goto fail;
	if (null >= 0 && (dup2(null, 1) < 0 || dup2(null, 2) < 0))
		goto fail;
	if (err_fd != 3 && dup2(err_fd, 3) < 0)
		goto fail;
	err_fd = 3;
	/* Keep 0-2 and the exec error pipe (CLOEXEC again after dup2). */
	fcntl(3, F_SETFD, FD_CLOEXEC);
	syscall(SYS_close_range, 4u, ~0u, 0u);
	if (chdir("/") < 0)
		goto fail;
	execve(path, argv, no_env);
fail:
	e = errno;
	/* The error pipe, wherever it is yet: fd 3 may be another file. */
	if (write(err_fd, &e, sizeof(e)) < 0)
		e = 0;
	_exit(1);
}

static pid_t
spawn(const char *path, char *const argv[], int in, bool keep_stdio,
    int *pidfd)
{
	struct clone_args ca;
	int ep[2], e = 0, null = -1;
	ssize_t n;
	long pid;

	/* As auditd, whose stdout and stderr are /dev/null unless -f. */
	if (!keep_stdio && (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return -errno;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		e = errno;
		if (null >= 0)
			close(null);
		return -e;
	}
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_PIDFD;
	ca.pidfd = (uint64_t)(uintptr_t)pidfd;
	ca.exit_signal = 0;	/* no SIGCHLD: see the top of this file */
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0) {
		close(ep[0]);
		child(in, null, ep[1], path, argv);
	}
	e = errno;
	close(ep[1]);
	if (null >= 0)
		close(null);
	if (pid < 0) {
		close(ep[0]);
		return -e;
	}
	/* The child wrote errno if exec failed; EOF if exec succeeded. */
	do
		n = read(ep[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(ep[0]);
	if (n == (ssize_t)sizeof(e))
		log_warnx("plugin %s: cannot execute it: %s", path,
		    strerror(e));
	return (pid_t)pid;
}

int
dp_start(struct disp_plugin *p)
{
	char *argv[DISP_ARGS_MAX + 2];
	int sv[2], sndbuf = 0, pidfd = -1;
	socklen_t sl = sizeof(sndbuf);
	unsigned i;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		goto err;
	argv[0] = p->conf.path;
	for (i = 0; i < p->conf.nargs; i++)
		argv[i + 1] = p->conf.args[i];
	argv[i + 1] = NULL;
	pid = spawn(p->conf.path, argv, sv[1], p->keep_stdio, &pidfd);
	if (pid < 0) {
		errno = -pid;
		close(sv[0]);
		close(sv[1]);
		goto err;
	}
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl);
	p->pid = pid;
	p->pidfd = pidfd;
	p->peer = sv[1];
	/* Unread bytes are charged to our end's buffer, to its size at
	 * most (and one message); twice that is surely enough. */
	dq_reset_stream(&p->c, sv[0], sv[1], 2 * (uint64_t)(sndbuf > 0 ?
	    sndbuf : 212992));
	p->c.fmt = p->conf.format;
	p->state = DISP_ST_RUNNING;
	log_debug("dispatch: started %s (pid %d)", p->conf.path, (int)pid);
	return 0;
err:
	log_err("Error running %s (%s) continuing without it",
	    p->conf.path, strerror(errno));
	p->state = DISP_ST_DEAD;
	return -1;
}

/* The process is gone: collect it, and requeue what it did not read. */
static void
collect(struct disp_plugin *p)
{
	siginfo_t si;
	int unread = 0;

	memset(&si, 0, sizeof(si));
	/* Never blocks: a process stuck in the kernel (a hung NFS or FUSE
	 * read) must not hold the dispatcher; it is left, not waited for. */
	if (waitid((idtype_t)P_PIDFD, (id_t)p->pidfd, &si,
	    WEXITED | __WALL | WNOHANG) == 0 && si.si_pid != 0) {
		if (si.si_code == CLD_EXITED)
			log_debug("dispatch: %s (pid %d) exited with %d",
			    p->conf.path, (int)p->pid, si.si_status);
		else
			log_debug("dispatch: %s (pid %d) killed by signal %d",
			    p->conf.path, (int)p->pid, si.si_status);
	}
	close(p->pidfd);
	p->pidfd = -1;
	p->pid = 0;
	/* Unread bytes, exactly, on its end (SIOCOUTQ on ours would count
	 * the kernel's buffers, not the bytes). */
	if (ioctl(p->peer, SIOCINQ, &unread) < 0)
		unread = 0;
	dq_rewind(&p->c, (uint64_t)unread);
	close(p->c.fd);
	close(p->peer);
	p->c.fd = p->c.peer = p->peer = -1;
}

void
dp_died(struct disp_plugin *p, unsigned max_restarts)
{
	collect(p);
	log_err("plugin %s terminated unexpectedly", p->conf.path);
	/* auditd's count: max_restarts restarts, then the next death is
	 * final; unlike auditd, it does not then say it restarted it. */
	if (p->restarts >= max_restarts) {
		log_err("plugin %s has exceeded max_restarts",
		    p->conf.path);
		p->state = DISP_ST_DEAD;
		dq_drop_all(&p->c);
		return;
	}
	p->restarts++;
	p->state = DISP_ST_RESTARTING;
	if (dp_start(p) == 0)
		log_notice("plugin %s was restarted", p->conf.path);
	else
		dq_drop_all(&p->c);
}

static bool
wait_exit(int pidfd, uint64_t deadline_ns)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	uint64_t now;

	for (;;) {
		now = clock_mono_ns();
		if (now >= deadline_ns)
			return false;
		if (poll(&pfd, 1, (int)((deadline_ns - now) / 1000000 + 1)) > 0)
			return true;
	}
}

void
dp_stop_all(struct disp_plugin *ps, unsigned n, uint64_t deadline_ns)
{
	unsigned i;

	/* All are told first, so they finish side by side. */
	for (i = 0; i < n; i++) {
		struct disp_plugin *p = &ps[i];

		if (!p->used || p->kind != DISP_EXEC || p->pid <= 0)
			continue;
		kill(p->pid, SIGTERM);
		/* EOF: shut our end for writing, keep counting unread. */
		shutdown(p->c.fd, SHUT_WR);
	}
	for (i = 0; i < n; i++) {
		struct disp_plugin *p = &ps[i];

		if (!p->used || p->kind != DISP_EXEC || p->pid <= 0)
			continue;
		if (!wait_exit(p->pidfd, deadline_ns)) {
			log_warnx("plugin %s did not stop: killed",
			    p->conf.path);
			kill(p->pid, SIGKILL);
			if (!wait_exit(p->pidfd, clock_mono_ns() +
			    DISP_KILL_WAIT_NS))
				log_warnx("plugin %s (pid %d) is stuck in the "
				    "kernel: not waited for", p->conf.path,
				    (int)p->pid);
		}
		collect(p);
		p->state = DISP_ST_DEAD;
	}
}

void
dp_stop(struct disp_plugin *p, uint64_t deadline_ns)
{
	dp_stop_all(p, 1, deadline_ns);
}

bool
dp_leave(struct disp_plugin *p, uint64_t deadline_ns)
{
	if (p->pid <= 0)
		return false;
	kill(p->pid, SIGTERM);
	/* EOF; nothing more is written to it (a shut socket polls
	 * writable for ever). */
	shutdown(p->c.fd, SHUT_WR);
	p->c.blocked = true;
	p->leaving = true;
	p->killed = false;
	p->leave_by = deadline_ns;
	p->state = DISP_ST_RESTARTING;
	return true;
}

void
dp_left(struct disp_plugin *p)
{
	collect(p);
	p->leaving = false;
}

uint64_t
dp_leave_check(struct disp_plugin *p, uint64_t now)
{
	if (!p->leaving)
		return 0;
	if (now < p->leave_by)
		return p->leave_by;
	if (!p->killed) {
		log_warnx("plugin %s did not stop: killed", p->conf.path);
		kill(p->pid, SIGKILL);
		p->killed = true;
		p->leave_by = now + DISP_KILL_WAIT_NS;
		return p->leave_by;
	}
	log_warnx("plugin %s (pid %d) is stuck in the kernel: not waited for",
	    p->conf.path, (int)p->pid);
	dp_left(p);
	return 0;
}

bool
dp_same_binary(const struct disp_pconf *a, const struct disp_pconf *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

bool
dp_same_conf(const struct disp_pconf *a, const struct disp_pconf *b)
{
	unsigned i;

	if (a->type != b->type || a->format != b->format ||
	    a->nargs != b->nargs || strcmp(a->path, b->path) != 0)
		return false;
	for (i = 0; i < a->nargs; i++)
		if (strcmp(a->args[i], b->args[i]) != 0)
			return false;
	return true;
}
