/*
 * ra_plugin - the plugin the dispatcher tests give a daemon, and the
 * small programs around it (tests/kernel/test_dispatch_*.sh).
 *
 * A daemon starts a plugin with two arguments at most (auditd 3.0.9), so
 * the first names the mode and its file, the second holds options.
 *
 *   ra_plugin capture:OUT [OPTS]  the plugin: stdin appended to OUT byte for
 *                                 byte, each read() written at once (a kill
 *                                 loses nothing read; SIGTERM is taken
 *                                 only while it waits for input).  Each
 *                                 start appends
 *                                 how it was launched to OUT.env (pid,
 *                                 argv, environment, open fds, SigBlk,
 *                                 SigIgn, SigCgt, nice, oom_score_adj, what
 *                                 fd 0 is) and "start PID" to OUT.sig; EOF
 *                                 on stdin adds "eof PID" there.
 *       OPTS, comma-separated:
 *         slow=MS    read 4096 bytes at most, then sleep MS ms
 *         exit=N     exit 3 after N records: those go to OUT, the rest
 *                    of that read to OUT.lost ("exit PID" in OUT.sig)
 *         crash      with exit=N: die of SIGSEGV instead ("crash PID" in
 *                    OUT.sig), whatever signals it was started ignoring
 *         binary     records are 8986-byte frames (exit=N counts them),
 *                    not lines
 *         hup        SIGHUP and SIGTERM get handlers that add "hup PID"
 *                    or "term PID" to OUT.sig (TERM then exits 0); the
 *                    signal mask is left as inherited
 *
 *   ra_plugin lines:IN            a string capture, one record a line,
 *                                 escaped (below); a last line without
 *                                 '\n' is printed after "#unterminated "
 *   ra_plugin frames:IN           a binary capture, one frame a line:
 *                                 "ver hlen type size tail<TAB>payload",
 *                                 tail the count of non-zero bytes past
 *                                 size, payload the size bytes, escaped;
 *                                 a short last frame is "#partial BYTES"
 *   ra_plugin syslog:SOCK OUT     a /dev/log: a unix datagram socket bound
 *                                 at SOCK, each datagram one escaped line
 *                                 of OUT, until killed
 *   ra_plugin client:SOCK OUT     an af_unix client: connects to SOCK
 *                                 (retrying for 10 s), adds "connected PID"
 *                                 to OUT.sig, copies what it reads to OUT
 *                                 until EOF or a signal
 *
 * Escaped: bytes 0x20-0x7e but '\' as they are, every other byte \xNN, so
 * that mawk compares the texts whatever bytes they hold.
 * Exit status: 0, 3 after exit=N, 2 on a usage error, 1 on other errors.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define FRAME_SIZE	8986	/* auditd 3.0.9: 16-byte header + 8970 */
#define FRAME_HDR	16
#define FRAME_DATA	(FRAME_SIZE - FRAME_HDR)

extern char **environ;

static const char *prog = "ra_plugin";

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

static int
open_append(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

/* path + suffix, in buf */
static const char *
side(char *buf, size_t len, const char *path, const char *suffix)
{
	if ((size_t)snprintf(buf, len, "%s%s", path, suffix) >= len)
		die("%s%s: name too long", path, suffix);
	return buf;
}

/* Append one line to a file (opened and closed each time: rare). */
static void __attribute__((format(printf, 2, 3)))
note(const char *path, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	fd = open_append(path);
	write_all(fd, line, (size_t)n);
	close(fd);
}

/* ---- capture ---- */

struct text {
	char buf[65536];
	size_t len;
};

static void __attribute__((format(printf, 2, 3)))
text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
	if (t->len >= sizeof(t->buf))
		t->len = sizeof(t->buf) - 1;
}

static const char *
file_kind(mode_t m)
{
	if (S_ISSOCK(m))
		return "socket";
	if (S_ISFIFO(m))
		return "fifo";
	if (S_ISREG(m))
		return "file";
	if (S_ISCHR(m))
		return "chardev";
	if (S_ISDIR(m))
		return "dir";
	return "other";
}

/*
 * How the daemon launched us, gathered before this program opens a file
 * of its own (the fd list is the daemon's doing alone).
 */
static void
launch_report(struct text *t, int argc, char **argv)
{
	char target[512], line[256];
	struct dirent *de;
	struct stat st;
	DIR *d;
	FILE *f;
	int i;

	text_add(t, "start pid=%d ppid=%d\n", (int)getpid(), (int)getppid());
	for (i = 0; i < argc; i++)
		text_add(t, "argv[%d] %s\n", i, argv[i]);
	text_add(t, "argc %d\n", argc);
	for (i = 0; environ[i]; i++)
		text_add(t, "env %s\n", environ[i]);
	text_add(t, "envc %d\n", i);
	if ((d = opendir("/proc/self/fd")) == NULL)
		die("/proc/self/fd: %s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		ssize_t n;

		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		n = readlinkat(dirfd(d), de->d_name, target,
		    sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		text_add(t, "fd %s %s\n", de->d_name, target);
	}
	closedir(d);
	if ((f = fopen("/proc/self/status", "re")) != NULL) {
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "SigBlk:", 7) == 0 ||
			    strncmp(line, "SigIgn:", 7) == 0 ||
			    strncmp(line, "SigCgt:", 7) == 0)
				text_add(t, "%s", line);
		fclose(f);
	}
	errno = 0;
	i = getpriority(PRIO_PROCESS, 0);
	text_add(t, "nice %d\n", errno ? 99 : i);
	if ((f = fopen("/proc/self/oom_score_adj", "re")) != NULL) {
		if (fgets(line, sizeof(line), f))
			text_add(t, "oom_score_adj %s", line);
		fclose(f);
	}
	if (fstat(0, &st) < 0)
		text_add(t, "stdin closed\n");
	else
		text_add(t, "stdin %s\n", file_kind(st.st_mode));
	text_add(t, "uid %d euid %d\n", (int)getuid(), (int)geteuid());
	text_add(t, "end pid=%d\n", (int)getpid());
}

static char sig_path[4096];
static char hup_line[64], term_line[64];
static size_t hup_len, term_len;

/* Async-signal-safe: open, write and close only. */
static void
on_signal(int sig)
{
	int e = errno;
	int fd = open(sig_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd >= 0) {
		if (sig == SIGHUP)
			(void)!write(fd, hup_line, hup_len);
		else
			(void)!write(fd, term_line, term_len);
		close(fd);
	}
	if (sig == SIGTERM)
		_exit(0);
	errno = e;
}

struct capture_opts {
	unsigned slow_ms;
	unsigned long exit_after;	/* 0: never */
	int crash;
	int binary;
	int hup;
};

static void
parse_opts(struct capture_opts *o, const char *s)
{
	char buf[256], *tok, *save = NULL;

	memset(o, 0, sizeof(*o));
	if (s == NULL)
		return;
	if (strlen(s) >= sizeof(buf))
		die("options too long");
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "slow=", 5) == 0)
			o->slow_ms = (unsigned)strtoul(tok + 5, NULL, 10);
		else if (strncmp(tok, "exit=", 5) == 0)
			o->exit_after = strtoul(tok + 5, NULL, 10);
		else if (strcmp(tok, "crash") == 0)
			o->crash = 1;
		else if (strcmp(tok, "binary") == 0)
			o->binary = 1;
		else if (strcmp(tok, "hup") == 0)
			o->hup = 1;
		else
			die("unknown option %s", tok);
	}
}

static int
capture(const char *out, const char *opts, int argc, char **argv)
{
	static struct text report;
	static char buf[65536];
	char path[4096];
	struct capture_opts o;
	unsigned long records = 0;
	size_t in_frame = 0;
	sigset_t term, waiting;
	int fd, efd;

	launch_report(&report, argc, argv);
	parse_opts(&o, opts);
	side(sig_path, sizeof(sig_path), out, ".sig");
	fd = open_append(out);
	efd = open_append(side(path, sizeof(path), out, ".env"));
	write_all(efd, report.buf, report.len);
	close(efd);
	note(sig_path, "start %d", (int)getpid());
	if (o.hup) {
		struct sigaction sa;

		hup_len = (size_t)snprintf(hup_line, sizeof(hup_line),
		    "hup %d\n", (int)getpid());
		term_len = (size_t)snprintf(term_line, sizeof(term_line),
		    "term %d\n", (int)getpid());
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGHUP, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	/* SIGTERM (the daemon's stop) is taken only while waiting for
	 * input: one that came between a read() and its write to OUT lost
	 * what was read, and a test that wants every record failed. */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &waiting);
	for (;;) {
		size_t want = o.slow_ms ? 4096 : sizeof(buf), keep, i;
		struct pollfd pfd = { .fd = 0, .events = POLLIN };
		ssize_t n;

		if (ppoll(&pfd, 1, NULL, &waiting) < 0 && errno == EINTR)
			continue;
		n = read(0, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			note(sig_path, "error %d read: %s", (int)getpid(),
			    strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		keep = (size_t)n;
		if (o.exit_after) {
			for (i = 0; i < (size_t)n; i++) {
				int end;

				if (o.binary)
					end = ++in_frame == FRAME_SIZE;
				else
					end = buf[i] == '\n';
				if (!end)
					continue;
				in_frame = 0;
				if (++records == o.exit_after) {
					keep = i + 1;
					break;
				}
			}
		}
		write_all(fd, buf, keep);
		if (keep < (size_t)n) {
			int lfd = open_append(side(path, sizeof(path), out,
			    ".lost"));
			write_all(lfd, buf + keep, (size_t)n - keep);
			close(lfd);
		}
		if (o.exit_after && records == o.exit_after) {
			note(sig_path, "%s %d", o.crash ? "crash" : "exit",
			    (int)getpid());
			if (o.crash) {
				signal(SIGSEGV, SIG_DFL);
				raise(SIGSEGV);
			}
			return 3;
		}
		if (o.slow_ms) {
			struct timespec ts = {
				.tv_sec = o.slow_ms / 1000,
				.tv_nsec = (long)(o.slow_ms % 1000) * 1000000,
			};
			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
	}
	note(sig_path, "eof %d", (int)getpid());
	return 0;
}

/* ---- the decoders ---- */

static void
put_escaped(FILE *f, const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			putc(p[i], f);
		else
			fprintf(f, "\\x%02x", p[i]);
	}
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			if ((buf = realloc(buf, cap)) == NULL)
				die("out of memory");
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("%s: %s", path, strerror(errno));
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return buf;
}

static int
lines(const char *in)
{
	size_t len, start = 0, i;
	unsigned char *buf = slurp(in, &len);

	for (i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		put_escaped(stdout, buf + start, i - start);
		putchar('\n');
		start = i + 1;
	}
	if (start < len) {
		fputs("#unterminated ", stdout);
		put_escaped(stdout, buf + start, len - start);
		putchar('\n');
	}
	free(buf);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
frames(const char *in)
{
	size_t len, off, i;
	unsigned char *buf = slurp(in, &len);

	for (off = 0; off + FRAME_SIZE <= len; off += FRAME_SIZE) {
		uint32_t h[4];
		size_t size, tail = 0;

		memcpy(h, buf + off, sizeof(h));	/* host-endian */
		size = h[3] > FRAME_DATA ? FRAME_DATA : h[3];
		for (i = FRAME_HDR + size; i < FRAME_SIZE; i++)
			tail += buf[off + i] != 0;
		printf("%u %u %u %u %zu\t", h[0], h[1], h[2], h[3], tail);
		put_escaped(stdout, buf + off + FRAME_HDR, size);
		putchar('\n');
	}
	if (off < len)
		printf("#partial %zu\n", len - off);
	free(buf);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- the sockets ---- */

static void
unix_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		die("%s: path too long for a unix socket", path);
	strcpy(sa->sun_path, path);
}

static int
syslog_sink(const char *sockpath, const char *out)
{
	static unsigned char buf[1 << 17];
	struct sockaddr_un sa;
	int s, fd, rcvbuf = 4 << 20;
	FILE *f;

	unix_addr(&sa, sockpath);
	if ((s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		die("socket: %s", strerror(errno));
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	fd = open_append(out);
	if ((f = fdopen(fd, "a")) == NULL)
		die("fdopen: %s", strerror(errno));
	unlink(sockpath);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind %s: %s", sockpath, strerror(errno));
	chmod(sockpath, 0666);
	for (;;) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("recv: %s", strerror(errno));
		put_escaped(f, buf, (size_t)n);
		putc('\n', f);
		if (fflush(f) != 0)
			die("%s: %s", out, strerror(errno));
	}
}

static int
client(const char *sockpath, const char *out)
{
	static char buf[65536];
	char path[4096];
	struct sockaddr_un sa;
	int s, fd, i;

	unix_addr(&sa, sockpath);
	fd = open_append(out);
	for (i = 0;; i++) {
		if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			die("socket: %s", strerror(errno));
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		if (i == 100)
			die("connect %s: %s", sockpath, strerror(errno));
		close(s);
		usleep(100000);
	}
	note(side(path, sizeof(path), out, ".sig"), "connected %d",
	    (int)getpid());
	for (;;) {
		ssize_t n = read(s, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read: %s", strerror(errno));
		if (n == 0)
			break;
		write_all(fd, buf, (size_t)n);
	}
	note(path, "eof %d", (int)getpid());
	return 0;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s capture:OUT [slow=MS,exit=N,crash,binary,hup]\n"
	    "       %s lines:IN | frames:IN\n"
	    "       %s syslog:SOCK OUT | client:SOCK OUT\n",
	    prog, prog, prog);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *arg;

	if (argc < 2)
		usage();
	arg = argv[1];
	if (strncmp(arg, "capture:", 8) == 0 && argc <= 3)
		return capture(arg + 8, argc == 3 ? argv[2] : NULL, argc, argv);
	if (strncmp(arg, "lines:", 6) == 0 && argc == 2)
		return lines(arg + 6);
	if (strncmp(arg, "frames:", 7) == 0 && argc == 2)
		return frames(arg + 7);
	if (strncmp(arg, "syslog:", 7) == 0 && argc == 3)
		return syslog_sink(arg + 7, argv[2]);
	if (strncmp(arg, "client:", 7) == 0 && argc == 3)
		return client(arg + 7, argv[2]);
	usage();
}
