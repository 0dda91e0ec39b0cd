/*
 * test_dispatch.c - the dispatcher alone, fed by this program acting as
 * the writer.
 *
 * Each test makes a plugins.d of its own in a temporary folder, with
 * plugins that are small shell scripts (root's, 0750, as auditd wants),
 * starts a dispatcher on it, puts records into its feed the way the
 * writer does, stops it, and looks at what the plugins wrote and at the
 * dispatcher's figures.  The daemon's messages (stderr) go to a file that
 * the tests read.  No kernel is involved.
 *
 * Checked: the string and binary framing byte for byte (protocol 0 and
 * 1, the frame's zeroed tail), queue overflow under each overflow_action
 * (ignore, syslog and its five messages, suspend and resume, single and
 * halt as events for the daemon), restart counting and its messages,
 * records a dead plugin had not read sent to the next instance,
 * builtin_af_unix with several clients, and offered = delivered + dropped
 * for every plugin.  And that builtin_af_unix's socket is made at its path
 * whatever another user planted there (a symlink to a victim file, a
 * dangling one, a hard link, a FIFO), with its mode, and that its chmod
 * follows no symlink put in the socket's place after the bind.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_plant.h"
#include "ra_test.h"

#include "common/log.h"
#include "dispatch/disp_int.h"
#include "dispatch/dispatch.h"

static char dir[64];		/* the test's folder */
static char pdir[96];		/* its plugins.d/ */
static char errlog[96];		/* the daemon's messages */
static uint64_t seq;
static int saved_stderr = -1;

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void
put_file(const char *path, mode_t mode, const char *fmt, ...)
{
	va_list ap;
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* A plugin file NAME running the script BODY (sh), format FMT. */
static void
plugin(const char *name, const char *fmt, const char *body)
{
	char conf[160], script[160];

	snprintf(script, sizeof(script), "%s/%s.sh", dir, name);
	put_file(script, 0750, "#!/bin/sh\n%s\n", body);
	snprintf(conf, sizeof(conf), "%s%s.conf", pdir, name);
	put_file(conf, 0640, "active = yes\ndirection = out\npath = %s\n"
	    "type = always\nformat = %s\n", script, fmt);
}

/* plugins.d/NAME.conf: builtin_af_unix, its socket at sock with mode. */
static void
af_unix_conf(const char *name, const char *mode, const char *sock)
{
	char conf[160];

	snprintf(conf, sizeof(conf), "%s%s.conf", pdir, name);
	put_file(conf, 0640, "active = yes\ndirection = out\npath = "
	    "builtin_af_unix\ntype = builtin\nargs = %s %s\nformat = "
	    "string\n", mode, sock);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL) {
		*len = 0;
		return calloc(1, 1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

static unsigned
count_in(const char *path, const char *what)
{
	size_t len;
	char *s = slurp(path, &len), *p = s;
	unsigned n = 0;

	while ((p = strstr(p, what)) != NULL) {
		n++;
		p += strlen(what);
	}
	free(s);
	return n;
}

/* The daemon's messages into errlog, read by the tests. */
static void
redirect(void)
{
	int fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	fflush(stderr);
	if (saved_stderr < 0)
		saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ra-disp-XXXXXX");
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(pdir, sizeof(pdir), "%s/plugins.d/", dir);
	assert_int_equal(mkdir(pdir, 0755), 0);
	snprintf(errlog, sizeof(errlog), "%s/stderr", dir);
	redirect();
	seq = 0;
	ra_test_guard("test_dispatch", 60);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	ra_test_unguard();
	/* Back to the real stderr, with what the daemon said. */
	fflush(stderr);
	dup2(saved_stderr, 2);
	snprintf(cmd, sizeof(cmd), "sed 's/^/  | /' %s >&2", errlog);
	if (system(cmd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

static unsigned stop_ms = 5000;

static struct disp *
start(unsigned q_depth, enum disp_overflow ovf, unsigned max_restarts)
{
	struct disp_config c;
	struct disp *d;

	memset(&c, 0, sizeof(c));
	snprintf(c.plugin_dir, sizeof(c.plugin_dir), "%s", pdir);
	c.q_depth = q_depth;
	c.overflow = ovf;
	c.max_restarts = max_restarts;
	c.stop_ms = stop_ms;
	assert_int_equal(disp_create(&d, &c), 0);
	assert_int_equal(disp_start(d), 0);
	return d;
}

/*
 * As the writer: one record put with ring_feed_put, as its log line
 * (ver 1) or as protocol 0 text, whose payload starts after "msg=".
 */
static bool
feed(struct disp *d, unsigned type, unsigned ver, const char *text)
{
	static struct ring_rec r;
	struct ring_feed *f = disp_feed(d);
	size_t len = strlen(text);
	const char *msg = strstr(text, "msg=");
	size_t pre = ver == 0 && msg != NULL ? (size_t)(msg + 4 - text) : 0;
	bool put;

	memset(&r, 0, offsetof(struct ring_rec, data));
	r.seq = seq++;
	r.type = (uint16_t)type;
	r.line_off = (uint32_t)(RING_REC_HEADROOM - pre);
	r.line_len = (uint32_t)len;
	r.len = (uint32_t)(len - pre);
	memcpy(r.data + r.line_off, text, len);
	if (ver == 0)
		r.v0_len = (uint32_t)len - 1;
	put = ring_feed_put(f, &r);
	if (put)
		ring_waiter_wake(f->consumer);
	return put;
}

static unsigned
stats(struct disp *d, struct disp_stats *st, struct disp_plugin_stats *ps)
{
	return disp_get_stats(d, st, ps, DISP_PLUGINS_MAX);
}

static void
assert_balanced(const struct disp_plugin_stats *ps, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(ps[i].offered,
		    ps[i].delivered + ps[i].dropped + ps[i].depth);
}

static void
line_n(char *buf, size_t len, unsigned i, size_t pad)
{
	char fill[9000];

	memset(fill, 'x', pad);
	fill[pad] = '\0';
	assert_true((size_t)snprintf(buf, len, "type=USER msg=audit(1700000000"
	    ".%03u:%u): text=record-%u %s\n", i % 1000, i, i, fill) < len);
}

/* ---- framing ---- */

static void
test_string_framing(void **state)
{
	static const char *recs[] = {
		"type=SYSCALL msg=audit(1.002:3): arch=c000003e\n",
		"type=EOE msg=audit(1.002:3): \n",
		"node=h type=USER msg=audit(1.003:4): a\x1d" "AUID=\"root\"\n",
	};
	char out[160], expect[512] = "", *got;
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	struct disp *d;
	size_t len;
	unsigned i;

	(void)state;
	snprintf(out, sizeof(out), "%s/out", dir);
	{
		char body[256];

		snprintf(body, sizeof(body), "exec cat > %s", out);
		plugin("cap", "string", body);
	}
	d = start(100, DISP_OVF_SYSLOG, 10);
	for (i = 0; i < 3; i++) {
		assert_true(feed(d, i == 1 ? 1320 : 1300, i == 2 ? 1 : 0,
		    recs[i]));
		strcat(expect, recs[i]);
	}
	disp_stop(d);
	assert_int_equal(stats(d, &st, ps), 1);
	assert_int_equal(ps[0].offered, 3);
	assert_int_equal(ps[0].delivered, 3);
	assert_balanced(ps, 1);
	disp_destroy(d);
	got = slurp(out, &len);
	/* The line and '\n', EOE with its trailing space, as auditd. */
	assert_int_equal(len, strlen(expect));
	assert_memory_equal(got, expect, len);
	free(got);
	assert_int_equal(count_in(errlog, "audit dispatcher initialized "
	    "with q_depth=100 and 1 active plugins"), 1);
}

static void
test_binary_framing(void **state)
{
	const char *v0 = "type=SYSCALL msg=audit(1.002:3): arch=c000003e \n";
	const char *v1 = "node=h type=EOE msg=audit(1.002:3): \n";
	char out[160], body[256], *got;
	uint32_t hdr[4];
	struct disp *d;
	size_t len, i;

	(void)state;
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(body, sizeof(body), "exec cat > %s", out);
	plugin("bin", "binary", body);
	d = start(100, DISP_OVF_SYSLOG, 10);
	assert_true(feed(d, 1300, 0, v0));
	assert_true(feed(d, 1320, 1, v1));
	disp_stop(d);
	disp_destroy(d);
	got = slurp(out, &len);
	/* Two fixed frames of 16 + 8970 bytes. */
	assert_int_equal(len, 2 * 8986);
	memcpy(hdr, got, sizeof(hdr));
	/* Protocol 0: the kernel's text, after "msg=", no '\n'. */
	assert_int_equal(hdr[0], 0);
	assert_int_equal(hdr[1], 16);
	assert_int_equal(hdr[2], 1300);
	assert_int_equal(hdr[3], strlen(v0) - strlen("type=SYSCALL msg=") - 1);
	assert_memory_equal(got + 16, v0 + strlen("type=SYSCALL msg="),
	    hdr[3]);
	for (i = 16 + hdr[3]; i < 8986; i++)
		assert_int_equal(got[i], 0);
	memcpy(hdr, got + 8986, sizeof(hdr));
	/* Protocol 1: the line as the log has it, no '\n'. */
	assert_int_equal(hdr[0], 1);
	assert_int_equal(hdr[1], 16);
	assert_int_equal(hdr[2], 1320);
	assert_int_equal(hdr[3], strlen(v1) - 1);
	assert_memory_equal(got + 8986 + 16, v1, hdr[3]);
	for (i = 8986 + 16 + hdr[3]; i < 2 * 8986; i++)
		assert_int_equal(got[i], 0);
	free(got);
}

/* ---- overflow ---- */

/*
 * A plugin that never reads: its socket fills, then its queue of 8; of
 * 1000 records of 1 KiB, most are dropped.  (Small enough that the feed
 * never has to drop its oldest: see test_evict.)  Returns the dispatcher,
 * stopped, with the stats filled.
 */
static struct disp *
overflow_run(enum disp_overflow ovf, struct disp_plugin_stats *ps,
    struct disp_stats *st, unsigned n_recs)
{
	static char line[9100];
	struct disp *d;
	unsigned i;

	plugin("stuck", "string", "exec sleep 1000");
	/* It never takes its queue, and ignores SIGTERM: do not wait. */
	stop_ms = 300;
	d = start(8, ovf, 10);
	stop_ms = 5000;
	for (i = 0; i < n_recs; i++) {
		line_n(line, sizeof(line), i, 1000);
		feed(d, 1100, 0, line);
		/* Let the thread take them: the feed is not what is
		 * tested here. */
		if (i % 16 == 15)
			sleep_ms(2);
	}
	sleep_ms(100);
	assert_int_equal(stats(d, st, ps), 1);
	return d;
}

static void
test_overflow_ignore(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	struct disp *d;

	(void)state;
	d = overflow_run(DISP_OVF_IGNORE, ps, &st, 1000);
	assert_int_equal(ps[0].offered, 1000);
	assert_true(ps[0].dropped > 500);
	assert_int_equal(ps[0].depth, 8);
	assert_true(st.overflowed);
	assert_false(st.suspended);
	assert_balanced(ps, 1);
	disp_stop(d);
	disp_destroy(d);
	assert_int_equal(count_in(errlog, "queue to plugins is full"), 0);
}

static void
test_overflow_syslog(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	struct disp *d;

	(void)state;
	d = overflow_run(DISP_OVF_SYSLOG, ps, &st, 1000);
	assert_balanced(ps, 1);
	disp_stop(d);
	disp_destroy(d);
	/* auditd's five messages, then one that it stops saying so. */
	assert_int_equal(count_in(errlog, "queue to plugins is full - "
	    "dropping event"), 5);
	assert_int_equal(count_in(errlog, "auditd queue full reporting limit "
	    "reached - ending dropped event notifications"), 1);
}

static void
test_overflow_suspend(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	struct disp *d;
	uint64_t dropped;

	(void)state;
	d = overflow_run(DISP_OVF_SUSPEND, ps, &st, 1000);
	assert_true(st.suspended);
	assert_int_equal(ps[0].state, DISP_ST_SUSPENDED);
	assert_balanced(ps, 1);
	assert_int_equal(count_in(errlog, "Auditd is suspending event passing "
	    "to plugins due to overflowing its queue."), 1);

	/* Suspended: dropped without a word. */
	dropped = ps[0].dropped;
	feed(d, 1100, 0, "type=USER msg=audit(1.0:1): x\n");
	stats(d, &st, ps);
	assert_int_equal(ps[0].dropped, dropped + 1);
	/* SIGUSR2: records are offered to the queue again; it is still
	 * full, so the next one overflows and suspends anew. */
	disp_resume(d);
	stats(d, &st, ps);
	assert_false(st.suspended);
	assert_int_equal(ps[0].state, DISP_ST_RUNNING);
	assert_true(feed(d, 1100, 0, "type=USER msg=audit(1.0:2): x\n"));
	stats(d, &st, ps);
	assert_true(st.suspended);
	assert_int_equal(ps[0].dropped, dropped + 2);
	assert_balanced(ps, 1);
	disp_stop(d);
	disp_destroy(d);
	assert_int_equal(count_in(errlog, "Auditd is suspending event passing "
	    "to plugins due to overflowing its queue."), 2);
}

static void
test_overflow_single_halt(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	struct disp *d;

	(void)state;
	d = overflow_run(DISP_OVF_SINGLE, ps, &st, 1000);
	/* The daemon runs init 1; it is told once. */
	assert_int_equal(disp_take_events(d), DISP_EV_SINGLE);
	assert_int_equal(disp_take_events(d), 0);
	disp_stop(d);
	disp_destroy(d);
	assert_int_equal(count_in(errlog, "single user mode due to "
	    "overflowing its queue"), 1);
	redirect();
	d = overflow_run(DISP_OVF_HALT, ps, &st, 1000);
	assert_int_equal(disp_take_events(d), DISP_EV_HALT);
	disp_stop(d);
	disp_destroy(d);
	assert_int_equal(count_in(errlog, "halting the system due to "
	    "overflowing its queue"), 1);
}

/* ---- death and restart ---- */

/*
 * A plugin that reads one line (sh reads a byte at a time from a
 * socket) and exits: every instance takes one record, and the records
 * the dead one had not read go to the next, so the union is whole.
 */
static void
test_restart_resends(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	char out[160], body[256], line[256], *got, *p;
	struct disp *d;
	size_t len;
	unsigned i;

	(void)state;
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(body, sizeof(body), "read -r l && printf '%%s\\n' \"$l\" "
	    ">> %s", out);
	plugin("once", "string", body);
	d = start(100, DISP_OVF_SYSLOG, 30);
	for (i = 0; i < 20; i++) {
		line_n(line, sizeof(line), i, 5);
		assert_true(feed(d, 1100, 0, line));
	}
	/* 20 instances, each one record; the 21st waits for more. */
	for (i = 0; i < 500; i++) {
		stats(d, &st, ps);
		if (ps[0].delivered == 20 && ps[0].restarts == 20)
			break;
		sleep_ms(10);
	}
	assert_int_equal(ps[0].restarts, 20);
	assert_int_equal(ps[0].delivered, 20);
	assert_int_equal(ps[0].dropped, 0);
	disp_stop(d);
	disp_destroy(d);
	got = slurp(out, &len);
	for (i = 0, p = got; i < 20; i++) {
		line_n(line, sizeof(line), i, 5);
		assert_memory_equal(p, line, strlen(line));
		p += strlen(line);
	}
	assert_int_equal((size_t)(p - got), len);
	free(got);
	assert_int_equal(count_in(errlog, "terminated unexpectedly"), 20);
	assert_int_equal(count_in(errlog, "was restarted"), 20);
}

/* auditd's count: max_restarts restarts, the next death is final, and
 * (unlike auditd) no "was restarted" after it. */
static void
test_max_restarts(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	struct disp *d;
	unsigned i;

	(void)state;
	plugin("dies", "string", "exit 3");
	d = start(100, DISP_OVF_SYSLOG, 3);
	for (i = 0; i < 500; i++) {
		stats(d, &st, ps);
		if (ps[0].state == DISP_ST_DEAD)
			break;
		sleep_ms(10);
	}
	assert_int_equal(ps[0].state, DISP_ST_DEAD);
	/* Started again 3 times; the 4th death is final. */
	assert_int_equal(ps[0].restarts, 3);
	assert_true(feed(d, 1100, 0, "type=USER msg=audit(1.0:1): x\n"));
	stats(d, &st, ps);
	assert_int_equal(ps[0].offered, 1);
	assert_int_equal(ps[0].dropped, 1);
	disp_stop(d);
	disp_destroy(d);
	assert_int_equal(count_in(errlog, "terminated unexpectedly"), 4);
	assert_int_equal(count_in(errlog, "was restarted"), 3);
	assert_int_equal(count_in(errlog, "has exceeded max_restarts"), 1);
}

/* ---- builtin_af_unix ---- */

static int
client(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_true((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s",
	    path) < sizeof(sa.sun_path));
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void
test_af_unix_clients(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	char sock[160], line[256], expect[8192] = "", got[8192];
	struct disp *d;
	struct stat sb;
	int fd[3];
	unsigned i, k;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/events", dir);
	af_unix_conf("af_unix", "0640", sock);
	d = start(100, DISP_OVF_SYSLOG, 10);
	assert_int_equal(stat(sock, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0640);
	for (k = 0; k < 3; k++)
		fd[k] = client(sock);
	for (i = 0; i < 200; i++) {
		stats(d, &st, ps);
		if (ps[0].clients == 3)
			break;
		sleep_ms(10);
	}
	assert_int_equal(ps[0].clients, 3);
	for (i = 0; i < 30; i++) {
		line_n(line, sizeof(line), i, 10);
		assert_true(feed(d, 1100, 0, line));
		strcat(expect, line);
	}
	for (k = 0; k < 3; k++) {
		size_t have = 0;
		ssize_t n;

		while (have < strlen(expect) && (n = read(fd[k], got + have,
		    sizeof(got) - have)) > 0)
			have += (size_t)n;
		assert_int_equal(have, strlen(expect));
		assert_memory_equal(got, expect, have);
	}
	/* One leaves: the others lose nothing. */
	close(fd[0]);
	line_n(line, sizeof(line), 99, 10);
	for (i = 0; i < 200; i++) {
		stats(d, &st, ps);
		if (ps[0].clients == 2)
			break;
		sleep_ms(10);
	}
	assert_true(feed(d, 1100, 0, line));
	for (k = 1; k < 3; k++) {
		ssize_t n = read(fd[k], got, sizeof(got));

		assert_int_equal(n, (ssize_t)strlen(line));
		assert_memory_equal(got, line, (size_t)n);
	}
	stats(d, &st, ps);
	assert_balanced(ps, 1);
	disp_stop(d);
	disp_destroy(d);
	for (k = 1; k < 3; k++)
		close(fd[k]);
	/* Removed when the plugin stops, as auditd does. */
	assert_int_not_equal(stat(sock, &sb), 0);
}

/* ---- builtin_af_unix's file: what another user planted there ---- */
/*
 * The socket replaces what was planted at its path (unlink removes the
 * name itself, bind makes a new file): the victim keeps its content,
 * mode and owner, nothing is made where a dangling symlink points, and
 * the socket has its mode and takes clients.  Stopping removes the
 * socket's name only.
 */
static void
test_af_unix_socket_made_in_place_of_a_planted_file(void **state)
{
	char sock[160], victim[160], nowhere[160];
	struct disp *d;
	struct stat sb;
	enum ra_plant p;
	int fd;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/events", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(nowhere, sizeof(nowhere), "%s/made-through-link", dir);
	af_unix_conf("af_unix", "0640", sock);
	for (p = RA_PLANT_SYMLINK; p <= RA_PLANT_FIFO; p++) {
		print_message("af_unix: %s at its path\n", ra_plant_names[p]);
		ra_victim_make(victim);
		ra_plant(p, sock, victim, nowhere);
		d = start(100, DISP_OVF_SYSLOG, 10);
		ra_victim_untouched(victim);
		assert_int_equal(access(nowhere, F_OK), -1);
		assert_int_equal(lstat(sock, &sb), 0);
		assert_true(S_ISSOCK(sb.st_mode));
		assert_int_equal(sb.st_mode & 07777, 0640);
		fd = client(sock);
		close(fd);
		disp_stop(d);
		disp_destroy(d);
		assert_int_equal(lstat(sock, &sb), -1);
		ra_victim_untouched(victim);
	}
}

/* auditd chmods after bind: the mode asked, whatever the umask. */
static void
test_af_unix_socket_mode_kept_under_a_narrow_umask(void **state)
{
	char sock[160];
	struct disp *d;
	struct stat sb;
	mode_t old;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/events", dir);
	af_unix_conf("af_unix", "0666", sock);
	old = umask(0077);
	d = start(100, DISP_OVF_SYSLOG, 10);
	umask(old);
	assert_int_equal(lstat(sock, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0666);
	disp_stop(d);
	disp_destroy(d);
}

/*
 * What may be at the socket's name when its mode is set, if another user
 * replaced the socket after the bind: du_chmod changes none of it, and
 * does not block on a FIFO.  The socket itself it changes.
 */
static void
test_af_unix_chmod_follows_no_symlink(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char sock[160], victim[160], nowhere[160];
	struct stat sb;
	int fd;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/events", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(nowhere, sizeof(nowhere), "%s/made-through-link", dir);
	ra_victim_make(victim);
	ra_test_guard("du_chmod", 10);
	ra_plant(RA_PLANT_SYMLINK, sock, victim, nowhere);
	assert_int_equal(du_chmod(sock, 0666), -ELOOP);
	ra_plant(RA_PLANT_DANGLING, sock, victim, nowhere);
	assert_int_equal(du_chmod(sock, 0666), -ELOOP);
	ra_plant(RA_PLANT_HARDLINK, sock, victim, nowhere);
	assert_int_equal(du_chmod(sock, 0666), -ENOTSOCK);
	ra_plant(RA_PLANT_FIFO, sock, victim, nowhere);
	assert_int_equal(chmod(sock, 0600), 0);
	assert_int_equal(du_chmod(sock, 0666), -ENOTSOCK);
	assert_int_equal(lstat(sock, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	ra_victim_untouched(victim);
	assert_int_equal(access(nowhere, F_OK), -1);
	/* Another user's socket is not ours to change. */
	unlink(sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_true((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s",
	    sock) < sizeof(sa.sun_path));
	assert_int_equal(fchmod(fd, 0600), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(lchown(sock, RA_VICTIM_UID, RA_VICTIM_GID), 0);
	assert_int_equal(du_chmod(sock, 0666), -EPERM);
	assert_int_equal(lstat(sock, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* Ours is. */
	assert_int_equal(lchown(sock, geteuid(), getegid()), 0);
	assert_int_equal(du_chmod(sock, 0666), 0);
	assert_int_equal(lstat(sock, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0666);
	ra_test_unguard();
	close(fd);
	unlink(sock);
}

/*
 * Regression: a SIGHUP that raised q_depth let a queue hold more records
 * than its slots, and the oldest one still queued was overwritten (read
 * after being freed).  A queue keeps the depth it was made for.
 */
static void
test_q_depth_raised_on_hup_keeps_queues_whole(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_config c;
	struct disp_stats st;
	static char line[9100];
	struct disp *d;
	unsigned i;

	(void)state;
	plugin("stuck", "string", "exec sleep 1000");
	stop_ms = 300;
	d = start(100, DISP_OVF_IGNORE, 10);
	memset(&c, 0, sizeof(c));
	snprintf(c.plugin_dir, sizeof(c.plugin_dir), "%s", pdir);
	c.q_depth = 20000;
	c.overflow = DISP_OVF_IGNORE;
	c.max_restarts = 10;
	c.stop_ms = 300;
	disp_reconfigure(d, &c);
	for (i = 0; i < 12000; i++) {
		line_n(line, sizeof(line), i, 200);
		feed(d, 1100, 0, line);
		if (i % 16 == 15)
			sleep_ms(1);
	}
	sleep_ms(100);
	assert_int_equal(stats(d, &st, ps), 1);
	assert_int_equal(ps[0].offered, 12000);
	assert_true(ps[0].depth <= 100);
	assert_true(ps[0].dropped > 0);
	assert_balanced(ps, 1);
	disp_stop(d);
	disp_destroy(d);
	stop_ms = 5000;
}

/* A client that shuts its own side (nc -N) still reads: it gets every
 * record, and stays. */
static void
test_af_unix_client_that_shuts_its_side_still_reads(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	char sock[160], line[256], expect[4096] = "", got[4096];
	size_t have = 0;
	struct disp *d;
	unsigned i;
	ssize_t n;
	int fd;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/events", dir);
	af_unix_conf("af_unix", "0640", sock);
	d = start(100, DISP_OVF_SYSLOG, 10);
	fd = client(sock);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	for (i = 0; i < 200; i++) {
		stats(d, &st, ps);
		if (ps[0].clients == 1)
			break;
		sleep_ms(10);
	}
	/* Its EOF seen, then records. */
	sleep_ms(50);
	for (i = 0; i < 20; i++) {
		line_n(line, sizeof(line), i, 10);
		assert_true(feed(d, 1100, 0, line));
		strcat(expect, line);
	}
	while (have < strlen(expect) && (n = read(fd, got + have,
	    sizeof(got) - have)) > 0)
		have += (size_t)n;
	assert_int_equal(have, strlen(expect));
	assert_memory_equal(got, expect, have);
	stats(d, &st, ps);
	assert_int_equal(ps[0].clients, 1);
	assert_balanced(ps, 1);
	disp_stop(d);
	disp_destroy(d);
	close(fd);
}

/*
 * Regression: a SIGHUP that turned a builtin_af_unix file into a program
 * kept the plugin an af_unix one (and the other way, tried to run
 * "builtin_af_unix").  The new kind starts in its place.
 */
static void
test_hup_changes_builtin_into_program(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_config c;
	struct disp_stats st;
	char sock[160], out[160], body[256], *got;
	struct disp *d;
	struct stat sb;
	size_t len;
	unsigned i;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/events", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	af_unix_conf("cap", "0640", sock);
	d = start(100, DISP_OVF_SYSLOG, 10);
	assert_int_equal(stat(sock, &sb), 0);
	/* Same file name, now a program. */
	snprintf(body, sizeof(body), "exec cat > %s", out);
	plugin("cap", "string", body);
	memset(&c, 0, sizeof(c));
	snprintf(c.plugin_dir, sizeof(c.plugin_dir), "%s", pdir);
	c.q_depth = 100;
	c.overflow = DISP_OVF_SYSLOG;
	c.max_restarts = 10;
	c.stop_ms = stop_ms;
	disp_reconfigure(d, &c);
	for (i = 0; i < 200; i++) {
		stats(d, &st, ps);
		if (ps[0].state == DISP_ST_RUNNING && ps[0].pid > 0)
			break;
		sleep_ms(10);
	}
	assert_true(ps[0].pid > 0);
	assert_int_not_equal(stat(sock, &sb), 0);
	assert_true(feed(d, 1100, 0, "type=USER msg=audit(1.0:1): x\n"));
	disp_stop(d);
	disp_destroy(d);
	got = slurp(out, &len);
	assert_string_equal(got, "type=USER msg=audit(1.0:1): x\n");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_string_framing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_binary_framing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_overflow_ignore, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_overflow_syslog, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_overflow_suspend, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_overflow_single_halt,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_resends, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_max_restarts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_af_unix_clients, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_q_depth_raised_on_hup_keeps_queues_whole, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_af_unix_client_that_shuts_its_side_still_reads, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_hup_changes_builtin_into_program, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_af_unix_socket_made_in_place_of_a_planted_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_af_unix_socket_mode_kept_under_a_narrow_umask, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_af_unix_chmod_follows_no_symlink, setup, teardown),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_dispatch: needs root (plugins must be "
		    "root's files)\n");
		return 77;
	}
	log_init("test_dispatch", true, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
