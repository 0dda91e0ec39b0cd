/*
 * top.h - ringaudit-top: a live view of a running ringauditd.
 *
 * A sample is one answer of the daemon's control socket (ctlsock.c): its
 * metrics in Prometheus's text format, read whole and kept as name (with
 * its labels) and value.  The screen is made from two samples an interval
 * apart: totals from the newer, rates and the interval's latencies from
 * the difference.  sample.c reads and parses; screen.c draws 80 columns
 * by at most 24 lines; top.c is the program (options, terminal, keys).
 */
#ifndef RINGAUDIT_TOP_H
#define RINGAUDIT_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TOP_METRICS_MAX 1024
#define TOP_NAME_MAX 160
#define TOP_ANSWER_MAX (256 * 1024)

struct top_metric {
	char name[TOP_NAME_MAX];	/* with its labels, as sent */
	double v;
};

struct top_sample {
	double t;			/* CLOCK_MONOTONIC, seconds */
	size_t n;
	struct top_metric m[TOP_METRICS_MAX];
};

/* Connect to path and read the whole answer into s.  0 or -errno;
 * -EPROTO: the answer was no metrics. */
int top_sample_read(struct top_sample *s, const char *path);
/* The value of the metric named exactly name (labels included), or NAN. */
double top_get(const struct top_sample *s, const char *name);
/* The next metric after index *i whose name starts with prefix; its
 * index, or -1.  Start with *i = -1. */
int top_next(const struct top_sample *s, const char *prefix, int *i);

/* Draw one screen into f from prev (NULL: no rates yet) and cur, in at
 * most rows lines of at most 80 columns. */
void top_screen(FILE *f, const struct top_sample *prev,
    const struct top_sample *cur, const char *path, unsigned rows);

#endif
