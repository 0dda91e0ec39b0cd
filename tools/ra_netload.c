/*
 * ra_netload.c - a fleet of remote-logging clients in one process, for
 * measuring a log server (ringauditd or auditd with tcp_listen_port).
 *
 *   ra-netload HOST PORT [-c CLIENTS] [-d SECONDS] [-w WINDOW] [-s BYTES]
 *                        [-a SOURCES] [-t TAG]
 *
 * CLIENTS connections (default 1), each sending records of about BYTES
 * (default 200) as audisp-remote frames them, with up to WINDOW
 * unanswered at once (default 1: stop-and-wait, as audisp-remote), for
 * SECONDS (default 5); then each waits (5 s at most) for its last
 * replies and closes.  Client i connects from 127.0.0.(1 + i % SOURCES)
 * (default 1 source), so that tcp_max_per_addr can be met with a loopback
 * address each.  Each record is
 *
 *   node=ra-netload type=USER msg=audit(T:N): tag=TAG client=I seq=S x=...
 *
 * Prints one line of figures: clients connected, records sent, acked,
 * answered otherwise (disk low, full, error, suspended), the rate acked,
 * send-to-ack latency p50, p99 and max, and the fewest records one
 * client had acked (how fairly the server shares itself); exits 1 if a client could
 * not connect, was closed, or got a reply out of sequence.  The server's
 * log must then hold every acked record once (tools/test: grep the tag).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/hist.h"
#include "common/log.h"
#include "net/frame.h"

#define MAX_WINDOW 256

struct client {
	int fd;
	unsigned id;
	uint32_t next_seq;	/* the next record's sequence */
	uint32_t acked_seq;	/* the next reply due */
	uint64_t acked;		/* its records acked */
	unsigned out;		/* unanswered */
	uint64_t sent_ns[MAX_WINDOW];
	unsigned char in[NET_REPLY_MAX * 4];
	size_t inlen;
	bool done;		/* no more to send */
	bool failed;
};

struct load {
	const char *host, *port, *tag;
	unsigned clients, window, size, sources;
	double secs;
	struct client *cl;
	int ep;
	uint64_t sent, acked, not_ok, failed;
	struct hist lat;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: ra-netload HOST PORT [-c CLIENTS] "
	    "[-d SECONDS] [-w WINDOW] [-s BYTES] [-a SOURCES] [-t TAG]\n");
	exit(2);
}

static int
connect_one(struct load *L, unsigned i)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	struct sockaddr_in src = { .sin_family = AF_INET };
	/* connect and send give up after 10 s: a server whose listen queue
	 * is full lets SYNs go unanswered for minutes. */
	struct timeval tv = { .tv_sec = 10 };
	int fd, one = 1, rc;

	if ((rc = getaddrinfo(L->host, L->port, &hints, &ai)) != 0) {
		fprintf(stderr, "ra-netload: %s: %s\n", L->host,
		    gai_strerror(rc));
		exit(1);
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(ai);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (L->sources > 1 && ai->ai_family == AF_INET) {
		src.sin_addr.s_addr = htonl(0x7f000001u + i % L->sources);
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
			close(fd);
			freeaddrinfo(ai);
			return -1;
		}
	}
	rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (rc < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* One record, framed as audisp-remote frames it. */
static bool
send_one(struct load *L, struct client *c)
{
	unsigned char buf[NET_HDR_SIZE + 1024];
	char *text = (char *)buf + NET_HDR_SIZE;
	struct timespec ts;
	int n;
	uint32_t seq = c->next_seq;

	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(text, 1000, "node=ra-netload type=USER msg=audit(%lld."
	    "%03ld:%u): tag=%s client=%u seq=%u x=", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000000L, seq, L->tag, c->id, seq);
	for (; (unsigned)n < L->size && n < 998; n++)
		text[n] = (char)('a' + n % 26);
	text[n++] = '\n';
	/* A message's header, as net_reply makes a reply's. */
	net_reply(buf, NET_MESSAGE, seq, NULL);
	buf[10] = (unsigned char)(n & 0xff);
	buf[11] = (unsigned char)(n >> 8);
	if (send(c->fd, buf, NET_HDR_SIZE + (size_t)n, MSG_NOSIGNAL) !=
	    (ssize_t)(NET_HDR_SIZE + (size_t)n))
		return false;
	c->sent_ns[seq % MAX_WINDOW] = clock_mono_ns();
	c->next_seq++;
	c->out++;
	L->sent++;
	return true;
}

static void
fail(struct load *L, struct client *c, const char *why)
{
	if (!c->failed)
		fprintf(stderr, "ra-netload: client %u: %s\n", c->id, why);
	c->failed = true;
	c->done = true;
	L->failed++;
	epoll_ctl(L->ep, EPOLL_CTL_DEL, c->fd, NULL);
}

/* Replies in; the next records out while the window has room. */
static void
read_replies(struct load *L, struct client *c)
{
	ssize_t r = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen,
	    MSG_DONTWAIT);

	if (r <= 0) {
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		/* Its run is over and nothing is owed it: an idle close
		 * (tcp_client_max_idle) is no failure. */
		if (r == 0 && c->done && c->out == 0 && c->inlen == 0) {
			epoll_ctl(L->ep, EPOLL_CTL_DEL, c->fd, NULL);
			return;
		}
		fail(L, c, r == 0 ? "closed by the server" : strerror(errno));
		return;
	}
	c->inlen += (size_t)r;
	for (;;) {
		struct net_frame f;
		enum net_frame_rc rc = net_frame_parse(c->in, c->inlen, &f);

		if (rc == NET_FRAME_MORE)
			break;
		if (rc != NET_FRAME_OK) {
			fail(L, c, "a reply that is no frame");
			return;
		}
		if (f.type == NET_ENDING) {
			fail(L, c, "ENDING from the server");
			return;
		}
		if (f.seq != c->acked_seq) {
			fail(L, c, "a reply out of sequence");
			return;
		}
		hist_add(&L->lat, clock_mono_ns() -
		    c->sent_ns[f.seq % MAX_WINDOW]);
		if (f.type == NET_ACK) {
			L->acked++;
			c->acked++;
		}
		else
			L->not_ok++;
		c->acked_seq++;
		c->out--;
		memmove(c->in, c->in + f.size, c->inlen - f.size);
		c->inlen -= f.size;
	}
	while (!c->done && c->out < L->window)
		if (!send_one(L, c)) {
			/* The server closed: what it sent last (ENDING) may
			 * wait unread; the next read says how it ended. */
			c->done = true;
			if (c->out == 0)
				fail(L, c, "send failed");
			return;
		}
}

int
main(int argc, char **argv)
{
	static struct load L;
	struct epoll_event evs[256];
	struct rlimit rl;
	uint64_t start, stop_at, end_at;
	unsigned i, connected = 0, open_out;
	int o;

	L.clients = 1;
	L.window = 1;
	L.size = 200;
	L.sources = 1;
	L.secs = 5;
	L.tag = "load";
	while ((o = getopt(argc, argv, "c:d:w:s:a:t:")) != -1) {
		switch (o) {
		case 'c': L.clients = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': L.secs = strtod(optarg, NULL); break;
		case 'w': L.window = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': L.size = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'a': L.sources = (unsigned)strtoul(optarg, NULL, 10); break;
		case 't': L.tag = optarg; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || L.clients == 0 || L.window == 0 ||
	    L.window > MAX_WINDOW || L.sources == 0 || L.secs <= 0)
		usage();
	L.host = argv[optind];
	L.port = argv[optind + 1];
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < L.clients + 64) {
		rl.rlim_cur = rl.rlim_max < L.clients + 64 ? rl.rlim_max :
		    L.clients + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	L.cl = calloc(L.clients, sizeof(*L.cl));
	L.ep = epoll_create1(EPOLL_CLOEXEC);
	if (L.cl == NULL || L.ep < 0) {
		perror("ra-netload");
		return 1;
	}
	for (i = 0; i < L.clients; i++) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct client *c = &L.cl[i];

		c->id = i;
		c->next_seq = c->acked_seq = 1;
		if ((c->fd = connect_one(&L, i)) < 0) {
			fprintf(stderr, "ra-netload: client %u: cannot connect: "
			    "%s\n", i, strerror(errno));
			c->failed = c->done = true;
			L.failed++;
			continue;
		}
		connected++;
		ev.data.u32 = i;
		epoll_ctl(L.ep, EPOLL_CTL_ADD, c->fd, &ev);
	}
	start = clock_mono_ns();
	stop_at = start + (uint64_t)(L.secs * 1e9);
	end_at = stop_at + 5000000000ull;
	for (i = 0; i < L.clients; i++)
		while (!L.cl[i].done && L.cl[i].out < L.window)
			if (!send_one(&L, &L.cl[i]))
				fail(&L, &L.cl[i], "send failed");
	for (;;) {
		uint64_t now = clock_mono_ns();
		int k;

		if (now >= stop_at)
			for (i = 0; i < L.clients; i++)
				L.cl[i].done = true;
		open_out = 0;
		for (i = 0; i < L.clients; i++)
			if (!L.cl[i].failed && L.cl[i].out > 0)
				open_out++;
		if (now >= stop_at && open_out == 0)
			break;
		if (now >= end_at) {
			fprintf(stderr, "ra-netload: %u clients still waited "
			    "for replies 5 s after the end\n", open_out);
			L.failed += open_out;
			break;
		}
		k = epoll_wait(L.ep, evs, 256, 100);
		for (int j = 0; j < k; j++)
			read_replies(&L, &L.cl[evs[j].data.u32]);
	}
	for (i = 0; i < L.clients; i++)
		if (L.cl[i].fd >= 0)
			close(L.cl[i].fd);
	{
		double secs = (double)(clock_mono_ns() - start) / 1e9;
		uint64_t least = UINT64_MAX;

		/* The fewest acked of one client: how fair the server is. */
		for (i = 0; i < L.clients; i++)
			if (L.cl[i].acked < least)
				least = L.cl[i].acked;

		printf("clients %u connected %u window %u sent %llu acked %llu "
		    "not_ok %llu failed %llu secs %.2f rate %.0f "
		    "lat_p50_us %llu lat_p99_us %llu lat_max_us %llu "
		    "least_acked %llu\n",
		    L.clients, connected, L.window,
		    (unsigned long long)L.sent, (unsigned long long)L.acked,
		    (unsigned long long)L.not_ok,
		    (unsigned long long)L.failed, secs,
		    (double)L.acked / (L.secs < secs ? L.secs : secs),
		    (unsigned long long)hist_quantile(&L.lat, 0.5) / 1000,
		    (unsigned long long)hist_quantile(&L.lat, 0.99) / 1000,
		    (unsigned long long)L.lat.max / 1000,
		    (unsigned long long)least);
	}
	return L.failed > 0 ? 1 : 0;
}
