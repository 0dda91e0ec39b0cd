/*
 * enrich.c - auditd's ENRICHED log format.
 *
 * With log_format = ENRICHED, auditd 3.0.9 writes the RAW line, then the
 * byte 0x1D, then some of the record's fields again, interpreted:
 *
 *   type=SYSCALL msg=audit(...): arch=c000003e syscall=42 ... uid=1000 ...
 *       ^]ARCH=x86_64 SYSCALL=connect AUID="alice" UID="alice" ...
 *
 * It gets them by handing the line to libauparse and keeping the fields
 * auparse types as a uid, a gid, a syscall, an arch or a socket address.
 * Admins' parsers read those bytes, so this file reproduces what that
 * chain does, quirks included, without auparse and without allocating:
 *
 *   - Fields are what auparse's record splitter makes of the line: tokens
 *     between spaces; "name=value" tokens are fields, others are not (but
 *     AVC's "denied" and "{ perms }" are); "msg=audit(...)" is dropped and
 *     "msg='" is cut off the front of the field after it; a value loses a
 *     trailing ':' then ',' then '\'' then ')' (not "(none)"/"(null)"); an
 *     empty value drops the token; a hex "key" counts once per key it
 *     holds.  Field numbers matter: auparse takes the machine from "arch"
 *     only as the 2nd field (after type, and node if any), the syscall
 *     only as the 3rd and socketcall's a0 only as the 6th.
 *   - Types: the uid and gid field names auparse knows (a table checked
 *     against libauparse in tests/parse/test_enrich.c), "arch", "syscall"
 *     and "saddr", except: an EXECVE field whose name starts with 'a' is an
 *     argument; AVC and NETFILTER_PKT "saddr" are not socket addresses;
 *     "id" is a gid in group records; TRUSTED_APP records are not
 *     interpreted at all.
 *   - Values: a uid/gid is a decimal (strtoul: "abc" is 0, so "root");
 *     4294967295 is "unset", 0 is "root" without a lookup, a name from the
 *     worker's cache (names.c), else "unknown(N)" with N signed.  Written
 *     NAME="value", or NAME=HEX when the value holds a space, a quote or a
 *     byte outside 0x21..0x7e (audit_encode_nv_string).  The others are
 *     written NAME=value as they come.
 *   - Room: auditd formats into a buffer of 8970 + 255 bytes, skips a
 *     field that would not fit, stops when 24 bytes or fewer are left, and
 *     cuts the finished line to 8969 bytes.  The same limits apply here.
 *
 * The text goes into the record slot's tailroom, after the payload, so
 * the line stays where it is.
 *
 * Splitting the line into fields and typing them is fields.c's (through
 * enrich_int.h); this file interprets the typed fields and writes them.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse/enrich_int.h"
#include "parse/parse.h"
#include "ring/ring.h"

#define INTERP_SEP '\x1d'
/* auditd's format buffer (MAX_AUDIT_MESSAGE_LENGTH + _POSIX_HOST_NAME_MAX)
 * and the room it wants left before it adds another field. */
#define FORMAT_BUF_LEN (8970 + 255)
#define MIN_SPACE_LEFT 24
/* Longest interpreted text: "conversion error(VALUE) ", hex-encoded. */
#define TEXT_MAX (2 * (VALUE_MAX + 32) + 80)

static size_t
put_str(char *out, const char *s)
{
	size_t n = strlen(s);

	memcpy(out, s, n);
	return n;
}

static size_t
interp_id(struct parse_names *nc, enum parse_names_kind kind,
    const struct field *f, char *out)
{
	char buf[VALUE_MAX + 1];
	const char *name;
	unsigned long long lv;
	uint32_t id;
	size_t len;
	bool range;

	lv = fld_ull(f, 10, &range);
	if (range)
		return (size_t)sprintf(out, "conversion error(%s)",
		    fld_str(f, buf));
	id = (uint32_t)lv;
	if (id == UINT32_MAX)
		return put_str(out, "unset");
	if (id == 0)
		return put_str(out, "root");
	name = nc != NULL ? parse_names_lookup(nc, kind, id, &len) : NULL;
	if (name == NULL)
		return (size_t)sprintf(out, "unknown(%d)", (int)id);
	memcpy(out, name, len);
	return len;
}

/*
 * auparse names the record's machine when it has one up to aarch64, and
 * only else reads the field's own value.
 */
static size_t
interp_arch(const struct field *f, const struct rec_info *ri, char *out)
{
	char buf[VALUE_MAX + 1];
	const char *v, *name;
	unsigned long lv;
	int m = ri->machine;

	if (m < 0 || m > PARSE_MACH_AARCH64) {
		v = fld_str(f, buf);
		errno = 0;
		lv = strtoul(v, NULL, 16);
		if (errno != 0)
			return (size_t)sprintf(out, "conversion error(%s) ", v);
		m = parse_elf_to_machine((uint32_t)lv);
		if (m < 0)
			return (size_t)sprintf(out, "unknown-elf-type(%s)", v);
	}
	name = parse_machine_name(m);
	if (name == NULL)
		return (size_t)sprintf(out, "unknown-machine-type(%d)", m);
	return put_str(out, name);
}

static size_t
interp_syscall(const struct rec_info *ri, char *out)
{
	int m = ri->machine < 0 ? parse_host_machine() : ri->machine;
	const char *name = parse_syscall_name(ri->syscall, m), *op = NULL;
	int a0 = (int)ri->a0;

	if (name == NULL)
		return (size_t)sprintf(out, "unknown-syscall(%d)", ri->syscall);
	/* auparse: only an a0 that an int holds names the operation. */
	if ((unsigned long long)(long long)a0 == ri->a0) {
		switch (parse_syscall_op(ri->syscall, m)) {
		case PARSE_SC_SOCKETCALL:
			op = parse_socketcall_name(a0);
			break;
		case PARSE_SC_IPC:
			op = parse_ipc_name(a0);
			break;
		case PARSE_SC_PLAIN:
			break;
		}
	}
	if (op != NULL)
		return (size_t)sprintf(out, "%s(%s)", name, op);
	return put_str(out, name);
}

/*
 * The address as auparse holds it: a copy of the value's leading hex
 * digits, decoded in place two characters at a time over the whole
 * value's length (an odd last digit X is the byte 0xX0), a NUL after
 * that, and past it what is left of the copy's ASCII.  Past the hex
 * digits auparse decodes bytes of its buffer it never wrote; a fresh
 * heap's zeros, which is what auditd writes, are decoded here
 * (docs/auditd-behaviour.md, ENRICHED corners).  "(null)" is kept as it
 * is.  NULL when auparse finds no address ("malformed-host").
 */
static const unsigned char *
saddr_bytes(const char *v, size_t vlen, unsigned char *buf)
{
	size_t hex = 0, i;

	/* Zeros past the value too: a short address is read past its end. */
	memset(buf, 0, vlen + 2 > 128 ? vlen + 2 : 128);
	if (v[0] == '(') {
		const char *close = memchr(v, ')', vlen);

		if (close == NULL)
			return NULL;
		memcpy(buf, v, (size_t)(close - v) + 1);
		return buf;
	}
	while (hex < vlen && fld_hexval(v[hex]) >= 0)
		hex++;
	if (hex < 2)
		return NULL;
	memcpy(buf, v, hex);
	for (i = 0; i < vlen; i += 2) {
		int hi = fld_hexval(buf[i]);
		int lo = fld_hexval(buf[i + 1]);

		buf[i / 2] = (unsigned char)((hi < 0 ? 0 : hi) << 4 |
		    (lo < 0 ? 0 : lo));
	}
	buf[(vlen + 1) / 2] = 0;
	return buf;
}

static size_t
interp_saddr(const struct field *f, char *out)
{
	char vbuf[VALUE_MAX + 1];
	const char *v = fld_str(f, vbuf), *fam;
	unsigned char buf[VALUE_MAX + 128];
	const unsigned char *sa;
	size_t slen = strlen(v) / 2, n;
	unsigned family;

	sa = saddr_bytes(v, strlen(v), buf);
	if (sa == NULL)
		return (size_t)sprintf(out, "malformed-host(%s)", v);
	family = (unsigned)sa[0] | (unsigned)sa[1] << 8;
	fam = parse_family_name(family);
	if (fam == NULL)
		return (size_t)sprintf(out, "unknown-family(%u)", family);

	switch (family) {
	case AF_LOCAL: {
		const char *path = (const char *)sa + 2;

		if (slen < 4)
			return (size_t)sprintf(out,
			    "{ saddr_fam=%s sockaddr len too short }", fam);
		/* An abstract name starts with a NUL, skipped. */
		return (size_t)sprintf(out, "{ saddr_fam=%s path=%.108s }",
		    fam, path[0] != '\0' ? path : path + 1);
	}
	case AF_INET:
	case AF_INET6: {
		char host[NI_MAXHOST], serv[NI_MAXSERV];
		size_t need = family == AF_INET ? sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6);

		if (slen < need)
			return (size_t)sprintf(out, family == AF_INET ?
			    "{ saddr_fam=%s sockaddr len too short }" :
			    "{ saddr_fam=%s sockaddr6 len too short }", fam);
		/* Numeric, as auparse asks: no DNS. */
		if (getnameinfo((const struct sockaddr *)sa, (socklen_t)need,
		    host, sizeof(host), serv, sizeof(serv),
		    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
			return (size_t)sprintf(out,
			    "{ saddr_fam=%s (error resolving addr) }", fam);
		return (size_t)sprintf(out, "{ saddr_fam=%s laddr=%s lport=%s }",
		    fam, host, serv);
	}
	case AF_NETLINK: {
		uint32_t pid;

		if (slen < 12)
			return (size_t)sprintf(out,
			    "{ saddr_fam=%s len too short }", fam);
		memcpy(&pid, sa + 4, sizeof(pid));
		return (size_t)sprintf(out,
		    "{ saddr_fam=%s nlnk-fam=%u nlnk-pid=%u }", fam, family,
		    pid);
	}
	case AF_AX25:
		/* Seven bytes of callsign; a NUL among them ends the text
		 * there, closing brace and all (field_text's strnlen). */
		n = (size_t)sprintf(out, "{ saddr_fam=%s call=", fam);
		memcpy(out + n, sa + 2, 7);
		n += 7;
		return n + put_str(out + n, " }");
	case AF_X25:
		return (size_t)sprintf(out, "{ saddr_fam=%s laddr=%.15s }", fam,
		    (const char *)sa + 2);
	case AF_ATMPVC: {
		int16_t itf;

		memcpy(&itf, sa + 4, sizeof(itf));
		return (size_t)sprintf(out, "{ saddr_fam=%s int=%d }", fam, itf);
	}
	default:
		return (size_t)sprintf(out, "{ saddr_fam=%s (unsupported) }",
		    fam);
	}
}

static bool
needs_encoding(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c < 0x21 || c > 0x7e)
			return true;
	}
	return false;
}

/* "NAME=" with the name upper-cased, as auditd writes it. */
static size_t
put_name(char *out, const struct field *f)
{
	size_t n = f->nlen < 63 ? f->nlen : 63;

	for (size_t i = 0; i < n; i++)
		out[i] = (char)toupper((unsigned char)f->name[i]);
	out[n] = '=';
	return n + 1;
}

/* NAME="value", or NAME=HEX when the value needs it. */
static size_t
put_encoded(char *out, const char *v, size_t n)
{
	static const char hexdig[] = "0123456789ABCDEF";
	size_t o = 0;

	if (!needs_encoding(v, n)) {
		out[o++] = '"';
		memcpy(out + o, v, n);
		o += n;
		out[o++] = '"';
		return o;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		out[o++] = hexdig[c >> 4];
		out[o++] = hexdig[c & 15];
	}
	return o;
}

/* One field's text, NAME=VALUE; 0 when the field is not interpreted. */
static size_t
field_text(struct parse_names *nc, enum kind k, const struct field *f,
    const struct rec_info *ri, char *out)
{
	char val[TEXT_MAX];
	size_t o = put_name(out, f), vlen;

	switch (k) {
	case K_UID:
	case K_GID:
		vlen = interp_id(nc, k == K_UID ? PARSE_NAMES_USER :
		    PARSE_NAMES_GROUP, f, val);
		return o + put_encoded(out + o, val, vlen);
	case K_ARCH:
		vlen = interp_arch(f, ri, val);
		break;
	case K_SYSCALL:
		vlen = interp_syscall(ri, val);
		break;
	case K_SADDR:
		vlen = interp_saddr(f, val);
		break;
	default:
		return 0;
	}
	/* A value with a NUL (an odd socket path) ends there, as printf's. */
	vlen = strnlen(val, vlen);
	memcpy(out + o, val, vlen);
	return o + vlen;
}

/* strtoul(3) on [p, end): the value; *range set when it overflows. */
static unsigned long
stamp_num(const char *p, const char *end, bool *range)
{
	unsigned long v = 0;
	bool neg = false;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		/* Constants: no division per digit on the record path. */
		if (v > ULONG_MAX / 10 || (v == ULONG_MAX / 10 &&
		    d > ULONG_MAX % 10))
			*range = true;
		v = v * 10 + d;
	}
	return neg ? -v : v;
}

/*
 * auparse gives up on a record whose "msg=audit(SEC.MSEC:SERIAL)" it
 * cannot read: it wants that token 19 bytes long at least, a ':' in the
 * stamp, SEC > 0, MSEC no more than 999, and no number past what an
 * unsigned long holds.  Kernel and daemon records always pass; this is
 * for replayed oddities.  Returns the bytes of the stamp's token, or 0.
 */
static size_t
stamp_token(const char *p, size_t len)
{
	const char *sp = memchr(p, ' ', len), *end, *colon, *dot;
	size_t tlen = sp != NULL ? (size_t)(sp - p) : len;
	unsigned long sec, msec = 0;
	bool range = false;

	if (tlen < 19 - 4 || memcmp(p, "audit(", 6) != 0)
		return 0;
	end = memchr(p, ')', tlen);
	if (end == NULL)
		end = p + tlen;
	colon = memchr(p, ':', (size_t)(end - p));
	if (colon == NULL)
		return 0;
	(void)stamp_num(colon + 1, end, &range);
	dot = memchr(p + 6, '.', (size_t)(colon - p - 6));
	if (dot != NULL)
		msec = stamp_num(dot + 1, colon, &range);
	sec = stamp_num(p + 6, dot != NULL ? dot : colon, &range);
	if (range || sec == 0 || msec > 999)
		return 0;
	return tlen;
}

static size_t
enrich_line(char *line, size_t len, size_t cap, const char *payload,
    size_t payload_len, unsigned type, bool node, struct parse_names *nc)
{
	size_t stamp = stamp_token(payload, payload_len);
	struct walk w = {
		.p = payload + stamp,
		.end = payload + payload_len,
		.type = type,
		.offset = node ? 1 : 0,
	};
	struct rec_info ri;
	struct field f;
	size_t left = FORMAT_BUF_LEN - len, at = len;
	unsigned seps = 0, i = 0;
	bool ok = true;

	if (stamp == 0 || len >= FORMAT_BUF_LEN || left <= MIN_SPACE_LEFT)
		return len;
	/* Past node= and type=, the first fields auparse counts. */
	w.cnt = 1 + w.offset;
	if (!fld_record_info(w, &ri))
		return len;
	/* An AVC whose "{ perms }" auparse cannot hold: it gives up on the
	 * whole record, before writing anything. */
	if ((type == T_AVC || type == T_USER_AVC) && ri.more) {
		struct walk chk = ri.rest;

		while (fld_next(&chk, &f, &ok))
			;
		if (!ok)
			return len;
	}
	while (left > MIN_SPACE_LEFT) {
		char text[TEXT_MAX];
		enum kind k;
		size_t tlen;

		if (i < ri.nhead)
			f = ri.head[i++];
		else if (!ri.more || !fld_next(&ri.rest, &f, &ok))
			break;
		k = f.name != NULL ? fld_kind(type, &f) : K_NONE;
		if (k == K_NONE)
			continue;
		if (seps++ == 0) {
			if (at < cap)
				line[at++] = INTERP_SEP;
			left--;
		}
		tlen = field_text(nc, k, &f, &ri, text);
		if (1 + tlen + 1 >= left)
			continue;	/* auditd skips what does not fit */
		if (at + tlen + 1 > cap)
			break;
		if (seps > 1) {
			line[at++] = ' ';
			left--;
		}
		memcpy(line + at, text, tlen);
		at += tlen;
		left -= tlen;
	}
	return at;
}

size_t
parse_enrich(char *line, size_t len, size_t cap, const char *payload,
    size_t payload_len, unsigned type, bool node, struct parse_names *nc)
{
	size_t n = enrich_line(line, len, cap, payload, payload_len, type, node,
	    nc);

	/* auditd forgets every name after writing a user or group
	 * management record; the record itself used them. */
	if (nc != NULL && (type == T_USER_MGMT || type == T_ADD_USER ||
	    type == T_DEL_USER || type == T_ADD_GROUP || type == T_DEL_GROUP ||
	    type == T_GRP_MGMT))
		parse_names_drop(nc);
	return n;
}
