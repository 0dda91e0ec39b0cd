/*
 * types.c - record type numbers to the names auditd writes, and back.
 *
 * The names are libaudit's (audit_msg_type_to_name), as auditd 3.0.9 writes
 * them; a type without a name is written "UNKNOWN[n]".  They are asked of
 * the libaudit the daemon runs with, as auditd does, once at start-up
 * (types_init, from parse_init): every type a netlink message can carry,
 * 0..65535.  From the answers:
 *
 *   name -> type   names[], sorted by name (strcmp order), binary search;
 *                  each entry holds a copy of its name, so that a lookup
 *                  reads one place;
 *   type -> name   by_type[], one entry per type, holding the name's
 *                  index + 1, or 0 for none.
 *
 * Both are static: 36 KB and 128 KB of bss, of which libaudit 3.0.9's 195
 * names fill 7 KB and the pages up to its highest type, 2507, are touched;
 * the rest is never resident.  A library this cannot hold would make
 * ringauditd write other names than auditd, so types_init refuses it: more
 * than TYPES_MAX names (-EOVERFLOW), a name of PARSE_TYPE_NAME_MAX
 * characters or more (-ENAMETOOLONG), one name for two types (-EEXIST), no
 * name at all (-ENOENT).
 *
 * After that, lookups read the tables only: no locking, no allocation, no
 * library call, safe from any thread.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libaudit.h>
#include <linux/audit.h>

#include "parse/parse.h"
#include "parse/parse_int.h"

/* Names libaudit may give; 3.0.9 gives 195. */
#define TYPES_MAX 1024

struct tname {
	uint16_t type;
	uint8_t len;
	char name[PARSE_TYPE_NAME_MAX];
};

static struct tname names[TYPES_MAX];	/* sorted by name */
static size_t ntypes;
/* [type]: index in names[] + 1; 0: none.  Only the pages up to the
 * highest named type are ever touched. */
static uint16_t by_type[UINT16_MAX + 1];
static unsigned top;			/* highest named type */

_Static_assert(TYPES_MAX < UINT16_MAX, "by_type[] holds indices + 1");

static int
by_name(const void *a, const void *b)
{
	const struct tname *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int
types_init(void)
{
	size_t i;
	unsigned t;

	for (t = 0; t <= UINT16_MAX; t++) {
		const char *s = audit_msg_type_to_name((int)t);
		size_t len;

		if (s == NULL)
			continue;
		if (ntypes == TYPES_MAX) {
			types_fini();
			return -EOVERFLOW;
		}
		if ((len = strlen(s)) >= PARSE_TYPE_NAME_MAX) {
			types_fini();
			return -ENAMETOOLONG;
		}
		names[ntypes].type = (uint16_t)t;
		names[ntypes].len = (uint8_t)len;
		memcpy(names[ntypes++].name, s, len + 1);
		top = t;
	}
	if (ntypes == 0)
		return -ENOENT;
	qsort(names, ntypes, sizeof(names[0]), by_name);
	for (i = 0; i < ntypes; i++) {
		if (i > 0 && strcmp(names[i - 1].name, names[i].name) == 0) {
			types_fini();
			return -EEXIST;
		}
		by_type[names[i].type] = (uint16_t)(i + 1);
	}
	return 0;
}

void
types_fini(void)
{
	memset(by_type, 0, (top + 1) * sizeof(by_type[0]));
	memset(names, 0, ntypes * sizeof(names[0]));
	ntypes = 0;
	top = 0;
}

#define UNKNOWN_PFX "UNKNOWN["

const char *
parse_type_name(unsigned type)
{
	assert(ntypes > 0);	/* parse_init() first */
	if (type > UINT16_MAX || by_type[type] == 0)
		return NULL;
	return names[by_type[type] - 1].name;
}

size_t
parse_type_format(unsigned type, char *buf, size_t cap)
{
	const char *name;
	size_t len;
	int n;

	if ((name = parse_type_name(type)) == NULL) {
		n = snprintf(buf, cap, UNKNOWN_PFX "%u]", type);
		return n < 0 ? 0 : (size_t)n;
	}
	len = names[by_type[type] - 1].len;
	if (cap > 0) {
		size_t k = len < cap ? len : cap - 1;

		memcpy(buf, name, k);
		buf[k] = '\0';
	}
	return len;
}

/*
 * "UNKNOWN[n]" with n in decimal as auditd prints it (%u: no sign, no
 * leading zeros).  A record type is a netlink message type, 16 bits.
 */
static int
parse_unknown(const char *p, size_t len)
{
	size_t plen = sizeof(UNKNOWN_PFX) - 1, i;
	uint32_t v = 0;

	if (len < plen + 2 || memcmp(p, UNKNOWN_PFX, plen) != 0 ||
	    p[len - 1] != ']')
		return -EINVAL;
	p += plen;
	len -= plen + 1;
	if (len > 1 && p[0] == '0')
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint32_t)(p[i] - '0');
		if (v > UINT16_MAX)
			return -EINVAL;
	}
	return (int)v;
}

int
parse_type_from_name(const char *name, size_t len)
{
	size_t lo = 0, hi = ntypes;

	assert(ntypes > 0);	/* parse_init() first */
	if (name == NULL || len == 0 || len >= PARSE_TYPE_NAME_MAX)
		return -EINVAL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t n = names[mid].len < len ? names[mid].len : len;
		int c = memcmp(name, names[mid].name, n);

		if (c == 0)
			c = len < names[mid].len ? -1 : len > names[mid].len;
		if (c == 0)
			return names[mid].type;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return parse_unknown(name, len);
}

bool
parse_type_logged(unsigned type)
{
	/* Multi-record events end with EOE; auditd never writes it. */
	return type != AUDIT_EOE;
}
