/*
 * ra_workload_net.c - ra_workload's modes that talk through sockets.
 *
 * net: connect, bind and sendto through syscall(2), so that each makes
 * exactly the call its rule names, with one address of every family
 * auparse decodes and a few it does not (SOCKADDR records).  The results
 * are mostly left unchecked: the kernel logs the address before it judges
 * it.  usermsg: user-space records sent to the kernel over NETLINK_AUDIT,
 * as PAM, sshd, login, sudo and systemd send them, and USER text that
 * auditctl -m refuses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "ra_workload.h"

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
		wl_complain("socket(%d, %d, %d): %s", domain, type, protocol,
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
	wl_must(sock_call(SYS_bind, l, &sin, sizeof(sin)), "bind inet");
	wl_must(listen(l, 4), "listen inet");
	wl_must(getsockname(l, (struct sockaddr *)&sin, &len), "getsockname");
	if ((c = new_socket(AF_INET, SOCK_STREAM, 0)) >= 0) {
		wl_must(sock_call(SYS_connect, c, &sin, sizeof(sin)),
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
	wl_must(sock_call(SYS_bind, l, &s6, sizeof(s6)), "bind inet6");
	wl_must(listen(l, 4), "listen inet6");
	wl_must(getsockname(l, (struct sockaddr *)&s6, &len), "getsockname6");
	if ((c = new_socket(AF_INET6, SOCK_STREAM, 0)) >= 0) {
		wl_must(sock_call(SYS_connect, c, &s6, sizeof(s6)),
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
	wl_path_in(sun.sun_path, sizeof(sun.sun_path), dir, "sock");
	unlink(sun.sun_path);
	if ((l = new_socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return;
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(sun.sun_path) + 1);
	wl_must(sock_call(SYS_bind, l, &sun, len), "bind unix");
	wl_must(listen(l, 4), "listen unix");
	if ((c = new_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0) {
		wl_must(sock_call(SYS_connect, c, &sun, len), "connect unix");
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
	wl_must(sock_call(SYS_bind, l, &sun, len), "bind abstract");
	wl_must(listen(l, 4), "listen abstract");
	if ((c = new_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0) {
		wl_must(sock_call(SYS_connect, c, &sun, len), "connect abstract");
		close(c);
	}
	close(l);

	/* Unnamed: only the family, which autobinds. */
	if ((l = new_socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0) {
		wl_must(sock_call(SYS_bind, l, &sun, sizeof(sa_family_t)),
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
		wl_must(sock_call(SYS_bind, fd, &snl, sizeof(snl)),
		    "bind netlink");
		close(fd);
	}
	/* A netlink destination with a pid: the kernel (0) refuses none. */
	if ((fd = new_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)) >= 0) {
		snl.nl_groups = 0;
		snl.nl_pid = 0;
		wl_must(sock_call(SYS_connect, fd, &snl, sizeof(snl)),
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

int
wl_net(const char *dir)
{
	net_inet();
	net_inet6();
	net_unix(dir);
	net_other();
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
		char text[8600];	/* AUDIT_MESSAGE_TEXT_MAX is 8560 */
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
		wl_complain("sending a type %u record: %s", type, strerror(errno));
		return;
	}
	got = recv(fd, &ack, sizeof(ack), 0);
	if (got < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    ack.nh.nlmsg_type != NLMSG_ERROR || ack.err.error != 0)
		wl_complain("type %u record: no positive ack (%s)", type,
		    got < 0 ? strerror(errno) : strerror(-ack.err.error));
}

/* "text=many " and n copies of item, then what auditctl -m ends with. */
static void
long_text(char *buf, size_t len, const char *item, unsigned n)
{
	size_t used, il = strlen(item);
	unsigned i;

	used = (size_t)snprintf(buf, len, "text=many ");
	for (i = 0; i < n && used + il < len; i++, used += il)
		memcpy(buf + used, item, il);
	snprintf(buf + used, len - used, "exe=\"/usr/sbin/ra_workload\" "
	    "hostname=? addr=? terminal=? res=success");
}

int
wl_usermsg(void)
{
	static char text[8192];
	size_t i;
	int fd = new_socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);

	if (fd < 0)
		return 1;
	for (i = 0; i < sizeof(user_records) / sizeof(user_records[0]); i++)
		user_record(fd, user_records[i].type, user_records[i].text,
		    (uint32_t)i + 1);

	/*
	 * Hundreds of ids in one record: auditd appends a name for each until
	 * its buffer is full, and cuts the line at 8969 bytes, wherever that
	 * falls.
	 */
	long_text(text, sizeof(text), "gid=0 ", 700);
	user_record(fd, WL_USER, text, (uint32_t)i + 1);
	long_text(text, sizeof(text), "auid=54321 ", 500);
	user_record(fd, WL_USER, text, (uint32_t)i + 2);
	close(fd);
	return 0;
}

