/*
 * test_accept.c - the log server's checks on a connection (listen.c's
 * accept_one: the client's source port, the connections per address, a
 * free client slot) and its idle tick (net_idle_tick), through the real
 * code: a struct net made by net_create on a loopback port, driven by
 * hand, with no thread.  Each client is a real socket, bound to the
 * source address 127.0.0.N (and, for the port check, a source port of
 * the test's choosing) before it connects; the test waits for the
 * connection in the listener's queue, then calls net_accept itself.
 *
 * The pipeline is played by the test: what the server hands it (the
 * DAEMON_ACCEPT and DAEMON_CLOSE records, clients' lines) is taken off
 * the message ring in order and held against auditd's words; daemon
 * records are given back (acked) at once, as the writer would; clients'
 * lines only when a case says so.  The idle tick is called by hand: no
 * clock is involved, and nothing here depends on timing (each wait is
 * for an event, with a 10 s bound that only a hang reaches).
 *
 * Each client's socket is closed with a reset at the end (SO_LINGER 0):
 * no connection from a fixed source port (the port check's) lingers in
 * TIME_WAIT into the next run.  A client that hangs up first (shutdown)
 * leaves one on its kernel-chosen port, which nothing here reuses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/frame.h"
#include "net/net.h"
#include "net/net_int.h"
#include "ring/ring.h"

#define WAIT_MS 10000		/* a hang's bound, never a timing */
#define MAX_SOCKS 32
#define PORT_LO 30000		/* the listening port: 30000..32699 */
#define PORT_SPAN 2700

struct fix {
	struct ring in;			/* the server's messages, to us */
	struct ring acks;		/* what we give back */
	struct ring_waiter self;	/* the server's waiter on acks */
	int wake_fd;
	struct net_config c;
	struct net *n;
	char mapped[8];			/* "::ffff:" if IPv4 peers are */
	int socks[MAX_SOCKS];		/* clients' sockets, to reset */
	unsigned nsocks;
};

static struct fix *fx;

/* The daemon's formatter, as far as the server can tell: the text. */
static int
record_text(void *ctx, unsigned type, const char *text, char *buf,
    size_t len)
{
	(void)ctx;
	(void)type;
	return snprintf(buf, len, "%s", text);
}

static int
setup(void **state)
{
	(void)state;
	fx = ring_calloc(1, sizeof(*fx));
	assert_non_null(fx);
	assert_int_equal(ring_init(&fx->in, 512, NULL, NULL), 0);
	assert_int_equal(ring_init(&fx->acks, 512, NULL, NULL), 0);
	assert_int_equal(ring_waiter_init(&fx->self, true), 0);
	fx->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(fx->wake_fd >= 0);
	fx->c = (struct net_config){
		.queue = 16,
		.max_per_addr = 16,
		.port_lo = 1,
		.port_hi = 65535,
		.max_idle = 1,
		.use_libwrap = false,
		.max_clients = 8,
		.per_client = 4,
		.in = &fx->in,
		.acks = &fx->acks,
		.self = &fx->self,
		.wake_fd = fx->wake_fd,
		.slots = 64,
		.daemon_record = record_text,
	};
	return 0;
}

static int
teardown(void **state)
{
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	unsigned i;

	(void)state;
	for (i = 0; i < fx->nsocks; i++) {
		setsockopt(fx->socks[i], SOL_SOCKET, SO_LINGER, &rst,
		    sizeof(rst));
		close(fx->socks[i]);
	}
	net_destroy(fx->n);
	ring_waiter_fini(&fx->self);
	ring_fini(&fx->in);
	ring_fini(&fx->acks);
	close(fx->wake_fd);
	free(fx);
	fx = NULL;
	return 0;
}

/* net_create with fx->c on a free port; how IPv4 peers will be named. */
static void
start(void)
{
	unsigned i, tries;
	int rc = -EADDRINUSE;

	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	for (tries = 0; tries < 50 && rc == -EADDRINUSE; tries++) {
		fx->c.port = PORT_LO + (unsigned)rand() % PORT_SPAN;
		rc = net_create(&fx->n, &fx->c);
	}
	assert_int_equal(rc, 0);
	/* One dual-stack IPv6 socket names an IPv4 peer ::ffff:a.b.c.d; an
	 * IPv4 socket of its own, a.b.c.d. */
	snprintf(fx->mapped, sizeof(fx->mapped), "::ffff:");
	for (i = 0; i < fx->n->nlisten; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);

		assert_int_equal(getsockname(fx->n->lfd[i],
		    (struct sockaddr *)&ss, &len), 0);
		if (ss.ss_family == AF_INET)
			fx->mapped[0] = '\0';
	}
}

static void
wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, WAIT_MS), 1);
}

static unsigned
local_port(int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	return ntohs(sa.sin_port);
}

/*
 * A client from 127.0.0.host, source port sport (0: the kernel's), its
 * connection taken by net_accept as the thread would; its socket, its
 * source port in *port.  Returns -1 (errno set) if the source could not
 * be bound.
 */
static int
connect_from(unsigned host, unsigned sport, unsigned *port)
{
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = src;
	struct pollfd p[NET_MAX_LISTEN];
	unsigned i;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK - 1 + host);
	src.sin_port = htons((uint16_t)sport);
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	assert_true(fx->nsocks < MAX_SOCKS);
	fx->socks[fx->nsocks++] = fd;
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	dst.sin_port = htons((uint16_t)fx->c.port);
	assert_int_equal(connect(fd, (struct sockaddr *)&dst, sizeof(dst)),
	    0);
	*port = local_port(fd);
	/* In the listener's queue: then one turn of net_accept takes it. */
	for (i = 0; i < fx->n->nlisten; i++)
		p[i] = (struct pollfd){ .fd = fx->n->lfd[i], .events = POLLIN };
	assert_true(poll(p, fx->n->nlisten, WAIT_MS) > 0);
	for (i = 0; i < fx->n->nlisten; i++)
		net_accept(fx->n, fx->n->lfd[i]);
	return fd;
}

static int
client(unsigned host, unsigned *port)
{
	int fd = connect_from(host, 0, port);

	assert_true(fd >= 0);
	return fd;
}

/* The server's side of the client with that source port, or NULL. */
static struct net_client *
server_side(unsigned port)
{
	unsigned i;

	for (i = 0; i < fx->c.max_clients; i++)
		if (fx->n->clients[i].fd >= 0 &&
		    fx->n->clients[i].port == port)
			return &fx->n->clients[i];
	return NULL;
}

/* The server closed fd's connection: fd reads its end. */
static void
assert_closed_by_server(int fd)
{
	char c;

	wait_readable(fd);
	assert_int_equal(recv(fd, &c, 1, MSG_DONTWAIT), 0);
}

/* The next message the server handed on: a DAEMON_* record (given back
 * at once) or, type 0, a client's line; its token. */
static uint32_t
expect_msg(unsigned type, const char *fmt, ...)
{
	char want[256], got[RING_REC_PAYLOAD_MAX + 1];
	struct ring_msg *m = NULL;
	uint32_t token;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (!ring_trypop(&fx->in, &m) || m == NULL)
		fail_msg("no message where \"%s\" was due", want);
	snprintf(got, sizeof(got), "%.*s", (int)m->len, m->text);
	assert_string_equal(got, want);
	assert_int_equal(m->type, type);
	token = m->token;
	if (type != 0) {
		assert_true(ring_trypush(&fx->acks,
		    RING_ACK(token, RING_ACK_WRITTEN)));
		net_take_acks(fx->n);
	}
	return token;
}

static void
expect_accept(unsigned host, unsigned port)
{
	expect_msg(NET_DAEMON_ACCEPT, "addr=%s127.0.0.%u port=%u res=success",
	    fx->mapped, host, port);
	assert_non_null(server_side(port));
}

static void
expect_reject(const char *op, unsigned host, unsigned port)
{
	expect_msg(NET_DAEMON_ACCEPT, "op=%s addr=%s127.0.0.%u port=%u res=no",
	    op, fx->mapped, host, port);
	assert_null(server_side(port));
}

static void
expect_close(unsigned host, unsigned port)
{
	expect_msg(NET_DAEMON_CLOSE, "addr=%s127.0.0.%u port=%u res=success",
	    fx->mapped, host, port);
	assert_null(server_side(port));
}

static void
expect_nothing(void)
{
	assert_int_equal(ring_count(&fx->in), 0);
}

static struct net_stats
stats(void)
{
	struct net_stats st;

	net_get_stats(fx->n, &st);
	return st;
}

/* A frame as audisp-remote sends it (test_frame.c spells the bytes). */
static size_t
frame(unsigned char *p, uint32_t type, uint32_t seq, const char *text)
{
	size_t tlen = strlen(text);
	const unsigned char h[NET_HDR_SIZE] = {
		0xfe, 0x00, 0x00, 0xff, 0, 0,
		type & 0xff, type >> 8 & 0xff, type >> 16 & 0xff, type >> 24,
		tlen & 0xff, tlen >> 8 & 0xff,
		seq & 0xff, seq >> 8 & 0xff, seq >> 16 & 0xff, seq >> 24,
	};

	memcpy(p, h, sizeof(h));
	memcpy(p + NET_HDR_SIZE, text, tlen);
	return NET_HDR_SIZE + tlen;
}

/* The client sends len bytes; the server reads them, as on EPOLLIN. */
static void
send_and_read(int fd, unsigned port, const void *p, size_t len)
{
	struct net_client *cl = server_side(port);

	assert_non_null(cl);
	assert_int_equal(send(fd, p, len, MSG_NOSIGNAL), (ssize_t)len);
	wait_readable(cl->fd);
	net_client_read(fx->n, cl);
}

/* The client reads the reply it is owed: this one, byte for byte. */
static void
expect_reply(int fd, uint32_t type, uint32_t seq)
{
	unsigned char want[NET_REPLY_MAX], got[NET_REPLY_MAX];
	size_t len = net_reply(want, type, seq, NULL);

	wait_readable(fd);
	assert_int_equal(recv(fd, got, sizeof(got), MSG_DONTWAIT),
	    (ssize_t)len);
	assert_memory_equal(got, want, len);
}

/*
 * tcp_client_ports 1000-1023: 999 and 1024 refused (op=port), 1000 and
 * 1023 taken.  Ports under 1024 need root (or CAP_NET_BIND_SERVICE).
 */
static void
test_client_ports(void **state)
{
	static const struct {
		unsigned sport;
		bool ok;
	} cases[] = {
		{ 999, false }, { 1000, true }, { 1023, true }, { 1024, false },
	};
	struct net_stats st;
	unsigned i, port;
	int fd;

	(void)state;
	fx->c.port_lo = 1000;
	fx->c.port_hi = 1023;
	start();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fd = connect_from(4, cases[i].sport, &port);
		if (fd < 0 && errno == EACCES) {
			print_message("source port %u needs root "
			    "(CAP_NET_BIND_SERVICE): skipped\n",
			    cases[i].sport);
			skip();
		}
		if (fd < 0)
			fail_msg("cannot bind 127.0.0.4:%u: %s",
			    cases[i].sport, strerror(errno));
		assert_int_equal(port, cases[i].sport);
		if (cases[i].ok) {
			expect_accept(4, port);
		} else {
			expect_reject("port", 4, port);
			assert_closed_by_server(fd);
		}
	}
	expect_nothing();
	st = stats();
	assert_int_equal(st.accepted, 2);
	assert_int_equal(st.rejected[NET_REJ_PORT], 2);
	assert_int_equal(st.rejected[NET_REJ_DUP], 0);
	assert_int_equal(st.active, 2);
}

/*
 * tcp_max_per_addr 2: a third connection from 127.0.0.2 is refused
 * (op=dup), whatever its port; one from 127.0.0.3 is not; once one of
 * the two closes, 127.0.0.2 may connect again.
 */
static void
test_per_addr(void **state)
{
	unsigned a1, a2, a3, a4, b1;
	struct net_client *cl;
	struct net_stats st;
	int fa1, fa3;

	(void)state;
	fx->c.max_per_addr = 2;
	start();
	fa1 = client(2, &a1);
	expect_accept(2, a1);
	client(2, &a2);
	expect_accept(2, a2);
	fa3 = client(2, &a3);
	expect_reject("dup", 2, a3);
	assert_closed_by_server(fa3);
	client(3, &b1);
	expect_accept(3, b1);
	expect_nothing();

	/* a1 hangs up: the server reads its end and closes it. */
	cl = server_side(a1);
	assert_non_null(cl);
	assert_int_equal(shutdown(fa1, SHUT_WR), 0);
	wait_readable(cl->fd);
	net_client_read(fx->n, cl);
	expect_close(2, a1);
	client(2, &a4);
	expect_accept(2, a4);
	expect_nothing();

	st = stats();
	assert_int_equal(st.accepted, 4);
	assert_int_equal(st.rejected[NET_REJ_DUP], 1);
	assert_int_equal(st.closed[NET_CL_EOF], 1);
	assert_int_equal(st.active, 3);
	assert_int_equal(st.active_high, 3);
}

/* tcp_max_clients 2: a third client is refused (op=alloc), whatever its
 * address, until one of the two is gone. */
static void
test_no_client_slot(void **state)
{
	unsigned a, b, c, d;
	struct net_client *cl;
	struct net_stats st;
	int fa, fc;

	(void)state;
	fx->c.max_clients = 2;
	start();
	fa = client(5, &a);
	expect_accept(5, a);
	client(6, &b);
	expect_accept(6, b);
	fc = client(7, &c);
	expect_reject("alloc", 7, c);
	assert_closed_by_server(fc);

	cl = server_side(a);
	assert_non_null(cl);
	assert_int_equal(shutdown(fa, SHUT_WR), 0);
	wait_readable(cl->fd);
	net_client_read(fx->n, cl);
	expect_close(5, a);
	client(7, &d);
	expect_accept(7, d);
	expect_nothing();

	st = stats();
	assert_int_equal(st.accepted, 3);
	assert_int_equal(st.rejected[NET_REJ_ALLOC], 1);
	assert_int_equal(st.active, 2);
}

/*
 * The idle tick: a client accepted since the last tick is not idle yet;
 * one that sent nothing between two ticks is closed (DAEMON_CLOSE,
 * closed[idle]); one that sent something (a heartbeat) lives to the next
 * tick, and is closed at the one after if silent since.
 */
static void
test_idle_silent(void **state)
{
	unsigned char hb[NET_HDR_SIZE];
	unsigned a, b;
	int fa, fb;

	(void)state;
	start();
	fa = client(2, &a);
	expect_accept(2, a);
	fb = client(3, &b);
	expect_accept(3, b);

	net_idle_tick(fx->n);
	expect_nothing();
	assert_non_null(server_side(a));
	assert_non_null(server_side(b));

	send_and_read(fb, b, hb, frame(hb, NET_HEARTBEAT, 9, ""));
	expect_reply(fb, NET_ACK, 9);
	net_idle_tick(fx->n);
	expect_close(2, a);
	assert_closed_by_server(fa);
	assert_non_null(server_side(b));
	expect_nothing();
	assert_int_equal(stats().closed[NET_CL_IDLE], 1);

	net_idle_tick(fx->n);
	expect_close(3, b);
	assert_closed_by_server(fb);
	expect_nothing();
	assert_int_equal(stats().closed[NET_CL_IDLE], 2);
	assert_int_equal(stats().heartbeats, 1);
	assert_int_equal(stats().active, 0);
}

/*
 * A client whose record is still out (out_msgs > 0) waits for our reply:
 * silent for any number of ticks, it is not idle.  Answered, the answer
 * counts as its last word: it is closed at the second tick after.
 */
static void
test_idle_waiting_for_reply(void **state)
{
	unsigned char f[64];
	uint32_t token;
	unsigned a, i;
	int fa;

	(void)state;
	start();
	fa = client(2, &a);
	expect_accept(2, a);
	send_and_read(fa, a, f, frame(f, NET_MESSAGE, 5, "type=X msg=1"));
	token = expect_msg(0, "type=X msg=1");
	assert_int_equal(server_side(a)->out_msgs, 1);
	for (i = 0; i < 3; i++)
		net_idle_tick(fx->n);
	expect_nothing();
	assert_non_null(server_side(a));

	assert_true(ring_trypush(&fx->acks, RING_ACK(token,
	    RING_ACK_WRITTEN)));
	assert_true(net_take_acks(fx->n));
	expect_reply(fa, NET_ACK, 5);
	assert_int_equal(server_side(a)->out_msgs, 0);
	net_idle_tick(fx->n);
	expect_nothing();
	assert_non_null(server_side(a));
	net_idle_tick(fx->n);
	expect_close(2, a);
	assert_int_equal(stats().closed[NET_CL_IDLE], 1);
}

/*
 * A client we stopped reading (no slot free for its record: every slot
 * but the reserve is out with another client's) is silent because of
 * us, with nothing of its own out: not idle.  When a slot frees it is
 * read again, and its record goes on.
 */
static void
test_idle_not_reading(void **state)
{
	unsigned char f[64 * 16];
	uint32_t tokens[16];
	struct net_client *cl;
	unsigned a, b, i, k;
	size_t len = 0;
	char text[32];
	int fa, fb;

	(void)state;
	/* 16 slots, 2 of them the reserve: a client's 14 fill the rest. */
	fx->c.slots = 16;
	fx->c.per_client = 16;
	start();
	fa = client(2, &a);
	expect_accept(2, a);
	fb = client(3, &b);
	expect_accept(3, b);
	for (i = 0; i < 14; i++) {
		snprintf(text, sizeof(text), "type=X msg=%u", i);
		len += frame(f + len, NET_MESSAGE, i, text);
	}
	send_and_read(fa, a, f, len);
	for (i = 0; i < 14; i++)
		tokens[i] = expect_msg(0, "type=X msg=%u", i);
	expect_nothing();

	len = frame(f, NET_MESSAGE, 77, "type=Y msg=b");
	send_and_read(fb, b, f, len);
	expect_nothing();
	cl = server_side(b);
	assert_false(cl->reading);
	assert_int_equal(cl->out_msgs, 0);
	assert_int_equal(stats().pauses, 1);
	for (k = 0; k < 3; k++)
		net_idle_tick(fx->n);
	expect_nothing();
	assert_non_null(server_side(a));
	assert_non_null(server_side(b));

	/* One of a's records written: a slot frees, b is read (the thread
	 * calls net_resume when some client waited). */
	assert_true(ring_trypush(&fx->acks, RING_ACK(tokens[0],
	    RING_ACK_WRITTEN)));
	assert_true(net_take_acks(fx->n));
	assert_true(fx->n->paused);
	net_resume(fx->n);
	expect_reply(fa, NET_ACK, 0);
	expect_msg(0, "type=Y msg=b");
	expect_nothing();
	assert_true(cl->reading);
	assert_int_equal(cl->out_msgs, 1);
	assert_int_equal(stats().closed[NET_CL_IDLE], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_client_ports, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_per_addr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_client_slot, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_idle_silent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_idle_waiting_for_reply,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_not_reading, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
