/*
 * tables.c - the names ENRICHED lines give to numbers: machines, syscalls,
 * socketcall and ipc operations, address families.
 *
 * auditd 3.0.9 appends them from libaudit (arch and syscall names) and
 * libauparse (the rest).  Where each table comes from:
 *
 *   syscalls,    libaudit itself, the library auditd and libauparse ask:
 *   machines,    its tables are the specification ENRICHED must match, for
 *   elf          every machine it knows (x86, ppc, s390, arm in their
 *                variants), and a kernel header of this system could only
 *                approximate them.  parse_init() asks it once, at start-up,
 *                before any worker runs: for each machine number below
 *                PARSE_MACH_MAX its name (audit_machine_to_name), its
 *                AUDIT_ARCH_* value (audit_machine_to_elf) and the name of
 *                every syscall number below SC_PROBE (audit_syscall_to_name).
 *                Each machine gets an array of libaudit's own strings,
 *                indexed by number up to its highest named one, all in one
 *                allocation (32 KB with libaudit 3.0.9: 9 machines, 451
 *                numbers each); the strings stay libaudit's (static in the
 *                library), nothing is copied.  A number
 *                libaudit does not name is NULL here, and enrich.c writes
 *                "unknown-syscall(N)" for it, as auparse does.  The
 *                numbers named "socketcall" and "ipc", whose a0 auparse
 *                names too, are noted, so that no record compares names.
 *   socketcall,  auparse's names for the first argument of socketcall(2)
 *   ipc          and ipc(2): <linux/net.h>'s SYS_* and <linux/ipc.h>'s
 *                operation numbers.
 *   families     auparse's names for the address families it knows,
 *                indexed by AF_* number.
 *
 * The small auparse tables are written here by hand (auparse has no
 * function that returns them).  tests/parse/test_tables.c holds every
 * table to the libraries: every syscall number -2..65535 (and a sample
 * above) of every machine against audit_syscall_to_name(), the machine and
 * elf lookups against libaudit's, and the names auparse prints when it
 * interprets synthetic SYSCALL and SOCKADDR records for every operation
 * 0..300 and every family 0..65535.
 *
 * parse_init() also has types.c build the record type names, from
 * libaudit too.  After it every lookup is an array index or a short scan: no
 * locking, no allocation, no library call, safe from any thread.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libaudit.h>
#include <linux/audit.h>
#include <linux/ipc.h>
#include <linux/net.h>

#include "parse/parse.h"
#include "parse/parse_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Syscall numbers asked of libaudit for each machine.  libaudit 3.0.9's
 * highest is 450 on every machine; a number at or past this bound that a
 * later libaudit names would be missing here, and test_tables, which asks
 * up to 65535, would name it.
 */
#define SC_PROBE 4096

static struct {
	const char **sc;	/* [nr]: libaudit's name, or NULL */
	unsigned nsc;		/* highest named number + 1; 0: none */
	int socketcall, ipc;	/* the numbers so named; -1: none */
	const char *name;	/* audit_machine_to_name(); NULL: none */
} mach[PARSE_MACH_MAX];

/* audit_machine_to_elf() of each machine that has one, in machine order. */
static struct {
	uint32_t elf;
	int machine;
} elfs[PARSE_MACH_MAX];
static unsigned nelfs;

static const char **sc_all;	/* the one allocation behind mach[].sc */
static bool ready;

int
parse_init(void)
{
	size_t total = 0, at = 0;
	unsigned nr;
	int m, rc;

	if (ready)
		return 0;
	if ((rc = types_init()) < 0)
		return rc;
	for (m = 0; m < PARSE_MACH_MAX; m++) {
		unsigned elf = audit_machine_to_elf(m);

		mach[m].name = audit_machine_to_name(m);
		/* libaudit names a syscall only by machines it knows. */
		for (nr = SC_PROBE; nr > 0; nr--)
			if (audit_syscall_to_name((int)nr - 1, m) != NULL)
				break;
		mach[m].nsc = nr;
		total += nr;
		/* audit_elf_to_machine() takes the first machine of an elf. */
		if (elf != 0 && audit_elf_to_machine(elf) == m) {
			elfs[nelfs].elf = elf;
			elfs[nelfs++].machine = m;
		}
	}
	if (total > 0 && (sc_all = calloc(total, sizeof(*sc_all))) == NULL) {
		parse_fini();
		return -ENOMEM;
	}
	for (m = 0; m < PARSE_MACH_MAX; m++) {
		mach[m].sc = sc_all + at;
		mach[m].socketcall = mach[m].ipc = -1;
		for (nr = 0; nr < mach[m].nsc; nr++) {
			const char *s = audit_syscall_to_name((int)nr, m);

			mach[m].sc[nr] = s;
			if (s != NULL && strcmp(s, "socketcall") == 0)
				mach[m].socketcall = (int)nr;
			else if (s != NULL && strcmp(s, "ipc") == 0)
				mach[m].ipc = (int)nr;
		}
		at += mach[m].nsc;
	}
	ready = true;
	return 0;
}

void
parse_fini(void)
{
	types_fini();
	free(sc_all);
	sc_all = NULL;
	memset(mach, 0, sizeof(mach));
	nelfs = 0;
	ready = false;
}

const char *
parse_syscall_name(int nr, int machine)
{
	assert(ready);
	if (machine < 0 || machine >= PARSE_MACH_MAX || nr < 0 ||
	    (unsigned)nr >= mach[machine].nsc)
		return NULL;
	return mach[machine].sc[nr];
}

enum parse_sc_op
parse_syscall_op(int nr, int machine)
{
	assert(ready);
	if (machine < 0 || machine >= PARSE_MACH_MAX || nr < 0)
		return PARSE_SC_PLAIN;
	if (nr == mach[machine].socketcall)
		return PARSE_SC_SOCKETCALL;
	if (nr == mach[machine].ipc)
		return PARSE_SC_IPC;
	return PARSE_SC_PLAIN;
}

const char *
parse_machine_name(int machine)
{
	assert(ready);
	if (machine < 0 || machine >= PARSE_MACH_MAX)
		return NULL;
	return mach[machine].name;
}

/* Exact values only: libaudit ignores no bit of the arch. */
int
parse_elf_to_machine(uint32_t elf)
{
	unsigned i;

	assert(ready);
	for (i = 0; i < nelfs; i++)
		if (elfs[i].elf == elf)
			return elfs[i].machine;
	return -1;
}

/*
 * audit_detect_machine() asks uname(2), so a 32-bit build on a 64-bit
 * kernel would see the kernel's machine; records carry their own arch, so
 * the build's machine is the one that matters here.
 */
int
parse_host_machine(void)
{
#if defined(__x86_64__)
	return PARSE_MACH_86_64;
#elif defined(__i386__)
	return PARSE_MACH_X86;
#elif defined(__aarch64__)
	return PARSE_MACH_AARCH64;
#elif defined(__arm__)
	return PARSE_MACH_ARM;
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return PARSE_MACH_PPC64LE;
#elif defined(__powerpc64__)
	return PARSE_MACH_PPC64;
#elif defined(__powerpc__)
	return PARSE_MACH_PPC;
#elif defined(__s390x__)
	return PARSE_MACH_S390X;
#elif defined(__s390__)
	return PARSE_MACH_S390;
#else
	return -1;
#endif
}

static const char *const socketcalls[] = {
	[SYS_SOCKET] = "socket",
	[SYS_BIND] = "bind",
	[SYS_CONNECT] = "connect",
	[SYS_LISTEN] = "listen",
	[SYS_ACCEPT] = "accept",
	[SYS_GETSOCKNAME] = "getsockname",
	[SYS_GETPEERNAME] = "getpeername",
	[SYS_SOCKETPAIR] = "socketpair",
	[SYS_SEND] = "send",
	[SYS_RECV] = "recv",
	[SYS_SENDTO] = "sendto",
	[SYS_RECVFROM] = "recvfrom",
	[SYS_SHUTDOWN] = "shutdown",
	[SYS_SETSOCKOPT] = "setsockopt",
	[SYS_GETSOCKOPT] = "getsockopt",
	[SYS_SENDMSG] = "sendmsg",
	[SYS_RECVMSG] = "recvmsg",
	[SYS_ACCEPT4] = "accept4",
	[SYS_RECVMMSG] = "recvmmsg",
	[SYS_SENDMMSG] = "sendmmsg",
};

/* t[i], or NULL past its end or at a hole. */
static const char *
name_at(const char *const *t, size_t n, long i)
{
	return i >= 0 && (unsigned long)i < n ? t[i] : NULL;
}

const char *
parse_socketcall_name(long op)
{
	return name_at(socketcalls, NELEM(socketcalls), op);
}

static const char *const ipcs[] = {
	[SEMOP] = "semop",
	[SEMGET] = "semget",
	[SEMCTL] = "semctl",
	[SEMTIMEDOP] = "semtimedop",
	[MSGSND] = "msgsnd",
	[MSGRCV] = "msgrcv",
	[MSGGET] = "msgget",
	[MSGCTL] = "msgctl",
	[SHMAT] = "shmat",
	[SHMDT] = "shmdt",
	[SHMGET] = "shmget",
	[SHMCTL] = "shmctl",
};

const char *
parse_ipc_name(long op)
{
	return name_at(ipcs, NELEM(ipcs), op);
}

/* auparse knows neither AF_IB (27) nor AF_MPLS (28), nor any past AF_XDP. */
static const char *const families[] = {
	[AF_LOCAL] = "local",
	[AF_INET] = "inet",
	[AF_AX25] = "ax25",
	[AF_IPX] = "ipx",
	[AF_APPLETALK] = "appletalk",
	[AF_NETROM] = "netrom",
	[AF_BRIDGE] = "bridge",
	[AF_ATMPVC] = "atmpvc",
	[AF_X25] = "x25",
	[AF_INET6] = "inet6",
	[AF_ROSE] = "rose",
	[AF_DECnet] = "decnet",
	[AF_NETBEUI] = "netbeui",
	[AF_SECURITY] = "security",
	[AF_KEY] = "key",
	[AF_NETLINK] = "netlink",
	[AF_PACKET] = "packet",
	[AF_ASH] = "ash",
	[AF_ECONET] = "econet",
	[AF_ATMSVC] = "atmsvc",
	[AF_RDS] = "rds",
	[AF_SNA] = "sna",
	[AF_IRDA] = "irda",
	[AF_PPPOX] = "pppox",
	[AF_WANPIPE] = "wanpipe",
	[AF_LLC] = "llc",
	[AF_CAN] = "can",
	[AF_TIPC] = "tipc",
	[AF_BLUETOOTH] = "bluetooth",
	[AF_IUCV] = "iucv",
	[AF_RXRPC] = "rxrpc",
	[AF_ISDN] = "isdn",
	[AF_PHONET] = "phonet",
	[AF_IEEE802154] = "ieee802154",
	[AF_CAIF] = "caif",
	[AF_ALG] = "alg",
	[AF_NFC] = "nfc",
	[AF_VSOCK] = "vsock",
	[AF_KCM] = "kcm",
	[AF_QIPCRTR] = "qipcrtr",
	[AF_SMC] = "smc",
	[AF_XDP] = "xdp",
};

const char *
parse_family_name(unsigned family)
{
	return name_at(families, NELEM(families), (long)family);
}
