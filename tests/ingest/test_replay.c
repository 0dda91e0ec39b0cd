/*
 * test_replay.c - every record of every fixture log goes through the whole
 * pipeline (replay source, parser workers, writer) and comes out as the
 * same line.  Run as log lines and as netlink frames, with one worker and
 * with several (so the writer's merge by sequence number is exercised).
 * At a pace (a few records a receive, apart), with inline on: ingest
 * formats and writes while the workers and the writer sleep, and the log
 * is the same, with syncs made by the writer in between (under group
 * commit, the writer takes its records itself); inline off, the stages
 * do it all.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/netlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_test.h"

#include "daemon/pipeline.h"
#include "parse/parse.h"

struct buf {
	char *p;
	size_t len;
};

static char tmpdir[64];

static struct buf
slurp(const char *path)
{
	struct buf b = { 0 };
	FILE *f = fopen(path, "re");
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	b.p = malloc((size_t)n + 2);
	assert_non_null(b.p);
	b.len = fread(b.p, 1, (size_t)n, f);
	/* A log's last line may lack its '\n'; every line written has one. */
	if (b.len > 0 && b.p[b.len - 1] != '\n')
		b.p[b.len++] = '\n';
	b.p[b.len] = '\0';
	fclose(f);
	return b;
}

/*
 * Replay 'in' through a pipeline of 'workers' workers into 'out'.  The
 * waiters get no safety timeout: a lost wake-up hangs the test (and the
 * alarm in main fails it) instead of passing as 100 ms of latency.
 */
/* A replay source's pace, and what goes with it; NULL: none. */
struct pace {
	unsigned recs, gap_us;
	bool inline_work;
	enum wr_flush flush;
	unsigned freq;
};

static void
run_replay_paced(const char *in, const char *out, unsigned workers,
    unsigned ring_size, const struct pace *pace, struct pl_stats *st)
{
	struct pl_config c;
	struct pl *p;

	unlink(out);
	pl_config_defaults(&c);
	c.wait_timeout_ms = -1;
	c.source = INGEST_REPLAY;
	c.replay_path = in;
	c.workers = workers;
	c.records = 64;		/* small: the pool wraps many times */
	c.ring_size = ring_size;
	c.log_path = out;
	c.wr.flush = WR_FLUSH_NONE;
	if (pace != NULL) {
		c.replay_recs = pace->recs;
		c.replay_gap_us = pace->gap_us;
		c.inline_work = pace->inline_work;
		c.wr.flush = pace->flush;
		c.wr.freq = pace->freq;
	}
	assert_int_equal(pl_create(&p, &c), 0);
	assert_int_equal(pl_start(p), 0);
	assert_int_equal(pl_wait(p), 0);
	assert_true(pl_finished(p));
	pl_get_stats(p, st);
	pl_destroy(p);
}

static void
run_replay_rings(const char *in, const char *out, unsigned workers,
    unsigned ring_size, struct pl_stats *st)
{
	run_replay_paced(in, out, workers, ring_size, NULL, st);
}

static void
run_replay(const char *in, const char *out, unsigned workers,
    struct pl_stats *st)
{
	run_replay_rings(in, out, workers, 16, st);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ra-replay-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static unsigned
count_lines(const struct buf *b)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < b->len; i++)
		n += b->p[i] == '\n';
	return n;
}

static unsigned
count_headerless(const struct buf *b)
{
	struct parse_hdr h;
	const char *p = b->p, *nl, *msg;
	unsigned n = 0;

	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		msg = strstr(p, " msg=");
		assert_true(msg != NULL && msg < nl);
		msg += 5;
		if (parse_header(msg, (size_t)(nl - msg), &h) < 0)
			n++;
	}
	return n;
}

static void
for_each_fixture(void (*fn)(const char *path, void *workers),
    unsigned workers)
{
	assert_true(ra_test_fixture_files(fn, &workers) >= 15);
}

static void
lines_roundtrip(const char *path, void *arg)
{
	unsigned workers = *(unsigned *)arg;

	char out[256];
	struct pl_stats st;
	struct buf want, got;

	snprintf(out, sizeof(out), "%s/out.log", tmpdir);
	run_replay(path, out, workers, &st);
	want = slurp(path);
	got = slurp(out);
	if (want.len != got.len || memcmp(want.p, got.p, want.len) != 0)
		fail_msg("%s (%u workers): output differs from the fixture",
		    path, workers);
	assert_int_equal(st.in.received, count_lines(&want));
	assert_int_equal(st.wr.written, count_lines(&want));
	/* Lines without an audit(...) header are still logged, and
	 * counted (a REPLACE with "msg=?", an old DAEMON_CONFIG). */
	assert_int_equal(st.in.malformed, count_headerless(&want));
	free(want.p);
	free(got.p);
}

static void
test_fixture_lines_one_worker(void **state)
{
	(void)state;
	for_each_fixture(lines_roundtrip, 1);
}

static void
test_fixture_lines_three_workers(void **state)
{
	(void)state;
	for_each_fixture(lines_roundtrip, 3);
}

/*
 * Netlink frames, as the kernel sends them (with honest nlmsg_len):
 * written from the fixture's lines without their node, which frames do not
 * carry; the output must be those lines.
 */
static void
frames_roundtrip(const char *path, void *arg)
{
	unsigned workers = *(unsigned *)arg;

	char frames[256], out[256], expect[256];
	struct buf in, got, want;
	struct pl_stats st;
	FILE *ff, *fe;
	char *line, *save = NULL;

	snprintf(frames, sizeof(frames), "%s/frames.bin", tmpdir);
	snprintf(out, sizeof(out), "%s/out.log", tmpdir);
	snprintf(expect, sizeof(expect), "%s/expect.log", tmpdir);
	in = slurp(path);
	ff = fopen(frames, "we");
	fe = fopen(expect, "we");
	assert_non_null(ff);
	assert_non_null(fe);
	for (line = strtok_r(in.p, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		static const char zero[NLMSG_ALIGNTO];
		struct nlmsghdr nlh = { 0 };
		char *sp, *msg;
		int type;

		if (strncmp(line, "node=", 5) == 0)
			line = strchr(line, ' ') + 1;
		sp = strchr(line, ' ');
		msg = strstr(line, " msg=");
		assert_non_null(sp);
		assert_non_null(msg);
		type = parse_type_from_name(line + 5, (size_t)(sp - line - 5));
		assert_true(type >= 0);
		msg += 5;
		nlh.nlmsg_type = (uint16_t)type;
		nlh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + strlen(msg));
		fwrite(&nlh, sizeof(nlh), 1, ff);
		fwrite(msg, 1, strlen(msg), ff);
		fwrite(zero, 1, NLMSG_ALIGN(nlh.nlmsg_len) - nlh.nlmsg_len,
		    ff);
		fprintf(fe, "%s\n", line);
	}
	fclose(ff);
	fclose(fe);
	free(in.p);
	run_replay(frames, out, workers, &st);
	want = slurp(expect);
	got = slurp(out);
	if (want.len != got.len || memcmp(want.p, got.p, want.len) != 0)
		fail_msg("%s as frames (%u workers): output differs", path,
		    workers);
	assert_int_equal(st.wr.written, count_lines(&want));
	free(want.p);
	free(got.p);
}

static void
test_fixture_frames(void **state)
{
	(void)state;
	for_each_fixture(frames_roundtrip, 2);
}

/* auditd does not write EOE; everything else keeps its order. */
static void
test_eoe_not_written(void **state)
{
	char in[256], out[256];
	struct pl_stats st;
	struct buf got;
	FILE *f;
	unsigned i;

	(void)state;
	snprintf(in, sizeof(in), "%s/eoe.log", tmpdir);
	snprintf(out, sizeof(out), "%s/out.log", tmpdir);
	f = fopen(in, "we");
	assert_non_null(f);
	for (i = 0; i < 500; i++) {
		fprintf(f, "type=SYSCALL msg=audit(1.%03u:%u): n=%u\n",
		    i % 1000, i, i);
		fprintf(f, "type=PROCTITLE msg=audit(1.%03u:%u): p=%u\n",
		    i % 1000, i, i);
		fprintf(f, "type=EOE msg=audit(1.%03u:%u): \n", i % 1000, i);
	}
	fclose(f);
	run_replay(in, out, 3, &st);
	got = slurp(out);
	assert_null(strstr(got.p, "type=EOE"));
	assert_int_equal(count_lines(&got), 1000);
	assert_int_equal(st.wr.skipped, 500);
	assert_int_equal(st.in.received, 1500);
	/* Order kept across workers: serial i's two lines, then i + 1's. */
	{
		char *p = got.p;

		for (i = 0; i < 500; i++) {
			char want[96];
			int n;

			n = snprintf(want, sizeof(want),
			    "type=SYSCALL msg=audit(1.%03u:%u): n=%u\n"
			    "type=PROCTITLE msg=audit(1.%03u:%u): p=%u\n",
			    i % 1000, i, i, i % 1000, i, i);
			assert_memory_equal(p, want, (size_t)n);
			p += n;
		}
	}
	free(got.p);
}

/* A line that is not a record is counted and skipped, not fatal. */
static void
test_garbage_line_skipped(void **state)
{
	char in[256], out[256];
	struct pl_stats st;
	struct buf got;
	FILE *f;

	(void)state;
	snprintf(in, sizeof(in), "%s/garbage.log", tmpdir);
	snprintf(out, sizeof(out), "%s/out.log", tmpdir);
	f = fopen(in, "we");
	assert_non_null(f);
	fprintf(f, "type=USER msg=audit(1.000:1): a\n");
	fprintf(f, "type=NOSUCHTYPE msg=audit(1.000:2): b\n");
	fprintf(f, "type=USER msg=audit(1.000:3): c\n");
	fclose(f);
	run_replay(in, out, 1, &st);
	got = slurp(out);
	assert_string_equal(got.p, "type=USER msg=audit(1.000:1): a\n"
	    "type=USER msg=audit(1.000:3): c\n");
	assert_int_equal(st.in.malformed, 1);
	free(got.p);
}

/*
 * A line's own node is kept, an empty one too ("node= type=...", which
 * auditd 3.0.9 wrote with name_format = user and no name), and a line
 * without one gets none: 200 lines, so that the pool's 64 slots are
 * used again with and without a node.
 */
static void
test_own_nodes_kept(void **state)
{
	static const char *nodes[] = { "node= ", "node=h1 ", "" };
	char in[256], out[256], *want = NULL;
	struct pl_stats st;
	struct buf got;
	size_t want_len = 0;
	FILE *f, *w;

	(void)state;
	snprintf(in, sizeof(in), "%s/nodes.log", tmpdir);
	snprintf(out, sizeof(out), "%s/out.log", tmpdir);
	f = fopen(in, "we");
	w = open_memstream(&want, &want_len);
	assert_non_null(f);
	assert_non_null(w);
	for (unsigned i = 0; i < 200; i++) {
		fprintf(f, "%stype=USER msg=audit(1.000:%u): n=%u\n",
		    nodes[i % 3], i, i);
		fprintf(w, "%stype=USER msg=audit(1.000:%u): n=%u\n",
		    nodes[i % 3], i, i);
	}
	fclose(f);
	fclose(w);
	run_replay(in, out, 2, &st);
	got = slurp(out);
	assert_string_equal(got.p, want);
	assert_int_equal(st.in.malformed, 0);
	free(got.p);
	free(want);
}

/*
 * Regression: a 10,092-byte line was read in two pieces; the head was
 * skipped as "not an audit record" and the tail replayed as a record of
 * its own.  A line longer than any record is skipped whole, counted once.
 */
static void
test_long_replayed_line_skipped_whole(void **state)
{
	const char *in = RA_FIXTURES
	    "/../enriched-corners/replay-long-line.log";
	char in2[256], out[256];
	struct pl_stats st;
	struct buf got;
	FILE *f;

	(void)state;
	snprintf(out, sizeof(out), "%s/out.log", tmpdir);
	run_replay(in, out, 1, &st);
	got = slurp(out);
	assert_string_equal(got.p, "type=USER msg=audit(1700000000.000:0): "
	    "pid=1 uid=0 msg='ok'\n");
	assert_int_equal(st.in.malformed, 1);
	free(got.p);

	/* Three buffers long, then a record: only the record is read. */
	snprintf(in2, sizeof(in2), "%s/long.log", tmpdir);
	f = fopen(in2, "we");
	assert_non_null(f);
	fprintf(f, "type=USER msg=audit(1.000:1): msg='");
	for (int i = 0; i < 30000; i++)
		fputc('x', f);
	fprintf(f, "'\ntype=USER msg=audit(1.000:2): b\n");
	fclose(f);
	run_replay(in2, out, 1, &st);
	got = slurp(out);
	assert_string_equal(got.p, "type=USER msg=audit(1.000:2): b\n");
	assert_int_equal(st.in.malformed, 1);
	free(got.p);
}

/*
 * Regression: ingest blocked on one worker's full ring while another
 * worker slept on records it had been given but not woken for; the
 * writer waited for that worker's record, and everything stood still
 * until a 100 ms timeout.  Rounds of one odd serial (worker 1) and many
 * even ones (worker 0) through rings of 4 recreate it.
 */
static void
test_full_ring_wakes_every_worker_given_records(void **state)
{
	char in[256], out[256];
	struct pl_stats st;
	struct buf got;
	unsigned round, i, serial = 1, lines = 0;
	FILE *f;

	(void)state;
	snprintf(in, sizeof(in), "%s/pattern.log", tmpdir);
	snprintf(out, sizeof(out), "%s/out.log", tmpdir);
	f = fopen(in, "we");
	assert_non_null(f);
	for (round = 0; round < 40; round++) {
		serial |= 1;	/* odd: worker 1 */
		fprintf(f, "type=USER msg=audit(1.000:%u): r=%u\n", serial++,
		    round);
		for (i = 0; i < 30; i++) {
			serial += serial & 1;	/* even: worker 0 */
			fprintf(f, "type=USER msg=audit(1.000:%u): r=%u\n",
			    serial, round);
			serial += 2;
		}
		lines += 31;
	}
	fclose(f);
	run_replay_rings(in, out, 2, 4, &st);
	got = slurp(out);
	{
		struct buf want = slurp(in);

		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.p, want.p, want.len);
		free(want.p);
	}
	assert_int_equal(st.wr.written, lines);
	free(got.p);
}

/*
 * Regression: when ingest found a worker's ring full it woke the workers
 * (clearing their "has new records" marks), then waited and pushed; the
 * record it pushed then was never announced, so a worker asleep on it
 * slept on.  At the end of the stream that was the EOS record, and the
 * pipeline hung (about one run in 25 of the test above).  A race, so it
 * runs many times: rings of 2, and every last record for worker 1.
 */
static void
test_record_pushed_after_full_ring_wait_is_woken(void **state)
{
	char in[256], out[256];
	struct pl_stats st;
	unsigned run, i;
	FILE *f;

	(void)state;
	snprintf(in, sizeof(in), "%s/tail.log", tmpdir);
	snprintf(out, sizeof(out), "%s/out.log", tmpdir);
	f = fopen(in, "we");
	assert_non_null(f);
	for (i = 0; i < 200; i++)
		fprintf(f, "type=USER msg=audit(1.000:%u): i=%u\n",
		    i < 150 ? 2 * i : 2 * i + 1, i);
	fclose(f);
	for (run = 0; run < 60; run++) {
		run_replay_rings(in, out, 2, 2, &st);
		assert_int_equal(st.wr.written, 200);
	}
}

/* Events of three records each, their serials spread over the
 * workers; returns the lines written to path. */
static unsigned
write_events(const char *path, unsigned events)
{
	unsigned i, k;
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	for (i = 0; i < events; i++)
		for (k = 0; k < 3; k++)
			fprintf(f, "type=USER msg=audit(1.%03u:%u): e=%u k=%u\n",
			    i % 1000, 7 * i + 1, i, k);
	fclose(f);
	return 3 * events;
}

/* Paced through three workers: the log is the input, line for line, and
 * who did the work is as 'inline_work' says. */
static void
paced_roundtrip(bool inline_work, enum wr_flush flush, unsigned runs)
{
	/* 1 ms apart: well past a stage's dozes (RING_DOZES x
	 * RING_DOZE_NS, 300 us), so that a doze finds nothing and the
	 * stages sleep for real (and are lent) from the first few batches
	 * on.  At 300 us a doze often found the next batch, and a writer
	 * that dozed through a whole run was never lent (CI, stop 23). */
	const struct pace pace = { 3, 1000, inline_work, flush, 5 };
	char in[256], out[256];
	struct pl_stats st;
	struct buf want, got;
	unsigned run, lines;

	snprintf(in, sizeof(in), "%s/paced.log", tmpdir);
	snprintf(out, sizeof(out), "%s/out.log", tmpdir);
	lines = write_events(in, 200);
	want = slurp(in);
	for (run = 0; run < runs; run++) {
		run_replay_paced(in, out, 3, 16, &pace, &st);
		got = slurp(out);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.p, want.p, want.len);
		free(got.p);
		assert_int_equal(st.wr.written, lines);
		print_message("inline %d: %llu of %u formatted by ingest, "
		    "%llu written, %llu syncs\n", inline_work,
		    (unsigned long long)st.parsed_inline, lines,
		    (unsigned long long)st.wr.helped,
		    (unsigned long long)st.wr.syncs);
		if (inline_work) {
			assert_true(st.parsed_inline > 0);
			/* Group commit: each group is the writer's own chain
			 * to submit, so it is never lent. */
			if (flush == WR_FLUSH_SYNC)
				assert_int_equal(st.wr.helped, 0);
			else
				assert_true(st.wr.helped > 0);
		} else {
			assert_int_equal(st.parsed_inline, 0);
			assert_int_equal(st.wr.helped, 0);
		}
		if (flush == WR_FLUSH_INCREMENTAL_ASYNC)
			assert_true(st.wr.syncs > 0);
	}
	free(want.p);
}

static void
test_paced_inline(void **state)
{
	(void)state;
	paced_roundtrip(true, WR_FLUSH_INCREMENTAL_ASYNC, 3);
	paced_roundtrip(true, WR_FLUSH_SYNC, 1);
	paced_roundtrip(true, WR_FLUSH_NONE, 1);
}

static void
test_paced_inline_off(void **state)
{
	(void)state;
	paced_roundtrip(false, WR_FLUSH_INCREMENTAL_ASYNC, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_lines_one_worker),
		cmocka_unit_test(test_fixture_lines_three_workers),
		cmocka_unit_test(test_fixture_frames),
		cmocka_unit_test(test_eoe_not_written),
		cmocka_unit_test(test_garbage_line_skipped),
		cmocka_unit_test(test_own_nodes_kept),
		cmocka_unit_test(test_long_replayed_line_skipped_whole),
		cmocka_unit_test(
		    test_full_ring_wakes_every_worker_given_records),
		cmocka_unit_test(
		    test_record_pushed_after_full_ring_wait_is_woken),
		cmocka_unit_test(test_paced_inline),
		cmocka_unit_test(test_paced_inline_off),
	};

	/* Every replay here runs without wait timeouts: a hang is a lost
	 * wake-up, and this turns it into a failure. */
	alarm(60);

	if (parse_init() < 0)	/* the type names, for the frames */
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
