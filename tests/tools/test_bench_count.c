/*
 * test_bench_count.c - ringaudit-bench's log counter (count.c) on logs
 * written here, no kernel: what a daemon's log can do to the count during
 * a run.
 *
 *  - only what is written after the counter was made counts; SYSCALL
 *    records with exactly the key, with or without a node= prefix; not a
 *    CONFIG_CHANGE carrying the key, not a longer key that starts alike;
 *  - a line still being written waits for the next poll;
 *  - a serial written twice is one event and one duplicate;
 *  - a rotation during the run (audit.log -> audit.log.1, a new
 *    audit.log): the rest of the old file is read on from where the last
 *    poll stopped, the new one from its start, nothing twice;
 *  - a numbered log older than the run is not read;
 *  - events stamped before the window are stale, not the run's.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench.h"

#define KEY "ringaudit-bench-4242"

static char dir[64], logpath[128];
static struct rb_logcount *lc;

static void
append(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
append(const char *name, const char *fmt, ...)
{
	char path[192];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "ae");
	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
}

/* One SYSCALL record of getppid, stamped now + ms_off, with a key. */
static void
event(const char *name, unsigned serial, int ms_off, const char *key)
{
	struct timespec ts;
	long long ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + ms_off;
	append(name, "type=SYSCALL msg=audit(%lld.%03lld:%u): arch=c000003e "
	    "syscall=110 success=yes exit=1 a0=0 a1=0 a2=0 a3=0 items=0 "
	    "ppid=1 pid=4242 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 "
	    "sgid=0 fsgid=0 tty=(none) ses=1 comm=\"ringaudit-benc\" "
	    "exe=\"/usr/local/sbin/ringaudit-bench\" subj=unconfined "
	    "key=\"%s\"\ntype=PROCTITLE msg=audit(%lld.%03lld:%u): "
	    "proctitle=72696E67\n", ms / 1000, ms % 1000, serial, key,
	    ms / 1000, ms % 1000, serial);
}

static struct rb_counts
poll_counts(void)
{
	struct rb_counts c;

	assert_int_equal(rb_logcount_poll(lc), 0);
	rb_logcount_get(lc, &c);
	return c;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ra-bench-count-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/audit.log", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	rb_logcount_destroy(lc);
	lc = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
make_counter(void)
{
	struct timespec ts;

	assert_int_equal(rb_logcount_create(&lc, logpath, KEY), 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	rb_logcount_window(lc, (uint64_t)ts.tv_sec * 1000 -
	    (uint64_t)60 * 1000);
}

static void
test_counts_only_new_syscall_records_with_the_key(void **s)
{
	struct rb_counts c;

	(void)s;
	event("audit.log", 1, 0, KEY);		/* before the counter */
	event("audit.log.1", 2, 0, KEY);
	make_counter();
	event("audit.log", 3, 0, KEY);
	append("audit.log", "node=host1 ");
	event("audit.log", 4, 0, KEY);
	event("audit.log", 5, 0, KEY "0");	/* another run's key */
	event("audit.log", 6, 0, "other");
	append("audit.log", "type=CONFIG_CHANGE msg=audit(1.000:7): auid=0 "
	    "ses=1 op=add_rule key=\"%s\" list=4 res=1\n", KEY);
	c = poll_counts();
	assert_int_equal(c.events, 2);
	assert_int_equal(c.dups, 0);
	assert_int_equal(c.stale, 0);
	assert_true(c.last_write_ns > 0);
	/* Polling again reads nothing new. */
	c = poll_counts();
	assert_int_equal(c.events, 2);
}

static void
test_a_partial_line_waits(void **s)
{
	struct rb_counts c;

	(void)s;
	make_counter();
	append("audit.log", "type=SYSCALL msg=audit(%lld.000:10): arch=c000003e "
	    "syscall=110 key=\"%s", (long long)time(NULL), KEY);
	c = poll_counts();
	assert_int_equal(c.events, 0);
	append("audit.log", "\"\n");
	c = poll_counts();
	assert_int_equal(c.events, 1);
}

static void
test_a_serial_twice_is_a_duplicate(void **s)
{
	struct rb_counts c;

	(void)s;
	make_counter();
	event("audit.log", 20, 0, KEY);
	event("audit.log", 21, 0, KEY);
	event("audit.log", 20, 0, KEY);
	c = poll_counts();
	assert_int_equal(c.events, 2);
	assert_int_equal(c.dups, 1);
}

static void
test_rotation_during_the_run(void **s)
{
	char from[192], to[192];
	struct rb_counts c;
	unsigned i;

	(void)s;
	event("audit.log", 1, 0, KEY);
	make_counter();
	for (i = 100; i < 110; i++)
		event("audit.log", i, 0, KEY);
	c = poll_counts();
	assert_int_equal(c.events, 10);
	/* More before the rotation, unread when it happens. */
	for (i = 110; i < 115; i++)
		event("audit.log", i, 0, KEY);
	snprintf(from, sizeof(from), "%s/audit.log", dir);
	snprintf(to, sizeof(to), "%s/audit.log.1", dir);
	assert_int_equal(rename(from, to), 0);
	for (i = 115; i < 120; i++)
		event("audit.log", i, 0, KEY);
	c = poll_counts();
	assert_int_equal(c.events, 20);
	assert_int_equal(c.dups, 0);
	/* And once more: audit.log.1 -> .2, a third audit.log. */
	snprintf(from, sizeof(from), "%s/audit.log.1", dir);
	snprintf(to, sizeof(to), "%s/audit.log.2", dir);
	assert_int_equal(rename(from, to), 0);
	snprintf(from, sizeof(from), "%s/audit.log", dir);
	snprintf(to, sizeof(to), "%s/audit.log.1", dir);
	assert_int_equal(rename(from, to), 0);
	event("audit.log", 120, 0, KEY);
	c = poll_counts();
	assert_int_equal(c.events, 21);
	assert_int_equal(c.dups, 0);
}

static void
test_an_older_numbered_log_is_not_read(void **s)
{
	struct timespec old[2] = { { .tv_sec = 1000000000 },
	    { .tv_sec = 1000000000 } };
	char path[192];
	struct rb_counts c;

	(void)s;
	make_counter();
	/* Appears during the run, but its mtime is from long ago (a copy
	 * put back, say): not this run's. */
	event("audit.log.7", 30, 0, KEY);
	snprintf(path, sizeof(path), "%s/audit.log.7", dir);
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	event("audit.log", 31, 0, KEY);
	event("audit.log.bak", 32, 0, KEY);	/* not a log name */
	c = poll_counts();
	assert_int_equal(c.events, 1);
}

static void
test_events_before_the_window_are_stale(void **s)
{
	struct timespec ts;
	struct rb_counts c;

	(void)s;
	assert_int_equal(rb_logcount_create(&lc, logpath, KEY), 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	rb_logcount_window(lc, (uint64_t)ts.tv_sec * 1000 +
	    (uint64_t)ts.tv_nsec / 1000000);
	event("audit.log", 40, -5000, KEY);	/* the run before's */
	event("audit.log", 41, 1000, KEY);
	c = poll_counts();
	assert_int_equal(c.events, 1);
	assert_int_equal(c.stale, 1);
	/* A new window starts the counts again. */
	rb_logcount_window(lc, (uint64_t)ts.tv_sec * 1000 + 500000);
	c = poll_counts();
	assert_int_equal(c.events, 0);
}

static void
test_a_missing_folder_is_an_error(void **s)
{
	struct rb_logcount *none = NULL;

	(void)s;
	assert_int_equal(rb_logcount_create(&none, "/nonexistent/dir/audit.log",
	    KEY), -ENOENT);
	assert_null(none);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_counts_only_new_syscall_records_with_the_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_a_partial_line_waits,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_serial_twice_is_a_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation_during_the_run,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_an_older_numbered_log_is_not_read, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_events_before_the_window_are_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_missing_folder_is_an_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
