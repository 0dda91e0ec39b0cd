/*
 * ra_enrich_diff.c - auditd's ENRICHED line, and ringauditd's.
 *
 * auditd 3.0.9 makes its ENRICHED text with libauparse: it hands the RAW
 * line to auparse, walks the record's fields, and for each field auparse
 * types as a uid, gid, syscall, arch or socket address appends
 * NAME=interpretation (uids and gids through audit_encode_nv_string), in a
 * buffer of 8970 + 255 bytes.  ra_enrich_auditd does exactly that through
 * the installed libraries; ra_enrich_ringauditd gives the line to the
 * daemon's formatter as a worker would.  Neither asserts: the test and
 * the fuzzer decide what a difference means.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <auparse.h>
#include <libaudit.h>

#include "ra_enrich_diff.h"

#define MIN_SPACE_LEFT 24

/* auditd's format_raw: a '\n' is a space, the line is cut at snprintf's
 * limit, and a trailing space is cut (with node= it is the '\n' auditd
 * added that is cut).  The new length. */
static size_t
format_raw(char *out, size_t mlen)
{
	bool node = strncmp(out, "node=", 5) == 0;
	size_t max = node ? 9192 : 8937;

	for (char *nl; (nl = strchr(out, '\n')) != NULL;)
		*nl = ' ';
	if (mlen + (node ? 1 : 0) > max)
		out[mlen = max] = '\0';
	else if (!node && mlen > 0 && out[mlen - 1] == ' ')
		out[--mlen] = '\0';
	return mlen;
}

/* NAME=VALUE for one field, as auditd writes it; malloc'd. */
static char *
field_text(auparse_state_t *au, bool enc)
{
	const char *nm = auparse_get_field_name(au);
	const char *v = auparse_interpret_field(au);
	char up[64], *text;
	size_t i;

	for (i = 0; nm[i] != '\0' && i < 63; i++)
		up[i] = (char)toupper((unsigned char)nm[i]);
	up[i] = '\0';
	if (v == NULL)
		v = "?";
	if (enc)
		text = audit_encode_nv_string(up, v, 0);
	else if (asprintf(&text, "%s=%s", up, v) < 0)
		text = NULL;
	if (text == NULL)
		abort();
	return text;
}

size_t
ra_enrich_auditd(const char *line, char *out)
{
	size_t mlen = strlen(line), len;
	auparse_state_t *au;
	int sep_done = 0, rc;
	char *buf;

	if (mlen > RA_ENRICH_BUF)
		mlen = RA_ENRICH_BUF;
	memcpy(out, line, mlen);
	out[mlen] = '\0';
	mlen = format_raw(out, mlen);
	len = RA_ENRICH_BUF - mlen;
	if (len <= MIN_SPACE_LEFT)
		return mlen;
	if ((buf = malloc(mlen + 2)) == NULL)
		abort();
	memcpy(buf, out, mlen);
	buf[mlen] = '\n';
	buf[mlen + 1] = '\0';
	if ((au = auparse_init(AUSOURCE_BUFFER, buf)) == NULL)
		abort();
	auparse_set_escape_mode(au, AUPARSE_ESC_RAW);
	rc = auparse_first_record(au);
	while (rc > 0 && len > MIN_SPACE_LEFT) {
		int type = auparse_get_field_type(au);
		bool enc = type == AUPARSE_TYPE_UID || type == AUPARSE_TYPE_GID;

		if (enc || type == AUPARSE_TYPE_SYSCALL ||
		    type == AUPARSE_TYPE_ARCH || type == AUPARSE_TYPE_SOCKADDR) {
			char *text = field_text(au, enc);
			size_t tlen = strlen(text);

			if (sep_done++ == 0)
				out[RA_ENRICH_BUF - len--] = 0x1d;
			if (1 + tlen + 1 < len) {
				char *p = out + RA_ENRICH_BUF - len;
				size_t n = 0;

				if (sep_done > 1)
					p[n++] = ' ';
				memcpy(p + n, text, tlen);
				len -= n + tlen;
			}
			free(text);
		}
		rc = auparse_next_field(au);
	}
	auparse_destroy(au);
	free(buf);
	len = RA_ENRICH_BUF - len;
	/* auditd's replace_event_msg: at most 8969 bytes. */
	return len > 8969 ? 8969 : len;
}

void
ra_enrich_show(FILE *f, const char *what, const char *s, size_t n)
{
	size_t i = 0;

	fprintf(f, "  %s: ", what);
	if (n > 400) {
		fprintf(f, "(%zu bytes) ...", n);
		i = n - 300;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x1d)
			fputs("^]", f);
		else if (c < 0x20 || c > 0x7e)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('\n', f);
}

bool
ra_enrich_ringauditd(const char *line, struct ring_rec *slot,
    struct parse_names *names, char *out, size_t *outlen)
{
	struct parse_opts o = { .format = PARSE_FORMAT_ENRICHED,
	    .names = names };
	int rc;

	if (parse_init() < 0)	/* the name tables, on the first call */
		return false;
	memset(slot, 0, offsetof(struct ring_rec, data));
	/* A payload too long for a record is cut, as the kernel's are. */
	rc = parse_log_line(slot, line, strlen(line));
	if (rc != 0 && rc != -E2BIG)
		return false;
	if (parse_format_record(slot, &o) != 0 ||
	    (slot->flags & RING_REC_SKIP) || slot->line_len == 0 ||
	    slot->data[slot->line_off + slot->line_len - 1] != '\n')
		return false;
	*outlen = slot->line_len - 1;
	memcpy(out, slot->data + slot->line_off, *outlen);
	return true;
}
