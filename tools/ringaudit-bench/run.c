/*
 * run.c - one run, and the runs of a fixed-rate list or a sweep.
 *
 * A run: the daemon's CPU time read; a window opened at the start time
 * (count.c and drain.c count only events stamped after it, so a late
 * event of the run before is not this one's); the generator started
 * (gen.c).  While it runs, every 50 ms: the kernel's status (peak
 * backlog, lost, backlog_wait_time_actual), the daemon's RSS every
 * 250 ms, a progress line.  After it stopped, every 100 ms: the log (or
 * drain's counters) until every event is written, or nothing more can
 * come (records were lost, the backlog is empty, nothing new for 1 s), or
 * --settle runs out.  Then the CPU time again, and a verdict.
 *
 * A sweep runs LO, then HI, then bisects between the highest rate that
 * passed and the lowest that failed, until they are within 2% (or 50
 * events/s), or --sweep-steps runs were made.  Runs are 200 ms apart.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "common/log.h"

#define SAMPLE_MS 50
#define SETTLE_POLL_MS 100


static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
	    .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void
progress(const struct rb_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
progress(const struct rb_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->tty)
		return;
	fputs("\r\033[K", stderr);
	if (fmt != NULL) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fflush(stderr);
}

/* The kernel's status into the run's figures. */
static void
sample(struct rb_result *r, const struct ingest_kstatus *st0,
    struct ingest_kstatus *st)
{
	if (ingest_kernel_status(st) < 0)
		return;
	if (st->backlog > r->peak_backlog)
		r->peak_backlog = st->backlog;
	/* u32 counters: the difference is right across a wrap. */
	r->lost = st->lost - st0->lost;
	r->wait_actual = st->backlog_wait_time_actual -
	    st0->backlog_wait_time_actual;
}

static double
daemon_cpu(const struct rb_ctx *x)
{
	double s;

	if (x->dpid > 0 && rb_proc_cpu(x->dpid, &s) == 0)
		return s;
	return -1;
}

static void
rss_sample(const struct rb_ctx *x, struct rb_result *r)
{
	uint64_t rss, hwm;

	if (x->dpid > 0 && rb_proc_mem(x->dpid, &rss, &hwm, NULL) == 0) {
		if (rss > r->rss_peak_kb)
			r->rss_peak_kb = rss;
		r->hwm_kb = hwm;
	}
}

/* Events written (received) in this run so far, and when the last was. */
static uint64_t
written_now(struct rb_ctx *x, const struct rb_drain_counts *base,
    int64_t *last_ns, struct rb_result *r)
{
	struct rb_drain_counts dc;
	struct rb_counts c;
	int64_t now, t;
	int rc;

	if (x->dr != NULL) {
		rb_drain_get(x->dr, &dc);
		*last_ns = (int64_t)dc.last_event_ns;
		r->records = dc.records - base->records;
		r->stale = dc.stale - base->stale;
		return dc.events - base->events;
	}
	if ((rc = rb_logcount_poll(x->lc)) < 0) {
		static bool told;

		if (!told)
			fprintf(stderr, RB_NAME ": reading %s: %s\n",
			    x->o->log, strerror(-rc));
		told = true;
	}
	rb_logcount_get(x->lc, &c);
	r->dups = c.dups;
	r->stale = c.stale;
	if (c.last_write_ns > 0) {
		/* The log's mtime on the monotonic clock, both clocks read
		 * together after the poll (reading tens of MB takes a while);
		 * no later than now. */
		now = (int64_t)clock_mono_ns();
		t = now - ((int64_t)clock_real_ns() - c.last_write_ns);
		*last_ns = t < now ? t : now;
	}
	return c.events;
}

static void
run_one(struct rb_ctx *x, double rate, unsigned step, const char *mode,
    struct rb_result *r)
{
	const struct rb_opts *o = x->o;
	struct rb_gen_config gc = { .threads = o->threads, .rate = rate,
	    .count = o->count, .duration_s = o->duration_s };
	struct ingest_kstatus st0, st;
	struct rb_drain_counts base;
	struct rb_gen *g;
	uint64_t written = 0, w, window_ms;
	int64_t t_end, t_last = 0, t_change, now, last_rss = 0;
	double cpu0;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&base, 0, sizeof(base));
	r->mode = mode;
	r->step = step;
	r->rate_req = rate;
	r->threads = o->threads;
	r->backlog_limit = x->limit;
	r->backlog_wait_time = x->wait;
	if ((rc = ingest_kernel_status(&st0)) < 0)
		fatalx(RB_NAME ": AUDIT_GET: %s", strerror(-rc));
	r->has_wait_actual = st0.has_wait_actual;
	st = st0;
	cpu0 = daemon_cpu(x);
	/* Time stamps are the kernel's coarse clock, up to a tick behind;
	 * runs are far more than 20 ms apart. */
	window_ms = (uint64_t)((int64_t)clock_real_ns() / 1000000) - 20;
	if (x->dr != NULL) {
		rb_drain_window(x->dr, window_ms);
		rb_drain_get(x->dr, &base);
	} else {
		rb_logcount_window(x->lc, window_ms);
	}
	if ((rc = rb_gen_start(&g, &gc)) < 0)
		fatalx(RB_NAME ": load generator: %s", strerror(-rc));
	while (!rb_gen_done(g)) {
		sleep_ms(SAMPLE_MS);
		if (rb_stopped(x))
			rb_gen_stop(g);
		sample(r, &st0, &st);
		now = (int64_t)clock_mono_ns();
		if (now - last_rss >= 250000000ll) {
			rss_sample(x, r);
			last_rss = now;
		}
		progress(x, "[%s %u] rate %s: %llu events, backlog %u "
		    "(peak %u), lost %u", mode, step,
		    rate > 0 ? "fixed" : "max",
		    (unsigned long long)rb_gen_made(g), st.backlog,
		    r->peak_backlog, r->lost);
	}
	/* The end is the last thread's, not this poll's (up to 50 ms on). */
	rb_gen_join(g, &r->generated, &r->gen_s, &t_end);
	r->achieved = r->gen_s > 0 ? (double)r->generated / r->gen_s : 0;

	/* Settle: until every event is written, or nothing more can come
	 * (records lost, the backlog empty, nothing new for 1 s), or
	 * --settle runs out. */
	t_change = t_end;
	for (;;) {
		sample(r, &st0, &st);
		rss_sample(x, r);
		w = written_now(x, &base, &t_last, r);
		now = (int64_t)clock_mono_ns();
		if (w != written) {
			written = w;
			t_change = now;
		}
		if (written >= r->generated) {
			r->settled = true;
			break;
		}
		if (rb_stopped(x) || now - t_end >= (int64_t)(o->settle_s *
		    1e9))
			break;
		if (r->lost > 0 && st.backlog == 0 &&
		    now - t_change >= 1000000000ll)
			break;
		progress(x, "[%s %u] settling: %llu of %llu written, backlog "
		    "%u, lost %u", mode, step, (unsigned long long)written,
		    (unsigned long long)r->generated, st.backlog, r->lost);
		sleep_ms(SETTLE_POLL_MS);
	}
	progress(x, NULL);
	sample(r, &st0, &st);
	r->written = written;
	{
		double cpu1 = daemon_cpu(x);

		r->daemon_cpu_s = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
	}
	if (written > 0 && t_last > 0) {
		r->written_s = (double)(t_last - t_end) / 1e9 + r->gen_s;
		r->lag_s = t_last > t_end ? (double)(t_last - t_end) / 1e9 : 0;
	}
	if (rb_stopped(x))
		r->verdict = RB_INTERRUPTED;
	else if (r->lost > 0)
		r->verdict = RB_LOST;
	else if (r->written < r->generated)
		r->verdict = RB_UNWRITTEN;
	else if (rate > 0 && r->achieved < 0.95 * rate)
		r->verdict = RB_SHORT;
	else
		r->verdict = RB_OK;
}

static void
emit(struct rb_ctx *x, const struct rb_result *r)
{
	if (x->nresults == x->capresults) {
		size_t cap = x->capresults ? x->capresults * 2 : 16;
		struct rb_result *n = realloc(x->results, cap * sizeof(*n));

		if (n == NULL)
			fatal(RB_NAME ": results");
		x->results = n;
		x->capresults = cap;
	}
	x->results[x->nresults++] = *r;
	if (x->o->json)
		rb_report_json(stdout, &x->info, r);
	else
		rb_report_row(stdout, r);
}

void
rb_run_fixed(struct rb_ctx *x)
{
	struct rb_result r;
	size_t i;

	for (i = 0; i < x->o->nrates && !rb_stopped(x); i++) {
		if (i > 0)
			sleep_ms(200);
		run_one(x, x->o->rates[i], (unsigned)i + 1,
		    x->o->drain ? "drain" : "rate", &r);
		emit(x, &r);
	}
}

void
rb_run_sweep(struct rb_ctx *x)
{
	const struct rb_opts *o = x->o;
	const char *mode = o->drain ? "drain-sweep" : "sweep";
	double good = -1, bad = -1, rate, good_achieved = 0, bad_achieved = 0;
	enum rb_verdict bad_verdict = RB_OK;
	struct rb_result r;
	unsigned step = 0;

	while (step < o->sweep_steps && !rb_stopped(x)) {
		if (step == 0)
			rate = o->sweep_lo;
		else if (step == 1)
			rate = o->sweep_hi;
		else if (bad - good <= fmax(good * 0.02, 50))
			break;
		else
			rate = floor((good + bad) / 2);
		if (step > 0)
			sleep_ms(200);
		run_one(x, rate, ++step, mode, &r);
		emit(x, &r);
		if (r.verdict == RB_INTERRUPTED)
			return;
		if (r.verdict == RB_OK) {
			good = rate;
			good_achieved = r.achieved;
			if (step == 2)
				break;		/* HI itself passed */
		} else {
			bad = rate;
			bad_achieved = r.achieved;
			bad_verdict = r.verdict;
			if (step == 1)
				break;		/* LO failed already */
		}
	}
	if (o->json) {
		printf("{\"mode\":\"%s-result\",\"key\":\"%s\",\"steps\":%u,"
		    "\"lossless_rate\":", mode, x->info.key, step);
		if (good > 0)
			printf("%.0f,\"lossless_achieved\":%.1f,", good,
			    good_achieved);
		else
			printf("null,\"lossless_achieved\":null,");
		if (bad > 0)
			printf("\"first_failing_rate\":%.0f,\"failing_verdict\":"
			    "\"%s\",\"failing_achieved\":%.1f}\n", bad,
			    rb_verdict_name(bad_verdict), bad_achieved);
		else
			printf("\"first_failing_rate\":null,"
			    "\"failing_verdict\":null,"
			    "\"failing_achieved\":null}\n");
		fflush(stdout);
		return;
	}
	if (good > 0)
		printf("\nhighest rate with zero lost: %.0f events/s (achieved "
		    "%.0f)", good, good_achieved);
	else
		printf("\nno rate passed");
	if (bad > 0)
		printf("; %.0f failed (%s)", bad, rb_verdict_name(bad_verdict));
	else
		printf("; HI passed: the top of the range");
	printf("\n");
	/* A step the generator could not reach says nothing of the daemon. */
	if (bad > 0 && bad_verdict == RB_SHORT)
		printf("the generator reached only %.0f events/s there, with "
		    "nothing lost: its own limit, not the daemon's (more "
		    "--threads, if there are cores for them)\n", bad_achieved);
	fflush(stdout);
}
