/*
 * format.c - a record becomes its log line where it lies.
 *
 * auditd writes every record as
 *
 *   [node=NODE ]type=NAME msg=PAYLOAD\n
 *
 * with the payload as the kernel sent it (a '\n' in it becomes a space, as
 * auditd does; see raw_payload).  With log_format = ENRICHED, enrich.c
 * appends 0x1D and the interpreted fields.  The record slot was laid
 * out for this: the payload sits RING_REC_HEADROOM bytes into data[], so
 * the prefix is written into the headroom ending right where the payload
 * starts, and the enriched text and the '\n' go in the tailroom after it.  The line is then
 * data[line_off .. line_off + line_len), and nothing is copied but the
 * prefix.
 *
 * A replayed line keeps its own node: ingest leaves it at data[0] with
 * node_len and RING_REC_NODE, and it wins over the configured one, even
 * when it is empty ("node= type=...", as auditd 3.0.9 wrote with
 * name_format = user and no name; auditd keeps it when it reads one).
 * It can lie under the place the prefix goes, so it is moved (memmove)
 * before anything else is written.
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

/* auditd's limits, from MAX_AUDIT_MESSAGE_LENGTH (8970): the RAW text,
 * without and with node=, and the whole line as it is written. */
#define RAW_MAX (8970 - 32 - 1)
#define RAW_MAX_NODE (8970 + 255 - 32 - 1)
#define LINE_MAX_LEN (8970 - 1)

/*
 * auditd's format_raw: "type=%s msg=%.*s" into at most 8937 bytes (8970
 * less 32, less the NUL), or "node=%s type=%s msg=%.*s\n" into 9192; every
 * '\n' becomes a space; then one trailing space is cut, which with node=
 * is the '\n' it added.  Kernel records are far shorter and have neither;
 * user messages (auditctl -m) can.  Returns the payload bytes kept.
 */
static size_t
raw_payload(struct ring_rec *r, size_t pfx, bool node, uint16_t *nls,
    size_t max_nls)
{
	char *p = ring_rec_payload(r), *nl;
	size_t len = r->len, max = node ? RAW_MAX_NODE : RAW_MAX;
	bool cut = false;

	if (pfx + len + (node ? 1 : 0) > max) {
		len = max > pfx ? max - pfx : 0;
		cut = true;
	}
	r->v0_nl = 0;
	for (char *q = p; (nl = memchr(q, '\n', (size_t)(p + len - q)));
	    q = nl + 1) {
		*nl = ' ';
		if (r->v0_nl < max_nls)
			nls[r->v0_nl++] = (uint16_t)(nl - p);
	}
	/* When auditd cut the line, it looked past the end; not copied. */
	if (!node && !cut && len > 0 && p[len - 1] == ' ')
		len--;
	return len;
}

/*
 * A line's "node=N " prefix: N's length; -1 when the line has none (or no
 * space ends it).
 */
static long
own_node_len(const char *p, size_t n)
{
	const char *sp;

	if (n <= LIT_LEN(NODE_PFX) || memcmp(p, NODE_PFX, LIT_LEN(NODE_PFX)) ||
	    (sp = memchr(p, ' ', n)) == NULL)
		return -1;
	return sp - p - (long)LIT_LEN(NODE_PFX);
}

/*
 * The "type=NAME" that p (n bytes, past any "node=N ") begins with:
 * NAME's number (parse_type_from_name's answer), or -1 when p does not
 * begin so; *used: the bytes up to NAME's end (a space, or the end of p).
 */
static int
line_type(const char *p, size_t n, size_t *used)
{
	const char *sp;
	size_t len;

	if (n <= LIT_LEN(TYPE_PFX) || memcmp(p, TYPE_PFX, LIT_LEN(TYPE_PFX)))
		return -1;
	p += LIT_LEN(TYPE_PFX);
	n -= LIT_LEN(TYPE_PFX);
	sp = memchr(p, ' ', n);
	len = sp != NULL ? (size_t)(sp - p) : n;
	*used = LIT_LEN(TYPE_PFX) + len;
	return parse_type_from_name(p, len);
}

/*
 * A remote line's type, as auditd's extract_type finds it for plugins
 * (distribute_network): the name after "type=", past a leading "node=X ";
 * 0 when there is none or it is no name.
 */
static uint16_t
remote_type(const char *p, size_t n)
{
	long node = own_node_len(p, n);
	size_t used;
	int t;

	if (node >= 0) {
		n -= (size_t)node + 6;
		p += node + 6;
	}
	t = line_type(p, n, &used);
	return t > 0 && t <= UINT16_MAX ? (uint16_t)t : 0;
}

/*
 * A remote client's record: auditd writes it as it came ("%s\n", no
 * node=, never enriched), one trailing '\n' already cut by the listener.
 * A '\n' inside it becomes a space, as in the kernel's records: auditd
 * writes it, and a client could make lines of its own that way.  Its
 * type is read from the text, for the plugins' binary header.
 */
static int
format_verbatim(struct ring_rec *r)
{
	char *p = ring_rec_payload(r), *nl;

	r->type = remote_type(p, r->len);

	for (char *q = p; (nl = memchr(q, '\n', (size_t)(p + r->len - q)));
	    q = nl + 1)
		*nl = ' ';
	p[r->len] = '\n';
	r->line_off = RING_REC_HEADROOM;
	r->line_len = r->len + 1;
	r->v0_len = 0;
	return 0;
}

int
parse_format_record(struct ring_rec *r, const struct parse_opts *o)
{
	char name[PARSE_TYPE_NAME_MAX];
	uint16_t nls[64];
	const char *node = NULL;
	size_t node_len = 0, name_len, pfx, at, len, total;
	char *line;

	if (r->flags & RING_REC_VERBATIM)
		return format_verbatim(r);

	if (r->flags & RING_REC_NODE) {	/* its own, even an empty one */
		node = r->data;
		node_len = r->node_len;
	} else if (o != NULL && o->node != NULL && o->node_len > 0) {
		node = o->node;
		node_len = o->node_len;
	}

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

	/* Room for the '\n' offsets: past the payload and the line's end. */
	len = raw_payload(r, pfx, node != NULL, nls, sizeof(nls) /
	    sizeof(nls[0]));
	total = pfx + len;
	/* auparse reads "node=" with no name as a token of its own, then
	 * no stamp after it: auditd writes such a line unenriched. */
	if (o != NULL && o->format == PARSE_FORMAT_ENRICHED &&
	    (node == NULL || node_len > 0))
		total = parse_enrich(r->data + at, total,
		    RING_REC_DATA_SIZE - at - 1, ring_rec_payload(r), len,
		    r->type, node != NULL, o->names);
	if (total > LINE_MAX_LEN)
		total = LINE_MAX_LEN;
	r->v0_len = 0;
	if (node == NULL && (o == NULL || o->format == PARSE_FORMAT_RAW)) {
		/* auditd's dispatcher (protocol 0) writes the payload whole
		 * to plugins: keep what the '\n' covers, and where the
		 * payload had '\n's. */
		/* Past the line's '\n', which may be the payload's end. */
		size_t room = RING_REC_DATA_SIZE - (RING_REC_HEADROOM + r->len +
		    1);

		r->v0_len = (uint32_t)(pfx + r->len);
		r->v0_byte = (uint8_t)r->data[at + total];
		if (r->v0_nl * sizeof(uint16_t) > room)
			r->v0_nl = (uint16_t)(room / sizeof(uint16_t));
		memcpy(r->data + RING_REC_HEADROOM + r->len + 1, nls,
		    r->v0_nl * sizeof(uint16_t));
	} else {
		r->v0_nl = 0;
	}
	r->data[at + total] = '\n';

	r->line_off = (uint32_t)at;
	r->line_len = (uint32_t)(total + 1);
	if (!parse_type_logged(r->type))
		r->flags |= RING_REC_SKIP;
	return 0;
}

int
parse_log_line(struct ring_rec *r, const char *p, size_t len)
{
	const char *end = p + len;
	long node = own_node_len(p, len);
	size_t used;
	int type;

	r->node_len = 0;
	r->flags &= ~RING_REC_NODE;
	if (node >= 0) {
		if (node > RING_REC_NODE_MAX)
			return -EINVAL;
		r->node_len = (uint16_t)node;
		r->flags |= RING_REC_NODE;
		memcpy(r->data, p + 5, (size_t)node);
		p += node + 6;
	}
	type = line_type(p, (size_t)(end - p), &used);
	if (type < 0 || type > UINT16_MAX || p + used == end)
		return -EINVAL;
	p += used + 1;
	if (end - p < 4 || memcmp(p, "msg=", 4) != 0)
		return -EINVAL;
	p += 4;
	r->type = (uint16_t)type;
	r->len = (uint32_t)(end - p > RING_REC_PAYLOAD_MAX ?
	    RING_REC_PAYLOAD_MAX : end - p);
	memcpy(ring_rec_payload(r), p, r->len);
	return end - p > RING_REC_PAYLOAD_MAX ? -E2BIG : 0;
}
