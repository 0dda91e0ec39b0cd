/*
 * test_types.c - record type names: the ones auditd writes, UNKNOWN[n] for
 * the rest, name -> type -> name for every name libaudit gives, the
 * kernel's <linux/audit.h> types, and every type 0..65535 against
 * audit_msg_type_to_name() itself (which parse_init built the tables
 * from: this holds the building to the library).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libaudit.h>
#include <linux/audit.h>

#include "parse/parse.h"

/* Look a name up from a heap buffer of exactly its length. */
static int
from_name(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);
	int rc;

	assert_non_null(p);
	memcpy(p, s, len);
	rc = parse_type_from_name(p, len);
	free(p);
	return rc;
}

static int
from_str(const char *s)
{
	return from_name(s, strlen(s));
}

static void
test_known_names(void **state)
{
	static const struct {
		unsigned type;
		const char *name;
	} known[] = {
		{ 1300, "SYSCALL" }, { 1302, "PATH" }, { 1320, "EOE" },
		{ 1200, "DAEMON_START" }, { 1112, "USER_LOGIN" },
		{ 1400, "AVC" }, { 1327, "PROCTITLE" },
		{ 1305, "CONFIG_CHANGE" }, { 1005, "USER" }, { 1006, "LOGIN" },
		{ 1701, "ANOM_ABEND" }, { 1307, "CWD" }, { 1309, "EXECVE" },
		{ 1107, "USER_AVC" }, { 1203, "DAEMON_CONFIG" },
		{ 1205, "DAEMON_ROTATE" }, { 1209, "DAEMON_ERR" },
		{ 1500, "APPARMOR" }, { 2000, "KERNEL" },
		{ 2507, "VIRT_MIGRATE_OUT" },
	};
	char buf[PARSE_TYPE_NAME_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		assert_non_null(parse_type_name(known[i].type));
		assert_string_equal(parse_type_name(known[i].type),
		    known[i].name);
		assert_int_equal(parse_type_format(known[i].type, buf,
		    sizeof(buf)), strlen(known[i].name));
		assert_string_equal(buf, known[i].name);
		assert_int_equal(from_str(known[i].name), known[i].type);
	}
}

static void
test_unknown(void **state)
{
	static const unsigned unknown[] = {
		0, 1, 999, 1000, 1301, 1308, 1329, 1338, 1339, 1999, 2508,
		3000, 9999, 65535, 65536, 4294967295u,
	};
	char buf[PARSE_TYPE_NAME_MAX], want[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_null(parse_type_name(unknown[i]));
		snprintf(want, sizeof(want), "UNKNOWN[%u]", unknown[i]);
		assert_int_equal(parse_type_format(unknown[i], buf,
		    sizeof(buf)), strlen(want));
		assert_string_equal(buf, want);
		if (unknown[i] <= UINT16_MAX)
			assert_int_equal(from_str(want), unknown[i]);
		else
			assert_int_equal(from_str(want), -EINVAL);
	}
	/* The longest name of all fits PARSE_TYPE_NAME_MAX with its NUL. */
	assert_true(strlen("UNKNOWN[4294967295]") < PARSE_TYPE_NAME_MAX);
}

static void
test_format_truncates(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(parse_type_format(1300, buf, 4), 7);
	assert_string_equal(buf, "SYS");
	assert_int_equal(buf[4], 'x');
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(parse_type_format(1300, buf, 0), 7);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(parse_type_format(1300, NULL, 0), 7);
	assert_int_equal(parse_type_format(1329, buf, sizeof(buf)), 13);
	assert_string_equal(buf, "UNKNOWN");
	assert_int_equal(parse_type_format(1300, buf, sizeof(buf)), 7);
	assert_string_equal(buf, "SYSCALL");
}

static void
test_from_name_rejects_junk(void **state)
{
	static const char *junk[] = {
		"", "UNKNOWN", "UNKNOWN[", "UNKNOWN[]", "UNKNOWN[12x]",
		"UNKNOWN[x12]", "UNKNOWN[1", "UNKNOWN1]", "UNKNOWN[-1]",
		"UNKNOWN[+1]", "UNKNOWN[ 1]", "UNKNOWN[1 ]", "UNKNOWN[01]",
		"UNKNOWN[65536]", "UNKNOWN[4294967296]",
		"UNKNOWN[99999999999999999999]", "UNKNOWN[1]]", "unknown[1]",
		"syscall", "SYSCAL", "SYSCALLS", " SYSCALL", "SYSCALL ",
		"SYSCALL\n", "NOT_A_TYPE", "A", "ZZZ", "type=SYSCALL",
		"RESP_ORIGIN_UNBLOCK_TIMED_AND_THEN_SOME",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		if (from_str(junk[i]) != -EINVAL)
			fail_msg("accepted \"%s\"", junk[i]);
	assert_int_equal(parse_type_from_name(NULL, 0), -EINVAL);
	/* len bounds the name: nothing after it is looked at. */
	assert_int_equal(from_name("SYSCALLjunk", 7), 1300);
	assert_int_equal(from_name("EOE msg=", 3), 1320);
	assert_int_equal(from_name("UNKNOWN[12]3", 11), 12);
	assert_int_equal(from_name("SYSCALL", 6), -EINVAL);
	assert_int_equal(from_str("UNKNOWN[0]"), 0);
	/* Old logs name types now known as UNKNOWN[n]; n is still n. */
	assert_int_equal(from_str("UNKNOWN[1300]"), 1300);
}

/*
 * Every name libaudit gives: within PARSE_TYPE_NAME_MAX, and name -> type
 * -> name gives it back, as libaudit's own audit_name_to_msg_type() does.
 * And every type, named or not, survives format -> from_name.
 */
static void
test_table_round_trip(void **state)
{
	char buf[PARSE_TYPE_NAME_MAX];
	unsigned t, named = 0;
	int n;

	(void)state;
	for (t = 0; t <= UINT16_MAX; t++) {
		const char *want = audit_msg_type_to_name((int)t);

		if (want == NULL)
			continue;
		named++;
		assert_true(strlen(want) < PARSE_TYPE_NAME_MAX);
		n = from_str(want);
		assert_int_equal(n, t);
		assert_int_equal(audit_name_to_msg_type(want), t);
		assert_string_equal(parse_type_name((unsigned)n), want);
		assert_int_equal(parse_type_format((unsigned)n, buf,
		    sizeof(buf)), strlen(want));
		assert_string_equal(buf, want);
	}
	assert_true(named > 150);
	for (t = 0; t <= UINT16_MAX; t++) {
		size_t len = parse_type_format(t, buf, sizeof(buf));

		assert_true(len < sizeof(buf));
		assert_int_equal(from_name(buf, len), t);
	}
}

static void
test_logged(void **state)
{
	unsigned t;

	(void)state;
	assert_false(parse_type_logged(AUDIT_EOE));
	assert_false(parse_type_logged(1320));
	for (t = 0; t <= UINT16_MAX; t++)
		if (t != 1320)
			assert_true(parse_type_logged(t));
	assert_true(parse_type_logged(4294967295u));
}

/*
 * The record types of <linux/audit.h> are named after their macro, but
 * for the ones libaudit 3.0.9 does not know: auditd writes those as
 * UNKNOWN[n], and so must we.
 */
static void
test_linux_audit_h(void **state)
{
#define K(x) { AUDIT_##x, #x }
	static const struct {
		unsigned type;
		const char *name;
	} k[] = {
		K(USER), K(LOGIN), K(USER_AVC), K(USER_TTY), K(DAEMON_START),
		K(DAEMON_END), K(DAEMON_ABORT), K(DAEMON_CONFIG), K(SYSCALL),
		K(PATH), K(IPC), K(SOCKETCALL), K(CONFIG_CHANGE), K(SOCKADDR),
		K(CWD), K(EXECVE), K(IPC_SET_PERM), K(MQ_OPEN),
		K(MQ_SENDRECV), K(MQ_NOTIFY), K(MQ_GETSETATTR),
		K(KERNEL_OTHER), K(FD_PAIR), K(OBJ_PID), K(TTY), K(EOE),
		K(BPRM_FCAPS), K(CAPSET), K(MMAP), K(NETFILTER_PKT),
		K(NETFILTER_CFG), K(SECCOMP), K(PROCTITLE), K(FEATURE_CHANGE),
		K(KERN_MODULE), K(FANOTIFY), K(TIME_INJOFFSET),
		K(TIME_ADJNTPVAL), K(BPF), K(EVENT_LISTENER), K(URINGOP),
		K(OPENAT2), K(AVC), K(SELINUX_ERR), K(AVC_PATH),
		K(MAC_POLICY_LOAD), K(MAC_STATUS), K(MAC_CONFIG_CHANGE),
		K(MAC_UNLBL_ALLOW), K(MAC_CIPSOV4_ADD), K(MAC_CIPSOV4_DEL),
		K(MAC_MAP_ADD), K(MAC_MAP_DEL), K(MAC_IPSEC_ADDSA),
		K(MAC_IPSEC_DELSA), K(MAC_IPSEC_ADDSPD), K(MAC_IPSEC_DELSPD),
		K(MAC_IPSEC_EVENT), K(MAC_UNLBL_STCADD), K(MAC_UNLBL_STCDEL),
		K(MAC_CALIPSO_ADD), K(MAC_CALIPSO_DEL), K(ANOM_PROMISCUOUS),
		K(ANOM_ABEND), K(ANOM_LINK), K(ANOM_CREAT),
		K(INTEGRITY_DATA), K(INTEGRITY_METADATA), K(INTEGRITY_STATUS),
		K(INTEGRITY_HASH), K(INTEGRITY_PCR), K(INTEGRITY_RULE),
		K(INTEGRITY_EVM_XATTR), K(INTEGRITY_POLICY_RULE), K(KERNEL),
	};
	static const unsigned unnamed[] = {
		AUDIT_REPLACE,
#ifdef AUDIT_DM_CTRL
		AUDIT_DM_CTRL, AUDIT_DM_EVENT,
#endif
	};
#undef K
	char buf[PARSE_TYPE_NAME_MAX], want[PARSE_TYPE_NAME_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		if (parse_type_name(k[i].type) == NULL)
			fail_msg("%u AUDIT_%s has no name", k[i].type,
			    k[i].name);
		assert_string_equal(parse_type_name(k[i].type), k[i].name);
	}
	for (i = 0; i < sizeof(unnamed) / sizeof(unnamed[0]); i++) {
		assert_null(parse_type_name(unnamed[i]));
		parse_type_format(unnamed[i], buf, sizeof(buf));
		snprintf(want, sizeof(want), "UNKNOWN[%u]", unnamed[i]);
		assert_string_equal(buf, want);
	}
}

/* Every type 0..65535 against the library auditd names them with. */
static void
test_against_libaudit(void **state)
{
	unsigned t, named = 0;

	(void)state;
	for (t = 0; t <= UINT16_MAX; t++) {
		const char *want = audit_msg_type_to_name((int)t);
		const char *got = parse_type_name(t);

		if (want == NULL && got == NULL)
			continue;
		if (want == NULL || got == NULL || strcmp(want, got) != 0)
			fail_msg("type %u: libaudit \"%s\", ours \"%s\"", t,
			    want ? want : "(none)", got ? got : "(none)");
		named++;
	}
	printf("libaudit and parse_type_name agree on all 65536 types "
	    "(%u named)\n", named);
	assert_true(named > 150);
}

/* parse_fini, then parse_init again: the same names. */
static void
test_init_again(void **state)
{
	(void)state;
	parse_fini();
	assert_int_equal(parse_init(), 0);
	assert_string_equal(parse_type_name(1300), "SYSCALL");
	assert_int_equal(from_str("EOE"), 1320);
	assert_int_equal(from_str("UNKNOWN[1320]"), 1320);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_names),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_format_truncates),
		cmocka_unit_test(test_from_name_rejects_junk),
		cmocka_unit_test(test_table_round_trip),
		cmocka_unit_test(test_logged),
		cmocka_unit_test(test_linux_audit_h),
		cmocka_unit_test(test_against_libaudit),
		cmocka_unit_test(test_init_again),
	};

	if (parse_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
