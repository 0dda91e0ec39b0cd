/*
 * screen.c - one screen of ringaudit-top from two samples: 80 columns, at
 * most the terminal's rows (24 is enough for everything but a long list
 * of plugins, which is cut short with a count of the rest).
 *
 * Rates are the counters' differences over the samples' interval.  The
 * latency percentiles are the interval's, read from the histograms'
 * bucket differences: a percentile is shown as the bound it lies under
 * ("<=250us"), the resolution the fleet-wide buckets give.  A daemon that
 * restarted between the samples (another start time) shows no rates.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "top/top.h"

#define P "ringauditd_"

struct view {
	FILE *f;
	const struct top_sample *prev, *cur;
	unsigned rows, used;
};

static void
line(struct view *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
line(struct view *v, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (v->used >= v->rows)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	buf[80] = '\0';		/* never wider than the screen */
	fprintf(v->f, "%s\n", buf);
	v->used++;
}

static double
cur(const struct view *v, const char *name)
{
	return top_get(v->cur, name);
}

/* A counter's growth between the samples, or NAN without an earlier
 * sample (or one that went back). */
static double
delta(const struct view *v, const char *name)
{
	double a, b;

	if (v->prev == NULL)
		return NAN;
	a = top_get(v->prev, name);
	b = top_get(v->cur, name);
	return isnan(a) || isnan(b) || b < a ? NAN : b - a;
}

/* The same a second. */
static double
rate(const struct view *v, const char *name)
{
	double dt = v->prev != NULL ? v->cur->t - v->prev->t : 0;

	return dt > 0 ? delta(v, name) / dt : NAN;
}

/* 1234567 -> "1,234,567"; NAN -> "-". */
static const char *
num(char *buf, size_t len, double x)
{
	char digits[32];
	size_t n, o = 0;

	if (isnan(x))
		return "-";
	snprintf(digits, sizeof(digits), "%.0f", x);
	n = strlen(digits);
	for (size_t i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

static const char *
bytes(char *buf, size_t len, double x)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned i = 0;

	if (isnan(x))
		return "-";
	while (x >= 1024 && i < 4) {
		x /= 1024;
		i++;
	}
	snprintf(buf, len, i == 0 ? "%.0f %s" : "%.1f %s", x, u[i]);
	return buf;
}

static const char *
secs(char *buf, size_t len, double s)
{
	if (isnan(s))
		return "-";
	if (s < 1e-3)
		snprintf(buf, len, "%.3gus", s * 1e6);
	else if (s < 1)
		snprintf(buf, len, "%.3gms", s * 1e3);
	else
		snprintf(buf, len, "%.3gs", s);
	return buf;
}

/* The interval's quantile q of histogram h: the first bound under which
 * q of the interval's samples lie; NAN if none came; +Inf past the last. */
static double
quantile(const struct view *v, const char *h, double q)
{
	char name[TOP_NAME_MAX];
	double total, le;
	int i = -1;

	snprintf(name, sizeof(name), "%s_count", h);
	total = delta(v, name);
	if (isnan(total) || total == 0)
		return NAN;
	snprintf(name, sizeof(name), "%s_bucket{le=\"", h);
	while (top_next(v->cur, name, &i) >= 0) {
		const char *bound = v->cur->m[i].name + strlen(name);

		if (strncmp(bound, "+Inf", 4) == 0)
			return INFINITY;
		if (delta(v, v->cur->m[i].name) >= q * total &&
		    sscanf(bound, "%lf", &le) == 1)
			return le;
	}
	return NAN;
}

static void
counter_row(struct view *v, const char *label, const char *name)
{
	char a[40], b[40];
	double r = rate(v, name);
	const char *per = a;

	/* Below 100 a second with a decimal; above, grouped like totals. */
	if (!isnan(r) && r < 100)
		snprintf(a, sizeof(a), "%.1f", r);
	else
		per = num(a, sizeof(a), r);
	line(v, "  %-26s %18s %18s", label, per, num(b, sizeof(b),
	    cur(v, name)));
}

/* A percentile as the bound it lies under: "<=250us", ">10s", "-". */
static const char *
under(char *buf, size_t len, double s)
{
	char t[24];

	if (isnan(s))
		return "-";
	if (isinf(s))
		return ">10s";
	snprintf(buf, len, "<=%s", secs(t, sizeof(t), s));
	return buf;
}

static void
latency_row(struct view *v, const char *label, const char *h)
{
	char a[32], b[32], c[32], m[24], name[TOP_NAME_MAX];

	snprintf(name, sizeof(name), "%s_max", h);
	line(v, "  %-17s p50 %-9s p99 %-9s p99.9 %-9s max %s", label,
	    under(a, sizeof(a), quantile(v, h, 0.5)),
	    under(b, sizeof(b), quantile(v, h, 0.99)),
	    under(c, sizeof(c), quantile(v, h, 0.999)),
	    secs(m, sizeof(m), cur(v, name)));
}

static void
head(struct view *v, const char *path)
{
	char ver[40] = "?", up[40] = "-", clock[16];
	double start = cur(v, P "start_time_seconds");
	time_t t = time(NULL);
	struct tm tm;
	int i = -1;

	if (top_next(v->cur, P "build_info{version=\"", &i) >= 0)
		sscanf(v->cur->m[i].name + strlen(P "build_info{version=\""),
		    "%39[^\"]", ver);
	if (!isnan(start) && start <= (double)t) {
		long s = (long)((double)t - start);

		snprintf(up, sizeof(up), "%ldd %02ld:%02ld:%02ld", s / 86400,
		    s / 3600 % 24, s / 60 % 60, s % 60);
	}
	localtime_r(&t, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	line(v, "ringauditd %s, up %s, %s  %s", ver, up, path, clock);
	line(v, "logging %s%s%s   kernel: enabled %.0f, failure %.0f, %s",
	    cur(v, P "logging_suspended") > 0 ? "SUSPENDED" : "on",
	    cur(v, P "disk_full") > 0 ? ", DISK FULL" : "",
	    cur(v, P "disk_error") > 0 ? ", DISK ERROR" : "",
	    cur(v, P "kernel_enabled"), cur(v, P "kernel_failure"),
	    cur(v, P "kernel_status_up") != 1 ? "status unreadable" :
	    cur(v, P "kernel_registered") > 0 ? "sends to this daemon" :
	    "sends elsewhere");
}

static void
kernel_rows(struct view *v)
{
	char a[32], b[32], c[32], d[32];
	double bl = cur(v, P "kernel_backlog"),
	    lim = cur(v, P "kernel_backlog_limit");

	line(v, "kernel   backlog %s of %s (%.0f%%)   lost +%s, %s in all",
	    num(a, sizeof(a), bl), num(b, sizeof(b), lim),
	    lim > 0 ? 100 * bl / lim : 0.0,
	    num(c, sizeof(c), delta(v, P "kernel_lost_total")),
	    num(d, sizeof(d), cur(v, P "kernel_lost_total")));
}

static double
of_plugin(const struct view *v, const char *what, const char *label)
{
	char name[TOP_NAME_MAX];

	snprintf(name, sizeof(name), P "plugin_%s%s", what, label);
	return cur(v, name);
}

static void
plugin_rows(struct view *v)
{
	char a[32], b[32], c[32], who[TOP_NAME_MAX];
	int i = -1, shown = 0, all = 0;

	while (top_next(v->cur, P "plugin_up{plugin=\"", &i) >= 0)
		all++;
	if (all == 0) {
		line(v, "plugins  none");
		return;
	}
	line(v, "plugins  %-20s %5s %8s %8s %12s", "", "up", "queue", "most",
	    "dropped");
	i = -1;
	while (top_next(v->cur, P "plugin_up{plugin=\"", &i) >= 0) {
		/* {plugin="NAME"} */
		const char *label = v->cur->m[i].name + strlen(P "plugin_up");

		if (v->used + 1 >= v->rows && shown + 1 < all) {
			line(v, "         ... and %d more", all - shown);
			return;
		}
		snprintf(who, sizeof(who), "%s", label + strlen("{plugin=\""));
		who[strcspn(who, "\"")] = '\0';
		line(v, "         %-20.20s %5s %8s %8s %12s", who,
		    v->cur->m[i].v > 0 ? "yes" : "NO",
		    num(a, sizeof(a), of_plugin(v, "queue_depth", label)),
		    num(b, sizeof(b), of_plugin(v, "queue_high", label)),
		    num(c, sizeof(c), of_plugin(v, "dropped_total", label)));
		shown++;
	}
}

void
top_screen(FILE *f, const struct top_sample *prev,
    const struct top_sample *cur_s, const char *path, unsigned rows)
{
	struct view v = { .f = f, .prev = prev, .cur = cur_s, .rows = rows };
	char a[32], b[32], c[32], d[32];

	if (prev != NULL && top_get(prev, P "start_time_seconds") !=
	    top_get(cur_s, P "start_time_seconds"))
		v.prev = NULL;
	head(&v, path);
	kernel_rows(&v);
	line(&v, "records %*s %18s", 45, "per second", "total");
	counter_row(&v, "received", P "records_received_total");
	counter_row(&v, "formatted inline", P "records_formatted_inline_total");
	counter_row(&v, "written", P "records_written_total");
	counter_row(&v, "durable (synced)", P "records_durable_total");
	counter_row(&v, "dropped", P "records_dropped_total");
	counter_row(&v, "network records", P "network_records_total");
	line(&v, "rings    ingest->worker %s, worker->writer %s, of %s each",
	    num(a, sizeof(a), cur(&v, P "ring_to_workers")),
	    num(b, sizeof(b), cur(&v, P "ring_to_writer")),
	    num(c, sizeof(c), cur(&v, P "ring_capacity")));
	line(&v, "pool     %s of %s records in use (most %s); ring waits +%s",
	    num(a, sizeof(a), cur(&v, P "pool_records_in_use")),
	    num(b, sizeof(b), cur(&v, P "pool_records")),
	    num(c, sizeof(c), cur(&v, P "pool_records_high")),
	    num(d, sizeof(d), delta(&v, P "ring_waits_total")));
	line(&v, "latency  of this interval's records; max since start");
	latency_row(&v, "receive->written", P "receive_to_written_seconds");
	latency_row(&v, "receive->durable", P "receive_to_durable_seconds");
	line(&v, "log      %s; free %s of %s; space_left at %s",
	    bytes(a, sizeof(a), cur(&v, P "log_size_bytes")),
	    bytes(b, sizeof(b), cur(&v, P "log_free_bytes")),
	    bytes(c, sizeof(c), cur(&v, P "log_filesystem_bytes")),
	    bytes(d, sizeof(d), cur(&v, P "space_left_bytes")));
	line(&v, "syncs    +%s, write errors %s, rotations %s",
	    num(a, sizeof(a), delta(&v, P "syncs_total")),
	    num(b, sizeof(b), cur(&v, P "write_errors_total")),
	    num(c, sizeof(c), cur(&v, P "rotations_total")));
	plugin_rows(&v);
}
