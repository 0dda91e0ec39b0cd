/*
 * fuzz_enrich_diff.c - ringauditd's ENRICHED line against auditd's, made
 * by libauparse 3.0.9 as auditd makes it (tests/common/ra_enrich_diff.c).
 *
 * Input: a log line, "[node=N ]type=NAME msg=audit(S.MS:N): PAYLOAD", up
 * to its first NUL.  Both sides format it; any difference in the bytes
 * aborts, printing both.  uid and gid names come from NSS on both sides.
 *
 * Not compared, because docs/auditd-behaviour.md ("ENRICHED corners")
 * records that ringauditd keeps a different output there on purpose:
 *   - a line with a 0x1D byte in it: auparse takes the rest of the line as
 *     interpretations, so text in a user message names the record's ids;
 *   - a key= value of an odd number of hex digits: auparse decodes the
 *     last half-byte as a key of its own and renumbers the fields;
 *   - a stamp that is not msg=audit(DIGITS.DIGITS:DIGITS): (the kernel
 *     never sends one; auparse reads some, ringauditd enriches none), or
 *     one that ends past the line's 80th byte (340th with a node), where
 *     auparse reads it cut short;
 *   - TRUSTED_APP, on which libauparse 3.0.9 crashes when it has a key=;
 *   - a node name with a '\n' in it, which no source of records gives.
 * A new class of difference is a finding: fixed, or, if auditd's output
 * comes from a libauparse bug, recorded there and added to this list.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"
#include "ra_enrich_diff.h"
#include "ring/ring.h"

#include "fuzz_util.h"

/*
 * libauparse 3.0.9 leaks a small string (a strdup in its record parser) on
 * some lines, such as corpus/enrich_diff/auparse-leak: the oracle's leak,
 * not ringauditd's, which LeakSanitizer is told.  Nothing of the
 * project's own code is kept from it.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libauparse.so\n";
}

/*
 * auparse reads bytes of its heap it never wrote when a saddr value has
 * non-hex characters (docs/auditd-behaviour.md, ENRICHED corners): in
 * auditd they are a fresh heap's zeros, which is what ringauditd decodes;
 * AddressSanitizer fills new memory with 0xbe instead (an atmpvc address
 * then read "int=-16706").  It is told to fill with zeros, as the heap
 * auditd sees.
 */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "malloc_fill_byte=0";
}

static struct ring_rec *slot;
static struct parse_names *names;
static char line[RA_ENRICH_BUF + 1];
static char want[RA_ENRICH_BUF + 1], got[RING_REC_DATA_SIZE];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	names = fuzz_names_init();
	slot = aligned_alloc(64, sizeof(*slot));
	if (slot == NULL)
		abort();
	return 0;
}

/* "audit(" DIGITS "." DIGITS ":" DIGITS "): " at P. */
static bool
stamp_ok(const char *p)
{
	static const char seps[] = ".:";

	if (strncmp(p, "audit(", 6) != 0)
		return false;
	p += 6;
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
		if (i < 2 && *p++ != seps[i])
			return false;
	}
	return strncmp(p, "): ", 3) == 0;
}

/* A key= token whose value auparse decodes as hex, of odd length. */
static bool
odd_hex_key(const char *s)
{
	for (const char *k = s; (k = strstr(k, "key=")) != NULL; k += 4) {
		size_t n;

		if (k != s && k[-1] != ' ')
			continue;
		n = strcspn(k + 4, " ");
		if (n % 2 == 1 && k[4] != '"' && k[4] != '(')
			return true;
	}
	return false;
}

/* A node name holding a '\n': no source gives one (a replayed line ends
 * at its '\n', name_format's names are checked), so auditd's turning it
 * into a space is not followed there. */
static bool
node_with_newline(const char *s)
{
	return strncmp(s, "node=", 5) == 0 &&
	    memchr(s, '\n', strcspn(s, " ")) != NULL;
}

/* A stamp that ends past the bytes of the line auparse reads it from
 * (a copy of the first 80, 340 with a node): auparse then reads a stamp
 * cut short; the kernel's stamps end near byte 40. */
static bool
stamp_too_far(const char *s, const char *msg)
{
	const char *end = strchr(msg, ')');
	size_t seen = strncmp(s, "node=", 5) == 0 ? 340 : 80;

	return end == NULL || (size_t)(end - s) >= seen;
}

/* A line the comparison leaves out (see the top of this file). */
static bool
known_difference(const char *s)
{
	const char *msg = strstr(s, " msg=");

	return strchr(s, 0x1d) != NULL || odd_hex_key(s) ||
	    node_with_newline(s) ||
	    msg == NULL || !stamp_ok(msg + 5) || stamp_too_far(s, msg) ||
	    strstr(s, "type=TRUSTED_APP ") != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = strnlen((const char *)data, size), wlen, glen;

	if (n > RA_ENRICH_BUF)
		n = RA_ENRICH_BUF;
	memcpy(line, data, n);
	line[n] = '\0';
	if (known_difference(line) ||
	    !ra_enrich_ringauditd(line, slot, names, got, &glen))
		return 0;
	wlen = ra_enrich_auditd(line, want);
	if (wlen == glen && memcmp(want, got, wlen) == 0)
		return 0;
	ra_enrich_show(stderr, "auditd    ", want, wlen);
	ra_enrich_show(stderr, "ringauditd", got, glen);
	abort();
}
