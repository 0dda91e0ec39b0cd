/*
 * tables.c - the names ENRICHED lines give to numbers: machines, syscalls,
 * socketcall and ipc operations, address families.
 *
 * auditd 3.0.9 appends them from libaudit (arch and syscall names) and
 * libauparse (the rest); ringauditd must give the same names without
 * linking either.  Where each table comes from:
 *
 *   syscalls     generated at build time by tools/gen-syscalls.sh from
 *                the kernel's UAPI headers (asm/unistd_64.h for x86_64,
 *                asm/unistd_32.h for i386, asm-generic/unistd.h for
 *                aarch64), with libaudit's few spellings of its own
 *                applied there.  One array per machine, indexed by
 *                number.  libaudit's other machines (ppc, s390, arm)
 *                have no table here: their headers do not ship with an
 *                x86 system, and parse_syscall_name() gives NULL for them.
 *   machines     libaudit's machine_t numbers, its names for them, and
 *                the AUDIT_ARCH_* value each one matches exactly.
 *   socketcall,  auparse's names for the first argument of socketcall(2)
 *   ipc          and ipc(2): <linux/net.h>'s SYS_* and <linux/ipc.h>'s
 *                operation numbers.
 *   families     auparse's names for the address families it knows,
 *                indexed by AF_* number.
 *
 * The small tables are written here by hand.  tests/parse/test_tables.c
 * holds every table to the libraries themselves: every syscall number
 * -2..4095 of each machine against audit_syscall_to_name(), the machine
 * and elf lookups against libaudit's, and the names auparse prints when it
 * interprets synthetic SYSCALL and SOCKADDR records for every operation
 * 0..300 and every family 0..65535.
 *
 * All lookups are constant arrays or switches: no start-up work, no
 * locking, no allocation, safe from any thread.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/audit.h>
#include <linux/ipc.h>
#include <linux/net.h>

#include "parse/parse.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define RA_SYSCALL(nr, s) [nr] = s,
static const char *const sc_i386[] = {
#include "parse/syscalls_i386.def"
};
static const char *const sc_x86_64[] = {
#include "parse/syscalls_x86_64.def"
};
static const char *const sc_aarch64[] = {
#include "parse/syscalls_aarch64.def"
};
#undef RA_SYSCALL

const char *
parse_syscall_name(int nr, int machine)
{
	const char *const *t;
	size_t n;

	switch (machine) {
	case PARSE_MACH_X86:
		t = sc_i386, n = NELEM(sc_i386);
		break;
	case PARSE_MACH_86_64:
		t = sc_x86_64, n = NELEM(sc_x86_64);
		break;
	case PARSE_MACH_AARCH64:
		t = sc_aarch64, n = NELEM(sc_aarch64);
		break;
	default:
		return NULL;
	}
	if (nr < 0 || (size_t)nr >= n)
		return NULL;
	return t[nr];
}

/*
 * libaudit names a machine by the first of its aliases ("armeb" of arm's
 * several); ia64 and alpha are numbered but no longer named.
 */
static const char *const machines[] = {
	[PARSE_MACH_X86] = "i386",
	[PARSE_MACH_86_64] = "x86_64",
	[PARSE_MACH_PPC64] = "ppc64",
	[PARSE_MACH_PPC] = "ppc",
	[PARSE_MACH_S390X] = "s390x",
	[PARSE_MACH_S390] = "s390",
	[PARSE_MACH_ARM] = "armeb",
	[PARSE_MACH_AARCH64] = "aarch64",
	[PARSE_MACH_PPC64LE] = "ppc64le",
};

const char *
parse_machine_name(int machine)
{
	if (machine < 0 || (size_t)machine >= NELEM(machines))
		return NULL;
	return machines[machine];
}

/* Exact values only: libaudit ignores no bit of the arch. */
int
parse_elf_to_machine(uint32_t elf)
{
	switch (elf) {
	case AUDIT_ARCH_I386:
		return PARSE_MACH_X86;
	case AUDIT_ARCH_X86_64:
		return PARSE_MACH_86_64;
	case AUDIT_ARCH_PPC64:
		return PARSE_MACH_PPC64;
	case AUDIT_ARCH_PPC64LE:
		return PARSE_MACH_PPC64LE;
	case AUDIT_ARCH_PPC:
		return PARSE_MACH_PPC;
	case AUDIT_ARCH_S390X:
		return PARSE_MACH_S390X;
	case AUDIT_ARCH_S390:
		return PARSE_MACH_S390;
	case AUDIT_ARCH_ARM:
		return PARSE_MACH_ARM;
	case AUDIT_ARCH_AARCH64:
		return PARSE_MACH_AARCH64;
	default:
		return -1;
	}
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
