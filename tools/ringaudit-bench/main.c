/*
 * ringaudit-bench - how fast can an audit daemon take the kernel's records
 * without the kernel losing any?  For ringauditd, Debian's auditd, or (with
 * --drain) nothing at all but this process reading and discarding.
 *
 * A run: one audit rule on getppid(2) for this process only, with a key of
 * its own; T threads calling getppid at a fixed rate or as fast as they
 * can (gen.c); the kernel's status sampled every 50 ms meanwhile (peak
 * backlog, lost); then, once the generator stopped, the daemon's log read
 * until every event is in it or --settle runs out (count.c).  A sweep is
 * runs by bisection over the rate, to the highest one with nothing lost.
 *
 * What the tool changes in the kernel it puts back: the rule, the
 * backlog_limit and backlog_wait_time, the enabled flag when audit was
 * off (0 -> 1 -> 0), and the registration in --drain.  Each is noted in
 * `cl` as it is made, and cleanup() undoes what is noted, once, from every
 * exit path: the end of main, exit() anywhere (atexit), and signals.
 * Signals are blocked in every thread and taken by one thread with
 * sigwait: the first asks the run to stop (the generator stops, the
 * figures so far are printed, cleanup runs, and the process then dies of
 * that signal); a second one runs cleanup at once and exits.  Only
 * SIGKILL leaves things behind.  The failure flag is read, never set
 * (with failure 2 a lost record panics the kernel, so the tool refuses to
 * run), and enabled is never set to 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <linux/audit.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "common/log.h"

#define SAMPLE_MS 50
#define SETTLE_POLL_MS 100
#define DEFAULT_LOG "/var/log/audit/audit.log"
#define MAX_RATES 64

struct opts {
	double rates[MAX_RATES];	/* 0: max */
	size_t nrates;
	bool sweep;
	double sweep_lo, sweep_hi;
	unsigned sweep_steps;
	double duration_s;
	bool duration_set;
	uint64_t count;
	unsigned threads;
	bool drain;
	const char *log;
	pid_t pid;
	double settle_s;
	bool limit_default, wait_default;
	uint32_t backlog_limit, wait_time;
	bool json;
	const char *plot;
	unsigned rcvbuf;
	bool quiet;
};

/* What cleanup() must undo; each flag set once the change is made. */
static struct {
	pthread_mutex_t mu;
	bool rule;
	pid_t tgid;
	char key[64];
	bool registered;
	uint32_t backlog_mask, limit_prev, wait_prev;
	bool enabled;
	uint32_t enabled_prev;
	unsigned failures;
} cl = { .mu = PTHREAD_MUTEX_INITIALIZER };

static int interrupted;		/* atomic: the first signal */
static sigset_t handled;

static void
cleanup(void)
{
	int rc;

	pthread_mutex_lock(&cl.mu);
	if (cl.rule) {
		if ((rc = rb_k_rule(false, cl.tgid, cl.key)) < 0) {
			cl.failures++;
			fprintf(stderr, RB_NAME ": deleting the rule -k %s: %s\n",
			    cl.key, strerror(-rc));
		}
		cl.rule = false;
	}
	if (cl.registered) {
		if ((rc = rb_k_unregister()) < 0) {
			cl.failures++;
			fprintf(stderr, RB_NAME ": unregistering as the audit "
			    "daemon: %s\n", strerror(-rc));
		}
		cl.registered = false;
	}
	if (cl.backlog_mask != 0) {
		if ((rc = rb_k_set_backlog(cl.backlog_mask, cl.limit_prev,
		    cl.wait_prev)) < 0) {
			cl.failures++;
			fprintf(stderr, RB_NAME ": restoring backlog_limit %u "
			    "and backlog_wait_time %u: %s\n", cl.limit_prev,
			    cl.wait_prev, strerror(-rc));
		}
		cl.backlog_mask = 0;
	}
	if (cl.enabled) {
		if ((rc = rb_k_set_enabled(cl.enabled_prev)) < 0) {
			cl.failures++;
			fprintf(stderr, RB_NAME ": restoring enabled %u: %s\n",
			    cl.enabled_prev, strerror(-rc));
		}
		cl.enabled = false;
	}
	pthread_mutex_unlock(&cl.mu);
}

static void *
signal_main(void *arg)
{
	int sig, first = 0;

	(void)arg;
	for (;;) {
		if (sigwait(&handled, &sig) != 0)
			continue;
		/* Relaxed: polled every 50 ms by the main thread. */
		if (__atomic_compare_exchange_n(&interrupted, &first, sig,
		    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
			fprintf(stderr, "\n" RB_NAME ": %s: stopping (again to "
			    "stop at once)\n", strsignal(sig));
			continue;
		}
		cleanup();
		_exit(128 + sig);
	}
	return NULL;
}

static int
stop_signal(void)
{
	return __atomic_load_n(&interrupted, __ATOMIC_RELAXED);
}

/* Command line. */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: " RB_NAME " [--rate N[,N...]|max | --sweep LO:HI] [--drain]\n"
"           [--duration S | --count N] [--threads T] [--log PATH]\n"
"           [--pid PID] [--settle S] [--backlog-limit N|default]\n"
"           [--wait-time N|default] [--json] [--plot FILE.png] [--quiet]\n"
"\n"
"Benchmark an audit daemon (ringauditd, auditd) against the kernel's\n"
"backlog and lost counters.  Needs root.  Loads one rule for the run,\n"
"  -a exit,always -F arch=b64 -S getppid -F pid=<this pid>\n"
"     -k ringaudit-bench-<this pid>\n"
"and calls getppid(2) from T threads; each call is one audit event.\n"
"While the load runs the kernel's status (AUDIT_GET) is sampled every\n"
"50 ms; afterwards the daemon's log is read until every event is in it.\n"
"\n"
"Load:\n"
"  -r, --rate N|max     events per second for all threads together, or\n"
"                       max: as fast as they can (default max).  A list\n"
"                       (1000,5000,20000) makes one run per rate.\n"
"  -s, --sweep LO:HI    find the highest rate with zero lost, by\n"
"                       bisection between LO and HI; a short run per\n"
"                       step (--duration, default 2 s), each printed.\n"
"                       A step passes with nothing lost, every event\n"
"                       written and at least 95%% of the rate achieved.\n"
"      --sweep-steps N  at most N steps (default 10).\n"
"  -d, --duration S     seconds of load per run (default 5; sweep 2).\n"
"  -n, --count N        N events per run instead of a duration.\n"
"  -t, --threads T      generator threads (default 1).\n"
"\n"
"The daemon:\n"
"  -l, --log PATH       the daemon's log (default " DEFAULT_LOG ");\n"
"                       PATH.N files rotated during the run are read too.\n"
"                       Events are SYSCALL records with the key, counted\n"
"                       once per serial.\n"
"  -p, --pid PID        the process whose CPU time (utime+stime) and\n"
"                       memory (VmRSS peak, VmHWM) are reported (default:\n"
"                       the registered audit daemon).\n"
"      --settle S       after the load, wait up to S seconds for the\n"
"                       daemon to write every event (default 10).\n"
"      --drain          no daemon: this tool registers as the audit\n"
"                       daemon (refused if one is registered) and reads\n"
"                       and discards records as fast as it can, which\n"
"                       measures the kernel's own limit on this machine.\n"
"                       \"written\" is then the records with the key it\n"
"                       received.  It unregisters on every exit path.\n"
"      --rcvbuf BYTES   --drain's socket receive buffer (default 64 MiB).\n"
"\n"
"Kernel settings for the run, restored on every exit path:\n"
"      --backlog-limit N|default  backlog_limit (default 8192);\n"
"                       default leaves the kernel's.\n"
"      --wait-time N|default      backlog_wait_time in jiffies (default\n"
"                       0: a full backlog loses records rather than\n"
"                       throttling the generator); default leaves the\n"
"                       kernel's (usually 60 s: loss turns into a slower\n"
"                       generator).\n"
"  Audit is enabled for the run if it was off (and turned off again).\n"
"  It refuses to run with failure 2 (a lost record would panic the\n"
"  kernel) or enabled 2 (locked).  The failure flag is never changed.\n"
"\n"
"Output: progress on stderr (on a terminal, one line; -q: none); a table\n"
"on stdout, one row per run or sweep step:\n"
"  achieved/s  the generator's rate; generated  its events;\n"
"  written     events in the log (drain: received); lost  the kernel's\n"
"              lost counter over the run (records, global); backlog  its\n"
"              peak; cpu_s, us/event  the daemon's CPU time over the run\n"
"              and per event written; rss_MiB  its peak VmRSS sampled;\n"
"  written_s   from the load's start until the last event was written;\n"
"  written/s   written / written_s; lag_s  from the load's end until the\n"
"              last event was written (to ~0.1 s; the log's mtime);\n"
"  verdict     ok, lost, unwritten (missing after --settle), short (the\n"
"              generator fell below 95%% of the rate), interrupted.\n"
"  -j, --json           JSON instead: one object per line, per run or\n"
"                       step, with every figure; a sweep ends with a\n"
"                       \"sweep-result\" object.\n"
"      --plot FILE.png  draw rate against lost, and against written/s\n"
"                       and lag, with gnuplot (Debian: gnuplot-nox).\n"
"  -q, --quiet          no progress line.\n"
"  -h, --help           this text.\n"
"\n"
"Exit: 0 done, 1 could not run (not root, no audit, a daemon or none\n"
"registered, a kernel setting refused) or could not restore a setting,\n"
"2 bad arguments; killed by a signal: the run was interrupted.\n"
"\n"
"Examples:\n"
"  " RB_NAME " --rate 20000 --duration 5\n"
"  " RB_NAME " --sweep 5000:200000 --plot sweep.png\n"
"  " RB_NAME " --drain --rate max --duration 3\n"
"  " RB_NAME " --rate 1000,10000,50000 --json --log /tmp/d/audit.log\n");
}

static void __attribute__((noreturn))
bad_arg(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, RB_NAME ": %s: bad value '%s': %s\n"
	    "Try '" RB_NAME " --help'.\n", opt, val, want);
	exit(2);
}

static double
parse_pos(const char *opt, const char *s, const char *want)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v <= 0)
		bad_arg(opt, s, want);
	return v;
}

static uint64_t
parse_uint(const char *opt, const char *s, uint64_t max, const char *want)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		bad_arg(opt, s, want);
	v = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > max)
		bad_arg(opt, s, want);
	return v;
}

static void
parse_rates(struct opts *o, const char *s)
{
	const char *want = "a rate in events per second, 'max', or a list "
	    "of them (1000,5000)";
	char buf[1024], *tok, *save;

	if (strlen(s) >= sizeof(buf))
		bad_arg("--rate", s, want);
	strcpy(buf, s);
	o->nrates = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (o->nrates == MAX_RATES)
			bad_arg("--rate", s, "at most 64 rates");
		o->rates[o->nrates++] = strcmp(tok, "max") == 0 ? 0 :
		    parse_pos("--rate", tok, want);
	}
	if (o->nrates == 0)
		bad_arg("--rate", s, want);
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	enum { O_SETTLE = 256, O_DRAIN, O_LIMIT, O_WAIT, O_PLOT, O_RCVBUF,
	    O_STEPS };
	static const struct option lo[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "sweep", required_argument, NULL, 's' },
		{ "sweep-steps", required_argument, NULL, O_STEPS },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 't' },
		{ "log", required_argument, NULL, 'l' },
		{ "pid", required_argument, NULL, 'p' },
		{ "settle", required_argument, NULL, O_SETTLE },
		{ "drain", no_argument, NULL, O_DRAIN },
		{ "rcvbuf", required_argument, NULL, O_RCVBUF },
		{ "backlog-limit", required_argument, NULL, O_LIMIT },
		{ "wait-time", required_argument, NULL, O_WAIT },
		{ "json", no_argument, NULL, 'j' },
		{ "plot", required_argument, NULL, O_PLOT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool rate_set = false;
	char *colon;
	int c;

	memset(o, 0, sizeof(*o));
	o->nrates = 1;			/* max */
	o->duration_s = 5;
	o->threads = 1;
	o->log = DEFAULT_LOG;
	o->settle_s = 10;
	o->backlog_limit = 8192;
	o->wait_time = 0;
	o->rcvbuf = 64u << 20;
	o->sweep_steps = 10;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:s:d:n:t:l:p:jqh", lo,
	    NULL)) != -1) {
		switch (c) {
		case 'r':
			parse_rates(o, optarg);
			rate_set = true;
			break;
		case 's':
			colon = strchr(optarg, ':');
			if (colon == NULL)
				bad_arg("--sweep", optarg, "LO:HI, two rates "
				    "in events per second");
			*colon = '\0';
			o->sweep_lo = parse_pos("--sweep", optarg, "LO:HI, "
			    "two rates in events per second");
			o->sweep_hi = parse_pos("--sweep", colon + 1, "LO:HI, "
			    "two rates in events per second");
			*colon = ':';
			if (o->sweep_hi <= o->sweep_lo)
				bad_arg("--sweep", optarg, "HI must be above "
				    "LO");
			o->sweep = true;
			break;
		case O_STEPS:
			o->sweep_steps = (unsigned)parse_uint("--sweep-steps",
			    optarg, 100, "a number of steps, 2 to 100");
			if (o->sweep_steps < 2)
				bad_arg("--sweep-steps", optarg, "a number of "
				    "steps, 2 to 100");
			break;
		case 'd':
			o->duration_s = parse_pos("--duration", optarg,
			    "seconds, above 0");
			if (o->duration_s > 86400)
				bad_arg("--duration", optarg, "at most a day");
			o->duration_set = true;
			break;
		case 'n':
			o->count = parse_uint("--count", optarg, UINT64_MAX / 2,
			    "a number of events, above 0");
			if (o->count == 0)
				bad_arg("--count", optarg, "a number of events, "
				    "above 0");
			break;
		case 't':
			o->threads = (unsigned)parse_uint("--threads", optarg,
			    1024, "a number of threads, 1 to 1024");
			if (o->threads == 0)
				bad_arg("--threads", optarg, "a number of "
				    "threads, 1 to 1024");
			break;
		case 'l':
			if (*optarg != '/')
				bad_arg("--log", optarg, "an absolute path");
			o->log = optarg;
			break;
		case 'p':
			o->pid = (pid_t)parse_uint("--pid", optarg, 4194304,
			    "a process id");
			if (o->pid == 0)
				bad_arg("--pid", optarg, "a process id");
			break;
		case O_SETTLE:
			o->settle_s = parse_pos("--settle", optarg,
			    "seconds, above 0");
			break;
		case O_DRAIN:
			o->drain = true;
			break;
		case O_RCVBUF:
			o->rcvbuf = (unsigned)parse_uint("--rcvbuf", optarg,
			    1u << 30, "bytes, up to 1 GiB");
			break;
		case O_LIMIT:
			if (strcmp(optarg, "default") == 0)
				o->limit_default = true;
			else
				o->backlog_limit = (uint32_t)parse_uint(
				    "--backlog-limit", optarg, UINT32_MAX,
				    "a number of records, or default");
			break;
		case O_WAIT:
			if (strcmp(optarg, "default") == 0)
				o->wait_default = true;
			else
				/* The kernel takes up to 10 x 60 s. */
				o->wait_time = (uint32_t)parse_uint(
				    "--wait-time", optarg, UINT32_MAX,
				    "jiffies (0: none), or default");
			break;
		case 'j':
			o->json = true;
			break;
		case O_PLOT:
			o->plot = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			fprintf(stderr, RB_NAME ": %s needs a value\nTry '"
			    RB_NAME " --help'.\n", argv[optind - 1]);
			exit(2);
		default:
			fprintf(stderr, RB_NAME ": unknown option '%s'\nTry '"
			    RB_NAME " --help'.\n", argv[optind - 1]);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, RB_NAME ": unexpected argument '%s'\nTry '"
		    RB_NAME " --help'.\n", argv[optind]);
		exit(2);
	}
	if (o->sweep && rate_set) {
		fprintf(stderr, RB_NAME ": --rate and --sweep: give one\n");
		exit(2);
	}
	if (o->count > 0 && o->duration_set) {
		fprintf(stderr, RB_NAME ": --duration and --count: give one\n");
		exit(2);
	}
	if (o->sweep && !o->duration_set)
		o->duration_s = 2;
}

/* The runs. */

struct ctx {
	const struct opts *o;
	struct rb_report_info info;
	pid_t dpid;			/* for /proc; 0: none */
	struct rb_logcount *lc;
	struct rb_drain *dr;
	uint32_t limit, wait;		/* in force for the runs */
	bool tty;
	struct rb_result *results;
	size_t nresults, capresults;
};

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static int64_t
real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
	    .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void
progress(const struct ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
progress(const struct ctx *x, const char *fmt, ...)
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
sample(struct rb_result *r, const struct rb_kstatus *st0,
    struct rb_kstatus *st)
{
	if (rb_k_status(st) < 0)
		return;
	if (st->backlog > r->peak_backlog)
		r->peak_backlog = st->backlog;
	/* u32 counters: the difference is right across a wrap. */
	r->lost = st->lost - st0->lost;
	r->wait_actual = st->backlog_wait_time_actual -
	    st0->backlog_wait_time_actual;
}

static double
daemon_cpu(const struct ctx *x)
{
	struct rb_drain_counts dc;
	double s;

	if (x->dr != NULL) {
		rb_drain_get(x->dr, &dc);
		return dc.cpu_s;
	}
	if (x->dpid > 0 && rb_proc_cpu(x->dpid, &s) == 0)
		return s;
	return -1;
}

static void
rss_sample(const struct ctx *x, struct rb_result *r)
{
	uint64_t rss, hwm;

	if (x->dr == NULL && x->dpid > 0 &&
	    rb_proc_mem(x->dpid, &rss, &hwm) == 0) {
		if (rss > r->rss_peak_kb)
			r->rss_peak_kb = rss;
		r->hwm_kb = hwm;
	}
}

/* Events written (received) in this run so far, and when the last was. */
static uint64_t
written_now(struct ctx *x, uint64_t base, int64_t *last_ns,
    struct rb_result *r)
{
	struct rb_drain_counts dc;
	struct rb_counts c;
	int64_t now = mono_ns(), t;
	int rc;

	if (x->dr != NULL) {
		rb_drain_get(x->dr, &dc);
		*last_ns = (int64_t)dc.last_event_ns;
		r->records = dc.records;
		return dc.events - base;
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
		/* The log's mtime, on the monotonic clock; no later than
		 * this poll. */
		t = now - (real_ns() - c.last_write_ns);
		*last_ns = t < now ? t : now;
	}
	return c.events;
}

static void
run_one(struct ctx *x, double rate, unsigned step, const char *mode,
    struct rb_result *r)
{
	const struct opts *o = x->o;
	struct rb_gen_config gc = { .threads = o->threads, .rate = rate,
	    .count = o->count, .duration_s = o->duration_s };
	struct rb_kstatus st0, st;
	struct rb_drain_counts dc;
	struct rb_gen *g;
	uint64_t base = 0, written = 0, w, window_ms;
	int64_t t_end, t_last = 0, t_change, now, last_rss = 0;
	double cpu0;
	int rc;

	memset(r, 0, sizeof(*r));
	r->mode = mode;
	r->step = step;
	r->rate_req = rate;
	r->threads = o->threads;
	r->backlog_limit = x->limit;
	r->backlog_wait_time = x->wait;
	if ((rc = rb_k_status(&st0)) < 0)
		fatalx(RB_NAME ": AUDIT_GET: %s", strerror(-rc));
	r->has_wait_actual = st0.has_wait_actual;
	st = st0;
	cpu0 = daemon_cpu(x);
	/* Time stamps are the kernel's coarse clock, up to a tick behind;
	 * runs are far more than 20 ms apart. */
	window_ms = (uint64_t)(real_ns() / 1000000) - 20;
	if (x->dr != NULL) {
		rb_drain_window(x->dr, window_ms);
		rb_drain_get(x->dr, &dc);
		base = dc.events;
	} else {
		rb_logcount_window(x->lc, window_ms);
	}
	if ((rc = rb_gen_start(&g, &gc)) < 0)
		fatalx(RB_NAME ": load generator: %s", strerror(-rc));
	while (!rb_gen_done(g)) {
		sleep_ms(SAMPLE_MS);
		if (stop_signal())
			rb_gen_stop(g);
		sample(r, &st0, &st);
		now = mono_ns();
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
	rb_gen_join(g, &r->generated, &r->gen_s);
	t_end = mono_ns();
	r->achieved = r->gen_s > 0 ? (double)r->generated / r->gen_s : 0;

	/* Settle: until every event is written, or nothing more can come
	 * (records lost, the backlog empty, nothing new for 1 s), or
	 * --settle runs out. */
	t_change = t_end;
	for (;;) {
		sample(r, &st0, &st);
		rss_sample(x, r);
		w = written_now(x, base, &t_last, r);
		now = mono_ns();
		if (w != written) {
			written = w;
			t_change = now;
		}
		if (written >= r->generated) {
			r->settled = true;
			break;
		}
		if (stop_signal() || now - t_end >= (int64_t)(o->settle_s *
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
	if (cpu0 >= 0 && daemon_cpu(x) >= 0)
		r->daemon_cpu_s = daemon_cpu(x) - cpu0;
	else
		r->daemon_cpu_s = -1;
	if (written > 0 && t_last > 0) {
		r->written_s = (double)(t_last - t_end) / 1e9 + r->gen_s;
		r->lag_s = t_last > t_end ? (double)(t_last - t_end) / 1e9 : 0;
	}
	if (stop_signal())
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
emit(struct ctx *x, const struct rb_result *r)
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

static void
run_fixed(struct ctx *x)
{
	struct rb_result r;
	size_t i;

	for (i = 0; i < x->o->nrates && !stop_signal(); i++) {
		if (i > 0)
			sleep_ms(200);
		run_one(x, x->o->rates[i], (unsigned)i + 1,
		    x->o->drain ? "drain" : "rate", &r);
		emit(x, &r);
	}
}

static void
run_sweep(struct ctx *x)
{
	const struct opts *o = x->o;
	const char *mode = o->drain ? "drain-sweep" : "sweep";
	double good = -1, bad = -1, rate, good_achieved = 0;
	struct rb_result r;
	unsigned step = 0;

	while (step < o->sweep_steps && !stop_signal()) {
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
			printf("\"first_failing_rate\":%.0f}\n", bad);
		else
			printf("\"first_failing_rate\":null}\n");
	} else if (good > 0) {
		printf("\nhighest rate with zero lost: %.0f events/s "
		    "(achieved %.0f)", good, good_achieved);
		if (bad > 0)
			printf("; %.0f failed\n", bad);
		else
			printf("; the top of the range\n");
	} else {
		printf("\nno rate passed: %.0f events/s already failed\n",
		    o->sweep_lo);
	}
	fflush(stdout);
}

/* Set-up, with each change noted for cleanup(). */

static void __attribute__((noreturn))
refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
refuse(const char *fmt, ...)
{
	va_list ap;

	fputs(RB_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
setup_kernel(struct ctx *x, const struct rb_kstatus *st)
{
	const struct opts *o = x->o;
	uint32_t mask = 0;
	int rc;

	if (st->enabled == 0) {
		pthread_mutex_lock(&cl.mu);
		if ((rc = rb_k_set_enabled(1)) == 0) {
			cl.enabled = true;
			cl.enabled_prev = 0;
		}
		pthread_mutex_unlock(&cl.mu);
		if (rc < 0)
			refuse("enabling audit for the run: %s", strerror(-rc));
		x->info.enabled_for_run = true;
	}
	x->limit = st->backlog_limit;
	x->wait = st->backlog_wait_time;
	if (!o->limit_default) {
		mask |= AUDIT_STATUS_BACKLOG_LIMIT;
		x->limit = o->backlog_limit;
	}
	if (!o->wait_default) {
		if (!(st->feature_bitmap &
		    AUDIT_FEATURE_BITMAP_BACKLOG_WAIT_TIME))
			refuse("this kernel cannot set backlog_wait_time; use "
			    "--wait-time default");
		mask |= AUDIT_STATUS_BACKLOG_WAIT_TIME;
		x->wait = o->wait_time;
	}
	pthread_mutex_lock(&cl.mu);
	if ((rc = rb_k_set_backlog(mask, x->limit, x->wait)) == 0) {
		cl.backlog_mask = mask;
		cl.limit_prev = st->backlog_limit;
		cl.wait_prev = st->backlog_wait_time;
	}
	pthread_mutex_unlock(&cl.mu);
	if (rc < 0)
		refuse("setting backlog_limit %u, backlog_wait_time %u: %s",
		    x->limit, x->wait, strerror(-rc));
	if (o->drain) {
		pthread_mutex_lock(&cl.mu);
		if ((rc = rb_drain_start(&x->dr, x->info.key, o->rcvbuf)) == 0)
			cl.registered = true;
		pthread_mutex_unlock(&cl.mu);
		if (rc == -EEXIST)
			refuse("--drain: another audit daemon registered "
			    "meanwhile");
		if (rc < 0)
			refuse("--drain: registering as the audit daemon: %s",
			    strerror(-rc));
	}
	pthread_mutex_lock(&cl.mu);
	if ((rc = rb_k_rule(true, cl.tgid, cl.key)) == 0)
		cl.rule = true;
	pthread_mutex_unlock(&cl.mu);
	if (rc < 0)
		refuse("adding the rule -k %s: %s", cl.key, strerror(-rc));
}

static void
identify_daemon(struct ctx *x, const struct rb_kstatus *st)
{
	static char comm[64], exe[512];
	struct rb_kstatus now;

	if (x->o->drain) {
		/* What the kernel says, not what we meant. */
		if (rb_k_status(&now) == 0)
			x->info.daemon_pid = (pid_t)now.pid;
		if (x->info.daemon_pid != getpid())
			refuse("--drain: the kernel names pid %d as the audit "
			    "daemon, not this process", (int)x->info.daemon_pid);
		x->dpid = getpid();
		snprintf(comm, sizeof(comm), RB_NAME);
		rb_proc_name(getpid(), comm, sizeof(comm), exe, sizeof(exe));
	} else {
		x->info.daemon_pid = (pid_t)st->pid;
		x->dpid = x->o->pid > 0 ? x->o->pid : (pid_t)st->pid;
		rb_proc_name(x->dpid, comm, sizeof(comm), exe, sizeof(exe));
	}
	x->info.daemon_comm = comm;
	x->info.daemon_exe = exe;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct ctx x;
	struct rb_kstatus st;
	pthread_t sigtid;
	int rc, sig;

	parse_args(&o, argc, argv);
	memset(&x, 0, sizeof(x));
	x.o = &o;
	x.tty = !o.quiet && isatty(STDERR_FILENO);
	log_init(RB_NAME, true, false);

	if (o.plot != NULL && !rb_plot_available())
		refuse("--plot: gnuplot not found in PATH; install it (Debian: "
		    "apt-get install gnuplot-nox) or leave --plot out");
	if (geteuid() != 0)
		refuse("needs root: it loads an audit rule and changes the "
		    "kernel's audit settings");
	if ((rc = rb_k_status(&st)) < 0)
		refuse("cannot talk to the kernel's audit subsystem (AUDIT_GET): "
		    "%s", strerror(-rc));
	if (st.enabled == 2)
		refuse("audit is locked (enabled 2): no rule or setting can "
		    "change until reboot");
	if (st.failure == 2)
		refuse("the failure flag is 2 (panic): a lost record would panic "
		    "the kernel; not benchmarking (it is not changed here)");
	if (o.drain && st.pid != 0)
		refuse("--drain: an audit daemon is registered (pid %u); stop "
		    "it first", st.pid);
	if (!o.drain && st.pid == 0)
		refuse("no audit daemon is registered: start one (ringauditd, "
		    "auditd), or measure the kernel alone with --drain");

	cl.tgid = getpid();
	snprintf(cl.key, sizeof(cl.key), RB_NAME "-%d", (int)cl.tgid);
	x.info.key = cl.key;
	x.info.tool_pid = cl.tgid;
	x.info.failure = st.failure;
	x.info.rate_limit = st.rate_limit;
	x.info.enabled_before = st.enabled;
	if (!o.drain) {
		x.info.log = o.log;
		if ((rc = rb_logcount_create(&x.lc, o.log, cl.key)) < 0)
			refuse("--log: %s: %s", o.log, strerror(-rc));
	}

	/* Signals go to one thread; every thread made after inherits the
	 * mask.  A closed stdout is an error on write, not a death. */
	sigemptyset(&handled);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGHUP);
	sigaddset(&handled, SIGQUIT);
	signal(SIGPIPE, SIG_IGN);
	pthread_sigmask(SIG_BLOCK, &handled, NULL);
	if ((rc = pthread_create(&sigtid, NULL, signal_main, NULL)) != 0)
		refuse("signal thread: %s", strerror(rc));
	atexit(cleanup);

	setup_kernel(&x, &st);
	identify_daemon(&x, &st);
	if (!o.json)
		rb_report_head(stdout, &x.info);
	if (o.sweep)
		run_sweep(&x);
	else
		run_fixed(&x);

	if (x.dr != NULL) {
		rb_drain_stop(x.dr);	/* unregisters */
		pthread_mutex_lock(&cl.mu);
		cl.registered = false;
		pthread_mutex_unlock(&cl.mu);
		x.dr = NULL;
	}
	cleanup();
	rb_logcount_destroy(x.lc);
	rc = cl.failures > 0 ? 1 : 0;
	if (o.plot != NULL && x.nresults > 0 && !stop_signal()) {
		int prc = rb_plot(o.plot, &x.info, x.results, x.nresults);

		if (prc == -ENOENT)
			fprintf(stderr, RB_NAME ": --plot: gnuplot not found; "
			    "install gnuplot-nox\n");
		else if (prc < 0)
			fprintf(stderr, RB_NAME ": --plot %s: gnuplot failed: "
			    "%s\n", o.plot, strerror(-prc));
		if (prc < 0)
			rc = 1;
	}
	free(x.results);
	if ((sig = stop_signal()) != 0) {
		/* Die of the signal, as the caller expects. */
		signal(sig, SIG_DFL);
		pthread_sigmask(SIG_UNBLOCK, &handled, NULL);
		raise(sig);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = 1;
	return rc;
}
