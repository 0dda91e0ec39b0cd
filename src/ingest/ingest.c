/*
 * ingest.c - the ingest thread.
 *
 * It owns the free side of the record circuit: it pops free records from
 * the writer's free ring, lends them to the source to receive into, stamps
 * each record (CLOCK_MONOTONIC receive time for the batch, a sequence
 * number without gaps, the serial from the header) and pushes it to parser
 * worker serial % W, so the records of one event stay on one worker, in
 * order.  The writer puts the W streams back in sequence order.
 *
 * Waiting: when no record is free, or a worker's ring is full, ingest
 * waits (spins, then sleeps on its futex waiter) and counts it; meanwhile
 * the kernel queues, and its own backlog policy applies.  Ingest never
 * drops.  When the source is empty it sleeps in poll() on the socket and on
 * a wake eventfd that ingest_inject and ingest_stop write to.
 *
 * Daemon records (DAEMON_START, DAEMON_END) come in through a small mailbox
 * guarded by a mutex (control path only; the loop tests one atomic flag)
 * and are stamped and sharded like the kernel's.
 *
 * Messages (ring.h's struct ring_msg: a remote client's line, or the
 * listener's DAEMON_ACCEPT and DAEMON_CLOSE) come on their own ring,
 * msg_in, in their producer's order, and are taken between the source's
 * batches: each is copied into a record that carries its token on to the
 * writer, who gives it back.  A client's line is logged verbatim
 * (RING_REC_VERBATIM); a daemon record is formatted like any other.  The
 * producer's slots bound what waits there; when no record is free,
 * ingest waits as for the kernel's, and the producer stops reading.
 *
 * Gathering: a record that comes alone costs a wake-up of every stage
 * (ingest, a worker, the writer, io_uring's worker), which is most of its
 * cost below some thousands a second.  So while records come often, a
 * batch that emptied the socket may be followed by a sleep on the wake fd
 * alone (mail, messages and stop still end it at once): the kernel queues
 * meanwhile, and the next receives take what gathered, one wake-up of
 * each stage for all of it.  gather.c decides how long (gather_ms at
 * most: that is the budget) and what receive time those records carry
 * (the sleep's start).  A record that comes alone after a quiet spell is
 * read at once.
 *
 * Stopping: ingest reads on until the kernel's backlog is 0 twice in a row
 * with nothing left on the socket (or drain_timeout_ms passes), unregisters,
 * reads what is still on the socket, writes the last record (DAEMON_END),
 * then pushes one end-of-stream record to every worker.  A multicast
 * listener has no backlog in the kernel to wait for (the queue is the
 * registered daemon's): it only reads its socket until it is quiet.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <ck_pr.h>

#include "common/log.h"
#include "common/stat.h"
#include "common/thread.h"
#include "ingest/gather.h"
#include "ingest/source.h"
#include "parse/parse.h"

#define INGEST_BATCH 64
#define INGEST_MAILBOX 16
#define INGEST_MAIL_MAX 2048
/* Asleep until the socket or the wake fd says: a timeout would only wake
 * an idle daemon for nothing (auditd makes no wake-up at all). */
#define INGEST_POLL_MS (-1)
#define INGEST_SPINS 256
#define INGEST_MSG_BATCH 256	/* messages between two source batches */
/* The gathering sleep is a latency budget (gather.c), and the kernel's
 * timer slack for a thread (50 us by default) lets the sleep end that
 * much later, unbudgeted: at 20,000 ENRICHED events/s, with sleeps of
 * some 400 us, the median receive->written was 589 us with it and 491
 * without (PERF.md).  Each sleep ends in a timer interrupt of its own
 * either way. */
#define INGEST_TIMER_SLACK_NS 1000

struct ingest_mail {
	unsigned type;
	unsigned cmd;		/* for the writer, opaque here */
	size_t len;
	char text[INGEST_MAIL_MAX];
};

struct ingest {
	struct ingest_config c;
	struct ingest_source src;
	struct ingest_stats st;
	pthread_t thread;
	bool started;
	int wake_fd;

	uint64_t next_seq;
	struct ring_rec *stash[INGEST_BATCH];
	unsigned nstash;
	bool *dirty;			/* worker ring got records */

	pthread_mutex_t mu;		/* guards mail, last, and reg below */
	pthread_cond_t cv;
	struct ingest_mail mail[INGEST_MAILBOX];
	unsigned nmail;
	_Atomic bool mail_pending;
	_Atomic bool stop;
	_Atomic bool finished;
	struct ingest_mail last;
	bool have_last;
	int reg;			/* 0 waiting, 1 ok, <0 refused */
	int reg_seen;			/* the thread's own copy of reg */

	_Atomic unsigned gather_ms;
	struct ingest_gather gather;	/* gather.c's */
};

int
ingest_create(struct ingest **out, const struct ingest_config *c)
{
	struct ingest *ing;
	unsigned i;
	int rc;

	if (c->workers == 0 || c->pool == NULL || c->free_ring == NULL ||
	    c->to_worker == NULL || c->self == NULL)
		return -EINVAL;
	if (ring_capacity(c->free_ring) < c->pool->n)
		return -EINVAL;
	/* The record type names the replay source reads, if nobody has
	 * built them yet. */
	if ((rc = parse_init()) < 0)
		return rc;
	ing = calloc(1, sizeof(*ing));
	if (ing == NULL)
		return -ENOMEM;
	ing->c = *c;
	atomic_init(&ing->gather_ms, 0);
	ingest_gather_init(&ing->gather);
	ingest_set_gather_ms(ing, c->gather_ms);
	ing->dirty = calloc(c->workers, sizeof(*ing->dirty));
	ing->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ing->dirty == NULL || ing->wake_fd < 0) {
		free(ing->dirty);
		if (ing->wake_fd >= 0)
			close(ing->wake_fd);
		free(ing);
		return -ENOMEM;
	}
	pthread_mutex_init(&ing->mu, NULL);
	pthread_cond_init(&ing->cv, NULL);
	switch (c->kind) {
	case INGEST_NETLINK:
		ing->src.ops = &ingest_netlink_ops;
		break;
	case INGEST_MULTICAST:
		ing->src.ops = &ingest_multicast_ops;
		break;
	case INGEST_REPLAY:
		ing->src.ops = &ingest_replay_ops;
		break;
	case INGEST_NONE:
		ing->src.ops = &ingest_none_ops;
		break;
	}
	ing->src.stats = &ing->st;
	/* Every record starts free; the thread has not started, so this
	 * thread is the free ring's only producer for now. */
	for (i = 0; i < c->pool->n; i++)
		if (!ring_trypush(c->free_ring, &c->pool->recs[i]))
			abort();
	STAT_SET(ing->st.free_low, c->pool->n);
	*out = ing;
	return 0;
}

void
ingest_destroy(struct ingest *ing)
{
	if (ing == NULL)
		return;
	close(ing->wake_fd);
	pthread_mutex_destroy(&ing->mu);
	pthread_cond_destroy(&ing->cv);
	free(ing->dirty);
	free(ing);
}

static void
wake_workers(struct ingest *ing)
{
	unsigned i;

	for (i = 0; i < ing->c.workers; i++) {
		if (!ing->dirty[i])
			continue;
		ing->dirty[i] = false;
		/* Taken already (help): nothing to wake it for. */
		if (ring_count(&ing->c.to_worker[i]) == 0)
			continue;
		ring_waiter_wake(ing->c.to_worker[i].consumer);
	}
}

/* Have at least one free record in the stash; false if told to stop. */
static bool
refill(struct ingest *ing, bool may_stop)
{
	unsigned spins = 0;
	bool waited = false;

	unsigned free_now = ring_count(ing->c.free_ring);

	/* The pool's high-water mark, looked at once a refill. */
	if (free_now < ing->st.free_low)
		STAT_SET(ing->st.free_low, free_now);
	for (;;) {
		struct ring_rec *r;
		uint32_t epoch;

		while (ing->nstash < INGEST_BATCH &&
		    ring_trypop(ing->c.free_ring, &r))
			ing->stash[ing->nstash++] = r;
		if (ing->nstash > 0)
			return true;
		if (!waited) {
			waited = true;
			STAT_ADD(ing->st.pool_waits, 1);
			/* The workers may sleep on records we gave them. */
			wake_workers(ing);
		}
		if (may_stop && atomic_load_explicit(&ing->stop,
		    memory_order_relaxed))
			return false;
		if (spins++ < INGEST_SPINS) {
			ck_pr_stall();
			continue;
		}
		epoch = ring_waiter_prepare(ing->c.self);
		if (ring_count(ing->c.free_ring) > 0 || (may_stop &&
		    atomic_load_explicit(&ing->stop, memory_order_relaxed))) {
			ring_waiter_cancel(ing->c.self);
			continue;
		}
		ring_waiter_sleep(ing->c.self, epoch);
	}
}

/* Take stash[i] out of the stash (order of the rest does not matter). */
static struct ring_rec *
stash_take(struct ingest *ing, unsigned i)
{
	struct ring_rec *r = ing->stash[i];

	ing->stash[i] = ing->stash[--ing->nstash];
	return r;
}

/* Hand r to worker w; the next wake_workers announces it. */
static void
push_to_worker(struct ingest *ing, unsigned w, struct ring_rec *r)
{
	ing->dirty[w] = true;
	if (!ring_trypush(&ing->c.to_worker[w], r)) {
		/* About to wait: every worker that got records must run. */
		wake_workers(ing);
		ring_push_wait(&ing->c.to_worker[w], r, ing->c.self, NULL);
		/* wake_workers cleared it; the record just pushed needs the
		 * next wake too. */
		ing->dirty[w] = true;
	}
}

static void
dispatch(struct ingest *ing, struct ring_rec *r, uint64_t now)
{
	struct parse_hdr h;
	unsigned w;

	r->seq = ing->next_seq++;
	r->recv_ns = now;
	r->line_off = 0;
	r->line_len = 0;
	r->v0_len = 0;
	if (r->flags & RING_REC_VERBATIM) {
		/* Not parsed: any worker; the writer puts them in order. */
		r->serial = 0;
		w = (unsigned)(r->seq % ing->c.workers);
	} else if (parse_header(ring_rec_payload(r), r->len, &h) == 0) {
		r->serial = h.serial;
		w = h.serial % ing->c.workers;
	} else {
		/* Still logged as it came; only the sharding needs a serial. */
		r->flags |= RING_REC_NOHDR;
		r->serial = 0;
		w = 0;
		STAT_ADD(ing->st.malformed, 1);
	}
	push_to_worker(ing, w, r);
}

static void
inject_one(struct ingest *ing, const struct ingest_mail *m)
{
	struct ring_rec *r;

	refill(ing, false);
	r = stash_take(ing, ing->nstash - 1);
	memcpy(ring_rec_payload(r), m->text, m->len);
	r->len = (uint32_t)m->len;
	r->type = (uint16_t)m->type;
	r->flags = RING_REC_DAEMON;
	r->cmd = (uint16_t)m->cmd;
	r->node_len = 0;
	r->ack = 0;
	STAT_ADD(ing->st.injected, 1);
	dispatch(ing, r, clock_mono_ns());
}

static void
take_mail(struct ingest *ing)
{
	struct ingest_mail m;

	if (!atomic_load_explicit(&ing->mail_pending, memory_order_acquire))
		return;
	/* One at a time, copied out under the lock, injected without it:
	 * injecting may wait for a free record. */
	for (;;) {
		pthread_mutex_lock(&ing->mu);
		if (ing->nmail == 0) {
			atomic_store_explicit(&ing->mail_pending, false,
			    memory_order_relaxed);
			pthread_mutex_unlock(&ing->mu);
			/* The workers are woken here, not by a timeout. */
			wake_workers(ing);
			return;
		}
		m = ing->mail[0];
		memmove(ing->mail, ing->mail + 1,
		    --ing->nmail * sizeof(ing->mail[0]));
		pthread_mutex_unlock(&ing->mu);
		inject_one(ing, &m);
	}
}

/*
 * Up to INGEST_MSG_BATCH messages from msg_in into records; all of them
 * when 'all' (at the end, once their producer stopped).  Returns how many.
 */
static unsigned
take_msgs(struct ingest *ing, bool all)
{
	struct ring_msg *m;
	unsigned n = 0;

	if (ing->c.msg_in == NULL)
		return 0;
	while ((all || n < INGEST_MSG_BATCH) && ring_trypop(ing->c.msg_in, &m)) {
		struct ring_rec *r;
		size_t len = m->len < RING_REC_PAYLOAD_MAX ? m->len :
		    RING_REC_PAYLOAD_MAX;

		refill(ing, false);
		r = stash_take(ing, ing->nstash - 1);
		memcpy(ring_rec_payload(r), m->text, len);
		r->len = (uint32_t)len;
		r->type = m->type;
		r->flags = m->type == 0 ? RING_REC_VERBATIM : RING_REC_DAEMON;
		r->cmd = RING_CMD_NONE;
		r->node_len = 0;
		r->ack = m->token;
		STAT_ADD(ing->st.messages, 1);
		dispatch(ing, r, clock_mono_ns());
		n++;
	}
	if (n > 0)
		wake_workers(ing);
	return n;
}

static void publish_reg(struct ingest *ing, int state);

/*
 * The source answered the registration: publish it, and only now let the
 * daemon's records (DAEMON_START) in, ahead of the kernel's: a refused
 * daemon writes nothing to a log that another daemon owns.
 */
static void
check_registration(struct ingest *ing)
{
	if (ing->reg_seen != 0)
		return;
	ing->reg_seen = ing->src.ops->ready(&ing->src);
	if (ing->reg_seen == 0)
		return;
	publish_reg(ing, ing->reg_seen);
	if (ing->reg_seen > 0)
		take_mail(ing);
}

/* One receive; returns what the source returned.  *emptied: fewer
 * records came than there was room for (the source had no more). */
static int
receive(struct ingest *ing, int timeout_ms, bool *emptied)
{
	struct ring_rec *got[INGEST_BATCH];
	unsigned i, room = ing->nstash;
	uint64_t now;
	int n;

	n = ing->src.ops->recv(&ing->src, ing->stash, ing->nstash, timeout_ms,
	    ing->wake_fd);
	*emptied = n >= 0 && (unsigned)n < room;
	now = ingest_gather_held(&ing->gather, n < 0 || *emptied);
	if (n > 0) {
		/* The records are stash[0..n); the rest stays the stash. */
		memcpy(got, ing->stash, (size_t)n * sizeof(got[0]));
		memmove(ing->stash, ing->stash + n,
		    (ing->nstash - (unsigned)n) * sizeof(ing->stash[0]));
		ing->nstash -= (unsigned)n;
	}
	check_registration(ing);
	if (n <= 0)
		return n;
	if (now == 0)
		now = clock_mono_ns();
	STAT_ADD(ing->st.received, (uint64_t)n);
	STAT_ADD(ing->st.batches, 1);
	for (i = 0; i < (unsigned)n; i++) {
		got[i]->ack = 0;
		dispatch(ing, got[i], now);
	}
	/* A batch that is all there is: one thread may do it all, while
	 * the stages sleep (ingest.h's help). */
	if (*emptied && ing->c.help != NULL)
		ing->c.help(ing->c.help_arg);
	/* Before the next receive can block: hand over what we have. */
	wake_workers(ing);
	return n;
}

/* After a batch of n records: sleep while more gather, if gather.c says
 * so (see the top). */
static void
gather(struct ingest *ing, unsigned n, bool emptied)
{
	uint64_t w = (uint64_t)atomic_load_explicit(&ing->gather_ms,
	    memory_order_relaxed) * 1000000u;
	uint64_t d, v;
	struct pollfd pfd = { .fd = ing->wake_fd, .events = POLLIN };
	struct timespec ts;

	d = ingest_gather_plan(&ing->gather, clock_mono_ns(), n, emptied, w);
	if (d == 0)
		return;
	ts.tv_sec = (time_t)(d / 1000000000u);
	ts.tv_nsec = (long)(d % 1000000000u);
	STAT_ADD(ing->st.gathers, 1);
	if (ppoll(&pfd, 1, &ts, NULL) > 0 &&
	    read(ing->wake_fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: emptied already; the loop looks at its flags */
	}
}

static void
publish_reg(struct ingest *ing, int state)
{
	pthread_mutex_lock(&ing->mu);
	ing->reg = state;
	pthread_cond_broadcast(&ing->cv);
	pthread_mutex_unlock(&ing->mu);
}

/*
 * Read what the kernel still holds for us, within the drain timeout.  Done
 * when its backlog was 0 twice with nothing on the socket between; if the
 * kernel cannot be asked, when the socket stayed quiet for 100 ms.
 */
static void
drain(struct ingest *ing)
{
	uint64_t deadline = clock_mono_ns() +
	    (uint64_t)ing->c.drain_timeout_ms * 1000000u;
	int empty = 0, backlog = 0;
	bool emptied;

	while (clock_mono_ns() < deadline) {
		int n;

		refill(ing, false);
		n = receive(ing, 0, &emptied);
		if (n > 0) {
			empty = 0;
			continue;
		}
		if (n == -ENODATA)
			return;
		wake_workers(ing);
		backlog = ing->src.ops->backlog(&ing->src);
		/* Twice: kauditd may hold one record between its queue and
		 * our socket when the first answer comes back. */
		if (backlog <= 0 && ++empty >= 2)
			return;
		if (backlog > 0)
			empty = 0;
		refill(ing, false);
		if (receive(ing, backlog < 0 ? 50 : 2, &emptied) > 0)
			empty = 0;
	}
	STAT_SET(ing->st.left_in_kernel, (uint64_t)(backlog > 0 ? backlog : 0));
	log_warnx("ingest: stopped waiting for the kernel after %u ms; it "
	    "still held %d records", ing->c.drain_timeout_ms, backlog);
}

static void
end_stream(struct ingest *ing)
{
	unsigned w;

	for (w = 0; w < ing->c.workers; w++) {
		struct ring_rec *r;
		uint64_t now = clock_mono_ns();

		refill(ing, false);
		r = stash_take(ing, ing->nstash - 1);
		r->flags = RING_REC_EOS;
		r->ack = 0;
		r->type = 0;
		r->len = 0;
		r->node_len = 0;
		r->seq = ing->next_seq++;
		r->recv_ns = now;
		r->serial = 0;
		push_to_worker(ing, w, r);
	}
	wake_workers(ing);
}

static void *
ingest_main(void *arg)
{
	struct ingest *ing = arg;
	struct ingest_mail last;
	bool have_last, emptied;
	int rc;

	/* This thread's own; refused (a seccomp profile), the default. */
	(void)prctl(PR_SET_TIMERSLACK, INGEST_TIMER_SLACK_NS, 0, 0, 0);
	rc = ing->src.ops->open(&ing->src, &ing->c);
	if (rc < 0) {
		publish_reg(ing, rc);
		goto end;
	}
	check_registration(ing);
	for (;;) {
		if (ing->reg_seen > 0)
			take_mail(ing);
		if (atomic_load_explicit(&ing->stop, memory_order_acquire))
			break;
		if (!refill(ing, true))
			break;
		/* Messages waiting, or records gathered: look at the source
		 * without sleeping. */
		rc = receive(ing, take_msgs(ing, false) > 0 ||
		    (ing->c.msg_in != NULL && ring_count(ing->c.msg_in) > 0) ||
		    ingest_gather_holding(&ing->gather) ? 0 : INGEST_POLL_MS, &emptied);
		if (rc > 0)
			gather(ing, (unsigned)rc, emptied);
		if (rc == -ENODATA) {
			atomic_store_explicit(&ing->finished, true,
			    memory_order_release);
			break;
		}
		if (rc != -EAGAIN && rc < 0)
			usleep(10000);	/* the source logged it */
		if (ing->reg_seen < 0)
			break;
	}
	if (ing->reg_seen > 0 && !atomic_load(&ing->finished) &&
	    ing->src.ops->backlog != NULL)
		drain(ing);
	ing->src.ops->unregister(&ing->src);
	/* Records may still arrive for a few moments after unregistering
	 * (kauditd flushes what it holds): read until the socket is quiet. */
	while (ing->reg_seen > 0 && !atomic_load(&ing->finished) &&
	    refill(ing, false) && receive(ing, 5, &emptied) > 0)
		;
	if (ing->reg_seen == 0)
		publish_reg(ing, -ETIMEDOUT);
	if (ing->reg_seen > 0) {
		take_mail(ing);
		/* Their producer stopped before us (DAEMON_CLOSEs included). */
		take_msgs(ing, true);
		pthread_mutex_lock(&ing->mu);
		have_last = ing->have_last;
		last = ing->last;
		pthread_mutex_unlock(&ing->mu);
		if (have_last)
			inject_one(ing, &last);
	}
	ing->src.ops->close(&ing->src);
end:
	end_stream(ing);
	return NULL;
}

int
ingest_start(struct ingest *ing)
{
	struct timespec ts;
	int rc;

	rc = pthread_create(&ing->thread, NULL, ingest_main, ing);
	if (rc != 0) {
		/* No thread will end the stream; this one is its producer. */
		end_stream(ing);
		return -rc;
	}
	ing->started = true;
	thread_setup(ing->thread, "ra-ingest");
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	pthread_mutex_lock(&ing->mu);
	while (ing->reg == 0 && rc == 0)
		rc = pthread_cond_timedwait(&ing->cv, &ing->mu, &ts);
	rc = ing->reg > 0 ? 0 : ing->reg < 0 ? ing->reg : -ETIMEDOUT;
	pthread_mutex_unlock(&ing->mu);
	return rc;
}

static void
wake_thread(struct ingest *ing)
{
	uint64_t one = 1;

	if (write(ing->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: already signalled */
	}
	ring_waiter_wake_slow(ing->c.self);
}

int
ingest_inject(struct ingest *ing, unsigned type, unsigned cmd,
    const char *payload, size_t len)
{
	struct ingest_mail *m;

	if (len > INGEST_MAIL_MAX)
		return -E2BIG;
	pthread_mutex_lock(&ing->mu);
	if (ing->nmail == INGEST_MAILBOX) {
		pthread_mutex_unlock(&ing->mu);
		return -EAGAIN;
	}
	m = &ing->mail[ing->nmail++];
	m->type = type;
	m->cmd = cmd;
	m->len = len;
	memcpy(m->text, payload, len);
	/* Release: the mail is visible before the flag is. */
	atomic_store_explicit(&ing->mail_pending, true, memory_order_release);
	pthread_mutex_unlock(&ing->mu);
	wake_thread(ing);
	return 0;
}

void
ingest_stop(struct ingest *ing, unsigned last_type, const char *last,
    size_t last_len)
{
	pthread_mutex_lock(&ing->mu);
	if (last != NULL && last_len <= INGEST_MAIL_MAX) {
		ing->last.type = last_type;
		ing->last.len = last_len;
		memcpy(ing->last.text, last, last_len);
		ing->have_last = true;
	}
	pthread_mutex_unlock(&ing->mu);
	/* Release: 'last' is set before the thread can see stop. */
	atomic_store_explicit(&ing->stop, true, memory_order_release);
	wake_thread(ing);
}

int
ingest_wake_fd(struct ingest *ing)
{
	return ing->wake_fd;
}

void
ingest_set_gather_ms(struct ingest *ing, unsigned ms)
{
	/* A file replayed, or no source: nothing comes by itself. */
	if (ing->c.kind != INGEST_NETLINK && ing->c.kind != INGEST_MULTICAST)
		ms = 0;
	atomic_store_explicit(&ing->gather_ms, ms, memory_order_relaxed);
}

int
ingest_join(struct ingest *ing)
{
	if (!ing->started)
		return 0;
	ing->started = false;
	return -pthread_join(ing->thread, NULL);
}

bool
ingest_finished(struct ingest *ing)
{
	return atomic_load_explicit(&ing->finished, memory_order_acquire);
}

void
ingest_get_stats(struct ingest *ing, struct ingest_stats *st)
{
	unsigned w;

	stat_copy(st, &ing->st, sizeof(*st));
	st->ring_waits = 0;
	for (w = 0; w < ing->c.workers; w++)
		st->ring_waits += STAT_GET(
		    ing->c.to_worker[w].pstats.full_waits);
}
