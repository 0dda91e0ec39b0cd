/*
 * dispatch.c - the dispatcher: auditd's plugins, fed from the pipeline,
 * where a slow or dead plugin never slows the log.
 *
 * In auditd one thread reads the kernel, writes the log and queues each
 * event for plugins, and when a plugin reads slowly that thread sleeps
 * 8 ms per event on the full queue: the kernel's backlog fills and
 * audited processes stall.  Here the writer copies each record it takes
 * into the feed (ring.h) and goes on; it never waits for a plugin, and a
 * full feed (the dispatch thread itself starved for long) is counted.
 *
 * One dispatch thread owns everything else: it takes new entries from
 * the feed and offers each to every consumer (an exec plugin, or one
 * client of a builtin_af_unix), whose queue copies it into an arena of
 * its own (queue.c), so the feed is released as soon as a batch is
 * taken and never fills because one consumer is slow; it writes each
 * consumer what its socket takes, many records per send; it watches
 * plugins' pidfds (plugin.c) and af_unix listeners and clients
 * (af_unix.c) in one poll.
 *
 * Every record offered to a consumer is, in the end, delivered to it or
 * counted dropped (overflow, suspension, a dead plugin, the feed lost it):
 * offered = delivered + dropped + queued, per plugin.
 *
 * Skipping: a plugin that has stopped reading would cost the writer a
 * copy and this thread a round per batch for records it only drops.
 * Once every consumer would drop whatever comes, with its overflow_action
 * already taken in full (dq_quiet), the thread asks the writer to skip
 * (ring_feed_skip): the writer copies nothing and wakes no one, and only
 * counts; the thread counts those records dropped for every consumer
 * when the next entry or a report comes.  A socket with room, a new
 * client, a restart, a resume or a HUP ends it at once.  Measured with
 * ENRICHED at 40,000 events/s: a stopped plugin cost the dispatch thread
 * 1.3 µs per event and the writer 0.7 µs; skipping, nothing measurable.
 *
 * Waking: the writer wakes this thread through a ring_waiter's eventfd,
 * once per batch and only when the thread announced it sleeps; the
 * thread sleeps in poll(), with that eventfd among its descriptors.  The
 * daemon's requests (SIGHUP, SIGUSR2, the state report, stop) are staged
 * under a lock and announced through the same eventfd.
 *
 * Lent (inline): asleep with nothing left to send, the thread lends
 * itself (ring.h's baton), and ingest, after a batch it wrote for the
 * writer, does a round on its own thread (disp_help): the feed taken into
 * the queues, and what each socket takes sent.  A full socket, a send
 * that failed or more in the feed is left to this thread, woken for it:
 * the descriptors it sleeps on are its own to change.  At 100 events a
 * second with one plugin: 1.8 context switches an event down to 0.8.
 *
 * Batching: woken for records, or finding more after a round, the thread
 * first waits up to DISP_GATHER_NS (1 ms) more, unannounced, watching
 * its descriptors.  A round then takes what the writer gave meanwhile,
 * and each plugin gets it in one send: at 20,000 events/s a round every
 * millisecond instead of one per writer batch (each a wake-up, a poll, a
 * send per plugin).  A plugin gets a record at most that much later than
 * it would from auditd.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/thread.h"
#include "dispatch/disp_int.h"

/* The writer's feed: records between the writer and this thread only
 * (each consumer copies what it takes), some 28,000 of them: with both
 * cores taken by a load, 2 MiB filled while this thread waited for one,
 * and records were lost for every plugin (counted). */
#define DISP_FEED_BYTES (8u << 20)
#define DISP_TAKE_BATCH 1024
/* How long records may wait to be gathered into a batch (gather). */
#define DISP_GATHER_NS 1000000L

static void
kick(struct disp *d)
{
	uint64_t one = 1;

	if (write(d->waiter.efd, &one, sizeof(one)) < 0) {
		/* Saturated: it is awake already. */
	}
}

int
disp_create(struct disp **out, const struct disp_config *c)
{
	struct disp *d;
	int rc = -ENOMEM;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->c = *c;
	d->ev_fd = -1;
	d->ovf.action = c->overflow;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	d->plugins = calloc(DISP_PLUGINS_MAX, sizeof(*d->plugins));
	d->staged_pcs = calloc(DISP_PLUGINS_MAX, sizeof(*d->staged_pcs));
	d->pub_ps = calloc(DISP_PLUGINS_MAX, sizeof(*d->pub_ps));
	d->hup_pcs = calloc(DISP_PLUGINS_MAX, sizeof(*d->hup_pcs));
	if (d->plugins == NULL || d->staged_pcs == NULL || d->pub_ps == NULL ||
	    d->hup_pcs == NULL)
		goto err;
	rc = ring_waiter_init(&d->waiter, true);
	if (rc < 0)
		goto err;
	d->waiter.sleep_ms = -1;
	rc = ring_feed_init(&d->feed, DISP_FEED_BYTES, &d->waiter);
	if (rc < 0)
		goto err;
	d->ev_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->ev_fd < 0) {
		rc = -errno;
		goto err;
	}
	*out = d;
	return 0;
err:
	disp_destroy(d);
	return rc;
}

void
disp_destroy(struct disp *d)
{
	if (d == NULL)
		return;
	if (d->started)
		disp_stop(d);
	for (unsigned i = 0; d->plugins != NULL && i < DISP_PLUGINS_MAX; i++) {
		if (!d->plugins[i].used)
			continue;
		du_free(&d->plugins[i]);
		dq_fini(&d->plugins[i].c);
	}
	ring_feed_fini(&d->feed);
	ring_waiter_fini(&d->waiter);
	if (d->ev_fd >= 0)
		close(d->ev_fd);
	free(d->plugins);
	free(d->staged_pcs);
	free(d->pub_ps);
	free(d->hup_pcs);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d);
}

struct ring_feed *
disp_feed(struct disp *d)
{
	return &d->feed;
}

/* ---- records ---- */

/* Records its queues never hold: counted, nothing else. */
static bool
idle_plugin(const struct disp_plugin *p)
{
	return p->kind == DISP_NOOP || p->state == DISP_ST_DEAD;
}

static void
offer(struct disp *d, struct disp_plugin *p, const struct ring_feed_ent *e)
{
	struct disp_cons *c;
	unsigned k;

	for (k = 0; (c = dp_cons(p, &k)) != NULL;) {
		if (idle_plugin(p))
			dq_lost(c, 1);
		else
			dq_offer(c, &d->ovf, d->c.q_depth, p->conf.name, e);
	}
}

/*
 * n records every consumer missed, dropped for each: 'skipped' of them
 * the writer did not copy because each consumer would have dropped it,
 * its overflow_action already taken in full (update_skip), the rest the
 * feed had no room for.
 */
static void
missed(struct disp *d, uint64_t n, uint64_t skipped)
{
	struct disp_cons *c;
	unsigned j, k;

	if (skipped > n)
		skipped = n;
	d->feed_lost += n - skipped;
	d->feed_skipped += skipped;
	for (j = 0; j < d->nlive; j++)
		for (k = 0; (c = dp_cons(&d->plugins[d->live[j]], &k)) !=
		    NULL;)
			dq_lost(c, n);
}

/*
 * Records skipped since the last entry, counted now, for a report: only
 * when no entry is waiting, so they are the ones right after it (while
 * the writer skips, the feed cannot be full, so none was lost between).
 */
static void
settle_skipped(struct disp *d)
{
	/* Acquire: an entry put before the count is seen by the peek. */
	uint64_t s = atomic_load_explicit(&d->feed.skipped,
	    memory_order_acquire) - d->skip_seen;

	if (s == 0 || ring_feed_peek(&d->feed, &d->rpos) != NULL)
		return;
	missed(d, s, s);
	d->skip_seen += s;
	/* (Before the first entry, that entry says where seqs start.) */
	if (d->seq_known)
		d->next_seq += s;
}

/* At the end: records the feed had no room for, or skipped, that no
 * later entry showed. */
static void
missed_at_end(struct disp *d)
{
	uint64_t l = atomic_load_explicit(&d->feed.lost, memory_order_relaxed);
	uint64_t s = atomic_load_explicit(&d->feed.skipped,
	    memory_order_relaxed) - d->skip_seen;

	l = l > d->feed_lost ? l - d->feed_lost : 0;
	if (l + s > 0)
		missed(d, l + s, s);
}

/*
 * Whether every consumer would drop what it is offered now, with no
 * more to do than count it (dq_quiet): then the writer need not copy
 * records (ring_feed_skip), and this thread is not woken for them.
 * Looked at after each round and each poll: a socket with room, a new
 * client, a restart, a resume or a HUP ends it.
 */
static void
update_skip(struct disp *d)
{
	struct disp_cons *c;
	bool all = d->nlive > 0, quiet = dq_quiet(&d->ovf);
	unsigned j, k;

	for (j = 0; all && j < d->nlive; j++) {
		struct disp_plugin *p = &d->plugins[d->live[j]];

		if (idle_plugin(p))
			continue;
		for (k = 0; all && (c = dp_cons(p, &k)) != NULL;)
			all = quiet && dq_full(c, &d->ovf, d->c.q_depth);
	}
	if (all != d->skipping) {
		d->skipping = all;
		ring_feed_skip(&d->feed, all);
	}
}

/* New feed entries into every consumer's queue; how many were taken. */
static unsigned
take(struct disp *d)
{
	struct ring_feed_ent *e;
	uint64_t gap, skipped;
	unsigned j, n = 0;

	while (n < DISP_TAKE_BATCH &&
	    (e = ring_feed_peek(&d->feed, &d->rpos)) != NULL) {
		if (!d->seq_known) {
			d->next_seq = e->seq;
			d->seq_known = true;
		}
		/* Skipped records are in the gap, or came before the first
		 * entry since the feed went on. */
		gap = e->seq - d->next_seq;
		skipped = e->skipped - d->skip_seen;
		if (gap > 0 || skipped > 0)
			missed(d, gap > skipped ? gap : skipped, skipped);
		d->next_seq = e->seq + 1;
		d->skip_seen = e->skipped;
		for (j = 0; j < d->nlive; j++)
			offer(d, &d->plugins[d->live[j]], e);
		d->rpos += e->span;
		d->records++;
		n++;
	}
	/* Every consumer has its copy: the writer may reuse the bytes. */
	if (n > 0)
		ring_feed_release(&d->feed, d->rpos);
	if (d->ovf.events & ~d->posted) {
		uint64_t one = 1;

		atomic_fetch_or_explicit(&d->events, d->ovf.events & ~d->posted,
		    memory_order_relaxed);
		d->posted |= d->ovf.events;
		if (write(d->ev_fd, &one, sizeof(one)) < 0) {
			/* Saturated: the daemon has not read it yet. */
		}
	}
	return n;
}

/* Every consumer sent what its socket takes.  LENT (disp_help): a send
 * that failed is left to the thread, which meets it again; true: all
 * was sent. */
static bool
flush_all(struct disp *d, bool lent)
{
	struct disp_cons *c;
	unsigned i, k;
	bool all = true;
	int rc;

	for (i = 0; i < DISP_PLUGINS_MAX; i++) {
		struct disp_plugin *p = &d->plugins[i];

		for (k = 0; p->used && dp_writes(p) &&
		    (c = dp_cons(p, &k)) != NULL;) {
			if ((rc = dq_flush(c)) >= 0) {
				all = all && !dq_pending(c);
				continue;
			}
			all = false;
			if (lent)
				break;
			/* A client that cannot be written is gone; a plugin's
			 * death is seen on its pidfd. */
			if (p->kind == DISP_UNIX)
				du_client_close(p, k - 1);
			else
				log_debug("dispatch: %s: %s", p->conf.path,
				    strerror(-rc));
		}
	}
	return all;
}

void
disp_help(struct disp *d)
{
	bool left;

	if (!ring_baton_lend(&d->baton)) {
		/* Awake, or about to sleep (its waiter says which). */
		ring_waiter_wake(&d->waiter);
		return;
	}
	d->helped += take(d);
	left = !flush_all(d, true) ||
	    ring_feed_peek(&d->feed, &d->rpos) != NULL;
	ring_baton_return(&d->baton);
	/* A socket to watch for room, an error to meet, more to take. */
	if (left)
		ring_waiter_wake(&d->waiter);
}

static bool
drained(struct disp *d)
{
	struct disp_cons *c;
	unsigned i, k;

	if (ring_feed_peek(&d->feed, &d->rpos) != NULL)
		return false;
	for (i = 0; i < DISP_PLUGINS_MAX; i++) {
		struct disp_plugin *p = &d->plugins[i];

		for (k = 0; p->used && dp_writes(p) &&
		    (c = dp_cons(p, &k)) != NULL;)
			if (dq_pending(c))
				return false;
	}
	return true;
}

/* The daemon's requests, taken at the top of each round. */
static bool
control(struct disp *d)
{
	bool hup, stop;

	pthread_mutex_lock(&d->mu);
	if (d->resume) {
		d->resume = false;
		if (d->ovf.suspended)
			log_info("Dispatcher resumed passing events to "
			    "plugins");
		d->ovf.suspended = false;
	}
	hup = d->hup;
	d->hup = false;
	if (hup) {
		/* Ours to read once copied: another HUP may stage anew. */
		d->hup_c = d->staged;
		d->hup_n = d->staged_n;
		memcpy(d->hup_pcs, d->staged_pcs,
		    (size_t)d->hup_n * sizeof(*d->hup_pcs));
	}
	stop = d->stop;
	pthread_mutex_unlock(&d->mu);
	if (hup)
		dr_apply_hup(d, &d->hup_c, d->hup_pcs, d->hup_n);
	if (stop && d->deadline == 0)
		d->deadline = clock_mono_ns() + d->c.stop_ms * 1000000ull;
	return stop;
}

/* ---- the thread ---- */

static unsigned
add_fd(struct disp *d, unsigned n, int fd, short ev, enum fd_what what,
    unsigned plugin, unsigned client)
{
	d->pfd[n].fd = fd;
	d->pfd[n].events = ev;
	d->pfd[n].revents = 0;
	d->own[n].what = what;
	d->own[n].plugin = plugin;
	d->own[n].client = client;
	return n + 1;
}

static unsigned
build_fds(struct disp *d)
{
	unsigned i, k, n = 0;

	d->pollout = false;
	n = add_fd(d, n, d->waiter.efd, POLLIN, FD_WAKE, 0, 0);
	for (i = 0; i < DISP_PLUGINS_MAX; i++) {
		struct disp_plugin *p = &d->plugins[i];

		if (!p->used)
			continue;
		if (p->kind == DISP_EXEC && p->pidfd >= 0) {
			n = add_fd(d, n, p->pidfd, POLLIN, FD_PIDFD, i, 0);
			if (dq_pending(&p->c) && !p->leaving) {
				n = add_fd(d, n, p->c.fd, POLLOUT, FD_PLUGIN,
				    i, 0);
				d->pollout = true;
			}
		}
		if (p->kind != DISP_UNIX)
			continue;
		if (p->lfd >= 0 && p->nclients < DISP_CLIENTS_MAX)
			n = add_fd(d, n, p->lfd, POLLIN, FD_LISTEN, i, 0);
		for (k = 0; k < DISP_CLIENTS_MAX; k++) {
			struct disp_client *cl = &p->clients[k];
			bool out;

			if (!cl->used)
				continue;
			out = dq_pending(&cl->c);
			d->pollout = d->pollout || out;
			n = add_fd(d, n, cl->c.fd, (short)((cl->eof ? 0 :
			    POLLIN) | (out ? POLLOUT : 0)), FD_CLIENT, i, k);
		}
	}
	return n;
}

static void
handle_fds(struct disp *d, unsigned n)
{
	uint64_t v;
	unsigned j;

	for (j = 0; j < n; j++) {
		struct disp_plugin *p = &d->plugins[d->own[j].plugin];

		if (d->pfd[j].revents == 0)
			continue;
		switch (d->own[j].what) {
		case FD_WAKE:
			if (read(d->waiter.efd, &v, sizeof(v)) < 0) {
				/* Nothing to clear. */
			}
			break;
		case FD_PIDFD:
			if (!p->used || p->pidfd != d->pfd[j].fd)
				break;
			if (p->leaving) {
				dp_left(p);
				dr_left(d, p);
			} else {
				dp_died(p, d->c.max_restarts);
			}
			break;
		case FD_PLUGIN:
			/* Room again; flush_all writes. */
			if (p->used && p->c.fd == d->pfd[j].fd)
				p->c.blocked = false;
			break;
		case FD_LISTEN:
			if (p->used && p->lfd >= 0)
				du_accept(p, d->c.q_depth);
			break;
		case FD_CLIENT:
			if (!p->used || !p->clients[d->own[j].client].used)
				break;
			if (d->pfd[j].revents & POLLOUT)
				p->clients[d->own[j].client].c.blocked = false;
			if (d->pfd[j].revents & (POLLIN | POLLHUP | POLLERR))
				du_client_input(p, d->own[j].client,
				    d->pfd[j].revents & (POLLHUP | POLLERR));
			break;
		}
	}
	/* Room, a client, a restart: the writer copies records again. */
	update_skip(d);
}

/*
 * Plugins told to leave at a SIGHUP: killed at their deadline, given up
 * on after that (dp_leave_check).  The soonest time to look again, in
 * ms from now for poll, or -1.
 */
static int
check_leaving(struct disp *d)
{
	uint64_t now = clock_mono_ns(), next = 0, t;
	unsigned i;

	for (i = 0; i < DISP_PLUGINS_MAX; i++) {
		struct disp_plugin *p = &d->plugins[i];

		if (!p->used || !p->leaving)
			continue;
		t = dp_leave_check(p, now);
		if (!p->leaving)
			dr_left(d, p);
		else if (next == 0 || t < next)
			next = t;
	}
	return next == 0 ? -1 : (int)((next - now) / 1000000 + 1);
}

/*
 * Records are waiting: wait a moment more for others, without announcing
 * it (so the writer makes no system call to wake us), so that a round
 * takes a batch and each send carries many records.  The descriptors are
 * watched meanwhile: a death, a socket with room, the daemon's requests.
 */
static void
gather(struct disp *d, unsigned n)
{
	struct timespec ts = { 0, DISP_GATHER_NS };

	if (ppoll(d->pfd, n, &ts, NULL) < 0 && errno != EINTR)
		log_warn("dispatch: poll");
	handle_fds(d, n);
}

static void *
disp_main(void *arg)
{
	struct disp *d = arg;
	bool stop;

	for (;;) {
		unsigned n, taken;
		int timeout = -1, leave;
		bool lendable;

		stop = control(d);
		leave = check_leaving(d);
		update_skip(d);		/* a resume, a HUP, one gone */
		taken = take(d);
		flush_all(d, false);
		update_skip(d);
		/* After the round: a request sees what was fed before it. */
		pthread_mutex_lock(&d->mu);
		if (d->want_stats) {
			d->want_stats = false;
			settle_skipped(d);
			dr_publish(d);
		}
		pthread_mutex_unlock(&d->mu);
		if (stop && (drained(d) || clock_mono_ns() >= d->deadline))
			break;
		n = build_fds(d);
		if (taken == DISP_TAKE_BATCH) {
			/* A busy feed: the descriptors are still looked at
			 * (a socket with room again, a death, a client). */
			if (poll(d->pfd, n, 0) > 0)
				handle_fds(d, n);
			continue;
		}
		if (!stop && ring_feed_peek(&d->feed, &d->rpos) != NULL) {
			gather(d, n);
			continue;
		}
		ring_waiter_prepare(&d->waiter);
		if (ring_feed_peek(&d->feed, &d->rpos) != NULL) {
			ring_waiter_cancel(&d->waiter);
			continue;
		}
		if (stop) {
			uint64_t now = clock_mono_ns();

			timeout = d->deadline > now ?
			    (int)((d->deadline - now) / 1000000 + 1) : 0;
		}
		/* A plugin leaving at its own pace has a deadline too. */
		if (leave >= 0 && (timeout < 0 || leave < timeout))
			timeout = leave;
		/* Asleep with nothing to send, until woken: ingest may do a
		 * round meanwhile (disp_help). */
		lendable = timeout < 0 && !d->pollout;
		if (lendable)
			ring_baton_idle(&d->baton);
		if (poll(d->pfd, n, timeout) < 0 && errno != EINTR)
			log_warn("dispatch: poll");
		if (lendable)
			ring_baton_take(&d->baton);
		ring_waiter_cancel(&d->waiter);
		handle_fds(d, n);
		/* Woken for records: let the rest of their batch come. */
		if (!stop && ring_feed_peek(&d->feed, &d->rpos) != NULL)
			gather(d, build_fds(d));
	}
	missed_at_end(d);
	/* The log is complete and the queues handed over (or the time is
	 * up): SIGTERM and EOF, and wait for them, bounded. */
	dp_stop_all(d->plugins, DISP_PLUGINS_MAX,
	    clock_mono_ns() + d->c.stop_ms * 1000000ull);
	for (unsigned i = 0; i < DISP_PLUGINS_MAX; i++) {
		struct disp_plugin *p = &d->plugins[i];

		if (!p->used)
			continue;
		if (p->kind == DISP_UNIX)
			du_close(p);
		dq_drop_all(&p->c);
	}
	pthread_mutex_lock(&d->mu);
	dr_publish(d);
	d->done = true;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

int
disp_start(struct disp *d)
{
	int n, rc, i;
	sigset_t all, old;

	n = disp_pconf_scan(d->c.plugin_dir, d->staged_pcs, DISP_PLUGINS_MAX);
	if (n < 0)
		n = 0;
	if (n == 0)
		log_notice("No plugins found, not dispatching events");
	for (i = 0; i < n; i++)
		dr_add(d, &d->staged_pcs[i]);
	if (n > 0)
		log_info("audit dispatcher initialized with q_depth=%u and "
		    "%d active plugins", d->c.q_depth, n);
	dr_changed(d);
	/* The thread takes no signal: the daemon's main reads them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&d->thread, NULL, disp_main, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		/* No thread to stop them later: the plugins go now. */
		dp_stop_all(d->plugins, DISP_PLUGINS_MAX, clock_mono_ns());
		return -rc;
	}
	thread_setup(d->thread, "ra-dispatch");
	d->started = true;
	return 0;
}

void
disp_reconfigure(struct disp *d, const struct disp_config *c)
{
	int n;

	struct disp_pconf *pcs = calloc(DISP_PLUGINS_MAX, sizeof(*pcs));

	if (pcs == NULL) {
		log_warnx("Reconfigure: plugins: out of memory");
		return;
	}
	/* Read here, in the caller's thread: no file I/O in dispatch's. */
	n = disp_pconf_scan(c->plugin_dir, pcs, DISP_PLUGINS_MAX);
	if (n < 0)
		n = 0;
	pthread_mutex_lock(&d->mu);
	d->staged = *c;
	d->staged_n = n;
	memcpy(d->staged_pcs, pcs, (size_t)n * sizeof(*pcs));
	free(pcs);
	d->hup = true;
	pthread_mutex_unlock(&d->mu);
	kick(d);
}

void
disp_resume(struct disp *d)
{
	pthread_mutex_lock(&d->mu);
	d->resume = true;
	pthread_mutex_unlock(&d->mu);
	kick(d);
}

void
disp_stop(struct disp *d)
{
	if (!d->started)
		return;
	pthread_mutex_lock(&d->mu);
	d->stop = true;
	pthread_mutex_unlock(&d->mu);
	kick(d);
	pthread_join(d->thread, NULL);
	d->started = false;
}

int
disp_event_fd(struct disp *d)
{
	return d->ev_fd;
}

uint32_t
disp_take_events(struct disp *d)
{
	uint64_t v;

	if (read(d->ev_fd, &v, sizeof(v)) < 0) {
		/* Nothing posted. */
	}
	return atomic_exchange_explicit(&d->events, 0, memory_order_relaxed);
}

unsigned
disp_get_stats(struct disp *d, struct disp_stats *st,
    struct disp_plugin_stats *ps, unsigned max)
{
	struct timespec ts;
	uint64_t gen;
	unsigned n;

	pthread_mutex_lock(&d->mu);
	if (d->started && !d->done) {
		gen = d->stats_gen;
		d->want_stats = true;
		kick(d);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		while (d->stats_gen == gen && !d->done)
			if (pthread_cond_timedwait(&d->cv, &d->mu, &ts) != 0)
				break;
	}
	*st = d->pub;
	n = d->pub_n < max ? d->pub_n : max;
	if (ps != NULL && n > 0)
		memcpy(ps, d->pub_ps, n * sizeof(*ps));
	pthread_mutex_unlock(&d->mu);
	return n;
}
