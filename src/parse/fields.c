/*
 * fields.c - a record's fields as libauparse's splitter makes them, and
 * the type auparse gives each: the first half of ENRICHED formatting
 * (enrich.c's essay says what auditd writes and why these rules).
 *
 * A walk goes over the line's tokens once, without copying: a field is a
 * name and a value pointing into the line.  fld_next applies auparse's
 * rules for what counts as a field (and so for field numbers, which
 * decide where auparse looks for the arch, syscall and a0), what is cut
 * off a value, and how many fields a "key" is; fld_record_info reads
 * those three from their fixed places; fld_kind types a field by its
 * name and the record's type; fld_ull reads a number as strtoul does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse/enrich_int.h"
#include "parse/parse.h"

#define KEY_SEP '\x01'
/* auparse's limit on AVC's "{ perms }" text. */
#define AVC_PERMS_MAX 256

static bool
fld_name_is(const struct field *f, const char *s)
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

enum kind
fld_kind(unsigned type, const struct field *f)
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

/* The next space-separated token, and its first '=' (or NULL).  memchr
 * for both: a value can be hundreds of bytes (a PROCTITLE's hex, a
 * path), and it reads them a vector at a time. */
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
	q = memchr(p, ' ', (size_t)(w->end - p));
	if (q == NULL)
		q = w->end;
	*eq = memchr(p, '=', (size_t)(q - p));
	*tok = p;
	*len = (size_t)(q - p);
	w->p = q;
	return true;
}

int
fld_hexval(int c)
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
	while (hex < n && fld_hexval(v[hex]) >= 0)
		hex++;
	if (hex < 2)
		return 1;	/* malformed: kept as it is */
	for (size_t i = 0; i + 1 < hex; i += 2) {
		int c = fld_hexval(v[i]) << 4 | fld_hexval(v[i + 1]);

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
bool
fld_next(struct walk *w, struct field *f, bool *ok)
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
		if (fld_name_is(f, "key") && (f->vlen == 0 || f->val[0] != '(')) {
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
unsigned long long
fld_ull(const struct field *f, int base, bool *range)
{
	char buf[VALUE_MAX + 1];
	unsigned long long v = 0;
	size_t i, digits = 0, max = base == 16 ? 15 : 19;

	*range = false;
	if (base == 16 && f->vlen > 1 && f->val[0] == '0' &&
	    (f->val[1] == 'x' || f->val[1] == 'X'))
		goto slow;	/* strtoul takes a 0x */
	for (i = 0; i < f->vlen; i++) {
		int d = fld_hexval(f->val[i]);

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
const char *
fld_str(const struct field *f, char *buf)
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
bool
fld_record_info(struct walk w, struct rec_info *ri)
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
		if (!fld_next(&w, &f, &ok)) {
			ri->more = false;
			break;
		}
		ri->head[ri->nhead++] = f;
		if (f.name == NULL)
			continue;
		if ((w.cnt == 2 + o || w.cnt == 11 + o) &&
		    fld_name_is(&f, "arch")) {
			unsigned long long v = fld_ull(&f, 16, &range);

			ri->machine = range ? -2 :
			    parse_elf_to_machine((uint32_t)v);
		} else if ((w.cnt == 3 + o || w.cnt == 12 + o) &&
		    fld_name_is(&f, "syscall")) {
			unsigned long long v = fld_ull(&f, 10, &range);

			ri->syscall = range ? -1 : (int)v;
		} else if (w.cnt == 6 + o && fld_name_is(&f, "a0")) {
			ri->a0 = fld_ull(&f, 16, &range);
			if (range)
				ri->a0 = ~0ull;
		}
	}
	ri->rest = w;
	return ok;
}

