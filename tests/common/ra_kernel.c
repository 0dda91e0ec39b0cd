/*
 * ra_kernel.c - see ra_kernel.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest/ingest.h"
#include "ra_kernel.h"

struct ra_k ra_k;

int
ra_run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

long
ra_run_count(const char *fmt, ...)
{
	char cmd[2048], out[64] = "";
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	if (fgets(out, sizeof(out), p) == NULL)
		out[0] = '\0';
	pclose(p);
	return out[0] != '\0' ? strtol(out, NULL, 10) : -1;
}

int
ra_skip_or_fail(const char *why)
{
	bool required = getenv("RA_REQUIRE_KERNEL") != NULL;

	printf("%s: %s\n", required ? "FAIL (RA_REQUIRE_KERNEL)" : "SKIP",
	    why);
	return required ? 1 : 77;
}

/* TERM (after CONT, for a stopped listener), wait up to 30 s, then KILL;
 * the child's exit status, or -1. */
static int
stop_child(pid_t *pid, bool cont)
{
	int status = 0, i;

	if (*pid <= 0)
		return -1;
	if (cont)
		kill(*pid, SIGCONT);
	kill(*pid, SIGTERM);
	for (i = 0; i < 300; i++) {
		if (waitpid(*pid, &status, WNOHANG) == *pid)
			break;
		usleep(100000);
	}
	if (i == 300) {
		kill(*pid, SIGKILL);
		waitpid(*pid, &status, 0);
	}
	*pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
ra_daemon_stop(void)
{
	return stop_child(&ra_k.daemon_pid, false);
}

int
ra_listener_stop(void)
{
	return stop_child(&ra_k.listener_pid, true);
}

void
ra_stop_registered_ringauditd(void)
{
	struct ingest_kstatus ks;
	char path[64], comm[32] = "";
	FILE *f;
	int i;

	if (ingest_kernel_status(&ks) < 0 || ks.pid == 0)
		return;
	snprintf(path, sizeof(path), "/proc/%u/comm", ks.pid);
	f = fopen(path, "re");
	if (f == NULL)
		return;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	if (strcmp(comm, "ringauditd\n") != 0)
		return;
	kill((pid_t)ks.pid, SIGTERM);
	for (i = 0; i < 100 && kill((pid_t)ks.pid, 0) == 0; i++)
		usleep(50000);
}

void
ra_kernel_restore(void)
{
	ra_listener_stop();
	ra_daemon_stop();
	ra_stop_registered_ringauditd();
	ra_rule_delete();
	if (ra_k.enabled_before < 2)
		ra_run("auditctl -e %u >/dev/null 2>&1", ra_k.enabled_before);
	if (ra_k.backlog_limit_before > 0)
		ra_run("auditctl -b %u >/dev/null 2>&1",
		    ra_k.backlog_limit_before);
	if (ra_k.status_saved)
		ra_run("auditctl --backlog_wait_time %u >/dev/null 2>&1",
		    ra_k.backlog_wait_time_before);
}

static void
on_signal(int sig)
{
	ra_kernel_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int
ra_kernel_begin(unsigned alarm_seconds)
{
	struct ingest_kstatus ks;
	int lock;

	if (geteuid() != 0)
		return ra_skip_or_fail("registering as the audit daemon needs "
		    "root");
	if (system("command -v auditctl >/dev/null && "
	    "command -v ausearch >/dev/null") != 0) {
		/* CI installs them; a missing tool is a failure, not a skip. */
		printf("FAIL: auditctl and ausearch (Debian: auditd) are "
		    "needed\n");
		return 1;
	}
	if (ingest_kernel_status(&ks) < 0)
		return ra_skip_or_fail("the kernel has no audit subsystem to "
		    "talk to");
	if (ks.enabled == 2)
		return ra_skip_or_fail("audit is locked (enabled 2) until "
		    "reboot");
	/* One kernel user at a time, across test programs and sessions. */
	lock = open("/run/ringaudit-kernel.lock", O_RDWR | O_CREAT | O_CLOEXEC,
	    0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		perror("/run/ringaudit-kernel.lock");
		return 1;
	}
	if (ingest_kernel_status(&ks) < 0)
		return 1;
	ra_k.enabled_before = ks.enabled;
	ra_k.backlog_limit_before = ks.backlog_limit;
	ra_k.backlog_wait_time_before = ks.backlog_wait_time;
	ra_k.status_saved = true;
	if (ks.backlog_limit < 8192 && ra_run("auditctl -b 8192 >/dev/null") !=
	    0)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGALRM, on_signal);
	alarm(alarm_seconds);
	return 0;
}

int
ra_kernel_setup(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(ra_k.dir, sizeof(ra_k.dir), "/tmp/ra-kernel-XXXXXX");
	if (mkdtemp(ra_k.dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/plugins.d %s/log", ra_k.dir,
	    ra_k.dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
ra_kernel_teardown(void **state)
{
	(void)state;
	ra_kernel_restore();
	/* A test may have mounted a small file system there. */
	ra_run("umount -l '%s/log' 2>/dev/null", ra_k.dir);
	return ra_run("rm -rf '%s'", ra_k.dir) == 0 ? 0 : -1;
}

/* ringauditd FLAG -c DIR, its stderr and stdout in DIR. */
static pid_t
spawn(const char *flag, const char *dir)
{
	char path[160];
	pid_t pid = fork();
	int fd;

	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	snprintf(path, sizeof(path), "%s/stderr", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, STDERR_FILENO);
	snprintf(path, sizeof(path), "%s/stdout", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, STDOUT_FILENO);
	execl(RA_DAEMON_PATH, "ringauditd", flag, "-c", dir, (char *)NULL);
	_exit(127);
}

/* *pid exited: say how, with what it wrote to DIR/stderr, into why. */
static bool
exited(pid_t *pid, const char *dir, char *why, size_t whylen)
{
	char path[160], msg[512] = "";
	FILE *f;
	int status;

	if (waitpid(*pid, &status, WNOHANG) != *pid)
		return false;
	snprintf(path, sizeof(path), "%s/stderr", dir);
	if ((f = fopen(path, "re")) != NULL) {
		size_t n = fread(msg, 1, sizeof(msg) - 1, f);

		msg[n] = '\0';
		fclose(f);
	}
	*pid = 0;
	snprintf(why, whylen, "ringauditd exited %d: %s",
	    WIFEXITED(status) ? WEXITSTATUS(status) : -1, msg);
	return true;
}

bool
ra_daemon_start(const char *flag, char *why, size_t whylen)
{
	struct ingest_kstatus ks;
	int i;

	ra_k.daemon_pid = spawn(flag, ra_k.dir);
	for (i = 0; i < 100; i++) {
		if (ingest_kernel_status(&ks) == 0 &&
		    ks.pid == (uint32_t)ra_k.daemon_pid)
			return true;
		if (exited(&ra_k.daemon_pid, ra_k.dir, why, whylen))
			return false;
		usleep(50000);
	}
	fail_msg("ringauditd did not register within 5 s");
	return false;
}

/* dir/name: text with every "@D" replaced by dir, mode 0600. */
static void
write_in(const char *dir, const char *name, const char *text)
{
	char path[160];
	const char *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	for (p = text; *p != '\0'; p++) {
		if (p[0] == '@' && p[1] == 'D') {
			fputs(dir, f);
			p++;
		} else
			fputc(*p, f);
	}
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
}

bool
ra_listener_start(const char *sub, const char *auditd_conf,
    const char *ringauditd_conf, char *why, size_t whylen)
{
	char *d = ra_k.listener_dir;
	int i;

	snprintf(d, sizeof(ra_k.listener_dir), "%s/%s", ra_k.dir, sub);
	assert_int_equal(ra_run("mkdir -p %s/log", d), 0);
	write_in(d, "auditd.conf", auditd_conf);
	write_in(d, "ringauditd.conf", ringauditd_conf);
	ra_k.listener_pid = spawn("-n", d);
	for (i = 0; i < 100; i++) {
		/* main says so once the group is joined. */
		if (ra_run("grep -q 'listening for events' %s/stderr", d) == 0)
			return true;
		if (exited(&ra_k.listener_pid, d, why, whylen))
			return false;
		usleep(50000);
	}
	fail_msg("the multicast ringauditd did not start within 5 s");
	return false;
}

void
ra_write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", ra_k.dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
}

void
ra_write_ringauditd_conf(const char *extra)
{
	char text[2048];

	snprintf(text, sizeof(text), "pid_file = %s/auditd.pid\n"
	    "state_file = %s/auditd.state\n%s", ra_k.dir, ra_k.dir,
	    extra != NULL ? extra : "");
	ra_write_file("ringauditd.conf", text);
}

void
ra_rule_add(void)
{
	assert_int_equal(ra_run("auditctl -a always,exit -F arch=b64 -S "
	    "getpriority -F ppid=%d -k %s >/dev/null", (int)getpid(),
	    ra_k.key), 0);
	ra_k.rule_loaded = true;
}

void
ra_rule_delete(void)
{
	if (!ra_k.rule_loaded)
		return;
	ra_run("auditctl -D >/dev/null 2>&1");
	ra_k.rule_loaded = false;
}

void
ra_start(const char *prefix, const char *what)
{
	char why[600];

	snprintf(ra_k.key, sizeof(ra_k.key), "%s_%s_%d", prefix, what,
	    (int)getpid());
	if (!ra_daemon_start("-n", why, sizeof(why)))
		fail_msg("%s", why);
	ra_rule_add();
}

pid_t
ra_load_start(unsigned n, unsigned per_ms)
{
	pid_t pid = fork();
	unsigned i;

	assert_true(pid >= 0);
	if (pid == 0) {
		for (i = 0; i < n; i++) {
			syscall(SYS_getpriority, PRIO_PROCESS, 0);
			if (per_ms > 0 && i % per_ms == per_ms - 1)
				usleep(1000);
		}
		_exit(0);
	}
	return pid;
}

void
ra_load_wait(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

void
ra_make_calls(unsigned n)
{
	ra_load_wait(ra_load_start(n, 0));
}

int
ra_kernel_run(const char *name, const struct CMUnitTest *tests, size_t n)
{
	int rc;

	if ((rc = ra_kernel_begin(280)) != 0)
		return rc;
	rc = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
	ra_kernel_restore();
	return rc;
}

unsigned
ra_concat_logs(void)
{
	char path[256];
	unsigned n = 0;

	for (;;) {
		snprintf(path, sizeof(path), "%s/log/audit.log.%u", ra_k.dir,
		    n + 1);
		if (access(path, F_OK) < 0)
			break;
		n++;
	}
	ra_run("cd %s/log && : > ../all.log && for i in $(seq %u -1 1); do "
	    "cat audit.log.$i >> ../all.log; done && "
	    "{ [ ! -e audit.log ] || cat audit.log >> ../all.log; }",
	    ra_k.dir, n);
	return n;
}

long
ra_key_events(const char *file)
{
	/* The line ends at the key, or ENRICHED's 0x1D follows it. */
	return ra_run_count("grep -c -E '^type=SYSCALL .* key=\"%s\"($|\x1d)' "
	    "%s", ra_k.key, file);
}

void
ra_wait_key_events(const char *file, long n)
{
	long got = -1;
	int i;

	for (i = 0; i < 200; i++) {
		if ((got = ra_key_events(file)) >= n)
			return;
		usleep(50000);
	}
	fail_msg("%s: %ld of our events, not %ld, after 10 s", file, got, n);
}

long
ra_duplicate_serials(const char *file)
{
	return ra_run_count("grep -E '^type=SYSCALL .* key=\"%s\"($|\x1d)' %s | "
	    "grep -o 'msg=audit([0-9.]*:[0-9]*)' | sort | uniq -d | wc -l",
	    ra_k.key, file);
}

void
ra_ausearch(const char *file, const char *types)
{
	ra_run("ausearch -if %s -m %s --raw > %s/found.txt 2>/dev/null",
	    file, types, ra_k.dir);
}

long
ra_found(const char *type)
{
	return ra_run_count("grep -c '^type=%s ' %s/found.txt", type,
	    ra_k.dir);
}

void
ra_write_log_conf(const char *extra)
{
	char text[4096];

	snprintf(text, sizeof(text),
	    "log_file = %s/log/audit.log\n"
	    "log_format = RAW\n"
	    "flush = incremental_async\n"
	    "freq = 100\n"
	    "priority_boost = 4\n"
	    "plugin_dir = %s/plugins.d\n"
	    "%s", ra_k.dir, ra_k.dir, extra);
	ra_write_file("auditd.conf", text);
}

void
ra_write_script(const char *name, const char *body)
{
	char path[256];

	ra_write_file(name, body);
	snprintf(path, sizeof(path), "%s/%s", ra_k.dir, name);
	assert_int_equal(chmod(path, 0755), 0);
}

void
ra_write_init_standin(void)
{
	char text[512];

	snprintf(text, sizeof(text), "#!/bin/sh\n"
	    "echo \"init $*\" >> %s/init.out\n", ra_k.dir);
	ra_write_script("init.sh", text);
	snprintf(text, sizeof(text), "init_command = %s/init.sh\n",
	    ra_k.dir);
	ra_write_ringauditd_conf(text);
}

void
ra_stream(unsigned n)
{
	ra_load_wait(ra_load_start(n, 20));
}

void
ra_state_report(void)
{
	char path[256];
	struct stat before, now;
	int i;

	snprintf(path, sizeof(path), "%s/auditd.state", ra_k.dir);
	if (stat(path, &before) < 0)
		memset(&before, 0, sizeof(before));
	assert_int_equal(kill(ra_k.daemon_pid, SIGCONT), 0);
	for (i = 0; i < 100; i++) {
		usleep(50000);
		if (stat(path, &now) == 0 && (now.st_ino != before.st_ino ||
		    now.st_mtim.tv_sec != before.st_mtim.tv_sec ||
		    now.st_mtim.tv_nsec != before.st_mtim.tv_nsec))
			return;
	}
	fail_msg("%s: no new state report 5 s after SIGCONT", path);
}

long
ra_state_value(const char *key)
{
	return ra_run_count("sed -n 's/^%s = \\([0-9]*\\).*/\\1/p' "
	    "%s/auditd.state", key, ra_k.dir);
}
