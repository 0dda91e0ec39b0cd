/*
 * ra_faultfs_mount.h - a test's side of ra_faultfs (ra_faultfs.c, the
 * FUSE file system that fails on demand): start it over a folder, say
 * which fault it plays, stop it.  Shared by the writer's and the
 * kernel's fault tests; what to do when it cannot run (skip, or fail
 * under CI) is each caller's.
 */
#ifndef RINGAUDIT_RA_FAULTFS_MOUNT_H
#define RINGAUDIT_RA_FAULTFS_MOUNT_H

#include <sys/types.h>

/* Why ra_faultfs cannot run here (no /dev/fuse, no program), or NULL. */
const char *ra_faultfs_missing(void);

/* CTL holds LINE from now on: written beside it and renamed over it, so
 * each request of the file system meets the old line or the new one,
 * whole.  0, or -errno. */
int ra_faultfs_ctl(const char *ctl, const char *line);

/* ra_faultfs serving BACK (made here) on MNT (a folder that exists), CTL
 * holding MODE; it dies with the caller.  Its pid once MNT is its root,
 * or -1 if it exited or did not mount within 5 s. */
pid_t ra_faultfs_start(const char *back, const char *mnt, const char *ctl,
    const char *mode);

/* Stop it (it unmounts MNT on SIGTERM) and wait for it; MNT is detached
 * if something kept it mounted.  *pid becomes 0; nothing if it was 0. */
void ra_faultfs_stop(pid_t *pid, const char *mnt);

#endif
