/*
 * test_overflow.c - a plugin that does not keep up, on the dispatcher
 * alone fed by this program acting as the writer (disp_test.h).
 *
 * Checked: queue overflow under each overflow_action (ignore, syslog and
 * its five messages, suspend and resume, single and halt as events for
 * the daemon), offered = delivered + dropped + queued throughout, a
 * queue that keeps the depth it was made for when SIGHUP raises q_depth,
 * and that once every plugin would only drop what it is given the writer
 * copies nothing for it (skipped, still counted) until one reads again.
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
#include "disp_test.h"

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

	dt_plugin("stuck", "string", "exec sleep 1000");
	/* It never takes its queue, and ignores SIGTERM: do not wait. */
	dt_stop_ms = 300;
	d = dt_start(8, ovf, 10);
	dt_stop_ms = 5000;
	for (i = 0; i < n_recs; i++) {
		dt_line_n(line, sizeof(line), i, 1000);
		dt_feed(d, 1100, 0, line);
		/* Let the thread take them: the feed is not what is
		 * tested here. */
		if (i % 16 == 15)
			dt_sleep_ms(2);
	}
	dt_sleep_ms(100);
	assert_int_equal(dt_stats(d, st, ps), 1);
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
	dt_assert_balanced(ps, 1);
	disp_stop(d);
	disp_destroy(d);
	assert_int_equal(dt_count_in(dt_errlog, "queue to plugins is full"), 0);
}

static void
test_overflow_syslog(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	struct disp *d;

	(void)state;
	d = overflow_run(DISP_OVF_SYSLOG, ps, &st, 1000);
	dt_assert_balanced(ps, 1);
	disp_stop(d);
	disp_destroy(d);
	/* auditd's five messages, then one that it stops saying so. */
	assert_int_equal(dt_count_in(dt_errlog, "queue to plugins is full - "
	    "dropping event"), 5);
	assert_int_equal(dt_count_in(dt_errlog, "auditd queue full reporting limit "
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
	dt_assert_balanced(ps, 1);
	assert_int_equal(dt_count_in(dt_errlog, "Auditd is suspending event passing "
	    "to plugins due to overflowing its queue."), 1);

	/* Suspended: dropped without a word. */
	dropped = ps[0].dropped;
	dt_feed(d, 1100, 0, "type=USER msg=audit(1.0:1): x\n");
	dt_stats(d, &st, ps);
	assert_int_equal(ps[0].dropped, dropped + 1);
	/* SIGUSR2: records are offered to the queue again; it is still
	 * full, so the next one overflows and suspends anew. */
	disp_resume(d);
	dt_stats(d, &st, ps);
	assert_false(st.suspended);
	assert_int_equal(ps[0].state, DISP_ST_RUNNING);
	assert_true(dt_feed(d, 1100, 0, "type=USER msg=audit(1.0:2): x\n"));
	dt_stats(d, &st, ps);
	assert_true(st.suspended);
	assert_int_equal(ps[0].dropped, dropped + 2);
	dt_assert_balanced(ps, 1);
	disp_stop(d);
	disp_destroy(d);
	assert_int_equal(dt_count_in(dt_errlog, "Auditd is suspending event passing "
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
	assert_int_equal(dt_count_in(dt_errlog, "single user mode due to "
	    "overflowing its queue"), 1);
	dt_redirect();
	d = overflow_run(DISP_OVF_HALT, ps, &st, 1000);
	assert_int_equal(disp_take_events(d), DISP_EV_HALT);
	disp_stop(d);
	disp_destroy(d);
	assert_int_equal(dt_count_in(dt_errlog, "halting the system due to "
	    "overflowing its queue"), 1);
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
	struct disp_stats st;
	static char line[9100];
	struct disp *d;
	unsigned i;

	(void)state;
	dt_plugin("stuck", "string", "exec sleep 1000");
	dt_stop_ms = 300;
	d = dt_start(100, DISP_OVF_IGNORE, 10);
	dt_reconfigure(d, 20000, DISP_OVF_IGNORE, 10);
	for (i = 0; i < 12000; i++) {
		dt_line_n(line, sizeof(line), i, 200);
		dt_feed(d, 1100, 0, line);
		if (i % 16 == 15)
			dt_sleep_ms(1);
	}
	dt_sleep_ms(100);
	assert_int_equal(dt_stats(d, &st, ps), 1);
	assert_int_equal(ps[0].offered, 12000);
	assert_true(ps[0].depth <= 100);
	assert_true(ps[0].dropped > 0);
	dt_assert_balanced(ps, 1);
	disp_stop(d);
	disp_destroy(d);
	dt_stop_ms = 5000;
}


/*
 * A plugin that does not read yet: once its socket and queue are full and
 * the overflow was seen, the writer copies nothing more for it (the feed
 * skips), and every record is still counted, offered and dropped, in the
 * figures at any time.  Once it reads, the writer copies again and every
 * record from then on reaches it.
 */
static void
test_stuck_plugin_is_not_copied_for_and_resumes(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	static char line[9100];
	char go[96], out[96], body[300], want[64];
	unsigned i, skipped = 0;
	struct disp *d;
	size_t len;
	char *got;

	(void)state;
	snprintf(go, sizeof(go), "%s/go", dt_dir);
	snprintf(out, sizeof(out), "%s/out", dt_dir);
	snprintf(body, sizeof(body), "while [ ! -e %s ]; do sleep 0.02; "
	    "done\nexec cat > %s", go, out);
	dt_plugin("late", "string", body);
	d = dt_start(8, DISP_OVF_IGNORE, 10);
	for (i = 0; i < 1000; i++) {
		dt_line_n(line, sizeof(line), i, 1000);
		if (!dt_feed(d, 1100, 0, line))
			skipped++;
		if (i % 16 == 15)
			dt_sleep_ms(2);
	}
	assert_int_equal(dt_stats(d, &st, ps), 1);
	assert_true(skipped > 0);
	assert_int_equal(st.feed_skipped, skipped);
	assert_int_equal(st.feed_lost, 0);
	assert_true(st.overflowed);
	/* The skipped ones after the last copied one are counted too. */
	assert_int_equal(ps[0].offered, 1000);
	dt_assert_balanced(ps, 1);

	/* It reads: its queue empties, and the writer copies again. */
	dt_put_file(go, 0600, "go\n");
	for (i = 0; i < 500; i++) {
		dt_stats(d, &st, ps);
		if (ps[0].depth == 0)
			break;
		dt_sleep_ms(10);
	}
	assert_int_equal(ps[0].depth, 0);
	for (i = 1000; i < 1010; i++) {
		dt_line_n(line, sizeof(line), i, 1000);
		assert_true(dt_feed(d, 1100, 0, line));
	}
	snprintf(want, sizeof(want), "text=record-1009 ");
	for (i = 0; i < 500 && dt_count_in(out, want) == 0; i++)
		dt_sleep_ms(10);
	for (i = 1000; i < 1010; i++) {
		snprintf(want, sizeof(want), "text=record-%u ", i);
		assert_int_equal(dt_count_in(out, want), 1);
	}
	dt_stats(d, &st, ps);
	assert_int_equal(ps[0].offered, 1010);
	assert_int_equal(st.feed_skipped, skipped);
	dt_assert_balanced(ps, 1);
	/* What it got is what was delivered, in order. */
	got = dt_slurp(out, &len);
	assert_int_equal(len > 0, 1);
	free(got);
	disp_stop(d);
	disp_destroy(d);
}

#define T(f) cmocka_unit_test_setup_teardown(f, dt_setup, dt_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_overflow_ignore),
		T(test_overflow_syslog),
		T(test_overflow_suspend),
		T(test_overflow_single_halt),
		T(test_q_depth_raised_on_hup_keeps_queues_whole),
		T(test_stuck_plugin_is_not_copied_for_and_resumes),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_overflow: needs root (plugins must be "
		    "root's files)\n");
		return 77;
	}
	log_init("test_overflow", true, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
