/*
 * frame.c - auditd's remote-logging frames read and replies made, the
 * codec under the network stage's listener.  It owns nothing: it reads
 * the caller's bytes, points into them, and writes into the caller's
 * buffer; it never blocks, allocates or logs, so the listener can run it
 * on every read of every client.  Only a caller's bug (a reply text too
 * long for NET_REPLY_MAX, a state that is none) is fatal.
 *
 * Reading.  Each field is put together byte by byte, least significant
 * first, whatever the host's order and the buffer's alignment.  A header
 * is judged as soon as its 16 bytes are there: the magic, then the
 * length.  The versions are decoded but not judged, and every type but
 * HEARTBEAT is a message, as in auditd.  A frame is whole when its LEN
 * bytes of text follow; the caller then steps over size bytes and asks
 * again, so frames pipelined in one read are taken in order.
 *
 * The text is what auditd 3.0.9 logs: it ends the frame with a NUL, makes
 * a '\n' in the frame's last byte that end too, and uses the C string.
 * So one '\n' is cut only when it is the last byte (a client that sends
 * "a\n\0" has "a\n" logged), and the text stops at its first NUL.
 *
 * Where auditd is not followed, and why:
 *  - A length past 8970 is refused from the header alone.  auditd reads
 *    into an 8970-byte buffer and waits for a frame that cannot fit; when
 *    the buffer is full its read returns 0, taken for the end of the
 *    connection, and the part it holds is logged as if it were a record.
 *    Here the listener can close at once, and logs no record cut short.
 *  - For the same buffer, auditd completes no frame whose text is longer
 *    than 8954 bytes (16 + len must fit in 8970).  Here the header's own
 *    bound holds: up to 8970 bytes of text, so audisp-remote's longest
 *    records (8968 bytes) are taken whole.
 *  - Bytes without the magic are no frame.  auditd takes them as a line
 *    ended by '\n' and drops it without a reply, keeping the connection;
 *    the error says how long that line is, so the listener can do the
 *    same, or close.  The magic is judged at 16 bytes, not at auditd's 4;
 *    no client can tell, as a dropped line has no reply either way.
 *
 * Replies are auditd's: magic, versions 0, the type, the text's length,
 * the sequence echoed, then the text without its NUL.  net_reply_for
 * holds the words auditd 3.0.9 sends for each state of a record.
 */
#include <string.h>

#include "common/log.h"
#include "net/frame.h"

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
put16(unsigned char *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8 & 0xff;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8 & 0xff;
	p[2] = v >> 16 & 0xff;
	p[3] = v >> 24 & 0xff;
}

enum net_frame_rc
net_frame_parse(const unsigned char *p, size_t n, struct net_frame *f)
{
	const unsigned char *text, *nl, *nul;
	size_t t;

	memset(f, 0, sizeof(*f));
	if (n < NET_HDR_SIZE)
		return NET_FRAME_MORE;
	f->hver = p[4];
	f->mver = p[5];
	f->type = get32(p + 6);
	f->len = get16(p + 10);
	f->seq = get32(p + 12);
	if (get32(p) != NET_MAGIC) {
		nl = memchr(p, '\n', n);
		f->size = nl != NULL ? (size_t)(nl - p) + 1 : 0;
		return NET_FRAME_BAD_MAGIC;
	}
	if (f->len > NET_MSG_MAX)
		return NET_FRAME_TOO_LONG;
	if (n - NET_HDR_SIZE < f->len) {
		memset(f, 0, sizeof(*f));
		return NET_FRAME_MORE;
	}
	text = p + NET_HDR_SIZE;
	t = f->len;
	if (t > 0 && text[t - 1] == '\n')
		t--;
	if ((nul = memchr(text, '\0', t)) != NULL)
		t = (size_t)(nul - text);
	f->text = (const char *)text;
	f->text_len = t;
	f->size = NET_HDR_SIZE + (size_t)f->len;
	return NET_FRAME_OK;
}

size_t
net_reply(unsigned char *out, uint32_t type, uint32_t seq, const char *text)
{
	size_t len = text != NULL ? strlen(text) : 0;

	if (len > NET_REPLY_TEXT_MAX)
		fatalx("net_reply: a text of %zu bytes", len);
	put32(out, NET_MAGIC);
	out[4] = 0;
	out[5] = 0;
	put32(out + 6, type);
	put16(out + 10, (uint16_t)len);
	put32(out + 12, seq);
	if (len > 0)
		memcpy(out + NET_HDR_SIZE, text, len);
	return NET_HDR_SIZE + len;
}

size_t
net_reply_for(unsigned char *out, enum net_state st, uint32_t seq)
{
	switch (st) {
	case NET_ST_OK:
		return net_reply(out, NET_ACK, seq, NULL);
	case NET_ST_DISK_LOW:
		return net_reply(out, NET_DISKLOW, seq, "");
	case NET_ST_DISK_FULL:
		return net_reply(out, NET_DISKFULL, seq, "disk full");
	case NET_ST_DISK_ERROR:
		return net_reply(out, NET_DISKERROR, seq, "disk write error");
	case NET_ST_SUSPENDED:
		return net_reply(out, NET_DISKERROR, seq,
		    "remote logging suspended");
	}
	fatalx("net_reply_for: no state %d", (int)st);
}
