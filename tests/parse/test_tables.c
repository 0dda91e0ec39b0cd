/*
 * test_tables.c - tables.c against the libraries auditd 3.0.9 takes its
 * ENRICHED names from: every syscall number -2..65535 (and some above) of
 * every machine number against audit_syscall_to_name(); the elf and machine lookups
 * against libaudit's for every AUDIT_ARCH_* value, every ELF machine with
 * each combination of the arch flags, and a million other values; and the
 * socketcall, ipc and family names against what libauparse prints when it
 * interprets synthetic SYSCALL and SOCKADDR records, as auditd does (raw
 * escaping), for every operation 0..300 and every family 0..65535.
 *
 * Every difference is listed before the test fails.  The syscall, machine
 * and elf tables are built from libaudit itself (parse_init), so these
 * hold that building to the library's own answers; libauparse is this
 * program's alone.
 */
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <auparse.h>
#include <libaudit.h>
#include <linux/audit.h>

#include "parse/parse.h"

_Static_assert(PARSE_MACH_X86 == MACH_X86, "machine_t");
_Static_assert(PARSE_MACH_86_64 == MACH_86_64, "machine_t");
_Static_assert(PARSE_MACH_IA64 == MACH_IA64, "machine_t");
_Static_assert(PARSE_MACH_PPC64 == MACH_PPC64, "machine_t");
_Static_assert(PARSE_MACH_PPC == MACH_PPC, "machine_t");
_Static_assert(PARSE_MACH_S390X == MACH_S390X, "machine_t");
_Static_assert(PARSE_MACH_S390 == MACH_S390, "machine_t");
_Static_assert(PARSE_MACH_ALPHA == MACH_ALPHA, "machine_t");
_Static_assert(PARSE_MACH_ARM == MACH_ARM, "machine_t");
_Static_assert(PARSE_MACH_AARCH64 == MACH_AARCH64, "machine_t");
_Static_assert(PARSE_MACH_PPC64LE == MACH_PPC64LE, "machine_t");

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define OR_NONE(s) ((s) != NULL ? (s) : "(none)")

/* Both NULL, or the same string. */
static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static unsigned sc_diffs;

static void
check_syscall(int nr, int m)
{
	const char *want = audit_syscall_to_name(nr, m);
	const char *got = parse_syscall_name(nr, m);

	enum parse_sc_op op = PARSE_SC_PLAIN;

	if (!same(want, got) && sc_diffs++ < 100)
		printf("machine %d (%s) syscall %d: libaudit \"%s\", "
		    "ours \"%s\"\n", m, OR_NONE(audit_machine_to_name(m)), nr,
		    OR_NONE(want), OR_NONE(got));
	/* auparse names a0 by the syscall's name. */
	if (same(want, "socketcall"))
		op = PARSE_SC_SOCKETCALL;
	else if (same(want, "ipc"))
		op = PARSE_SC_IPC;
	if (parse_syscall_op(nr, m) != op && sc_diffs++ < 100)
		printf("machine %d syscall %d (%s): op %d, not %d\n", m, nr,
		    OR_NONE(want), (int)parse_syscall_op(nr, m), (int)op);
}

/* Syscall names checked by hand, from each machine. */
static const struct {
	int nr, machine;
	const char *name;
} by_hand[] = {
	{ 59, PARSE_MACH_86_64, "execve" },
	{ 17, PARSE_MACH_86_64, "pread" },
	{ 11, PARSE_MACH_X86, "execve" },
	{ 102, PARSE_MACH_X86, "socketcall" },
	{ 117, PARSE_MACH_X86, "ipc" },
	{ 283, PARSE_MACH_X86, "sys_kexec_load" },
	{ 221, PARSE_MACH_AARCH64, "execve" },
	{ 80, PARSE_MACH_AARCH64, "newfstat" },
	{ 11, PARSE_MACH_ARM, "execve" },
	{ 11, PARSE_MACH_PPC64LE, "execve" },
	{ 11, PARSE_MACH_PPC, "execve" },
	{ 11, PARSE_MACH_S390X, "execve" },
	{ 102, PARSE_MACH_S390, "socketcall" },
};

/*
 * Every machine number libaudit could know (past PARSE_MACH_MAX too), and
 * every syscall number -2..65535 of each, past tables.c's probe bound;
 * then numbers from above: ARM's private ones (0x0f0000), x32's bit, the
 * ends of int.
 */
static void
test_syscalls_against_libaudit(void **state)
{
	static const int high[] = {
		0x0f0000, 0x0f0001, 0x0f0002, 0x0f0005, 0x40000000,
		0x40000000 + 59, 0x40000000 + 512, INT32_MAX, INT32_MIN,
		INT32_MIN + 59, -59,
	};
	static const int machines[] = {
		PARSE_MACH_X86, PARSE_MACH_86_64, PARSE_MACH_PPC64,
		PARSE_MACH_PPC, PARSE_MACH_S390X, PARSE_MACH_S390,
		PARSE_MACH_ARM, PARSE_MACH_AARCH64, PARSE_MACH_PPC64LE,
	};
	unsigned total = 0;
	size_t i;
	int m, nr;

	(void)state;
	sc_diffs = 0;
	for (m = -2; m <= PARSE_MACH_MAX + 8; m++) {
		unsigned named = 0;

		for (nr = -2; nr <= 65535; nr++) {
			check_syscall(nr, m);
			named += audit_syscall_to_name(nr, m) != NULL;
		}
		for (i = 0; i < NELEM(high); i++)
			check_syscall(high[i], m);
		if (named > 0)
			printf("%s: %u syscalls named by libaudit\n",
			    OR_NONE(audit_machine_to_name(m)), named);
		total += named;
	}
	if (sc_diffs > 0)
		fail_msg("%u syscall names differ from libaudit's", sc_diffs);
	/* Every machine of libaudit 3.0.9's has a table, here too. */
	for (i = 0; i < NELEM(machines); i++) {
		unsigned named = 0;

		for (nr = 0; nr < 1024; nr++)
			named += parse_syscall_name(nr, machines[i]) != NULL;
		printf("machine %d: %u syscalls named here\n", machines[i],
		    named);
		assert_true(named > 300);
	}
	assert_true(total > 9 * 300);

	/* A few by hand, from each machine. */
	for (i = 0; i < NELEM(by_hand); i++)
		assert_string_equal(parse_syscall_name(by_hand[i].nr,
		    by_hand[i].machine), by_hand[i].name);
	assert_int_equal(parse_syscall_op(102, PARSE_MACH_S390),
	    PARSE_SC_SOCKETCALL);
	assert_int_equal(parse_syscall_op(117, PARSE_MACH_X86), PARSE_SC_IPC);
	assert_int_equal(parse_syscall_op(117, PARSE_MACH_86_64),
	    PARSE_SC_PLAIN);
	assert_null(parse_syscall_name(59, PARSE_MACH_IA64));
	assert_null(parse_syscall_name(59, PARSE_MACH_ALPHA));
	assert_null(parse_syscall_name(-1, PARSE_MACH_86_64));
	assert_null(parse_syscall_name(INT32_MIN, PARSE_MACH_86_64));
	assert_null(parse_syscall_name(INT32_MAX, PARSE_MACH_X86));
	assert_null(parse_syscall_name(59, -1));
	assert_null(parse_syscall_name(59, INT32_MAX));
}

/*
 * parse_fini and a second parse_init give the same tables; a second
 * parse_init without parse_fini changes nothing.
 */
static void
test_init_again(void **state)
{
	const char *before = parse_syscall_name(59, PARSE_MACH_86_64);

	(void)state;
	assert_int_equal(parse_init(), 0);
	assert_ptr_equal(parse_syscall_name(59, PARSE_MACH_86_64), before);
	parse_fini();
	assert_int_equal(parse_init(), 0);
	assert_string_equal(parse_syscall_name(59, PARSE_MACH_86_64),
	    "execve");
	assert_string_equal(parse_machine_name(PARSE_MACH_S390X), "s390x");
	assert_int_equal(parse_elf_to_machine(AUDIT_ARCH_ARM), PARSE_MACH_ARM);
}

static void
test_machine_names(void **state)
{
	int m;

	(void)state;
	for (m = -1; m <= PARSE_MACH_MAX + 8; m++) {
		const char *want = audit_machine_to_name(m);
		const char *got = parse_machine_name(m);

		if (!same(want, got))
			fail_msg("machine %d: libaudit \"%s\", ours \"%s\"",
			    m, OR_NONE(want), OR_NONE(got));
	}
	assert_null(parse_machine_name(INT32_MIN));
	assert_null(parse_machine_name(INT32_MAX));
	assert_int_equal(parse_host_machine(), audit_detect_machine());
}

static unsigned elf_diffs;

static void
check_elf(uint32_t elf)
{
	int want = audit_elf_to_machine(elf), got = parse_elf_to_machine(elf);

	if (want != got) {
		if (elf_diffs++ < 100)
			printf("elf 0x%08" PRIx32 ": libaudit %d, ours %d\n",
			    elf, want, got);
	}
}

/* Each value as is, and with each combination of the arch flag bits. */
static void
check_elf_flags(uint32_t elf)
{
	static const uint32_t flags[] = {
		0, __AUDIT_ARCH_LE, __AUDIT_ARCH_64BIT,
		__AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE,
		__AUDIT_ARCH_CONVENTION_MIPS64_N32,
		__AUDIT_ARCH_CONVENTION_MIPS64_N32 | __AUDIT_ARCH_64BIT |
		    __AUDIT_ARCH_LE,
		__AUDIT_ARCH_CONVENTION_MASK,
	};
	uint32_t v[1 + 3 * NELEM(flags)];
	size_t i, j, n = 0;

	v[n++] = elf;
	for (i = 0; i < NELEM(flags); i++) {
		v[n++] = elf | flags[i];
		v[n++] = elf & ~flags[i];
		v[n++] = elf ^ flags[i];
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && v[j] != v[i]; j++)
			;
		if (j == i)
			check_elf(v[i]);
	}
}

static void
test_elf_against_libaudit(void **state)
{
	static const uint32_t arches[] = {
		AUDIT_ARCH_AARCH64, AUDIT_ARCH_ALPHA, AUDIT_ARCH_ARCOMPACT,
		AUDIT_ARCH_ARCOMPACTBE, AUDIT_ARCH_ARCV2, AUDIT_ARCH_ARCV2BE,
		AUDIT_ARCH_ARM, AUDIT_ARCH_ARMEB, AUDIT_ARCH_C6X,
		AUDIT_ARCH_C6XBE, AUDIT_ARCH_CRIS, AUDIT_ARCH_CSKY,
		AUDIT_ARCH_FRV, AUDIT_ARCH_H8300, AUDIT_ARCH_HEXAGON,
		AUDIT_ARCH_I386, AUDIT_ARCH_IA64, AUDIT_ARCH_M32R,
		AUDIT_ARCH_M68K, AUDIT_ARCH_MICROBLAZE, AUDIT_ARCH_MIPS,
		AUDIT_ARCH_MIPSEL, AUDIT_ARCH_MIPS64, AUDIT_ARCH_MIPS64N32,
		AUDIT_ARCH_MIPSEL64, AUDIT_ARCH_MIPSEL64N32, AUDIT_ARCH_NDS32,
		AUDIT_ARCH_NDS32BE, AUDIT_ARCH_NIOS2, AUDIT_ARCH_OPENRISC,
		AUDIT_ARCH_PARISC, AUDIT_ARCH_PARISC64, AUDIT_ARCH_PPC,
		AUDIT_ARCH_PPC64, AUDIT_ARCH_PPC64LE, AUDIT_ARCH_RISCV32,
		AUDIT_ARCH_RISCV64, AUDIT_ARCH_S390, AUDIT_ARCH_S390X,
		AUDIT_ARCH_SH, AUDIT_ARCH_SHEL, AUDIT_ARCH_SH64,
		AUDIT_ARCH_SHEL64, AUDIT_ARCH_SPARC, AUDIT_ARCH_SPARC64,
		AUDIT_ARCH_TILEGX, AUDIT_ARCH_TILEGX32, AUDIT_ARCH_TILEPRO,
		AUDIT_ARCH_UNICORE, AUDIT_ARCH_X86_64, AUDIT_ARCH_XTENSA,
#ifdef AUDIT_ARCH_LOONGARCH64
		AUDIT_ARCH_LOONGARCH32, AUDIT_ARCH_LOONGARCH64,
#endif
		0, UINT32_MAX,
	};
	uint64_t x = 0x9e3779b97f4a7c15u;
	uint32_t em;
	size_t i;
	int m;

	(void)state;
	elf_diffs = 0;
	for (i = 0; i < NELEM(arches); i++)
		check_elf_flags(arches[i]);
	/* Every ELF machine number (e_machine is 16 bits). */
	for (em = 0; em <= UINT16_MAX; em++)
		check_elf_flags(em);
	/* And values from anywhere: xorshift64, fixed seed. */
	for (i = 0; i < 1000000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		check_elf_flags((uint32_t)x);
	}
	/* Each machine's own elf value comes back to it. */
	for (m = -1; m <= PARSE_MACH_MAX + 8; m++) {
		uint32_t elf = (uint32_t)audit_machine_to_elf(m);

		if (elf != 0 && parse_elf_to_machine(elf) != m)
			fail_msg("machine %d: audit_machine_to_elf 0x%08"
			    PRIx32 " gives %d", m, elf,
			    parse_elf_to_machine(elf));
	}
	if (elf_diffs > 0)
		fail_msg("%u elf lookups differ from libaudit's", elf_diffs);
}

/*
 * Interpret one field of one record as auditd's ENRICHED formatter does
 * (libauparse, raw escaping).  Returns 0, or -1 when there is no such
 * field.
 */
static int
interpret(const char *rec, const char *field, char *out, size_t cap)
{
	auparse_state_t *au;
	int rc = -1;

	au = auparse_init(AUSOURCE_BUFFER, rec);
	assert_non_null(au);
	auparse_set_escape_mode(au, AUPARSE_ESC_RAW);
	if (auparse_first_record(au) <= 0)
		fail_msg("auparse takes no record from \"%s\"", rec);
	do {
		const char *name = auparse_get_field_name(au), *v;

		if (name == NULL || strcmp(name, field) != 0)
			continue;
		v = auparse_interpret_field(au);
		assert_non_null(v);
		snprintf(out, cap, "%s", v);
		rc = 0;
		break;
	} while (auparse_next_field(au) > 0);
	auparse_destroy(au);
	return rc;
}

/*
 * print_sockaddr prints "{ saddr_fam=NAME ...", or "unknown-family(N)"
 * for a family it has no name for.  A record of 128 bytes is long enough
 * for every family's address, so none is "too short".
 */
static void
test_families_against_auparse(void **state)
{
	static const char pfx[] = "{ saddr_fam=";
	char rec[512], out[512], want[64], unknown[32];
	unsigned fam, diffs = 0, named = 0;

	(void)state;
	for (fam = 0; fam <= UINT16_MAX; fam++) {
		const char *got = parse_family_name(fam);
		int n;

		n = snprintf(rec, sizeof(rec), "type=SOCKADDR "
		    "msg=audit(1.000:1): saddr=%02X%02X%0252d\n",
		    fam & 0xff, fam >> 8, 0);
		assert_true(n > 0 && (size_t)n < sizeof(rec));
		if (interpret(rec, "saddr", out, sizeof(out)) != 0)
			fail_msg("no saddr field in \"%s\"", rec);
		snprintf(unknown, sizeof(unknown), "unknown-family(%u)", fam);
		if (strcmp(out, unknown) == 0) {
			want[0] = '\0';
		} else if (strncmp(out, pfx, sizeof(pfx) - 1) == 0) {
			snprintf(want, sizeof(want), "%.*s",
			    (int)strcspn(out + sizeof(pfx) - 1, " "),
			    out + sizeof(pfx) - 1);
			named++;
		} else {
			fail_msg("family %u: auparse prints \"%s\"", fam, out);
		}
		if (!same(want[0] ? want : NULL, got)) {
			printf("family %u: auparse \"%s\", ours \"%s\"\n",
			    fam, want[0] ? want : "(none)", OR_NONE(got));
			diffs++;
		}
	}
	printf("auparse names %u families\n", named);
	if (diffs > 0)
		fail_msg("%u family names differ from auparse's", diffs);
	assert_null(parse_family_name(65536));
	assert_null(parse_family_name(UINT32_MAX));
}

/*
 * print_syscall prints "NAME(OP)" for i386's socketcall and ipc when it
 * knows the operation in a0 (hex, as the kernel writes it), else "NAME".
 */
static void
check_ops(int nr, const char *sc, const char *(*ours)(long))
{
	char rec[256], out[256], want[64];
	unsigned diffs = 0, named = 0;
	size_t len = strlen(sc);
	long op;

	for (op = 0; op <= 300; op++) {
		const char *got = ours(op);

		snprintf(rec, sizeof(rec), "type=SYSCALL msg=audit(1.000:1): "
		    "arch=40000003 syscall=%d success=yes exit=0 a0=%lx a1=0\n",
		    nr, op);
		if (interpret(rec, "syscall", out, sizeof(out)) != 0)
			fail_msg("no syscall field in \"%s\"", rec);
		if (strcmp(out, sc) == 0) {
			want[0] = '\0';
		} else if (strncmp(out, sc, len) == 0 && out[len] == '(' &&
		    out[strlen(out) - 1] == ')') {
			snprintf(want, sizeof(want), "%.*s",
			    (int)(strlen(out) - len - 2), out + len + 1);
			named++;
		} else {
			fail_msg("%s %ld: auparse prints \"%s\"", sc, op, out);
		}
		if (!same(want[0] ? want : NULL, got)) {
			printf("%s %ld: auparse \"%s\", ours \"%s\"\n", sc, op,
			    want[0] ? want : "(none)", OR_NONE(got));
			diffs++;
		}
	}
	printf("auparse names %u %s operations\n", named, sc);
	if (diffs > 0)
		fail_msg("%u %s names differ from auparse's", diffs, sc);
	assert_null(ours(-1));
	assert_null(ours(LONG_MIN));
	assert_null(ours(LONG_MAX));
}

static void
test_socketcall_against_auparse(void **state)
{
	(void)state;
	check_ops(102, "socketcall", parse_socketcall_name);
	assert_string_equal(parse_socketcall_name(3), "connect");
}

static void
test_ipc_against_auparse(void **state)
{
	(void)state;
	check_ops(117, "ipc", parse_ipc_name);
	assert_string_equal(parse_ipc_name(21), "shmat");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscalls_against_libaudit),
		cmocka_unit_test(test_init_again),
		cmocka_unit_test(test_machine_names),
		cmocka_unit_test(test_elf_against_libaudit),
		cmocka_unit_test(test_families_against_auparse),
		cmocka_unit_test(test_socketcall_against_auparse),
		cmocka_unit_test(test_ipc_against_auparse),
	};

	/* The differences listed before cmocka's failure, not after. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
