/*
 * ra_kernel.h - what the kernel tests share: the lock that keeps them one
 * at a time, ringauditd started as the real audit daemon, a rule and a
 * load on getpriority for this test's children only, and the clean-up
 * that every exit path runs (the daemon stopped, the rules deleted, the
 * kernel's enabled flag put back).  Include after <cmocka.h>.
 */
#ifndef RINGAUDIT_RA_KERNEL_H
#define RINGAUDIT_RA_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ra_k {
	char dir[64];		/* this test's folder: auditd.conf, log/ */
	char key[64];		/* the rule's key */
	pid_t daemon_pid;	/* ringauditd -n, our child; 0 if none */
	pid_t listener_pid;	/* a second one, ingest = multicast */
	char listener_dir[96];	/* its folder, in dir */
	bool rule_loaded;
	unsigned enabled_before;
	unsigned backlog_limit_before;
	unsigned backlog_wait_time_before;
	bool status_saved;	/* the three above were read */
};

extern struct ra_k ra_k;

int ra_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The first line of a command's output as a number, or -1. */
long ra_run_count(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* 77 to skip, or 1 in CI (RA_REQUIRE_KERNEL), saying why. */
int ra_skip_or_fail(const char *why);

/*
 * Root, auditctl and ausearch, an audit subsystem that is not locked, the
 * lock taken, the clean-up armed for signals and an alarm.  The kernel's
 * backlog_limit is raised to 8192 (Debian's audit.rules sets that) for
 * the run: at the kernel's default of 64 a burst makes the generator wait
 * in audit_log_start, and a lost wake-up there costs backlog_wait_time
 * (60 s).  0, or the code the program should exit with.
 */
int ra_kernel_begin(unsigned alarm_seconds);
void ra_kernel_restore(void);

/* cmocka setup and teardown: a fresh ra_k.dir with log/ and plugins.d/. */
int ra_kernel_setup(void **state);
int ra_kernel_teardown(void **state);

/*
 * ringauditd FLAG -c ra_k.dir, stderr and stdout to ra_k.dir/stderr and
 * ra_k.dir/stdout; true once it is the registered audit daemon, false
 * with a reason if it exited (the caller decides whether a refusal
 * skips).
 */
bool ra_daemon_start(const char *flag, char *why, size_t whylen);
/* SIGTERM, wait; returns the exit status (-1 if killed). */
int ra_daemon_stop(void);

/*
 * A second ringauditd beside the first: ringauditd -n -c ra_k.dir/SUB
 * (made, with log/ in it, and auditd_conf and ringauditd_conf written
 * there; "@D" in them is that folder), stderr and stdout in it.  It
 * registers nothing, so it is ready when it says it listens; false with
 * the reason if it exited first.  Stopped by ra_kernel_restore too.
 */
bool ra_listener_start(const char *sub, const char *auditd_conf,
    const char *ringauditd_conf, char *why, size_t whylen);
/* SIGCONT (it may be stopped), SIGTERM, wait; the exit status. */
int ra_listener_stop(void);
/* A forked daemon is not our child: find it through the kernel. */
void ra_stop_registered_ringauditd(void);

/*
 * ra_k.dir/ringauditd.conf: the pid file and the state report in
 * ra_k.dir, then 'extra' (lines, may be NULL).
 */
void ra_write_ringauditd_conf(const char *extra);
/* ra_k.dir/NAME with the text, mode 0600 (auditd.conf must be so). */
void ra_write_file(const char *name, const char *text);

/*
 * ra_k.dir/auditd.conf logging RAW to ra_k.dir/log/audit.log, flush =
 * incremental_async, freq 100, plugins in ra_k.dir/plugins.d, then
 * 'extra' (lines).
 */
void ra_write_log_conf(const char *extra);
/* ra_k.dir/NAME, root's and 0755: a stand-in auditd will run. */
void ra_write_script(const char *name, const char *body);
/*
 * ra_k.dir/ringauditd.conf naming ra_k.dir/init.sh as init_command: a
 * stand-in that adds "init ARGS" to ra_k.dir/init.out.
 */
void ra_write_init_standin(void);
/*
 * SIGCONT, and ra_k.dir/auditd.state written anew (5 s at most); then a
 * number from it ("KEY = N"), or -1.
 */
void ra_state_report(void);
long ra_state_value(const char *key);

/* A rule on getpriority for this process's children, keyed ra_k.key. */
void ra_rule_add(void);
void ra_rule_delete(void);

/* ra_k.key = "PREFIX_WHAT_PID", ringauditd -n registered, the rule added;
 * a refusal fails the test. */
void ra_start(const char *prefix, const char *what);

/*
 * n getpriority calls from a child: as fast as it can (per_ms 0), or a
 * steady stream of about per_ms a millisecond.  ra_load_start leaves it
 * running and returns its pid; ra_load_wait waits for it to succeed.
 */
pid_t ra_load_start(unsigned n, unsigned per_ms);
void ra_load_wait(pid_t pid);
/* n events at about 20 a millisecond: a stream, not a burst. */
void ra_stream(unsigned n);
void ra_make_calls(unsigned n);

/* A kernel test program's main: ra_kernel_begin, the tests (each with
 * ra_kernel_setup/teardown), ra_kernel_restore; its exit code. */
#define ra_kernel_main(tests) \
	ra_kernel_run(#tests, (tests), sizeof(tests) / sizeof((tests)[0]))
int ra_kernel_run(const char *name, const struct CMUnitTest *tests,
    size_t n);

/*
 * ra_k.dir/all.log: every log in ra_k.dir/log, oldest first (audit.log.N
 * ... audit.log.1, audit.log).  Returns how many numbered logs there were.
 */
unsigned ra_concat_logs(void);
/* SYSCALL records with ra_k.key in a file, and those seen twice. */
long ra_key_events(const char *file);
long ra_duplicate_serials(const char *file);
/*
 * Wait (10 s at most) until a file holds n of our events: the kernel
 * delivers them after the calls return, and a signal sent before they
 * arrived would act before them.
 */
void ra_wait_key_events(const char *file, long n);
/*
 * ausearch -m TYPES (comma separated) over a file, once, into
 * ra_k.dir/found.txt; then how many records of one type it found.
 */
void ra_ausearch(const char *file, const char *types);
long ra_found(const char *type);

#endif
