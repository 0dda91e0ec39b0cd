/*
 * disp_test.c - what the dispatcher's tests share (disp_test.h): a
 * folder with a plugins.d per test, plugin files, a dispatcher started
 * on it and fed as the writer feeds it, its figures, the daemon's
 * messages caught in a file.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "ra_test.h"

#include "disp_test.h"

char dt_dir[64];		/* the test's folder */
char dt_pdir[96];		/* its plugins.d/ */
char dt_errlog[96];		/* the daemon's messages */
uint64_t dt_seq;
static int dt_saved_stderr = -1;

void
dt_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

void
dt_put_file(const char *path, mode_t mode, const char *fmt, ...)
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
void
dt_plugin(const char *name, const char *fmt, const char *body)
{
	char conf[160], script[160];

	snprintf(script, sizeof(script), "%s/%s.sh", dt_dir, name);
	dt_put_file(script, 0750, "#!/bin/sh\n%s\n", body);
	snprintf(conf, sizeof(conf), "%s%s.conf", dt_pdir, name);
	dt_put_file(conf, 0640, "active = yes\ndirection = out\npath = %s\n"
	    "type = always\nformat = %s\n", script, fmt);
}

/* plugins.d/NAME.conf: builtin_af_unix, its socket at sock with mode. */
void
dt_af_unix_conf(const char *name, const char *mode, const char *sock)
{
	char conf[160];

	snprintf(conf, sizeof(conf), "%s%s.conf", dt_pdir, name);
	dt_put_file(conf, 0640, "active = yes\ndirection = out\npath = "
	    "builtin_af_unix\ntype = builtin\nargs = %s %s\nformat = "
	    "string\n", mode, sock);
}

char *
dt_slurp(const char *path, size_t *len)
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

unsigned
dt_count_in(const char *path, const char *what)
{
	size_t len, wl = strlen(what), i, k;
	char *s = dt_slurp(path, &len);
	unsigned n = 0;

	/* By hand: TSan's strstr and memmem look at the whole rest of a
	 * 12 MB capture at each call, which took minutes. */
	for (i = 0; wl > 0 && i + wl <= len; i++) {
		for (k = 0; k < wl && s[i + k] == what[k]; k++)
			;
		if (k == wl) {
			n++;
			i += wl - 1;
		}
	}
	free(s);
	return n;
}

/* The daemon's messages into dt_errlog, read by the tests. */
void
dt_redirect(void)
{
	int fd = open(dt_errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	fflush(stderr);
	if (dt_saved_stderr < 0)
		dt_saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

int
dt_setup(void **state)
{
	(void)state;
	snprintf(dt_dir, sizeof(dt_dir), "/tmp/ra-disp-XXXXXX");
	assert_non_null(mkdtemp(dt_dir));
	chmod(dt_dir, 0755);
	snprintf(dt_pdir, sizeof(dt_pdir), "%s/plugins.d/", dt_dir);
	assert_int_equal(mkdir(dt_pdir, 0755), 0);
	snprintf(dt_errlog, sizeof(dt_errlog), "%s/stderr", dt_dir);
	dt_redirect();
	dt_seq = 0;
	ra_test_guard("test_dispatch", 60);
	return 0;
}

int
dt_teardown(void **state)
{
	char cmd[128];

	(void)state;
	ra_test_unguard();
	/* Back to the real stderr, with what the daemon said. */
	fflush(stderr);
	dup2(dt_saved_stderr, 2);
	snprintf(cmd, sizeof(cmd), "sed 's/^/  | /' %s >&2", dt_errlog);
	if (system(cmd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dt_dir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

unsigned dt_stop_ms = 5000;

static void
config(struct disp_config *c, unsigned q_depth, enum disp_overflow ovf,
    unsigned max_restarts)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->plugin_dir, sizeof(c->plugin_dir), "%s", dt_pdir);
	c->q_depth = q_depth;
	c->overflow = ovf;
	c->max_restarts = max_restarts;
	c->stop_ms = dt_stop_ms;
}

struct disp *
dt_start(unsigned q_depth, enum disp_overflow ovf, unsigned max_restarts)
{
	struct disp_config c;
	struct disp *d;

	config(&c, q_depth, ovf, max_restarts);
	assert_int_equal(disp_create(&d, &c), 0);
	assert_int_equal(disp_start(d), 0);
	return d;
}

void
dt_reconfigure(struct disp *d, unsigned q_depth, enum disp_overflow ovf,
    unsigned max_restarts)
{
	struct disp_config c;

	config(&c, q_depth, ovf, max_restarts);
	disp_reconfigure(d, &c);
}

/*
 * As the writer: one record put with ring_feed_put, as its log line
 * (ver 1) or as protocol 0 text, whose payload starts after "msg=".
 */
bool
dt_feed(struct disp *d, unsigned type, unsigned ver, const char *text)
{
	bool put = dt_put(d, type, ver, text);

	if (put)
		ring_waiter_wake(disp_feed(d)->consumer);
	return put;
}

bool
dt_put(struct disp *d, unsigned type, unsigned ver, const char *text)
{
	static struct ring_rec r;
	struct ring_feed *f = disp_feed(d);
	size_t len = strlen(text);
	const char *msg = strstr(text, "msg=");
	size_t pre = ver == 0 && msg != NULL ? (size_t)(msg + 4 - text) : 0;

	memset(&r, 0, offsetof(struct ring_rec, data));
	r.seq = dt_seq++;
	r.type = (uint16_t)type;
	r.line_off = (uint32_t)(RING_REC_HEADROOM - pre);
	r.line_len = (uint32_t)len;
	r.len = (uint32_t)(len - pre);
	memcpy(r.data + r.line_off, text, len);
	if (ver == 0)
		r.v0_len = (uint32_t)len - 1;
	return ring_feed_put(f, &r);
}

unsigned
dt_stats(struct disp *d, struct disp_stats *st, struct disp_plugin_stats *ps)
{
	return disp_get_stats(d, st, ps, DISP_PLUGINS_MAX);
}

void
dt_assert_balanced(const struct disp_plugin_stats *ps, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(ps[i].offered,
		    ps[i].delivered + ps[i].dropped + ps[i].depth);
}

void
dt_line_n(char *buf, size_t len, unsigned i, size_t pad)
{
	char fill[9000];

	memset(fill, 'x', pad);
	fill[pad] = '\0';
	assert_true((size_t)snprintf(buf, len, "type=USER msg=audit(1700000000"
	    ".%03u:%u): text=record-%u %s\n", i % 1000, i, i, fill) < len);
}

