/*
 * remote.c - ringaudit-bench --remote: a log server (ringauditd, or
 * auditd with tcp_listen_port) under a fleet of clients (fleet.c), and
 * what the server spent on them.
 *
 * The server is --server-pid, or the process holding the listening
 * socket on PORT (its inode in /proc/net/tcp{,6}, then /proc/PID/fd).
 * Its memory (VmRSS, VmData from /proc/PID/status) is read before the
 * clients connect, after they have connected and sat idle --idle seconds
 * (the difference over N is the memory of an idle connection), after
 * each run and after the clients closed.  Its CPU over each run is
 * utime+stime (/proc/PID/stat, in ticks) and, to the nanosecond, each
 * thread's time on a CPU (/proc/PID/task/TID/schedstat), summed by
 * thread name.
 *
 * One run per window and rate, over the same connections; a row each, or
 * a JSON object each with --json.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "common/log.h"
#include "fleet.h"

#define MAX_THREADS 512
#define MAX_NAMES 32

struct thread_ns {
	pid_t tid;
	char comm[16];
	uint64_t ns;
};

struct snap {
	bool ok;
	double cpu_s;		/* utime+stime */
	uint64_t rss_kb, data_kb, hwm_kb;
	unsigned nthreads;
	struct thread_ns t[MAX_THREADS];
};

/* A thread's CPU over a run (comm:tid), or io_uring's workers'. */
struct name_ns {
	char comm[24];
	uint64_t ns;
};

struct remote {
	const struct rb_opts *o;
	const int *stop;
	pid_t spid;
	char comm[64], exe[512];
	struct rb_fleet *fleet;
	unsigned connected;
	double connect_s;
	struct snap before, idle, run0, run1, closed;
	FILE *per_client;
};

/* The first signal's number (main.c's signal thread), or 0. */
static int
stopped(const struct remote *x)
{
	return __atomic_load_n(x->stop, __ATOMIC_RELAXED);
}

static void
proc_threads(pid_t pid, struct snap *s)
{
	char path[80];
	struct dirent *de;
	DIR *d;

	s->nthreads = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && s->nthreads < MAX_THREADS) {
		struct thread_ns *t = &s->t[s->nthreads];
		unsigned long long ns;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		t->tid = (pid_t)atoi(de->d_name);
		snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat",
		    (int)pid, (int)t->tid);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		if (fscanf(f, "%llu", &ns) != 1) {
			fclose(f);
			continue;
		}
		fclose(f);
		t->ns = ns;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm",
		    (int)pid, (int)t->tid);
		strcpy(t->comm, "?");
		if ((f = fopen(path, "re")) != NULL) {
			if (fgets(t->comm, sizeof(t->comm), f) != NULL)
				t->comm[strcspn(t->comm, "\n")] = '\0';
			fclose(f);
		}
		s->nthreads++;
	}
	closedir(d);
}

static void
take(const struct remote *x, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	if (x->spid <= 0)
		return;
	s->ok = rb_proc_cpu(x->spid, &s->cpu_s) == 0 &&
	    rb_proc_mem(x->spid, &s->rss_kb, &s->hwm_kb, &s->data_kb) == 0;
	if (s->ok)
		proc_threads(x->spid, s);
}

/* Each thread's time on a CPU between a and b, by thread: io_uring's
 * workers (iou-wrk-TID, which come and go) summed as one; the number of
 * lines, the total in *all. */
static size_t
thread_delta(const struct snap *a, const struct snap *b,
    struct name_ns *out, uint64_t *all)
{
	size_t n = 0;

	*all = 0;
	for (unsigned i = 0; i < b->nthreads; i++) {
		uint64_t was = 0, d;
		char key[sizeof(out->comm)];
		size_t k;

		for (unsigned j = 0; j < a->nthreads; j++)
			if (a->t[j].tid == b->t[i].tid)
				was = a->t[j].ns;
		d = b->t[i].ns > was ? b->t[i].ns - was : 0;
		*all += d;
		if (strncmp(b->t[i].comm, "iou-wrk", 7) == 0)
			snprintf(key, sizeof(key), "iou-wrk");
		else
			snprintf(key, sizeof(key), "%.10s:%d", b->t[i].comm,
			    (int)(b->t[i].tid % 100000));
		for (k = 0; k < n; k++)
			if (strcmp(out[k].comm, key) == 0)
				break;
		if (k == n) {
			if (n == MAX_NAMES)
				continue;
			memcpy(out[n].comm, key, sizeof(out[n].comm));
			out[n++].ns = 0;
		}
		out[k].ns += d;
	}
/* The busiest first. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && out[j].ns > out[j - 1].ns; j--) {
			struct name_ns t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/* The pid holding the socket listening on port, or 0. */
static unsigned long
listen_inode(unsigned port)
{
	static const char *const files[] = { "/proc/net/tcp",
	    "/proc/net/tcp6" };
	unsigned long found = 0;

	for (size_t i = 0; i < 2 && found == 0; i++) {
		char line[512];
		FILE *f = fopen(files[i], "re");

		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL) {
			unsigned lport, st;
			unsigned long ino;

			if (sscanf(line, " %*s %*[0-9A-Fa-f]:%x %*s %x %*s %*s "
			    "%*s %*u %*u %lu", &lport, &st, &ino) == 3 &&
			    lport == port && st == 0x0a) {
				found = ino;
				break;
			}
		}
		fclose(f);
	}
	return found;
}

static pid_t
find_server(unsigned port)
{
	unsigned long ino = listen_inode(port);
	char want[64], path[600], link[64];
	struct dirent *p, *fd;
	pid_t found = 0;
	DIR *procs, *fds;

	if (ino == 0 || (procs = opendir("/proc")) == NULL)
		return 0;
	snprintf(want, sizeof(want), "socket:[%lu]", ino);
	while (found == 0 && (p = readdir(procs)) != NULL) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		if ((fds = opendir(path)) == NULL)
			continue;
		while ((fd = readdir(fds)) != NULL) {
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
			    p->d_name, fd->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, want) == 0) {
				found = (pid_t)atoi(p->d_name);
				break;
			}
		}
		closedir(fds);
	}
	closedir(procs);
	return found;
}

static void
pause_s(const struct remote *x, double s)
{
	uint64_t until = clock_mono_ns() + (uint64_t)(s * 1e9);

	while (!stopped(x) && clock_mono_ns() < until) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
}

static double
mib(uint64_t kb)
{
	return (double)kb / 1024.0;
}

/* (b - a) in KiB per connection; 0 when unknown. */
static double
per_conn(const struct remote *x, uint64_t a, uint64_t b)
{
	if (!x->before.ok || !x->idle.ok || x->connected == 0)
		return 0;
	return ((double)b - (double)a) / (double)x->connected;
}

static enum rb_verdict
verdict(const struct remote *x, const struct rb_fleet_result *r)
{
	if (stopped(x))
		return RB_INTERRUPTED;
	if (r->sent > r->acked || r->failed > 0)
		return RB_LOST;
	if (r->rate_req > 0 && r->rate_load < 0.95 * r->rate_req)
		return RB_SHORT;
	return RB_OK;
}

static void
head(const struct remote *x)
{
	const struct rb_opts *o = x->o;

	printf("server  %s:%s, ", o->remote_host, o->remote_port);
	if (x->spid > 0)
		printf("pid %d %s (%s)%s\n", (int)x->spid, x->comm, x->exe,
		    o->pid > 0 ? ", by --server-pid" : "");
	else
		printf("no pid (none listening here; --server-pid): no CPU "
		    "or memory\n");
	printf("clients %u connected of %u in %.2f s, each from a loopback "
	    "address of its own; %u-byte records, tag=%s\n", x->connected,
	    o->clients, x->connect_s, o->size, o->tag);
	if (x->before.ok && x->idle.ok)
		printf("memory  before connecting VmRSS %.1f MiB, VmData %.1f "
		    "MiB; %u idle connections (%.1f s) VmRSS %.1f MiB, VmData "
		    "%.1f MiB: %.2f KiB VmRSS, %.2f KiB VmData a connection\n",
		    mib(x->before.rss_kb), mib(x->before.data_kb),
		    x->connected, o->idle_s, mib(x->idle.rss_kb),
		    mib(x->idle.data_kb),
		    per_conn(x, x->before.rss_kb, x->idle.rss_kb),
		    per_conn(x, x->before.data_kb, x->idle.data_kb));
	printf("\n%3s %7s %9s %9s %8s %7s %7s %7s %8s %9s %9s %7s %6s %6s "
	    "%7s %8s %8s %8s %s\n", "win", "rate/s", "acked/s", "/client",
	    "p50_ms", "p99_ms", "max_ms", "drain_s", "sent", "acked", "lost",
	    "lossy",
	    "drop", "least", "cpu_s", "us/rec", "rss_MiB", "data_MiB",
	    "verdict");
}

static void
row(const struct remote *x, const struct rb_fleet_result *r, double cpu_s,
    enum rb_verdict v)
{
	char rate[16], us[16], cpu[16];

	if (r->rate_req > 0)
		snprintf(rate, sizeof(rate), "%.0f", r->rate_req);
	else
		snprintf(rate, sizeof(rate), "max");
	snprintf(cpu, sizeof(cpu), "-");
	snprintf(us, sizeof(us), "-");
	if (cpu_s >= 0)
		snprintf(cpu, sizeof(cpu), "%.2f", cpu_s);
	if (cpu_s >= 0 && r->acked > 0)
		snprintf(us, sizeof(us), "%.1f", cpu_s * 1e6 /
		    (double)r->acked);
	printf("%3u %7s %9.0f %9.1f %8.3f %7.2f %7.1f %7.2f %8llu %9llu %9llu "
	    "%7u %6u %6llu %7s %8s %8.1f %8.1f %s\n", r->window, rate,
	    r->rate_load, r->rate_load / (double)r->clients,
	    (double)hist_quantile(&r->lat, 0.5) / 1e6,
	    (double)hist_quantile(&r->lat, 0.99) / 1e6,
	    (double)r->lat.max / 1e6, r->drain_s, (unsigned long long)r->sent,
	    (unsigned long long)r->acked,
	    (unsigned long long)(r->sent - r->acked), r->lossy, r->failed,
	    (unsigned long long)r->least_acked, cpu, us,
	    mib(x->run1.rss_kb), mib(x->run1.data_kb), rb_verdict_name(v));
}

static void
threads_line(const struct name_ns *t, size_t n, uint64_t all, double tool_s)
{
	printf("    server threads, CPU s:");
	for (size_t i = 0; i < n && i < 8; i++)
		printf(" %s %.3f", t[i].comm, (double)t[i].ns / 1e9);
	printf(" (all %.3f); this tool %.3f\n", (double)all / 1e9, tool_s);
}

/* This process's utime+stime: how busy the clients' side was. */
static double
self_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void
json(const struct remote *x, const struct rb_fleet_result *r, double cpu_s,
    const struct name_ns *t, size_t n, uint64_t all, double tool_s,
    enum rb_verdict v)
{
	const struct rb_opts *o = x->o;

	printf("{\"mode\":\"remote\",\"server\":\"%s:%s\",\"server_pid\":%d,"
	    "\"server_comm\":\"%s\",\"clients\":%u,\"connected\":%u,"
	    "\"connect_s\":%.3f,\"size\":%u,\"window\":%u,\"rate_req\":%.0f,"
	    "\"duration_s\":%.2f,\"secs\":%.3f,\"sent\":%llu,\"acked\":%llu,"
	    "\"not_ok\":%llu,\"unanswered\":%llu,\"lost\":%llu,"
	    "\"lossy_clients\":%u,\"most_lost_one_client\":%llu,"
	    "\"connect_failed\":%u,\"closed\":%u,\"timed_out\":%u,"
	    "\"dropped\":%u,\"least_acked\":%llu,\"acked_load\":%llu,"
	    "\"rate\":%.1f,\"rate_per_client\":%.2f,\"rate_all_acked\":%.1f,"
	    "\"drain_s\":%.3f,\"lat_p50_us\":%.1f,\"lat_p99_us\":%.1f,"
	    "\"lat_max_us\":%.1f,",
	    o->remote_host, o->remote_port, (int)x->spid, x->comm,
	    r->clients, r->connected, x->connect_s, o->size, r->window,
	    r->rate_req, r->load_s, r->secs, (unsigned long long)r->sent,
	    (unsigned long long)r->acked, (unsigned long long)r->not_ok,
	    (unsigned long long)r->unanswered,
	    (unsigned long long)(r->sent - r->acked), r->lossy,
	    (unsigned long long)r->most_lost, r->connect_failed, r->closed,
	    r->timed_out, r->failed, (unsigned long long)r->least_acked,
	    (unsigned long long)r->acked_load, r->rate_load,
	    r->rate_load / (double)r->clients, r->rate, r->drain_s,
	    (double)hist_quantile(&r->lat, 0.5) / 1e3,
	    (double)hist_quantile(&r->lat, 0.99) / 1e3,
	    (double)r->lat.max / 1e3);
	printf("\"tool_cpu_s\":%.3f,", tool_s);
	printf("\"server_cpu_s\":%.4f,\"server_sched_s\":%.6f,"
	    "\"cpu_us_per_record\":%.3f,\"rss_before_kb\":%llu,"
	    "\"data_before_kb\":%llu,\"rss_idle_kb\":%llu,\"data_idle_kb\":%llu,"
	    "\"rss_kb_per_idle_conn\":%.3f,\"data_kb_per_idle_conn\":%.3f,"
	    "\"rss_run_kb\":%llu,\"data_run_kb\":%llu,\"hwm_kb\":%llu,"
	    "\"threads\":{", cpu_s, (double)all / 1e9,
	    cpu_s >= 0 && r->acked > 0 ? cpu_s * 1e6 / (double)r->acked : -1,
	    (unsigned long long)x->before.rss_kb,
	    (unsigned long long)x->before.data_kb,
	    (unsigned long long)x->idle.rss_kb,
	    (unsigned long long)x->idle.data_kb,
	    per_conn(x, x->before.rss_kb, x->idle.rss_kb),
	    per_conn(x, x->before.data_kb, x->idle.data_kb),
	    (unsigned long long)x->run1.rss_kb,
	    (unsigned long long)x->run1.data_kb,
	    (unsigned long long)x->run1.hwm_kb);
	for (size_t i = 0; i < n; i++)
		printf("%s\"%s\":%.6f", i > 0 ? "," : "", t[i].comm,
		    (double)t[i].ns / 1e9);
	printf("},\"verdict\":\"%s\"}\n", rb_verdict_name(v));
}

static void
per_client(const struct remote *x, const struct rb_fleet_result *r,
    unsigned run)
{
	fprintf(x->per_client, "# run %u: window %u, rate %s%.0f; client "
	    "sent acked not_ok lost dropped\n", run, r->window,
	    r->rate_req > 0 ? "" : "max ", r->rate_req);
	for (unsigned i = 0; i < x->o->clients; i++) {
		struct rb_fleet_client c;

		rb_fleet_client(x->fleet, i, &c);
		fprintf(x->per_client, "%u %llu %llu %llu %llu %s\n", i,
		    (unsigned long long)c.sent, (unsigned long long)c.acked,
		    (unsigned long long)c.not_ok,
		    (unsigned long long)(c.sent - c.acked),
		    c.failure != NULL ? c.failure : "-");
	}
}

static void
one_run(struct remote *x, unsigned window, double rate, unsigned run)
{
	static struct name_ns t[MAX_NAMES];
	struct rb_fleet_load l = {
		.rate = rate, .window = window, .secs = x->o->duration_s,
		.grace_s = x->o->grace_s, .stop = x->stop,
	};
	struct rb_fleet_result r;
	double cpu_s = -1, tool_s = self_cpu();
	uint64_t all = 0;
	size_t n = 0;
	enum rb_verdict v;

	take(x, &x->run0);
	rb_fleet_run(x->fleet, &l, &r);
	take(x, &x->run1);
	tool_s = self_cpu() - tool_s;
	if (x->run0.ok && x->run1.ok) {
		cpu_s = x->run1.cpu_s - x->run0.cpu_s;
		n = thread_delta(&x->run0, &x->run1, t, &all);
	}
	v = verdict(x, &r);
	if (x->o->json)
		json(x, &r, cpu_s, t, n, all, tool_s, v);
	else {
		row(x, &r, cpu_s, v);
		threads_line(t, n, all, tool_s);
	}
	if (x->per_client != NULL)
		per_client(x, &r, run);
	fflush(stdout);
}

int
rb_remote_main(const struct rb_opts *o, const int *stop)
{
	static struct remote x;
	unsigned wmax = 1, run = 0;
	struct rb_fleet_config c = {
		.host = o->remote_host, .port = o->remote_port,
		.node = RB_NAME, .tag = o->tag, .name = RB_NAME,
		.clients = o->clients, .size = o->size, .fail_msgs = 10,
	};
	uint64_t t0;
	int rc;

	x.o = o;
	x.stop = stop;
	x.spid = o->pid > 0 ? o->pid :
	    find_server((unsigned)atoi(o->remote_port));
	if (x.spid > 0)
		rb_proc_name(x.spid, x.comm, sizeof(x.comm), x.exe,
		    sizeof(x.exe));
	for (size_t i = 0; i < o->nwindows; i++)
		if (o->windows[i] > wmax)
			wmax = o->windows[i];
	c.max_window = wmax;
	if (o->per_client != NULL &&
	    (x.per_client = fopen(o->per_client, "we")) == NULL) {
		fprintf(stderr, RB_NAME ": --per-client %s: %s\n",
		    o->per_client, strerror(errno));
		return 1;
	}
	if ((rc = rb_fleet_create(&x.fleet, &c)) < 0) {
		fprintf(stderr, RB_NAME ": --remote: %s\n", strerror(-rc));
		return 1;
	}
	take(&x, &x.before);
	t0 = clock_mono_ns();
	x.connected = rb_fleet_connect(x.fleet);
	x.connect_s = (double)(clock_mono_ns() - t0) / 1e9;
	if (x.connected == 0) {
		fprintf(stderr, RB_NAME ": --remote %s:%s: no client could "
		    "connect\n", o->remote_host, o->remote_port);
		rb_fleet_destroy(x.fleet);
		return 1;
	}
	pause_s(&x, o->idle_s);
	take(&x, &x.idle);
	if (!o->json)
		head(&x);
	for (size_t i = 0; i < o->nwindows && !stopped(&x); i++)
		for (size_t j = 0; j < o->nrates && !stopped(&x); j++)
			one_run(&x, o->windows[i], o->rates[j], ++run);
	rb_fleet_destroy(x.fleet);
	if (!o->json && x.spid > 0) {
		pause_s(&x, 0.5);
		take(&x, &x.closed);
		if (x.closed.ok)
			printf("\nmemory  after the clients closed: VmRSS %.1f "
			    "MiB, VmData %.1f MiB, VmHWM %.1f MiB\n",
			    mib(x.closed.rss_kb), mib(x.closed.data_kb),
			    mib(x.closed.hwm_kb));
	}
	if (x.per_client != NULL && fclose(x.per_client) != 0)
		return 1;
	return fflush(stdout) != 0 || ferror(stdout) ? 1 : 0;
}
