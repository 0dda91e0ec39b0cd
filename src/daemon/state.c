/*
 * state.c - the state report SIGCONT asks for.
 *
 * The report has auditd's lines first, in auditd's words, so that what
 * reads auditd's report reads this one; ringauditd's own counters follow
 * (metrics.c).  It is written as files.c writes every file the daemon
 * leaves for others: whole, never half, and never through a name another
 * user planted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/daemon.h"

#define KIB 1024ull
#define MIB (1024ull * 1024ull)

static const char *
yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* auditd's lines, in its words and units (KB and MB are KiB and MiB). */
static void
report_auditd(FILE *f, struct dmn *d, const struct wr_state *ws)
{
	struct disp_stats ds;
	const struct cfg *c = d->cfg;
	char now[64];
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(now, sizeof(now), "%x %X", &tm);
	errno = 0;
	fprintf(f, "audit version = %s\n", PL_AUDITD_COMPAT);
	fprintf(f, "current time = %s\n", now);
	fprintf(f, "process priority = %d\n", getpriority(PRIO_PROCESS, 0));
	fprintf(f, "writing to logs = %s\n", yes_no(c->write_logs));
	if (c->write_logs) {
		fprintf(f, "current log size = %llu KB\n",
		    (unsigned long long)ws->log_size / KIB);
		fprintf(f, "max log size = %llu KB\n",
		    (unsigned long long)c->max_log_file * KIB);
		fprintf(f, "logs detected last rotate/shift = %u\n",
		    ws->logs_found);
		fprintf(f, "space left on partition = %s\n",
		    yes_no(!ws->no_space));
		/* auditd closes a suspended log: no partition to speak of. */
		if (!ws->suspended) {
			fprintf(f, "Logging partition free space %llu MB\n",
			    (unsigned long long)ws->avail / MIB);
			fprintf(f, "space_left setting %llu MB\n",
			    (unsigned long long)ws->space_left_bytes / MIB);
			fprintf(f, "admin_space_left setting %llu MB\n",
			    (unsigned long long)ws->admin_space_left_bytes /
			    MIB);
		}
		fprintf(f, "logging suspended = %s\n", yes_no(ws->suspended));
		fprintf(f, "file system space action performed = %s\n",
		    yes_no(ws->space_left_hit));
		fprintf(f, "admin space action performed = %s\n",
		    yes_no(ws->admin_space_left_hit));
		fprintf(f, "disk error detected = %s\n",
		    yes_no(ws->disk_error));
	}
	memset(&ds, 0, sizeof(ds));
	ds.q_depth = (unsigned)c->q_depth;
	if (d->disp != NULL)
		disp_get_stats(d->disp, &ds, NULL, 0);
	/* auditd has one queue; each plugin has one here: the deepest. */
	fprintf(f, "Number of active plugins = %u\n", ds.active);
	fprintf(f, "current plugin queue depth = %u\n", ds.depth);
	fprintf(f, "max plugin queue depth used = %u\n", ds.high);
	fprintf(f, "plugin queue size = %u\n", ds.q_depth);
	fprintf(f, "plugin queue overflow detected = %s\n",
	    yes_no(ds.overflowed));
	fprintf(f, "plugin queueing suspended = %s\n", yes_no(ds.suspended));
	fprintf(f, "listening for network connections = %s\n",
	    yes_no(d->net != NULL));
	if (d->net != NULL) {
		struct net_stats ns;

		net_get_stats(d->net, &ns);
		fprintf(f, "active connections = %llu\n",
		    (unsigned long long)ns.active);
		fprintf(f, "total connections = %llu\n",
		    (unsigned long long)ns.accepted);
	}
}

static void
report(FILE *f, struct dmn *d)
{
	struct metrics_in in;

	metrics_gather(d, &in);
	report_auditd(f, d, &in.ws);
	fprintf(f, "\n# ringauditd\n");
	metrics_report(f, d, &in);
	metrics_plugins(f, d, false);
}

int
state_report(struct dmn *d)
{
	return files_write(d->cfg->state_file, 0640, report, d);
}
