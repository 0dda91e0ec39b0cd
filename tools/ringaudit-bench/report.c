/*
 * report.c - the figures of each run: a table for people, JSON lines for
 * scripts (one object per run or sweep step, every figure in it), and a
 * PNG through gnuplot.
 *
 * gnuplot runs as a child process (posix_spawnp) on a script and a data
 * file written to a private temporary folder: rate against lost records
 * above, rate against the daemon's write throughput and its lag after the
 * generator stopped below.  A missing gnuplot is said plainly, naming the
 * Debian package.
 */
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

const char *
rb_verdict_name(enum rb_verdict v)
{
	switch (v) {
	case RB_OK:
		return "ok";
	case RB_LOST:
		return "lost";
	case RB_UNWRITTEN:
		return "unwritten";
	case RB_SHORT:
		return "short";
	case RB_INTERRUPTED:
		return "interrupted";
	}
	return "?";
}

static double
cpu_us_per_event(const struct rb_result *r)
{
	return r->daemon_cpu_s >= 0 && r->written > 0 ?
	    r->daemon_cpu_s * 1e6 / (double)r->written : -1;
}

void
rb_report_head(FILE *f, const struct rb_report_info *in)
{
	fprintf(f, "daemon  %s (pid %d, %s)%s\n", in->daemon_comm,
	    (int)in->measured_pid, in->daemon_exe,
	    in->log == NULL ? ": the drain child (--drain)" :
	    in->measured_pid != in->daemon_pid ? ", by --pid" : "");
	if (in->log != NULL)
		fprintf(f, "log     %s\n", in->log);
	fprintf(f, "rule    -a exit,always -F arch=b64 -S %s -F pid=%d "
	    "-k %s\n", rb_k_syscall_name, (int)in->tool_pid, in->key);
	fprintf(f, "kernel  failure %u, rate_limit %u%s%s\n", in->failure,
	    in->rate_limit, in->rate_limit != 0 ?
	    " (records over the rate limit count as lost)" : "",
	    in->enabled_for_run ? ", audit enabled for the run (was 0)" : "");
	fprintf(f, "\n%4s %9s %10s %10s %10s %8s %8s %7s %8s %9s %8s %9s %7s "
	    "%s\n", "step", "rate/s", "achieved/s", "generated", "written",
	    "lost", "backlog", "cpu_s", "us/event", "rss_MiB", "written_s",
	    "written/s", "lag_s", "verdict");
}

void
rb_report_row(FILE *f, const struct rb_result *r)
{
	char rate[16], cpu[16], per[16], rss[16];
	double us = cpu_us_per_event(r);

	if (r->rate_req > 0)
		snprintf(rate, sizeof(rate), "%.0f", r->rate_req);
	else
		snprintf(rate, sizeof(rate), "max");
	snprintf(cpu, sizeof(cpu), r->daemon_cpu_s >= 0 ? "%.2f" : "-",
	    r->daemon_cpu_s);
	snprintf(per, sizeof(per), us >= 0 ? "%.2f" : "-", us);
	snprintf(rss, sizeof(rss), r->rss_peak_kb > 0 ? "%.1f" : "-",
	    (double)r->rss_peak_kb / 1024.0);
	fprintf(f, "%4u %9s %10.0f %10llu %10llu %8u %8u %7s %8s %9s %8.3f "
	    "%9.0f %7.3f %s\n", r->step, rate, r->achieved,
	    (unsigned long long)r->generated, (unsigned long long)r->written,
	    r->lost, r->peak_backlog, cpu, per, rss, r->written_s,
	    r->written_s > 0 ? (double)r->written / r->written_s : 0,
	    r->lag_s, rb_verdict_name(r->verdict));
	fflush(f);
}

static void
json_str(FILE *f, const char *name, const char *s)
{
	fprintf(f, "\"%s\":", name);
	if (s == NULL) {
		fputs("null,", f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputs("\",", f);
}

void
rb_report_json(FILE *f, const struct rb_report_info *in,
    const struct rb_result *r)
{
	double us = cpu_us_per_event(r);

	fputc('{', f);
	json_str(f, "mode", r->mode);
	fprintf(f, "\"step\":%u,", r->step);
	json_str(f, "key", in->key);
	fprintf(f, "\"tool_pid\":%d,\"daemon_pid\":%d,\"measured_pid\":%d,",
	    (int)in->tool_pid, (int)in->daemon_pid, (int)in->measured_pid);
	json_str(f, "daemon_comm", in->daemon_comm);
	json_str(f, "daemon_exe", in->daemon_exe);
	json_str(f, "log", in->log);
	json_str(f, "syscall", rb_k_syscall_name);
	fprintf(f, "\"threads\":%u,", r->threads);
	if (r->rate_req > 0)
		fprintf(f, "\"rate_requested\":%.0f,", r->rate_req);
	else
		fputs("\"rate_requested\":null,", f);
	fprintf(f, "\"generated\":%llu,\"gen_seconds\":%.6f,"
	    "\"achieved_rate\":%.1f,\"written\":%llu,\"duplicates\":%llu,"
	    "\"stale\":%llu,", (unsigned long long)r->generated, r->gen_s,
	    r->achieved, (unsigned long long)r->written,
	    (unsigned long long)r->dups, (unsigned long long)r->stale);
	if (in->log == NULL)
		fprintf(f, "\"records_received\":%llu,",
		    (unsigned long long)r->records);
	fprintf(f, "\"lost\":%u,\"peak_backlog\":%u,\"backlog_limit\":%u,"
	    "\"backlog_wait_time\":%u,", r->lost, r->peak_backlog,
	    r->backlog_limit, r->backlog_wait_time);
	if (r->has_wait_actual)
		fprintf(f, "\"backlog_wait_time_actual\":%u,", r->wait_actual);
	else
		fputs("\"backlog_wait_time_actual\":null,", f);
	if (r->daemon_cpu_s >= 0)
		fprintf(f, "\"daemon_cpu_seconds\":%.3f,", r->daemon_cpu_s);
	else
		fputs("\"daemon_cpu_seconds\":null,", f);
	if (us >= 0)
		fprintf(f, "\"cpu_us_per_event\":%.3f,", us);
	else
		fputs("\"cpu_us_per_event\":null,", f);
	fprintf(f, "\"rss_peak_kb\":%llu,\"vm_hwm_kb\":%llu,"
	    "\"settled\":%s,\"written_seconds\":%.3f,\"written_rate\":%.1f,"
	    "\"lag_seconds\":%.3f,\"failure\":%u,\"rate_limit\":%u,"
	    "\"enabled_for_run\":%s,",
	    (unsigned long long)r->rss_peak_kb, (unsigned long long)r->hwm_kb,
	    r->settled ? "true" : "false", r->written_s,
	    r->written_s > 0 ? (double)r->written / r->written_s : 0,
	    r->lag_s, in->failure, in->rate_limit,
	    in->enabled_for_run ? "true" : "false");
	fprintf(f, "\"verdict\":\"%s\"}\n", rb_verdict_name(r->verdict));
	fflush(f);
}

static bool
find_in_path(const char *prog)
{
	const char *path = getenv("PATH"), *p, *e;
	char full[PATH_MAX];

	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchrnul(p, ':');
		snprintf(full, sizeof(full), "%.*s/%s", (int)(e - p), p, prog);
		if (access(full, X_OK) == 0)
			return true;
	}
	return false;
}

bool
rb_plot_available(void)
{
	return find_in_path("gnuplot");
}

static int
cmp_rate(const void *a, const void *b)
{
	const struct rb_result *x = *(const struct rb_result *const *)a;
	const struct rb_result *y = *(const struct rb_result *const *)b;

	return (x->achieved > y->achieved) - (x->achieved < y->achieved);
}

static void
plot_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputc('\'', f);	/* gnuplot: '' inside '...' */
		fputc(*s, f);
	}
	fputc('\'', f);
}

int
rb_plot(const char *png, const struct rb_report_info *in,
    const struct rb_result *rs, size_t n)
{
	char dir[] = "/tmp/ringaudit-bench-XXXXXX", data[64], script[64];
	const struct rb_result **sorted = NULL;
	char *argv[] = { "gnuplot", script, NULL };
	pid_t pid;
	FILE *f;
	bool any_lost = false, any_lag = false;
	size_t i;
	int rc = 0, status;

	if (mkdtemp(dir) == NULL)
		return -errno;
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(script, sizeof(script), "%s/plot.gp", dir);
	sorted = calloc(n, sizeof(*sorted));
	if (sorted == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		sorted[i] = &rs[i];
	qsort(sorted, n, sizeof(*sorted), cmp_rate);
	if ((f = fopen(data, "we")) == NULL) {
		rc = -errno;
		goto out;
	}
	fprintf(f, "# achieved lost written_rate lag_ms generated written\n");
	for (i = 0; i < n; i++) {
		const struct rb_result *r = sorted[i];

		fprintf(f, "%.1f %u %.1f %.1f %llu %llu\n", r->achieved,
		    r->lost, r->written_s > 0 ?
		    (double)r->written / r->written_s : 0, r->lag_s * 1000,
		    (unsigned long long)r->generated,
		    (unsigned long long)r->written);
	}
	fclose(f);
	if ((f = fopen(script, "we")) == NULL) {
		rc = -errno;
		goto out;
	}
	fputs("set terminal pngcairo size 1000,900 noenhanced\nset output ", f);
	plot_quote(f, png);
	fprintf(f, "\nset multiplot layout 2,1 title \"ringaudit-bench: %s "
	    "(pid %d), backlog_limit %u, backlog_wait_time %u\"\n"
	    "set grid\nset key left top\nset xlabel 'generator rate "
	    "(events/s, achieved)'\n", in->daemon_comm, (int)in->measured_pid,
	    n > 0 ? rs[0].backlog_limit : 0,
	    n > 0 ? rs[0].backlog_wait_time : 0);
	/* All zero (nothing lost, no lag) is a flat line at 0, not an
	 * empty range gnuplot warns about. */
	for (i = 0; i < n; i++) {
		any_lost |= rs[i].lost > 0;
		any_lag |= rs[i].lag_s > 0;
	}
	fprintf(f, "set yrange [0:%s]\n", any_lost ? "*" : "1");
	fprintf(f, "set ylabel 'lost records (kernel)'\n"
	    "plot '%s' using 1:2 with linespoints pt 7 title 'lost'\n", data);
	fprintf(f, "set ylabel 'written by the daemon (events/s)'\n"
	    "set y2label 'lag after the generator stopped (ms)'\n"
	    "set ytics nomirror\nset y2tics\nset yrange [0:*]\n"
	    "set y2range [0:%s]\n"
	    "plot '%s' using 1:3 axes x1y1 with linespoints pt 7 "
	    "title 'written/s', '' using 1:4 axes x1y2 with linespoints "
	    "pt 5 title 'lag (ms)'\nunset multiplot\n", any_lag ? "*" : "1",
	    data);
	fclose(f);
	rc = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
	if (rc != 0) {
		rc = -rc;
		goto out;
	}
	if (waitpid(pid, &status, 0) < 0) {
		rc = -errno;
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = -ECHILD;
out:
	free(sorted);
	unlink(data);
	unlink(script);
	rmdir(dir);
	return rc;
}
