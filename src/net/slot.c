/*
 * slot.c - the network stage's messages on their way to the pipeline.
 * A slot holds one record (a client's line, or the listener's own
 * DAEMON_ACCEPT or DAEMON_CLOSE) from the moment it is handed to ingest
 * until the writer gives its token back; so the number of slots, fixed
 * at start, bounds what the network has in the pipeline, and a stage
 * that has no slot stops reading.  An eighth of them (64 at most) is
 * kept for the listener's own records: clients' records stop first.  Free slots are a list threaded
 * through the array; only the network thread touches it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stat.h"
#include "net/net_int.h"

int
net_slots_init(struct net *n)
{
	unsigned i;

	n->slots = calloc(n->c.slots, sizeof(*n->slots));
	if (n->slots == NULL)
		return -ENOMEM;
	for (i = 0; i < n->c.slots; i++) {
		n->slots[i].m.token = i + 1;
		n->slots[i].next_free = i + 1 < n->c.slots ? i + 1 : NET_NONE;
	}
	n->free_slot = 0;
	/* A few for DAEMON_ACCEPT and DAEMON_CLOSE, which come when every
	 * other slot is out as often as not (under load, by design). */
	n->reserve = n->c.slots / 8 > 64 ? 64 : n->c.slots / 8;
	if (n->reserve == 0)
		n->reserve = 1;
	return 0;
}

bool
net_slot_for_client(const struct net *n)
{
	return n->c.slots - n->slots_out > n->reserve;
}

struct net_slot *
net_slot_get(struct net *n)
{
	struct net_slot *s;

	if (n->free_slot == NET_NONE)
		return NULL;
	s = &n->slots[n->free_slot];
	n->free_slot = s->next_free;
	n->slots_out++;
	s->client = NET_NONE;
	return s;
}

void
net_slot_put(struct net *n, struct net_slot *s)
{
	s->next_free = n->free_slot;
	n->free_slot = (uint32_t)(s - n->slots);
	n->slots_out--;
}

void
net_slot_send(struct net *n, struct net_slot *s)
{
	/* 'in' holds every slot: it cannot be full. */
	if (!ring_trypush(n->c.in, &s->m))
		fatalx("net: message ring overflow");
	n->wake_owed = true;
}

/* Ingest sleeps in poll on its eventfd: one write for what was sent. */
void
net_flush_in(struct net *n)
{
	uint64_t one = 1;

	if (!n->wake_owed)
		return;
	n->wake_owed = false;
	if (write(n->c.wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full; ingest looks anyway */
	}
}

bool
net_daemon_record(struct net *n, unsigned type, const char *text)
{
	struct net_slot *s = net_slot_get(n);
	int len;

	if (s == NULL) {
		STAT_ADD(n->st.daemon_records_lost, 1);
		log_warnx("net: no room for a record: %s", text);
		return false;
	}
	len = n->c.daemon_record(n->c.ctx, type, text, s->m.text,
	    sizeof(s->m.text));
	if (len < 0) {
		net_slot_put(n, s);
		STAT_ADD(n->st.daemon_records_lost, 1);
		return false;
	}
	s->m.type = (uint16_t)type;
	s->m.len = (uint32_t)len;
	net_slot_send(n, s);
	return true;
}
