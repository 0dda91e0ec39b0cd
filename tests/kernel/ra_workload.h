/*
 * ra_workload.h - what ra_workload's two files share: the ids no name
 * has, the complaint counter, and the modes ra_workload_net.c holds.
 */
#ifndef RINGAUDIT_RA_WORKLOAD_H
#define RINGAUDIT_RA_WORKLOAD_H

#include <stddef.h>

/* Ids no user or group has (the test checks): their names are
 * "unknown(N)". */
#define RA_WL_UID	54321
#define RA_WL_GID	54322
#define RA_WL_EUID	54323

extern const char *wl_prog;

/* Say what went wrong on stderr and count it: the exit status is 1. */
void wl_complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A step that must work: complain with errno if rc < 0; returns rc. */
long wl_must(long rc, const char *what);
/* buf = dir/name, or exit 2 if it does not fit. */
void wl_path_in(char *buf, size_t len, const char *dir, const char *name);

/* ra_workload_net.c: connect/bind/sendto of every family, and
 * user-space records through NETLINK_AUDIT. */
int wl_net(const char *dir);
int wl_usermsg(void);

#endif
