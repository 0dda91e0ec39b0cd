/*
 * ra_netidle - many idle clients of a log server, for the tests of
 * ringauditd's network stage (tests/net/test_fleet.sh): N TCP
 * connections that send nothing, each from a loopback address of its
 * own, so that a server's tcp_max_per_addr = 1 lets every one in.
 *
 *   ra_netidle HOST PORT N FIRST
 *
 * Connection i (0 .. N-1) comes from the IPv4 address FIRST + i (FIRST
 * 127.1.0.1: 127.1.0.1, 127.1.0.2, ... 127.1.3.232 for N 1000).  Once
 * all are connected it prints "connected N" and holds them, sending
 * nothing, until its stdin ends; then it prints "held N closed M": M of
 * them the server had closed meanwhile (EOF or a reset waiting), and
 * exits 0.  Its open-file limit is raised to what N needs.  A connection
 * that fails (10 s at most each) is said on stderr, exit 1; 2 is a
 * usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_CONNS 60000

static void
raise_nofile(unsigned n)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)n + 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		rl.rlim_max = want;	/* root may raise the hard limit */
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		fprintf(stderr, "ra_netidle: cannot raise the open-file limit"
		    " to %u: %s\n", (unsigned)want, strerror(errno));
}

/* Connection i from src, to ai; its descriptor, or -1 (said). */
static int
connect_from(const struct addrinfo *ai, struct in_addr src, unsigned i)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = src };
	struct timeval tv = { .tv_sec = 10 };
	char a[INET_ADDRSTRLEN];
	int fd;

	inet_ntop(AF_INET, &src, a, sizeof(a));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "ra_netidle: socket %u: %s\n", i,
		    strerror(errno));
		return -1;
	}
	/* connect gives up after 10 s as send would. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		fprintf(stderr, "ra_netidle: connection %u from %s: %s\n", i,
		    a, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The server ended this connection: EOF or an error is waiting. */
static int
ended(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, 0) <= 0)
		return 0;
	return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

int
main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_family = AF_INET,
	    .ai_socktype = SOCK_STREAM }, *ai;
	struct in_addr first;
	unsigned long n;
	unsigned i, closed = 0;
	char *end, buf[256];
	int *fds, rc;

	if (argc != 5) {
		fprintf(stderr, "usage: ra_netidle HOST PORT N FIRST\n");
		return 2;
	}
	n = strtoul(argv[3], &end, 10);
	if (*end != '\0' || n == 0 || n > MAX_CONNS ||
	    inet_pton(AF_INET, argv[4], &first) != 1) {
		fprintf(stderr, "ra_netidle: N is 1 to %d, FIRST an IPv4"
		    " address\n", MAX_CONNS);
		return 2;
	}
	if ((rc = getaddrinfo(argv[1], argv[2], &hints, &ai)) != 0) {
		fprintf(stderr, "ra_netidle: %s port %s: %s\n", argv[1],
		    argv[2], gai_strerror(rc));
		return 1;
	}
	raise_nofile((unsigned)n);
	if ((fds = calloc(n, sizeof(*fds))) == NULL) {
		fprintf(stderr, "ra_netidle: out of memory\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct in_addr src = { htonl(ntohl(first.s_addr) + i) };

		if ((fds[i] = connect_from(ai, src, i)) < 0)
			return 1;
	}
	freeaddrinfo(ai);
	printf("connected %lu\n", n);
	fflush(stdout);
	for (;;) {
		ssize_t r = read(0, buf, sizeof(buf));

		if (r == 0 || (r < 0 && errno != EINTR))
			break;
	}
	for (i = 0; i < n; i++)
		closed += (unsigned)ended(fds[i]);
	printf("held %lu closed %u\n", n, closed);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	return 0;
}
