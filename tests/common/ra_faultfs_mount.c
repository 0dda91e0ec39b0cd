/*
 * ra_faultfs_mount.c - start, steer and stop ra_faultfs for a test
 * (ra_faultfs_mount.h).  The mount is ready when MNT is another file
 * system's root than its parent folder: a request made before the server
 * serves would wait for it.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ra_faultfs_mount.h"

#define START_TRIES 100
#define START_STEP_US 50000

const char *
ra_faultfs_missing(void)
{
	if (access("/dev/fuse", R_OK | W_OK) < 0)
		return "needs /dev/fuse";
	if (access(RA_FAULTFS_PATH, X_OK) < 0)
		return "needs " RA_FAULTFS_PATH;
	return NULL;
}

int
ra_faultfs_ctl(const char *ctl, const char *line)
{
	char tmp[PATH_MAX];
	FILE *f;
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.new", ctl) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	if ((f = fopen(tmp, "w")) == NULL)
		return -errno;
	rc = fprintf(f, "%s\n", line) < 0 ? -EIO : 0;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, ctl) < 0)
		rc = -errno;
	return rc;
}

/* MNT is the root of a file system other than its parent's. */
static int
mounted(const char *mnt)
{
	char parent[PATH_MAX];
	struct stat a, b;

	if (snprintf(parent, sizeof(parent), "%s/..", mnt) >=
	    (int)sizeof(parent))
		return 0;
	return stat(mnt, &a) == 0 && stat(parent, &b) == 0 &&
	    a.st_dev != b.st_dev;
}

pid_t
ra_faultfs_start(const char *back, const char *mnt, const char *ctl,
    const char *mode)
{
	pid_t pid;
	int i;

	if ((mkdir(back, 0700) < 0 && errno != EEXIST) ||
	    ra_faultfs_ctl(ctl, mode) < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(RA_FAULTFS_PATH, "ra_faultfs", "--ctl", ctl, back, mnt,
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < START_TRIES; i++) {
		if (mounted(mnt))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(START_STEP_US);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return -1;
}

void
ra_faultfs_stop(pid_t *pid, const char *mnt)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	waitpid(*pid, NULL, 0);
	*pid = 0;
	if (mounted(mnt))
		umount2(mnt, MNT_DETACH);
}
