/*
 * roster.c - which plugins run: started from plugins.d, matched by file
 * name on SIGHUP as auditd matches them, and what each reports.
 *
 * On HUP, a plugin whose file is gone or no longer active is stopped; one
 * whose binary changed (another inode) is restarted; and, where auditd
 * 3.0.9 ignores it until its next start, so is one whose args, format or
 * path changed.  An unchanged one gets SIGHUP (which it ignores unless it
 * has a handler: it starts with auditd's dispositions).  A plugin that
 * had died for good (max_restarts) is started again, which auditd 3.0.9
 * never does.  New files start.  A plugin restarted here keeps its queue,
 * and what it had not read goes to the new instance.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "dispatch/disp_int.h"

void
dr_changed(struct disp *d)
{
	unsigned i;
	bool on;

	d->nlive = 0;
	for (i = 0; i < DISP_PLUGINS_MAX; i++)
		if (d->plugins[i].used && !d->plugins[i].removing)
			d->live[d->nlive++] = i;
	on = d->nlive > 0;
	/* A new plugin takes records: the writer copies them again (and
	 * what it skipped meanwhile is dropped for every plugin). */
	d->skipping = false;
	ring_feed_skip(&d->feed, false);
	if (on && !atomic_load_explicit(&d->feed.on, memory_order_relaxed)) {
		d->seq_known = false;
		d->skip_seen = atomic_load_explicit(&d->feed.skipped,
		    memory_order_relaxed);
	}
	/* Relaxed: the writer may copy a record more or less; the seq
	 * numbers say where the feed starts. */
	atomic_store_explicit(&d->feed.on, on, memory_order_relaxed);
}

/* What a plugin file makes: a process, the af_unix builtin, nothing. */
static enum disp_kind
kind_of(const struct disp_pconf *pc)
{
	if (pc->type != DISP_TYPE_BUILTIN)
		return DISP_EXEC;
	return strcmp(pc->path, DISP_AF_UNIX) == 0 ? DISP_UNIX : DISP_NOOP;
}

void
dr_add(struct disp *d, const struct disp_pconf *pc)
{
	struct disp_plugin *p = NULL;
	unsigned i;

	for (i = 0; i < DISP_PLUGINS_MAX && p == NULL; i++)
		if (!d->plugins[i].used)
			p = &d->plugins[i];
	if (p == NULL)
		return;
	memset(p, 0, sizeof(*p));
	p->conf = *pc;
	p->pidfd = p->peer = p->lfd = -1;
	if (dq_init(&p->c, d->c.q_depth, true) < 0) {
		log_err("Error running %s (%s) continuing without it",
		    pc->path, strerror(ENOMEM));
		return;
	}
	p->used = true;
	p->c.fmt = pc->format;
	p->keep_stdio = d->c.keep_stdio;
	if (kind_of(pc) == DISP_UNIX) {
		p->kind = DISP_UNIX;
		if (du_open(p, d->c.q_depth) < 0)
			p->state = DISP_ST_DEAD;
		if (p->clients == NULL)
			p->kind = DISP_NOOP;	/* out of memory: counted */
	} else if (kind_of(pc) == DISP_NOOP) {
		/* auditd counts it active, and it never gets a record. */
		p->kind = DISP_NOOP;
		p->state = DISP_ST_DEAD;
		log_warnx("Unknown builtin %s", pc->path);
	} else {
		p->kind = DISP_EXEC;
		dp_start(p);
	}
}

/* A plugin stopped on SIGHUP is waited for briefly: every other plugin
 * waits meanwhile (auditd waits 50 ms and does not look). */
#define DISP_HUP_STOP_MS 1000u

static uint64_t
hup_deadline(const struct disp *d)
{
	unsigned ms = d->c.stop_ms < DISP_HUP_STOP_MS ? d->c.stop_ms :
	    DISP_HUP_STOP_MS;

	return clock_mono_ns() + ms * 1000000ull;
}

/* Its slot freed (what it still held counted dropped). */
static void
free_plugin(struct disp_plugin *p)
{
	dq_drop_all(&p->c);
	dq_fini(&p->c);
	p->used = p->removing = false;
}

/*
 * A removed plugin: told to stop and left to it (dr_left frees the slot
 * once it is gone), so that the records of the others keep flowing: the
 * thread never waits for a plugin at a SIGHUP.
 */
static void
remove_plugin(struct disp *d, struct disp_plugin *p)
{
	if (p->kind == DISP_EXEC && dp_leave(p, hup_deadline(d))) {
		p->removing = true;
		return;
	}
	if (p->kind == DISP_UNIX)
		du_free(p);
	free_plugin(p);
}

void
dr_left(struct disp *d, struct disp_plugin *p)
{
	if (p->removing) {
		free_plugin(p);
		dr_changed(d);
		return;
	}
	/* Restarted with its new configuration; what the old one had not
	 * read goes first (dq_rewind, in dp_left). */
	dp_start(p);
}

static void
revise(struct disp *d, struct disp_plugin *p, const struct disp_pconf *pc)
{
	if (kind_of(pc) != kind_of(&p->conf)) {
		/* A builtin became a program, or the other way: a new
		 * plugin in the old one's place. */
		log_info("Restarting %s since its type changed", pc->path);
		remove_plugin(d, p);
		dr_add(d, pc);
		return;
	}
	if (p->kind == DISP_UNIX) {
		if (!dp_same_conf(&p->conf, pc)) {
			du_close(p);
			p->conf = *pc;
			if (du_open(p, d->c.q_depth) < 0)
				p->state = DISP_ST_DEAD;
		}
		return;
	}
	if (p->kind != DISP_EXEC)
		return;
	if (!dp_same_binary(&p->conf, pc))
		log_info("Restarting %s since binary changed", pc->path);
	else if (!dp_same_conf(&p->conf, pc))
		/* auditd ignores this until it restarts; not here. */
		log_info("Restarting %s since its configuration changed",
		    pc->path);
	else if (p->state == DISP_ST_DEAD)
		/* auditd never revives it (a bug fixed after 3.0.9). */
		log_info("Starting %s again after reconfigure", pc->path);
	else {
		if (p->pid > 0)
			kill(p->pid, SIGHUP);
		return;
	}
	p->conf = *pc;
	p->c.fmt = pc->format;
	p->restarts = 0;
	/* The old one leaves first (dr_left starts the new one): not
	 * waited for here. */
	if (!p->leaving && !dp_leave(p, hup_deadline(d)))
		dp_start(p);
}

void
dr_apply_hup(struct disp *d, const struct disp_config *nc,
    const struct disp_pconf *pcs, int n)
{
	bool taken[DISP_PLUGINS_MAX] = { false };
	/* auditd with no plugin had no dispatcher to reconfigure: it
	 * starts one as at start, and says what start says. */
	bool had = d->nlive > 0;
	unsigned i;
	int j;

	/* q_depth: queues are sized at their start; new ones take it. */
	d->c.q_depth = nc->q_depth > d->c.q_depth ? nc->q_depth :
	    d->c.q_depth;
	d->c.overflow = nc->overflow;
	d->c.max_restarts = nc->max_restarts;
	d->c.stop_ms = nc->stop_ms;
	memcpy(d->c.plugin_dir, nc->plugin_dir, sizeof(d->c.plugin_dir));
	memset(&d->ovf, 0, sizeof(d->ovf));
	d->ovf.action = nc->overflow;
	d->posted = 0;
	for (i = 0; i < DISP_PLUGINS_MAX; i++) {
		struct disp_plugin *p = &d->plugins[i];

		/* (One leaving for good is no longer matched.) */
		if (!p->used || p->removing)
			continue;
		for (j = 0; j < n; j++)
			if (!taken[j] && strcmp(pcs[j].name, p->conf.name) == 0)
				break;
		if (j == n) {
			log_info("Terminating %s because its now inactive",
			    p->conf.path);
			remove_plugin(d, p);
			continue;
		}
		taken[j] = true;
		revise(d, p, &pcs[j]);
	}
	for (j = 0; j < n; j++)
		if (!taken[j])
			dr_add(d, &pcs[j]);
	dr_changed(d);
	if (!had && n == 0)
		log_notice("No plugins found, not dispatching events");
	else if (!had)
		log_info("audit dispatcher initialized with q_depth=%u and "
		    "%d active plugins", d->c.q_depth, n);
	else if (d->nlive == 0)
		log_info("After reconfigure, there are no active plugins, "
		    "exiting");
}

static void
plugin_stats(const struct disp *d, struct disp_plugin *p,
    struct disp_plugin_stats *ps)
{
	const struct disp_cons *c;
	unsigned k;

	memset(ps, 0, sizeof(*ps));
	memcpy(ps->name, p->conf.name, sizeof(ps->name));
	memcpy(ps->path, p->conf.path, sizeof(ps->path));
	ps->state = d->ovf.suspended && p->state != DISP_ST_DEAD ?
	    DISP_ST_SUSPENDED : p->state;
	ps->pid = p->pid;
	ps->restarts = p->restarts;
	ps->offered = p->offered;
	ps->delivered = p->delivered;
	ps->dropped = p->dropped;
	ps->high = p->high;
	for (k = 0; (c = dp_cons(p, &k)) != NULL;) {
		ps->clients += p->kind == DISP_UNIX;
		ps->offered += c->offered;
		ps->delivered += c->delivered;
		ps->dropped += c->dropped;
		if (dq_depth(c) > ps->depth)
			ps->depth = dq_depth(c);
		if (c->high > ps->high)
			ps->high = c->high;
	}
}

/* Under d->mu. */
void
dr_publish(struct disp *d)
{
	unsigned j;

	memset(&d->pub, 0, sizeof(d->pub));
	d->pub_n = 0;
	for (j = 0; j < d->nlive; j++) {
		struct disp_plugin_stats *ps = &d->pub_ps[d->pub_n];
		struct disp_plugin *p = &d->plugins[d->live[j]];

		plugin_stats(d, p, ps);
		d->pub_n++;
		if (p->state != DISP_ST_DEAD)
			d->pub.active++;
		if (ps->depth > d->pub.depth)
			d->pub.depth = ps->depth;
		if (ps->high > d->high)
			d->high = ps->high;
	}
	d->pub.records = d->records;
	d->pub.helped = d->helped;
	d->pub.feed_lost = d->feed_lost;
	d->pub.feed_skipped = d->feed_skipped;
	d->pub.overflowed = d->ovf.overflowed;
	d->pub.suspended = d->ovf.suspended;
	d->pub.q_depth = d->c.q_depth;
	d->pub.high = d->high;
	d->pub.feed_bytes = d->feed.cap;
	d->stats_gen++;
	pthread_cond_broadcast(&d->cv);
}

