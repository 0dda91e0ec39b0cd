/*
 * frame.h - inside the network stage: auditd's remote-logging frames, as
 * audisp-remote sends them and auditd 3.0.9 answers them, taken apart and
 * made.  No sockets, no allocation: the stage's listener feeds each
 * client's bytes through here.  Not part of the stage's interface.
 *
 * A frame is a 16-byte header, little-endian, then LEN bytes of text:
 *
 *   offset 0  u32 magic 0xff0000fe     offset 6   u32 type
 *          4  u8  header version (0)           10  u16 length (<= 8970)
 *          5  u8  message version              12  u32 sequence
 *
 * Any type but HEARTBEAT is a message (auditd logs it; versions are not
 * looked at).  Every message and heartbeat gets one reply that echoes its
 * sequence: a 16-byte header (versions 0), then its text, length bytes
 * and no NUL: none for ACK and DISKLOW, a few words for DISKFULL and
 * DISKERROR.  ENDING (sequence 0, no text) tells each client the server is
 * going away.
 */
#ifndef RINGAUDIT_NET_FRAME_H
#define RINGAUDIT_NET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define NET_HDR_SIZE 16
#define NET_MAGIC 0xff0000feu
#define NET_MSG_MAX 8970		/* the longest text a frame may carry */
#define NET_FRAME_MAX (NET_HDR_SIZE + NET_MSG_MAX)
#define NET_REPLY_TEXT_MAX 64		/* the longest text a reply carries */
#define NET_REPLY_MAX (NET_HDR_SIZE + NET_REPLY_TEXT_MAX)

enum net_type {
	NET_MESSAGE = 0,
	NET_HEARTBEAT = 1,
	NET_ACK = 0x40000000,
	NET_ENDING = 0x40000001,
	NET_DISKLOW = 0x50000001,
	NET_DISKFULL = 0x60000001,
	NET_DISKERROR = 0x60000002,
};

/*
 * One frame found in a client's bytes.  auditd makes the text a C string
 * at the frame's end, turns a '\n' in its last byte into that end, and
 * logs what comes before the first NUL: so "a\n" is "a", "a\n\n" is
 * "a\n", and "a\n\0" is "a\n" (the NUL, not the '\n', was last).
 */
struct net_frame {
	uint32_t type;
	uint32_t seq;
	uint16_t len;		/* the header's length */
	uint8_t hver, mver;	/* the versions, decoded, never judged */
	const char *text;	/* the record: into the bytes given */
	size_t text_len;	/* a last '\n' cut, then up to the first NUL */
	size_t size;		/* bytes the frame took: NET_HDR_SIZE + len */
};

/*
 * On NET_FRAME_OK the whole of *f is filled.  On an error the header's
 * fields are decoded (type, seq, len, versions), text is NULL, and size
 * is the bytes auditd would drop as not a frame: for a bad magic, up to
 * and through the first '\n' in the bytes given (0: none yet), as auditd
 * drops such a line without a word and keeps the connection; for a
 * length past NET_MSG_MAX, 0.  On NET_FRAME_MORE *f is all zero.
 */
enum net_frame_rc {
	NET_FRAME_OK = 1,	/* *f is a whole frame */
	NET_FRAME_MORE = 0,	/* not a whole frame yet: read more */
	NET_FRAME_BAD_MAGIC = -1,	/* not auditd's protocol */
	NET_FRAME_TOO_LONG = -2,	/* length past NET_MSG_MAX: close */
};

/*
 * The first frame in the n bytes at p.  A header is judged as soon as its
 * 16 bytes are there (a bad magic or length does not wait for the text).
 */
enum net_frame_rc net_frame_parse(const unsigned char *p, size_t n,
    struct net_frame *f);

/*
 * The reply of TYPE to sequence SEQ, with TEXT (NULL: none) as its body,
 * into out (NET_REPLY_MAX bytes); its size.  A text longer than
 * NET_REPLY_TEXT_MAX is a caller's bug: fatal.
 */
size_t net_reply(unsigned char *out, uint32_t type, uint32_t seq,
    const char *text);

/* The state a reply tells: what the server does with a client's record. */
enum net_state {
	NET_ST_OK,		/* written: ACK */
	NET_ST_DISK_LOW,	/* written, past space_left: DISKLOW "" */
	NET_ST_DISK_FULL,	/* not written, ENOSPC: DISKFULL "disk full" */
	NET_ST_DISK_ERROR,	/* not written: DISKERROR "disk write error" */
	NET_ST_SUSPENDED,	/* not written, logging suspended:
				   DISKERROR "remote logging suspended" */
};

/* The reply auditd 3.0.9 sends for a record in that state. */
size_t net_reply_for(unsigned char *out, enum net_state st, uint32_t seq);

#endif
