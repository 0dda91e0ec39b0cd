/*
 * test_header.c - parse_header on good, malformed and truncated headers,
 * and on the header of every line of the fixture logs.
 *
 * Every input is copied into a heap buffer of exactly its length, so that
 * a read past len is caught by the address sanitizer build.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
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

static int
parse_exact(const char *s, size_t len, struct parse_hdr *h)
{
	char *p = malloc(len ? len : 1);
	int rc;

	assert_non_null(p);
	memcpy(p, s, len);
	rc = parse_header(p, len, h);
	free(p);
	return rc;
}

static int
parse_str(const char *s, struct parse_hdr *h)
{
	return parse_exact(s, strlen(s), h);
}

static void
test_good(void **state)
{
	struct parse_hdr h;
	const char *s;

	(void)state;
	s = "audit(1700000000.123:4567): arch=c000003e syscall=59";
	assert_int_equal(parse_str(s, &h), 0);
	assert_true(h.sec == 1700000000);
	assert_int_equal(h.msec, 123);
	assert_int_equal(h.serial, 4567);
	assert_int_equal(h.len, strlen("audit(1700000000.123:4567): "));

	assert_int_equal(parse_str("audit(1.000:0): ", &h), 0);
	assert_true(h.sec == 1);
	assert_int_equal(h.msec, 0);
	assert_int_equal(h.serial, 0);
	assert_int_equal(h.len, 16);

	assert_int_equal(parse_str("audit(0.999:4294967295): x", &h), 0);
	assert_true(h.sec == 0);
	assert_int_equal(h.msec, 999);
	assert_int_equal(h.serial, UINT32_MAX);
	assert_int_equal(h.len, strlen("audit(0.999:4294967295): "));

	assert_int_equal(parse_str("audit(18446744073709551615.001:7): ", &h),
	    0);
	assert_true(h.sec == UINT64_MAX);
	assert_int_equal(h.msec, 1);
	assert_int_equal(h.serial, 7);
}

static void
test_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"audit",
		"audit(",
		"Audit(1.123:4): ",
		" audit(1.123:4): ",
		"type=SYSCALL msg=audit(1.123:4): ",
		"audit(1.123 4): ",		/* no colon */
		"audit(1.1234): ",		/* no colon, 4 msec digits */
		"audit(1123:4): ",		/* no dot */
		"audit(1.123:4: ",		/* no ')' */
		"audit(1.123:4)",		/* no ": " */
		"audit(1.123:4) ",
		"audit(1.123:4):",
		"audit(1.123:4):x",
		"audit(1.123:4)x ",
		"audit(1.123:4294967296): ",	/* serial > UINT32_MAX */
		"audit(1.123:99999999999999999999999): ",
		"audit(18446744073709551616.123:4): ",	/* sec > UINT64_MAX */
		"audit(1.1000:4): ",		/* msec > 999 */
		"audit(1.12:4): ",		/* msec not 3 digits */
		"audit(1.1:4): ",
		"audit(1.:4): ",
		"audit(.123:4): ",		/* no seconds */
		"audit(1.123:): ",		/* no serial */
		"audit(1a.123:4): ",		/* non-digits */
		"audit(1.1x3:4): ",
		"audit(1.123:4x): ",
		"audit(-1.123:4): ",
		"audit(1.123:-4): ",
		"audit(+1.123:4): ",
		"audit( 1.123:4): ",
		"audit(1.123: 4): ",
		"audit(1.123:4 ): ",
		"audit(1,123:4): ",
	};
	struct parse_hdr h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h.len = 12345;
		if (parse_str(bad[i], &h) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(h.len, 12345);
	}
}

/* Every proper prefix of a good header fails; the whole one parses. */
static void
test_truncated_everywhere(void **state)
{
	static const char *good[] = {
		"audit(1700000000.123:4567): ",
		"audit(0.000:0): ",
		"audit(18446744073709551615.999:4294967295): ",
	};
	struct parse_hdr h;
	size_t i, k, n;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		n = strlen(good[i]);
		for (k = 0; k < n; k++)
			if (parse_exact(good[i], k, &h) != -EINVAL)
				fail_msg("accepted %zu bytes of \"%s\"", k,
				    good[i]);
		assert_int_equal(parse_exact(good[i], n, &h), 0);
		assert_int_equal(h.len, n);
	}
}

/* The payload after "msg=" in a fixture line: "[node=X ]type=T msg=P". */
static const char *
line_payload(const char *line)
{
	const char *p = line;

	if (strncmp(p, "node=", 5) == 0 && (p = strchr(p, ' ')) != NULL)
		p++;
	if (p == NULL || strncmp(p, "type=", 5) != 0 ||
	    (p = strstr(p, " msg=")) == NULL)
		return NULL;
	return p + 5;
}

/*
 * sscanf is the oracle here.  A line without a well-formed header must be
 * refused by both; the fixtures hold two: "type=UNKNOWN[1329] msg=?", and
 * an old auditd's DAEMON_CONFIG, "msg=audit(1490239800.477:34) config
 * changed, ...", with no ": " after the ')'.
 */
struct counts {
	unsigned parsed, headerless;
};

static void
check_line(const char *file, unsigned lineno, char *line, size_t len,
    void *arg)
{
	struct counts *c = arg;

	(void)len;
	unsigned long long sec;
	unsigned msec, serial;
	struct parse_hdr h;
	const char *pl;
	int rc, n = 0;

	if ((pl = line_payload(line)) == NULL)
		fail_msg("%s:%u: not an audit log line", file, lineno);
	rc = parse_exact(pl, strlen(pl), &h);
	/* %n after ")": a ' ' in the format would also eat the spaces of
	 * a body that starts with one ("):  cwd=..."). */
	if (sscanf(pl, "audit(%llu.%u:%u)%n", &sec, &msec, &serial,
	    &n) != 3 || n == 0 || strncmp(pl + n, ": ", 2) != 0) {
		if (rc != -EINVAL)
			fail_msg("%s:%u: header accepted where sscanf found "
			    "none", file, lineno);
		printf("%s:%u: no well-formed header, refused: %.50s\n",
		    file, lineno, line);
		c->headerless++;
		return;
	}
	if (rc != 0)
		fail_msg("%s:%u: header refused: %.60s", file, lineno, pl);
	assert_true(h.sec == sec);
	assert_int_equal(h.msec, msec);
	assert_int_equal(h.serial, serial);
	assert_int_equal(h.len, (size_t)n + 2);
	c->parsed++;
}

static void
test_fixture_logs(void **state)
{
	struct counts c = { 0, 0 };
	unsigned files;

	(void)state;
	files = ra_test_fixture_lines(check_line, &c);
	printf("%u fixture files: %u headers parsed, %u lines without one\n",
	    files, c.parsed, c.headerless);
	assert_true(files > 0);
	assert_true(c.parsed > 0);
	assert_true(c.headerless < c.parsed / 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_fixture_logs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
