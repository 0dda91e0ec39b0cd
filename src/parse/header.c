/*
 * header.c - the "audit(SEC.MSEC:SERIAL): " that starts a record.
 *
 * The kernel prints it as "audit(%llu.%03lu:%u): " and auditd prints its
 * own DAEMON_* records the same way, so the parser takes exactly that
 * shape: decimal seconds that fit 64 bits, a '.', exactly three digits of
 * milliseconds, a ':', a decimal serial that fits 32 bits, and "): ".
 * Anything else is -EINVAL.  Exactly three digits because "1.5" could mean
 * 5 or 500 milliseconds; no writer produces it, so it is refused rather
 * than guessed at.
 *
 * Ingest calls this on every record to shard by serial, so it is a single
 * forward pass over bytes that are not NUL-terminated, checking the length
 * before each byte it reads.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "parse/parse.h"

#define HDR_OPEN "audit("
#define HDR_OPEN_LEN (sizeof(HDR_OPEN) - 1)

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Decimal digits at p[*i], at least one, up to max; advances *i. */
static int
read_uint(const char *p, size_t len, size_t *i, uint64_t max, uint64_t *out)
{
	size_t j = *i;
	uint64_t v = 0;

	if (j >= len || !is_digit(p[j]))
		return -EINVAL;
	for (; j < len && is_digit(p[j]); j++) {
		unsigned d = (unsigned)(p[j] - '0');

		if (v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*i = j;
	*out = v;
	return 0;
}

static inline bool
expect(const char *p, size_t len, size_t *i, char c)
{
	if (*i >= len || p[*i] != c)
		return false;
	(*i)++;
	return true;
}

int
parse_header(const char *p, size_t len, struct parse_hdr *h)
{
	uint64_t sec, serial;
	uint32_t msec = 0;
	size_t i = HDR_OPEN_LEN, k;

	if (len < HDR_OPEN_LEN || memcmp(p, HDR_OPEN, HDR_OPEN_LEN) != 0)
		return -EINVAL;
	if (read_uint(p, len, &i, UINT64_MAX, &sec) < 0 ||
	    !expect(p, len, &i, '.'))
		return -EINVAL;
	for (k = 0; k < 3; k++, i++) {
		if (i >= len || !is_digit(p[i]))
			return -EINVAL;
		msec = msec * 10 + (uint32_t)(p[i] - '0');
	}
	if (!expect(p, len, &i, ':') ||
	    read_uint(p, len, &i, UINT32_MAX, &serial) < 0 ||
	    !expect(p, len, &i, ')') || !expect(p, len, &i, ':') ||
	    !expect(p, len, &i, ' '))
		return -EINVAL;
	h->sec = sec;
	h->msec = msec;
	h->serial = (uint32_t)serial;
	h->len = i;
	return 0;
}
