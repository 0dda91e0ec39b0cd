/*
 * ra-floor - the least an audit daemon can do to log RAW records with
 * `flush = incremental_async`, `freq = 50`, so that the CPU of ringauditd
 * and of auditd can be held against a floor measured in the same run
 * (tools/perf-cpu.sh, DAEMONS="ringauditd auditd floor"; PERF.md).
 *
 *   ra-floor -n -c DIR     (the arguments tools/lib.sh's ra_start gives)
 *
 * It registers as the audit daemon (ringaudit-bench's kaudit.c, an 8 MiB
 * socket buffer as ringauditd's netlink_rcvbuf) and does only what no
 * daemon can leave out: it receives up to FLOOR_BATCH records a call
 * (recvmmsg, MSG_WAITFORONE), appends each as "type=NAME msg=TEXT\n" to
 * DIR/log/audit.log with one writev per call (the text is the kernel's
 * own bytes, never copied; EOE, which no daemon logs, left out), and
 * asks a second thread for an fdatasync after every 50 records, as
 * auditd's flush thread is asked: a request made while a sync runs is
 * merged into the next one.  Between receives it lets records gather
 * in the socket exactly as ringauditd's ingest does (ingest/gather.h's
 * plan, gather_ms = 40, timer slack 1 µs, the process under SCHED_BATCH
 * as ringauditd's stages are): another plan would be another latency,
 * and the comparison would measure that.  No parsing, no ENRICHED, no state report, no disk checks, no rotation:
 * its log is not a drop-in for auditd's (no node=, no checks of the
 * line), only complete for ringaudit-bench, which counts SYSCALL records
 * by the rule's key.
 *
 * SIGTERM or SIGINT stop it; the socket's 100 ms receive timeout is how
 * the loop notices.  It unregisters (pid 0) on the way out, and asks
 * the kernel's death signal (PR_SET_PDEATHSIG) to end it with its parent.
 */
#include <errno.h>
#include <fcntl.h>
#include <libaudit.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "common/log.h"
#include "ingest/gather.h"

#define FLOOR_BATCH 64
#define FLOOR_MSG 9000		/* MAX_AUDIT_MESSAGE_LENGTH 8970, and more */
#define FLOOR_FREQ 50
#define FLOOR_GATHER_NS 40000000u	/* gather_ms = 40, the default */
#define FLOOR_RCVBUF (8u << 20)

struct floor_sync {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool asked, stop;
	int fd;
	unsigned long made;
};

static volatile sig_atomic_t floor_term;

static void
on_term(int sig)
{
	(void)sig;
	floor_term = 1;
}

/* auditd's flush thread: one fdatasync per request seen; requests made
 * while it syncs are one. */
static void *
sync_main(void *arg)
{
	struct floor_sync *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->asked && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->asked)
			break;
		s->asked = false;
		pthread_mutex_unlock(&s->mu);
		if (fdatasync(s->fd) < 0)
			perror("ra-floor: fdatasync");
		pthread_mutex_lock(&s->mu);
		s->made++;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void
ask_sync(struct floor_sync *s, bool stop)
{
	pthread_mutex_lock(&s->mu);
	s->asked = true;
	s->stop = stop;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Append the records of one receive; false if the write failed. */
static bool
append(int fd, struct mmsghdr *msgs, struct iovec *rx, int got,
    unsigned long *since_sync)
{
	static struct iovec out[FLOOR_BATCH * 3];
	static char heads[FLOOR_BATCH][48];
	int i, n = 0;

	for (i = 0; i < got; i++) {
		const struct nlmsghdr *nlh = rx[i].iov_base;
		size_t len = msgs[i].msg_len;
		const char *name;
		const char *text;
		size_t tlen;
		int hl;

		/* The kernel's audit records put the text's length, not the
		 * message's, in nlmsg_len: the bytes received are the bound,
		 * the text's end its last non-NUL byte. */
		if (len <= NLMSG_HDRLEN || nlh->nlmsg_type == AUDIT_EOE)
			continue;	/* EOE ends an event; no daemon logs it */
		text = (const char *)NLMSG_DATA(nlh);
		tlen = len - NLMSG_HDRLEN;
		while (tlen > 0 && (text[tlen - 1] == '\0' || text[tlen - 1] == '\n'))
			tlen--;
		if (tlen == 0)
			continue;
		name = audit_msg_type_to_name(nlh->nlmsg_type);
		hl = name != NULL ?
		    snprintf(heads[i], sizeof(heads[i]), "type=%s msg=", name) :
		    snprintf(heads[i], sizeof(heads[i]), "type=UNKNOWN[%u] msg=",
		    nlh->nlmsg_type);
		out[n].iov_base = heads[i];
		out[n++].iov_len = (size_t)hl;
		out[n].iov_base = (void *)(uintptr_t)text;
		out[n++].iov_len = tlen;
		out[n].iov_base = (void *)(uintptr_t)"\n";
		out[n++].iov_len = 1;
		(*since_sync)++;
	}
	if (n > 0 && writev(fd, out, n) < 0) {
		perror("ra-floor: writev");
		return false;
	}
	return true;
}

int
main(int argc, char **argv)
{
	static struct mmsghdr msgs[FLOOR_BATCH];
	static struct iovec rx[FLOOR_BATCH];
	static struct sockaddr_nl addr[FLOOR_BATCH];
	struct sched_param sp = { 0 };
	struct ingest_gather g;
	struct timespec ts;
	uint64_t d;
	struct floor_sync s = { .mu = PTHREAD_MUTEX_INITIALIZER,
	    .cv = PTHREAD_COND_INITIALIZER };
	struct sigaction sa;
	struct rb_kdaemon kd;
	unsigned long since_sync = 0, records = 0;
	uint64_t before_ack;
	pthread_t syncer;
	char path[4096];
	char *bufs;
	int i, got, rc, status = 0;

	if (argc != 4 || strcmp(argv[1], "-n") != 0 ||
	    strcmp(argv[2], "-c") != 0) {
		fprintf(stderr, "usage: ra-floor -n -c DIR\n");
		return 2;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/log/audit.log", argv[3]) >=
	    sizeof(path)) {
		fprintf(stderr, "ra-floor: %s: path too long\n", argv[3]);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* As ringauditd's stage threads and its ingest's sleeps; the sync
	 * thread inherits both. */
	if (sched_setscheduler(0, SCHED_BATCH, &sp) < 0)
		perror("ra-floor: SCHED_BATCH");
	prctl(PR_SET_TIMERSLACK, 1000UL);
	ingest_gather_init(&g);

	s.fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	bufs = malloc((size_t)FLOOR_BATCH * FLOOR_MSG);
	if (s.fd < 0 || bufs == NULL) {
		fprintf(stderr, "ra-floor: %s: %s\n", path, strerror(errno));
		return 1;
	}
	rb_k_recv_slots(msgs, rx, addr, bufs, FLOOR_BATCH, FLOOR_MSG);
	if ((rc = pthread_create(&syncer, NULL, sync_main, &s)) != 0) {
		fprintf(stderr, "ra-floor: thread: %s\n", strerror(rc));
		return 1;
	}
	if ((rc = rb_k_register(&kd, FLOOR_RCVBUF, 1000, &before_ack)) < 0) {
		fprintf(stderr, "ra-floor: cannot register as the audit daemon: %s\n",
		    strerror(-rc));
		ask_sync(&s, true);
		pthread_join(syncer, NULL);
		free(bufs);
		return 1;
	}
	while (!floor_term) {
		for (i = 0; i < FLOOR_BATCH; i++) {
			msgs[i].msg_hdr.msg_namelen = sizeof(addr[i]);
			msgs[i].msg_hdr.msg_flags = 0;
		}
		got = recvmmsg(kd.fd, msgs, FLOOR_BATCH, MSG_WAITFORONE, NULL);
		if (got <= 0)
			continue;	/* the timeout, EINTR, or ENOBUFS: the
					 * kernel counts what it could not send */
		records += (unsigned long)got;
		if (!append(s.fd, msgs, rx, got, &since_sync)) {
			status = 1;
			break;
		}
		/* One sync for each write that crosses one or more of the
		 * every-50th-record marks (a later sync covers what came
		 * before it); the records past the last mark count on. */
		if (since_sync >= FLOOR_FREQ) {
			since_sync %= FLOOR_FREQ;
			ask_sync(&s, false);
		}
		d = ingest_gather_plan(&g, clock_mono_ns(), (unsigned)got,
		    got < FLOOR_BATCH, FLOOR_GATHER_NS);
		(void)ingest_gather_held(&g, got < FLOOR_BATCH);
		if (d > 0) {
			ts.tv_sec = (time_t)(d / 1000000000u);
			ts.tv_nsec = (long)(d % 1000000000u);
			nanosleep(&ts, NULL);
		}
	}
	rc = rb_k_unregister();
	if (rc < 0)
		fprintf(stderr, "ra-floor: unregister: %s\n", strerror(-rc));
	rb_k_close(&kd);
	ask_sync(&s, true);
	pthread_join(syncer, NULL);
	fprintf(stderr, "ra-floor: %lu records, %lu syncs\n", records, s.made);
	close(s.fd);
	free(bufs);
	return status != 0 || rc < 0;
}
