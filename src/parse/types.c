/*
 * types.c - record type numbers to the names auditd writes, and back.
 *
 * The names are libaudit's (audit_msg_type_to_name), as auditd 3.0.9 writes
 * them; a type without a name is written "UNKNOWN[n]".  The table is
 * types.def, generated from libaudit itself by tools/gen-types.c and
 * checked in.  It lists the types in name order, so:
 *
 *   name -> type   binary search over names[], in that order;
 *   type -> name   one byte per type up to the largest named one (about
 *                  2.5 KB), holding the name's index + 1, or 0 for none.
 *
 * Both are const tables built by the compiler: no start-up work, no
 * locking, no allocation, safe from any thread.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/audit.h>

#include "parse/parse.h"

/* Index of each type in names[], named after its number. */
enum {
#define RA_TYPE(n, s) RA_IDX_##n,
#include "parse/types.def"
#undef RA_TYPE
	RA_NTYPES
};

_Static_assert(RA_NTYPES < UINT8_MAX, "by_type[] holds indices in a byte");

static const struct {
	uint16_t type;
	uint8_t len;
	char name[PARSE_TYPE_NAME_MAX];
} names[] = {
#define RA_TYPE(n, s) { n, sizeof(s) - 1, s },
#include "parse/types.def"
#undef RA_TYPE
};

static const uint8_t by_type[] = {
#define RA_TYPE(n, s) [n] = RA_IDX_##n + 1,
#include "parse/types.def"
#undef RA_TYPE
};

#define UNKNOWN_PFX "UNKNOWN["

const char *
parse_type_name(unsigned type)
{
	if (type >= sizeof(by_type) || by_type[type] == 0)
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
	size_t lo = 0, hi = RA_NTYPES;

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
