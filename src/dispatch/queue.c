/*
 * queue.c - one consumer's queue (an exec plugin, an af_unix client): the
 * records meant for it, its overflow, and the bytes it is written.
 *
 * A queue holds positions of entries in the feed, not copies: every
 * consumer shares the one copy the writer made.  Taking a record costs a
 * slot (8 bytes); q_depth records waiting is the bound, as in auditd,
 * where the record that finds the queue full is the one dropped.
 *
 * Writing: records are laid out in the consumer's write buffer in the
 * format it asked for (the line and '\n'; or auditd's fixed binary
 * frame, the bytes past the record zeroed) and written with one
 * non-blocking send of as many as fit, many records per system call.
 * What the socket does not take waits for POLLOUT.
 *
 * Retention: a plugin that dies loses what sat unread in its socket.  So
 * records written to a plugin are kept (their feed positions, and where
 * each ended in the byte stream) for as long as they may still be unread:
 * until more than the socket's buffer has been written after them.  When
 * the plugin dies, the daemon still holds the plugin's end of the socket,
 * so the unread bytes are still counted there; dq_rewind sends every
 * record it had not read whole again, to the next instance.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dispatch/disp_int.h"

/* A slot whose record was dropped after it was queued (eviction). */
#define DQ_DROPPED UINT64_MAX
/* Written records kept for a restart, beyond q_depth. */
#define DQ_RETAIN_SLOTS 4096u

int
dq_init(struct disp_cons *c, unsigned q_depth, bool retain)
{
	uint64_t cap = 16;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->retain = retain;
	while (cap < (uint64_t)q_depth + (retain ? DQ_RETAIN_SLOTS : 0) + 1)
		cap <<= 1;
	c->q.pos = calloc(cap, sizeof(*c->q.pos));
	c->q.end = calloc(cap, sizeof(*c->q.end));
	c->out = malloc(DISP_OUT_BYTES);
	if (c->q.pos == NULL || c->q.end == NULL || c->out == NULL) {
		dq_fini(c);
		return -ENOMEM;
	}
	c->q.mask = cap - 1;
	return 0;
}

void
dq_fini(struct disp_cons *c)
{
	free(c->q.pos);
	free(c->q.end);
	free(c->out);
	c->q.pos = c->q.end = NULL;
	c->out = NULL;
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
			log_warnx("queue to plugins is full - dropping event");
		else if (o->reported == 5)
			log_warnx("auditd queue full reporting limit reached - "
			    "ending dropped event notifications");
		if (o->reported <= 5) {
			o->reported++;
			log_debug("dispatch: %s: queue full", who);
		}
		break;
	case DISP_OVF_SUSPEND:
		if (!o->suspended)
			log_warnx("Auditd is suspending event passing to "
			    "plugins due to overflowing its queue.");
		o->suspended = true;
		break;
	case DISP_OVF_SINGLE:
		if (!(o->events & DISP_EV_SINGLE))
			log_warnx("Auditd is now changing the system to single "
			    "user mode due to overflowing its queue");
		o->events |= DISP_EV_SINGLE;
		break;
	case DISP_OVF_HALT:
		if (!(o->events & DISP_EV_HALT))
			log_warnx("Auditd is now halting the system due to "
			    "overflowing its queue");
		o->events |= DISP_EV_HALT;
		break;
	}
}

bool
dq_offer(struct disp_cons *c, struct disp_ovf *o, unsigned q_depth,
    const char *who, uint64_t pos)
{
	struct disp_q *q = &c->q;
	unsigned depth;

	c->offered++;
	if (o->suspended) {
		c->dropped++;
		return false;
	}
	if (q->head - q->sent >= q_depth) {
		overflow(c, o, who);
		return false;
	}
	/* Out of slots only for records kept after writing: the oldest of
	 * those was read long ago. */
	if (q->head - q->rel > q->mask)
		q->rel++;
	q->pos[q->head & q->mask] = pos;
	q->head++;
	depth = (unsigned)(q->head - q->sent);
	if (depth > c->high)
		c->high = depth;
	return true;
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

uint64_t
dq_oldest(const struct disp_cons *c)
{
	uint64_t i;

	for (i = c->q.rel; i < c->q.head; i++)
		if (c->q.pos[i & c->q.mask] != DQ_DROPPED)
			return c->q.pos[i & c->q.mask];
	return UINT64_MAX;
}

/* Lay one record out at the end of the write buffer. */
static void
put(struct disp_cons *c, const struct ring_feed_ent *e)
{
	char *p = c->out + c->out_len;

	if (c->fmt == DISP_FMT_STRING) {
		memcpy(p, e->text, e->len);
		c->out_len += e->len;
	} else {
		/* Host-endian: ver, hlen, type, size; then the payload
		 * (protocol 0: the kernel's text; 1: the line), no '\n'. */
		uint32_t hdr[4], size = e->len - e->raw_off - 1;

		if (size > DISP_DATA_MAX)
			size = DISP_DATA_MAX;
		hdr[0] = e->ver;
		hdr[1] = DISP_HDR_LEN;
		hdr[2] = e->type;
		hdr[3] = size;
		memcpy(p, hdr, sizeof(hdr));
		memcpy(p + DISP_HDR_LEN, e->text + e->raw_off, size);
		/* auditd sends what its heap held there; zeros here. */
		memset(p + DISP_HDR_LEN + size, 0, DISP_DATA_MAX - size);
		c->out_len += DISP_FRAME;
	}
}

/* Fill the empty write buffer with as many waiting records as fit. */
static void
refill(struct disp_cons *c, struct ring_feed *f)
{
	struct disp_q *q = &c->q;

	c->out_len = c->out_done = 0;
	while (q->fill < q->head) {
		uint64_t pos = q->pos[q->fill & q->mask];
		const struct ring_feed_ent *e;
		uint32_t need;

		if (pos == DQ_DROPPED) {
			q->end[q->fill & q->mask] = c->wbytes + c->out_len;
			q->fill++;
			continue;
		}
		e = ring_feed_at(f, pos);
		need = c->fmt == DISP_FMT_STRING ? e->len : DISP_FRAME;
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
		if (q->pos[q->sent & q->mask] != DQ_DROPPED)
			c->delivered++;
		q->sent++;
	}
	if (q->rel > q->sent)
		return;
	while (q->rel < q->sent && (!c->retain ||
	    c->wbytes - q->end[q->rel & q->mask] >= c->keep_bytes))
		q->rel++;
}

int
dq_flush(struct disp_cons *c, struct ring_feed *f)
{
	ssize_t n;

	if (c->fd < 0)
		return 0;
	for (;;) {
		if (c->out_done == c->out_len) {
			if (c->q.fill == c->q.head)
				return 0;
			refill(c, f);
			if (c->out_len == 0) {
				advance(c);
				continue;
			}
		}
		n = send(c->fd, c->out + c->out_done,
		    c->out_len - c->out_done, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -errno;
		}
		c->out_done += (uint32_t)n;
		c->wbytes += (uint64_t)n;
		advance(c);
	}
}

void
dq_evict(struct disp_cons *c, uint64_t before)
{
	struct disp_q *q = &c->q;
	uint64_t i;

	/* Kept after writing, or in the write buffer: no longer sent
	 * again after a death. */
	while (q->rel < q->fill && (q->pos[q->rel & q->mask] == DQ_DROPPED ||
	    q->pos[q->rel & q->mask] < before))
		q->rel++;
	/* Waiting: dropped, in place. */
	for (i = q->fill; i < q->head; i++) {
		uint64_t *p = &q->pos[i & q->mask];

		if (*p == DQ_DROPPED)
			continue;
		if (*p >= before)
			break;
		*p = DQ_DROPPED;
		c->dropped++;
	}
	/* With nothing in the write buffer, skip what was dropped. */
	if (q->rel < q->fill || q->sent < q->fill)
		return;
	while (q->rel < q->head && q->pos[q->rel & q->mask] == DQ_DROPPED)
		q->rel++;
	q->fill = q->sent = q->rel;
}

void
dq_rewind(struct disp_cons *c, uint64_t unread)
{
	struct disp_q *q = &c->q;
	uint64_t read = c->wbytes > unread ? c->wbytes - unread : 0;
	uint64_t i, from;

	/* The first record the peer did not read whole, among those that
	 * can still be sent again. */
	for (from = q->rel; from < q->fill; from++)
		if (q->end[from & q->mask] > read)
			break;
	for (i = from; i < q->sent; i++)
		if (q->pos[i & q->mask] != DQ_DROPPED)
			c->delivered--;
	/* Records before 'rel' that it had not read are lost with it. */
	if (q->rel > q->sent) {
		for (i = q->sent; i < q->rel; i++)
			if (q->pos[i & q->mask] != DQ_DROPPED &&
			    q->end[i & q->mask] > read)
				c->dropped++;
	}
	q->rel = q->sent = q->fill = from;
	c->out_len = c->out_done = 0;
}

void
dq_drop_all(struct disp_cons *c)
{
	struct disp_q *q = &c->q;
	uint64_t i;

	for (i = q->sent; i < q->head; i++)
		if (q->pos[i & q->mask] != DQ_DROPPED)
			c->dropped++;
	q->rel = q->sent = q->fill = q->head;
	c->out_len = c->out_done = 0;
}

void
dq_settle(struct disp_cons *c)
{
	if (c->q.rel < c->q.sent)
		c->q.rel = c->q.sent;
}

void
dq_reset_stream(struct disp_cons *c, int fd, uint64_t keep_bytes)
{
	c->fd = fd;
	c->wbytes = 0;
	c->out_len = c->out_done = 0;
	c->keep_bytes = keep_bytes;
}
