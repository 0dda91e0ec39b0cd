/*
 * test_writer_acks.c - a message's record (ring_rec.ack, a remote
 * client's line) has its token given back on the ack ring once, in
 * order, with what became of it: written (at the write, as auditd acks),
 * durable (at the group commit's sync, remote_ack = durable), or dropped
 * while logging is suspended.  Records skipped by rule are answered too:
 * a client waits for every reply.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include <cmocka.h>

#include "ra_test.h"
#include "wr_test.h"

/*
 * Every token 1..n back once, each in state want; in order unless
 * skipped records are among them (answered as they are taken, before
 * the writes of the records ahead of them: no client's record is ever
 * skipped, remote ones are verbatim, so no client sees that).
 */
static void
assert_acks(struct ring *acks, unsigned n, enum ring_ack_state want,
    bool ordered)
{
	unsigned next = 1, got = 0;
	unsigned char *seen = calloc(n + 1, 1);
	void *item;

	assert_non_null(seen);
	while (ring_trypop(acks, &item)) {
		uint32_t t = RING_ACK_TOKEN(item);

		if (t == 0 || t > n || seen[t])
			fail_msg("ack %u: none such, or twice", t);
		seen[t] = 1;
		got++;
		if (ordered && t != next)
			fail_msg("ack %u came where %u was due", t, next);
		if (RING_ACK_STATE(item) != want)
			fail_msg("ack %u: state %d, not %d", t,
			    (int)RING_ACK_STATE(item), (int)want);
		next++;
	}
	free(seen);
	assert_int_equal(got, n);
}

static void
run_with_acks(struct wr_config *c, enum ring_ack_state want,
    unsigned skip_every, struct wr_stats *st)
{
	struct buf wantb = { 0 };
	struct run_result res;
	struct ring acks;

	assert_int_equal(ring_init(&acks, N_RECS + 1, NULL, NULL), 0);
	c->acks = &acks;
	run_acks = true;
	ra_test_guard("acks", 60);
	run_writer(c, N_RECS, skip_every, 1, &wantb, st, &res);
	ra_test_unguard();
	run_acks = false;
	assert_no_stall("acks", &res, N_RECS);
	assert_acks(&acks, N_RECS, want, skip_every == 0);
	assert_int_equal(st->acked, N_RECS);
	ring_fini(&acks);
	buf_free(&wantb);
}

/* A log in a folder of its own: c set up for it, the folder in dir. */
static void
file_config(char *dir, size_t len, struct wr_config *c, enum wr_flush flush,
    unsigned freq)
{
	/* base_config keeps the pointer: the path outlives this call. */
	static char path[PATH_MAX];

	make_tmpdir(dir, len);
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, c, WR_OUT_FILE, path, flush, freq);
}

static void
test_acked_when_written(void **state)
{
	struct wr_config c;
	struct wr_stats st;
	char dir[64];

	(void)state;
	file_config(dir, sizeof(dir), &c, WR_FLUSH_INCREMENTAL_ASYNC, FREQ);
	run_with_acks(&c, RING_ACK_WRITTEN, 0, &st);
	assert_int_equal(st.written, N_RECS);
	rm_rf(dir);
}

static void
test_skipped_are_answered(void **state)
{
	struct wr_config c;
	struct wr_stats st;
	char dir[64];

	(void)state;
	file_config(dir, sizeof(dir), &c, WR_FLUSH_INCREMENTAL_ASYNC, FREQ);
	/* Every fifth record skipped (EOE): answered all the same. */
	run_with_acks(&c, RING_ACK_WRITTEN, 5, &st);
	assert_int_equal(st.written, N_RECS - N_RECS / 5);
	rm_rf(dir);
}

static void
test_acked_when_durable(void **state)
{
	struct wr_config c;
	struct wr_stats st;
	char dir[64];

	(void)state;
	file_config(dir, sizeof(dir), &c, WR_FLUSH_DATA, 0);
	c.ack_durable = true;
	run_with_acks(&c, RING_ACK_WRITTEN, 0, &st);
	/* Each ack came from a sync: every record is durable. */
	assert_int_equal(st.durable, N_RECS);
	assert_true(st.syncs > 0);
	rm_rf(dir);
}

static void
test_acked_as_suspended(void **state)
{
	struct wr_config c;
	struct wr_stats st;
	char dir[64];

	(void)state;
	file_config(dir, sizeof(dir), &c, WR_FLUSH_INCREMENTAL_ASYNC, FREQ);
	/* Less free space than any disk has: suspended from the start. */
	c.params.space_left.value = UINT64_C(1) << 40;
	c.params.admin_space_left.value = UINT64_C(1) << 39;
	c.params.admin_space_left.act = WR_ACT_SUSPEND;
	run_with_acks(&c, RING_ACK_SUSPENDED, 0, &st);
	assert_int_equal(st.written, 0);
	assert_int_equal(st.dropped, N_RECS);
	rm_rf(dir);
}

static void
test_acked_when_not_logged(void **state)
{
	struct wr_config c;
	struct wr_stats st;

	(void)state;
	/* write_logs = no: auditd acks at once. */
	base_config(NULL, &c, WR_OUT_DISCARD, NULL, WR_FLUSH_NONE, 0);
	run_with_acks(&c, RING_ACK_WRITTEN, 0, &st);
}

int
main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_acked_when_written),
		T(test_skipped_are_answered),
		T(test_acked_when_durable),
		T(test_acked_as_suspended),
		T(test_acked_when_not_logged),
	};
#undef T

	return wr_test_main("test_writer_acks", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
