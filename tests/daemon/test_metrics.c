/*
 * test_metrics.c - the figures an admin scrapes (metrics_file) and reads
 * (the state report's "# ringauditd" lines) say what the pipeline counted,
 * in a form Prometheus's text parser takes: every metric has HELP, TYPE and
 * one sample; names are valid; counters end in _total; the latency
 * histograms have fixed bounds, _sum and _count in seconds.  The kernel's
 * figures (AUDIT_GET) are shown when it answered, and only kernel_status_up
 * 0 when it did not.  And the file is replaced whole or not at all.
 */
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/hist.h"
#include "daemon/daemon.h"

static struct cfg cfg;
static struct dmn d;
static struct metrics_in in;

static char *
render(void (*fn)(FILE *, const struct dmn *, const struct metrics_in *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, &d, &in);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static int
setup(void **state)
{
	(void)state;
	cfg_defaults(&cfg);
	memset(&d, 0, sizeof(d));
	d.cfg = &cfg;
	memset(&in, 0, sizeof(in));
	in.st.in.received = 123456;
	in.st.wr.written = 120000;
	in.st.wr.durable = 119000;
	in.st.wr.dropped = 7;
	in.st.in.enobufs = 3;
	in.st.in.pool_waits = 1;
	in.st.in.ring_waits = 2;
	in.st.worker_ring_waits = 4;
	in.st.pool_high = 900;
	in.st.to_workers_high = 300;
	in.st.to_writer_high = 200;
	in.st.pool_in_use = 40;
	in.st.to_workers_now = 12;
	in.st.to_writer_now = 3;
	in.st.ring_capacity = 1023;
	in.ws.suspended = true;
	in.ws.log_size = 5000;
	in.ws.avail = 1ull << 30;
	in.ws.space_left_bytes = 75ull << 20;
	in.ks.lost = 17;
	in.ks.backlog = 5;
	in.ks.backlog_limit = 8192;
	in.ks.enabled = 1;
	in.ks.failure = 1;
	in.ks.pid = (uint32_t)getpid();
	d.started = 1700000000;
	d.st.reconfigs = 2;
	/* 1000 records at 10 us, 9 at 1 ms, 1 at 50 ms. */
	for (int i = 0; i < 1000; i++)
		hist_add(&in.st.wr.lat_written, 10000);
	for (int i = 0; i < 9; i++)
		hist_add(&in.st.wr.lat_written, 1000000);
	hist_add(&in.st.wr.lat_written, 50000000);
	return 0;
}

static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static void
test_prometheus_values(void **state)
{
	char *t = render(metrics_prometheus);

	(void)state;
	assert_true(has_line(t, "ringauditd_records_received_total 123456"));
	assert_true(has_line(t, "ringauditd_records_written_total 120000"));
	assert_true(has_line(t, "ringauditd_records_durable_total 119000"));
	assert_true(has_line(t, "ringauditd_records_dropped_total 7"));
	assert_true(has_line(t, "ringauditd_socket_overflows_total 3"));
	assert_true(has_line(t, "ringauditd_ring_waits_total 7"));
	assert_true(has_line(t, "ringauditd_pool_records_high 900"));
	assert_true(has_line(t, "ringauditd_pool_records 4096"));
	assert_true(has_line(t, "ringauditd_ring_to_workers_high 300"));
	assert_true(has_line(t, "ringauditd_ring_to_writer_high 200"));
	assert_true(has_line(t, "ringauditd_ring_capacity 1023"));
	assert_true(has_line(t, "ringauditd_ring_to_workers 12"));
	assert_true(has_line(t, "ringauditd_ring_to_writer 3"));
	assert_true(has_line(t, "ringauditd_pool_records_in_use 40"));
	assert_true(has_line(t, "ringauditd_logging_suspended 1"));
	assert_true(has_line(t, "ringauditd_disk_full 0"));
	assert_true(has_line(t, "ringauditd_log_size_bytes 5000"));
	assert_true(has_line(t, "ringauditd_log_free_bytes 1073741824"));
	assert_true(has_line(t, "ringauditd_space_left_bytes 78643200"));
	assert_true(has_line(t, "ringauditd_start_time_seconds 1700000000"));
	assert_true(has_line(t, "ringauditd_build_info{version=\"" RA_VERSION
	    "\",auditd=\"3.0.9\"} 1"));
	/* The kernel's, as auditctl -s shows them. */
	assert_true(has_line(t, "ringauditd_kernel_status_up 1"));
	assert_true(has_line(t, "# TYPE ringauditd_kernel_lost_total counter"));
	assert_true(has_line(t, "ringauditd_kernel_lost_total 17"));
	assert_true(has_line(t, "ringauditd_kernel_backlog 5"));
	assert_true(has_line(t, "ringauditd_kernel_backlog_limit 8192"));
	assert_true(has_line(t, "ringauditd_kernel_enabled 1"));
	assert_true(has_line(t, "ringauditd_kernel_failure 1"));
	assert_true(has_line(t, "ringauditd_kernel_registered 1"));
	assert_true(has_line(t, "ringauditd_reconfigurations_total 2"));
	assert_true(has_line(t,
	    "# TYPE ringauditd_records_written_total counter"));
	assert_true(has_line(t, "# TYPE ringauditd_pool_records_high gauge"));
	/* The histogram, in seconds: 1,000 at 10 us are under 50 us, the
	 * 9 at 1 ms under 2.5 ms (the log-linear bucket of 1 ms reaches
	 * past 1 ms: not counted under it), the one at 50 ms under 0.1 s. */
	assert_true(has_line(t,
	    "# TYPE ringauditd_receive_to_written_seconds histogram"));
	assert_true(has_line(t, "ringauditd_receive_to_written_seconds_bucket"
	    "{le=\"5e-05\"} 1000"));
	assert_true(has_line(t, "ringauditd_receive_to_written_seconds_bucket"
	    "{le=\"0.001\"} 1000"));
	assert_true(has_line(t, "ringauditd_receive_to_written_seconds_bucket"
	    "{le=\"0.0025\"} 1009"));
	assert_true(has_line(t, "ringauditd_receive_to_written_seconds_bucket"
	    "{le=\"0.025\"} 1009"));
	assert_true(has_line(t, "ringauditd_receive_to_written_seconds_bucket"
	    "{le=\"0.1\"} 1010"));
	assert_true(has_line(t, "ringauditd_receive_to_written_seconds_bucket"
	    "{le=\"+Inf\"} 1010"));
	assert_true(has_line(t, "ringauditd_receive_to_written_seconds_count "
	    "1010"));
	assert_true(has_line(t, "ringauditd_receive_to_written_seconds_sum "
	    "0.069000000"));
	assert_true(has_line(t, "ringauditd_receive_to_written_seconds_max "
	    "0.050000000"));
	free(t);
}

/* AUDIT_GET refused (multicast mode as another user): no kernel figure
 * but the one that says so. */
static void
test_prometheus_no_kernel(void **state)
{
	char *t;

	(void)state;
	in.ks_rc = -EPERM;
	t = render(metrics_prometheus);
	in.ks_rc = 0;
	assert_true(has_line(t, "ringauditd_kernel_status_up 0"));
	assert_null(strstr(t, "ringauditd_kernel_lost_total"));
	assert_null(strstr(t, "ringauditd_kernel_backlog"));
	free(t);
}

/* Every line is a comment (HELP or TYPE) or a sample, and every metric
 * that has a TYPE has a sample. */
static void
test_prometheus_syntax(void **state)
{
	char *t = render(metrics_prometheus), *save = NULL, *line;
	regex_t sample, help, type;
	unsigned types = 0, samples = 0;

	(void)state;
	assert_int_equal(regcomp(&sample, "^[a-zA-Z_:][a-zA-Z0-9_:]*"
	    "(\\{(le=\"([0-9.e+-]+|\\+Inf)\"|version=\"[^\"]+\","
	    "auditd=\"[^\"]+\")\\})? [0-9]+(\\.[0-9]+)?$",
	    REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&help, "^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$",
	    REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&type, "^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) "
	    "(counter|gauge|histogram)$", REG_EXTENDED), 0);
	for (line = strtok_r(t, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		regmatch_t m[2];

		if (regexec(&type, line, 2, m, 0) == 0) {
			types++;
			if (strstr(line, " counter") != NULL)
				assert_non_null(strstr(line, "_total "));
			continue;
		}
		if (regexec(&help, line, 0, NULL, 0) == 0)
			continue;
		if (regexec(&sample, line, 0, NULL, 0) != 0)
			fail_msg("not a Prometheus line: \"%s\"", line);
		samples++;
	}
	assert_true(types > 40);
	assert_true(samples >= types);
	regfree(&sample);
	regfree(&help);
	regfree(&type);
	free(t);
}

/* Each plugin's figures, labelled by its file, and its lines in the
 * state report: a dispatcher with one plugin that reads and discards. */
static void
test_plugin_figures(void **state)
{
	char tmp[] = "/tmp/ra-metrics-XXXXXX", path[128], *t = NULL;
	struct disp_config dc;
	regex_t sample;
	size_t len = 0;
	FILE *f;
	char *save = NULL, *line;
	unsigned samples = 0;

	(void)state;
	if (geteuid() != 0)
		skip();		/* a plugin must be root's */
	assert_non_null(mkdtemp(tmp));
	chmod(tmp, 0755);
	snprintf(path, sizeof(path), "%s/plugins.d", tmp);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/drop.sh", tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nexec cat > /dev/null\n", f);
	fclose(f);
	chmod(path, 0750);
	snprintf(path, sizeof(path), "%s/plugins.d/drop.conf", tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "active = yes\npath = %s/drop.sh\n", tmp);
	fclose(f);
	chmod(path, 0640);
	memset(&dc, 0, sizeof(dc));
	snprintf(dc.plugin_dir, sizeof(dc.plugin_dir), "%s/plugins.d/", tmp);
	dc.q_depth = 100;
	dc.max_restarts = 3;
	dc.stop_ms = 2000;
	assert_int_equal(disp_create(&d.disp, &dc), 0);
	assert_int_equal(disp_start(d.disp), 0);

	f = open_memstream(&t, &len);
	metrics_plugins(f, &d, true);
	fclose(f);
	assert_int_equal(regcomp(&sample, "^ringauditd_(plugin_[a-z_]+"
	    "\\{plugin=\"drop\\.conf\"\\}|dispatch_[a-z_]+) [0-9]+$",
	    REG_EXTENDED | REG_NOSUB), 0);
	for (line = strtok_r(t, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (regexec(&sample, line, 0, NULL, 0) != 0)
			fail_msg("not a plugin sample: \"%s\"", line);
		samples++;
	}
	regfree(&sample);
	free(t);
	/* 7 per plugin, up, and the dispatcher's 4. */
	assert_int_equal(samples, 12);

	t = NULL;
	f = open_memstream(&t, &len);
	metrics_plugins(f, &d, false);
	fclose(f);
	assert_true(has_line(t, "dispatch records inline = 0"));
	assert_true(has_line(t, "plugin drop.conf state = running"));
	assert_true(has_line(t, "plugin drop.conf offered = 0"));
	assert_true(has_line(t, "plugin drop.conf restarts = 0"));
	free(t);

	disp_destroy(d.disp);
	d.disp = NULL;
	snprintf(path, sizeof(path), "rm -rf %s", tmp);
	assert_int_equal(system(path), 0);
}

static void
test_report_lines(void **state)
{
	char *t = render(metrics_report);

	(void)state;
	assert_true(has_line(t, "records received = 123456"));
	assert_true(has_line(t, "records dropped = 7"));
	assert_true(has_line(t, "records in use, most = 900"));
	assert_true(has_line(t, "receive->written max us = 50000"));
	assert_non_null(strstr(t, "\nreceive->written p50 us = "));
	assert_non_null(strstr(t, "\nreceive->written p90 us = "));
	assert_non_null(strstr(t, "\nreceive->written p99 us = "));
	assert_non_null(strstr(t, "\nreceive->written p99.9 us = "));
	assert_non_null(strstr(t, "\nreceive->durable p99 us = 0\n"));
	assert_non_null(strstr(t, "\nwriter switch max us = 0\n"));
	free(t);
}

static void
fill_text(FILE *f, struct dmn *dd)
{
	(void)dd;
	fputs("whole\n", f);
}

/* Replaced whole; a folder it cannot write leaves nothing behind. */
static void
test_written_whole_or_not_at_all(void **state)
{
	char dir[] = "/tmp/ra_metrics_XXXXXX", path[256], buf[16] = { 0 };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ringauditd.prom", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("old\n", f);
	fclose(f);
	assert_int_equal(files_write(path, 0644, fill_text, &d), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "whole\n");
	{
		char tmp[300];

		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		assert_int_equal(access(tmp, F_OK), -1);
	}
	unlink(path);
	rmdir(dir);
	snprintf(path, sizeof(path), "%s/nowhere/ringauditd.prom", dir);
	assert_int_equal(files_write(path, 0644, fill_text, &d), -ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prometheus_values),
		cmocka_unit_test(test_prometheus_no_kernel),
		cmocka_unit_test(test_prometheus_syntax),
		cmocka_unit_test(test_report_lines),
		cmocka_unit_test(test_plugin_figures),
		cmocka_unit_test(test_written_whole_or_not_at_all),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
