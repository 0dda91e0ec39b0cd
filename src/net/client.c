/*
 * client.c - one connected client: its bytes in, its frames out to the
 * pipeline, its replies back, and its end.
 *
 * Reading.  A client's bytes go into its own buffer, one frame long
 * (NET_FRAME_MAX), and every whole frame in it is taken at once, in
 * order: a heartbeat is answered on the spot, a message goes into a slot
 * and on to the pipeline, bytes without the magic are dropped up to their
 * '\n' with no reply (as auditd), and a length past 8970, or a buffer
 * full of no frame, closes the client.  Nothing is read while a frame
 * cannot be taken: no slot free (the pipeline is full: every client
 * waits, TCP pushes back), the client already has per_client messages
 * out, or no room is left for the replies it is owed.  Its socket is then
 * left alone (EPOLLIN off) until what it waits for comes.
 *
 * Replying.  Each message is answered when the writer gives its token
 * back (net_take_acks): ACK once written, as auditd, or the words auditd
 * sends when it was not (frame.c's net_reply_for).  Replies go into the
 * client's reply buffer and out as the socket takes them; the buffer has
 * room for every reply a client can be owed, so none is dropped, where
 * auditd's write on a full socket loses the ack.  A client that closed
 * gets none; its slot's generation says so.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stat.h"
#include "net/net_int.h"

#define NET_READS 4		/* reads of one client per turn */

const char *
net_close_name(enum net_close c)
{
	static const char *const names[NET_CL_N] = {
		"eof", "error", "idle", "bad", "too_long", "stop", "auth",
	};

	return c < NET_CL_N ? names[c] : "?";
}

void
net_set_events(struct net *n, struct net_client *cl)
{
	struct epoll_event ev = {
		.events = (cl->reading ? EPOLLIN : 0u) |
		    (cl->want_out ? EPOLLOUT : 0u),
		.data.u64 = (uint64_t)(cl - n->clients),
	};

	if (epoll_ctl(n->ep, EPOLL_CTL_MOD, cl->fd, &ev) < 0)
		log_warn("net: epoll_ctl");
}

void
net_client_close(struct net *n, struct net_client *cl, enum net_close why)
{
	char text[160];

	bool was_client = !cl->negotiating;

	if (cl->fd < 0)
		return;
	if (cl->negotiating)
		n->negotiating--;
	epoll_ctl(n->ep, EPOLL_CTL_DEL, cl->fd, NULL);
	close(cl->fd);
	cl->fd = -1;
	cl->gen++;
	net_gss_client_end(cl);
	cl->negotiating = false;
	cl->out_msgs = 0;
	cl->len = cl->olen = 0;
	cl->next_free = n->free_client;
	n->free_client = (uint32_t)(cl - n->clients);
	n->nclients--;
	STAT_SET(n->st.active, n->nclients);
	STAT_ADD(n->st.closed[why], 1);
	if (why == NET_CL_IDLE)
		log_warnx("client %52s:%u idle too long - closing connection",
		    cl->addr, cl->port);
	else if (why == NET_CL_ERROR)
		log_warnx("client %52s:%u socket closed unexpectedly",
		    cl->addr, cl->port);
	else if (why == NET_CL_BAD || why == NET_CL_TOO_LONG)
		log_warnx("client %52s:%u closed: %s", cl->addr, cl->port,
		    why == NET_CL_BAD ? "not auditd's protocol" :
		    "a frame longer than 8970 bytes");
	/* Never a client for the log (KRB5): no DAEMON_CLOSE, as auditd. */
	if (!was_client)
		return;
	snprintf(text, sizeof(text), "addr=%s port=%u res=success", cl->addr,
	    cl->port);
	net_daemon_record(n, NET_DAEMON_CLOSE, text);
}

void
net_client_welcome(struct net *n, struct net_client *cl)
{
	char text[160];

	if (cl->negotiating)
		n->negotiating--;
	cl->negotiating = false;
	STAT_ADD(n->st.accepted, 1);
	/* Its record first: nothing it sends is logged before it. */
	snprintf(text, sizeof(text), "addr=%s port=%u res=success", cl->addr,
	    cl->port);
	net_daemon_record(n, NET_DAEMON_ACCEPT, text);
}

/* Replies out, as far as the socket takes them; false if it failed. */
static bool
flush_out(struct net *n, struct net_client *cl)
{
	while (cl->olen > 0) {
		ssize_t w = send(cl->fd, cl->obuf, cl->olen,
		    MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0) {
			net_client_close(n, cl, NET_CL_ERROR);
			return false;
		}
		memmove(cl->obuf, cl->obuf + w, cl->olen - (size_t)w);
		cl->olen -= (size_t)w;
	}
	if (cl->want_out != (cl->olen > 0)) {
		cl->want_out = cl->olen > 0;
		net_set_events(n, cl);
	}
	return true;
}

/* A reply into the client's reply buffer, as a token with KRB5: its
 * bytes, 0 if it could not be wrapped (said by gss.c). */
static size_t
put_reply(struct net *n, struct net_client *cl, const unsigned char *r,
    size_t len)
{
	/* Room was kept for it (take_frames): reply_room a reply. */
	if (cl->olen + n->reply_room > net_obuf_cap(n))
		fatalx("net: reply buffer overflow");
	if (n->krb5)
		return net_gss_wrap(n, cl, r, len, cl->obuf + cl->olen,
		    n->reply_room);
	memcpy(cl->obuf + cl->olen, r, len);
	return len;
}

static void
queue_reply(struct net *n, struct net_client *cl, const unsigned char *r,
    size_t len)
{
	size_t put = put_reply(n, cl, r, len);

	if (put == 0) {
		/* The client hears nothing: counted as a reply lost. */
		STAT_ADD(n->st.replies_lost, 1);
		return;
	}
	cl->olen += put;
	STAT_ADD(n->st.replies, 1);
}

/* Read and drop what a socket holds. */
static void
drain(int fd)
{
	char sink[4096];

	while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
}

void
net_client_ending(struct net *n, struct net_client *cl)
{
	unsigned char ending[NET_REPLY_MAX];
	size_t len = net_reply(ending, NET_ENDING, 0, NULL);

	/* Not after half a reply: the client would read ENDING's bytes as
	 * the rest of it; and not to one with no context to wrap it in. */
	if (cl->olen == 0 && !cl->negotiating &&
	    (len = put_reply(n, cl, ending, len)) > 0 &&
	    send(cl->fd, cl->obuf, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("net: no ENDING to %s: %s", cl->addr,
		    strerror(errno));
	/* What the client sent and we will not read: closed with it
	 * unread, the socket would send a reset, and the client could lose
	 * ENDING with it. */
	shutdown(cl->fd, SHUT_WR);
	drain(cl->fd);
}

enum took { TOOK_ALL, TOOK_BLOCKED, TOOK_CLOSED };

/* Room to take a frame now: its reply beside those owed and, for a
 * message, a place among the client's own and a slot. */
static bool
room_for(struct net *n, const struct net_client *cl, bool message)
{
	if (cl->olen + (size_t)(cl->out_msgs + 1) * n->reply_room >
	    net_obuf_cap(n)) {
		STAT_ADD(n->st.reply_stalls, 1);
		return false;
	}
	if (!message)
		return true;
	if (cl->out_msgs >= n->c.per_client)
		return false;
	if (!net_slot_for_client(n)) {
		if (!n->paused)
			STAT_ADD(n->st.pauses, 1);
		n->paused = true;
		return false;
	}
	return true;
}

/*
 * The frame at OFF.  A KRB5 token is unwrapped once only (a second time
 * would be a replay), so only when a message could be taken: a
 * heartbeat waits as a message would.
 */
static enum net_frame_rc
next_frame(struct net *n, struct net_client *cl, size_t off,
    struct net_frame *f, enum took *how)
{
	enum net_frame_rc rc;
	size_t size;

	if (!n->krb5)
		return net_frame_parse(cl->buf + off, cl->len - off, f);
	memset(f, 0, sizeof(*f));
	rc = net_gss_token(cl->buf + off, cl->len - off, &size);
	if (rc != NET_FRAME_OK)
		return rc;
	if (!room_for(n, cl, true)) {
		*how = TOOK_BLOCKED;
		return NET_FRAME_MORE;
	}
	return net_gss_unwrap(n, cl, cl->buf + off, size, f);
}

/* Every whole frame in the buffer that can be taken now. */
static enum took
take_frames(struct net *n, struct net_client *cl)
{
	unsigned char reply[NET_REPLY_MAX];
	enum took how = TOOK_ALL;
	size_t off = 0;

	for (;;) {
		struct net_frame f;
		struct net_slot *s;
		enum net_frame_rc rc = next_frame(n, cl, off, &f, &how);

		if (rc == NET_FRAME_MORE)
			break;
		if (rc == NET_FRAME_TOO_LONG) {
			net_client_close(n, cl, NET_CL_TOO_LONG);
			return TOOK_CLOSED;
		}
		if (rc == NET_FRAME_BAD_MAGIC) {
			if (f.size == 0) {
				/* No '\n' yet: wait, unless nothing more
				 * fits. */
				if (off == 0 && cl->len == sizeof(cl->buf)) {
					net_client_close(n, cl, NET_CL_BAD);
					return TOOK_CLOSED;
				}
				break;
			}
			STAT_ADD(n->st.lines_dropped, 1);
			off += f.size;
			continue;
		}
		if (!room_for(n, cl, f.type != NET_HEARTBEAT) ||
		    (f.type != NET_HEARTBEAT &&
		    (s = net_slot_get(n)) == NULL)) {
			how = TOOK_BLOCKED;
			break;
		}
		if (f.type == NET_HEARTBEAT) {
			STAT_ADD(n->st.heartbeats, 1);
			queue_reply(n, cl, reply, net_reply(reply, NET_ACK,
			    f.seq, NULL));
			off += f.size;
			continue;
		}
		s->client = (uint32_t)(cl - n->clients);
		s->gen = cl->gen;
		s->seq = f.seq;
		s->m.type = 0;
		if (n->krb5) {
			s->m.len = (uint32_t)net_gss_text(cl, &f, s->m.text,
			    sizeof(s->m.text));
		} else {
			s->m.len = (uint32_t)f.text_len;
			memcpy(s->m.text, f.text, f.text_len);
		}
		net_slot_send(n, s);
		cl->out_msgs++;
		STAT_ADD(n->st.records, 1);
		off += f.size;
	}
	if (off > 0) {
		memmove(cl->buf, cl->buf + off, cl->len - off);
		cl->len -= off;
	}
	return how;
}

/* KRB5: the client's tokens toward a context; with one, its frames. */
static enum took
negotiate(struct net *n, struct net_client *cl)
{
	switch (net_gss_negotiate(n, cl)) {
	case NET_GSS_MORE:
		break;
	case NET_GSS_DONE:
		net_client_welcome(n, cl);
		return take_frames(n, cl);
	case NET_GSS_FAIL:
		/* Our last token (the AP-REP, before a name refused) goes
		 * out if the socket takes it, as auditd's did. */
		if (cl->olen > 0 && send(cl->fd, cl->obuf, cl->olen,
		    MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			log_debug("net: %s: %s", cl->addr, strerror(errno));
		net_client_close(n, cl, NET_CL_AUTH);
		return TOOK_CLOSED;
	}
	return TOOK_ALL;
}

void
net_client_read(struct net *n, struct net_client *cl)
{
	unsigned reads = 0;
	enum took how;

	for (;;) {
		ssize_t r;

		how = cl->negotiating ? negotiate(n, cl) : take_frames(n, cl);
		if (how == TOOK_CLOSED)
			return;
		if (how == TOOK_BLOCKED || reads++ == NET_READS)
			break;
		r = recv(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - cl->len,
		    MSG_DONTWAIT);
		if (r > 0) {
			cl->len += (size_t)r;
			cl->active = true;
			STAT_ADD(n->st.bytes, (uint64_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/* The client is gone; what it sent whole was taken. */
		if (cl->negotiating) {
			/* auditd's words for a token cut short. */
			if (cl->len > 0)
				log_warnx("GSS-API error reading token %s",
				    cl->len < NET_TOKEN_HDR ? "length" : "data");
			log_warnx("TCP session from %52s:%u will be closed, "
			    "error ignored", cl->addr, cl->port);
			net_client_close(n, cl, NET_CL_AUTH);
			return;
		}
		net_client_close(n, cl, r == 0 ? NET_CL_EOF : NET_CL_ERROR);
		return;
	}
	if (!flush_out(n, cl))
		return;
	if (cl->reading != (how != TOOK_BLOCKED)) {
		cl->reading = how != TOOK_BLOCKED;
		net_set_events(n, cl);
	}
}

void
net_client_write(struct net *n, struct net_client *cl)
{
	if (!flush_out(n, cl))
		return;
	/* Room for replies again: frames waiting may go, unless others
	 * wait for a slot (their round comes first). */
	if (!cl->reading && !n->paused)
		net_client_read(n, cl);
}

static enum net_state
ack_state(enum ring_ack_state st)
{
	switch (st) {
	case RING_ACK_WRITTEN:
		return NET_ST_OK;
	case RING_ACK_WRITTEN_LOW:
		return NET_ST_DISK_LOW;
	case RING_ACK_FULL:
		return NET_ST_DISK_FULL;
	case RING_ACK_ERROR:
		return NET_ST_DISK_ERROR;
	case RING_ACK_SUSPENDED:
		break;
	}
	return NET_ST_SUSPENDED;
}

bool
net_take_acks(struct net *n)
{
	unsigned char reply[NET_REPLY_MAX];
	bool freed = false;
	void *item;

	while (ring_trypop(n->c.acks, &item)) {
		uint32_t token = RING_ACK_TOKEN(item);
		enum ring_ack_state st = RING_ACK_STATE(item);
		struct net_client *cl;
		struct net_slot *s;
		uint32_t who, gen, seq;

		if (token == 0 || token > n->c.slots)
			fatalx("net: ack for no slot (%u)", token);
		s = &n->slots[token - 1];
		who = s->client;
		gen = s->gen;
		seq = s->seq;
		/* Free first: the client answered may take it at once. */
		net_slot_put(n, s);
		freed = true;
		if (who == NET_NONE)
			continue;
		cl = &n->clients[who];
		if (cl->fd < 0 || cl->gen != gen) {
			STAT_ADD(n->st.replies_lost, 1);
			continue;
		}
		cl->out_msgs--;
		/* Its next record comes only now: a tick from here on is
		 * the first it can be idle for. */
		cl->active = true;
		if (st != RING_ACK_WRITTEN)
			STAT_ADD(n->st.not_ok, 1);
		queue_reply(n, cl, reply, net_reply_for(reply, ack_state(st),
		    seq));
		/* A stop-and-wait client sends its next record only now:
		 * no batch to wait for.  Unless others wait for a slot:
		 * then it waits its turn in net_resume's round, or the
		 * clients that hold the slots would keep them for ever. */
		if (flush_out(n, cl) && !cl->reading && !n->paused &&
		    !n->stopping)
			net_client_read(n, cl);
	}
	return freed;
}

/*
 * Round the clients from where the last round stopped, so that with
 * fewer slots than clients waiting each has its turn: from the first
 * every time, the last would wait for ever.
 */
void
net_resume(struct net *n)
{
	unsigned k;

	for (k = 0; k < n->c.max_clients; k++) {
		unsigned i = (n->resume_at + k) % n->c.max_clients;
		struct net_client *cl = &n->clients[i];

		if (cl->fd >= 0 && !cl->reading) {
			net_client_read(n, cl);
			if (!net_slot_for_client(n)) {
				n->resume_at = (i + 1) % n->c.max_clients;
				return;
			}
		}
	}
	n->paused = false;
}
