/*
 * format.c - a record becomes its log line where it lies.
 *
 * auditd writes every record as
 *
 *   [node=NODE ]type=NAME msg=PAYLOAD\n
 *
 * with the payload exactly as the kernel sent it.  The record slot was laid
 * out for this: the payload sits RING_REC_HEADROOM bytes into data[], so
 * the prefix is written into the headroom ending right where the payload
 * starts, and the '\n' goes in the tailroom after it.  The line is then
 * data[line_off .. line_off + line_len), and nothing is copied but the
 * prefix.
 *
 * A replayed line keeps its own node: ingest leaves it at data[0] with
 * node_len, and it wins over the configured one.  It can lie under the
 * place the prefix goes, so it is moved (memmove) before anything else is
 * written.
 *
 * Every bound is checked before the first byte is written, so a record
 * that cannot be formatted (-ENOSPC) is left as it was.
 */
#include <errno.h>
#include <string.h>

#include "parse/parse.h"
#include "ring/ring.h"

#define NODE_PFX "node="
#define TYPE_PFX "type="
#define MSG_PFX " msg="
#define LIT_LEN(s) (sizeof(s) - 1)

int
parse_format_record(struct ring_rec *r, const struct parse_opts *o)
{
	char name[PARSE_TYPE_NAME_MAX];
	const char *node = NULL;
	size_t node_len = 0, name_len, pfx, at;
	char *line;

	if (r->node_len > 0) {
		node = r->data;
		node_len = r->node_len;
	} else if (o != NULL && o->node != NULL && o->node_len > 0) {
		node = o->node;
		node_len = o->node_len;
	}

	/*
	 * TODO(enriched): PARSE_FORMAT_ENRICHED is formatted as RAW for now.
	 * auditd's ENRICHED appends 0x1D and the interpreted fields (uid
	 * names, arch, syscall name, ...); that is a later issue.
	 */

	name_len = parse_type_format(r->type, name, sizeof(name));
	if (name_len >= sizeof(name))
		return -ENOSPC;
	pfx = LIT_LEN(TYPE_PFX) + name_len + LIT_LEN(MSG_PFX);
	if (node != NULL) {
		if (node_len > RING_REC_HEADROOM)
			return -ENOSPC;
		pfx += LIT_LEN(NODE_PFX) + node_len + 1;
	}
	if (pfx > RING_REC_HEADROOM ||
	    r->len >= RING_REC_DATA_SIZE - RING_REC_HEADROOM)
		return -ENOSPC;

	at = RING_REC_HEADROOM - pfx;
	line = r->data + at;
	if (node != NULL) {
		/* The record's own node may overlap where it goes. */
		memmove(line + LIT_LEN(NODE_PFX), node, node_len);
		memcpy(line, NODE_PFX, LIT_LEN(NODE_PFX));
		line += LIT_LEN(NODE_PFX) + node_len;
		*line++ = ' ';
	}
	memcpy(line, TYPE_PFX, LIT_LEN(TYPE_PFX));
	line += LIT_LEN(TYPE_PFX);
	memcpy(line, name, name_len);
	line += name_len;
	memcpy(line, MSG_PFX, LIT_LEN(MSG_PFX));
	ring_rec_payload(r)[r->len] = '\n';

	r->line_off = (uint32_t)at;
	r->line_len = (uint32_t)(pfx + r->len + 1);
	if (!parse_type_logged(r->type))
		r->flags |= RING_REC_SKIP;
	return 0;
}
