/*
 * test_gather.c - gather_ms (ringauditd.conf): while records come often,
 * ingest lets them gather in the socket and reads them in batches.
 *
 * - A stream of about an event a millisecond (three records each) with
 *   the default (40 ms): the state report counts gathering sleeps, the
 *   receives took several records each, and every event is logged once,
 *   in the kernel's order, TERM coming right after the last one (records
 *   may be waiting in the socket while ingest sleeps).  The ingest
 *   thread's timer slack is 1 us at most, so a gathering sleep ends when
 *   planned, not up to the kernel's default 50 us later.
 * - gather_ms = 0, and flush = sync (which asks for each record on disk as
 *   soon as may be): no gathering sleep at all.
 * - SIGHUP to flush = sync stops the gathering from the next batch on.
 * - inline (ringauditd.conf, default yes): with the stages asleep between
 *   gathered batches, ingest formats and writes the records itself (the
 *   state report counts them); inline = no leaves it to the workers and
 *   the writer.  Either way every event is logged once, in order.
 * - With a plugin, inline: ingest also gives the records to the plugin
 *   while the dispatch thread sleeps (counted); inline = no leaves that
 *   to the dispatch thread.  Either way the plugin gets every event once,
 *   in the kernel's order.
 *
 * Needs root and the kernel's audit subsystem; see ra_kernel.h for the
 * lock and the clean-up on every exit path.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_kernel.h"

#define N_EVENTS 3000
/* auditd wants both once the file has a line of its own. */
#define SPACE "space_left = 2\nadmin_space_left = 1\n"

static void
start(const char *what, const char *flush, const char *ringauditd_conf)
{
	char extra[128];

	snprintf(extra, sizeof(extra), "flush = %s\n" SPACE, flush);
	ra_write_log_conf(extra);
	ra_write_ringauditd_conf(ringauditd_conf);
	ra_start("ra_gather", what);
}

struct figures {
	long gathers, batches, received;
	long formatted_inline, written_inline, dispatched_inline;
};

/* A plugin that keeps what it reads in plugin.out (format string). */
static void
add_plugin(void)
{
	char text[512];

	snprintf(text, sizeof(text), "#!/bin/sh\nexec cat > %s/plugin.out\n",
	    ra_k.dir);
	ra_write_script("keep", text);
	snprintf(text, sizeof(text), "active = yes\ndirection = out\n"
	    "path = %s/keep\ntype = always\nformat = string\n", ra_k.dir);
	ra_write_file("plugins.d/keep.conf", text);
}

/* Every event in FILE once, in the kernel's order. */
static void
assert_events_in_order(const char *file)
{
	assert_int_equal(ra_key_events(file), N_EVENTS);
	assert_int_equal(ra_duplicate_serials(file), 0);
	/* The kernel's serials rise through it. */
	assert_int_equal(ra_run_count("grep -E '^type=SYSCALL .* key=\"%s\"' "
	    "%s | grep -o 'msg=audit([0-9.]*:[0-9]*)' | "
	    "sed 's/.*://; s/)//' | sort -n -c 2>&1 | wc -l", ra_k.key,
	    file), 0);
}

/* An event a millisecond; then the state report's figures, and TERM at
 * once: every event logged, once, and in order. */
/* The timer slack (ns) of the daemon's thread named NAME; -1 if none
 * (a thread's own file is /proc/TID's, not under task/). */
static long
thread_slack(const char *name)
{
	return ra_run_count("for t in /proc/%d/task/*; do grep -qx %s $t/comm "
	    "&& cat /proc/${t##*/}/timerslack_ns; done", (int)ra_k.daemon_pid,
	    name);
}

static void
stream_and_stop(struct figures *f)
{
	char path[256];

	ra_load_wait(ra_load_start(N_EVENTS, 1));
	ra_state_report();
	f->gathers = ra_state_value("gathering sleeps");
	f->batches = ra_state_value("receive batches");
	f->received = ra_state_value("records received");
	f->formatted_inline = ra_state_value("records formatted inline");
	f->written_inline = ra_state_value("records written inline");
	f->dispatched_inline = ra_state_value("dispatch records inline");
	print_message("%ld records in %ld receives, %ld gathering sleeps; "
	    "inline: %ld formatted, %ld written, %ld to plugins\n",
	    f->received, f->batches, f->gathers, f->formatted_inline,
	    f->written_inline, f->dispatched_inline);
	assert_int_equal(ra_daemon_stop(), 0);
	ra_rule_delete();
	snprintf(path, sizeof(path), "%s/log/audit.log", ra_k.dir);
	assert_events_in_order(path);
}

static void
test_stream_is_gathered(void **s)
{
	struct figures f;
	long slack;

	(void)s;
	/* ringauditd.conf's default: 40 ms. */
	start("on", "incremental_async", NULL);
	slack = thread_slack("ra-ingest");
	print_message("ra-ingest's timer slack: %ld ns\n", slack);
	assert_true(slack >= 0 && slack <= 1000);
	stream_and_stop(&f);
	assert_true(f.gathers > 0);
	/* An event's three records come together; gathered, a receive
	 * takes about 16 (here: at least twice an event's). */
	assert_true(f.batches > 0 && f.received / f.batches >= 6);
	/* Between batches up to 40 ms apart the workers and the writer sleep:
	 * ingest does their work (inline = yes, the default). */
	assert_true(f.formatted_inline > 0);
	assert_true(f.written_inline > 0);
}

static void
test_inline_off(void **s)
{
	struct figures f;

	(void)s;
	start("noinline", "incremental_async", "inline = no\n");
	stream_and_stop(&f);
	assert_true(f.gathers > 0);
	assert_int_equal(f.formatted_inline, 0);
	assert_int_equal(f.written_inline, 0);
}

static void
test_inline_plugin(void **s)
{
	struct figures f;
	char path[256];

	(void)s;
	add_plugin();
	start("plugin", "incremental_async", NULL);
	stream_and_stop(&f);
	assert_true(f.written_inline > 0);
	assert_true(f.dispatched_inline > 0);
	snprintf(path, sizeof(path), "%s/plugin.out", ra_k.dir);
	assert_events_in_order(path);
}

static void
test_inline_plugin_off(void **s)
{
	struct figures f;
	char path[256];

	(void)s;
	add_plugin();
	start("plugin_noinline", "incremental_async", "inline = no\n");
	stream_and_stop(&f);
	assert_int_equal(f.dispatched_inline, 0);
	snprintf(path, sizeof(path), "%s/plugin.out", ra_k.dir);
	assert_events_in_order(path);
}

static void
test_zero_is_off(void **s)
{
	struct figures f;

	(void)s;
	start("zero", "incremental_async", "gather_ms = 0\n");
	stream_and_stop(&f);
	assert_int_equal(f.gathers, 0);
}

static void
test_sync_is_not_gathered(void **s)
{
	struct figures f;

	(void)s;
	start("sync", "sync", "gather_ms = 50\n");
	stream_and_stop(&f);
	assert_int_equal(f.gathers, 0);
}

static void
test_hup_to_sync_stops_gathering(void **s)
{
	long before;

	(void)s;
	start("hup", "incremental_async", NULL);
	ra_load_wait(ra_load_start(N_EVENTS, 1));
	ra_state_report();
	before = ra_state_value("gathering sleeps");
	assert_true(before > 0);

	ra_write_log_conf("flush = sync\n" SPACE);
	assert_int_equal(kill(ra_k.daemon_pid, SIGHUP), 0);
	/* Signals are taken in number order: HUP before CONT. */
	ra_state_report();
	assert_int_equal(ra_state_value("reconfigurations"), 1);
	before = ra_state_value("gathering sleeps");

	ra_load_wait(ra_load_start(N_EVENTS, 1));
	ra_state_report();
	assert_int_equal(ra_state_value("gathering sleeps"), before);
	assert_int_equal(ra_daemon_stop(), 0);
	ra_rule_delete();
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, ra_kernel_setup, \
    ra_kernel_teardown)
	const struct CMUnitTest tests[] = {
		T(test_stream_is_gathered),
		T(test_inline_off),
		T(test_inline_plugin),
		T(test_inline_plugin_off),
		T(test_zero_is_off),
		T(test_sync_is_not_gathered),
		T(test_hup_to_sync_stops_gathering),
	};
#undef T
	return ra_kernel_main(tests);
}
