/*
 * fuzz_frame.c - a client's bytes, as the network stage's listener reads
 * them, walked frame by frame through net_frame_parse.
 *
 * Input: any bytes.  Each frame found is stepped over and the next one
 * asked for, until the bytes run out (MORE) or are no frame (an error),
 * as the listener does with what one client sent.  What each answer says
 * is held to the contract in net/frame.h: a frame lies inside the bytes,
 * its size is its header and its length, its text is inside it with no
 * NUL; cut one byte short it is MORE; an error's size is a line up to its
 * first '\n'.  Each frame's reply is made and read back too.
 *
 * libFuzzer hands over a buffer of exactly the input's size, so a read
 * past its end is the address sanitizer's to catch.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/frame.h"

#include "fuzz_util.h"

/* The reply to f made, and read back as what it was made of. */
static void
reply(const struct net_frame *f)
{
	unsigned char out[NET_REPLY_MAX];
	struct net_frame r;
	size_t n;

	n = net_reply_for(out, (enum net_state)(f->seq % 5), f->seq);
	if (n < NET_HDR_SIZE || n > NET_REPLY_MAX ||
	    net_frame_parse(out, n, &r) != NET_FRAME_OK ||
	    r.seq != f->seq || r.size != n || r.text_len != r.len ||
	    (r.type & NET_ACK) == 0)
		abort();
}

static void
check_frame(const uint8_t *data, size_t size, const unsigned char *p,
    size_t left, const struct net_frame *f)
{
	struct net_frame g;
	const char *t = f->text;

	if (f->size != NET_HDR_SIZE + (size_t)f->len || f->size > left ||
	    f->len > NET_MSG_MAX)
		abort();
	if (t != (const char *)p + NET_HDR_SIZE || f->text_len > f->len ||
	    t + f->text_len > (const char *)data + size)
		abort();
	if (memchr(t, '\0', f->text_len) != NULL)
		abort();
	/* what was cut: a last '\n', then from the first NUL on */
	if (f->text_len < f->len && t[f->text_len] != '\0' &&
	    !(f->text_len == f->len - 1u && t[f->text_len] == '\n'))
		abort();
	if (f->hver != p[4] || f->mver != p[5])
		abort();
	if (net_frame_parse(p, f->size - 1, &g) != NET_FRAME_MORE ||
	    g.size != 0 || g.text != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data, *nl;
	struct net_frame f;
	enum net_frame_rc rc;
	size_t left = size;

	for (;;) {
		rc = net_frame_parse(p, left, &f);
		if (rc != NET_FRAME_OK)
			break;
		check_frame(data, size, p, left, &f);
		reply(&f);
		p += f.size;
		left -= f.size;
	}
	switch (rc) {
	case NET_FRAME_MORE:
		if (left >= NET_HDR_SIZE && left - NET_HDR_SIZE >=
		    (size_t)(p[10] | p[11] << 8))
			abort();
		if (f.size != 0 || f.text != NULL)
			abort();
		break;
	case NET_FRAME_BAD_MAGIC:
		if (left < NET_HDR_SIZE || memcmp(p, "\xfe\0\0\xff", 4) == 0)
			abort();
		nl = memchr(p, '\n', left);
		if (f.size != (nl != NULL ? (size_t)(nl - p) + 1 : 0))
			abort();
		break;
	case NET_FRAME_TOO_LONG:
		if (left < NET_HDR_SIZE || f.len <= NET_MSG_MAX ||
		    f.size != 0 || f.text != NULL)
			abort();
		break;
	default:
		abort();
	}
	return 0;
}
