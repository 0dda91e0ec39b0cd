/*
 * ra_faultfs - a passthrough FUSE file system that fails on demand: the
 * broken or slow disk of the daemon's fault tests.
 *
 *   ra_faultfs [--ctl CTL] BACKING_DIR MOUNTPOINT
 *
 * MOUNTPOINT shows BACKING_DIR; every operation is made on the backing
 * files (the *at() calls, relative to one descriptor of BACKING_DIR, so
 * no path is ever joined), and an open file's handle is its backing
 * descriptor, opened with the caller's flags: an O_APPEND file appends
 * there too.  statfs is BACKING_DIR's, so free-space checks see the
 * backing file system.  Attribute and entry timeouts are 0 and there is
 * no writeback cache: a size is seen at once, and a write's error is
 * write(2)'s.  An unlinked open file stays open (hard_remove: no
 * .fuse_hidden files beside a rotated log).  Files are made by this
 * process, with the modes asked (its umask is 0; the kernel applied the
 * caller's).
 *
 * The faults: CTL, a file outside the mount (inside it, this process
 * would wait on itself; that is refused), holds one line:
 *
 *   ok            everything passes through (also: no CTL, no such file)
 *   eio           write and fsync/fdatasync fail with EIO, and so does
 *                 flush (close) of a file open for writing; reads and
 *                 metadata work
 *   enospc        write fails with ENOSPC
 *   delay MS      each write and fsync first sleeps MS milliseconds
 *   eio-after N   the next N writes pass, later ones fail with EIO
 *   eio-sync N MS each write and fsync first sleeps MS milliseconds, as
 *                 with delay; the next N fsyncs pass, the one after
 *                 fails with EIO, and the later ones pass again
 *
 * CTL is read again at each write, fsync and flush: each such request
 * meets the line CTL holds then, however quickly it was rewritten.  An
 * empty file (one caught between its truncation and its write) and a
 * line not understood (warned once) leave the fault as it was.
 * eio-after and eio-sync count from when their line appeared: CTL written again (a new
 * inode, mtime or line) starts it over.  Replacing CTL by rename(2) is
 * atomic and always gives a new inode; "echo eio > CTL" works as well.
 *
 * Counted, and printed to stderr on SIGUSR2 and at exit, in one line:
 *
 *   ra_faultfs: writes=N failed=N bytes=N fsyncs=N
 *
 * writes and failed are the write requests that passed and failed, bytes
 * what the passed ones wrote, fsyncs every fsync/fdatasync request, the
 * failed ones too.  They count the kernel's requests: a large write(2)
 * may come as several.
 *
 * One thread serves the mount (fuse_loop): nothing is locked, and a
 * delay holds every request behind it, as a slow disk does.  It runs in
 * the foreground and prints nothing else but errors.  The mount is ready
 * when mountpoint(1) says MOUNTPOINT is one: a request made before this
 * process serves it waits for it.  SIGTERM, SIGHUP or SIGINT (unless it
 * was ignored at start, as in a shell's background job) unmount it and
 * exit 0; exit status 2 on a usage error, 1 on others.
 */
#define FUSE_USE_VERSION 31

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

enum fault { FT_NONE, FT_EIO, FT_ENOSPC, FT_DELAY, FT_EIO_AFTER, FT_EIO_SYNC };

static const struct {
	const char	*word;
	enum fault	 fault;
	int		 nargs;		/* numbers after the word */
} faults[] = {
	{ "ok", FT_NONE, 0 },
	{ "eio", FT_EIO, 0 },
	{ "enospc", FT_ENOSPC, 0 },
	{ "delay", FT_DELAY, 1 },
	{ "eio-after", FT_EIO_AFTER, 1 },
	{ "eio-sync", FT_EIO_SYNC, 2 },
};

static struct {
	int		 root;		/* BACKING_DIR */
	const char	*ctl;		/* NULL: no faults */
	enum fault	 fault;
	unsigned long	 arg;		/* ms, or writes or syncs left */
	unsigned long	 arg2;		/* eio-sync's ms */
	char		 line[64];	/* CTL's line in force */
	char		 bad[64];	/* the last line warned of */
	struct stat	 st;		/* CTL when its line came */
} fs = { .root = -1 };

/*
 * Relaxed atomics: the one serving thread counts, the SIGUSR2 handler
 * reads them in between; a lock-free atomic is what a handler may read
 * whole.  No other memory is ordered by them.
 */
static _Atomic unsigned long n_writes, n_failed, n_bytes, n_fsyncs;

static void
count(_Atomic unsigned long *c, unsigned long n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* key=value, value in decimal, at p; async-signal-safe. */
static size_t
put_count(char *p, const char *key, _Atomic unsigned long *c)
{
	unsigned long v = atomic_load_explicit(c, memory_order_relaxed);
	char digits[24];
	size_t len = strlen(key), n = 0;

	memcpy(p, key, len);
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		p[len++] = digits[--n];
	return len;
}

/* The counters' line, by write(2) alone: SIGUSR2's handler calls it. */
static void
report(void)
{
	char line[160];
	size_t len = 0;
	int e = errno;

	len += put_count(line + len, "ra_faultfs: writes=", &n_writes);
	len += put_count(line + len, " failed=", &n_failed);
	len += put_count(line + len, " bytes=", &n_bytes);
	len += put_count(line + len, " fsyncs=", &n_fsyncs);
	line[len++] = '\n';
	(void)!write(STDERR_FILENO, line, len);
	errno = e;
}

static void
on_usr2(int sig)
{
	(void)sig;
	report();
}

/* A FUSE path, relative to BACKING_DIR: "/" is ".". */
static const char *
rel(const char *path)
{
	if (path == NULL)
		return "";	/* an unlinked file's: ENOENT */
	while (*path == '/')
		path++;
	return *path != '\0' ? path : ".";
}

/* 0 and the fault in *f, its numbers in arg[]; -EINVAL for a line not
 * understood. */
static int
ctl_parse(const char *s, enum fault *f, unsigned long arg[2])
{
	size_t i, len;
	int k;
	char *end;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		len = strlen(faults[i].word);
		if (strncmp(s, faults[i].word, len) != 0 ||
		    (s[len] != '\0' && s[len] != ' '))
			continue;
		s += len;
		*f = faults[i].fault;
		arg[0] = arg[1] = 0;
		for (k = 0; k < faults[i].nargs; k++) {
			if (*s != ' ' || s[1] < '0' || s[1] > '9')
				return -EINVAL;
			errno = 0;
			arg[k] = strtoul(s + 1, &end, 10);
			if (errno != 0)
				return -EINVAL;
			s = end;
		}
		return *s == '\0' ? 0 : -EINVAL;
	}
	return -EINVAL;
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* CTL read again; its line in force if it is new and understood. */
static void
ctl_check(void)
{
	char buf[sizeof(fs.line)];
	unsigned long arg[2];
	enum fault f;
	struct stat st;
	ssize_t n;
	int fd;

	if (fs.ctl == NULL)
		return;
	if ((fd = open(fs.ctl, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT) {
			fs.fault = FT_NONE;
			fs.line[0] = '\0';
		}
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0 && fstat(fd, &st) < 0)
		n = -1;
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	n = (ssize_t)strcspn(buf, "\n");
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t' ||
	    buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if (n == 0)
		return;
	if (strcmp(buf, fs.line) == 0 && same_file(&st, &fs.st))
		return;
	if (ctl_parse(buf, &f, arg) < 0) {
		if (strcmp(buf, fs.bad) != 0)
			fprintf(stderr, "ra_faultfs: %s: \"%s\" not "
			    "understood; the fault stays \"%s\"\n", fs.ctl,
			    buf, fs.line[0] != '\0' ? fs.line : "ok");
		strcpy(fs.bad, buf);
		return;
	}
	fs.fault = f;
	fs.arg = arg[0];
	fs.arg2 = arg[1];
	strcpy(fs.line, buf);
	fs.st = st;
	fs.bad[0] = '\0';
}

static void
nap(unsigned long ms)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ms / 1000),
		.tv_nsec = (long)(ms % 1000) * 1000000,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/* What a write meets before it is made: 0, or its error. */
static int
fault_write(void)
{
	ctl_check();
	switch (fs.fault) {
	case FT_EIO:
		return -EIO;
	case FT_ENOSPC:
		return -ENOSPC;
	case FT_DELAY:
		nap(fs.arg);
		return 0;
	case FT_EIO_AFTER:
		if (fs.arg == 0)
			return -EIO;
		fs.arg--;
		return 0;
	case FT_EIO_SYNC:
		nap(fs.arg2);
		return 0;
	default:
		return 0;
	}
}

static int
fault_sync(void)
{
	ctl_check();
	if (fs.fault == FT_EIO)
		return -EIO;
	if (fs.fault == FT_DELAY)
		nap(fs.arg);
	if (fs.fault == FT_EIO_SYNC) {
		nap(fs.arg2);
		/* Once: then the count is past any a test would reach. */
		if (fs.arg == 0) {
			fs.arg = ULONG_MAX;
			return -EIO;
		}
		if (fs.arg != ULONG_MAX)
			fs.arg--;
	}
	return 0;
}

static int
rc(int r)
{
	return r < 0 ? -errno : 0;
}

/* ---- the operations ---- */

static void *
ff_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->use_ino = 1;
	cfg->hard_remove = 1;
	cfg->nullpath_ok = 1;
	cfg->direct_io = 0;
	cfg->kernel_cache = 0;
	cfg->auto_cache = 0;
	return NULL;
}

static int
ff_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	if (fi != NULL)
		return rc(fstat((int)fi->fh, st));
	return rc(fstatat(fs.root, rel(path), st, AT_SYMLINK_NOFOLLOW));
}

static int
ff_access(const char *path, int mask)
{
	return rc(faccessat(fs.root, rel(path), mask, 0));
}

static int
ff_readlink(const char *path, char *buf, size_t size)
{
	ssize_t n;

	if (size == 0)
		return -EINVAL;
	if ((n = readlinkat(fs.root, rel(path), buf, size - 1)) < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* A folder's handle is its DIR: with nullpath_ok, readdir has no path. */
static int
ff_opendir(const char *path, struct fuse_file_info *fi)
{
	int fd = openat(fs.root, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return -errno;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -errno;
	}
	fi->fh = (uint64_t)(uintptr_t)d;
	return 0;
}

/* Offsets of 0 to the filler: the library asks once, for the whole list. */
static int
ff_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	DIR *d = (DIR *)(uintptr_t)fi->fh;
	struct dirent *de;

	(void)path, (void)off, (void)flags;
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		struct stat st = {
			.st_ino = de->d_ino,
			.st_mode = (mode_t)DTTOIF(de->d_type),
		};

		if (filler(buf, de->d_name, &st, 0, 0) != 0)
			break;
	}
	return 0;
}

static int
ff_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	closedir((DIR *)(uintptr_t)fi->fh);
	return 0;
}

static int
ff_mkdir(const char *path, mode_t mode)
{
	return rc(mkdirat(fs.root, rel(path), mode));
}

static int
ff_unlink(const char *path)
{
	return rc(unlinkat(fs.root, rel(path), 0));
}

static int
ff_rmdir(const char *path)
{
	return rc(unlinkat(fs.root, rel(path), AT_REMOVEDIR));
}

static int
ff_symlink(const char *target, const char *path)
{
	return rc(symlinkat(target, fs.root, rel(path)));
}

static int
ff_rename(const char *from, const char *to, unsigned flags)
{
	return rc(renameat2(fs.root, rel(from), fs.root, rel(to), flags));
}

static int
ff_link(const char *from, const char *to)
{
	return rc(linkat(fs.root, rel(from), fs.root, rel(to), 0));
}

static int
ff_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	if (fi != NULL)
		return rc(fchmod((int)fi->fh, mode));
	return rc(fchmodat(fs.root, rel(path), mode, 0));
}

static int
ff_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	if (fi != NULL)
		return rc(fchown((int)fi->fh, uid, gid));
	return rc(fchownat(fs.root, rel(path), uid, gid,
	    AT_SYMLINK_NOFOLLOW));
}

static int
ff_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	int fd, r;

	if (fi != NULL)
		return rc(ftruncate((int)fi->fh, size));
	if ((fd = openat(fs.root, rel(path), O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	r = rc(ftruncate(fd, size));
	close(fd);
	return r;
}

static int
ff_utimens(const char *path, const struct timespec ts[2],
    struct fuse_file_info *fi)
{
	if (fi != NULL)
		return rc(futimens((int)fi->fh, ts));
	return rc(utimensat(fs.root, rel(path), ts, AT_SYMLINK_NOFOLLOW));
}

static int
ff_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int fd = openat(fs.root, rel(path), fi->flags | O_CLOEXEC, mode);

	if (fd < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	return 0;
}

/* The caller's flags, O_APPEND with them: pwrite(2) then appends. */
static int
ff_open(const char *path, struct fuse_file_info *fi)
{
	int fd = openat(fs.root, rel(path), fi->flags | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	return 0;
}

static int
ff_read(const char *path, char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	ssize_t n = pread((int)fi->fh, buf, size, off);

	(void)path;
	return n < 0 ? -errno : (int)n;
}

static int
ff_write(const char *path, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	ssize_t n;
	int r;

	(void)path;
	if ((r = fault_write()) == 0) {
		n = pwrite((int)fi->fh, buf, size, off);
		r = n < 0 ? -errno : (int)n;
	}
	if (r < 0) {
		count(&n_failed, 1);
	} else {
		count(&n_writes, 1);
		count(&n_bytes, (unsigned long)r);
	}
	return r;
}

static int
ff_statfs(const char *path, struct statvfs *sv)
{
	(void)path;
	return rc(fstatvfs(fs.root, sv));
}

/*
 * close(2) of one of the caller's descriptors; the handle stays open.
 * A flush request carries no open flags: the backing descriptor has them.
 */
static int
ff_flush(const char *path, struct fuse_file_info *fi)
{
	int fl = fcntl((int)fi->fh, F_GETFL);

	(void)path;
	if (fl >= 0 && (fl & O_ACCMODE) != O_RDONLY) {
		ctl_check();
		if (fs.fault == FT_EIO)
			return -EIO;
	}
	return rc(close(dup((int)fi->fh)));
}

static int
ff_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close((int)fi->fh);
	return 0;
}

static int
ff_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	int r;

	(void)path;
	count(&n_fsyncs, 1);
	if ((r = fault_sync()) < 0)
		return r;
	return rc(datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh));
}

static const struct fuse_operations ops = {
	.init		= ff_init,
	.getattr	= ff_getattr,
	.access		= ff_access,
	.readlink	= ff_readlink,
	.opendir	= ff_opendir,
	.readdir	= ff_readdir,
	.releasedir	= ff_releasedir,
	.mkdir		= ff_mkdir,
	.unlink		= ff_unlink,
	.rmdir		= ff_rmdir,
	.symlink	= ff_symlink,
	.rename		= ff_rename,
	.link		= ff_link,
	.chmod		= ff_chmod,
	.chown		= ff_chown,
	.truncate	= ff_truncate,
	.utimens	= ff_utimens,
	.create		= ff_create,
	.open		= ff_open,
	.read		= ff_read,
	.write		= ff_write,
	.statfs		= ff_statfs,
	.flush		= ff_flush,
	.release	= ff_release,
	.fsync		= ff_fsync,
};

/* ---- start-up ---- */

/*
 * Whether CTL lies in the mount: this process would then read it through
 * itself, and wait forever.  Its folder must exist; CTL itself need not.
 */
static int
ctl_inside(const char *ctl, const char *mnt)
{
	char dir[PATH_MAX], rdir[PATH_MAX], rmnt[PATH_MAX];
	char *slash;
	size_t len;

	if (strlen(ctl) >= sizeof(dir))
		return 1;
	strcpy(dir, ctl);
	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (realpath(dir, rdir) == NULL || realpath(mnt, rmnt) == NULL)
		return 1;
	len = strlen(rmnt);
	return strcmp(rmnt, "/") == 0 || (strncmp(rdir, rmnt, len) == 0 &&
	    (rdir[len] == '\0' || rdir[len] == '/'));
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: ra_faultfs [--ctl CTL] BACKING_DIR "
	    "MOUNTPOINT\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct sigaction sa;
	struct fuse *f = NULL;
	const char *mnt;
	int i = 1, status = 1, r;

	if (argc == 5 && strcmp(argv[1], "--ctl") == 0) {
		fs.ctl = argv[2];
		i = 3;
	}
	if (argc - i != 2 || argv[i][0] == '-')
		usage();
	mnt = argv[i + 1];
	fs.root = open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs.root < 0) {
		fprintf(stderr, "ra_faultfs: %s: %s\n", argv[i],
		    strerror(errno));
		return 1;
	}
	if (fs.ctl != NULL && ctl_inside(fs.ctl, mnt)) {
		fprintf(stderr, "ra_faultfs: %s: not outside %s, or no such "
		    "folder\n", fs.ctl, mnt);
		return 1;
	}
	umask(0);
	if (fuse_opt_add_arg(&args, "ra_faultfs") != 0 ||
	    fuse_opt_add_arg(&args, "-odefault_permissions,"
	    "fsname=ra_faultfs,subtype=ra_faultfs") != 0) {
		fprintf(stderr, "ra_faultfs: out of memory\n");
		goto out;
	}
	/* No SA_RESTART: the wait for a request ends, and the loop waits
	 * again (a sanitizer that defers handlers runs this one then). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr2;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	if ((f = fuse_new(&args, &ops, sizeof(ops), NULL)) == NULL)
		goto out;
	/* Before the mount: a stop that comes early unmounts too. */
	if (fuse_set_signal_handlers(fuse_get_session(f)) != 0)
		goto out;
	if (fuse_mount(f, mnt) != 0)
		goto out_signals;
	/* A signal's stop leaves its number as the loop's result. */
	r = fuse_loop(f);
	status = r == 0 || r == SIGTERM || r == SIGINT || r == SIGHUP ? 0 : 1;
	report();
	fuse_unmount(f);
out_signals:
	fuse_remove_signal_handlers(fuse_get_session(f));
out:
	if (f != NULL)
		fuse_destroy(f);
	fuse_opt_free_args(&args);
	close(fs.root);
	return status;
}
