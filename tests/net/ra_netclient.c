/*
 * ra_netclient - a client of auditd's remote-logging protocol for the
 * tests of a log server (tests/net/test_remote.sh): it plays a script of
 * steps on one TCP connection and prints one line for each thing that
 * happens, so that a test can hold the server's answers against what
 * auditd 3.0.9 sends.
 *
 *   ra_netclient HOST PORT STEP...
 *
 * The connection is made before the first step that needs it, so a
 * bind-port step may come first.  Messages carry sequence numbers 1, 2,
 * ... in the order they are sent (heartbeats and long frames count too).
 *
 *   bind-port:P      bind local source port P before connecting
 *   bind-addr:A      bind local source address A (IPv4) before connecting
 *   rcvbuf:BYTES     SO_RCVBUF of BYTES before connecting (the window a
 *                    client that never reads offers stays small)
 *   msg:TEXT         a MESSAGE of TEXT and a '\n', as audisp-remote ends
 *                    its records
 *   frame:TYPE:TEXT  a frame of TYPE (a number, 0x... for hex) holding
 *                    TEXT exactly, after \n, \\ and \xNN in it are decoded
 *   hb               a HEARTBEAT (no text)
 *   raw-hex:HEX      these bytes, whatever they are
 *   long:N           a MESSAGE whose header says N bytes, then N bytes of
 *                    text; a server that closes meanwhile is no error
 *                    ("sent long len=N bytes=M": M of the frame went out)
 *   badmagic:TEXT    TEXT and a '\n', with no header: not a frame
 *   reply            one reply within 5 s: "reply type=0x... seq=N
 *                    text=\"...\"" (EOF or nothing: an error)
 *   wait-end[:S]     replies printed until ENDING ("ending seq=N") or the
 *                    end of the connection ("eof"); S seconds at most (10)
 *   pipeline:N[:P]   N MESSAGEs "P K" (K = 1..N; P "ra_netclient
 *                    pipeline") in one write, then their N replies, each
 *                    an ACK echoing its sequence, in order: "acked N"
 *   flood:N[:P]      the same N MESSAGEs in one write, their replies not
 *                    read (a client that never reads its acks): "flooded
 *                    N" once all went out (a server that stops reading
 *                    keeps it waiting there)
 *   hbs:N            N HEARTBEATs in one write, their replies not read:
 *                    "sent heartbeats=N" once all went out
 *   partial:N:K      a MESSAGE whose header says N bytes, then only K
 *                    bytes of text ("partial len=N bytes=K")
 *   random:N:SEED    N bytes of a pseudo-random stream seeded by SEED
 *                    (xorshift64*: the same bytes every run), not frames
 *   wait-file:PATH   hold the connection until PATH exists (30 s at most)
 *   sleep:MS         sleep MS milliseconds
 *
 * Also printed: "connected port=P" (the local port, which the server's
 * DAEMON_ACCEPT and DAEMON_CLOSE name).  Texts in replies are printed
 * with '"', '\' and bytes outside 0x20-0x7e as \xNN.  stdout is line
 * buffered, so a test can watch it while the client runs.
 *
 * Exit status: 0; 1 on a protocol surprise (no reply, a reply that is not
 * one, an ACK for another sequence, the connection gone where a reply was
 * due) or another error, said on stderr; 2 on a usage error.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net/frame.h"

#define REPLY_WAIT_MS	5000
#define END_WAIT_S	10
#define FILE_WAIT_S	30

static const char *prog = "ra_netclient";

static const char *host, *port;
static int sock = -1;
static unsigned local_port;	/* bind-port, 0: any */
static int rcvbuf;		/* rcvbuf, 0: the kernel's */
static struct in_addr local_addr;	/* bind-addr */
static bool have_addr;
static uint32_t seq;		/* the last sequence sent */
static bool closed;		/* the server ended the connection */

/* What the server sent and no step has taken yet. */
static unsigned char rbuf[2 * NET_FRAME_MAX];
static size_t rlen;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s HOST PORT STEP...\n"
	    "  steps: bind-port:P bind-addr:A rcvbuf:BYTES msg:TEXT frame:TYPE:TEXT hb raw-hex:HEX"
	    " long:N\n"
	    "         badmagic:TEXT reply wait-end[:S] pipeline:N[:PREFIX]"
	    " wait-file:PATH\n"
	    "         sleep:MS flood:N[:PREFIX] hbs:N partial:N:K random:N:SEED\n",
	    prog);
	exit(2);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static unsigned long
number(const char *s, const char *what, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || v > max) {
		fprintf(stderr, "%s: %s: not a number up to %lu: %s\n", prog,
		    what, max, s);
		usage();
	}
	return v;
}

/* ---- the connection ---- */

static void
connect_now(void)
{
	struct addrinfo hints, *res, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int rc, one = 1, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		die("%s port %s: %s", host, port, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		sock = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (sock < 0) {
			err = errno;
			continue;
		}
		if (rcvbuf != 0)
			setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			    sizeof(rcvbuf));
		if (local_port != 0 || have_addr) {
			struct sockaddr_storage la;

			memset(&la, 0, sizeof(la));
			la.ss_family = (sa_family_t)ai->ai_family;
			if (ai->ai_family == AF_INET6 && have_addr)
				die("bind-addr: an IPv4 address for an IPv6"
				    " server");
			if (ai->ai_family == AF_INET6)
				((struct sockaddr_in6 *)&la)->sin6_port =
				    htons((uint16_t)local_port);
			else {
				((struct sockaddr_in *)&la)->sin_port =
				    htons((uint16_t)local_port);
				if (have_addr)
					((struct sockaddr_in *)&la)->sin_addr =
					    local_addr;
			}
			setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one,
			    sizeof(one));
			if (bind(sock, (struct sockaddr *)&la,
			    ai->ai_addrlen) < 0)
				die("bind (port %u): %s", local_port,
				    strerror(errno));
		}
		if (connect(sock, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		close(sock);
		sock = -1;
	}
	freeaddrinfo(res);
	if (sock < 0)
		die("connect %s port %s: %s", host, port, strerror(err));
	if (getsockname(sock, (struct sockaddr *)&ss, &sl) < 0)
		die("getsockname: %s", strerror(errno));
	setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	printf("connected port=%u\n", ss.ss_family == AF_INET6 ?
	    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
	    ntohs(((struct sockaddr_in *)&ss)->sin_port));
}

static void
need_sock(void)
{
	if (sock < 0)
		connect_now();
}

/* len bytes out; how many went before an error (errno says which). */
static size_t
send_some(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(sock, p + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	return done;
}

static void
send_all(const void *buf, size_t len, const char *what)
{
	need_sock();
	if (send_some(buf, len) != len)
		die("%s: send: %s", what, strerror(errno));
}

/*
 * The next frame's header into h: MESSAGE or another type, the next
 * sequence, a length of len.  net_reply lays out everything but the
 * length (a reply's text is short): that is set after.
 */
static void
header(unsigned char *h, uint32_t type, size_t len)
{
	net_reply(h, type, ++seq, NULL);
	h[10] = len & 0xff;
	h[11] = len >> 8 & 0xff;
}

/*
 * More of what the server sends, waiting up to ms: 1 some came, 0 the
 * connection ended (EOF or reset: closed is set), -1 nothing in time.
 */
static int
fill(int ms)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	ssize_t n;
	int rc;

	if (closed)
		return 0;
	if (rlen == sizeof(rbuf))
		die("%zu bytes from the server and no reply in them", rlen);
	do
		rc = poll(&pfd, 1, ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		die("poll: %s", strerror(errno));
	if (rc == 0)
		return -1;
	do
		n = recv(sock, rbuf + rlen, sizeof(rbuf) - rlen, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno != ECONNRESET)
		die("recv: %s", strerror(errno));
	if (n <= 0) {
		closed = true;
		return 0;
	}
	rlen += (size_t)n;
	return 1;
}

/*
 * The next reply within ms: 1 (in *f, its text left in text), 0 the
 * connection ended, -1 nothing in time.  Anything that is not a reply is
 * a protocol surprise.
 */
static int
next_reply(int ms, struct net_frame *f, char *text, size_t textsz)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	enum net_frame_rc rc;
	size_t i, o = 0;

	for (;;) {
		int left = (int)(end > now_ms() ? end - now_ms() : 0);
		int got;

		rc = net_frame_parse(rbuf, rlen, f);
		if (rc == NET_FRAME_OK)
			break;
		if (rc == NET_FRAME_BAD_MAGIC)
			die("the server sent bytes that are not a frame"
			    " (%02x %02x %02x %02x ...)", rbuf[0], rbuf[1],
			    rbuf[2], rbuf[3]);
		if (rc == NET_FRAME_TOO_LONG)
			die("the server sent a frame of %u bytes", f->len);
		if ((got = fill(left)) <= 0) {
			if (got == 0 && rlen > 0)
				die("the connection ended inside a reply"
				    " (%zu bytes)", rlen);
			return got;
		}
	}
	if ((f->type & NET_ACK) == 0)
		die("the server sent a frame of type 0x%08x (seq %u), not a"
		    " reply", f->type, f->seq);
	if (f->len > NET_REPLY_TEXT_MAX)
		die("a reply of type 0x%08x with %u bytes of text (at most"
		    " %d)", f->type, f->len, NET_REPLY_TEXT_MAX);
	/* The text as sent, not as net_frame_parse reads a record. */
	for (i = 0; i < f->len && o + 5 < textsz; i++) {
		unsigned char c = rbuf[NET_HDR_SIZE + i];

		if (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\')
			text[o++] = (char)c;
		else
			o += (size_t)snprintf(text + o, textsz - o, "\\x%02x",
			    c);
	}
	text[o] = '\0';
	rlen -= f->size;
	memmove(rbuf, rbuf + f->size, rlen);
	return 1;
}

/* ---- the steps ---- */

/* s with \n, \\ and \xNN decoded, into out; its length. */
static size_t
unescape(char *out, size_t max, const char *s)
{
	size_t n = 0;
	unsigned v;

	while (*s != '\0') {
		if (n == max)
			die("a text longer than %zu bytes", max);
		if (s[0] == '\\' && s[1] == 'n') {
			out[n++] = '\n';
			s += 2;
		} else if (s[0] == '\\' && s[1] == '\\') {
			out[n++] = '\\';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'x' &&
		    isxdigit((unsigned char)s[2]) &&
		    isxdigit((unsigned char)s[3]) &&
		    sscanf(s + 2, "%2x", &v) == 1) {
			out[n++] = (char)v;
			s += 4;
		} else {
			out[n++] = *s++;
		}
	}
	return n;
}

static void
send_frame(uint32_t type, const char *text, size_t len, const char *what)
{
	static unsigned char buf[NET_HDR_SIZE + 65535];

	if (len > 65535)
		die("%s: %zu bytes do not fit a frame's length", what, len);
	header(buf, type, len);
	memcpy(buf + NET_HDR_SIZE, text, len);
	send_all(buf, NET_HDR_SIZE + len, what);
}

static void
step_msg(const char *text)
{
	static char buf[65536];
	size_t len = strlen(text);

	if (len + 1 > sizeof(buf))
		die("msg: a text of %zu bytes", len);
	memcpy(buf, text, len);
	buf[len++] = '\n';
	send_frame(NET_MESSAGE, buf, len, "msg");
}

static void
step_frame(const char *arg)
{
	static char buf[65536];
	const char *colon = strchr(arg, ':');
	char type[32];
	size_t len;

	if (colon == NULL || (size_t)(colon - arg) >= sizeof(type))
		usage();
	memcpy(type, arg, (size_t)(colon - arg));
	type[colon - arg] = '\0';
	len = unescape(buf, sizeof(buf), colon + 1);
	send_frame((uint32_t)number(type, "frame type", UINT32_MAX), buf, len,
	    "frame");
}

static void
step_raw_hex(const char *hex)
{
	static unsigned char buf[65536];
	size_t n = 0;
	unsigned v;

	for (; *hex != '\0'; hex += 2) {
		if (hex[1] == '\0' || sscanf(hex, "%2x", &v) != 1 ||
		    n == sizeof(buf)) {
			fprintf(stderr, "%s: raw-hex: not hex bytes\n", prog);
			usage();
		}
		buf[n++] = (unsigned char)v;
	}
	send_all(buf, n, "raw-hex");
}

static void
step_long(unsigned long len)
{
	static unsigned char buf[NET_HDR_SIZE + 65535];
	static const char head[] = "ra_netclient long frame ";
	size_t n, sent;

	header(buf, NET_MESSAGE, len);
	memset(buf + NET_HDR_SIZE, 'x', len);
	memcpy(buf + NET_HDR_SIZE, head, len < sizeof(head) - 1 ? len :
	    sizeof(head) - 1);
	if (len > 0)
		buf[NET_HDR_SIZE + len - 1] = '\n';
	n = NET_HDR_SIZE + len;
	need_sock();
	sent = send_some(buf, n);
	printf("sent long len=%lu bytes=%zu\n", len, sent);
}

static void
step_badmagic(const char *text)
{
	static char buf[65536];
	size_t len = strlen(text);

	if (len + 1 > sizeof(buf))
		die("badmagic: a text of %zu bytes", len);
	memcpy(buf, text, len);
	buf[len++] = '\n';
	send_all(buf, len, "badmagic");
}

static void
print_reply(const struct net_frame *f, const char *text)
{
	printf("reply type=0x%08x seq=%u text=\"%s\"\n", f->type, f->seq,
	    text);
}

static void
step_reply(void)
{
	struct net_frame f;
	char text[NET_REPLY_TEXT_MAX * 4 + 8];
	int rc;

	need_sock();
	rc = next_reply(REPLY_WAIT_MS, &f, text, sizeof(text));
	if (rc == 0) {
		printf("eof\n");
		die("reply: the connection ended, no reply (last seq %u)",
		    seq);
	}
	if (rc < 0)
		die("reply: none within %d ms (last seq %u)", REPLY_WAIT_MS,
		    seq);
	print_reply(&f, text);
}

static void
step_wait_end(unsigned long secs)
{
	uint64_t end = now_ms() + secs * 1000;
	struct net_frame f;
	char text[NET_REPLY_TEXT_MAX * 4 + 8];
	int rc;

	need_sock();
	for (;;) {
		int left = (int)(end > now_ms() ? end - now_ms() : 0);

		rc = next_reply(left, &f, text, sizeof(text));
		if (rc == 0) {
			printf("eof\n");
			return;
		}
		if (rc < 0)
			die("wait-end: neither ENDING nor the end within"
			    " %lu s", secs);
		if (f.type == NET_ENDING) {
			printf("ending seq=%u\n", f.seq);
			return;
		}
		print_reply(&f, text);
	}
}

/*
 * N MESSAGEs "P K" (K = 1..N) from arg ("N" or "N:P") in one buffer, as
 * one write would send them; its length in *len, the first sequence in
 * *first.
 */
static unsigned char *
batch(const char *arg, const char *what, unsigned long *np, size_t *len,
    uint32_t *first)
{
	const char *prefix = "ra_netclient pipeline";
	const char *colon = strchr(arg, ':');
	char count[32], line[512];
	unsigned char *buf, *p;
	unsigned long n, k;

	if (colon != NULL) {
		if ((size_t)(colon - arg) >= sizeof(count))
			usage();
		memcpy(count, arg, (size_t)(colon - arg));
		count[colon - arg] = '\0';
		prefix = colon + 1;
		arg = count;
	}
	n = number(arg, what, 100000);
	if (strlen(prefix) > 400)
		die("%s: a prefix of %zu bytes", what, strlen(prefix));
	if ((buf = malloc(n * (NET_HDR_SIZE + sizeof(line)))) == NULL)
		die("%s: out of memory", what);
	*first = seq + 1;
	for (p = buf, k = 1; k <= n; k++) {
		int l = snprintf(line, sizeof(line), "%s %lu\n", prefix, k);

		header(p, NET_MESSAGE, (size_t)l);
		memcpy(p + NET_HDR_SIZE, line, (size_t)l);
		p += NET_HDR_SIZE + (size_t)l;
	}
	*np = n;
	*len = (size_t)(p - buf);
	return buf;
}

static void
step_pipeline(const char *arg)
{
	char text[NET_REPLY_TEXT_MAX * 4 + 8];
	unsigned char *buf;
	unsigned long n, k;
	uint32_t first;
	size_t len;
	struct net_frame f;

	buf = batch(arg, "pipeline", &n, &len, &first);
	send_all(buf, len, "pipeline");
	free(buf);
	for (k = 0; k < n; k++) {
		int rc = next_reply(REPLY_WAIT_MS, &f, text, sizeof(text));

		if (rc == 0) {
			printf("eof\n");
			die("pipeline: the connection ended after %lu of %lu"
			    " replies", k, n);
		}
		if (rc < 0)
			die("pipeline: %lu of %lu replies, then none within"
			    " %d ms", k, n, REPLY_WAIT_MS);
		if (f.type != NET_ACK || f.seq != first + k) {
			print_reply(&f, text);
			die("pipeline: reply %lu of %lu is not the ACK of"
			    " seq %lu", k + 1, n, (unsigned long)first + k);
		}
	}
	printf("acked %lu\n", n);
}

static void
step_flood(const char *arg)
{
	unsigned char *buf;
	unsigned long n;
	uint32_t first;
	size_t len;

	buf = batch(arg, "flood", &n, &len, &first);
	send_all(buf, len, "flood");
	free(buf);
	printf("flooded %lu\n", n);
}

static void
step_hbs(unsigned long n)
{
	unsigned char *buf;
	unsigned long k;

	if ((buf = malloc(n * NET_HDR_SIZE)) == NULL)
		die("hbs: out of memory");
	for (k = 0; k < n; k++)
		header(buf + k * NET_HDR_SIZE, NET_HEARTBEAT, 0);
	send_all(buf, n * NET_HDR_SIZE, "hbs");
	free(buf);
	printf("sent heartbeats=%lu\n", n);
}

static void
step_partial(const char *arg)
{
	static unsigned char buf[NET_HDR_SIZE + 65535];
	const char *colon = strchr(arg, ':');
	char count[32];
	unsigned long n, k;

	if (colon == NULL || (size_t)(colon - arg) >= sizeof(count))
		usage();
	memcpy(count, arg, (size_t)(colon - arg));
	count[colon - arg] = '\0';
	n = number(count, "partial", 65535);
	k = number(colon + 1, "partial", n);
	header(buf, NET_MESSAGE, n);
	memset(buf + NET_HDR_SIZE, 'p', k);
	send_all(buf, NET_HDR_SIZE + k, "partial");
	printf("partial len=%lu bytes=%lu\n", n, k);
}

static void
step_random(const char *arg)
{
	static unsigned char buf[65536];
	const char *colon = strchr(arg, ':');
	char count[32];
	unsigned long n, done, i;
	uint64_t x;

	if (colon == NULL || (size_t)(colon - arg) >= sizeof(count))
		usage();
	memcpy(count, arg, (size_t)(colon - arg));
	count[colon - arg] = '\0';
	n = number(count, "random", 1UL << 30);
	x = number(colon + 1, "random seed", UINT32_MAX) * 2654435761u + 1;
	for (done = 0; done < n; done += i) {
		for (i = 0; i < sizeof(buf) && done + i < n; i++) {
			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
			buf[i] = (unsigned char)((x * 0x2545f4914f6cdd1dULL) >>
			    56);
		}
		send_all(buf, i, "random");
	}
	printf("sent random bytes=%lu\n", n);
}

static void
step_wait_file(const char *path)
{
	uint64_t end = now_ms() + FILE_WAIT_S * 1000;
	struct stat st;

	need_sock();
	while (stat(path, &st) < 0) {
		if (now_ms() > end)
			die("wait-file: no %s after %d s", path, FILE_WAIT_S);
		usleep(20000);
	}
}

static void
step_sleep(unsigned long ms)
{
	struct timespec ts = { (time_t)(ms / 1000),
	    (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* arg past "name:" if it is that step (with an argument), else NULL. */
static const char *
arg_of(const char *step, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(step, name, n) == 0 && step[n] == ':')
		return step + n + 1;
	return NULL;
}

static void
run(const char *s)
{
	const char *a;

	if ((a = arg_of(s, "bind-port")) != NULL) {
		if (sock >= 0)
			die("bind-port: already connected (it comes first)");
		local_port = (unsigned)number(a, "bind-port", 65535);
	} else if ((a = arg_of(s, "bind-addr")) != NULL) {
		if (sock >= 0)
			die("bind-addr: already connected (it comes first)");
		if (inet_pton(AF_INET, a, &local_addr) != 1) {
			fprintf(stderr, "%s: bind-addr: not an IPv4 address:"
			    " %s\n", prog, a);
			usage();
		}
		have_addr = true;
	} else if ((a = arg_of(s, "rcvbuf")) != NULL) {
		if (sock >= 0)
			die("rcvbuf: already connected (it comes first)");
		rcvbuf = (int)number(a, "rcvbuf", 1 << 24);
	} else if ((a = arg_of(s, "msg")) != NULL)
		step_msg(a);
	else if ((a = arg_of(s, "frame")) != NULL)
		step_frame(a);
	else if (strcmp(s, "hb") == 0)
		send_frame(NET_HEARTBEAT, "", 0, "hb");
	else if ((a = arg_of(s, "raw-hex")) != NULL)
		step_raw_hex(a);
	else if ((a = arg_of(s, "long")) != NULL)
		step_long(number(a, "long", 65535));
	else if ((a = arg_of(s, "badmagic")) != NULL)
		step_badmagic(a);
	else if (strcmp(s, "reply") == 0)
		step_reply();
	else if (strcmp(s, "wait-end") == 0)
		step_wait_end(END_WAIT_S);
	else if ((a = arg_of(s, "wait-end")) != NULL)
		step_wait_end(number(a, "wait-end", 3600));
	else if ((a = arg_of(s, "pipeline")) != NULL)
		step_pipeline(a);
	else if ((a = arg_of(s, "flood")) != NULL)
		step_flood(a);
	else if ((a = arg_of(s, "hbs")) != NULL)
		step_hbs(number(a, "hbs", 1UL << 22));
	else if ((a = arg_of(s, "partial")) != NULL)
		step_partial(a);
	else if ((a = arg_of(s, "random")) != NULL)
		step_random(a);
	else if ((a = arg_of(s, "wait-file")) != NULL)
		step_wait_file(a);
	else if ((a = arg_of(s, "sleep")) != NULL)
		step_sleep(number(a, "sleep", 3600000));
	else {
		fprintf(stderr, "%s: no step %s\n", prog, s);
		usage();
	}
}

int
main(int argc, char **argv)
{
	int i;

	if (argc < 4)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	host = argv[1];
	port = argv[2];
	for (i = 3; i < argc; i++)
		run(argv[i]);
	if (sock >= 0)
		close(sock);
	return 0;
}
