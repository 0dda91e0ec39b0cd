/*
 * queue.c - one consumer's queue (an exec plugin, an af_unix client): the
 * records meant for it, its overflow, and the bytes it is written.
 *
 * A consumer has an arena of its own (a ring.h feed, used by this one
 * thread) into which each record it accepts is copied from the writer's
 * feed, so that one consumer that stalls holds only its own records and
 * the writer's feed is never held up.  q_depth records waiting is the
 * bound, as in auditd, where the record that finds the queue full is the
 * one dropped; the arena's bytes (q_depth x DISP_ARENA_PER_REC) are a
 * second bound, met only by records longer than that on average.  The
 * arena is allocated when the consumer is made (pages are backed as it
 * fills), and starts again from its beginning whenever it is empty, so a
 * consumer that keeps up touches a few pages, not all of them.
 *
 * Writing: records are laid out in the consumer's write buffer in the
 * format it asked for (the line and '\n'; or auditd's fixed binary frame,
 * the bytes past the record zeroed) and written with one non-blocking
 * send of as many as fit, many records per system call.  What the socket
 * does not take waits for POLLOUT.
 *
 * Retention: a plugin that dies loses what sat unread in its socket.  So
 * records written to a plugin are kept, and where each ended in the byte
 * stream, until it has read them: the daemon holds the plugin's end of
 * the socket too, and SIOCINQ there says exactly how many bytes are
 * still unread (asked once DISP_RETAIN_CHECK bytes are kept, not per
 * record).  When the plugin dies, the unread bytes are still there to
 * count, and dq_rewind sends every record it had not read whole again,
 * to the next instance.
 */
#include <errno.h>
#include <linux/sockios.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "dispatch/disp_int.h"

int
dq_init(struct disp_cons *c, unsigned q_depth, bool retain)
{
	uint64_t cap = 16, bytes;
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = c->peer = -1;
	c->retain = retain;
	/* Slots: q_depth waiting, and as many written-but-unread as the
	 * retained bytes can hold at DISP_MIN (a bound, not the usual). */
	while (cap < (uint64_t)q_depth + (retain ? 4096 : 0) + 1)
		cap <<= 1;
	bytes = (uint64_t)q_depth * DISP_ARENA_PER_REC +
	    (retain ? DISP_ARENA_RETAIN : 0);
	if (bytes < 4 * DISP_FRAME)
		bytes = 4 * DISP_FRAME;
	c->q.pos = calloc(cap, sizeof(*c->q.pos));
	c->q.end = calloc(cap, sizeof(*c->q.end));
	c->out = malloc(DISP_OUT_BYTES);
	if (c->q.pos == NULL || c->q.end == NULL || c->out == NULL) {
		dq_fini(c);
		return -ENOMEM;
	}
	rc = ring_feed_init(&c->arena, bytes, NULL);
	if (rc < 0) {
		dq_fini(c);
		return rc;
	}
	c->q.mask = cap - 1;
	c->depth_max = q_depth;
	return 0;
}

void
dq_fini(struct disp_cons *c)
{
	free(c->q.pos);
	free(c->q.end);
	free(c->out);
	ring_feed_fini(&c->arena);
	c->q.pos = c->q.end = NULL;
	c->out = NULL;
}

/* Only this thread uses the arena: relaxed loads and stores suffice. */
static uint64_t
arena_head(const struct ring_feed *a)
{
	return atomic_load_explicit(&a->head, memory_order_relaxed);
}

static void
arena_set(struct ring_feed *a, uint64_t pos)
{
	atomic_store_explicit(&a->head, pos, memory_order_relaxed);
	atomic_store_explicit(&a->tail, pos, memory_order_relaxed);
	a->tail_seen = a->head_seen = a->pend = pos;
}

/* The arena up to the oldest record still held is free again; empty, it
 * starts over at its beginning. */
static void
arena_release(struct disp_cons *c)
{
	struct disp_q *q = &c->q;
	uint64_t head = arena_head(&c->arena);

	if (q->rel < q->head) {
		ring_feed_release(&c->arena, q->pos[q->rel & q->mask]);
		c->arena.tail_seen = q->pos[q->rel & q->mask];
		return;
	}
	arena_set(&c->arena, (head + c->arena.cap - 1) & ~(c->arena.cap - 1));
}

/* Written records the plugin has surely read are let go. */
static void
settle(struct disp_cons *c, bool ask)
{
	struct disp_q *q = &c->q;
	uint64_t read = c->wbytes;
	uint64_t from = q->rel;
	int unread = 0;

	if (q->rel == q->sent)
		return;
	if (c->retain) {
		if (ask && c->peer >= 0 &&
		    ioctl(c->peer, SIOCINQ, &unread) == 0)
			read = c->wbytes - (uint64_t)unread;
		else if (c->wbytes >= c->keep_bytes)
			read = c->wbytes - c->keep_bytes;
		else
			read = 0;
	}
	while (q->rel < q->sent && q->end[q->rel & q->mask] <= read)
		q->rel++;
	if (q->rel != from)
		arena_release(c);
}

static void
overflow(struct disp_cons *c, struct disp_ovf *o, const char *who)
{
	c->dropped++;
	o->overflowed = true;
	switch (o->action) {
	case DISP_OVF_IGNORE:
		break;
	case DISP_OVF_SYSLOG:
		/* auditd's words, five times, then once that it stops. */
		if (o->reported < 5)
			log_err("queue to plugins is full - dropping event");
		else if (o->reported == 5)
			log_err("auditd queue full reporting limit reached - "
			    "ending dropped event notifications");
		if (o->reported <= 5) {
			o->reported++;
			log_debug("dispatch: %s: queue full", who);
		}
		break;
	case DISP_OVF_SUSPEND:
		if (!o->suspended)
			log_alert("Auditd is suspending event passing to "
			    "plugins due to overflowing its queue.");
		o->suspended = true;
		break;
	case DISP_OVF_SINGLE:
		if (!(o->events & DISP_EV_SINGLE))
			log_alert("Auditd is now changing the system to single "
			    "user mode due to overflowing its queue");
		o->events |= DISP_EV_SINGLE;
		break;
	case DISP_OVF_HALT:
		if (!(o->events & DISP_EV_HALT))
			log_alert("Auditd is now halting the system due to "
			    "overflowing its queue");
		o->events |= DISP_EV_HALT;
		break;
	}
}

/* Room in the arena, letting go of written records if need be. */
static struct ring_feed_ent *
reserve(struct disp_cons *c, uint32_t len)
{
	struct ring_feed_ent *e = ring_feed_reserve(&c->arena, len);

	if (e != NULL || c->q.rel == c->q.sent)
		return e;
	settle(c, true);
	/* Still full: the oldest written ones go, read or not. */
	while ((e = ring_feed_reserve(&c->arena, len)) == NULL &&
	    c->q.rel < c->q.sent) {
		c->q.rel++;
		arena_release(c);
	}
	return e;
}

bool
dq_offer(struct disp_cons *c, struct disp_ovf *o, unsigned q_depth,
    const char *who, const struct ring_feed_ent *e)
{
	struct disp_q *q = &c->q;
	struct ring_feed_ent *a;
	unsigned depth;

	c->offered++;
	if (o->suspended) {
		c->dropped++;
		return false;
	}
	/* Its slots were sized for the q_depth it started with; a larger
	 * one (SIGHUP) applies to queues made after. */
	if (q_depth > c->depth_max)
		q_depth = c->depth_max;
	/* Full: first give the socket what it takes, as a burst larger
	 * than q_depth is no overflow for a plugin that keeps up. */
	if (dq_depth(c) >= q_depth && c->fd >= 0 && !c->blocked)
		dq_flush(c);
	if (dq_depth(c) >= q_depth || q->head - q->rel > q->mask) {
		/* Slots held by written records: the oldest is read.  (With
		 * q_depth within the slots, there is one.) */
		if (dq_depth(c) < q_depth && q->rel < q->sent) {
			q->rel++;
			arena_release(c);
		} else {
			overflow(c, o, who);
			return false;
		}
	}
	a = reserve(c, e->len);
	if (a == NULL) {
		overflow(c, o, who);
		return false;
	}
	a->seq = e->seq;
	a->type = e->type;
	a->ver = e->ver;
	a->raw_off = e->raw_off;
	a->flags = e->flags & RING_FEED_NL;
	memcpy(a->text, e->text, e->len);
	q->pos[q->head & q->mask] = c->arena.pend - a->span;
	ring_feed_commit(&c->arena);
	q->head++;
	depth = dq_depth(c);
	if (depth > c->high)
		c->high = depth;
	return true;
}

bool
dq_full(const struct disp_cons *c, const struct disp_ovf *o,
    unsigned q_depth)
{
	if (q_depth > c->depth_max)
		q_depth = c->depth_max;
	/* As dq_offer sees it: no flush to try, no slot to take back. */
	return o->suspended ||
	    (dq_depth(c) >= q_depth && (c->fd < 0 || c->blocked));
}

bool
dq_quiet(const struct disp_ovf *o)
{
	/* The state report says whether it happened: first it must. */
	if (!o->overflowed)
		return false;
	switch (o->action) {
	case DISP_OVF_IGNORE:
		return true;
	case DISP_OVF_SYSLOG:
		return o->reported > 5;
	case DISP_OVF_SUSPEND:
		return o->suspended;
	case DISP_OVF_SINGLE:
		return (o->events & DISP_EV_SINGLE) != 0;
	case DISP_OVF_HALT:
		return (o->events & DISP_EV_HALT) != 0;
	}
	return false;
}

void
dq_lost(struct disp_cons *c, uint64_t n)
{
	c->offered += n;
	c->dropped += n;
}

bool
dq_pending(const struct disp_cons *c)
{
	return c->out_done < c->out_len || c->q.fill < c->q.head;
}

unsigned
dq_depth(const struct disp_cons *c)
{
	return (unsigned)(c->q.head - c->q.sent);
}

/* Lay one record out at the end of the write buffer. */
static void
put(struct disp_cons *c, const struct ring_feed_ent *e)
{
	char *p = c->out + c->out_len;

	if (c->fmt == DISP_FMT_STRING) {
		memcpy(p, e->text, e->len);
		/* As auditd: a '\n' inside the record becomes a space. */
		for (char *nl = p; (e->flags & RING_FEED_NL) && (nl = memchr(nl,
		    '\n', (size_t)(p + e->len - 1 - nl))) != NULL; nl++)
			*nl = ' ';
		c->out_len += e->len;
	} else {
		/* Host-endian: ver, hlen, type, size; then the payload
		 * (protocol 0: the kernel's text; 1: the line), no '\n'. */
		uint32_t hdr[4], copy = e->len - e->raw_off - 1, size = copy;

		/* A line auditd cut at 8969 bytes it sends with its NUL. */
		if (e->ver == 1 && copy >= DISP_DATA_MAX - 1)
			size = DISP_DATA_MAX;
		if (copy > DISP_DATA_MAX)
			copy = size = DISP_DATA_MAX;
		hdr[0] = e->ver;
		hdr[1] = DISP_HDR_LEN;
		hdr[2] = e->type;
		hdr[3] = size;
		memcpy(p, hdr, sizeof(hdr));
		memcpy(p + DISP_HDR_LEN, e->text + e->raw_off, copy);
		/* auditd sends what its heap held there; zeros here. */
		memset(p + DISP_HDR_LEN + copy, 0, DISP_DATA_MAX - copy);
		c->out_len += DISP_FRAME;
	}
}

/* Fill the empty write buffer with as many waiting records as fit. */
static void
refill(struct disp_cons *c)
{
	struct disp_q *q = &c->q;

	c->out_len = c->out_done = 0;
	while (q->fill < q->head) {
		const struct ring_feed_ent *e = ring_feed_at(&c->arena,
		    q->pos[q->fill & q->mask]);
		uint32_t need = c->fmt == DISP_FMT_STRING ? e->len : DISP_FRAME;

		if (c->out_len + need > DISP_OUT_BYTES)
			break;
		put(c, e);
		q->end[q->fill & q->mask] = c->wbytes + c->out_len;
		q->fill++;
	}
}

/* Records whose last byte went out are delivered. */
static void
advance(struct disp_cons *c)
{
	struct disp_q *q = &c->q;

	while (q->sent < q->fill && q->end[q->sent & q->mask] <= c->wbytes) {
		c->delivered++;
		q->sent++;
	}
	if (!c->retain) {
		if (q->rel != q->sent) {
			q->rel = q->sent;
			arena_release(c);
		}
		return;
	}
	/* Ask the socket only now and then; between, keep_bytes bounds
	 * what can still be unread. */
	settle(c, q->rel < q->sent && c->wbytes - q->end[q->rel & q->mask] >=
	    DISP_RETAIN_CHECK);
}

int
dq_flush(struct disp_cons *c)
{
	ssize_t n;

	/* A full socket is tried again when poll says POLLOUT, not once
	 * per record: a stopped plugin would cost a failed send each. */
	if (c->fd < 0 || c->blocked)
		return 0;
	for (;;) {
		if (c->out_done == c->out_len) {
			if (c->q.fill == c->q.head)
				return 0;
			refill(c);
		}
		n = send(c->fd, c->out + c->out_done,
		    c->out_len - c->out_done, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				c->blocked = true;
				return 0;
			}
			return -errno;
		}
		c->out_done += (uint32_t)n;
		c->wbytes += (uint64_t)n;
		advance(c);
	}
}

void
dq_rewind(struct disp_cons *c, uint64_t unread)
{
	struct disp_q *q = &c->q;
	uint64_t read = c->wbytes > unread ? c->wbytes - unread : 0;
	uint64_t i, from;

	/* The first record the peer did not read whole, among those kept:
	 * (a record let go after keep_bytes was surely read). */
	for (from = q->rel; from < q->fill; from++)
		if (q->end[from & q->mask] > read)
			break;
	for (i = from; i < q->sent; i++)
		c->delivered--;
	q->rel = q->sent = q->fill = from;
	c->out_len = c->out_done = 0;
	arena_release(c);
}

void
dq_drop_all(struct disp_cons *c)
{
	struct disp_q *q = &c->q;

	c->dropped += q->head - q->sent;
	q->rel = q->sent = q->fill = q->head;
	c->out_len = c->out_done = 0;
	arena_release(c);
}

void
dq_reset_stream(struct disp_cons *c, int fd, int peer, uint64_t keep_bytes)
{
	c->fd = fd;
	c->peer = peer;
	c->blocked = false;
	c->wbytes = 0;
	c->out_len = c->out_done = 0;
	c->keep_bytes = keep_bytes;
}
