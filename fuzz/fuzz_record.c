/*
 * fuzz_record.c - a record as the kernel (or a remote node) sends it,
 * through parse_header and parse_format_record, RAW and ENRICHED.
 *
 * Input: one byte of options, then a log line
 *   [node=NODE ]type=NAME msg=PAYLOAD
 * taken apart as a replayed line is (the record's own node, its type by
 * name, "UNKNOWN[n]" for any number); input that is no such line is all
 * payload, of type SYSCALL.  Options: bit 0 ENRICHED, bit 1 a configured
 * node name, bit 2 the payload as a netlink payload (trailing NULs), bit 3
 * uid and gid names from a name cache (NSS: /etc/passwd and /etc/group,
 * read; nss-systemd is told to stay away from /run).
 *
 * The record lies in a slot between guard zones, as in
 * tests/parse/test_format.c, so a write outside it shows as a crash even
 * where ASan's redzones would not catch it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"
#include "ring/ring.h"

#include "fuzz_util.h"

#define GUARD 256
#define FILL 0xa5

static unsigned char *mem;
static struct ring_rec *slot;
static struct parse_names *names;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	names = fuzz_names_init();
	mem = malloc(GUARD + sizeof(struct ring_rec) + GUARD);
	if (mem == NULL)
		abort();
	slot = (struct ring_rec *)(void *)(mem + GUARD);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ring_rec *r = slot;
	struct parse_opts o = { .format = PARSE_FORMAT_RAW };
	struct parse_hdr h;
	const char *p;
	unsigned opt;
	size_t i;
	int rc;

	if (size < 1)
		return 0;
	opt = data[0];
	p = (const char *)data + 1;
	size--;
	memset(mem, FILL, GUARD + sizeof(struct ring_rec) + GUARD);
	memset(r, 0, offsetof(struct ring_rec, data));
	/* A payload too long for a record is cut, as the kernel's are. */
	rc = parse_log_line(r, p, size);
	if (rc != 0 && rc != -E2BIG) {
		r->node_len = 0;
		r->flags = 0;
		r->type = 1300;
		r->len = (uint32_t)(size > RING_REC_PAYLOAD_MAX ?
		    RING_REC_PAYLOAD_MAX : size);
		memcpy(ring_rec_payload(r), p, r->len);
	}
	/* A netlink payload: trailing NULs dropped, as ingest does. */
	if (opt & 4)
		while (r->len > 0 && ring_rec_payload(r)[r->len - 1] == '\0')
			r->len--;
	if (opt & 1)
		o.format = PARSE_FORMAT_ENRICHED;
	if (opt & 2) {
		o.node = "fuzz-node.example.org";
		o.node_len = strlen(o.node);
	}
	if (opt & 8)
		o.names = names;
	(void)parse_header(ring_rec_payload(r), r->len, &h);
	if (parse_format_record(r, &o) == 0 &&
	    !(r->flags & RING_REC_SKIP)) {
		if ((size_t)r->line_off + r->line_len > RING_REC_DATA_SIZE ||
		    r->line_len == 0 ||
		    r->data[r->line_off + r->line_len - 1] != '\n')
			abort();
	}
	for (i = 0; i < GUARD; i++)
		if (mem[i] != FILL ||
		    mem[GUARD + sizeof(struct ring_rec) + i] != FILL)
			abort();
	return 0;
}
