/*
 * drain.c - --drain: a child process of ringaudit-bench as the audit
 * daemon, reading records as fast as it can and keeping none, which shows
 * how fast the kernel can hand records over on this machine with nothing
 * written.
 *
 * Why a child process: the kernel never audits the registered daemon's
 * own system calls (audit_filter_syscall() returns early for
 * auditd_test_task(), which compares the tgid), so the generator's
 * threads and the registered socket cannot share a process.  The child
 * is forked before the parent starts any thread; it sets PR_SET_PDEATHSIG
 * to SIGTERM so that even a SIGKILLed parent leaves no registration
 * behind, ignores the terminal's SIGINT/SIGHUP/SIGQUIT (the parent winds
 * the run down), and on SIGTERM or the parent's word it stops, and
 * unregisters itself: the kernel takes pid 0 only from the registered
 * process.  Its CPU time and memory are read from /proc like a real
 * daemon's.
 *
 * The child reads its socket (a large SO_RCVBUFFORCE buffer, kaudit.c)
 * with recvmmsg, DRAIN_BATCH datagrams per call (MSG_WAITFORONE: it
 * blocks for the first only), looks at each record's type only, and
 * searches a SYSCALL record for the rule's key and reads its time stamp,
 * for the run's window (see count.c).  The 100 ms receive timeout is how
 * it notices it should stop.  Parent and child share one page
 * (MAP_SHARED): the registration's result, the stop flag, the window,
 * and the counters, which the child publishes after each batch.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "common/log.h"
#include "parse/parse.h"

#define DRAIN_BATCH 128
#define DRAIN_MSG 9000		/* MAX_AUDIT_MESSAGE_LENGTH 8970, and more */

/* The page parent and child share; every field is accessed atomically. */
struct drain_shared {
	int reg_state;		/* 0 waiting, 1 registered, <0 -errno */
	bool stop;		/* parent -> child */
	bool done;		/* child: unregistered (or never was) */
	int unreg_rc;
	uint64_t window_ms;
	uint64_t events, stale, records, last_event_ns;
};

struct rb_drain {
	struct drain_shared *sh;
	pid_t pid;		/* the child; 0 once reaped */
	char needle[320];
	size_t needlelen;
	unsigned rcvbuf;
};

static volatile sig_atomic_t child_term;

/* The record's time in ms (its audit(SEC.MSEC:SERIAL) stamp), or 0. */
static uint64_t
stamp_ms(const char *p, size_t len)
{
	struct parse_hdr h;

	return parse_header(p, len, &h) == 0 ? h.sec * 1000 + h.msec : 0;
}

static void
on_term(int sig)
{
	(void)sig;
	child_term = 1;
}

static void
child_loop(struct rb_drain *d, struct rb_kdaemon *kd, uint64_t records)
{
	static struct mmsghdr msgs[DRAIN_BATCH];
	static struct iovec iov[DRAIN_BATCH];
	static struct sockaddr_nl addr[DRAIN_BATCH];
	struct drain_shared *sh = d->sh;
	uint64_t events = 0, stale = 0;
	char *bufs;
	int got, i;

	bufs = malloc((size_t)DRAIN_BATCH * DRAIN_MSG);
	if (bufs == NULL)
		return;
	rb_k_recv_slots(msgs, iov, addr, bufs, DRAIN_BATCH, DRAIN_MSG);
	/* Relaxed throughout: the flags are polled, the counters are
	 * figures; the parent reaps the child before it trusts "done". */
	while (!child_term && !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < DRAIN_BATCH; i++) {
			msgs[i].msg_hdr.msg_namelen = sizeof(addr[i]);
			msgs[i].msg_hdr.msg_flags = 0;
		}
		got = recvmmsg(kd->fd, msgs, DRAIN_BATCH, MSG_WAITFORONE, NULL);
		if (got < 0)
			continue;	/* EAGAIN: the timeout; EINTR; ENOBUFS:
					 * what the kernel could not deliver
					 * shows in its lost counter */
		for (i = 0; i < got; i++) {
			const struct nlmsghdr *nlh = iov[i].iov_base;
			size_t len = msgs[i].msg_len;
			const char *p;
			uint64_t ms;

			if (len < NLMSG_HDRLEN || addr[i].nl_pid != 0 ||
			    nlh->nlmsg_type < AUDIT_FIRST_USER_MSG)
				continue;	/* answers, probes */
			records++;
			if (nlh->nlmsg_type != AUDIT_SYSCALL)
				continue;
			/* nlmsg_len is the payload's length for records:
			 * take the length recvmmsg gave. */
			p = (const char *)nlh + NLMSG_HDRLEN;
			len -= NLMSG_HDRLEN;
			if (memmem(p, len, d->needle, d->needlelen) == NULL)
				continue;
			ms = stamp_ms(p, len);
			if (ms < __atomic_load_n(&sh->window_ms,
			    __ATOMIC_RELAXED)) {
				stale++;
				continue;
			}
			events++;
			__atomic_store_n(&sh->last_event_ns, clock_mono_ns(),
			    __ATOMIC_RELAXED);
		}
		__atomic_store_n(&sh->events, events, __ATOMIC_RELAXED);
		__atomic_store_n(&sh->stale, stale, __ATOMIC_RELAXED);
		__atomic_store_n(&sh->records, records, __ATOMIC_RELAXED);
	}
	free(bufs);
}

static void __attribute__((noreturn))
child_main(struct rb_drain *d, pid_t parent)
{
	struct drain_shared *sh = d->sh;
	struct rb_kdaemon kd;
	struct sigaction sa;
	sigset_t set;
	uint64_t early;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	prctl(PR_SET_NAME, "rb-drain");
	if (getppid() != parent)
		_exit(1);	/* the parent died before the prctl */

	rc = rb_k_register(&kd, d->rcvbuf, 2000, &early);
	__atomic_store_n(&sh->reg_state, rc < 0 ? rc : 1, __ATOMIC_RELEASE);
	if (rc < 0) {
		__atomic_store_n(&sh->done, true, __ATOMIC_RELEASE);
		_exit(1);
	}
	__atomic_store_n(&sh->records, early, __ATOMIC_RELAXED);
	child_loop(d, &kd, early);
	/* Only the registered process may set pid 0. */
	rc = rb_k_unregister();
	rb_k_close(&kd);
	__atomic_store_n(&sh->unreg_rc, rc, __ATOMIC_RELAXED);
	__atomic_store_n(&sh->done, true, __ATOMIC_RELEASE);
	_exit(rc < 0 ? 1 : 0);
}

int
rb_drain_start(struct rb_drain **out, const char *key, unsigned rcvbuf)
{
	struct rb_drain *d;
	pid_t parent = getpid();
	int i, rc, status;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->sh = mmap(NULL, sizeof(*d->sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (d->sh == MAP_FAILED) {
		rc = -errno;
		free(d);
		return rc;
	}
	d->needlelen = (size_t)snprintf(d->needle, sizeof(d->needle),
	    "key=\"%s\"", key);
	d->rcvbuf = rcvbuf;
	d->pid = fork();
	if (d->pid < 0) {
		rc = -errno;
		goto err;
	}
	if (d->pid == 0)
		child_main(d, parent);
	/* Acquire: pairs with the child's release of its answer. */
	for (i = 0; i < 300; i++) {
		rc = __atomic_load_n(&d->sh->reg_state, __ATOMIC_ACQUIRE);
		if (rc != 0)
			break;
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			rc = -ECHILD;
			break;
		}
		usleep(10000);
	}
	if (rc == 1) {
		*out = d;
		return 0;
	}
	if (rc == 0)
		rc = -ETIMEDOUT;
err:
	rb_drain_stop(d);
	rb_drain_free(d);
	return rc;
}

pid_t
rb_drain_pid(struct rb_drain *d)
{
	return d->pid;
}

void
rb_drain_window(struct rb_drain *d, uint64_t from_ms)
{
	/* Relaxed: the window changes between runs only, once the kernel's
	 * backlog was seen empty. */
	__atomic_store_n(&d->sh->window_ms, from_ms, __ATOMIC_RELAXED);
}

void
rb_drain_get(struct rb_drain *d, struct rb_drain_counts *c)
{
	struct drain_shared *sh = d->sh;

	/* Relaxed: figures, published by the child after each batch. */
	c->events = __atomic_load_n(&sh->events, __ATOMIC_RELAXED);
	c->stale = __atomic_load_n(&sh->stale, __ATOMIC_RELAXED);
	c->records = __atomic_load_n(&sh->records, __ATOMIC_RELAXED);
	c->last_event_ns = __atomic_load_n(&sh->last_event_ns,
	    __ATOMIC_RELAXED);
}

/*
 * Ask the child to stop and reap it: it unregisters on its way out.  A
 * child that does not go in 3 s is killed; then the kernel drops the
 * dead registration at the next AUDIT_SET pid, which this sends.  May be
 * called again (the clean-up does, from any thread); 0 or -errno.
 */
int
rb_drain_stop(struct rb_drain *d)
{
	pid_t pid = __atomic_exchange_n(&d->pid, 0, __ATOMIC_ACQ_REL);
	int i, status, rc = 0;

	if (pid <= 0)
		return 0;
	/* Relaxed: the child polls it at least every 100 ms. */
	__atomic_store_n(&d->sh->stop, true, __ATOMIC_RELAXED);
	kill(pid, SIGTERM);
	for (i = 0; i < 300; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(10000);
	}
	if (i == 300) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	/* Acquire: the child's last stores are visible once it is reaped,
	 * and "done" says whether it got to unregister. */
	if (!__atomic_load_n(&d->sh->done, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&d->sh->unreg_rc, __ATOMIC_RELAXED) < 0) {
		/* The probe that AUDIT_SET sends first finds the dead
		 * daemon and resets it; pid 0 then goes through. */
		rc = rb_k_unregister();
	}
	return rc;
}

void
rb_drain_free(struct rb_drain *d)
{
	if (d == NULL)
		return;
	munmap(d->sh, sizeof(*d->sh));
	free(d);
}
