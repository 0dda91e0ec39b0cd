/*
 * test_enrich.c - the ENRICHED format against auditd's own interpreter.
 *
 * auditd 3.0.9 makes its ENRICHED text with libauparse: it hands the RAW
 * line to auparse, walks the record's fields, and for each field auparse
 * types as a uid, gid, syscall, arch or socket address appends
 * NAME=interpretation (uids and gids through audit_encode_nv_string), in a
 * buffer of 8970 + 255 bytes.  tests/common/ra_enrich_diff.c does exactly
 * that through the installed libauparse and libaudit, so each test here is a
 * differential test: ringauditd's formatter (src/parse/enrich.c, no
 * auparse) must give the same bytes for every line.
 *
 * The lines: every record of the fixture logs; SYSCALL records over every
 * syscall number of every machine libaudit knows (arm, ppc, s390 records
 * replayed from elsewhere too) with socketcall's and ipc's operations; every field name auparse knows, in every record type that
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

#include "parse/parse.h"
#include "ra_enrich_diff.h"
#include "ra_test.h"
#include "ring/ring.h"

#define FORMAT_BUF_LEN RA_ENRICH_BUF
#define SHOW_MAX 6

static struct parse_names *names;
static struct ring_rec *slot;
static unsigned compared, differed;

/* One line through both; a difference is counted and the first shown. */
static void
compare(const char *line)
{
	static char want[FORMAT_BUF_LEN + 1], got[RING_REC_DATA_SIZE];
	size_t wlen, glen;

	wlen = ra_enrich_auditd(line, want);
	compared++;
	if (!ra_enrich_ringauditd(line, slot, names, got, &glen)) {
		if (differed++ < SHOW_MAX) {
			fprintf(stderr, "refused by ringauditd:\n");
			ra_enrich_show(stderr, "auditd    ", want, wlen);
		}
		return;
	}
	if (wlen == glen && memcmp(want, got, wlen) == 0)
		return;
	if (differed++ < SHOW_MAX) {
		fprintf(stderr, "difference:\n");
		ra_enrich_show(stderr, "auditd    ", want, wlen);
		ra_enrich_show(stderr, "ringauditd", got, glen);
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

/*
 * Every syscall of every machine libaudit knows, by number: x86_64, i386,
 * aarch64, arm, ppc, ppc64, ppc64le, s390, s390x (records replayed from
 * those), ia64 and alpha (numbered, no longer named), and arches that are
 * not one.
 */
static void
test_syscalls_by_arch(void **state)
{
	static const char *arch[] = { "c000003e", "40000003", "c00000b7",
	    "40000028", "14", "80000015", "c0000015", "16", "80000016",
	    "c0000032", "c0009026", "28",
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

/*
 * socketcall (102) and ipc (117), the operation from a0: i386's, and the
 * same numbers of ppc, ppc64, s390, s390x and arm (socketcall and ipc
 * there, or other syscalls).
 */
static void
test_socketcall_and_ipc(void **state)
{
	static const char *a0s[] = { "ffffffff", "-1", "100000003",
	    "fffffffffffffffffff", "x", "" };
	static const char *arch[] = { "40000003", "14", "80000015", "16",
	    "80000016", "40000028" };

	(void)state;
	for (size_t a = 0; a < sizeof(arch) / sizeof(arch[0]); a++) {
		for (int sc = 102; sc <= 117; sc += 15) {
			for (int op = 0; op < 40; op++)
				comparef("type=SYSCALL msg=audit(1.000:1): "
				    "arch=%s syscall=%d success=yes exit=0 "
				    "a0=%x a1=0", arch[a], sc, op);
			for (size_t i = 0; i < sizeof(a0s) / sizeof(a0s[0]);
			    i++)
				comparef("type=SYSCALL msg=audit(1.000:1): "
				    "arch=%s syscall=%d success=yes exit=0 "
				    "a0=%s a1=0", arch[a], sc, a0s[i]);
			/* a0 must be the 6th field; here it is not. */
			comparef("type=SYSCALL msg=audit(1.000:1): arch=%s "
			    "syscall=%d exit=0 a0=3 a1=0", arch[a], sc);
			comparef("node=n1 type=SYSCALL msg=audit(1.000:1): "
			    "arch=%s syscall=%d success=no exit=0 a0=3",
			    arch[a], sc);
		}
	}
	expect_no_difference("socketcall and ipc");
}

/*
 * Whole records as other machines' kernels write them, replayed here: the
 * names auparse gives, and, so that both sides cannot agree on
 * "unknown-syscall(N)", the names themselves.
 */
static void
test_other_machines_records(void **state)
{
	static const struct {
		const char *line;
		const char *want;	/* in ringauditd's interpretation */
	} recs[] = {
		{ "type=SYSCALL msg=audit(1700000000.100:11): arch=40000028 "
		  "syscall=11 success=yes exit=0 a0=1f0a8 a1=1f0e8 a2=1f0f8 "
		  "a3=0 items=2 ppid=901 pid=902 auid=1000 uid=0 gid=0 "
		  "euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 "
		  "ses=3 comm=\"ls\" exe=\"/bin/ls\" key=(null)",
		  "ARCH=armeb SYSCALL=execve" },
		{ "type=SYSCALL msg=audit(1700000000.200:12): arch=c0000015 "
		  "syscall=11 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 "
		  "ppid=1 pid=2 auid=0 uid=0 key=(null)",
		  "ARCH=ppc64le SYSCALL=execve" },
		{ "type=SYSCALL msg=audit(1700000000.300:13): arch=80000016 "
		  "syscall=5 success=yes exit=3 a0=1 a1=0 a2=0 a3=0 items=1 "
		  "ppid=1 pid=2 auid=0 uid=0 key=(null)",
		  "ARCH=s390x SYSCALL=open" },
		{ "type=SYSCALL msg=audit(1700000000.400:14): arch=16 "
		  "syscall=102 success=yes exit=3 a0=1 a1=7ffd0 a2=0 a3=0 "
		  "items=0 ppid=1 pid=2 auid=0 uid=0 key=(null)",
		  "ARCH=s390 SYSCALL=socketcall(socket)" },
		{ "type=SYSCALL msg=audit(1700000000.500:15): arch=80000015 "
		  "syscall=117 success=yes exit=0 a0=2 a1=0 a2=0 a3=0 "
		  "items=0 ppid=1 pid=2 auid=0 uid=0 key=(null)",
		  "ARCH=ppc64 SYSCALL=ipc(semget)" },
		{ "type=SYSCALL msg=audit(1700000000.600:16): arch=14 "
		  "syscall=4 success=yes exit=1 a0=1 a1=0 a2=1 a3=0 items=0 "
		  "ppid=1 pid=2 auid=0 uid=0 key=(null)",
		  "ARCH=ppc SYSCALL=write" },
		{ "type=SYSCALL msg=audit(1700000000.700:17): arch=40000028 "
		  "syscall=999 success=no exit=-38 a0=0 a1=0 a2=0 a3=0 "
		  "items=0 ppid=1 pid=2 auid=0 uid=0 key=(null)",
		  "ARCH=armeb SYSCALL=unknown-syscall(999)" },
	};
	static char got[RING_REC_DATA_SIZE + 1];
	size_t glen;

	(void)state;
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		compare(recs[i].line);
		assert_true(ra_enrich_ringauditd(recs[i].line, slot, names,
		    got, &glen));
		got[glen] = '\0';
		if (strstr(got, recs[i].want) == NULL)
			fail_msg("%s: no \"%s\" in\n%s", recs[i].line,
			    recs[i].want, got);
	}
	expect_no_difference("other machines' records");
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

/*
 * The lines of ../shared/fixtures/enriched-corners/, on which ringauditd
 * and auditd 3.0.9 once differed.  docs/auditd-behaviour.md ("ENRICHED
 * corners") says which output ringauditd keeps for each, and why.
 */
static void
corner_line(const char *name, char *line, size_t size)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/../enriched-corners/%s.line",
	    RA_FIXTURES, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, (int)size, f));
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
}

/* What follows the line's last 0x1D; NULL when it has none. */
static const char *
interps(const char *s, size_t n)
{
	const char *gs = NULL;

	for (size_t i = 0; i < n; i++)
		if (s[i] == 0x1d)
			gs = s + i + 1;
	return gs;
}

/* Ours for LINE into GOT (NUL-terminated), which must succeed. */
static size_t
ours_of(const char *line, char *got)
{
	size_t n;

	assert_true(ra_enrich_ringauditd(line, slot, names, got, &n));
	got[n] = '\0';
	return n;
}

/* auparse decoded bytes it never wrote as the address; ringauditd once
 * decoded what was left of the value's ASCII there. */
static void
test_saddr_with_a_nonhex_tail(void **state)
{
	static char line[4096], got[RING_REC_DATA_SIZE];

	(void)state;
	corner_line("saddr-nonhex-tail", line, sizeof(line));
	(void)ours_of(line, got);
	assert_non_null(strstr(got,
	    "\x1dSADDR={ saddr_fam=inet6 laddr=:: lport=22 }"));
	compare(line);
	expect_no_difference("saddr with a non-hex tail");
}

/* A 0x1D inside a user message: auditd reads the text after it as the
 * names of the record's ids (AUID="root" for auid=1000).  ringauditd
 * names them from the ids, as auditd does for the same line without
 * that byte. */
static void
test_gs_byte_in_a_user_message_names_no_id(void **state)
{
	static char line[4096], plain[4096], got[RING_REC_DATA_SIZE];
	static char want[RA_ENRICH_BUF + 1];
	const char *g, *w;
	size_t glen, wlen;

	(void)state;
	corner_line("gs-byte-in-user-msg", line, sizeof(line));
	assert_non_null(strchr(line, 0x1d));
	snprintf(plain, sizeof(plain), "%s", line);
	*strchr(plain, 0x1d) = ' ';
	glen = ours_of(line, got);
	wlen = ra_enrich_auditd(plain, want);
	g = interps(got, glen);
	w = interps(want, wlen);
	assert_non_null(g);
	assert_non_null(w);
	assert_true(g > strchr(got, 0x1d) + 1);	/* ours added its own */
	assert_int_equal(glen - (size_t)(g - got), wlen - (size_t)(w - want));
	assert_memory_equal(g, w, wlen - (size_t)(w - want));
	assert_null(strstr(g, "AUID=\"root\""));
}

/* key= with an odd number of hex digits: auparse makes the last
 * half-byte a key of its own, and the fields after it move, so the
 * syscall is no longer found.  ringauditd reads the line as auditd reads
 * it without that last digit. */
static void
test_odd_hex_key_keeps_the_fields_in_place(void **state)
{
	static char line[4096], even[4096], got[RING_REC_DATA_SIZE];
	static char want[RA_ENRICH_BUF + 1];
	char *k;
	size_t glen, wlen;

	(void)state;
	corner_line("key-odd-hex", line, sizeof(line));
	snprintf(even, sizeof(even), "%s", line);
	k = strstr(even, "key=6B012");
	assert_non_null(k);
	memmove(k + 8, k + 9, strlen(k + 9) + 1);	/* key=6B01 */
	glen = ours_of(line, got);
	wlen = ra_enrich_auditd(even, want);
	assert_non_null(interps(want, wlen));
	assert_string_equal(interps(got, glen), interps(want, wlen));
	assert_null(strstr(got, "unknown-syscall"));
}

/* A stamp that is not "audit(SEC.MSEC:SERIAL)": the kernel never sends
 * one.  auditd interprets some such lines; ringauditd enriches none and
 * writes the record as it came. */
static void
test_malformed_stamp_is_written_unenriched(void **state)
{
	static char line[4096], got[RING_REC_DATA_SIZE];
	size_t glen;

	(void)state;
	corner_line("malformed-stamp", line, sizeof(line));
	glen = ours_of(line, got);
	assert_int_equal(glen, strlen(line));
	assert_memory_equal(got, line, glen);
}

/* Stamps auparse gives up on although they look like one: milliseconds
 * past 999, numbers past an unsigned long.  Found by fuzz_enrich_diff. */
static void
test_stamps_auparse_refuses(void **state)
{
	static const char *stamps[] = { "1700000000.1000:1",
	    "14919.56045230:1065565", "1700000000.-1:1",
	    "18446744073709551616.5:1", "1700000000.5:18446744073709551616",
	    "1700000000.18446744073709551616:1", "0000000000.5:1",
	    "1700000000.999:1", "18446744073709551615.5:1",
	    "-1700000000.5:1", "1700000000.0999:1", "1700000000.x:1",
	    "1700000000..5:1", "1700000000.5:1:2" };

	(void)state;
	for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++)
		comparef("type=USER msg=audit(%s): pid=1 uid=1000 auid=0 "
		    "msg='op=x res=success'", stamps[i]);
	expect_no_difference("stamps");
}

/* "node= type=...": an empty node of a replayed line is kept, as auditd
 * keeps it (auditd 3.0.9 wrote such lines with name_format = user and no
 * name).  Found by fuzz_enrich_diff. */
static void
test_empty_node(void **state)
{
	(void)state;
	comparef("node= type=PROCTITLE msg=audit(1451781471.394:194433): "
	    "proctitle=\"bash\"");
	comparef("node= type=SYSCALL msg=audit(1.000:1): arch=c000003e "
	    "syscall=59 success=yes exit=0 a0=3 items=0 ppid=1 pid=2 auid=0 "
	    "uid=0 key=(null)");
	comparef("node= type=USER_LOGIN msg=audit(1.000:2): pid=1 uid=0 "
	    "auid=1000 ses=1 msg='op=login id=0 exe=\"/bin/login\" "
	    "res=success'");
	expect_no_difference("empty node");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fixture_records, reset),
		cmocka_unit_test_setup(test_syscalls_by_arch, reset),
		cmocka_unit_test_setup(test_other_machines_records, reset),
		cmocka_unit_test_setup(test_socketcall_and_ipc, reset),
		cmocka_unit_test_setup(test_field_names_by_record_type, reset),
		cmocka_unit_test_setup(test_id_values, reset),
		cmocka_unit_test_setup(test_sockaddrs, reset),
		cmocka_unit_test_setup(test_random_lines, reset),
		cmocka_unit_test_setup(test_long_lines, reset),
		cmocka_unit_test_setup(test_saddr_with_a_nonhex_tail, reset),
		cmocka_unit_test_setup(test_gs_byte_in_a_user_message_names_no_id,
		    reset),
		cmocka_unit_test_setup(test_odd_hex_key_keeps_the_fields_in_place,
		    reset),
		cmocka_unit_test_setup(test_malformed_stamp_is_written_unenriched,
		    reset),
		cmocka_unit_test_setup(test_stamps_auparse_refuses, reset),
		cmocka_unit_test_setup(test_empty_node, reset),
	};

	if (parse_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
