/*
 * main.c - ringauditd: auditd's command line, life cycle and exit codes
 * around the ringaudit pipeline.
 *
 *   ringauditd [-f] [-l] [-n] [-s enable|disable|nochange] [-c config_dir]
 *   ringauditd --help | --version
 *
 * Exit codes, as auditd(8): 1 an initialisation step failed (priority,
 * fork, netlink, registration, machine name), 2 bad command line, 4
 * neither root nor CAP_AUDIT_CONTROL, 6 configuration error.  The long
 * options and -s's prefixes ("-s en") are auditd's too.  --help and
 * --version are not (auditd has neither): they print to stdout and exit
 * 0; there is no short form, so "-h" stays a bad option, as in auditd.
 *
 * With ingest = multicast (ringauditd.conf) it is not the audit daemon but
 * a listener beside it: it registers nothing and sets nothing in the
 * kernel (-s is ignored, with a warning), writes no pid file unless
 * pid_file names one, and at stop reads only what its socket holds.  Its
 * own log still opens with DAEMON_START and ends with DAEMON_END.
 *
 * With local_events = no it takes nothing from the kernel at all: a log
 * server for remote clients (tcp_listen_port, remote.c), which never
 * opens a NETLINK_AUDIT socket, so it neither registers nor changes or
 * asks anything in the kernel; signals work as ever.
 *
 * The main thread is the control thread: it owns the signals (blocked in
 * every thread, read here through a signalfd), the writer's events (an
 * eventfd) and the daemon's records (DAEMON_START when logging starts,
 * DAEMON_END when it stops; control.c for the rest).  The record path runs
 * in the pipeline's own threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/thread.h"
#include "daemon/cfg.h"
#include "daemon/daemon.h"
#include "daemon/pipeline.h"

#define EXIT_INIT 1
#define EXIT_USAGE 2
#define EXIT_PRIV 4
#define EXIT_CONFIG 6

struct opts {
	bool foreground;	/* -f: records to stderr, messages too */
	bool nofork;		/* -n */
	bool symlinks;		/* -l */
	enum ingest_enable enable;
	const char *enable_arg;	/* -s as given, NULL if not */
	const char *dir;
};

#define USAGE "Usage: ringauditd [-f] [-l] [-n] " \
	"[-s disable|enable|nochange] [-c <config_dir>]\n"

static void __attribute__((noreturn))
usage(void)
{
	fputs(USAGE, stderr);
	exit(EXIT_USAGE);
}

/* --help: every option, one line each (ringauditd(8) says more). */
static void __attribute__((noreturn))
help(void)
{
	fputs(USAGE
	    "  -f, --foreground         foreground: records to stdout, "
	    "messages to stderr\n"
	    "  -l, --allow_links        allow symlinked configuration files\n"
	    "  -n, --disable_fork       do not fork into the background\n"
	    "  -s, --enable_state MODE  audit at start: "
	    "enable (default)|disable|nochange\n"
	    "  -c, --config_file DIR    configuration directory (default "
	    "/etc/audit)\n"
	    "      --help               print this help and exit\n"
	    "      --version            print the version and exit\n",
	    stdout);
	exit(fflush(stdout) == 0 ? 0 : EXIT_INIT);
}

/* -s as auditd reads it: a prefix of one of these, tried in this order
 * ("-s e" is enable, "-s ''" disable). */
static const struct {
	const char *name;
	enum ingest_enable v;
} startup_states[] = {
	{ "disable", INGEST_DISABLE }, { "enable", INGEST_ENABLE },
	{ "nochange", INGEST_NOCHANGE },
};

static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "allow_links", no_argument, NULL, 'l' },
		{ "disable_fork", no_argument, NULL, 'n' },
		{ "enable_state", required_argument, NULL, 's' },
		{ "config_file", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'H' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i, n = sizeof(startup_states) / sizeof(startup_states[0]);
	int ch;

	o->enable = INGEST_ENABLE;
	o->dir = "/etc/audit";
	while ((ch = getopt_long(argc, argv, "flns:c:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'f':
			o->foreground = true;
			break;
		case 'l':
			o->symlinks = true;
			break;
		case 'n':
			o->nofork = true;
			break;
		case 's':
			o->enable_arg = optarg;
			for (i = 0; i < n; i++)
				if (strncmp(optarg, startup_states[i].name,
				    strlen(optarg)) == 0)
					break;
			if (i == n) {
				fprintf(stderr, "unknown startup mode '%s'\n",
				    optarg);
				usage();
			}
			o->enable = startup_states[i].v;
			break;
		case 'c':
			o->dir = optarg;
			break;
		case 'H':
			help();
		case 'V':
			printf("ringauditd %s\n", RA_VERSION);
			exit(fflush(stdout) == 0 ? 0 : EXIT_INIT);
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/*
 * The name syslog gets: the one the daemon was started by.  Installed in
 * auditd's place it runs through a link called "auditd" (README, "Drop-in
 * for auditd"), and its lines carry auditd's name, as the admin's filters
 * (journalctl -t auditd, rsyslog's programname, logwatch's service)
 * expect; run as ringauditd, beside auditd, they carry its own.
 */
static const char *
syslog_ident(const char *argv0)
{
	const char *slash = argv0 != NULL ? strrchr(argv0, '/') : NULL;

	if (argv0 == NULL || argv0[0] == '\0')
		return "ringauditd";
	return slash != NULL && slash[1] != '\0' ? slash + 1 : argv0;
}

/* auditd runs for root, or for whoever has CAP_AUDIT_CONTROL. */
static bool
may_run(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct c[2];

	if (geteuid() == 0)
		return true;
	if (syscall(SYS_capget, &h, c) < 0)
		return false;
	return (c[CAP_AUDIT_CONTROL / 32].effective &
	    (1u << (CAP_AUDIT_CONTROL % 32))) != 0;
}

/*
 * Fork into the background.  The parent waits for the child to say how
 * its start went (one byte, an exit code) and exits with it, so that init
 * scripts see a failed start.
 */
static int
daemonize(void)
{
	int fds[2], devnull;
	unsigned char code = EXIT_INIT;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &code, 1) != 1)
			code = EXIT_INIT;
		_exit(code);
	}
	close(fds[0]);
	if (setsid() < 0)
		return -errno;
	if (chdir("/") < 0)
		return -errno;
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		if (devnull > STDERR_FILENO)
			close(devnull);
	}
	return fds[1];
}

static void
report_start(int fd, int code)
{
	unsigned char c = (unsigned char)code;

	if (fd < 0)
		return;
	if (write(fd, &c, 1) < 0) {
		/* the parent is gone; nothing to tell */
	}
	close(fd);
}

/*
 * The stop, in the admin's words: how many records went where, and
 * whether any were lost.  The pipeline's own figures (waits, sleeps,
 * latency) are for the debug level, the state report and the metrics.
 */
static void
log_summary(struct pl *p, enum wr_output out, const char *path)
{
	struct pl_stats st;
	unsigned long long lost;
	char where[PATH_MAX + 16];

	pl_get_stats(p, &st);
	lost = (unsigned long long)(st.wr.dropped + st.in.lost);
	if (out == WR_OUT_FILE)
		snprintf(where, sizeof(where), "to %s", path);
	else
		snprintf(where, sizeof(where), "to standard output");
	if (out == WR_OUT_DISCARD)
		log_info("ringauditd took %llu records; write_logs = no: none "
		    "were written to a log",
		    (unsigned long long)(st.wr.records - st.wr.skipped));
	else if (lost == 0 && st.in.enobufs == 0)
		log_info("ringauditd wrote %llu record%s %s; none were lost",
		    (unsigned long long)st.wr.written,
		    st.wr.written == 1 ? "" : "s", where);
	else
		log_warnx("ringauditd wrote %llu record%s %s; %llu %s lost "
		    "(not written: logging suspended or a write failed, or "
		    "dropped by the kernel)%s",
		    (unsigned long long)st.wr.written,
		    st.wr.written == 1 ? "" : "s", where, lost,
		    lost == 1 ? "was" : "were",
		    st.in.enobufs > 0 ? ", and the kernel overran the audit "
		    "socket: records it sent may be missing" : "");
	if (st.in.left_in_kernel > 0)
		log_warnx("ringauditd: %llu records were still queued in the "
		    "kernel when it stopped waiting",
		    (unsigned long long)st.in.left_in_kernel);
	log_debug("ringauditd: %llu records received (%llu daemon), %llu "
	    "written, %llu durable, %llu dropped, %llu unformattable; waits: "
	    "pool %llu, worker rings %llu, writer rings %llu; sleeps: "
	    "workers %llu, writer woken %llu times; socket: %llu ENOBUFS, "
	    "%llu errors, %llu multicast records lost; receive->written "
	    "p50 %llu us p99 %llu us",
	    (unsigned long long)st.in.received,
	    (unsigned long long)st.in.injected,
	    (unsigned long long)st.wr.written,
	    (unsigned long long)st.wr.durable,
	    (unsigned long long)st.wr.dropped,
	    (unsigned long long)st.format_errors,
	    (unsigned long long)st.in.pool_waits,
	    (unsigned long long)st.in.ring_waits,
	    (unsigned long long)st.worker_ring_waits,
	    (unsigned long long)st.worker_sleeps,
	    (unsigned long long)st.writer_wakes,
	    (unsigned long long)st.in.enobufs,
	    (unsigned long long)st.in.sock_errors,
	    (unsigned long long)st.in.lost,
	    (unsigned long long)hist_quantile(&st.wr.lat_written, 0.5) / 1000,
	    (unsigned long long)hist_quantile(&st.wr.lat_written, 0.99) / 1000);
}

/*
 * auditd's start line, which logwatch ("Init complete, auditd [0-9,.]+
 * listening for events") and the usual rules look for, with the version
 * whose behaviour ringauditd keeps (that of DAEMON_START's ver=); what
 * is really running follows on the same line.
 */
static void
log_start(const struct opts *o, const struct cfg *c,
    const struct pl_config *pc, bool multicast)
{
	const char *state = "enable";
	size_t i;

	for (i = 0; i < sizeof(startup_states) / sizeof(startup_states[0]);
	    i++)
		if (startup_states[i].v == o->enable)
			state = startup_states[i].name;
	log_notice("Init complete, auditd %s listening for events (startup "
	    "state %s) - ringauditd %s %s%s: %u worker%s, %u records, flush %s",
	    PL_AUDITD_COMPAT, state, RA_VERSION, !c->local_events ?
	    "for remote clients only" : multicast ? "beside the audit "
	    "daemon (multicast)" : "as the audit daemon",
	    c->tcp_listen_port > 0 && c->local_events ?
	    " and for remote clients" : "", pc->workers,
	    pc->workers == 1 ? "" : "s", pc->records,
	    cfg_flush_name(c->flush));
}

static uint64_t
mono_sec(void)
{
	return clock_mono_ns() / 1000000000u;
}

/* ringauditd.conf's name_cache_refresh: ENRICHED's names, looked up again
 * every so often (and on every SIGHUP). */
/* Seconds until a task due every PERIOD s (0: never) that last ran at
 * LAST; -1: never. */
static int64_t
due_in(uint64_t now, uint64_t last, unsigned period)
{
	if (period == 0)
		return -1;
	return now - last >= period ? 0 : (int64_t)(last + period - now);
}

/*
 * The control thread's timed tasks, run when due: the name cache's
 * refresh (name_cache_refresh) and the metrics file (metrics_interval).
 * Returns the milliseconds until the next (-1: none), so that an idle
 * daemon sleeps until then, not a second at a time.
 */
static int
run_timed(struct dmn *d, uint64_t *refreshed, uint64_t *metrics)
{
	uint64_t now = mono_sec();
	int64_t names = due_in(now, *refreshed, d->cfg->name_cache_refresh);
	int64_t mfile = d->cfg->metrics_file[0] == '\0' ? -1 :
	    due_in(now, *metrics, d->cfg->metrics_interval);
	int64_t next;
	int rc;

	if (names == 0) {
		*refreshed = now;
		pl_refresh_names(d->p);
		names = d->cfg->name_cache_refresh;
	}
	if (mfile == 0) {
		*metrics = now;
		rc = metrics_write(d, d->cfg->metrics_file);
		if (rc < 0 && !d->metrics_failed)
			log_warnx("Cannot write the metrics file %s: %s; "
			    "trying again every %u s", d->cfg->metrics_file,
			    strerror(-rc), d->cfg->metrics_interval);
		d->metrics_failed = rc < 0;
		mfile = d->cfg->metrics_interval;
	}
	next = names < 0 || (mfile >= 0 && mfile < names) ? mfile : names;
	return next < 0 ? -1 : (int)(next * 1000);
}

/* The pipeline's feed_help: the dispatcher's round on ingest's thread. */
static void
feed_help(void *disp)
{
	disp_help(disp);
}

static void
control_loop(struct dmn *d, int sfd)
{
	struct pollfd pfd[4] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = pl_event_fd(d->p), .events = POLLIN },
		{ .fd = disp_event_fd(d->disp), .events = POLLIN },
		{ .fd = d->ctl_fd, .events = POLLIN },	/* -1: none */
	};
	uint64_t refreshed = mono_sec(), metrics = 0;

	for (;;) {
		struct signalfd_siginfo si;

		if (poll(pfd, 4, run_timed(d, &refreshed, &metrics)) <= 0)
			continue;
		if (pfd[1].revents & POLLIN)
			dmn_writer_events(d);
		if (pfd[2].revents & POLLIN)
			dmn_disp_events(d);
		if (pfd[3].revents & POLLIN)
			ctl_serve(d);
		if (!(pfd[0].revents & POLLIN))
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (dmn_signal(d, &si))
			return;
	}
}

int
main(int argc, char **argv)
{
	static struct cfg cfg;
	static struct dmn d;
	struct opts o = { 0 };
	struct pl_config pc;
	struct pl *p = NULL;
	struct disp *disp = NULL;
	struct disp_config dc;
	struct utsname un;
	struct parse_opts popts;
	char err[1024], text[1024], pidfile[PATH_MAX];
	const char *ident;
	bool multicast;
	sigset_t sigs;
	int rc, sfd, report = -1;

	parse_args(argc, argv, &o);
	ident = syslog_ident(argv[0]);
	log_init(ident, true, !o.foreground);
	if (!may_run()) {
		log_warnx("You must be root or have capabilities to run this "
		    "program.");
		return EXIT_PRIV;
	}
	cfg_defaults(&cfg);
	rc = cfg_load(&cfg, o.dir, o.symlinks, err, sizeof(err));
	for (unsigned i = 0; i < cfg.n_warn; i++)
		log_warnx("%s", cfg.warn[i]);
	if (rc < 0) {
		log_err("%s", err);
		log_info("The audit daemon is exiting.");
		return EXIT_CONFIG;
	}
	multicast = cfg.ingest == CFG_INGEST_MULTICAST;
	if (multicast && o.enable_arg != NULL &&
	    o.enable != INGEST_NOCHANGE)
		log_warnx("-s %s is ignored: with ingest = multicast, "
		    "ringauditd does not change the kernel's audit settings",
		    o.enable_arg);
	/* As auditd: nice(-priority_boost), exit 1 if it fails. */
	errno = 0;
	d.nice_base = getpriority(PRIO_PROCESS, 0);
	if (d.nice_base == -1 && errno != 0)
		d.nice_base = 0;
	if (cfg.priority_boost > 0 &&
	    (rc = dmn_priority(d.nice_base, cfg.priority_boost)) < 0) {
		log_warnx("Cannot change priority (%s)", strerror(-rc));
		return EXIT_INIT;
	}
	/* auditd exits 1 when it cannot make the node name (resolve_node
	 * says why). */
	if (dmn_node(&d, &cfg, &popts) < 0)
		return EXIT_INIT;
	/* libaudit's record type, syscall and machine names, once, before
	 * any worker. */
	{
		uint64_t t0 = clock_mono_ns();

		if ((rc = parse_init()) < 0)
			fatalx("Cannot build the name tables from libaudit: "
			    "%s", strerror(-rc));
		log_debug("name tables from libaudit: %llu us",
		    (unsigned long long)(clock_mono_ns() - t0) / 1000);
	}

	if (!o.foreground && !o.nofork) {
		report = daemonize();
		if (report < 0) {
			log_warnx("Cannot daemonize (%s)", strerror(-report));
			return EXIT_INIT;
		}
		log_init(ident, false, true);
	}

	/* Every thread inherits this mask; only the signalfd sees them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGUSR2);
	sigaddset(&sigs, SIGCONT);
	sigaddset(&sigs, SIGCHLD);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0)
		fatal("signalfd");

	pl_config_defaults(&pc);
	pc.source = !cfg.local_events ? INGEST_NONE : multicast ?
	    INGEST_MULTICAST : INGEST_NETLINK;
	pc.enable = pc.source != INGEST_NETLINK ? INGEST_NOCHANGE : o.enable;
	pc.messages = cfg.tcp_listen_port > 0 ? cfg.tcp_messages : 0;
	pc.feed_remote = cfg.distribute_network;
	pc.ack_durable = cfg.remote_ack == CFG_ACK_DURABLE;
	pc.rcvbuf = cfg.netlink_rcvbuf;
	pc.drain_timeout_ms = cfg.drain_timeout_ms;
	pc.gather_ms = dmn_gather_ms(&cfg);
	pc.inline_work = cfg.inline_work != 0;
	/* The stage threads' policy, as they start (at start only). */
	thread_batch(cfg.scheduler == CFG_SCHED_BATCH);
	pc.workers = cfg.workers;
	pc.records = cfg.records;
	pc.ring_size = cfg.ring_size;
	pc.batch_bytes = cfg.write_batch < 2 * RING_REC_SIZE ?
	    2 * RING_REC_SIZE : cfg.write_batch;
	pc.format = popts.format;
	pc.node = popts.node;
	pc.name_cache_entries = cfg.name_cache_entries;
	pc.log_path = cfg.log_file;
	pc.log_group = cfg.log_group;
	dmn_wr_params(&cfg, &pc.wr);
	if (o.foreground) {
		/* auditd -f: records go to stdout, not to the log. */
		pc.output = WR_OUT_FD;
		pc.out_fd = STDOUT_FILENO;
	} else if (!cfg.write_logs) {
		pc.output = WR_OUT_DISCARD;
	}
	d.writes_file = pc.output == WR_OUT_FILE;
	dmn_disp_config(&cfg, &dc);
	dc.keep_stdio = o.foreground;
	if ((rc = disp_create(&disp, &dc)) < 0) {
		log_warnx("Cannot start the plugin dispatcher (%s)",
		    strerror(-rc));
		report_start(report, EXIT_INIT);
		return EXIT_INIT;
	}
	pc.feed = disp_feed(disp);
	pc.feed_help = feed_help;
	pc.feed_help_arg = disp;
	rc = pl_create(&p, &pc);
	if (rc == -EBUSY) {
		log_warnx("Cannot open %s: another audit daemon (ringauditd) "
		    "is writing it", cfg.log_file);
		disp_destroy(disp);
		report_start(report, EXIT_INIT);
		return EXIT_INIT;
	}
	if (rc < 0) {
		log_warnx("Cannot start the record pipeline (%s%s%s)",
		    pc.output == WR_OUT_FILE ? cfg.log_file : "",
		    pc.output == WR_OUT_FILE ? ": " : "", strerror(-rc));
		disp_destroy(disp);
		report_start(report, EXIT_INIT);
		return EXIT_INIT;
	}

	d.cfg = &cfg;
	d.dir = o.dir;
	d.symlinks = o.symlinks;
	d.p = p;
	d.disp = disp;
	d.multicast = multicast || !cfg.local_events;
	d.auid = dmn_proc_u32(0, "loginuid");
	d.ses = dmn_proc_u32(0, "sessionid");
	uname(&un);
	snprintf(text, sizeof(text), "op=start ver=%s format=%s kernel=%s "
	    "auid=%u pid=%d uid=%u ses=%u res=success", PL_AUDITD_COMPAT,
	    cfg.log_format == CFG_LOG_FORMAT_ENRICHED ? "enriched" : "raw",
	    un.release, d.auid, (int)getpid(), (unsigned)getuid(), d.ses);
	/* The listener is bound before anything is logged: a port that
	 * cannot be had stops the daemon here.  A KRB5 key or credential
	 * refused is, as auditd, DAEMON_START, DAEMON_ABORT and DAEMON_END
	 * in the log (auditd then exits 0; ringauditd says it failed). */
	if ((rc = dmn_net_create(&d, &cfg)) < 0) {
		if (rc == -EKEYREJECTED &&
		    pl_append(p, AUDIT_DAEMON_START, text) == 0) {
			snprintf(text, sizeof(text), "op=network-init "
			    "auid=%u pid=%d uid=%u ses=%u res=failed", d.auid,
			    (int)getpid(), (unsigned)getuid(), d.ses);
			pl_append(p, AUDIT_DAEMON_ABORT, text);
			/* auditd's DAEMON_END names whichever sender the
			 * kernel last recorded; no signal came: the daemon
			 * ends itself. */
			snprintf(text, sizeof(text), "op=terminate auid=%u "
			    "uid=%u ses=%u pid=%d res=success", d.auid,
			    (unsigned)getuid(), d.ses, (int)getpid());
			pl_append(p, AUDIT_DAEMON_END, text);
		}
		disp_destroy(disp);
		pl_destroy(p);
		report_start(report, EXIT_INIT);
		log_info("The audit daemon is exiting.");
		return EXIT_INIT;
	}
	/* Plugins start first, so that they get DAEMON_START too. */
	if ((rc = disp_start(disp)) < 0)
		log_warnx("Cannot start the plugin dispatcher (%s); no plugin "
		    "will get events", strerror(-rc));
	pl_inject(p, AUDIT_DAEMON_START, RING_CMD_NONE, text);

	rc = pl_start(p);
	if (rc < 0 && multicast) {
		/* auditd has no such mode, hence no record for it: no
		 * DAEMON_ABORT op=set-pid, for no pid was set. */
		log_warnx("Cannot join the kernel's audit multicast group "
		    "(%s%s)", strerror(-rc), rc == -EPERM ?
		    "; it needs CAP_AUDIT_READ" : "");
		pl_stop(p, 0, NULL);
		pl_wait(p);
		disp_destroy(disp);
		dmn_net_destroy(&d);
		pl_destroy(p);
		report_start(report, EXIT_INIT);
		log_info("The audit daemon is exiting.");
		return EXIT_INIT;
	}
	if (rc < 0) {
		/* auditd's two lines (libaudit's warning, then its own). */
		log_warnx("Error setting audit daemon pid (%s)%s",
		    strerror(-rc), rc == -EEXIST ? ": another audit daemon "
		    "is running" : "");
		log_err("Unable to set audit pid, exiting");
		pl_stop(p, 0, NULL);
		pl_wait(p);
		/* As auditd: DAEMON_START and DAEMON_ABORT in its log, but
		 * appended, for another daemon may be writing it. */
		if (pl_append(p, AUDIT_DAEMON_START, text) == 0) {
			snprintf(text, sizeof(text), "op=set-pid auid=%u "
			    "pid=%d uid=%u ses=%u res=failed", d.auid,
			    (int)getpid(), (unsigned)getuid(), d.ses);
			pl_append(p, AUDIT_DAEMON_ABORT, text);
		}
		disp_destroy(disp);
		dmn_net_destroy(&d);
		pl_destroy(p);
		report_start(report, EXIT_INIT);
		log_info("The audit daemon is exiting.");
		return EXIT_INIT;
	}
	/* As auditd: the pid file exists once the daemon is registered.
	 * The one written is the one removed, whatever SIGHUP says. */
	snprintf(pidfile, sizeof(pidfile), "%s", cfg_pid_file(&cfg));
	if ((rc = files_pid_write(pidfile)) < 0)
		log_warnx("Cannot write the pid file %s: %s", pidfile,
		    strerror(-rc));
	d.started = time(NULL);
	ctl_open(&d, cfg.control_socket);
	report_start(report, 0);
	log_start(&o, &cfg, &pc, multicast);
	dmn_net_start(&d);

	control_loop(&d, sfd);
	ctl_close(&d, cfg.control_socket);
	/* Clients first: their DAEMON_CLOSEs come before DAEMON_END. */
	dmn_net_stop(&d);

	dmn_end_text(&d, text, sizeof(text));
	pl_stop(p, AUDIT_DAEMON_END, text);
	pl_wait(p);
	/* The log is complete: plugins get what their queues hold. */
	disp_stop(disp);
	log_summary(p, pc.output, cfg.log_file);
	/* The last figures stay for the collector to read. */
	if (cfg.metrics_file[0] != '\0' &&
	    (rc = metrics_write(&d, cfg.metrics_file)) < 0)
		log_warnx("Cannot write the metrics file %s: %s",
		    cfg.metrics_file, strerror(-rc));
	disp_destroy(disp);
	dmn_net_destroy(&d);
	pl_destroy(p);
	files_pid_remove(pidfile);
	/* auditd removes its state report when it stops. */
	unlink(cfg.state_file);
	log_info("The audit daemon is exiting.");
	return 0;
}
