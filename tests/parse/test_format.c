/*
 * test_format.c - parse_format_record: the RAW line with and without a
 * node, the record's own node over the configured one, EOE skipped,
 * UNKNOWN[n], the largest payload, prefixes that do not fit, and every
 * line of the fixture logs taken apart and formatted back.
 *
 * Each record slot sits between two guard zones filled with a pattern, so
 * a write outside the slot shows even without the sanitizers.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ra_test.h"

#include "parse/parse.h"
#include "ring/ring.h"

#define GUARD 4096
#define FILL 0xa5

struct slot {
	unsigned char *mem;
	struct ring_rec *r;
};

static void
slot_init(struct slot *s)
{
	s->mem = malloc(GUARD + sizeof(struct ring_rec) + GUARD);
	assert_non_null(s->mem);
	memset(s->mem, FILL, GUARD + sizeof(struct ring_rec) + GUARD);
	s->r = (struct ring_rec *)(void *)(s->mem + GUARD);
	memset(s->r, 0, offsetof(struct ring_rec, data));
}

static void
slot_check_guards(const struct slot *s)
{
	const unsigned char *tail = s->mem + GUARD + sizeof(struct ring_rec);
	size_t i;

	for (i = 0; i < GUARD; i++) {
		if (s->mem[i] != FILL)
			fail_msg("write %zu bytes before the slot", GUARD - i);
		if (tail[i] != FILL)
			fail_msg("write %zu bytes after the slot", i);
	}
}

static void
slot_free(struct slot *s)
{
	slot_check_guards(s);
	free(s->mem);
}

static void
set_payload(struct ring_rec *r, unsigned type, const char *p, size_t len)
{
	r->type = (uint16_t)type;
	r->len = (uint32_t)len;
	memcpy(ring_rec_payload(r), p, len);
}

static void
set_own_node(struct ring_rec *r, const char *node, size_t len)
{
	memcpy(r->data, node, len);
	r->node_len = (uint16_t)len;
	r->flags |= RING_REC_NODE;
}

/* The formatted line is 'want', ends with the payload, and nothing else
 * in the slot moved. */
static void
assert_line(struct slot *s, const char *want, size_t want_len)
{
	struct ring_rec *r = s->r;
	size_t i;

	/* Past the payload's end, the offsets of its '\n's (v0_nl). */
	size_t end = RING_REC_HEADROOM + r->len + 1 +
	    r->v0_nl * sizeof(uint16_t);

	assert_true(r->line_off + r->line_len <= RING_REC_DATA_SIZE);
	if (r->line_len != want_len ||
	    memcmp(r->data + r->line_off, want, want_len) != 0)
		fail_msg("line \"%.*s\", want \"%.*s\"", (int)r->line_len,
		    r->data + r->line_off, (int)want_len, want);
	/* The line ends where the payload did, or later (ENRICHED), or
	 * earlier (cut at auditd's limit). */
	if (r->line_off + r->line_len > end)
		end = r->line_off + r->line_len;
	for (i = end; i < RING_REC_DATA_SIZE; i++)
		if ((unsigned char)r->data[i] != FILL)
			fail_msg("byte %zu after the line changed", i);
	slot_check_guards(s);
}

/* A remote client's line: as it came, inner '\n's spaces, one '\n' at
 * the end, whatever the format and node; its type read from the text. */
static void
test_verbatim(void **state)
{
	static const struct {
		const char *in, *line;
		unsigned type;
	} cases[] = {
		{ "node=c1 type=SYSCALL msg=audit(1.000:1): a=1",
		    "node=c1 type=SYSCALL msg=audit(1.000:1): a=1\n", 1300 },
		{ "type=USER_LOGIN msg=audit(1.000:2): x",
		    "type=USER_LOGIN msg=audit(1.000:2): x\n", 1112 },
		{ "type=NOSUCH msg=x", "type=NOSUCH msg=x\n", 0 },
		{ "node=lonely", "node=lonely\n", 0 },
		/* No msg=: the name runs to the end, as extract_type reads. */
		{ "node=c1 type=LOGIN", "node=c1 type=LOGIN\n", 1006 },
		{ "type=", "type=\n", 0 },
		{ "two\nlines\n", "two lines \n", 0 },
		{ "", "\n", 0 },
	};
	struct parse_opts o = { .format = PARSE_FORMAT_ENRICHED,
	    .node = "server", .node_len = 6 };
	struct slot s;
	char *big;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		slot_init(&s);
		set_payload(s.r, 0, cases[i].in, strlen(cases[i].in));
		s.r->flags = RING_REC_VERBATIM;
		assert_int_equal(parse_format_record(s.r, &o), 0);
		assert_line(&s, cases[i].line, strlen(cases[i].line));
		assert_int_equal(s.r->type, cases[i].type);
		assert_int_equal(s.r->v0_len, 0);
		slot_free(&s);
	}
	/* The longest text a frame carries, and its '\n', fit the slot. */
	big = malloc(RING_REC_PAYLOAD_MAX + 1);
	assert_non_null(big);
	memset(big, 'x', RING_REC_PAYLOAD_MAX);
	big[RING_REC_PAYLOAD_MAX] = '\n';
	slot_init(&s);
	set_payload(s.r, 0, big, RING_REC_PAYLOAD_MAX);
	s.r->flags = RING_REC_VERBATIM;
	assert_int_equal(parse_format_record(s.r, &o), 0);
	assert_line(&s, big, RING_REC_PAYLOAD_MAX + 1);
	slot_free(&s);
	free(big);
}

static void
assert_str_line(struct slot *s, const char *want)
{
	assert_line(s, want, strlen(want));
}

static const char SYSCALL_PL[] =
    "audit(1700000000.123:4567): arch=c000003e syscall=59 success=yes";

static void
test_raw_no_node(void **state)
{
	struct parse_opts o = { .format = PARSE_FORMAT_RAW, .node = NULL, .node_len = 0 };
	struct slot s;

	(void)state;
	slot_init(&s);
	set_payload(s.r, 1300, SYSCALL_PL, strlen(SYSCALL_PL));
	assert_int_equal(parse_format_record(s.r, &o), 0);
	assert_str_line(&s, "type=SYSCALL msg=audit(1700000000.123:4567): "
	    "arch=c000003e syscall=59 success=yes\n");
	assert_int_equal(s.r->flags & RING_REC_SKIP, 0);
	/* The payload was not touched: the line ends in it. */
	assert_memory_equal(ring_rec_payload(s.r), SYSCALL_PL,
	    strlen(SYSCALL_PL));
	/* A node pointer with no length is no node. */
	o.node = "x";
	assert_int_equal(parse_format_record(s.r, &o), 0);
	assert_str_line(&s, "type=SYSCALL msg=audit(1700000000.123:4567): "
	    "arch=c000003e syscall=59 success=yes\n");
	slot_free(&s);
}

static void
test_raw_opts_node(void **state)
{
	struct parse_opts o = { .format = PARSE_FORMAT_RAW, .node = "host1.example", .node_len = 13 };
	struct slot s;

	(void)state;
	slot_init(&s);
	set_payload(s.r, 1300, SYSCALL_PL, strlen(SYSCALL_PL));
	assert_int_equal(parse_format_record(s.r, &o), 0);
	assert_str_line(&s, "node=host1.example type=SYSCALL msg=audit("
	    "1700000000.123:4567): arch=c000003e syscall=59 success=yes\n");
	slot_free(&s);
}

/* A PATH record with NODE as its own (NULL: none), formatted with O:
 * the line must be WANT. */
static void
expect_path_line(const char *node, const struct parse_opts *o,
    const char *want)
{
	struct slot s;

	slot_init(&s);
	if (node != NULL)
		set_own_node(s.r, node, strlen(node));
	set_payload(s.r, 1302, "audit(1.000:1): item=0", 22);
	assert_int_equal(parse_format_record(s.r, o), 0);
	assert_str_line(&s, want);
	slot_free(&s);
}

static void
test_own_node_wins(void **state)
{
	struct parse_opts o = { .format = PARSE_FORMAT_RAW, .node = "configured", .node_len = 10 };

	(void)state;
	expect_path_line("replayed", &o,
	    "node=replayed type=PATH msg=audit(1.000:1): item=0\n");
	/* Without options too. */
	expect_path_line("replayed", NULL,
	    "node=replayed type=PATH msg=audit(1.000:1): item=0\n");
}

/*
 * "node= type=...": auditd 3.0.9 wrote such lines with name_format = user
 * and no name, and keeps the empty node when it reads one back (the fuzz
 * harness enrich_diff found ringauditd dropping it).  Kept, and it
 * still wins over a configured node; test_enrich compares ENRICHED's.
 */
static void
test_own_node_empty(void **state)
{
	struct parse_opts o = { .format = PARSE_FORMAT_RAW,
	    .node = "configured", .node_len = 10 };

	(void)state;
	expect_path_line("", &o, "node= type=PATH msg=audit(1.000:1): item=0\n");
	/* Without the flag, node_len 0 is no node of its own. */
	expect_path_line(NULL, &o,
	    "node=configured type=PATH msg=audit(1.000:1): item=0\n");
}

/* A node so long that the prefix starts inside it: moved, not smeared. */
static void
test_own_node_under_prefix(void **state)
{
	char node[600], want[700];
	struct slot s;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(node); i++)
		node[i] = (char)('a' + i % 26);
	slot_init(&s);
	set_own_node(s.r, node, sizeof(node));
	set_payload(s.r, 1327, "audit(1.000:1): proctitle=6C73", 30);
	assert_int_equal(parse_format_record(s.r, NULL), 0);
	assert_true(s.r->line_off < sizeof(node));
	n = snprintf(want, sizeof(want), "node=%.*s type=PROCTITLE msg="
	    "audit(1.000:1): proctitle=6C73\n", (int)sizeof(node), node);
	assert_line(&s, want, (size_t)n);
	slot_free(&s);
}

/*
 * ENRICHED appends 0x1D and auditd's interpretation after the RAW text;
 * uid 0 and 4294967295 have fixed names ("root", "unset"), so this line is
 * the same on every machine.  tests/parse/test_enrich.c compares many more
 * against libauparse, auditd's own interpreter.
 */
static void
test_enriched_appends_interpretation(void **state)
{
	static const char pl[] = "audit(1700000000.123:4567): arch=40000003 "
	    "syscall=102 success=yes exit=0 a0=3 a1=ffc0 a2=0 a3=0 items=0 "
	    "ppid=1 pid=2 auid=4294967295 uid=0 gid=0 key=(null)";
	struct parse_opts enr = { .format = PARSE_FORMAT_ENRICHED,
	    .node = "h", .node_len = 1 };
	struct slot s;

	(void)state;
	slot_init(&s);
	set_payload(s.r, 1300, pl, strlen(pl));
	assert_int_equal(parse_format_record(s.r, &enr), 0);
	assert_str_line(&s, "node=h type=SYSCALL msg=audit(1700000000.123:4567)"
	    ": arch=40000003 syscall=102 success=yes exit=0 a0=3 a1=ffc0 a2=0 "
	    "a3=0 items=0 ppid=1 pid=2 auid=4294967295 uid=0 gid=0 key=(null)"
	    "\x1d" "ARCH=i386 SYSCALL=socketcall(connect) AUID=\"unset\" "
	    "UID=\"root\" GID=\"root\"\n");
	slot_free(&s);
}

/* auditd turns a '\n' inside a record (a user message can hold one) into
 * a space, and cuts one trailing space; so must we, or the log would get
 * a line that is not a record. */
static void
test_newline_in_record_becomes_space(void **state)
{
	static const char pl[] = "audit(1.000:1): pid=1 uid=0 msg='a\nb\n";
	struct parse_opts raw = { .format = PARSE_FORMAT_RAW };
	struct slot s;

	(void)state;
	slot_init(&s);
	set_payload(s.r, 1107, pl, strlen(pl));
	assert_int_equal(parse_format_record(s.r, &raw), 0);
	assert_str_line(&s, "type=USER_AVC msg=audit(1.000:1): pid=1 uid=0 "
	    "msg='a b\n");
	/* Protocol 0 (plugins, binary) keeps them: where they were, and
	 * the trailing one the line's '\n' took the place of. */
	{
		uint16_t at[2];

		assert_int_equal(s.r->v0_nl, 2);
		memcpy(at, s.r->data + RING_REC_HEADROOM + s.r->len + 1,
		    sizeof(at));
		assert_int_equal(at[0], strchr(pl, '\n') - pl);
		assert_int_equal(at[1], strlen(pl) - 1);
		assert_int_equal(s.r->v0_len, strlen("type=USER_AVC msg=") +
		    strlen(pl));
		assert_int_equal(s.r->v0_byte, ' ');
	}
	slot_free(&s);
}

static void
test_eoe_skipped(void **state)
{
	struct slot s;

	(void)state;
	slot_init(&s);
	s.r->flags = RING_REC_DAEMON;
	set_payload(s.r, 1320, "audit(1.000:9): ", 16);
	assert_int_equal(parse_format_record(s.r, NULL), 0);
	assert_int_equal(s.r->flags, RING_REC_DAEMON | RING_REC_SKIP);
	/* Still formatted: plugins may want it.  auditd cuts the trailing
	 * space off a line. */
	assert_str_line(&s, "type=EOE msg=audit(1.000:9):\n");
	slot_free(&s);

	slot_init(&s);
	set_payload(s.r, 1300, SYSCALL_PL, strlen(SYSCALL_PL));
	assert_int_equal(parse_format_record(s.r, NULL), 0);
	assert_int_equal(s.r->flags, 0);
	slot_free(&s);
}

static void
test_unknown_type(void **state)
{
	struct slot s;

	(void)state;
	slot_init(&s);
	set_payload(s.r, 1338, "audit(1.000:2): dev=x", 21);
	assert_int_equal(parse_format_record(s.r, NULL), 0);
	assert_str_line(&s, "type=UNKNOWN[1338] msg=audit(1.000:2): dev=x\n");
	assert_int_equal(s.r->flags & RING_REC_SKIP, 0);
	slot_free(&s);

	slot_init(&s);
	set_payload(s.r, 65535, "?", 1);
	assert_int_equal(parse_format_record(s.r, NULL), 0);
	assert_str_line(&s, "type=UNKNOWN[65535] msg=?\n");
	slot_free(&s);

	/* An empty payload is still a line. */
	slot_init(&s);
	set_payload(s.r, 1300, "", 0);
	assert_int_equal(parse_format_record(s.r, NULL), 0);
	assert_str_line(&s, "type=SYSCALL msg=\n");
	slot_free(&s);
}

/* The largest payload, behind the longest node and type name: cut where
 * auditd cuts it. */
static void
test_max_payload(void **state)
{
	static char pl[RING_REC_PAYLOAD_MAX];
	char node[RING_REC_NODE_MAX];
	const char *pfx_tail = " type=UNKNOWN[65535] msg=";
	char *want;
	size_t i, n;
	struct slot s;

	(void)state;
	memset(node, 'n', sizeof(node));
	for (i = 0; i < sizeof(pl); i++)
		pl[i] = (char)('0' + i % 10);
	want = malloc(RING_REC_DATA_SIZE);
	assert_non_null(want);
	n = (size_t)snprintf(want, RING_REC_DATA_SIZE, "node=%.*s%s",
	    (int)sizeof(node), node, pfx_tail);
	memcpy(want + n, pl, sizeof(pl));
	n += sizeof(pl);
	/* auditd writes at most 8969 bytes of a line: the rest is cut. */
	assert_true(n > 8969);
	n = 8969;
	want[n++] = '\n';

	slot_init(&s);
	set_own_node(s.r, node, sizeof(node));
	set_payload(s.r, 65535, pl, sizeof(pl));
	assert_int_equal(parse_format_record(s.r, NULL), 0);
	assert_line(&s, want, n);
	slot_free(&s);
	free(want);
}

/* A payload as long as the slot allows is cut to auditd's longest line
 * (the no-node limit, 8937 bytes, before the '\n'); one byte more does
 * not fit the slot at all. */
static void
test_payload_fills_slot(void **state)
{
	size_t room = RING_REC_DATA_SIZE - RING_REC_HEADROOM;
	struct slot s;

	(void)state;
	slot_init(&s);
	s.r->type = 1300;
	s.r->len = (uint32_t)(room - 1);
	assert_int_equal(parse_format_record(s.r, NULL), 0);
	assert_int_equal(s.r->line_len, 8937 + 1);
	assert_int_equal(s.r->data[s.r->line_off + 8937], '\n');
	slot_free(&s);

	slot_init(&s);
	s.r->type = 1300;
	s.r->len = (uint32_t)room;
	assert_int_equal(parse_format_record(s.r, NULL), -ENOSPC);
	slot_free(&s);
}

/* -ENOSPC leaves every byte of the slot as it was. */
static void
expect_enospc(struct slot *s, const struct parse_opts *o)
{
	static struct ring_rec before;

	memcpy(&before, s->r, sizeof(before));
	assert_int_equal(parse_format_record(s->r, o), -ENOSPC);
	if (memcmp(&before, s->r, sizeof(before)) != 0)
		fail_msg("the slot changed on -ENOSPC");
	slot_check_guards(s);
}

static void
test_node_too_long(void **state)
{
	/* "node=" N " type=SYSCALL msg=": N + 23 bytes of headroom. */
	size_t fits = RING_REC_HEADROOM - 23;
	char *node = malloc(RING_REC_HEADROOM + 100);
	struct parse_opts o = { .format = PARSE_FORMAT_RAW, .node = node, .node_len = 0 };
	struct slot s;

	(void)state;
	assert_non_null(node);
	memset(node, 'h', RING_REC_HEADROOM + 100);

	slot_init(&s);
	set_payload(s.r, 1300, SYSCALL_PL, strlen(SYSCALL_PL));
	o.node_len = fits;
	assert_int_equal(parse_format_record(s.r, &o), 0);
	assert_int_equal(s.r->line_off, 0);
	assert_memory_equal(s.r->data, "node=hhh", 8);
	slot_free(&s);

	slot_init(&s);
	set_payload(s.r, 1300, SYSCALL_PL, strlen(SYSCALL_PL));
	o.node_len = fits + 1;
	expect_enospc(&s, &o);
	o.node_len = RING_REC_HEADROOM + 100;
	expect_enospc(&s, &o);
	slot_free(&s);

	/* The same for the record's own node. */
	slot_init(&s);
	set_own_node(s.r, node, fits + 1);
	set_payload(s.r, 1300, SYSCALL_PL, strlen(SYSCALL_PL));
	expect_enospc(&s, NULL);
	s.r->node_len = UINT16_MAX;
	expect_enospc(&s, NULL);
	slot_free(&s);

	/* A longer type name leaves less room for the node. */
	slot_init(&s);
	set_payload(s.r, 65535, "?", 1);
	o.node_len = fits;
	expect_enospc(&s, &o);
	slot_free(&s);
	free(node);
}

/*
 * A fixture line, "[node=N ]type=T msg=P", taken apart as replay does
 * (parse_log_line) and formatted back must come out byte for byte (plus
 * its '\n').
 */
static void
check_fixture_line(const char *file, unsigned lineno, char *line,
    size_t len, void *arg)
{
	unsigned *with_node = arg;

	/* A configured node, to show the record's own one wins. */
	struct parse_opts o = { .format = PARSE_FORMAT_RAW, .node = "configured", .node_len = 10 };
	struct slot s;
	char *want;
	int rc;

	slot_init(&s);
	if ((rc = parse_log_line(s.r, line, len)) != 0)
		fail_msg("%s:%u: not taken apart (%d)", file, lineno, rc);
	if (s.r->flags & RING_REC_NODE)
		(*with_node)++;
	else
		o.node = NULL;
	if (parse_format_record(s.r, &o) != 0)
		fail_msg("%s:%u: not formatted", file, lineno);
	want = malloc(len + 1);
	assert_non_null(want);
	memcpy(want, line, len);
	want[len] = '\n';
	if (s.r->line_len != len + 1 ||
	    memcmp(s.r->data + s.r->line_off, want, len + 1) != 0)
		fail_msg("%s:%u: formatted as \"%.*s\"", file, lineno,
		    (int)s.r->line_len, s.r->data + s.r->line_off);
	assert_int_equal(s.r->flags & RING_REC_SKIP,
	    s.r->type == 1320 ? RING_REC_SKIP : 0);
	free(want);
	slot_free(&s);
}

struct fixture_count {
	unsigned lines, with_node;
};

static void
count_fixture_line(const char *file, unsigned lineno, char *line,
    size_t len, void *arg)
{
	struct fixture_count *fc = arg;

	check_fixture_line(file, lineno, line, len, &fc->with_node);
	fc->lines++;
}

static void
test_fixture_logs(void **state)
{
	struct fixture_count fc = { 0, 0 };
	unsigned files;

	(void)state;
	files = ra_test_fixture_lines(count_fixture_line, &fc);
	printf("%u fixture files: %u lines formatted back identically "
	    "(%u with their own node)\n", files, fc.lines, fc.with_node);
	assert_true(files > 0);
	assert_true(fc.lines > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verbatim),
		cmocka_unit_test(test_raw_no_node),
		cmocka_unit_test(test_raw_opts_node),
		cmocka_unit_test(test_own_node_wins),
		cmocka_unit_test(test_own_node_empty),
		cmocka_unit_test(test_own_node_under_prefix),
		cmocka_unit_test(test_enriched_appends_interpretation),
		cmocka_unit_test(test_newline_in_record_becomes_space),
		cmocka_unit_test(test_eoe_skipped),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_max_payload),
		cmocka_unit_test(test_payload_fills_slot),
		cmocka_unit_test(test_node_too_long),
		cmocka_unit_test(test_fixture_logs),
	};

	if (parse_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
