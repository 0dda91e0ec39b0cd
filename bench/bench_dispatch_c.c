/*
 * bench_dispatch_c.c - the C half of bench_dispatch.cc: the dispatcher
 * alone, fed as the writer feeds it (writer.c's feed_rec; and
 * tests/dispatch/test_dispatch.c's feed()): ring_feed_reserve, the line
 * copied in, ring_feed_commit, and ring_waiter_wake once per 64 records.
 * One plugin, format string: a root-owned shell script that execs cat
 * into a file in the scratch folder.  Measured is the whole way: the
 * dispatch thread's copy into the plugin's queue and its sends, the
 * socket, cat's reads and writes.
 *
 * The writer never waits for the dispatcher.  A feeder that did not wait
 * either would measure only how many records overflow the plugin's queue,
 * so this one keeps at most q_depth / 2 records on their way (fed, not yet
 * in the plugin's file: its size, checked every 64 records) and past that
 * sleeps 10 µs at a time.  The queue then never overflows nor the feed
 * fills: a record dropped, lost or out of place is a fault.
 *
 * Timed: from the first record fed until the file held every byte.  The
 * dispatch thread's CPU is the process's over that span less this
 * thread's (nothing else runs); the plugin's is the children's rusage
 * once the dispatcher has reaped it, at stop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "dispatch/dispatch.h"
#include "bench_dispatch.h"

#define WAKE_BATCH 64		/* the writer wakes the dispatcher per batch */
#define SLEEP_NS 10000
#define TIMEOUT_NS 10000000000ull	/* and 10 µs a record */

struct ra_bench_disp {
	char dir[DISP_LINE_MAX];
	char out[DISP_LINE_MAX];	/* what the plugin writes */
	char *lines;
	size_t *off;			/* line i is off[i] .. off[i + 1] */
	size_t min_len;
	unsigned n;
};

static int
put_file(const char *path, mode_t mode, const char *text)
{
	FILE *f = fopen(path, "we");

	if (f == NULL)
		return -errno;
	fputs(text, f);
	if (fclose(f) != 0 || chmod(path, mode) < 0)
		return -errno;
	return 0;
}

int
ra_bench_disp_create(struct ra_bench_disp **out, const char *dir,
    unsigned n)
{
	char path[DISP_LINE_MAX + 32], text[2 * DISP_LINE_MAX];
	struct ra_bench_disp *b;
	size_t len;
	unsigned i;
	int rc = -ENOMEM;

	/* auditd's limit on a plugin's path, here the script's. */
	if (strlen(dir) + sizeof("/plugin.out") > DISP_LINE_MAX)
		return -ENAMETOOLONG;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -ENOMEM;
	b->n = n;
	snprintf(b->dir, sizeof(b->dir), "%s", dir);
	snprintf(b->out, sizeof(b->out), "%s/plugin.out", dir);
	b->lines = malloc((size_t)n * RA_BENCH_LINE_MAX);
	b->off = malloc(((size_t)n + 1) * sizeof(*b->off));
	if (b->lines == NULL || b->off == NULL)
		goto err;
	b->off[0] = 0;
	b->min_len = RA_BENCH_LINE_MAX;
	for (i = 0; i < n; i++) {
		len = ra_bench_syscall_line(b->lines + b->off[i], i + 1);
		b->off[i + 1] = b->off[i] + len;
		if (len < b->min_len)
			b->min_len = len;
	}
	/* plugins.d/cap.conf, and the script it names: root's, 0750. */
	snprintf(path, sizeof(path), "%s/plug", dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		goto err;
	}
	snprintf(path, sizeof(path), "%s/plugins.d", dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		goto err;
	}
	snprintf(path, sizeof(path), "%s/plug/cap", dir);
	snprintf(text, sizeof(text), "#!/bin/sh\nexec cat > %s\n", b->out);
	if ((rc = put_file(path, 0750, text)) < 0)
		goto err;
	snprintf(text, sizeof(text), "active = yes\ndirection = out\n"
	    "path = %s/plug/cap\ntype = always\nformat = string\n", dir);
	snprintf(path, sizeof(path), "%s/plugins.d/cap.conf", dir);
	if ((rc = put_file(path, 0640, text)) < 0)
		goto err;
	*out = b;
	return 0;
err:
	ra_bench_disp_destroy(b);
	return rc;
}

void
ra_bench_disp_destroy(struct ra_bench_disp *b)
{
	if (b == NULL)
		return;
	free(b->lines);
	free(b->off);
	free(b);
}

static uint64_t
cpu_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
children_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) *
	    1000000000u + ((uint64_t)ru.ru_utime.tv_usec +
	    (uint64_t)ru.ru_stime.tv_usec) * 1000u;
}

/* Bytes the plugin has written so far. */
static size_t
out_size(const struct ra_bench_disp *b)
{
	struct stat sb;

	return stat(b->out, &sb) == 0 ? (size_t)sb.st_size : 0;
}

static void
nap(void)
{
	struct timespec ts = { 0, SLEEP_NS };

	nanosleep(&ts, NULL);
}

/* As the writer: one line into the feed; false if it did not fit. */
static bool
feed(struct ring_feed *f, const char *line, size_t len, uint64_t seq)
{
	struct ring_feed_ent *e = ring_feed_reserve(f, (uint32_t)len);

	if (e == NULL)
		return false;
	e->seq = seq;
	e->type = RA_BENCH_SYSCALL_TYPE;
	e->ver = 1;
	e->raw_off = 0;
	memcpy(e->text, line, len);
	ring_feed_commit(f);
	return true;
}

int
ra_bench_disp_run(struct ra_bench_disp *b, unsigned q_depth, int lent,
    struct ra_bench_disp_result *res)
{
	const size_t total = b->off[b->n];
	const size_t window = (size_t)(q_depth / 2) * b->min_len;
	struct disp_plugin_stats ps;
	struct disp_config c;
	struct disp_stats st;
	struct ring_feed *f;
	struct disp *d;
	uint64_t t0, deadline, p0, f0, k0;
	unsigned i;
	int rc;

	memset(res, 0, sizeof(*res));
	unlink(b->out);
	memset(&c, 0, sizeof(c));
	snprintf(c.plugin_dir, sizeof(c.plugin_dir), "%s/plugins.d/", b->dir);
	c.q_depth = q_depth;
	c.overflow = DISP_OVF_IGNORE;
	c.stop_ms = 10000;
	/* Not its start-up lines on every run: the figures say it all. */
	log_init("ra_bench", false, false);
	if ((rc = disp_create(&d, &c)) < 0)
		goto out_log;
	k0 = children_cpu_ns();
	if ((rc = disp_start(d)) < 0)
		goto out_destroy;
	f = disp_feed(d);
	/* On once a plugin is to run: else its file was refused. */
	if (!atomic_load(&f->on)) {
		rc = -ENOEXEC;
		goto out_stop;
	}
	p0 = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
	f0 = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
	t0 = clock_mono_ns();
	deadline = t0 + TIMEOUT_NS + (uint64_t)b->n * 10000u;
	for (i = 0; i < b->n && !res->timed_out; i++) {
		if (!feed(f, b->lines + b->off[i], b->off[i + 1] - b->off[i],
		    i))
			break;		/* counted in the feed's lost */
		if ((i + 1) % WAKE_BATCH != 0 && i + 1 != b->n)
			continue;
		if (lent)
			disp_help(d);
		else
			ring_waiter_wake(f->consumer);
		while (b->off[i + 1] - out_size(b) > window) {
			if (clock_mono_ns() > deadline) {
				res->timed_out = 1;
				break;
			}
			res->feed_sleeps++;
			nap();
		}
	}
	while (!res->timed_out && out_size(b) < total) {
		if (clock_mono_ns() > deadline)
			res->timed_out = 1;
		nap();
	}
	res->run_ns = clock_mono_ns() - t0;
	res->feed_cpu_ns = cpu_ns(CLOCK_THREAD_CPUTIME_ID) - f0;
	res->disp_cpu_ns = cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - p0 -
	    res->feed_cpu_ns;
out_stop:
	disp_stop(d);
	res->plugin_cpu_ns = children_cpu_ns() - k0;
	if (disp_get_stats(d, &st, &ps, 1) == 1) {
		res->offered = ps.offered;
		res->delivered = ps.delivered;
		res->dropped = ps.dropped;
		res->helped = st.helped;
	}
	res->feed_lost = st.feed_lost + atomic_load(&f->lost);
out_destroy:
	disp_destroy(d);
out_log:
	log_init("ra_bench", true, false);
	if (rc == 0)
		rc = ra_bench_log_check(b->out, &res->lines);
	unlink(b->out);
	return rc;
}
