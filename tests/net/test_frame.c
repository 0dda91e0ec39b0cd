/*
 * test_frame.c - auditd's remote-logging frames through net_frame_parse,
 * and the replies net_reply and net_reply_for make, byte for byte.
 *
 * Frames are written out here in hex, or laid down by frame() below, which
 * spells each field's bytes itself; replies are held against the bytes
 * auditd 3.0.9 was seen to send (docs: auditd-dispatch-remote.md, 2.1):
 * the ACK of sequence 7 and ENDING are its observations word for word,
 * the others its types and texts laid out the same way.
 *
 * KRB5's tokens (a 4-byte big-endian length, then the bytes) are found by
 * net_gss_token the same way; what is inside them needs a security
 * context, which tests/net/test_krb5.sh makes with a KDC.
 *
 * Every input is parsed from a heap buffer of exactly its length, so that
 * a read past n is caught by the address sanitizer build; the buffer is
 * held until the next parse, for the text that points into it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/frame.h"
#include "net/net_int.h"

/* s's hex digits as bytes (spaces skipped); how many. */
static size_t
unhex(unsigned char *out, size_t max, const char *s)
{
	unsigned hi, lo;
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		assert_int_equal(sscanf(s, "%1x%1x", &hi, &lo), 2);
		assert_true(n < max);
		out[n++] = (unsigned char)(hi << 4 | lo);
		s++;
	}
	return n;
}

/* A frame of tlen bytes of text at p, each header byte spelt; its size. */
static size_t
msg(unsigned char *p, uint32_t type, uint32_t seq, const char *text,
    size_t tlen)
{
	const unsigned char h[NET_HDR_SIZE] = {
		0xfe, 0x00, 0x00, 0xff, 0, 0,
		type & 0xff, type >> 8 & 0xff, type >> 16 & 0xff, type >> 24,
		tlen & 0xff, tlen >> 8 & 0xff,
		seq & 0xff, seq >> 8 & 0xff, seq >> 16 & 0xff, seq >> 24,
	};

	memcpy(p, h, sizeof(h));
	memcpy(p + NET_HDR_SIZE, text, tlen);
	return NET_HDR_SIZE + tlen;
}

static unsigned char *held;	/* the last input parsed */

/* net_frame_parse on a copy of the n bytes at p, in a buffer just n long. */
static enum net_frame_rc
parse_exact(const unsigned char *p, size_t n, struct net_frame *f)
{
	free(held);
	held = malloc(n > 0 ? n : 1);
	assert_non_null(held);
	memcpy(held, p, n);
	memset(f, 0x5a, sizeof(*f));	/* what parse leaves shows */
	return net_frame_parse(held, n, f);
}

/* net_gss_token on a copy of the n bytes at p, in a buffer just n long. */
static enum net_frame_rc
token_exact(const unsigned char *p, size_t n, size_t *size)
{
	free(held);
	held = malloc(n > 0 ? n : 1);
	assert_non_null(held);
	memcpy(held, p, n);
	*size = 12345;
	return net_gss_token(held, n, size);
}

static int
teardown(void **state)
{
	(void)state;
	free(held);
	held = NULL;
	return 0;
}

/* What MORE leaves: nothing. */
static void
assert_zero(const struct net_frame *f)
{
	assert_int_equal(f->type, 0);
	assert_int_equal(f->seq, 0);
	assert_int_equal(f->len, 0);
	assert_int_equal(f->hver, 0);
	assert_int_equal(f->mver, 0);
	assert_null(f->text);
	assert_int_equal(f->text_len, 0);
	assert_int_equal(f->size, 0);
}

static void
assert_text(const struct net_frame *f, const char *want, size_t wlen)
{
	assert_int_equal(f->text_len, wlen);
	assert_memory_equal(f->text, want, wlen);
}

/* out[0, n) against the hex, and nothing written past n. */
static void
assert_reply(const unsigned char *out, size_t n, const char *hex)
{
	unsigned char want[NET_REPLY_MAX];
	size_t wn, i;

	wn = unhex(want, sizeof(want), hex);
	assert_int_equal(n, wn);
	assert_memory_equal(out, want, wn);
	for (i = n; i < NET_REPLY_MAX; i++)
		assert_int_equal(out[i], 0xa5);
}

static void
test_whole_frame(void **state)
{
	unsigned char in[64];
	struct net_frame f;
	size_t n;

	(void)state;
	/* MESSAGE, sequence 7, 12 bytes: as audisp-remote sends a record */
	n = unhex(in, sizeof(in), "fe0000ff 00 00 00000000 0c00 07000000");
	memcpy(in + n, "type=X msg=1", 12);
	n += 12;
	assert_int_equal(parse_exact(in, n, &f), NET_FRAME_OK);
	assert_int_equal(f.type, NET_MESSAGE);
	assert_int_equal(f.seq, 7);
	assert_int_equal(f.len, 12);
	assert_int_equal(f.hver, 0);
	assert_int_equal(f.mver, 0);
	assert_int_equal(f.size, 28);
	assert_ptr_equal(f.text, (const char *)held + NET_HDR_SIZE);
	assert_text(&f, "type=X msg=1", 12);
}

static void
test_header_fields(void **state)
{
	static const struct {
		const char *hex;
		uint8_t hver, mver;
		uint32_t type, seq;
		uint16_t len;
	} rows[] = {
		/* each byte of each field its own, little-endian */
		{ "fe0000ff ab cd 01020304 0500 0d0e0f10",
		  0xab, 0xcd, 0x04030201, 0x100f0e0d, 5 },
		{ "fe0000ff ff ff ffffffff 0a23 ffffffff",
		  0xff, 0xff, 0xffffffff, 0xffffffff, NET_MSG_MAX },
		{ "fe0000ff 00 01 01000000 0000 00000000",
		  0, 1, NET_HEARTBEAT, 0, 0 },
		{ "fe0000ff 00 00 45230100 0100 00000080",
		  0, 0, 0x12345, 0x80000000, 1 },
	};
	unsigned char in[NET_FRAME_MAX];
	struct net_frame f;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		n = unhex(in, sizeof(in), rows[i].hex);
		memset(in + n, 'x', rows[i].len);
		n += rows[i].len;
		assert_int_equal(parse_exact(in, n, &f), NET_FRAME_OK);
		assert_int_equal(f.hver, rows[i].hver);
		assert_int_equal(f.mver, rows[i].mver);
		assert_int_equal(f.type, rows[i].type);
		assert_int_equal(f.seq, rows[i].seq);
		assert_int_equal(f.len, rows[i].len);
		assert_int_equal(f.size, NET_HDR_SIZE + rows[i].len);
		assert_int_equal(f.text_len, rows[i].len);
	}
}

/* Each byte of the magic wrong, every other value, judged at 16 bytes. */
static void
test_bad_magic(void **state)
{
	unsigned char in[NET_HDR_SIZE];
	struct net_frame f;
	unsigned i, v;
	const unsigned char magic[4] = { 0xfe, 0x00, 0x00, 0xff };

	(void)state;
	for (i = 0; i < 4; i++) {
		for (v = 0; v < 256; v++) {
			if (v == magic[i])
				continue;
			unhex(in, sizeof(in),
			    "fe0000ff 00 00 00000000 0400 01000000");
			in[i] = (unsigned char)v;
			assert_int_equal(parse_exact(in, 15, &f),
			    NET_FRAME_MORE);
			assert_int_equal(parse_exact(in, 16, &f),
			    NET_FRAME_BAD_MAGIC);
			assert_null(f.text);
			/* the line auditd drops: to a '\n', if any */
			assert_int_equal(f.size, v == '\n' ? i + 1 : 0);
		}
	}
	/* big-endian, as a client that forgot the byte order sends it */
	unhex(in, sizeof(in), "ff0000fe 00 00 00000000 0000 01000000");
	assert_int_equal(parse_exact(in, 16, &f), NET_FRAME_BAD_MAGIC);
	/* a bad magic and a bad length: the magic is judged first */
	unhex(in, sizeof(in), "fe0001ff 00 00 00000000 ffff 01000000");
	assert_int_equal(parse_exact(in, 16, &f), NET_FRAME_BAD_MAGIC);
}

/* auditd drops a line without the magic and takes the frame after it. */
static void
test_bad_magic_line(void **state)
{
	static const char line[] = "GET /index.html HTTP/1.0\r\n";
	unsigned char in[128];
	struct net_frame f;
	size_t n, skip;

	(void)state;
	memcpy(in, line, sizeof(line) - 1);
	n = sizeof(line) - 1;
	n += msg(in + n, NET_MESSAGE, 3, "rec", 3);
	assert_int_equal(parse_exact(in, n, &f), NET_FRAME_BAD_MAGIC);
	skip = f.size;
	assert_int_equal(skip, sizeof(line) - 1);
	assert_int_equal(parse_exact(in + skip, n - skip, &f), NET_FRAME_OK);
	assert_int_equal(f.seq, 3);
	assert_int_equal(f.text_len, 3);
	/* the line cut before its '\n': not a frame, no end to it yet */
	assert_int_equal(parse_exact(in, skip - 1, &f), NET_FRAME_BAD_MAGIC);
	assert_int_equal(f.size, 0);
}

/* A length past 8970 is refused from its header alone. */
static void
test_too_long(void **state)
{
	static const struct {
		const char *hex;
		uint16_t len;
	} rows[] = {
		{ "fe0000ff 00 00 00000000 0b23 09000000", NET_MSG_MAX + 1 },
		{ "fe0000ff 00 00 00000000 ffff 09000000", 65535 },
		{ "fe0000ff 00 00 00000000 0024 09000000", 9216 },
	};
	unsigned char in[NET_HDR_SIZE + 8];
	struct net_frame f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unhex(in, sizeof(in), rows[i].hex);
		memset(in + NET_HDR_SIZE, 'x', 8);
		assert_int_equal(parse_exact(in, 15, &f),
		    NET_FRAME_MORE);
		assert_int_equal(parse_exact(in, 16, &f),
		    NET_FRAME_TOO_LONG);
		assert_int_equal(f.len, rows[i].len);
		assert_int_equal(f.seq, 9);
		assert_null(f.text);
		assert_int_equal(f.size, 0);
		assert_int_equal(parse_exact(in, sizeof(in), &f),
		    NET_FRAME_TOO_LONG);
	}
}

/* 8970 bytes of text, the most there may be, whole. */
static void
test_len_max(void **state)
{
	unsigned char *in;
	struct net_frame f;
	size_t n;
	char *text;

	(void)state;
	in = malloc(NET_FRAME_MAX);
	text = malloc(NET_MSG_MAX);
	assert_non_null(in);
	assert_non_null(text);
	memset(text, 'a', NET_MSG_MAX);
	text[NET_MSG_MAX - 1] = 'z';
	n = msg(in, NET_MESSAGE, 1, text, NET_MSG_MAX);
	assert_int_equal(n, 8986);
	assert_int_equal(in[10], 0x0a);
	assert_int_equal(in[11], 0x23);
	assert_int_equal(parse_exact(in, n - 1, &f), NET_FRAME_MORE);
	assert_int_equal(parse_exact(in, n, &f), NET_FRAME_OK);
	assert_int_equal(f.len, NET_MSG_MAX);
	assert_int_equal(f.size, 8986);
	assert_text(&f, text, NET_MSG_MAX);
	free(text);
	free(in);
}

/* Cut anywhere, a frame is MORE until its last byte, then itself. */
static void
test_split_everywhere(void **state)
{
	static const char text[] = "type=USER msg=audit(1.2:3): x=y\n";
	unsigned char in[128];
	struct net_frame f;
	size_t n, k;

	(void)state;
	n = msg(in, NET_MESSAGE, 0x01020304, text, sizeof(text) - 1);
	for (k = 0; k < n; k++) {
		assert_int_equal(parse_exact(in, k, &f), NET_FRAME_MORE);
		assert_zero(&f);
	}
	assert_int_equal(parse_exact(in, n, &f), NET_FRAME_OK);
	assert_int_equal(f.seq, 0x01020304);
	assert_int_equal(f.size, n);
	assert_text(&f, text, sizeof(text) - 2);
	/* and so is a heartbeat, all header */
	n = msg(in, NET_HEARTBEAT, 5, "", 0);
	for (k = 0; k < n; k++) {
		assert_int_equal(parse_exact(in, k, &f), NET_FRAME_MORE);
	}
	assert_int_equal(parse_exact(in, n, &f), NET_FRAME_OK);
	assert_int_equal(f.type, NET_HEARTBEAT);
}

/*
 * The n bytes at in walked as a listener walks them: parse, step over
 * the frame, parse again.  The sequences met go to seqs; their number.
 */
static unsigned
walk(const unsigned char *in, size_t n, uint32_t *seqs,
    enum net_frame_rc *last, size_t *at)
{
	struct net_frame f;
	unsigned k = 0;

	*at = 0;
	while ((*last = parse_exact(in + *at, n - *at, &f)) ==
	    NET_FRAME_OK) {
		seqs[k++] = f.seq;
		*at += f.size;
	}
	return k;
}

/* Frames pipelined in one read, taken in order; then MORE. */
static void
test_pipelined(void **state)
{
	unsigned char in[256];
	struct net_frame f;
	enum net_frame_rc last;
	uint32_t seqs[4];
	size_t n = 0, at, two;

	(void)state;
	n += msg(in + n, NET_MESSAGE, 1, "first\n", 6);
	n += msg(in + n, NET_HEARTBEAT, 2, "", 0);
	two = n;
	n += msg(in + n, NET_MESSAGE, 3, "third", 5);

	/* the first, then the heartbeat, each where the last one ended */
	assert_int_equal(parse_exact(in, n, &f), NET_FRAME_OK);
	assert_int_equal(f.seq, 1);
	assert_text(&f, "first", 5);
	assert_int_equal(f.size, 22);
	assert_int_equal(parse_exact(in + 22, n - 22, &f), NET_FRAME_OK);
	assert_int_equal(f.type, NET_HEARTBEAT);
	assert_int_equal(f.seq, 2);
	assert_int_equal(f.size, NET_HDR_SIZE);
	assert_int_equal(parse_exact(in + two, n - two, &f), NET_FRAME_OK);
	assert_int_equal(f.seq, 3);
	assert_text(&f, "third", 5);

	/* two frames, then three, each walk ending on MORE at the end */
	assert_int_equal(walk(in, two, seqs, &last, &at), 2);
	assert_int_equal(last, NET_FRAME_MORE);
	assert_int_equal(at, two);
	assert_int_equal(seqs[0], 1);
	assert_int_equal(seqs[1], 2);
	assert_int_equal(walk(in, n, seqs, &last, &at), 3);
	assert_int_equal(last, NET_FRAME_MORE);
	assert_int_equal(at, n);
	assert_int_equal(seqs[2], 3);
	/* the third cut short: two, and MORE where it starts */
	assert_int_equal(walk(in, n - 1, seqs, &last, &at), 2);
	assert_int_equal(last, NET_FRAME_MORE);
	assert_int_equal(at, two);
}

/* The text stops at its first NUL, as auditd's C string does. */
static void
test_text_nul(void **state)
{
	unsigned char in[64];
	struct net_frame f;
	size_t n;

	(void)state;
	n = msg(in, NET_MESSAGE, 1, "ab\0cd", 5);
	assert_int_equal(parse_exact(in, n, &f), NET_FRAME_OK);
	assert_int_equal(f.len, 5);
	assert_int_equal(f.size, 21);
	assert_text(&f, "ab", 2);
	n = msg(in, NET_MESSAGE, 1, "\0abc", 4);
	assert_int_equal(parse_exact(in, n, &f), NET_FRAME_OK);
	assert_int_equal(f.text_len, 0);
	assert_int_equal(f.size, 20);
}

/* One '\n' is cut, and only from the frame's last byte. */
static void
test_text_newline(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		const char *want;
		size_t wlen;
	} rows[] = {
		{ "ab\n", 3, "ab", 2 },
		{ "ab\n\n", 4, "ab\n", 3 },
		{ "\n", 1, "", 0 },
		{ "\n\n", 2, "\n", 1 },
		{ "ab\r\n", 4, "ab\r", 3 },
		{ "a\nb", 3, "a\nb", 3 },
		{ "ab\0\n", 4, "ab", 2 },
		/* auditd: the NUL is last, so the '\n' stays */
		{ "ab\n\0", 4, "ab\n", 3 },
		{ "ab\n\0cd\n", 7, "ab\n", 3 },
	};
	unsigned char in[64];
	struct net_frame f;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		n = msg(in, NET_MESSAGE, 1, rows[i].text, rows[i].len);
		assert_int_equal(parse_exact(in, n, &f), NET_FRAME_OK);
		assert_int_equal(f.len, rows[i].len);
		assert_int_equal(f.size, n);
		assert_text(&f, rows[i].want, rows[i].wlen);
	}
}

static void
test_len_zero(void **state)
{
	unsigned char in[NET_HDR_SIZE + 4];
	struct net_frame f;

	(void)state;
	/* the sequence's top byte is '\n': not text, not cut */
	unhex(in, sizeof(in), "fe0000ff 00 00 00000000 0000 0100000a 41424344");
	assert_int_equal(parse_exact(in, NET_HDR_SIZE, &f), NET_FRAME_OK);
	assert_int_equal(f.len, 0);
	assert_int_equal(f.seq, 0x0a000001);
	assert_int_equal(f.size, NET_HDR_SIZE);
	assert_int_equal(f.text_len, 0);
	/* what follows is the next frame's, not this one's text */
	assert_int_equal(parse_exact(in, sizeof(in), &f), NET_FRAME_OK);
	assert_int_equal(f.size, NET_HDR_SIZE);
	assert_int_equal(f.text_len, 0);
}

static void
test_heartbeat(void **state)
{
	unsigned char in[NET_HDR_SIZE];
	struct net_frame f;

	(void)state;
	unhex(in, sizeof(in), "fe0000ff 00 00 01000000 0000 2a000000");
	assert_int_equal(parse_exact(in, sizeof(in), &f), NET_FRAME_OK);
	assert_int_equal(f.type, NET_HEARTBEAT);
	assert_int_equal(f.seq, 42);
	assert_int_equal(f.size, NET_HDR_SIZE);
}

/* The replies of each state, as auditd 3.0.9 sends them. */
static void
test_reply_states(void **state)
{
	static const struct {
		enum net_state st;
		uint32_t seq;
		const char *hex;
	} rows[] = {
		/* observed */
		{ NET_ST_OK, 7, "fe0000ff 00 00 00000040 0000 07000000" },
		{ NET_ST_DISK_LOW, 0x01020304,
		  "fe0000ff 00 00 01000050 0000 04030201" },
		/* "disk full" */
		{ NET_ST_DISK_FULL, 8, "fe0000ff 00 00 01000060 0900 08000000"
		  "6469736b2066756c6c" },
		/* "disk write error" */
		{ NET_ST_DISK_ERROR, 0xffffffff,
		  "fe0000ff 00 00 02000060 1000 ffffffff"
		  "6469736b207772697465206572726f72" },
		/* "remote logging suspended" */
		{ NET_ST_SUSPENDED, 0x100,
		  "fe0000ff 00 00 02000060 1800 00010000"
		  "72656d6f7465206c6f6767696e672073757370656e646564" },
	};
	unsigned char out[NET_REPLY_MAX];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(out, 0xa5, sizeof(out));
		n = net_reply_for(out, rows[i].st, rows[i].seq);
		assert_reply(out, n, rows[i].hex);
	}
}

static void
test_reply_ending(void **state)
{
	unsigned char out[NET_REPLY_MAX];
	size_t n;

	(void)state;
	memset(out, 0xa5, sizeof(out));
	n = net_reply(out, NET_ENDING, 0, NULL);
	/* observed at auditd's shutdown, then EOF */
	assert_reply(out, n, "fe0000ff000001000040000000000000");
	/* no text and an empty one are the same reply */
	memset(out, 0xa5, sizeof(out));
	n = net_reply(out, NET_ENDING, 0, "");
	assert_reply(out, n, "fe0000ff000001000040000000000000");
	/* the longest text a reply carries, whole */
	memset(out, 0xa5, sizeof(out));
	n = net_reply(out, NET_DISKERROR, 1,
	    "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef");
	assert_int_equal(n, NET_REPLY_MAX);
	assert_int_equal(out[10], 64);
	assert_int_equal(out[11], 0);
	assert_memory_equal(out + 16 + 48, "0123456789abcdef", 16);
}

/* Each reply read back by the parser is the reply made. */
static void
test_reply_round_trip(void **state)
{
	static const struct {
		enum net_state st;
		uint32_t type;
		const char *text;
	} rows[] = {
		{ NET_ST_OK, NET_ACK, "" },
		{ NET_ST_DISK_LOW, NET_DISKLOW, "" },
		{ NET_ST_DISK_FULL, NET_DISKFULL, "disk full" },
		{ NET_ST_DISK_ERROR, NET_DISKERROR, "disk write error" },
		{ NET_ST_SUSPENDED, NET_DISKERROR,
		  "remote logging suspended" },
	};
	unsigned char out[NET_REPLY_MAX];
	struct net_frame f;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		n = net_reply_for(out, rows[i].st, 1000 + (uint32_t)i);
		assert_int_equal(parse_exact(out, n, &f), NET_FRAME_OK);
		assert_int_equal(f.type, rows[i].type);
		assert_int_equal(f.seq, 1000 + i);
		assert_int_equal(f.hver, 0);
		assert_int_equal(f.mver, 0);
		assert_int_equal(f.len, strlen(rows[i].text));
		assert_int_equal(f.size, n);
		assert_text(&f, rows[i].text, strlen(rows[i].text));
	}
	n = net_reply(out, NET_ENDING, 0, NULL);
	assert_int_equal(parse_exact(out, n, &f), NET_FRAME_OK);
	assert_int_equal(f.type, NET_ENDING);
	assert_int_equal(f.seq, 0);
	assert_int_equal(f.size, NET_HDR_SIZE);
}

/* A KRB5 token: whole once its length's bytes are there, each byte of
 * the length read big-endian; an empty one (audisp-remote's first) is
 * four bytes. */
static void
test_gss_token(void **state)
{
	unsigned char in[4 + 0x0102];
	size_t size, k;

	(void)state;
	memset(in, 0xa5, sizeof(in));
	in[0] = 0;
	in[1] = 0;
	in[2] = 1;
	in[3] = 2;
	for (k = 0; k < sizeof(in); k++) {
		assert_int_equal(token_exact(in, k, &size), NET_FRAME_MORE);
		assert_int_equal(size, 0);
	}
	assert_int_equal(token_exact(in, sizeof(in), &size), NET_FRAME_OK);
	assert_int_equal(size, 4 + 0x0102);
	/* Pipelined: the first only. */
	assert_int_equal(net_gss_token(in, sizeof(in), &size), NET_FRAME_OK);
	memset(in, 0, 4);
	assert_int_equal(token_exact(in, 4, &size), NET_FRAME_OK);
	assert_int_equal(size, 4);
	assert_int_equal(token_exact(in, 3, &size), NET_FRAME_MORE);
}

/* 8970 bytes is a token; 8971, or a length with its high byte set, is
 * too long at once, before any of its bytes came. */
static void
test_gss_token_long(void **state)
{
	static const unsigned char max[4] = { 0, 0, 0x23, 0x0a };
	static const unsigned char over[4] = { 0, 0, 0x23, 0x0b };
	static const unsigned char high[4] = { 0x80, 0, 0, 1 };
	unsigned char *in = calloc(1, 4 + NET_MSG_MAX);
	size_t size;

	(void)state;
	assert_non_null(in);
	memcpy(in, max, 4);
	assert_int_equal(token_exact(in, 4 + NET_MSG_MAX - 1, &size),
	    NET_FRAME_MORE);
	assert_int_equal(token_exact(in, 4 + NET_MSG_MAX, &size),
	    NET_FRAME_OK);
	assert_int_equal(size, 4 + NET_MSG_MAX);
	assert_int_equal(token_exact(over, 4, &size), NET_FRAME_TOO_LONG);
	assert_int_equal(token_exact(high, 4, &size), NET_FRAME_TOO_LONG);
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_gss_token, teardown),
		cmocka_unit_test_teardown(test_gss_token_long, teardown),
		cmocka_unit_test_teardown(test_whole_frame, teardown),
		cmocka_unit_test_teardown(test_header_fields, teardown),
		cmocka_unit_test_teardown(test_bad_magic, teardown),
		cmocka_unit_test_teardown(test_bad_magic_line, teardown),
		cmocka_unit_test_teardown(test_too_long, teardown),
		cmocka_unit_test_teardown(test_len_max, teardown),
		cmocka_unit_test_teardown(test_split_everywhere, teardown),
		cmocka_unit_test_teardown(test_pipelined, teardown),
		cmocka_unit_test_teardown(test_text_nul, teardown),
		cmocka_unit_test_teardown(test_text_newline, teardown),
		cmocka_unit_test_teardown(test_len_zero, teardown),
		cmocka_unit_test_teardown(test_heartbeat, teardown),
		cmocka_unit_test_teardown(test_reply_states, teardown),
		cmocka_unit_test_teardown(test_reply_ending, teardown),
		cmocka_unit_test_teardown(test_reply_round_trip, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
