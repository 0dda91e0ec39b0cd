/*
 * bench_pipeline_c.c - the C half of bench_pipeline.cc: the whole record
 * path, replay source to log file, built by pl_create as the daemon
 * builds it (pl_config_defaults: 4096 records, rings of 1024, 256 KiB
 * write buffers, the waiters' 100 ms safety net) with auditd's default
 * flush (incremental_async, freq 50).  Only pl_start to pl_wait is timed:
 * the pool's allocation, the teardown and the check of the log are not.
 * pl_wait returns once the log is synced, so every record is on disk.
 * The CPU time of the process over the same span is every pipeline
 * thread's (this one sleeps in pl_wait).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/pipeline.h"
#include "bench_pipeline.h"

#define FREQ 50

/* CPU time of every thread of this process. */
static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
ra_bench_pl_generate(const char *path, unsigned n)
{
	char line[RA_BENCH_LINE_MAX];
	unsigned i;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "we")) == NULL)
		return -errno;
	for (i = 1; i <= n; i++) {
		size_t len = ra_bench_syscall_line(line, i);

		if (fwrite(line, 1, len, f) != len) {
			rc = -EIO;
			break;
		}
	}
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* Context switches of every thread of this process. */
static uint64_t
switches(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (uint64_t)ru.ru_nvcsw + (uint64_t)ru.ru_nivcsw;
}

int
ra_bench_pl_run(const char *in, const char *out, unsigned workers,
    int enriched, struct ra_bench_pl_result *res)
{
	const struct ra_bench_pl_pace none = { 0, 0, 1 };

	return ra_bench_pl_run_paced(in, out, workers, enriched, &none, res);
}

int
ra_bench_pl_run_paced(const char *in, const char *out, unsigned workers,
    int enriched, const struct ra_bench_pl_pace *pace,
    struct ra_bench_pl_result *res)
{
	struct pl_config c;
	struct pl_stats st;
	struct pl *p;
	uint64_t t0, c0, s0;
	int rc;

	memset(res, 0, sizeof(*res));
	pl_config_defaults(&c);
	c.source = INGEST_REPLAY;
	c.replay_path = in;
	c.workers = workers;
	c.format = enriched ? PARSE_FORMAT_ENRICHED : PARSE_FORMAT_RAW;
	c.log_path = out;
	c.wr.flush = WR_FLUSH_INCREMENTAL_ASYNC;
	c.wr.freq = FREQ;
	c.replay_recs = pace->recs;
	c.replay_gap_us = pace->gap_us;
	c.inline_work = pace->inline_work != 0;
	unlink(out);
	if ((rc = pl_create(&p, &c)) < 0)
		return rc;
	c0 = cpu_ns();
	s0 = switches();
	t0 = clock_mono_ns();
	if ((rc = pl_start(p)) < 0) {
		pl_destroy(p);
		return rc;
	}
	rc = pl_wait(p);
	res->run_ns = clock_mono_ns() - t0;
	res->cpu_ns = cpu_ns() - c0;
	res->switches = switches() - s0;
	res->finished = pl_finished(p);
	pl_get_stats(p, &st);
	pl_destroy(p);
	if (rc < 0)
		return rc;

	res->received = st.in.received;
	res->parsed = st.parsed;
	res->written = st.wr.written;
	res->problems = st.in.malformed + st.in.truncated + st.format_errors +
	    st.wr.write_errors + st.wr.sync_errors + st.wr.dropped;
	res->worker_sleeps = st.worker_sleeps;
	res->writer_wakes = st.writer_wakes;
	res->ingest_waits = st.in.pool_waits + st.in.ring_waits;
	res->formatted_inline = st.parsed_inline;
	res->written_inline = st.wr.helped;
	rc = ra_bench_log_check(out, &res->lines);
	unlink(out);
	return rc;
}
