/*
 * fleet.c - the fleet of remote-logging clients (fleet.h): one thread,
 * one epoll set, every client's socket in it.
 *
 * A run sends while its time lasts, then waits grace_s at most for the
 * replies owed.  A client with room in its window (fewer than W records
 * unanswered) sits once in a FIFO of N slots; the pump takes clients from
 * its head, one record each, and puts those with room left at its tail,
 * so the clients share the rate in turn.  Paced, the pump sends while the
 * run's records are fewer than rate x elapsed (+1), and epoll_wait sleeps
 * until the next record is due (at 1 ms granularity: a late millisecond
 * is made up by the next); at max it sends whatever has room.  A reply
 * frees room and queues its client again.
 *
 * Everything (clients, send times, the FIFO) is allocated at create; a
 * record is made on the stack.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "fleet.h"
#include "net/frame.h"

#define TEXT_MAX 1000

struct client {
	int fd;
	unsigned id;
	uint32_t next_seq;	/* the next record's sequence */
	uint32_t acked_seq;	/* the next reply due */
	unsigned out;		/* unanswered */
	bool connected;
	bool queued;		/* in the FIFO */
	bool failed;		/* dropped: closed, an error, or no reply */
	bool gone;		/* closed when idle, its run over: no failure */
	bool stuck;		/* a send failed: no more from it */
	bool timed_out;		/* dropped for want of a reply */
	const char *failure;
	uint64_t sent, acked, not_ok;	/* this run */
	size_t inlen;
	unsigned char in[NET_REPLY_MAX * 4];
};

struct rb_fleet {
	struct rb_fleet_config c;
	struct addrinfo *ai;
	bool bind_src;
	struct client *cl;
	uint64_t *sent_ns;	/* clients x max_window, by sequence */
	uint32_t *fifo;		/* clients with room, N slots */
	unsigned fhead, flen;
	int ep;
	char pad[TEXT_MAX];
	/* The run */
	unsigned window;
	bool sending;
	uint64_t out_total;	/* unanswered, over clients not dropped */
	unsigned alive;		/* connected, not dropped, not gone */
	unsigned said, unsaid;
	unsigned connect_failed;
	uint64_t last_reply_ns;
	struct rb_fleet_result *r;
};

static void
fifo_push(struct rb_fleet *f, struct client *c)
{
	f->fifo[(f->fhead + f->flen) % f->c.clients] = c->id;
	f->flen++;
	c->queued = true;
}

static struct client *
fifo_pop(struct rb_fleet *f)
{
	struct client *c = &f->cl[f->fifo[f->fhead]];

	f->fhead = (f->fhead + 1) % f->c.clients;
	f->flen--;
	c->queued = false;
	return c;
}

static void
raise_nofile(unsigned want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	if (rl.rlim_max < want) {
		struct rlimit root = { want, want };

		/* Past the hard limit only with CAP_SYS_RESOURCE. */
		if (setrlimit(RLIMIT_NOFILE, &root) == 0)
			return;
		want = (unsigned)rl.rlim_max;
	}
	rl.rlim_cur = want;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int
rb_fleet_create(struct rb_fleet **out, const struct rb_fleet_config *c)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct rb_fleet *f;
	int rc;

	if (c->clients == 0 || c->max_window == 0 ||
	    c->max_window > RB_FLEET_MAX_WINDOW)
		return -EINVAL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -ENOMEM;
	f->c = *c;
	f->ep = -1;
	if ((rc = getaddrinfo(c->host, c->port, &hints, &f->ai)) != 0) {
		fprintf(stderr, "%s: %s: %s\n", c->name, c->host,
		    gai_strerror(rc));
		free(f);
		return -EHOSTUNREACH;
	}
	/* An address of its own for each client, where the server is on
	 * the loopback: 127.0.0.0/8 is all ours to bind. */
	if (f->ai->ai_family == AF_INET) {
		const struct sockaddr_in *sin =
		    (const struct sockaddr_in *)f->ai->ai_addr;

		f->bind_src = c->sources > 1 || (c->sources == 0 &&
		    (ntohl(sin->sin_addr.s_addr) >> 24) == 127);
	}
	raise_nofile(c->clients + 64);
	f->cl = calloc(c->clients, sizeof(*f->cl));
	f->sent_ns = calloc((size_t)c->clients * c->max_window,
	    sizeof(*f->sent_ns));
	f->fifo = calloc(c->clients, sizeof(*f->fifo));
	f->ep = epoll_create1(EPOLL_CLOEXEC);
	if (f->cl == NULL || f->sent_ns == NULL || f->fifo == NULL ||
	    f->ep < 0) {
		rc = f->ep < 0 ? -errno : -ENOMEM;
		rb_fleet_destroy(f);
		return rc;
	}
	for (unsigned i = 0; i < c->clients; i++) {
		f->cl[i].fd = -1;
		f->cl[i].id = i;
		f->cl[i].next_seq = f->cl[i].acked_seq = 1;
	}
	for (unsigned i = 0; i < sizeof(f->pad); i++)
		f->pad[i] = (char)('a' + i % 26);
	*out = f;
	return 0;
}

void
rb_fleet_destroy(struct rb_fleet *f)
{
	if (f == NULL)
		return;
	for (unsigned i = 0; f->cl != NULL && i < f->c.clients; i++)
		if (f->cl[i].fd >= 0)
			close(f->cl[i].fd);
	if (f->ep >= 0)
		close(f->ep);
	freeaddrinfo(f->ai);
	free(f->cl);
	free(f->sent_ns);
	free(f->fifo);
	free(f);
}

static int
connect_one(struct rb_fleet *f, unsigned i)
{
	const struct addrinfo *ai = f->ai;
	struct sockaddr_in src = { .sin_family = AF_INET };
	/* connect and send give up after 10 s: a server whose listen queue
	 * is full lets SYNs go unanswered for minutes. */
	struct timeval tv = { .tv_sec = 10 };
	int fd, one = 1, err;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (f->bind_src) {
		uint32_t k = f->c.sources > 0 ? i % f->c.sources : i;

		src.sin_addr.s_addr = htonl(0x7f000001u + k);
#ifdef IP_BIND_ADDRESS_NO_PORT
		/* The port is chosen at connect, for this address and the
		 * server's: no port is held for the address alone. */
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
		    sizeof(one));
#endif
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			goto err;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		goto err;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
err:
	err = errno;
	close(fd);
	return -err;
}

unsigned
rb_fleet_connect(struct rb_fleet *f)
{
	unsigned connected = 0;

	for (unsigned i = 0; i < f->c.clients; i++) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct client *c = &f->cl[i];
		int fd = connect_one(f, i);

		if (fd < 0) {
			if (f->c.fail_msgs == 0 ||
			    f->connect_failed < f->c.fail_msgs)
				fprintf(stderr, "%s: client %u: cannot connect: "
				    "%s\n", f->c.name, i, strerror(-fd));
			c->failed = true;
			c->failure = "cannot connect";
			f->connect_failed++;
			continue;
		}
		c->fd = fd;
		c->connected = true;
		connected++;
		f->alive++;
		ev.data.u32 = i;
		epoll_ctl(f->ep, EPOLL_CTL_ADD, fd, &ev);
	}
	if (f->c.fail_msgs > 0 && f->connect_failed > f->c.fail_msgs)
		fprintf(stderr, "%s: ... %u clients could not connect in all\n",
		    f->c.name, f->connect_failed);
	return connected;
}

/* One record, framed as audisp-remote frames it. */
static bool
send_one(struct rb_fleet *f, struct client *c)
{
	unsigned char buf[NET_HDR_SIZE + TEXT_MAX + 8];
	char *text = (char *)buf + NET_HDR_SIZE;
	struct timespec ts;
	uint32_t seq = c->next_seq;
	size_t n;
	int k;

	clock_gettime(CLOCK_REALTIME, &ts);
	k = snprintf(text, TEXT_MAX, "node=%s type=USER msg=audit(%lld."
	    "%03ld:%u): tag=%s client=%u seq=%u x=", f->c.node,
	    (long long)ts.tv_sec, ts.tv_nsec / 1000000L, seq, f->c.tag,
	    c->id, seq);
	n = k < 0 ? 0 : (size_t)k >= TEXT_MAX - 2 ? TEXT_MAX - 2 : (size_t)k;
	if (n < f->c.size && f->c.size < TEXT_MAX - 2) {
		memcpy(text + n, f->pad + n, f->c.size - n);
		n = f->c.size;
	}
	text[n++] = '\n';
	/* A message's header, as net_reply makes a reply's. */
	net_reply(buf, NET_MESSAGE, seq, NULL);
	buf[10] = (unsigned char)(n & 0xff);
	buf[11] = (unsigned char)(n >> 8);
	if (send(c->fd, buf, NET_HDR_SIZE + n, MSG_NOSIGNAL) !=
	    (ssize_t)(NET_HDR_SIZE + n))
		return false;
	f->sent_ns[(size_t)c->id * f->c.max_window + seq % f->c.max_window] =
	    clock_mono_ns();
	c->next_seq++;
	c->out++;
	c->sent++;
	f->out_total++;
	f->r->sent++;
	return true;
}

static void
drop(struct rb_fleet *f, struct client *c, const char *why)
{
	if (c->failed)
		return;
	if (f->c.fail_msgs == 0 || f->said < f->c.fail_msgs) {
		fprintf(stderr, "%s: client %u: %s\n", f->c.name, c->id, why);
		f->said++;
	} else
		f->unsaid++;
	c->failed = true;
	c->failure = why;
	if (c->connected && !c->gone)
		f->alive--;
	f->out_total -= c->out;
	epoll_ctl(f->ep, EPOLL_CTL_DEL, c->fd, NULL);
}

static bool
has_room(const struct rb_fleet *f, const struct client *c)
{
	return f->sending && !c->failed && !c->gone && !c->stuck &&
	    !c->queued && c->out < f->window;
}

/* Replies in; the client queued again when its window has room. */
static void
read_replies(struct rb_fleet *f, struct client *c)
{
	ssize_t r;

	if (c->failed || c->gone)
		return;
	r = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen,
	    MSG_DONTWAIT);
	if (r <= 0) {
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		/* Its sending is over and nothing is owed it: an idle close
		 * (tcp_client_max_idle) is no failure. */
		if (r == 0 && !f->sending && c->out == 0 && c->inlen == 0) {
			c->gone = true;
			f->alive--;
			epoll_ctl(f->ep, EPOLL_CTL_DEL, c->fd, NULL);
			return;
		}
		drop(f, c, r == 0 ? "closed by the server" : strerror(errno));
		return;
	}
	c->inlen += (size_t)r;
	for (;;) {
		struct net_frame fr;
		enum net_frame_rc rc = net_frame_parse(c->in, c->inlen, &fr);
		uint64_t t, now;

		if (rc == NET_FRAME_MORE)
			break;
		if (rc != NET_FRAME_OK) {
			drop(f, c, "a reply that is no frame");
			return;
		}
		if (fr.type == NET_ENDING) {
			drop(f, c, "ENDING from the server");
			return;
		}
		if (fr.seq != c->acked_seq || c->out == 0) {
			drop(f, c, "a reply out of sequence");
			return;
		}
		t = f->sent_ns[(size_t)c->id * f->c.max_window +
		    fr.seq % f->c.max_window];
		now = clock_mono_ns();
		hist_add(&f->r->lat, now - t);
		f->last_reply_ns = now;
		if (fr.type == NET_ACK) {
			c->acked++;
			f->r->acked++;
			if (f->sending)
				f->r->acked_load++;
		} else {
			c->not_ok++;
			f->r->not_ok++;
		}
		c->acked_seq++;
		c->out--;
		f->out_total--;
		memmove(c->in, c->in + fr.size, c->inlen - fr.size);
		c->inlen -= fr.size;
	}
	if (c->stuck && c->out == 0)
		drop(f, c, "send failed");
	else if (has_room(f, c))
		fifo_push(f, c);
}

/* Sends what the rate allows (all: max) to the clients with room, in turn. */
static void
pump(struct rb_fleet *f, double rate, uint64_t elapsed_ns)
{
	uint64_t allowed = rate > 0 ?
	    (uint64_t)(rate * (double)elapsed_ns / 1e9) + 1 : UINT64_MAX;

	while (f->flen > 0 && f->r->sent < allowed) {
		struct client *c = fifo_pop(f);

		if (c->failed || c->gone)
			continue;
		if (!send_one(f, c)) {
			/* The server closed: what it sent last (ENDING) may
			 * wait unread; the next read says how it ended. */
			c->stuck = true;
			if (c->out == 0)
				drop(f, c, "send failed");
			continue;
		}
		if (has_room(f, c))
			fifo_push(f, c);
	}
}

static int
wait_ms(const struct rb_fleet *f, double rate, uint64_t now, uint64_t t0,
    uint64_t stop_at, uint64_t end_at)
{
	uint64_t until = f->sending ? stop_at : end_at;

	if (f->sending && rate > 0 && f->flen > 0) {
		/* The next record is due when rate x elapsed reaches sent. */
		uint64_t due = t0 + (uint64_t)((double)f->r->sent * 1e9 / rate);

		if (due < until)
			until = due;
	}
	if (until <= now)
		return 0;
	until = (until - now + 999999) / 1000000;
	return until > 100 ? 100 : (int)until;
}

static void
tally(struct rb_fleet *f, struct rb_fleet_result *r)
{
	r->least_acked = UINT64_MAX;
	for (unsigned i = 0; i < f->c.clients; i++) {
		const struct client *c = &f->cl[i];
		uint64_t lost = c->sent - c->acked;

		if (c->acked < r->least_acked)
			r->least_acked = c->acked;
		if (lost > 0) {
			r->lossy++;
			if (lost > r->most_lost)
				r->most_lost = lost;
		}
		if (c->connected)
			r->connected++;
		if (c->failed) {
			r->failed++;
			if (c->timed_out)
				r->timed_out++;
			else if (c->connected)
				r->closed++;
		}
	}
	r->connect_failed = f->connect_failed;
	r->unanswered = r->sent - r->acked - r->not_ok;
}

void
rb_fleet_run(struct rb_fleet *f, const struct rb_fleet_load *l,
    struct rb_fleet_result *r)
{
	struct epoll_event evs[256];
	uint64_t t0, stop_at, end_at, now;

	memset(r, 0, sizeof(*r));
	r->clients = f->c.clients;
	r->window = l->window;
	r->rate_req = l->rate;
	f->r = r;
	f->window = l->window < f->c.max_window ? l->window : f->c.max_window;
	f->said = f->unsaid = 0;
	f->fhead = f->flen = 0;
	f->out_total = 0;
	f->last_reply_ns = 0;
	f->sending = true;
	for (unsigned i = 0; i < f->c.clients; i++) {
		struct client *c = &f->cl[i];

		c->sent = c->acked = c->not_ok = 0;
		c->queued = false;
		if (has_room(f, c))
			fifo_push(f, c);
	}
	t0 = clock_mono_ns();
	stop_at = t0 + (uint64_t)(l->secs * 1e9);
	end_at = stop_at + (uint64_t)(l->grace_s * 1e9);
	for (;;) {
		int k;

		now = clock_mono_ns();
		if (f->sending && (now >= stop_at ||
		    (l->stop != NULL &&
		    __atomic_load_n(l->stop, __ATOMIC_RELAXED) != 0)))
			f->sending = false;
		if (f->sending)
			pump(f, l->rate, now - t0);
		if ((!f->sending && f->out_total == 0) || f->alive == 0)
			break;
		if (now >= end_at) {
			for (unsigned i = 0; i < f->c.clients; i++)
				if (!f->cl[i].failed && f->cl[i].out > 0) {
					f->cl[i].timed_out = true;
					drop(f, &f->cl[i], "no reply within "
					    "the grace time");
				}
			break;
		}
		k = epoll_wait(f->ep, evs, 256,
		    wait_ms(f, l->rate, now, t0, stop_at, end_at));
		for (int j = 0; j < k; j++)
			read_replies(f, &f->cl[evs[j].data.u32]);
	}
	f->sending = false;
	now = clock_mono_ns();
	r->secs = (double)(now - t0) / 1e9;
	r->load_s = l->secs < r->secs ? l->secs : r->secs;
	if (r->load_s > 0) {
		r->rate = (double)r->acked / r->load_s;
		r->rate_load = (double)r->acked_load / r->load_s;
	}
	if (f->last_reply_ns > stop_at)
		r->drain_s = (double)(f->last_reply_ns - stop_at) / 1e9;
	if (f->unsaid > 0)
		fprintf(stderr, "%s: ... %u clients more dropped\n", f->c.name,
		    f->unsaid);
	tally(f, r);
	f->r = NULL;
}

void
rb_fleet_client(const struct rb_fleet *f, unsigned i,
    struct rb_fleet_client *out)
{
	const struct client *c = &f->cl[i];

	out->sent = c->sent;
	out->acked = c->acked;
	out->not_ok = c->not_ok;
	out->connected = c->connected;
	out->failure = c->failure;
}
