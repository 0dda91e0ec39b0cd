/*
 * log.h - the daemon's own messages (not audit records): to stderr when in
 * the foreground, to syslog otherwise, as OpenBSD daemons do.  Nothing is
 * logged per record; callers rate-limit repeated errors (log_ratelimit).
 */
#ifndef RINGAUDIT_LOG_H
#define RINGAUDIT_LOG_H

#include <stdbool.h>
#include <stdint.h>

void log_init(const char *ident, bool to_stderr, bool to_syslog);
void log_set_debug(bool on);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* auditd's own priorities, for the lines an admin's rules look for
 * (README, "Syslog"): LOG_NOTICE, LOG_ERR, LOG_ALERT. */
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_alert(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* LOG_CRIT, and going on (fatalx is LOG_CRIT and exits). */
void log_critx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* A token bucket: true at most 'burst' times per 'interval_ns'. */
struct log_ratelimit {
	uint64_t interval_ns;
	uint64_t window_start;
	unsigned burst;
	unsigned used;
	uint64_t suppressed;
};

bool log_ratelimit_ok(struct log_ratelimit *rl);

/* CLOCK_MONOTONIC and CLOCK_REALTIME in nanoseconds. */
uint64_t clock_mono_ns(void);
uint64_t clock_real_ns(void);

#endif
