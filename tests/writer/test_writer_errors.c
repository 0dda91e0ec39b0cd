/*
 * test_writer_errors.c - a write that fails: a full tmpfs under each flush
 * mode, with disk_full_action suspend (the rest is dropped) and ignore
 * (writing goes on once there is room); the file keeps whole lines only.
 * The harness is wr_test.c's.
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

/* ---- a write error: a full file system ---- */

/* Every line of got is a line of want, in want's order. */
static bool
lines_in_order(const char *got, size_t glen, const char *want, size_t wlen,
    size_t *nlines)
{
	size_t g = 0, w = 0;

	*nlines = 0;
	while (g < glen) {
		const char *ge = memchr(got + g, '\n', glen - g);
		size_t gl;

		if (ge == NULL)
			return false;	/* a partial line */
		gl = (size_t)(ge - (got + g)) + 1;
		for (;;) {
			const char *we;
			size_t wl;

			if (w >= wlen)
				return false;
			we = memchr(want + w, '\n', wlen - w);
			wl = (size_t)(we - (want + w)) + 1;
			w += wl;
			if (wl == gl && memcmp(want + w - wl, got + g, gl) == 0)
				break;
		}
		g += gl;
		(*nlines)++;
	}
	return true;
}

/*
 * A full disk.  With disk_full_action = suspend the file holds the start
 * of the log and nothing after the first failure.  With ignore the writer
 * goes on: each failed buffer is dropped and cut back, so the file holds
 * whole lines of the log, in order, exactly as many as counted written.
 */
static void
write_error(enum wr_flush flush, enum wr_act act, const char *name)
{
	char dir[64], path[PATH_MAX];
	struct wr_config c;
	struct wr_stats st;
	struct buf want = { 0 };
	const unsigned n = 4000;
	struct run_result res;
	size_t len;
	char *got;

	mount_small(dir, sizeof(dir), "64k");
	join_path(path, sizeof(path), dir, "audit.log");
	base_config(NULL, &c, WR_OUT_FILE, path, flush, FREQ);
	c.params.disk_full_act = act;
	ra_test_guard(name, 60);
	run_writer(&c, n, 0, 3, &want, &st, &res);
	ra_test_unguard();
	print_stats(name, &st);
	got = read_file(path, &len);

	if (umount(dir) < 0) {
		print_message("umount %s: %s\n", dir, strerror(errno));
		assert_int_equal(umount2(dir, MNT_DETACH), 0);
	}
	tmp_mounted = false;
	assert_no_stall(name, &res, n);
	assert_true(want.len > 64u << 10);
	assert_int_equal(st.records, n);
	assert_true(st.write_errors > 0);
	assert_true(st.dropped > 0);
	assert_int_equal(st.written + st.dropped, n);
	assert_int_equal(st.lat_written.count, st.written);
	assert_true(len <= want.len);
	if (act == WR_ACT_SUSPEND) {
		/* The start of the log, with no hole. */
		if (memcmp(got, want.p, len) != 0)
			fail_msg("%s: the %zu bytes on the full tmpfs are not "
			    "the start of the log", name, len);
	} else {
		size_t nl;

		if (!lines_in_order(got, len, want.p, want.len, &nl))
			fail_msg("%s: the file holds a partial line or a line "
			    "out of order", name);
		assert_int_equal(nl, st.written);
		assert_int_equal(st.holes, 0);
	}
	/* A record whose write failed is not durable. */
	if (st.durable > st.written)
		fail_msg("%s: durable %" PRIu64 " > written %" PRIu64 ": "
		    "records whose write failed are counted durable", name,
		    st.durable, st.written);
	free(got);
	buf_free(&want);
	rm_rf(dir);
}

static void
test_write_error_none(void **state)
{
	(void)state;
	write_error(WR_FLUSH_NONE, WR_ACT_SUSPEND, "write_error_none");
}

static void
test_write_error_data(void **state)
{
	(void)state;
	write_error(WR_FLUSH_DATA, WR_ACT_SUSPEND, "write_error_data");
}

static void
test_write_error_incremental(void **state)
{
	(void)state;
	write_error(WR_FLUSH_INCREMENTAL, WR_ACT_SUSPEND,
	    "write_error_incremental");
}

/*
 * Regression: with incremental_async a chain (a sync point) and plain
 * writes are in flight together.  When a short chain write and a failed
 * plain write met, the chain was dropped without cutting the file back to
 * its start, and the file was cut "back" to the failed buffer's offset,
 * past its end: ftruncate filled the gap with zeros.
 */
static void
test_write_error_incremental_async(void **state)
{
	(void)state;
	write_error(WR_FLUSH_INCREMENTAL_ASYNC, WR_ACT_SUSPEND,
	    "write_error_incremental_async");
}

static void
test_disk_full_ignore_incremental_async(void **state)
{
	(void)state;
	write_error(WR_FLUSH_INCREMENTAL_ASYNC, WR_ACT_NONE,
	    "disk_full_ignore_incremental_async");
}

static void
test_disk_full_ignore_none(void **state)
{
	(void)state;
	write_error(WR_FLUSH_NONE, WR_ACT_NONE, "disk_full_ignore_none");
}

static void
test_disk_full_ignore_data(void **state)
{
	(void)state;
	write_error(WR_FLUSH_DATA, WR_ACT_NONE, "disk_full_ignore_data");
}

static void
test_disk_full_ignore_incremental(void **state)
{
	(void)state;
	write_error(WR_FLUSH_INCREMENTAL, WR_ACT_NONE,
	    "disk_full_ignore_incremental");
}

/*
 * Regression: incremental_chain_waits_for_wake_read.  After the writer
 * slept and timed out, the read of its eventfd stays armed in its
 * io_uring.  When freq records then reach the writer while it is awake
 * (so a worker's wake is, by design, no system call), the sync chain used
 * to be submitted with IOSQE_IO_DRAIN, which waits for every earlier
 * request - that read included - so those records were neither written
 * nor synced until some later wake.  On a quiet system: never.
 *
 * To make "the records arrive while it is awake" deterministic, the test
 * pushes them while the writer sleeps and does not wake it: the writer
 * finds them when its 100 ms sleep times out, awake, with the read armed.
 * They must be in the file well within a second.
 */

int
main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_write_error_none),
		T(test_write_error_data),
		T(test_write_error_incremental),
		T(test_disk_full_ignore_none),
		T(test_disk_full_ignore_data),
		T(test_disk_full_ignore_incremental),
		T(test_write_error_incremental_async),
		T(test_disk_full_ignore_incremental_async),
	};
#undef T

	return wr_test_main("test_writer_errors", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
