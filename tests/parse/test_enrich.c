/*
 * test_enrich.c - the ENRICHED format against auditd's own interpreter.
 *
 * auditd 3.0.9 makes its ENRICHED text with libauparse: it hands the RAW
 * line to auparse, walks the record's fields, and for each field auparse
 * types as a uid, gid, syscall, arch or socket address appends
 * NAME=interpretation (uids and gids through audit_encode_nv_string), in a
 * buffer of 8970 + 255 bytes.  oracle() below does exactly that through
 * the installed libauparse and libaudit, so each test here is a
 * differential test: ringauditd's formatter (src/parse/enrich.c, no
 * auparse) must give the same bytes for every line.
 *
 * The lines: every record of the fixture logs; SYSCALL records over every
 * syscall number of x86_64 and i386 with socketcall's and ipc's
 * operations; every field name auparse knows, in every record type that
 * changes how fields are typed; uid and gid values that parse oddly; socket
 * addresses of many families and lengths; and many thousands of lines put
 * together at random from tokens that exercise auparse's splitter (quotes,
 * parentheses, trailing punctuation, "msg='", keys, AVC's unlabelled
 * fields).  uid and gid names come from this machine's NSS for both sides.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <auparse.h>
#include <libaudit.h>

#include "parse/parse.h"
#include "ra_test.h"
#include "ring/ring.h"

#define FORMAT_BUF_LEN (8970 + 255)
#define MIN_SPACE_LEFT 24
#define SHOW_MAX 6

static struct parse_names *names;
static struct ring_rec *slot;
static unsigned compared, differed;

/* auditd's format_enrich, through libauparse; line has no '\n'. */
static size_t
oracle(const char *line, char *out)
{
	size_t mlen = strlen(line), len = FORMAT_BUF_LEN - mlen;
	char *buf = malloc(mlen + 2);
	auparse_state_t *au;
	int sep_done = 0, rc;

	memcpy(out, line, mlen + 1);
	/* format_raw first: a '\n' is a space, a trailing space is cut
	 * (with node= it is the '\n' auditd added that is cut). */
	for (char *nl; (nl = strchr(out, '\n')) != NULL;)
		*nl = ' ';
	{
		bool node = strncmp(out, "node=", 5) == 0;
		size_t max = node ? 9192 : 8937;	/* snprintf's limits */

		if (mlen + (node ? 1 : 0) > max)
			out[mlen = max] = '\0';
		else if (!node && mlen > 0 && out[mlen - 1] == ' ')
			out[--mlen] = '\0';
	}
	line = out;
	len = FORMAT_BUF_LEN - mlen;
	if (len <= MIN_SPACE_LEFT) {
		free(buf);
		return mlen;
	}
	memcpy(buf, line, mlen);
	buf[mlen] = '\n';
	buf[mlen + 1] = '\0';
	au = auparse_init(AUSOURCE_BUFFER, buf);
	assert_non_null(au);
	auparse_set_escape_mode(au, AUPARSE_ESC_RAW);
	rc = auparse_first_record(au);
	while (rc > 0 && len > MIN_SPACE_LEFT) {
		int type = auparse_get_field_type(au);
		bool enc = type == AUPARSE_TYPE_UID || type == AUPARSE_TYPE_GID;

		if (enc || type == AUPARSE_TYPE_SYSCALL ||
		    type == AUPARSE_TYPE_ARCH || type == AUPARSE_TYPE_SOCKADDR) {
			const char *nm = auparse_get_field_name(au);
			const char *v = auparse_interpret_field(au);
			char up[64], *text;
			size_t i, tlen;

			if (sep_done++ == 0)
				out[FORMAT_BUF_LEN - len--] = 0x1d;
			for (i = 0; nm[i] != '\0' && i < 63; i++)
				up[i] = (char)toupper((unsigned char)nm[i]);
			up[i] = '\0';
			if (v == NULL)
				v = "?";
			if (enc) {
				text = audit_encode_nv_string(up, v, 0);
			} else if (asprintf(&text, "%s=%s", up, v) < 0) {
				text = NULL;
			}
			assert_non_null(text);
			tlen = 1 + strlen(text) + 1;
			if (tlen < len) {
				char *p = out + FORMAT_BUF_LEN - len;
				size_t n = 0;

				if (sep_done > 1)
					p[n++] = ' ';
				memcpy(p + n, text, strlen(text));
				n += strlen(text);
				len -= n;
			}
			free(text);
		}
		rc = auparse_next_field(au);
	}
	auparse_destroy(au);
	free(buf);
	len = FORMAT_BUF_LEN - len;
	/* auditd's replace_event_msg: at most 8969 bytes. */
	return len > 8969 ? 8969 : len;
}

/* ringauditd's line for the same text: [node=N ]type=NAME msg=PAYLOAD. */
static bool
ours(const char *line, char *out, size_t *outlen)
{
	const char *t = line, *msg;
	int type;

	memset(slot, 0, offsetof(struct ring_rec, data));
	if (strncmp(t, "node=", 5) == 0) {
		const char *sp = strchr(t, ' ');

		if (sp == NULL)
			return false;
		memcpy(slot->data, t + 5, (size_t)(sp - t - 5));
		slot->node_len = (uint16_t)(sp - t - 5);
		t = sp + 1;
	}
	if (strncmp(t, "type=", 5) != 0 || (msg = strstr(t, " msg=")) == NULL)
		return false;
	type = parse_type_from_name(t + 5, (size_t)(msg - t - 5));
	if (type < 0)
		return false;
	slot->type = (uint16_t)type;
	slot->len = (uint32_t)strlen(msg + 5);
	memcpy(ring_rec_payload(slot), msg + 5, slot->len);
	{
		struct parse_opts o = { .format = PARSE_FORMAT_ENRICHED,
		    .names = names };

		assert_int_equal(parse_format_record(slot, &o), 0);
	}
	*outlen = slot->line_len - 1;
	memcpy(out, slot->data + slot->line_off, *outlen);
	assert_int_equal(slot->data[slot->line_off + *outlen], '\n');
	return true;
}

static void
show(const char *what, const char *s, size_t n)
{
	size_t i = 0;

	fprintf(stderr, "  %s: ", what);
	if (n > 400) {
		fprintf(stderr, "(%zu bytes) ...", n);
		i = n - 300;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x1d)
			fputs("^]", stderr);
		else if (c < 0x20 || c > 0x7e)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputc('\n', stderr);
}

/* One line through both; a difference is counted and the first shown. */
static void
compare(const char *line)
{
	static char want[FORMAT_BUF_LEN + 1], got[RING_REC_DATA_SIZE];
	size_t wlen, glen;

	if (!ours(line, got, &glen))
		return;
	wlen = oracle(line, want);
	compared++;
	if (wlen == glen && memcmp(want, got, wlen) == 0)
		return;
	if (differed++ < SHOW_MAX) {
		fprintf(stderr, "difference:\n");
		show("auditd    ", want, wlen);
		show("ringauditd", got, glen);
	}
}

static void
comparef(const char *fmt, ...)
{
	char line[FORMAT_BUF_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	compare(line);
}

static void
expect_no_difference(const char *what)
{
	fprintf(stderr, "%s: %u lines compared, %u differ\n", what, compared,
	    differed);
	assert_true(compared > 0);
	assert_int_equal(differed, 0);
	compared = differed = 0;
}

static int
setup(void **state)
{
	(void)state;
	slot = aligned_alloc(64, sizeof(*slot));
	assert_non_null(slot);
	assert_int_equal(parse_names_create(&names, 256, NULL, NULL), 0);
	return 0;
}

static int
reset(void **state)
{
	(void)state;
	compared = differed = 0;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	parse_names_destroy(names);
	free(slot);
	return 0;
}

static void
fixture_line(const char *file, unsigned lineno, char *line, size_t len,
    void *arg)
{
	(void)file;
	(void)lineno;
	(void)len;
	(void)arg;
	compare(line);
}

static void
test_fixture_records(void **state)
{
	(void)state;
	assert_true(ra_test_fixture_lines(fixture_line, NULL) > 0);
	expect_no_difference("fixture records");
}

/* Every syscall of x86_64 and i386 (and a few arches more), by number. */
static void
test_syscalls_by_arch(void **state)
{
	/* Not arm, ppc or s390: their kernel headers are not on an x86
	 * machine, and their records cannot come from its kernel. */
	static const char *arch[] = { "c000003e", "40000003", "c00000b7",
	    "zz", "3e", "1c000003e", "fffffffffffffffffffffffff" };

	(void)state;
	for (size_t a = 0; a < sizeof(arch) / sizeof(arch[0]); a++)
		for (int nr = -2; nr < 1100; nr++)
			comparef("type=SYSCALL msg=audit(1.000:%d): arch=%s "
			    "syscall=%d success=yes exit=0 a0=0 a1=0 a2=0 a3=0 "
			    "items=0 ppid=1 pid=2 auid=0 uid=0 key=(null)",
			    nr + 10, arch[a], nr);
	comparef("type=SYSCALL msg=audit(1.000:1): arch=c000003e "
	    "syscall=4294967297");
	comparef("type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=abc");
	comparef("type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=-5");
	expect_no_difference("syscalls");
}

/* i386 socketcall (102) and ipc (117): the operation from a0. */
static void
test_socketcall_and_ipc(void **state)
{
	static const char *a0s[] = { "ffffffff", "-1", "100000003",
	    "fffffffffffffffffff", "x", "" };

	(void)state;
	for (int sc = 102; sc <= 117; sc += 15) {
		for (int op = 0; op < 40; op++)
			comparef("type=SYSCALL msg=audit(1.000:1): arch=40000003 "
			    "syscall=%d success=yes exit=0 a0=%x a1=0", sc, op);
		for (size_t i = 0; i < sizeof(a0s) / sizeof(a0s[0]); i++)
			comparef("type=SYSCALL msg=audit(1.000:1): arch=40000003 "
			    "syscall=%d success=yes exit=0 a0=%s a1=0", sc,
			    a0s[i]);
		/* a0 must be the 6th field; here it is not. */
		comparef("type=SYSCALL msg=audit(1.000:1): arch=40000003 "
		    "syscall=%d exit=0 a0=3 a1=0", sc);
		comparef("node=n1 type=SYSCALL msg=audit(1.000:1): "
		    "arch=40000003 syscall=%d success=no exit=0 a0=3", sc);
	}
	expect_no_difference("socketcall and ipc");
}

/* Names auparse types, and names near them, in the record types that
 * change typing. */
static void
test_field_names_by_record_type(void **state)
{
	static const char *types[] = { "SYSCALL", "EXECVE", "AVC", "USER_AVC",
	    "ADD_GROUP", "DEL_GROUP", "GRP_MGMT", "ADD_USER", "DEL_USER",
	    "USER_MGMT", "TRUSTED_APP", "NETFILTER_PKT", "USER_ACCT",
	    "CONFIG_CHANGE", "SOCKADDR", "UNKNOWN[1338]", "DAEMON_START",
	    "LOGIN", "PATH", "CWD", "USER", "SECCOMP", "ANOM_ABEND" };
	static const char *fields[] = { "auid", "uid", "gid", "euid", "suid",
	    "fsuid", "egid", "sgid", "fsgid", "ouid", "ogid", "iuid", "igid",
	    "id", "inode_uid", "inode_gid", "oauid", "old-auid", "sauid",
	    "obj_uid", "obj_gid", "new_gid", "new-uid", "old-uid", "new_uid",
	    "arch", "syscall", "saddr", "argc", "a0", "a1_len", "a2[0]",
	    "acct", "ses", "pid", "ppid", "exit", "key", "UID", "Uid",
	    "(uid", "msg='uid", "msg", "items", "new-auid", "old_gid",
	    "grantors", "terminal", "addr", "hostname", "exe", "comm" };
	static const char *vals[] = { "0", "1000", "4294967295", "02000050"
	    "7F0000010000000000000000", "c000003e", "59" };

	(void)state;
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
			for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]);
			    v++) {
				/* libauparse 3.0.9 crashes on this one (so
				 * would auditd); nothing to compare. */
				if (strcmp(types[t], "TRUSTED_APP") == 0 &&
				    strcmp(fields[f], "key") == 0)
					continue;
				comparef("type=%s msg=audit(1.000:1): pid=1 "
				    "%s=%s res=1", types[t], fields[f],
				    vals[v]);
			}
	expect_no_difference("field names by record type");
}

/* uid and gid values through strtoul, names, "unset" and "unknown(N)". */
static void
test_id_values(void **state)
{
	static const char *vals[] = { "0", "1", "2", "8", "12", "33", "100",
	    "1000", "65534", "4294967295", "4294967294", "54321",
	    "2147483648", "4294967296", "99999999999999999999", "-1", "-5",
	    "+5", "abc", "12abc", "0x10", "010", "\"5\"", "(none)", "(null)",
	    "5)", "5:,')", " ", "5%20" };

	(void)state;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		comparef("type=SYSCALL msg=audit(1.000:1): arch=c000003e "
		    "syscall=1 uid=%s gid=%s auid=%s", vals[i], vals[i],
		    vals[i]);
	for (unsigned id = 0; id < 1200; id += 3)
		comparef("type=USER_ACCT msg=audit(1.000:1): pid=1 uid=%u "
		    "auid=%u ses=1 msg='op=PAM:accounting acct=\"x\" "
		    "exe=\"/bin/su\" hostname=? addr=? terminal=pts/0 "
		    "res=success' gid=%u", id, id + 1, id + 2);
	expect_no_difference("uid and gid values");
}

static void
hexcat(char *out, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", b[i]);
}

/* Socket addresses: families, lengths, paths, abstract names. */
static void
test_sockaddrs(void **state)
{
	unsigned char sa[128];
	char hex[2 * sizeof(sa) + 1];
	unsigned seed = 1;

	(void)state;
	for (unsigned fam = 0; fam < 48; fam++) {
		/* auparse reads atmpvc's 5th and 6th bytes however short
		 * the address, past its buffer: not comparable. */
		for (size_t len = fam == AF_ATMPVC ? 7 : 1; len <= sizeof(sa);
		    len += 3) {
			for (size_t i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				/* Printable, so paths stay on one line. */
				sa[i] = (unsigned char)('!' + (seed >> 16) % 90);
			}
			sa[0] = (unsigned char)fam;
			if (len > 1)
				sa[1] = 0;
			hexcat(hex, sa, len);
			comparef("type=SOCKADDR msg=audit(1.000:1): saddr=%s",
			    hex);
			if (len > 3) {
				sa[2] = 0;	/* abstract unix name */
				hexcat(hex, sa, len);
				comparef("type=SOCKADDR msg=audit(1.000:1): "
				    "saddr=%s", hex);
			}
		}
	}
	/* Real ones: IPv4, IPv6 with and without a scope, unix, netlink. */
	comparef("type=SOCKADDR msg=audit(1.000:1): "
	    "saddr=020000507F0000010000000000000000");
	comparef("type=SOCKADDR msg=audit(1.000:1): saddr=0A0000160000000000"
	    "000000000000000000000001000000000000");
	comparef("type=SOCKADDR msg=audit(1.000:1): saddr=0A0000160000000020"
	    "010DB8000000000000000000000001000000000000");
	comparef("type=SOCKADDR msg=audit(1.000:1): saddr=0A00001600000000FE"
	    "800000000000000000000000000001000000000200");
	comparef("type=SOCKADDR msg=audit(1.000:1): saddr=01002F746D702F78"
	    "00");
	comparef("type=SOCKADDR msg=audit(1.000:1): saddr=0100006162630000");
	comparef("type=SOCKADDR msg=audit(1.000:1): "
	    "saddr=100000000000000000000000");
	comparef("type=SOCKADDR msg=audit(1.000:1): saddr=zz");
	comparef("type=SOCKADDR msg=audit(1.000:1): saddr=0");
	comparef("type=SOCKADDR msg=audit(1.000:1): saddr=1G00");
	expect_no_difference("socket addresses");
}

/* Lines put together from tokens that test auparse's splitter. */
static void
test_random_lines(void **state)
{
	static const char *types[] = { "SYSCALL", "AVC", "USER_AVC",
	    "EXECVE", "ADD_GROUP", "USER_ACCT", "SOCKADDR", "CONFIG_CHANGE",
	    "TRUSTED_APP", "PATH" };
	static const char *toks[] = { "arch=c000003e", "arch=40000003",
	    "syscall=102", "syscall=59", "syscall=117", "a0=3", "a0=15",
	    "a1=0", "success=yes", "exit=0", "uid=0", "uid=1000", "auid=33",
	    "gid=12", "egid=5:,')", "(uid=5)", "ogid=(none)", "sgid=(null)",
	    "id=100", "x=", "x=)", "=5", "uid=", "key=(null)",
	    "key=\"k\"", "key=6B31016B32", "key=01", "key=41004201",
	    "msg='op=x", "msg='uid=7", "res=success'", "msg=audit(3)",
	    "msg=", "avc:", "denied", "granted", "{", "read", "write", "}",
	    "for", "saddr=02000050C0A800010000000000000000",
	    "saddr=0100", "comm=\"a", "b\"", "a0=\"x\"", "argc=2",
	    "a1_len=3", "arch=zz", "uid=a=b", "fsuid=4294967295",
	    "suid=99999999999999999999", "node=x", "type=SYSCALL" };
	char line[4096];
	unsigned seed = 42;

	(void)state;
	for (int n = 0; n < 30000; n++) {
		size_t at;
		int ntok;

		seed = seed * 1103515245u + 12345u;
		at = (size_t)snprintf(line, sizeof(line),
		    "type=%s msg=audit(1.000:%d):", types[(seed >> 16) %
		    (sizeof(types) / sizeof(types[0]))], n);
		seed = seed * 1103515245u + 12345u;
		ntok = 1 + (int)((seed >> 16) % 14);
		for (int i = 0; i < ntok; i++) {
			seed = seed * 1103515245u + 12345u;
			at += (size_t)snprintf(line + at, sizeof(line) - at,
			    "%s%s", (seed >> 8) % 7 == 0 ? "  " : " ",
			    toks[(seed >> 16) % (sizeof(toks) /
			    sizeof(toks[0]))]);
		}
		compare(line);
	}
	expect_no_difference("random lines");
}

/* Near auditd's buffer: fields that do not fit are skipped, and the line
 * stops at 8969 bytes. */
static void
test_long_lines(void **state)
{
	char line[FORMAT_BUF_LEN];

	(void)state;
	for (size_t fill = 8700; fill < 8937 - 60; fill += 7) {
		size_t at = (size_t)snprintf(line, sizeof(line),
		    "type=SYSCALL msg=audit(1.000:1): arch=c000003e "
		    "syscall=1 uid=1000 gid=0 auid=4294967295 a=");

		memset(line + at, 'x', fill - at);
		at = fill;
		at += (size_t)snprintf(line + at, sizeof(line) - at,
		    " euid=1000 egid=1000 fsuid=0 ouid=4294967295 saddr="
		    "0A0000160000000000000000000000000000000100000000");
		compare(line);
	}
	expect_no_difference("long lines");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fixture_records, reset),
		cmocka_unit_test_setup(test_syscalls_by_arch, reset),
		cmocka_unit_test_setup(test_socketcall_and_ipc, reset),
		cmocka_unit_test_setup(test_field_names_by_record_type, reset),
		cmocka_unit_test_setup(test_id_values, reset),
		cmocka_unit_test_setup(test_sockaddrs, reset),
		cmocka_unit_test_setup(test_random_lines, reset),
		cmocka_unit_test_setup(test_long_lines, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
