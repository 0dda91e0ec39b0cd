/*
 * ra_enrich_diff.h - one log line made ENRICHED twice: as auditd 3.0.9
 * makes it (through the installed libauparse and libaudit) and as
 * ringauditd does (src/parse, no auparse).  tests/parse/test_enrich.c and
 * fuzz/fuzz_enrich_diff.c hold the two against each other.
 */
#ifndef RINGAUDIT_RA_ENRICH_DIFF_H
#define RINGAUDIT_RA_ENRICH_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "parse/parse.h"
#include "ring/ring.h"

/* auditd's format buffer: its line is never longer. */
#define RA_ENRICH_BUF (8970 + 255)

/*
 * auditd's ENRICHED text for LINE ("[node=N ]type=NAME msg=PAYLOAD", no
 * '\n' at its end) into OUT (RA_ENRICH_BUF + 1 bytes), without the '\n';
 * its length.  Aborts when memory runs out.
 */
size_t ra_enrich_auditd(const char *line, char *out);

/*
 * ringauditd's for the same line, through SLOT (a ring_rec, 64-byte
 * aligned) with NAMES (may be NULL: no names), into OUT
 * (RING_REC_DATA_SIZE bytes) without the '\n'.  False when LINE is no
 * such line or the formatter refused it.
 */
bool ra_enrich_ringauditd(const char *line, struct ring_rec *slot,
    struct parse_names *names, char *out, size_t *outlen);

/* N bytes of S on F after WHAT: 0x1D as ^], other bytes outside
 * 0x20-0x7e as \xNN; the last 300 of a line longer than 400. */
void ra_enrich_show(FILE *f, const char *what, const char *s, size_t n);

#endif
