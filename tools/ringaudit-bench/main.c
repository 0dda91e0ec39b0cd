/*
 * ringaudit-bench - how fast can an audit daemon take the kernel's records
 * without the kernel losing any?  For ringauditd, Debian's auditd, or (with
 * --drain) nothing at all but a child process reading and discarding.
 *
 * One audit rule on getppid(2) for this process only, with a key of its
 * own; T threads calling getppid at a fixed rate or as fast as they can
 * (gen.c); the kernel's status sampled every 50 ms meanwhile; then the
 * daemon's log read until every event is in it (count.c).  run.c makes
 * the runs, cli.c reads the command line.  This file checks the kernel
 * allows a run, makes the changes and undoes them.
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
 * SIGKILL leaves the rule and settings behind (the drain child still
 * unregisters: it has PR_SET_PDEATHSIG).  The failure flag is read, never set
 * (with failure 2 a lost record panics the kernel, so the tool refuses to
 * run), and enabled is never set to 2.
 */
#include <errno.h>
#include <linux/audit.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "common/log.h"

/* What cleanup() must undo; each flag set once the change is made. */
static struct {
	pthread_mutex_t mu;
	bool rule;
	pid_t tgid;
	char key[64];
	struct rb_drain *drain;
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
	if (cl.drain != NULL) {
		/* The drain child unregisters itself; see drain.c. */
		if ((rc = rb_drain_stop(cl.drain)) < 0) {
			cl.failures++;
			fprintf(stderr, RB_NAME ": unregistering the drain: %s\n",
			    strerror(-rc));
		}
		cl.drain = NULL;	/* main frees it */
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

/* Signals go to one thread; every thread made after inherits the mask.
 * A closed stdout is an error on write, not a death. */
static void
block_signals(void)
{
	sigemptyset(&handled);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGHUP);
	sigaddset(&handled, SIGQUIT);
	signal(SIGPIPE, SIG_IGN);
	pthread_sigmask(SIG_BLOCK, &handled, NULL);
}

static void
start_signals(void)
{
	pthread_t tid;
	int rc;

	block_signals();
	if ((rc = pthread_create(&tid, NULL, signal_main, NULL)) != 0) {
		fprintf(stderr, RB_NAME ": signal thread: %s\n", strerror(rc));
		exit(1);
	}
}

/* After a signal stopped the runs: die of it, as the caller expects. */
static void
die_of_signal(void)
{
	int sig = __atomic_load_n(&interrupted, __ATOMIC_RELAXED);

	if (sig == 0)
		return;
	fflush(stdout);
	signal(sig, SIG_DFL);
	pthread_sigmask(SIG_UNBLOCK, &handled, NULL);
	raise(sig);
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
setup_kernel(struct rb_ctx *x, const struct ingest_kstatus *st)
{
	const struct rb_opts *o = x->o;
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
	pthread_mutex_lock(&cl.mu);
	if ((rc = rb_k_rule(true, cl.tgid, cl.key)) == 0)
		cl.rule = true;
	pthread_mutex_unlock(&cl.mu);
	if (rc < 0)
		refuse("adding the rule -k %s: %s", cl.key, strerror(-rc));
}

/* Before any thread: the drain is a forked child. */
static void
start_drain(struct rb_ctx *x)
{
	struct rb_drain *d;
	int rc;

	rc = rb_drain_start(&d, x->info.key, x->o->rcvbuf);
	if (rc == -EEXIST)
		refuse("--drain: another audit daemon registered meanwhile");
	if (rc < 0)
		refuse("--drain: registering as the audit daemon: %s",
		    strerror(-rc));
	pthread_mutex_lock(&cl.mu);
	cl.drain = x->dr = d;
	pthread_mutex_unlock(&cl.mu);
}

static void
identify_daemon(struct rb_ctx *x, const struct ingest_kstatus *st)
{
	static char comm[64], exe[512];
	struct ingest_kstatus now;

	if (x->o->drain) {
		/* What the kernel says, not what we meant. */
		if (ingest_kernel_status(&now) == 0)
			x->info.daemon_pid = (pid_t)now.pid;
		if (x->info.daemon_pid != rb_drain_pid(x->dr))
			refuse("--drain: the kernel names pid %d as the audit "
			    "daemon, not the drain (%d)",
			    (int)x->info.daemon_pid, (int)rb_drain_pid(x->dr));
		x->dpid = rb_drain_pid(x->dr);
	} else {
		x->info.daemon_pid = (pid_t)st->pid;
		x->dpid = x->o->pid > 0 ? x->o->pid : (pid_t)st->pid;
	}
	x->info.measured_pid = x->dpid;
	rb_proc_name(x->dpid, comm, sizeof(comm), exe, sizeof(exe));
	x->info.daemon_comm = comm;
	x->info.daemon_exe = exe;
}

int
main(int argc, char **argv)
{
	struct rb_opts o;
	struct rb_ctx x;
	struct ingest_kstatus st;
	pthread_t sigtid;
	int rc;

	rb_cli_parse(&o, argc, argv);
	if (o.remote) {
		/* No kernel, nothing to undo: the signal thread only asks
		 * the runs to stop. */
		start_signals();
		rc = rb_remote_main(&o, &interrupted);
		die_of_signal();
		return rc;
	}
	memset(&x, 0, sizeof(x));
	x.o = &o;
	x.stop = &interrupted;
	x.tty = !o.quiet && isatty(STDERR_FILENO);
	log_init(RB_NAME, true, false);

	if (o.plot != NULL && !rb_plot_available())
		refuse("--plot: gnuplot not found in PATH; install it (Debian: "
		    "apt-get install gnuplot-nox) or leave --plot out");
	if (geteuid() != 0)
		refuse("needs root: it loads an audit rule and changes the "
		    "kernel's audit settings");
	if ((rc = ingest_kernel_status(&st)) < 0)
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
	if (!o.drain) {
		x.info.log = o.log;
		if ((rc = rb_logcount_create(&x.lc, o.log, cl.key)) < 0)
			refuse("--log: %s: %s", o.log, strerror(-rc));
	}

	block_signals();
	atexit(cleanup);
	if (o.drain)
		start_drain(&x);
	if ((rc = pthread_create(&sigtid, NULL, signal_main, NULL)) != 0)
		refuse("signal thread: %s", strerror(rc));

	setup_kernel(&x, &st);
	identify_daemon(&x, &st);
	if (!o.json)
		rb_report_head(stdout, &x.info);
	if (o.sweep)
		rb_run_sweep(&x);
	else
		rb_run_fixed(&x);

	cleanup();
	rb_logcount_destroy(x.lc);
	rb_drain_free(x.dr);
	rc = cl.failures > 0 ? 1 : 0;
	if (o.plot != NULL && x.nresults > 0 && !rb_stopped(&x)) {
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
	die_of_signal();
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = 1;
	return rc;
}
