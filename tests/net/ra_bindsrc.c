/*
 * ra_bindsrc - an LD_PRELOAD shim for the tests of a log server
 * (tests/net/test_fleet.sh): a program that cannot choose its source
 * address (audisp-remote has no option for it) connects from the IPv4
 * address in RA_BIND_ADDR, so that many clients on one host come from
 * loopback addresses of their own (127.0.0.x, 127.x.y.z) and a server's
 * tcp_max_per_addr can be met.
 *
 *   RA_BIND_ADDR=127.0.1.7 LD_PRELOAD=.../ra_bindsrc.so audisp-remote
 *
 * connect() of a TCP socket to an IPv4 address, on a socket not bound
 * yet, binds it first to RA_BIND_ADDR, port 0 (the kernel's choice).  A
 * socket the program bound itself (a local_port), other sockets (UDP,
 * Unix, IPv6) and other calls are left alone.  A bind that fails fails the
 * connect with bind's errno, so that a test sees it rather than a client
 * quietly coming from 127.0.0.1.  Without RA_BIND_ADDR (or with one
 * that is not an IPv4 address) it does nothing.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

int connect(int fd, const struct sockaddr *to, socklen_t tolen);

int
connect(int fd, const struct sockaddr *to, socklen_t tolen)
{
	static connect_fn real;
	const char *want = getenv("RA_BIND_ADDR");
	struct sockaddr_in src, cur;
	socklen_t len = sizeof(cur);
	int type;
	socklen_t tl = sizeof(type);

	if (real == NULL)
		real = (connect_fn)dlsym(RTLD_NEXT, "connect");
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	memset(&src, 0, sizeof(src));
	if (want == NULL || to == NULL || to->sa_family != AF_INET ||
	    inet_pton(AF_INET, want, &src.sin_addr) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 ||
	    type != SOCK_STREAM ||
	    getsockname(fd, (struct sockaddr *)&cur, &len) < 0 ||
	    cur.sin_family != AF_INET)
		return real(fd, to, tolen);
	/* Bound already: the program chose (a socket binds once). */
	if (cur.sin_addr.s_addr != htonl(INADDR_ANY) || cur.sin_port != 0)
		return real(fd, to, tolen);
	src.sin_family = AF_INET;
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
		return -1;
	return real(fd, to, tolen);
}
