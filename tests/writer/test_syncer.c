/*
 * test_syncer.c - the writer's sync thread (src/writer/syncer.c), alone.
 *
 * - A sync asked for is made, and its answer is taken once.
 * - A sync that fails answers with its errno (a closed descriptor:
 *   -EBADF).
 * - Asked to, the thread wakes the writer's waiter when the answer comes:
 *   a waiter that announced sleep is woken (its eventfd is readable).
 * - Not asked to, it does not: the answer waits, and the eventfd stays
 *   empty though the waiter announced sleep (the wake-up it saves).
 * - Stopped right after a sync was asked for, the thread makes it first.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "writer/writer_int.h"

struct fixture {
	struct ring_waiter waiter;
	struct wr_syncer s;
	char path[64];
	int fd;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(ring_waiter_init(&f->waiter, true), 0);
	snprintf(f->path, sizeof(f->path), "/tmp/test_syncer.XXXXXX");
	f->fd = mkstemp(f->path);
	assert_true(f->fd >= 0);
	assert_int_equal(write(f->fd, "type=X msg=1\n", 13), 13);
	assert_int_equal(wr_syncer_start(&f->s, &f->waiter), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	wr_syncer_stop(&f->s);
	close(f->fd);
	unlink(f->path);
	ring_waiter_fini(&f->waiter);
	free(f);
	return 0;
}

/* Wait up to 10 s for the answer to be there. */
static void
await_ready(struct wr_syncer *s)
{
	const struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < 10000 && !wr_syncer_ready(s); i++)
		nanosleep(&ms, NULL);
	assert_true(wr_syncer_ready(s));
}

/* Whether the waiter's eventfd was written (within ms). */
static bool
woken(const struct ring_waiter *w, int ms)
{
	struct pollfd p = { .fd = w->efd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

static void
test_answer_once(void **state)
{
	struct fixture *f = *state;
	int res = 1;

	assert_false(wr_syncer_take(&f->s, &res));
	wr_syncer_ask(&f->s, f->fd, true);
	await_ready(&f->s);
	assert_true(wr_syncer_take(&f->s, &res));
	assert_int_equal(res, 0);
	assert_false(wr_syncer_take(&f->s, &res));
	/* A second one, fsync this time. */
	wr_syncer_ask(&f->s, f->fd, false);
	await_ready(&f->s);
	assert_true(wr_syncer_take(&f->s, &res));
	assert_int_equal(res, 0);
}

static void
test_error_answer(void **state)
{
	struct fixture *f = *state;
	int res = 0, bad = open("/dev/null", O_RDONLY);

	assert_true(bad >= 0);
	close(bad);
	wr_syncer_ask(&f->s, bad, true);
	await_ready(&f->s);
	assert_true(wr_syncer_take(&f->s, &res));
	assert_int_equal(res, -EBADF);
}

static void
test_wakes_when_wanted(void **state)
{
	struct fixture *f = *state;
	int res;

	wr_syncer_want_wake(&f->s, true);
	ring_waiter_prepare(&f->waiter);
	wr_syncer_ask(&f->s, f->fd, true);
	assert_true(woken(&f->waiter, 10000));
	ring_waiter_cancel(&f->waiter);
	assert_true(wr_syncer_take(&f->s, &res));
	assert_int_equal(res, 0);
}

static void
test_no_wake_unwanted(void **state)
{
	struct fixture *f = *state;
	int res;

	wr_syncer_want_wake(&f->s, false);
	ring_waiter_prepare(&f->waiter);
	wr_syncer_ask(&f->s, f->fd, true);
	await_ready(&f->s);
	/* The thread stores the answer, then looks at the want: give it
	 * the time to get past it. */
	assert_false(woken(&f->waiter, 200));
	ring_waiter_cancel(&f->waiter);
	assert_true(wr_syncer_take(&f->s, &res));
	assert_int_equal(res, 0);
}

static void
test_stop_makes_the_asked_sync(void **state)
{
	struct fixture *f = *state;
	int res;

	wr_syncer_ask(&f->s, f->fd, true);
	wr_syncer_stop(&f->s);
	assert_true(wr_syncer_ready(&f->s));
	assert_true(wr_syncer_take(&f->s, &res));
	assert_int_equal(res, 0);
	/* Stopping twice (teardown) does nothing more. */
	wr_syncer_stop(&f->s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answer_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_error_answer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wakes_when_wanted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_wake_unwanted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stop_makes_the_asked_sync,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
