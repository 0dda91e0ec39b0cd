/*
 * cli.c - ringaudit-bench's command line: every option, its default,
 * --help and --version.  A bad value stops the tool before it touches
 * anything, with exit 2 and a message naming the option and the value.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "fleet.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: " RB_NAME " [--rate N[,N...]|max | --sweep LO:HI] [--drain]\n"
"           [--duration S | --count N] [--threads T] [--log PATH]\n"
"           [--pid PID] [--settle S] [--backlog-limit N|default]\n"
"           [--wait-time N|default] [--json] [--plot FILE.png] [--quiet]\n"
"       " RB_NAME " --remote HOST:PORT [--clients N] [--rate R[,R...]|max]\n"
"           [--window W[,W...]] [--duration S] [--size BYTES] [--tag TAG]\n"
"           [--server-pid PID] [--idle S] [--grace S] [--per-client FILE]\n"
"           [--json] [--quiet]\n"
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
"  -d, --duration S     seconds of load per run (default 5; sweep 2).  At\n"
"                       a fixed rate: rate x S events, however long they\n"
"                       take (at most 2 S + 1 seconds).\n"
"  -n, --count N        N events per run instead of a duration.\n"
"  -t, --threads T      generator threads (default 1).\n"
"\n"
"The daemon:\n"
"  -l, --log PATH       the daemon's log (default " RB_DEFAULT_LOG ");\n"
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
"  -V, --version        print the version and exit.\n"
"\n"
"Remote logging (--remote): N clients of a log server (ringauditd or\n"
"auditd with tcp_listen_port), as audisp-remote speaks to it; no root,\n"
"no kernel.  Client i connects from 127.0.0.1 + i (its own loopback\n"
"address: tcp_max_per_addr = 1 holds) when HOST is on the loopback.\n"
"  -R, --remote HOST:PORT  the server.\n"
"  -c, --clients N      connections (default 1; up to 65000); the\n"
"                       open-file limit is raised for them (to the hard\n"
"                       limit; past it with CAP_SYS_RESOURCE).\n"
"  -r, --rate R|max     records per second, all clients together, paced\n"
"                       and shared in turn; max: each client sends as\n"
"                       soon as its window has room (default max).\n"
"  -w, --window W       records out unanswered per client: 1 is\n"
"                       stop-and-wait, as audisp-remote (default); more\n"
"                       pipelines (at most 256).  A list of windows and a\n"
"                       list of rates make one run each (windows outer),\n"
"                       over the same connections.\n"
"  -d, --duration S     seconds of sending per run (default 5); then up\n"
"      --grace S        S seconds (default 5) for the replies owed.\n"
"      --size BYTES     a record's text, about (default 200, at most 990).\n"
"      --tag TAG        tag=TAG in each record (default bench), with\n"
"                       client=I seq=S: grep the server's log for it.\n"
"  -p, --server-pid PID the server, for its CPU and memory (default: the\n"
"                       process listening on PORT; none found: none shown).\n"
"      --idle S         after connecting, S seconds idle (default 2), then\n"
"                       the server's memory: per connection is (VmRSS idle\n"
"                       - VmRSS before connecting) / N.\n"
"      --per-client FILE  each client's sent, acked, lost and why it was\n"
"                       dropped, a line per client per run.\n"
"  A row per run: acked/s and per client (acks that came while sending,\n"
"  over --duration), send-to-ack latency p50, p99 and max (ms), drain_s\n"
"  (the end of sending to the last reply), lost (sent, never acked),\n"
"  clients with a loss, clients\n"
"  dropped (closed by the server, or no reply within --grace), the fewest\n"
"  acked of one client, the server's CPU (utime+stime, and per thread\n"
"  from /proc/PID/task/*/schedstat) per record acked, VmRSS and VmData.\n"
"  Verdict: ok (every record sent acked, no client dropped, and paced:\n"
"  95%% of the rate acked), lost, short.\n"
"\n"
"Exit: 0 done, 1 could not run (not root, no audit, a daemon or none\n"
"registered, a kernel setting refused) or could not restore a setting,\n"
"2 bad arguments; killed by a signal: the run was interrupted.\n"
"\n"
"Examples:\n"
"  " RB_NAME " --rate 20000 --duration 5\n"
"  " RB_NAME " --sweep 5000:200000 --plot sweep.png\n"
"  " RB_NAME " --drain --rate max --duration 3\n"
"  " RB_NAME " --rate 1000,10000,50000 --json --log /tmp/d/audit.log\n"
"  " RB_NAME " --remote 127.0.0.1:30000 --clients 1000 --window 1,16\n"
"  " RB_NAME " --remote 127.0.0.1:30000 --clients 10 --rate 20000\n");
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

/* Each comma-separated item of s, through one(o, opt, item); exit 2 on
 * none or more than max. */
static void
each_item(struct rb_opts *o, const char *opt, const char *s,
    const char *want, size_t max,
    void (*one)(struct rb_opts *, const char *, const char *, size_t))
{
	char buf[1024], *tok, *save;
	size_t n = 0;

	if (strlen(s) >= sizeof(buf))
		bad_arg(opt, s, want);
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			bad_arg(opt, s, "too many in the list");
		one(o, opt, tok, n++);
	}
	if (n == 0)
		bad_arg(opt, s, want);
}

static void
one_rate(struct rb_opts *o, const char *opt, const char *tok, size_t i)
{
	o->rates[i] = strcmp(tok, "max") == 0 ? 0 : parse_pos(opt, tok,
	    "a rate a second, or 'max'");
	o->nrates = i + 1;
}

static void
one_window(struct rb_opts *o, const char *opt, const char *tok, size_t i)
{
	o->windows[i] = (unsigned)parse_uint(opt, tok, RB_FLEET_MAX_WINDOW,
	    "records out per client, 1 to 256");
	if (o->windows[i] == 0)
		bad_arg(opt, tok, "records out per client, 1 to 256");
	o->nwindows = i + 1;
}

/* HOST:PORT, or [V6]:PORT. */
static void
parse_remote(struct rb_opts *o, const char *s)
{
	const char *want = "HOST:PORT";
	const char *colon = strrchr(s, ':'), *host = s;
	size_t hl;

	if (colon == NULL || colon[1] == '\0' ||
	    strlen(colon + 1) >= sizeof(o->remote_port))
		bad_arg("--remote", s, want);
	hl = (size_t)(colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		host++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(o->remote_host))
		bad_arg("--remote", s, want);
	memcpy(o->remote_host, host, hl);
	o->remote_host[hl] = '\0';
	(void)parse_uint("--remote", colon + 1, 65535, "HOST:PORT, a port "
	    "1 to 65535");
	strcpy(o->remote_port, colon + 1);
	o->remote = true;
}

void
rb_cli_parse(struct rb_opts *o, int argc, char **argv)
{
	enum { O_SETTLE = 256, O_DRAIN, O_LIMIT, O_WAIT, O_PLOT, O_RCVBUF,
	    O_STEPS, O_SIZE, O_TAG, O_IDLE, O_GRACE, O_PER_CLIENT };
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
		{ "version", no_argument, NULL, 'V' },
		{ "remote", required_argument, NULL, 'R' },
		{ "clients", required_argument, NULL, 'c' },
		{ "window", required_argument, NULL, 'w' },
		{ "size", required_argument, NULL, O_SIZE },
		{ "tag", required_argument, NULL, O_TAG },
		{ "server-pid", required_argument, NULL, 'p' },
		{ "idle", required_argument, NULL, O_IDLE },
		{ "grace", required_argument, NULL, O_GRACE },
		{ "per-client", required_argument, NULL, O_PER_CLIENT },
		{ NULL, 0, NULL, 0 },
	};
	bool rate_set = false;
	char *colon;
	int c;

	memset(o, 0, sizeof(*o));
	o->nrates = 1;			/* max */
	o->duration_s = 5;
	o->threads = 1;
	o->log = RB_DEFAULT_LOG;
	o->settle_s = 10;
	o->backlog_limit = 8192;
	o->wait_time = 0;
	o->rcvbuf = 64u << 20;
	o->sweep_steps = 10;
	o->clients = 1;
	o->windows[0] = 1;
	o->nwindows = 1;
	o->size = 200;
	o->tag = "bench";
	o->idle_s = 2;
	o->grace_s = 5;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:s:d:n:t:l:p:jqhVR:c:w:", lo,
	    NULL)) != -1) {
		switch (c) {
		case 'r':
			each_item(o, "--rate", optarg, "a rate in events per "
			    "second, 'max', or a list of them (1000,5000)",
			    RB_MAX_RATES, one_rate);
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
		case 'R':
			parse_remote(o, optarg);
			break;
		case 'c':
			o->clients = (unsigned)parse_uint("--clients", optarg,
			    65000, "a number of clients, 1 to 65000");
			if (o->clients == 0)
				bad_arg("--clients", optarg, "a number of "
				    "clients, 1 to 65000");
			break;
		case 'w':
			each_item(o, "--window", optarg, "records out per "
			    "client, 1 to 256, or a list of them (1,16)",
			    RB_MAX_WINDOWS, one_window);
			break;
		case O_SIZE:
			o->size = (unsigned)parse_uint("--size", optarg, 990,
			    "bytes, up to 990");
			break;
		case O_TAG:
			if (strpbrk(optarg, " \n=") != NULL || *optarg == '\0')
				bad_arg("--tag", optarg, "a word");
			o->tag = optarg;
			break;
		case O_IDLE:
			o->idle_s = parse_pos("--idle", optarg,
			    "seconds, above 0");
			break;
		case O_GRACE:
			o->grace_s = parse_pos("--grace", optarg,
			    "seconds, above 0");
			break;
		case O_PER_CLIENT:
			o->per_client = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf(RB_NAME " %s\n", RA_VERSION);
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
	if (o->remote && (o->sweep || o->drain || o->count > 0)) {
		fprintf(stderr, RB_NAME ": --remote: not with --sweep, "
		    "--drain or --count\n");
		exit(2);
	}
	if (o->sweep && !o->duration_set)
		o->duration_s = 2;
}
