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
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse/parse.h"
#include "ring/ring.h"

/* libaudit.h's record types that change how a field is typed, or after
 * which auditd forgets the names it knows. */
#define T_USER_MGMT 1102
#define T_USER_AVC 1107
#define T_ADD_USER 1114
#define T_DEL_USER 1115
#define T_ADD_GROUP 1116
#define T_DEL_GROUP 1117
#define T_TRUSTED_APP 1121
#define T_GRP_MGMT 1132
#define T_EXECVE 1309
#define T_NETFILTER_PKT 1324
#define T_AVC 1400

#define INTERP_SEP '\x1d'
#define KEY_SEP '\x01'
/* auditd's format buffer (MAX_AUDIT_MESSAGE_LENGTH + _POSIX_HOST_NAME_MAX)
 * and the room it wants left before it adds another field. */
#define FORMAT_BUF_LEN (8970 + 255)
#define MIN_SPACE_LEFT 24
/* auparse's limit on AVC's "{ perms }" text. */
#define AVC_PERMS_MAX 256
/* Longest interpreted text: "conversion error(VALUE) ", hex-encoded. */
#define VALUE_MAX RING_REC_PAYLOAD_MAX
#define TEXT_MAX (2 * (VALUE_MAX + 32) + 80)

enum kind {
	K_NONE,
	K_UID,
	K_GID,
	K_SYSCALL,
	K_ARCH,
	K_SADDR,
};

struct field {
	const char *name;
	size_t nlen;
	const char *val;
	size_t vlen;
};

struct walk {
	const char *p, *end;	/* the tokens left */
	unsigned type;
	unsigned cnt;		/* fields so far, node and type included */
	unsigned offset;	/* 1 when the line starts with node= */
};

/* What auparse learns from a record's first fields. */
#define HEAD_FIELDS 16

struct rec_info {
	int machine;		/* -1: none (the host's is used), -2: bad */
	int syscall;		/* -1: none */
	unsigned long long a0;
	/* The fields read to learn that, kept so that they are split once. */
	struct field head[HEAD_FIELDS];
	unsigned nhead;
	struct walk rest;	/* where the fields after them start */
	bool more;		/* there may be fields after them */
};


static bool
name_is(const struct field *f, const char *s)
{
	size_t n = strlen(s);

	return f->nlen == n && memcmp(f->name, s, n) == 0;
}

/*
 * The field names auparse types as a uid, gid, arch, syscall or socket
 * address (tests/parse/test_enrich checks every name auparse knows).  A
 * record has some thirty fields and most are none of these, so the test
 * goes by length first.
 */
static enum kind
name_kind(const char *s, size_t n)
{
	switch (n) {
	case 2:
		return memcmp(s, "id", 2) == 0 ? K_UID : K_NONE;
	case 3:
		if (memcmp(s, "uid", 3) == 0)
			return K_UID;
		return memcmp(s, "gid", 3) == 0 ? K_GID : K_NONE;
	case 4:
		if (memcmp(s + 1, "uid", 3) == 0)
			return memchr("aeios", s[0], 5) != NULL ? K_UID : K_NONE;
		if (memcmp(s + 1, "gid", 3) == 0)
			return memchr("eios", s[0], 4) != NULL ? K_GID : K_NONE;
		return memcmp(s, "arch", 4) == 0 ? K_ARCH : K_NONE;
	case 5:
		if (memcmp(s, "fsuid", 5) == 0 || memcmp(s, "oauid", 5) == 0 ||
		    memcmp(s, "sauid", 5) == 0)
			return K_UID;
		if (memcmp(s, "fsgid", 5) == 0)
			return K_GID;
		return memcmp(s, "saddr", 5) == 0 ? K_SADDR : K_NONE;
	case 7:
		if (memcmp(s, "new_gid", 7) == 0 || memcmp(s, "obj_gid", 7) == 0)
			return K_GID;
		if (memcmp(s, "obj_uid", 7) == 0)
			return K_UID;
		return memcmp(s, "syscall", 7) == 0 ? K_SYSCALL : K_NONE;
	case 8:
		return memcmp(s, "old-auid", 8) == 0 ? K_UID : K_NONE;
	case 9:
		if (memcmp(s, "inode_uid", 9) == 0)
			return K_UID;
		return memcmp(s, "inode_gid", 9) == 0 ? K_GID : K_NONE;
	default:
		return K_NONE;
	}
}

static enum kind
field_kind(unsigned type, const struct field *f)
{
	enum kind k = name_kind(f->name, f->nlen);

	if (k == K_NONE || type == T_TRUSTED_APP)
		return K_NONE;
	if (type == T_EXECVE && f->name[0] == 'a')
		return K_NONE;	/* an argument, as a0, a1_len */
	if (k == K_SADDR && (type == T_AVC || type == T_NETFILTER_PKT))
		return K_NONE;
	if (k == K_UID && f->nlen == 2 && (type == T_ADD_GROUP ||
	    type == T_DEL_GROUP || type == T_GRP_MGMT))
		return K_GID;	/* "id" in a group record */
	return k;
}

/* The next space-separated token, and its first '=' (or NULL). */
static bool
next_token(struct walk *w, const char **tok, size_t *len, const char **eq)
{
	const char *p = w->p, *q;

	while (p < w->end && *p == ' ')
		p++;
	if (p == w->end) {
		w->p = p;
		return false;
	}
	*eq = NULL;
	for (q = p; q < w->end && *q != ' '; q++)
		if (*q == '=' && *eq == NULL)
			*eq = q;
	*tok = p;
	*len = (size_t)(q - p);
	w->p = q;
	return true;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* How many "key" fields auparse makes of a key's value. */
static unsigned
key_fields(const char *v, size_t n)
{
	size_t hex = 0;
	unsigned keys = 0;
	bool in_key = false;

	if (v[0] == '"')
		return 1;
	while (hex < n && hexval(v[hex]) >= 0)
		hex++;
	if (hex < 2)
		return 1;	/* malformed: kept as it is */
	for (size_t i = 0; i + 1 < hex; i += 2) {
		int c = hexval(v[i]) << 4 | hexval(v[i + 1]);

		if (c == 0)
			break;
		if (c == KEY_SEP) {
			in_key = false;
		} else if (!in_key) {
			in_key = true;
			keys++;
		}
	}
	return keys;
}

/*
 * The next field as auparse's splitter sees it.  Returns false at the end
 * of the record; sets *ok false when the record cannot be parsed (auparse
 * then gives up and the line stays RAW).  f->name is NULL for a token that
 * counts as a field but has no name.
 */
static bool
next_field(struct walk *w, struct field *f, bool *ok)
{
	const char *t, *eq;
	size_t n;

	while (next_token(w, &t, &n, &eq)) {
		if (eq == NULL) {
			if (w->type != T_AVC && w->type != T_USER_AVC)
				continue;
			/* SELinux leaves two AVC fields unlabelled. */
			if (w->cnt == 1 + w->offset) {
				if (n >= 3 && memcmp(t, "avc", 3) == 0)
					continue;
			} else if (w->cnt == 2 + w->offset && t[0] == '{') {
				size_t total = 0;
				bool first = true;

				while (next_token(w, &t, &n, &eq) &&
				    t[0] != '}') {
					if (n + 1 >= AVC_PERMS_MAX - total) {
						*ok = false;
						return false;
					}
					total += n + (first ? 0 : 1);
					first = false;
				}
			} else {
				/* Other unlabelled words are not fields
				 * (auparse appends no field without a
				 * name). */
				continue;
			}
			w->cnt++;
			f->name = NULL;
			f->nlen = 0;
			f->val = NULL;
			f->vlen = 0;
			return true;
		}
		if (n >= 4 && memcmp(t, "msg=", 4) == 0) {
			if (n > 4 && t[4] == 'a')
				continue;
			if (n > 4 && t[4] == '\'') {
				t += 5;
				n -= 5;
				eq = memchr(t, '=', n);
				if (eq == NULL)
					continue;
			}
		}
		f->name = t;
		f->nlen = (size_t)(eq - t);
		f->val = eq + 1;
		f->vlen = n - f->nlen - 1;
		if (f->vlen == 0)
			continue;
		if (f->nlen > 0 && f->name[0] == '(') {
			f->name++;
			f->nlen--;
		}
		if (f->vlen > 0 && f->val[f->vlen - 1] == ':')
			f->vlen--;
		if (f->vlen > 0 && f->val[f->vlen - 1] == ',')
			f->vlen--;
		if (f->vlen > 0 && f->val[f->vlen - 1] == '\'')
			f->vlen--;
		if (f->vlen > 0 && f->val[f->vlen - 1] == ')' &&
		    !(f->vlen == 6 && (memcmp(f->val, "(none)", 6) == 0 ||
		    memcmp(f->val, "(null)", 6) == 0)))
			f->vlen--;
		if (name_is(f, "key") && (f->vlen == 0 || f->val[0] != '(')) {
			/* Virtual keys: one field each, none typed. */
			w->cnt += f->vlen > 0 ? key_fields(f->val, f->vlen) : 1;
			continue;
		}
		w->cnt++;
		return true;
	}
	return false;
}

/*
 * strtoul(value, NULL, base) as auparse calls it, with errno's ERANGE as
 * *range.  Plain digits, the common case, are read here; anything else
 * (signs, spaces, a number that may not fit) goes to strtoull itself.
 */
static unsigned long long
value_ull(const struct field *f, int base, bool *range)
{
	char buf[VALUE_MAX + 1];
	unsigned long long v = 0;
	size_t i, digits = 0, max = base == 16 ? 15 : 19;

	*range = false;
	if (base == 16 && f->vlen > 1 && f->val[0] == '0' &&
	    (f->val[1] == 'x' || f->val[1] == 'X'))
		goto slow;	/* strtoul takes a 0x */
	for (i = 0; i < f->vlen; i++) {
		int d = hexval(f->val[i]);

		if (d < 0 || d >= base)
			break;
		if (++digits > max)
			goto slow;
		v = v * (unsigned)base + (unsigned)d;
	}
	if (i > 0)
		return v;
slow:
	{
		size_t n = f->vlen < VALUE_MAX ? f->vlen : VALUE_MAX;

		memcpy(buf, f->val, n);
		buf[n] = '\0';
		errno = 0;
		v = strtoull(buf, NULL, base);
		*range = errno != 0;
		return v;
	}
}

/* The value, NUL-terminated, for strtoul and friends. */
static const char *
value_str(const struct field *f, char *buf)
{
	size_t n = f->vlen < VALUE_MAX ? f->vlen : VALUE_MAX;

	memcpy(buf, f->val, n);
	buf[n] = '\0';
	return buf;
}

/*
 * auparse's machine, syscall and a0.  It takes them from fields at fixed
 * places only: "arch" 2nd or 11th, "syscall" 3rd or 12th (SYSCALL and
 * SECCOMP records), "a0" 6th, counting type (and node) as fields.
 */
static bool
record_info(struct walk w, struct rec_info *ri)
{
	unsigned o = w.offset;
	struct field f;
	bool ok = true, range;

	ri->machine = -1;
	ri->syscall = -1;
	ri->a0 = 0;
	ri->nhead = 0;
	ri->more = true;
	while (w.cnt < 12 + o && ri->nhead < HEAD_FIELDS) {
		if (!next_field(&w, &f, &ok)) {
			ri->more = false;
			break;
		}
		ri->head[ri->nhead++] = f;
		if (f.name == NULL)
			continue;
		if ((w.cnt == 2 + o || w.cnt == 11 + o) &&
		    name_is(&f, "arch")) {
			unsigned long long v = value_ull(&f, 16, &range);

			ri->machine = range ? -2 :
			    parse_elf_to_machine((uint32_t)v);
		} else if ((w.cnt == 3 + o || w.cnt == 12 + o) &&
		    name_is(&f, "syscall")) {
			unsigned long long v = value_ull(&f, 10, &range);

			ri->syscall = range ? -1 : (int)v;
		} else if (w.cnt == 6 + o && name_is(&f, "a0")) {
			ri->a0 = value_ull(&f, 16, &range);
			if (range)
				ri->a0 = ~0ull;
		}
	}
	ri->rest = w;
	return ok;
}

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

	lv = value_ull(f, 10, &range);
	if (range)
		return (size_t)sprintf(out, "conversion error(%s)",
		    value_str(f, buf));
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
		v = value_str(f, buf);
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
		if (strcmp(name, "socketcall") == 0)
			op = parse_socketcall_name(a0);
		else if (strcmp(name, "ipc") == 0)
			op = parse_ipc_name(a0);
	}
	if (op != NULL)
		return (size_t)sprintf(out, "%s(%s)", name, op);
	return put_str(out, name);
}

/*
 * The address as auparse holds it: the value's leading hex digits decoded
 * in place over a copy of them (an odd last digit X is the byte 0xX0), a
 * NUL after the decoded bytes, and past that what is left of the copy's
 * ASCII; zeros where auparse's buffer is not written.  "(null)" is kept as
 * it is.  NULL when auparse finds no address ("malformed-host").
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
	while (hex < vlen && hexval(v[hex]) >= 0)
		hex++;
	if (hex < 2)
		return NULL;
	memcpy(buf, v, hex);
	for (i = 0; i < hex; i += 2) {
		int hi = hexval(v[i]), lo = i + 1 < hex ? hexval(v[i + 1]) : 0;

		buf[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	buf[(hex + 1) / 2] = 0;
	return buf;
}

static size_t
interp_saddr(const struct field *f, char *out)
{
	char vbuf[VALUE_MAX + 1];
	const char *v = value_str(f, vbuf), *fam;
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

/*
 * auparse gives up on a record whose "msg=audit(SEC.MSEC:SERIAL)" it
 * cannot read: it wants that token 19 bytes long at least, a ':' in the
 * stamp and SEC > 0.  Kernel and daemon records always pass; this is for
 * replayed oddities.  Returns the bytes of the stamp's token, or 0.
 */
static size_t
stamp_token(const char *p, size_t len)
{
	const char *sp = memchr(p, ' ', len), *end, *colon;
	size_t tlen = sp != NULL ? (size_t)(sp - p) : len;
	unsigned long long sec = 0;
	size_t i = 6;

	if (tlen < 19 - 4 || memcmp(p, "audit(", 6) != 0)
		return 0;
	end = memchr(p, ')', tlen);
	if (end == NULL)
		end = p + tlen;
	colon = memchr(p, ':', (size_t)(end - p));
	for (; i < tlen && p[i] >= '0' && p[i] <= '9'; i++)
		sec = sec * 10 + (unsigned)(p[i] - '0');
	if (colon == NULL || sec == 0)
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
	if (!record_info(w, &ri))
		return len;
	/* An AVC whose "{ perms }" auparse cannot hold: it gives up on the
	 * whole record, before writing anything. */
	if ((type == T_AVC || type == T_USER_AVC) && ri.more) {
		struct walk chk = ri.rest;

		while (next_field(&chk, &f, &ok))
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
		else if (!ri.more || !next_field(&ri.rest, &f, &ok))
			break;
		k = f.name != NULL ? field_kind(type, &f) : K_NONE;
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
