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
 * $0x80 directly.  net and usermsg live in ra_workload_net.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <mqueue.h>
#include <netinet/in.h>
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

#include "ra_workload.h"

/* i386 system call numbers and socketcall/ipc operations. */
#define I386_GETPID		20
#define I386_IPC		117
#define I386_SOCKETCALL		102
#define SOCKOP_SOCKET		1
#define SOCKOP_BIND		2
#define SOCKOP_CONNECT		3
#define IPCOP_MSGGET		13
#define IPCOP_MSGCTL		14

const char *wl_prog = "ra_workload";
static int failures;

void
wl_complain(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", wl_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

long
wl_must(long rc, const char *what)
{
	if (rc < 0)
		wl_complain("%s: %s", what, strerror(errno));
	return rc;
}

void
wl_path_in(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len) {
		fprintf(stderr, "%s: %s/%s: path too long\n", wl_prog, dir, name);
		exit(2);
	}
}

/* Wait for a child; complain unless it exited 0. */
static void
reap(pid_t pid, const char *what)
{
	int status;

	if (pid < 0) {
		wl_complain("fork for %s: %s", what, strerror(errno));
		return;
	}
	if (waitpid(pid, &status, 0) != pid)
		wl_complain("waitpid for %s: %s", what, strerror(errno));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		wl_complain("%s: child status %#x", what, (unsigned)status);
}

/* Become uid/euid/suid with the group gid: the child parts that must
 * show ids no name has. */
static int
become(uid_t uid, uid_t euid, gid_t gid)
{
	gid_t groups[1] = { gid };

	if (setgroups(1, groups) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, euid, 0) < 0) {
		wl_complain("becoming %u/%u:%u: %s", (unsigned)uid, (unsigned)euid,
		    (unsigned)gid, strerror(errno));
		return -1;
	}
	return 0;
}

/* --- files ---------------------------------------------------------- */

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = (int)wl_must(open(path, O_WRONLY | O_CREAT | O_TRUNC, mode),
	    path);

	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		wl_complain("write %s", path);
	close(fd);
}

static int
mode_files(const char *dir)
{
	char a[4096], b[4096], sub[4096], buf[64];
	pid_t pid;
	int fd;

	wl_path_in(a, sizeof(a), dir, "plain");
	write_file(a, "plain\n", 0644);
	fd = (int)wl_must(open(a, O_RDONLY), a);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf)) < 0)
			wl_complain("read %s", a);
		wl_must(fchmod(fd, 0640), "fchmod");
		wl_must(fchown(fd, RA_WL_UID, RA_WL_GID), "fchown");
		close(fd);
	}
	wl_path_in(b, sizeof(b), dir, "renamed");
	wl_must(rename(a, b), "rename");
	wl_path_in(a, sizeof(a), dir, "link");
	wl_must(symlink("renamed", a), "symlink");
	wl_must(unlink(a), "unlink link");
	wl_must(unlink(b), "unlink renamed");

	/* Names the kernel hex-encodes: a space, a quote, non-ASCII. */
	wl_path_in(a, sizeof(a), dir, "with space \"q\" caf\xc3\xa9");
	write_file(a, "x\n", 0600);
	wl_must(unlink(a), "unlink with space");

	/* A working directory with a space: CWD's cwd= is hex too. */
	wl_path_in(sub, sizeof(sub), dir, "sub dir");
	wl_must(mkdir(sub, 0755), "mkdir");
	if (wl_must(chdir(sub), "chdir") == 0) {
		write_file("relative", "r\n", 0600);
		wl_must(unlink("relative"), "unlink relative");
		wl_must(chdir("/"), "chdir /");
	}
	wl_must(rmdir(sub), "rmdir");

	/* Executed: -p x on the watch. */
	wl_path_in(a, sizeof(a), dir, "script");
	write_file(a, "#!/bin/sh\nexit 0\n", 0755);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { a, NULL };

		execv(a, argv);
		_exit(127);
	}
	reap(pid, a);
	wl_must(unlink(a), "unlink script");
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
		wl_complain("open of a missing file did not fail with ENOENT");
	if (openat(AT_FDCWD, "/nonexistent/ra workload/caf\xc3\xa9",
	    O_RDONLY) >= 0)
		wl_complain("openat of a missing file worked");

	wl_path_in(secret, sizeof(secret), dir, "secret");
	write_file(secret, "secret\n", 0600);

	/* uid, euid, suid and the groups all ids with no name. */
	pid = fork();
	if (pid == 0) {
		if (become(RA_WL_UID, RA_WL_EUID, RA_WL_GID) < 0)
			_exit(1);
		if (open(secret, O_RDONLY) >= 0 || errno != EACCES) {
			wl_complain("open %s as uid %d did not fail with EACCES",
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
		wl_complain("mmap MAP_32BIT: %s", strerror(errno));
		return 1;
	}
	args = (uint32_t *)(void *)mem;
	sin = (struct sockaddr_in *)(void *)(mem + 64);
	sun = (struct sockaddr_un *)(void *)(mem + 256);

	if (int80(I386_GETPID, 0, 0, 0, 0, 0) != (long)getpid())
		wl_complain("i386 getpid did not return the pid");

	args[0] = AF_INET;
	args[1] = SOCK_STREAM;
	args[2] = 0;
	fd = int80(I386_SOCKETCALL, SOCKOP_SOCKET, (long)(uintptr_t)args, 0,
	    0, 0);
	if (fd < 0) {
		wl_complain("i386 socketcall(socket): %ld", fd);
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
			wl_complain("i386 socketcall(bind) failed");
		close((int)fd);
	}

	id = int80(I386_IPC, IPCOP_MSGGET, IPC_PRIVATE, IPC_CREAT | 0600, 0,
	    0);
	if (id < 0)
		wl_complain("i386 ipc(msgget): %ld", id);
	else if (int80(I386_IPC, IPCOP_MSGCTL, id, IPC_RMID, 0, 0) < 0)
		wl_complain("i386 ipc(msgctl, IPC_RMID) failed");
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
		wl_complain("/proc/self/exe: %s", strerror(errno));
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
	int id = (int)wl_must(msgget(IPC_PRIVATE, IPC_CREAT | 0600), "msgget");

	if (id < 0)
		return;
	if (wl_must(msgctl(id, IPC_STAT, &ds), "msgctl IPC_STAT") == 0) {
		ds.msg_perm.uid = RA_WL_UID;
		ds.msg_perm.gid = RA_WL_GID;
		ds.msg_perm.mode = 0640;
		wl_must(msgctl(id, IPC_SET, &ds), "msgctl IPC_SET");
	}
	wl_must(msgctl(id, IPC_RMID, NULL), "msgctl IPC_RMID");
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
		wl_complain("mq_open %s: %s", name, strerror(errno));
		return;
	}
	wl_must(mq_send(q, "x", 1, 3), "mq_send");
	mq_close(q);
	wl_must(mq_unlink(name), "mq_unlink");
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

	if (wl_must(pipe2(fds, O_CLOEXEC), "pipe2") == 0) {
		close(fds[0]);
		close(fds[1]);
	}
	if (wl_must(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), "socketpair") ==
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
		wl_must(kill(pid, SIGKILL), "kill");
		waitpid(pid, &status, 0);
	}

	/* capset with the capabilities it has: a CAPSET record. */
	if (wl_must(syscall(SYS_capget, &hdr, caps), "capget") == 0)
		wl_must(syscall(SYS_capset, &hdr, caps), "capset");
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
			wl_complain("/proc/self/loginuid: %s", strerror(errno));
			_exit(1);
		}
		snprintf(text, sizeof(text), "%d", RA_WL_UID);
		if (write(fd, text, strlen(text)) < 0) {
			wl_complain("setting loginuid %s: %s", text,
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
			wl_complain("runas %u:%u: %s", (unsigned)uid,
			    (unsigned)gid, strerror(errno));
			_exit(1);
		}
		execv(argv[2], argv + 2);
		wl_complain("exec %s: %s", argv[2], strerror(errno));
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
		wl_complain("suid: uid %u and euid %u are the same: not setuid?",
		    (unsigned)getuid(), (unsigned)geteuid());
	syscall(SYS_getpid);
	wl_path_in(secret, sizeof(secret), dir, "secret");
	fd = (int)wl_must(open(secret, O_RDONLY), secret);
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
	    "       %s burst N\n", wl_prog, wl_prog, wl_prog, wl_prog);
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
		rc = wl_net(argv[2]);
	else if (strcmp(mode, "i386") == 0 && argc == 2)
		rc = mode_i386();
	else if (strcmp(mode, "exec") == 0 && argc == 2)
		rc = mode_exec();
	else if (strcmp(mode, "ipc") == 0 && argc == 2)
		rc = mode_ipc();
	else if (strcmp(mode, "login") == 0 && argc == 2)
		rc = mode_login();
	else if (strcmp(mode, "usermsg") == 0 && argc == 2)
		rc = wl_usermsg();
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
