/*
 * ra_workload - the system calls behind tests/kernel/test_enriched.sh.
 *
 * Each mode makes one family of audit records, so that auditd and
 * ringauditd, fed the same events, have many kinds of fields to enrich:
 * user and group ids (known, unset, and ids no name has), both
 * architectures, system call names, and socket addresses of every family
 * auparse decodes.  The test loads the rules (most of them filter on this
 * program's path, -F exe=) and runs the modes one by one; this program
 * loads no rule and reads no log.
 *
 *   ra_workload files DIR        file activity in the watched DIR (PATH,
 *                                CWD), names with spaces and non-ASCII bytes
 *   ra_workload denied DIR       failed opens: ENOENT as root, EACCES as
 *                                uid RA_WL_UID (no such user)
 *   ra_workload net DIR          connect, bind, sendto: inet, inet6 (with a
 *                                scope id, and v4-mapped), unix (path,
 *                                abstract, unnamed), netlink, packet,
 *                                unspec, and a sockaddr too short for its
 *                                family
 *   ra_workload i386             int $0x80 from this 64-bit process:
 *                                getpid, socketcall (socket, connect,
 *                                bind), ipc (msgget, msgctl)
 *   ra_workload exec             execve of itself with a long argument
 *                                list: one argument past the kernel's
 *                                7500-byte split, hex-encoded ones
 *   ra_workload ipc              msgget/msgctl (IPC, IPC_SET_PERM),
 *                                mq_open/mq_unlink (MQ_OPEN), pipe2 and
 *                                socketpair (FD_PAIR), kill (OBJ_PID),
 *                                capset (CAPSET)
 *   ra_workload login            a child takes loginuid RA_WL_UID (LOGIN),
 *                                then calls getpid
 *   ra_workload usermsg          user-space records as PAM, sshd, login,
 *                                sudo and systemd send them, and USER
 *                                text auditctl -m refuses
 *   ra_workload runas UID GID PROG ARG...
 *                                setgroups/setresgid/setresuid, then exec
 *   ra_workload suid DIR         what the setuid copy does: getpid, and
 *                                open DIR/secret with its euid 0
 *   ra_workload burst N          N getpid calls
 *   ra_workload noop ...         exit 0: the target of exec
 *
 * Exit status 0 when every step that must work did; steps that are meant
 * to fail (ENOENT, EACCES, ECONNREFUSED...) are not checked beyond that.
 * Messages go to stderr.  No libc wrapper is trusted to make exactly the
 * call the rule expects: the socket and i386 parts use syscall(2) or int
 * $0x80 directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <mqueue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Ids no user or group has (the test checks): their names are
 * "unknown(N)". */
#define RA_WL_UID	54321
#define RA_WL_GID	54322
#define RA_WL_EUID	54323

/* User-space record types (libaudit.h's numbers; the kernel takes any
 * type in 1100-1199 and 2100-2999 from a process with CAP_AUDIT_WRITE). */
#define WL_USER			1005
#define WL_USER_AUTH		1100
#define WL_USER_ACCT		1101
#define WL_USER_MGMT		1102
#define WL_CRED_ACQ		1103
#define WL_CRED_DISP		1104
#define WL_USER_START		1105
#define WL_USER_END		1106
#define WL_USER_CHAUTHTOK	1108
#define WL_USER_ERR		1109
#define WL_USER_LOGIN		1112
#define WL_USER_CMD		1123
#define WL_SYSTEM_BOOT		1127
#define WL_SERVICE_START	1130
#define WL_ANOM_LOGIN_FAILURES	2100
#define WL_USER_ROLE_CHANGE	2300

/* i386 system call numbers and socketcall/ipc operations. */
#define I386_GETPID		20
#define I386_IPC		117
#define I386_SOCKETCALL		102
#define SOCKOP_SOCKET		1
#define SOCKOP_BIND		2
#define SOCKOP_CONNECT		3
#define IPCOP_MSGGET		13
#define IPCOP_MSGCTL		14

static const char *prog = "ra_workload";
static int failures;

static void __attribute__((format(printf, 1, 2)))
complain(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

/* A step that must work: complain with errno if it did not. */
static long
must(long rc, const char *what)
{
	if (rc < 0)
		complain("%s: %s", what, strerror(errno));
	return rc;
}

static void
path_in(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len) {
		fprintf(stderr, "%s: %s/%s: path too long\n", prog, dir, name);
		exit(2);
	}
}

/* Wait for a child; complain unless it exited 0. */
static void
reap(pid_t pid, const char *what)
{
	int status;

	if (pid < 0) {
		complain("fork for %s: %s", what, strerror(errno));
		return;
	}
	if (waitpid(pid, &status, 0) != pid)
		complain("waitpid for %s: %s", what, strerror(errno));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		complain("%s: child status %#x", what, (unsigned)status);
}

/* Become uid/euid/suid with the group gid: the child parts that must
 * show ids no name has. */
static int
become(uid_t uid, uid_t euid, gid_t gid)
{
	gid_t groups[1] = { gid };

	if (setgroups(1, groups) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, euid, 0) < 0) {
		complain("becoming %u/%u:%u: %s", (unsigned)uid, (unsigned)euid,
		    (unsigned)gid, strerror(errno));
		return -1;
	}
	return 0;
}

/* --- files ---------------------------------------------------------- */

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = (int)must(open(path, O_WRONLY | O_CREAT | O_TRUNC, mode),
	    path);

	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		complain("write %s", path);
	close(fd);
}

static int
mode_files(const char *dir)
{
	char a[4096], b[4096], sub[4096], buf[64];
	pid_t pid;
	int fd;

	path_in(a, sizeof(a), dir, "plain");
	write_file(a, "plain\n", 0644);
	fd = (int)must(open(a, O_RDONLY), a);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf)) < 0)
			complain("read %s", a);
		must(fchmod(fd, 0640), "fchmod");
		must(fchown(fd, RA_WL_UID, RA_WL_GID), "fchown");
		close(fd);
	}
	path_in(b, sizeof(b), dir, "renamed");
	must(rename(a, b), "rename");
	path_in(a, sizeof(a), dir, "link");
	must(symlink("renamed", a), "symlink");
	must(unlink(a), "unlink link");
	must(unlink(b), "unlink renamed");

	/* Names the kernel hex-encodes: a space, a quote, non-ASCII. */
	path_in(a, sizeof(a), dir, "with space \"q\" caf\xc3\xa9");
	write_file(a, "x\n", 0600);
	must(unlink(a), "unlink with space");

	/* A working directory with a space: CWD's cwd= is hex too. */
	path_in(sub, sizeof(sub), dir, "sub dir");
	must(mkdir(sub, 0755), "mkdir");
	if (must(chdir(sub), "chdir") == 0) {
		write_file("relative", "r\n", 0600);
		must(unlink("relative"), "unlink relative");
		must(chdir("/"), "chdir /");
	}
	must(rmdir(sub), "rmdir");

	/* Executed: -p x on the watch. */
	path_in(a, sizeof(a), dir, "script");
	write_file(a, "#!/bin/sh\nexit 0\n", 0755);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { a, NULL };

		execv(a, argv);
		_exit(127);
	}
	reap(pid, a);
	must(unlink(a), "unlink script");
	return 0;
}

/* --- denied --------------------------------------------------------- */

static int
mode_denied(const char *dir)
{
	char secret[4096];
	pid_t pid;

	if (open("/nonexistent/ra_workload/file", O_RDONLY) >= 0 ||
	    errno != ENOENT)
		complain("open of a missing file did not fail with ENOENT");
	if (openat(AT_FDCWD, "/nonexistent/ra workload/caf\xc3\xa9",
	    O_RDONLY) >= 0)
		complain("openat of a missing file worked");

	path_in(secret, sizeof(secret), dir, "secret");
	write_file(secret, "secret\n", 0600);

	/* uid, euid, suid and the groups all ids with no name. */
	pid = fork();
	if (pid == 0) {
		if (become(RA_WL_UID, RA_WL_EUID, RA_WL_GID) < 0)
			_exit(1);
		if (open(secret, O_RDONLY) >= 0 || errno != EACCES) {
			complain("open %s as uid %d did not fail with EACCES",
			    secret, RA_WL_UID);
			_exit(1);
		}
		if (open(secret, O_WRONLY) >= 0 || errno != EACCES)
			_exit(1);
		_exit(0);
	}
	reap(pid, "EACCES child");
	return 0;
}

/* --- net ------------------------------------------------------------ */

/* connect() or bind() through syscall(2); the result is not checked:
 * the kernel logs the address before it judges it. */
static int
sock_call(long nr, int fd, const void *sa, socklen_t len)
{
	return (int)syscall(nr, fd, sa, len);
}

static int
new_socket(int domain, int type, int protocol)
{
	int fd = socket(domain, type | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		complain("socket(%d, %d, %d): %s", domain, type, protocol,
		    strerror(errno));
	return fd;
}

static void
net_inet(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int l, c;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = new_socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return;
	must(sock_call(SYS_bind, l, &sin, sizeof(sin)), "bind inet");
	must(listen(l, 4), "listen inet");
	must(getsockname(l, (struct sockaddr *)&sin, &len), "getsockname");
	if ((c = new_socket(AF_INET, SOCK_STREAM, 0)) >= 0) {
		must(sock_call(SYS_connect, c, &sin, sizeof(sin)),
		    "connect inet");
		close(c);
	}
	close(l);

	/* Refused, and a datagram to a port of 5 digits. */
	sin.sin_port = htons(9);
	if ((c = new_socket(AF_INET, SOCK_STREAM, 0)) >= 0) {
		sock_call(SYS_connect, c, &sin, sizeof(sin));
		close(c);
	}
	if ((c = new_socket(AF_INET, SOCK_DGRAM, 0)) >= 0) {
		sin.sin_port = htons(65000);
		inet_pton(AF_INET, "192.0.2.33", &sin.sin_addr);
		syscall(SYS_sendto, c, "x", 1, 0, &sin, sizeof(sin));

		/* AF_UNSPEC dissolves a datagram socket's association. */
		struct sockaddr unspec = { .sa_family = AF_UNSPEC };
		sock_call(SYS_connect, c, &unspec, sizeof(unspec));
		close(c);
	}

	/* Too short for its family: logged, then refused (EINVAL). */
	if ((c = new_socket(AF_INET, SOCK_STREAM, 0)) >= 0) {
		sock_call(SYS_connect, c, &sin, 4);
		close(c);
	}
}

static void
net_inet6(void)
{
	struct sockaddr_in6 s6;
	socklen_t len = sizeof(s6);
	int l, c;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6addr_loopback;
	if ((l = new_socket(AF_INET6, SOCK_STREAM, 0)) < 0)
		return;
	must(sock_call(SYS_bind, l, &s6, sizeof(s6)), "bind inet6");
	must(listen(l, 4), "listen inet6");
	must(getsockname(l, (struct sockaddr *)&s6, &len), "getsockname6");
	if ((c = new_socket(AF_INET6, SOCK_STREAM, 0)) >= 0) {
		must(sock_call(SYS_connect, c, &s6, sizeof(s6)),
		    "connect inet6");
		close(c);
	}
	close(l);

	if ((c = new_socket(AF_INET6, SOCK_DGRAM, 0)) < 0)
		return;
	/* Link-local with the loopback's scope id, a flow label. */
	inet_pton(AF_INET6, "fe80::1:2", &s6.sin6_addr);
	s6.sin6_port = htons(5353);
	s6.sin6_scope_id = if_nametoindex("lo");
	s6.sin6_flowinfo = htonl(0x12345);
	sock_call(SYS_connect, c, &s6, sizeof(s6));
	/* A v4-mapped address, and a documentation prefix. */
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(53);
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &s6.sin6_addr);
	sock_call(SYS_connect, c, &s6, sizeof(s6));
	inet_pton(AF_INET6, "2001:db8:0:1::abcd", &s6.sin6_addr);
	syscall(SYS_sendto, c, "x", 1, 0, &s6, sizeof(s6));
	close(c);
}

static void
net_unix(const char *dir)
{
	struct sockaddr_un sun;
	socklen_t len;
	int l, c;

	/* A path. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	path_in(sun.sun_path, sizeof(sun.sun_path), dir, "sock");
	unlink(sun.sun_path);
	if ((l = new_socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return;
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(sun.sun_path) + 1);
	must(sock_call(SYS_bind, l, &sun, len), "bind unix");
	must(listen(l, 4), "listen unix");
	if ((c = new_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0) {
		must(sock_call(SYS_connect, c, &sun, len), "connect unix");
		close(c);
	}
	close(l);
	unlink(sun.sun_path);

	/* Abstract: a NUL, then a name that need not be text. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
	    "ra_workload.%d", (int)getpid());
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(sun.sun_path + 1));
	if ((l = new_socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return;
	must(sock_call(SYS_bind, l, &sun, len), "bind abstract");
	must(listen(l, 4), "listen abstract");
	if ((c = new_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0) {
		must(sock_call(SYS_connect, c, &sun, len), "connect abstract");
		close(c);
	}
	close(l);

	/* Unnamed: only the family, which autobinds. */
	if ((l = new_socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0) {
		must(sock_call(SYS_bind, l, &sun, sizeof(sa_family_t)),
		    "autobind unix");
		close(l);
	}
}

static void
net_other(void)
{
	struct sockaddr_nl snl;
	struct sockaddr_ll sll;
	int fd;

	memset(&snl, 0, sizeof(snl));
	snl.nl_family = AF_NETLINK;
	snl.nl_groups = 1;	/* RTMGRP_LINK */
	if ((fd = new_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)) >= 0) {
		must(sock_call(SYS_bind, fd, &snl, sizeof(snl)),
		    "bind netlink");
		close(fd);
	}
	/* A netlink destination with a pid: the kernel (0) refuses none. */
	if ((fd = new_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)) >= 0) {
		snl.nl_groups = 0;
		snl.nl_pid = 0;
		must(sock_call(SYS_connect, fd, &snl, sizeof(snl)),
		    "connect netlink");
		close(fd);
	}

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(0x0003);	/* ETH_P_ALL */
	sll.sll_ifindex = (int)if_nametoindex("lo");
	if ((fd = new_socket(AF_PACKET, SOCK_RAW, htons(0x0003))) >= 0) {
		sock_call(SYS_bind, fd, &sll, sizeof(sll));
		close(fd);
	}
}

static int
mode_net(const char *dir)
{
	net_inet();
	net_inet6();
	net_unix(dir);
	net_other();
	return 0;
}

/* --- i386 ----------------------------------------------------------- */

/*
 * A system call through the i386 entry: arch=40000003 in the record.
 * Arguments go in ebx, ecx, edx, esi, edi, so pointers must be below
 * 4 GiB (MAP_32BIT memory).  The 64-bit kernel clears r8-r11 on this
 * path.
 */
static long
int80(long nr, long a, long b, long c, long d, long e)
{
	long ret;

	__asm__ volatile ("int $0x80"
	    : "=a" (ret)
	    : "a" (nr), "b" (a), "c" (b), "d" (c), "S" (d), "D" (e)
	    : "r8", "r9", "r10", "r11", "cc", "memory");
	return ret;
}

static int
mode_i386(void)
{
	uint32_t *args;
	struct sockaddr_in *sin;
	struct sockaddr_un *sun;
	unsigned char *mem;
	long fd, id;

	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (mem == MAP_FAILED) {
		complain("mmap MAP_32BIT: %s", strerror(errno));
		return 1;
	}
	args = (uint32_t *)(void *)mem;
	sin = (struct sockaddr_in *)(void *)(mem + 64);
	sun = (struct sockaddr_un *)(void *)(mem + 256);

	if (int80(I386_GETPID, 0, 0, 0, 0, 0) != (long)getpid())
		complain("i386 getpid did not return the pid");

	args[0] = AF_INET;
	args[1] = SOCK_STREAM;
	args[2] = 0;
	fd = int80(I386_SOCKETCALL, SOCKOP_SOCKET, (long)(uintptr_t)args, 0,
	    0, 0);
	if (fd < 0) {
		complain("i386 socketcall(socket): %ld", fd);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(9);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		args[0] = (uint32_t)fd;
		args[1] = (uint32_t)(uintptr_t)sin;
		args[2] = sizeof(*sin);
		int80(I386_SOCKETCALL, SOCKOP_CONNECT, (long)(uintptr_t)args,
		    0, 0, 0);
		close((int)fd);
	}

	args[0] = AF_UNIX;
	args[1] = SOCK_DGRAM;
	args[2] = 0;
	fd = int80(I386_SOCKETCALL, SOCKOP_SOCKET, (long)(uintptr_t)args, 0,
	    0, 0);
	if (fd >= 0) {
		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1,
		    "ra_workload.i386.%d", (int)getpid());
		args[0] = (uint32_t)fd;
		args[1] = (uint32_t)(uintptr_t)sun;
		args[2] = (uint32_t)(offsetof(struct sockaddr_un, sun_path) +
		    1 + strlen(sun->sun_path + 1));
		if (int80(I386_SOCKETCALL, SOCKOP_BIND, (long)(uintptr_t)args,
		    0, 0, 0) < 0)
			complain("i386 socketcall(bind) failed");
		close((int)fd);
	}

	id = int80(I386_IPC, IPCOP_MSGGET, IPC_PRIVATE, IPC_CREAT | 0600, 0,
	    0);
	if (id < 0)
		complain("i386 ipc(msgget): %ld", id);
	else if (int80(I386_IPC, IPCOP_MSGCTL, id, IPC_RMID, 0, 0) < 0)
		complain("i386 ipc(msgctl, IPC_RMID) failed");
	munmap(mem, 4096);
	return 0;
}

/* --- exec ----------------------------------------------------------- */

static int
mode_exec(void)
{
	static char longarg[10001], spaced[9001];
	char self[4096], *argv[64];
	char names[40][8];
	ssize_t len;
	int n = 0, i;
	pid_t pid;

	/* The real path, so that the rule's -F exe= matches and a0 names it. */
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0) {
		complain("/proc/self/exe: %s", strerror(errno));
		return 1;
	}
	self[len] = '\0';

	memset(longarg, 'A', sizeof(longarg) - 1);
	for (i = 0; i < (int)sizeof(spaced) - 1; i++)
		spaced[i] = i % 10 == 9 ? ' ' : (char)('a' + i % 26);

	argv[n++] = self;
	argv[n++] = (char *)(uintptr_t)"noop";
	for (i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "arg%02d", i);
		argv[n++] = names[i];
	}
	argv[n++] = longarg;
	argv[n++] = (char *)(uintptr_t)"with space";
	argv[n++] = (char *)(uintptr_t)"dq\"uote";
	argv[n++] = (char *)(uintptr_t)"it's";
	argv[n++] = (char *)(uintptr_t)"tab\there";
	argv[n++] = (char *)(uintptr_t)"caf\xc3\xa9";
	argv[n++] = (char *)(uintptr_t)"\x01" "ctl";
	argv[n++] = (char *)(uintptr_t)"";
	argv[n++] = spaced;
	argv[n++] = (char *)(uintptr_t)"last";
	argv[n] = NULL;

	pid = fork();
	if (pid == 0) {
		execv(self, argv);
		_exit(127);
	}
	reap(pid, "exec");
	return 0;
}

/* --- ipc and the rest ----------------------------------------------- */

static void
ipc_sysv(void)
{
	struct msqid_ds ds;
	int id = (int)must(msgget(IPC_PRIVATE, IPC_CREAT | 0600), "msgget");

	if (id < 0)
		return;
	if (must(msgctl(id, IPC_STAT, &ds), "msgctl IPC_STAT") == 0) {
		ds.msg_perm.uid = RA_WL_UID;
		ds.msg_perm.gid = RA_WL_GID;
		ds.msg_perm.mode = 0640;
		must(msgctl(id, IPC_SET, &ds), "msgctl IPC_SET");
	}
	must(msgctl(id, IPC_RMID, NULL), "msgctl IPC_RMID");
}

static void
ipc_mqueue(void)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 64 };
	char name[64];
	mqd_t q;

	snprintf(name, sizeof(name), "/ra_workload.%d", (int)getpid());
	q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	if (q == (mqd_t)-1) {
		complain("mq_open %s: %s", name, strerror(errno));
		return;
	}
	must(mq_send(q, "x", 1, 3), "mq_send");
	mq_close(q);
	must(mq_unlink(name), "mq_unlink");
}

static int
mode_ipc(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[2];
	int fds[2];
	pid_t pid;

	ipc_sysv();
	ipc_mqueue();

	if (must(pipe2(fds, O_CLOEXEC), "pipe2") == 0) {
		close(fds[0]);
		close(fds[1]);
	}
	if (must(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), "socketpair") ==
	    0) {
		close(fds[0]);
		close(fds[1]);
	}

	/* kill: OBJ_PID names the target (a child as an unknown uid). */
	pid = fork();
	if (pid == 0) {
		if (become(RA_WL_UID, RA_WL_UID, RA_WL_GID) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	if (pid > 0) {
		int status;

		usleep(100000);
		must(kill(pid, SIGKILL), "kill");
		waitpid(pid, &status, 0);
	}

	/* capset with the capabilities it has: a CAPSET record. */
	if (must(syscall(SYS_capget, &hdr, caps), "capget") == 0)
		must(syscall(SYS_capset, &hdr, caps), "capset");
	return 0;
}

/* --- login ---------------------------------------------------------- */

static int
mode_login(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char text[32];
		int fd = open("/proc/self/loginuid", O_WRONLY);

		if (fd < 0) {
			complain("/proc/self/loginuid: %s", strerror(errno));
			_exit(1);
		}
		snprintf(text, sizeof(text), "%d", RA_WL_UID);
		if (write(fd, text, strlen(text)) < 0) {
			complain("setting loginuid %s: %s", text,
			    strerror(errno));
			_exit(1);
		}
		close(fd);
		syscall(SYS_getpid);
		_exit(0);
	}
	reap(pid, "login");
	return 0;
}

/* --- usermsg -------------------------------------------------------- */

static const struct {
	uint16_t type;
	const char *text;
} user_records[] = {
	/* What auditctl -m refuses: non-ASCII, a tab, a newline. */
	{ WL_USER, "text=caf\xc3\xa9 and a tab\there exe=\"/usr/sbin/"
	    "ra_workload\" hostname=? addr=? terminal=? res=success" },
	{ WL_USER, "text=two\nlines exe=\"/usr/sbin/ra_workload\" "
	    "hostname=? addr=? terminal=? res=success" },
	{ WL_USER_AUTH, "op=PAM:authentication grantors=pam_unix "
	    "acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=192.0.2.7 "
	    "addr=192.0.2.7 terminal=ssh res=success" },
	{ WL_USER_ACCT, "op=PAM:accounting grantors=pam_permit "
	    "acct=7261207573657220C3A9 exe=\"/usr/sbin/sshd\" "
	    "hostname=2001:db8::7 addr=2001:db8::7 terminal=ssh "
	    "res=success" },
	{ WL_CRED_ACQ, "op=PAM:setcred grantors=pam_unix acct=\"root\" "
	    "exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh "
	    "res=success" },
	{ WL_USER_LOGIN, "op=login id=54321 exe=\"/usr/sbin/sshd\" "
	    "hostname=? addr=192.0.2.7 terminal=/dev/pts/3 res=failed" },
	{ WL_USER_LOGIN, "op=login id=0 exe=\"/usr/sbin/sshd\" hostname=? "
	    "addr=192.0.2.7 terminal=/dev/pts/3 res=success" },
	{ WL_USER_START, "op=PAM:session_open grantors=pam_unix "
	    "acct=\"root\" exe=\"/usr/bin/login\" hostname=? addr=? "
	    "terminal=/dev/tty1 res=success" },
	{ WL_USER_CMD, "cwd=\"/root\" cmd=6964202D7520726F6F74 "
	    "exe=\"/usr/bin/sudo\" terminal=pts/0 res=success" },
	{ WL_USER_MGMT, "op=changing-shell id=54321 "
	    "exe=\"/usr/sbin/usermod\" hostname=? addr=? terminal=pts/0 "
	    "res=failed" },
	{ WL_USER_CHAUTHTOK, "op=PAM:chauthtok grantors=pam_unix "
	    "acct=\"root\" exe=\"/usr/bin/passwd\" hostname=? addr=? "
	    "terminal=pts/0 res=success" },
	{ WL_USER_ERR, "op=PAM:bad_ident grantors=? acct=\"?\" "
	    "exe=\"/usr/sbin/sshd\" hostname=192.0.2.7 addr=192.0.2.7 "
	    "terminal=ssh res=failed" },
	{ WL_USER_END, "op=PAM:session_close grantors=pam_unix "
	    "acct=\"root\" exe=\"/usr/bin/login\" hostname=? addr=? "
	    "terminal=/dev/tty1 res=success" },
	{ WL_CRED_DISP, "op=PAM:setcred grantors=pam_unix acct=\"root\" "
	    "exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh "
	    "res=success" },
	{ WL_SYSTEM_BOOT, " comm=\"systemd-update-utmp\" "
	    "exe=\"/lib/systemd/systemd-update-utmp\" hostname=? addr=? "
	    "terminal=? res=success" },
	{ WL_SERVICE_START, "unit=ssh comm=\"systemd\" "
	    "exe=\"/lib/systemd/systemd\" hostname=? addr=? terminal=? "
	    "res=success" },
	{ WL_ANOM_LOGIN_FAILURES, "pam_faillock uid=54321 exe=\"/usr/bin/"
	    "login\" hostname=? addr=? terminal=tty1 res=success" },
	{ WL_USER_ROLE_CHANGE, "op=login-role-change auid=54321 gid=54322 "
	    "exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=? "
	    "res=success" },
};

/* One user-space record to the kernel, and its acknowledgement. */
static void
user_record(int fd, uint16_t type, const char *text, uint32_t seq)
{
	struct {
		struct nlmsghdr nh;
		char text[1024];
	} req;
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
		char rest[256];
	} ack;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t len = strlen(text) + 1;
	ssize_t got;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(len);
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = seq;
	memcpy(req.text, text, len);
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
	    sizeof(kernel)) < 0) {
		complain("sending a type %u record: %s", type, strerror(errno));
		return;
	}
	got = recv(fd, &ack, sizeof(ack), 0);
	if (got < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    ack.nh.nlmsg_type != NLMSG_ERROR || ack.err.error != 0)
		complain("type %u record: no positive ack (%s)", type,
		    got < 0 ? strerror(errno) : strerror(-ack.err.error));
}

static int
mode_usermsg(void)
{
	size_t i;
	int fd = new_socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);

	if (fd < 0)
		return 1;
	for (i = 0; i < sizeof(user_records) / sizeof(user_records[0]); i++)
		user_record(fd, user_records[i].type, user_records[i].text,
		    (uint32_t)i + 1);
	close(fd);
	return 0;
}

/* --- runas, suid, burst --------------------------------------------- */

static int
mode_runas(char **argv)
{
	uid_t uid = (uid_t)strtoul(argv[0], NULL, 10);
	gid_t gid = (gid_t)strtoul(argv[1], NULL, 10);
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		gid_t groups[1] = { gid };

		if (setgroups(1, groups) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0) {
			complain("runas %u:%u: %s", (unsigned)uid,
			    (unsigned)gid, strerror(errno));
			_exit(1);
		}
		execv(argv[2], argv + 2);
		complain("exec %s: %s", argv[2], strerror(errno));
		_exit(127);
	}
	reap(pid, argv[2]);
	return 0;
}

static int
mode_suid(const char *dir)
{
	char secret[4096];
	int fd;

	if (getuid() == geteuid())
		complain("suid: uid %u and euid %u are the same: not setuid?",
		    (unsigned)getuid(), (unsigned)geteuid());
	syscall(SYS_getpid);
	path_in(secret, sizeof(secret), dir, "secret");
	fd = (int)must(open(secret, O_RDONLY), secret);
	if (fd >= 0)
		close(fd);
	return 0;
}

static int
mode_burst(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getpid);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: %s files|denied|net|suid DIR\n"
	    "       %s i386|exec|ipc|login|usermsg\n"
	    "       %s runas UID GID PROG [ARG...]\n"
	    "       %s burst N\n", prog, prog, prog, prog);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *mode;
	int rc;

	if (argc < 2)
		usage();
	mode = argv[1];
	if (strcmp(mode, "noop") == 0)
		return 0;
	if (strcmp(mode, "files") == 0 && argc == 3)
		rc = mode_files(argv[2]);
	else if (strcmp(mode, "denied") == 0 && argc == 3)
		rc = mode_denied(argv[2]);
	else if (strcmp(mode, "net") == 0 && argc == 3)
		rc = mode_net(argv[2]);
	else if (strcmp(mode, "i386") == 0 && argc == 2)
		rc = mode_i386();
	else if (strcmp(mode, "exec") == 0 && argc == 2)
		rc = mode_exec();
	else if (strcmp(mode, "ipc") == 0 && argc == 2)
		rc = mode_ipc();
	else if (strcmp(mode, "login") == 0 && argc == 2)
		rc = mode_login();
	else if (strcmp(mode, "usermsg") == 0 && argc == 2)
		rc = mode_usermsg();
	else if (strcmp(mode, "runas") == 0 && argc >= 5)
		rc = mode_runas(argv + 2);
	else if (strcmp(mode, "suid") == 0 && argc == 3)
		rc = mode_suid(argv[2]);
	else if (strcmp(mode, "burst") == 0 && argc == 3)
		rc = mode_burst(strtoul(argv[2], NULL, 10));
	else
		usage();
	return rc != 0 || failures != 0 ? 1 : 0;
}
