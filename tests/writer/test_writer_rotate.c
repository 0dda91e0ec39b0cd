/*
 * test_writer_rotate.c - rotation in band and by size (rotate, keep_logs),
 * suspension and resumption, space_left as a percentage, and the
 * incremental flush's chain of syncs.  The harness is wr_test.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_test.h"

#include <ck_pr.h>

#include "common/log.h"
#include "ring/ring.h"
#include "writer/writer.h"
#include "wr_test.h"

/* ---- rotation, suspension, resumption ---- */

/* want split into its lines: line i is the record of index i. */
struct lines {
	const char **p;
	size_t *len;
	unsigned n;
};

static void
split_lines(const struct buf *want, struct lines *l)
{
	size_t o = 0;

	memset(l, 0, sizeof(*l));
	l->p = calloc(want->len / WR_TEST_MIN_LINE + 1, sizeof(*l->p));
	l->len = calloc(want->len / WR_TEST_MIN_LINE + 1, sizeof(*l->len));
	assert_non_null(l->p);
	assert_non_null(l->len);
	while (o < want->len) {
		const char *e = memchr(want->p + o, '\n', want->len - o);

		assert_non_null(e);
		l->p[l->n] = want->p + o;
		l->len[l->n] = (size_t)(e - (want->p + o)) + 1;
		o += l->len[l->n++];
	}
}

static void
lines_free(struct lines *l)
{
	free(l->p);
	free(l->len);
}

/* Records [from, to) of the run, as the log holds them. */
static void
range(struct buf *out, const struct lines *l, unsigned from, unsigned to)
{
	unsigned i;

	for (i = from; i < to; i++)
		buf_add(out, l->p[i], l->len[i]);
}

/* Where the last line of p[0..len) starts; p ends with '\n'. */
static const char *
last_line(const char *p, size_t len)
{
	const char *q = p + len - 2;

	while (q > p && q[-1] != '\n')
		q--;
	return q;
}

static bool
file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* The record index in a line "type=USER msg=audit(1.000:I): ...". */
static unsigned
line_index(const char *line)
{
	const char *p = strstr(line, ":");

	assert_non_null(p);
	return (unsigned)strtoul(p + 1, NULL, 10);
}

/*
 * SIGUSR1's rotation, in band: with num_logs = 3 the live log and two
 * numbered ones are kept, each record that carried the instruction is the
 * first of its new log, and the oldest log is gone.
 */
static void
test_rotate_in_band(void **state)
{
	static const struct cmd_at cmds[] = {
		{ 500, RING_CMD_ROTATE }, { 1000, RING_CMD_ROTATE },
		{ 1500, RING_CMD_ROTATE }, { UINT32_MAX, 0 },
	};
	char dir[64], path[PATH_MAX], p1[PATH_MAX + 8], p2[PATH_MAX + 8],
	    p3[PATH_MAX + 8];
	struct buf want = { 0 }, exp = { 0 };
	struct run_result res;
	struct wr_config c;
	struct wr_stats st;
	struct lines l;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	snprintf(p1, sizeof(p1), "%s.1", path);
	snprintf(p2, sizeof(p2), "%s.2", path);
	snprintf(p3, sizeof(p3), "%s.3", path);
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_INCREMENTAL, FREQ);
	c.params.num_logs = 3;
	run_cmds = cmds;
	ra_test_guard("rotate_in_band", 60);
	run_writer(&c, N_RECS, 0, 1, &want, &st, &res);
	ra_test_unguard();
	run_cmds = NULL;
	assert_no_stall("rotate_in_band", &res, N_RECS);
	assert_int_equal(st.rotations, 3);
	assert_int_equal(st.rotate_errors, 0);
	/* Each rotation is one switch, timed. */
	assert_int_equal(st.lat_switch.count, 3);
	assert_true(st.lat_switch.max > 0);
	assert_int_equal(st.written, N_RECS);
	split_lines(&want, &l);
	range(&exp, &l, 1500, N_RECS);
	assert_file_is(path, &exp);
	exp.len = 0;
	range(&exp, &l, 1000, 1500);
	assert_file_is(p1, &exp);
	exp.len = 0;
	range(&exp, &l, 500, 1000);
	assert_file_is(p2, &exp);
	/* num_logs = 3: the log with records 0..499 was the oldest. */
	assert_false(file_exists(p3));
	lines_free(&l);
	buf_free(&exp);
	buf_free(&want);
	rm_rf(dir);
}

/*
 * max_log_file with rotate (num_logs large enough to keep all) and with
 * keep_logs: every record is in exactly one log, in order, and each log
 * but the live one was rotated on the first record that took it to the
 * limit.
 */
static void
size_rotation(enum wr_act a, unsigned num_logs, const char *what)
{
	char dir[64], path[PATH_MAX], name[PATH_MAX + 16];
	struct buf want = { 0 }, all = { 0 };
	const uint64_t max = 24u << 10;
	struct run_result res;
	struct wr_config c;
	struct wr_stats st;
	unsigned k, files;

	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_DATA, 0);
	c.params.max_log_bytes = max;
	c.params.max_log_act = a;
	c.params.num_logs = num_logs;
	ra_test_guard(what, 60);
	run_writer(&c, N_RECS, 0, 2, &want, &st, &res);
	ra_test_unguard();
	assert_no_stall(what, &res, N_RECS);
	assert_int_equal(st.written, N_RECS);
	assert_true(st.rotations >= want.len / (max + 9000));
	files = (unsigned)st.rotations;
	assert_true(files < 99);
	/* Oldest first: audit.log.N ... audit.log.1, then audit.log. */
	for (k = files; k >= 1; k--) {
		size_t len;
		char *got;

		snprintf(name, sizeof(name), "%s.%u", path, k);
		got = read_file(name, &len);
		/* At the limit, and over it by the last record only. */
		assert_true(len >= max);
		assert_true(len >= 2 && got[len - 1] == '\n');
		assert_true((uint64_t)(last_line(got, len) - got) < max);
		buf_add(&all, got, len);
		free(got);
	}
	snprintf(name, sizeof(name), "%s.%u", path, files + 1);
	assert_false(file_exists(name));
	{
		size_t len;
		char *got = read_file(path, &len);

		buf_add(&all, got, len);
		free(got);
	}
	if (all.len != want.len || memcmp(all.p, want.p, want.len) != 0)
		fail_msg("%s: the %u logs together are not the stream", what,
		    files + 1);
	buf_free(&all);
	buf_free(&want);
	rm_rf(dir);
}

static void
test_size_rotate(void **state)
{
	(void)state;
	size_rotation(WR_ACT_ROTATE, 99, "size_rotate");
}

static void
test_size_keep_logs(void **state)
{
	(void)state;
	/* keep_logs ignores num_logs. */
	size_rotation(WR_ACT_KEEP_LOGS, 2, "size_keep_logs");
}

/*
 * max_log_file = suspend: records after the limit are dropped and
 * counted; a rotation while suspended keeps logging suspended; resume
 * writes again, starting with the record that carried it.
 */
static void
test_suspend_rotate_resume(void **state)
{
	static const struct cmd_at cmds[] = {
		{ 1000, RING_CMD_ROTATE }, { 1500, RING_CMD_RESUME },
		{ UINT32_MAX, 0 },
	};
	char dir[64], path[PATH_MAX], p1[PATH_MAX + 8];
	struct buf want = { 0 }, exp = { 0 };
	const uint64_t max = 64u << 10;
	struct run_result res;
	struct wr_config c;
	struct wr_stats st;
	struct lines l;
	unsigned last;
	size_t len;
	char *got;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	snprintf(p1, sizeof(p1), "%s.1", path);
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, 0);
	c.params.max_log_bytes = max;
	c.params.max_log_act = WR_ACT_SUSPEND;
	c.params.num_logs = 2;
	run_cmds = cmds;
	ra_test_guard("suspend_rotate_resume", 60);
	run_writer(&c, N_RECS, 0, 3, &want, &st, &res);
	ra_test_unguard();
	run_cmds = NULL;
	split_lines(&want, &l);
	/* The rotated log: records from 0 to the one that reached max. */
	got = read_file(p1, &len);
	assert_true(len >= max && len > 0 && got[len - 1] == '\n');
	last = line_index(last_line(got, len));
	free(got);
	range(&exp, &l, 0, last + 1);
	assert_file_is(p1, &exp);
	/* Resumed at 1500, and 1500..1999 stay under the limit. */
	exp.len = 0;
	range(&exp, &l, 1500, N_RECS);
	assert_file_is(path, &exp);
	assert_int_equal(st.dropped, 1500 - (last + 1));
	assert_int_equal(st.written + st.dropped, N_RECS);
	assert_int_equal(st.rotations, 1);
	lines_free(&l);
	buf_free(&exp);
	buf_free(&want);
	rm_rf(dir);
}

/*
 * space_left as a percentage: on a 4 MiB tmpfs, 50% is 2 MiB (auditd
 * resolves it in whole MiB of the partition).  With suspend, logging stops
 * within one space check (64 KiB) and what was already in buffers of the
 * crossing; the daemon is told once; the records after are counted.
 */
static void
test_space_left_percent_suspends(void **state)
{
	char dir[64], path[PATH_MAX];
	struct wr_config c;
	struct wr_stats st;
	struct wr_state ws;
	struct buf want = { 0 };
	const unsigned n = 40000;
	struct harness h;
	struct stat sb;
	uint32_t ev;
	unsigned i;

	(void)state;
	mount_small(dir, sizeof(dir), "4m");
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, WR_FLUSH_NONE, 0);
	c.params.space_left.value = 50;
	c.params.space_left.percent = true;
	c.params.space_left.act = WR_ACT_SUSPEND;
	c.params.admin_space_left.value = 0;

	/* run_writer's harness, kept open to ask the writer afterwards. */
	h_init(&h);
	{
		struct wr_config cc = c;

		cc.from_worker = &h.from_worker;
		cc.free_ring = &h.free_ring;
		cc.self = &h.writer_w;
		assert_int_equal(wr_create(&h.wr, &cc), 0);
	}
	ra_test_guard("space_left_percent", 60);
	assert_int_equal(wr_start(h.wr), 0);
	for (i = 0; i < n; i++) {
		struct ring_rec *r = h_get_free(&h);

		make_line(r, h.seq++, 4, i, 0, &want);
		h_push(&h, r);
	}
	h_end(&h);
	assert_int_equal(wr_join(h.wr), 0);
	ra_test_unguard();
	wr_get_stats(h.wr, &st);
	wr_get_state(h.wr, &ws);
	ev = wr_take_events(h.wr);
	assert_int_equal(stat(path, &sb), 0);
	print_message("space_left_percent: log %lld bytes, threshold %llu, "
	    "dropped %llu\n", (long long)sb.st_size,
	    (unsigned long long)ws.space_left_bytes,
	    (unsigned long long)st.dropped);
	assert_int_equal(ws.space_left_bytes, 2u << 20);
	assert_true(ev & WR_EV_SPACE_LEFT);
	assert_false(ev & WR_EV_ADMIN_SPACE_LEFT);
	assert_true(ws.suspended);
	assert_true(ws.space_left_hit);
	/* Suspended once free space fell under 2 MiB: the log is then over
	 * 2 MiB, by at most a check's 64 KiB and the buffers in hand. */
	assert_true(sb.st_size > (off_t)(2u << 20) - (64 << 10));
	assert_true(sb.st_size < (off_t)(2u << 20) + (64 << 10) +
	    (off_t)(NBUFS + 1) * BATCH_BYTES);
	assert_true(st.dropped > 0);
	assert_int_equal(st.written + st.dropped, n);
	assert_int_equal(st.write_errors, 0);
	wr_destroy(h.wr);
	h.wr = NULL;
	h_fini(&h);
	buf_free(&want);
}

static void
test_incremental_chain_waits_for_wake_read(void **state)
{
	char dir[64], path[PATH_MAX];
	struct buf want = { 0 };
	struct wr_config c;
	struct wr_stats st;
	struct harness h;
	unsigned round, i, rec = 0, stalled_round = 0;
	struct watchdog wd;

	(void)state;
	make_tmpdir(dir, sizeof(dir));
	join_path(path, sizeof(path), dir, "audit.log");
	h_init(&h);
	base_config(&h, &c, WR_OUT_FILE, path, WR_FLUSH_INCREMENTAL, FREQ);
	assert_int_equal(wr_create(&h.wr, &c), 0);
	ra_test_guard("incremental_chain_waits_for_wake_read", 60);
	assert_int_equal(wr_start(h.wr), 0);
	for (round = 1; round <= 5 && stalled_round == 0; round++) {
		struct stat sb;
		unsigned ms;

		/* Idle and asleep, its eventfd read armed. */
		while (!atomic_load(&h.writer_w.sleeping))
			ck_pr_stall();
		for (i = 0; i < FREQ; i++) {
			struct ring_rec *r = h_get_free(&h);

			make_line(r, h.seq++, 4, rec++, 0, &want);
			assert_true(ring_trypush(&h.from_worker, r));
		}
		for (ms = 0; ms < 1000; ms += 10) {
			struct timespec ts = { 0, 10 * 1000000L };

			assert_int_equal(stat(path, &sb), 0);
			if ((size_t)sb.st_size == want.len)
				break;
			nanosleep(&ts, NULL);
		}
		if ((size_t)sb.st_size != want.len)
			stalled_round = round;
	}
	/* If it is stuck, kick it until the stream has ended. */
	memset(&wd, 0, sizeof(wd));
	wd.efd = h.writer_w.efd;
	if (stalled_round != 0) {
		atomic_store(&wd.kicks, 1);
		assert_int_equal(pthread_create(&wd.thread, NULL,
		    watchdog_main, &wd), 0);
	}
	h_end(&h);
	assert_int_equal(wr_join(h.wr), 0);
	if (stalled_round != 0) {
		atomic_store(&wd.done, true);
		pthread_join(wd.thread, NULL);
	}
	ra_test_unguard();
	wr_get_stats(h.wr, &st);
	print_stats("incremental_idle", &st);
	if (stalled_round != 0)
		fail_msg("round %u: %u records (one freq) that reached an idle "
		    "incremental writer were not in the file 1 s later",
		    stalled_round, FREQ);
	assert_file_is(path, &want);
	assert_int_equal(st.written, rec);
	assert_int_equal(st.durable, rec);
	assert_int_equal(st.syncs, rec / FREQ + 1);
	h_fini(&h);
	buf_free(&want);
	rm_rf(dir);
}

int
main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_incremental_chain_waits_for_wake_read),
		T(test_rotate_in_band),
		T(test_size_rotate),
		T(test_size_keep_logs),
		T(test_suspend_rotate_resume),
		T(test_space_left_percent_suspends),
	};
#undef T

	return wr_test_main("test_writer_rotate", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
