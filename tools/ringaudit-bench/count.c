/*
 * count.c - the daemon's side of a run, seen from outside: the events it
 * wrote to its log, and its CPU time and memory from /proc.
 *
 * The log is audit.log and, when the daemon rotates during a run, the
 * audit.log.N files it renamed.  Files are followed by inode, each with
 * the offset read so far: a rename keeps the inode, so a rotated file is
 * read on from where its read stopped, and a new audit.log is read from
 * its start.  Whatever the files held when the counter was made is not
 * read at all, and a numbered file older than that (by mtime) is skipped.
 * Only complete lines are read; a line the daemon is still writing waits
 * for the next poll.
 *
 * An event is a SYSCALL record carrying key="KEY" (a CONFIG_CHANGE for
 * the rule carries the key too, and is not one).  Events are counted
 * once per serial (msg=audit(SEC.MS:SERIAL)), in an open-addressing set,
 * so a record a daemon wrote twice shows as a duplicate, not an event.
 * A sweep runs several times under one rule: each run opens a window at
 * its start time, and an event stamped before it is a late one of an
 * earlier run (stale), not one of this run.
 *
 * The counter is polled after the generator stopped, not while it runs:
 * scanning tens of MB/s of log would take the CPU the daemon and the
 * generator share on a small machine.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "common/log.h"
#include "parse/parse.h"

#define LC_CHUNK (1u << 20)
#define LC_MAX_FILES 1024

struct lc_file {
	dev_t dev;
	ino_t ino;
	off_t off;
};

struct rb_logcount {
	char dir[PATH_MAX];
	char base[NAME_MAX + 1];
	size_t baselen;
	char needle[320];
	size_t needlelen;
	int64_t since_ns;		/* realtime, at create */
	struct lc_file *files;
	size_t nfiles;
	uint64_t *set;			/* serial + 1; 0 is empty */
	size_t setcap, setlen;
	uint64_t window_ms;
	struct rb_counts c;
	char *buf;
};

static int64_t
ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000ll + ts->tv_nsec;
}

/* PATH itself, or PATH.N with N digits. */
static bool
is_log_name(const struct rb_logcount *lc, const char *name)
{
	const char *p;

	if (strncmp(name, lc->base, lc->baselen) != 0)
		return false;
	p = name + lc->baselen;
	if (*p == '\0')
		return true;
	if (*p++ != '.' || *p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static struct lc_file *
find_file(struct rb_logcount *lc, const struct stat *sb)
{
	size_t i;

	for (i = 0; i < lc->nfiles; i++)
		if (lc->files[i].dev == sb->st_dev &&
		    lc->files[i].ino == sb->st_ino)
			return &lc->files[i];
	return NULL;
}

static struct lc_file *
add_file(struct rb_logcount *lc, const struct stat *sb, off_t off)
{
	struct lc_file *f;

	if (lc->nfiles == LC_MAX_FILES)
		return NULL;
	f = &lc->files[lc->nfiles++];
	f->dev = sb->st_dev;
	f->ino = sb->st_ino;
	f->off = off;
	return f;
}

static int
set_grow(struct rb_logcount *lc)
{
	size_t cap = lc->setcap ? lc->setcap * 2 : 1u << 16, i;
	uint64_t *n = calloc(cap, sizeof(*n)), *old = lc->set;

	if (n == NULL)
		return -ENOMEM;
	lc->set = n;
	lc->setcap = cap;
	lc->setlen = 0;
	for (i = 0; old != NULL && i < cap / 2; i++) {
		if (old[i] != 0) {
			size_t h = (size_t)((old[i] * 0x9E3779B97F4A7C15ull) >>
			    20) & (cap - 1);

			while (n[h] != 0)
				h = (h + 1) & (cap - 1);
			n[h] = old[i];
			lc->setlen++;
		}
	}
	free(old);
	return 0;
}

/* True if the serial was new. */
static bool
set_add(struct rb_logcount *lc, uint64_t serial)
{
	uint64_t k = serial + 1;
	size_t h;

	if (lc->setlen * 2 >= lc->setcap && set_grow(lc) < 0)
		return true;	/* out of memory: count, don't dedupe */
	h = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & (lc->setcap - 1);
	while (lc->set[h] != 0) {
		if (lc->set[h] == k)
			return false;
		h = (h + 1) & (lc->setcap - 1);
	}
	lc->set[h] = k;
	lc->setlen++;
	return true;
}

/* One line that holds the key; false if it is not a SYSCALL record. */
static bool
count_line(struct rb_logcount *lc, const char *ls, const char *hit)
{
	static const char tag[] = "type=SYSCALL msg=";
	const char *p = memmem(ls, (size_t)(hit - ls), tag, sizeof(tag) - 1);
	struct parse_hdr h;

	/* At the start, or after "node=NAME " (name_format). */
	if (p == NULL || (p != ls && p[-1] != ' '))
		return false;
	p += sizeof(tag) - 1;
	if (parse_header(p, (size_t)(hit - p), &h) < 0)
		return false;
	if (!set_add(lc, h.serial))
		lc->c.dups++;
	else if (h.sec * 1000 + h.msec < lc->window_ms)
		lc->c.stale++;
	else
		lc->c.events++;
	return true;
}

/* Whole lines in buf[0..n): the events; returns the bytes consumed. */
static size_t
scan(struct rb_logcount *lc, const char *buf, size_t n, bool *found)
{
	const char *end, *p = buf, *hit, *ls;

	end = memrchr(buf, '\n', n);
	if (end == NULL)
		return n == LC_CHUNK ? n : 0;	/* a line longer: skip it */
	end++;
	while (p < end && (hit = memmem(p, (size_t)(end - p), lc->needle,
	    lc->needlelen)) != NULL) {
		ls = memrchr(buf, '\n', (size_t)(hit - buf));
		ls = ls != NULL ? ls + 1 : buf;
		if (count_line(lc, ls, hit))
			*found = true;
		p = memchr(hit, '\n', (size_t)(end - hit));
		p = p != NULL ? p + 1 : end;
	}
	return (size_t)(end - buf);
}

static int
read_file(struct rb_logcount *lc, int dfd, const char *name)
{
	struct lc_file *f;
	struct stat sb;
	bool found = false;
	ssize_t n;
	size_t used;
	int fd, rc = 0;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;	/* rotated away */
	if (fstat(fd, &sb) < 0) {
		rc = -errno;
		goto out;
	}
	if ((f = find_file(lc, &sb)) == NULL) {
		/* Older than the run: an old rotated log, not ours. */
		if (ts_ns(&sb.st_mtim) < lc->since_ns)
			goto out;
		if ((f = add_file(lc, &sb, 0)) == NULL) {
			rc = -EMFILE;
			goto out;
		}
	}
	if (sb.st_size < f->off)
		f->off = 0;	/* truncated: a new file in the same inode */
	for (;;) {
		n = pread(fd, lc->buf, LC_CHUNK, f->off);
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		used = scan(lc, lc->buf, (size_t)n, &found);
		f->off += (off_t)used;
		if (used == 0)
			break;	/* only a partial line: the next poll */
	}
	/* After reading: no earlier than the last event read was written,
	 * and no later than now. */
	if (found && fstat(fd, &sb) == 0 &&
	    ts_ns(&sb.st_mtim) > lc->c.last_write_ns)
		lc->c.last_write_ns = ts_ns(&sb.st_mtim);
out:
	close(fd);
	return rc;
}

static int
walk(struct rb_logcount *lc, bool initial)
{
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int rc = 0, r;

	d = opendir(lc->dir);
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (!is_log_name(lc, de->d_name))
			continue;
		if (initial) {
			/* What is there now is not this run's. */
			if (fstatat(dirfd(d), de->d_name, &sb, 0) == 0 &&
			    S_ISREG(sb.st_mode) && find_file(lc, &sb) == NULL)
				add_file(lc, &sb, sb.st_size);
			continue;
		}
		if ((r = read_file(lc, dirfd(d), de->d_name)) < 0 && rc == 0)
			rc = r;
	}
	closedir(d);
	return rc;
}

int
rb_logcount_create(struct rb_logcount **out, const char *path,
    const char *key)
{
	struct rb_logcount *lc;
	const char *slash = strrchr(path, '/');
	int rc;

	lc = calloc(1, sizeof(*lc));
	if (lc == NULL)
		return -ENOMEM;
	if (slash == NULL) {
		strcpy(lc->dir, ".");
		slash = path - 1;
	} else if (slash == path) {
		strcpy(lc->dir, "/");
	} else if ((size_t)(slash - path) < sizeof(lc->dir)) {
		memcpy(lc->dir, path, (size_t)(slash - path));
	} else {
		rc = -ENAMETOOLONG;
		goto err;
	}
	if (strlen(slash + 1) == 0 || strlen(slash + 1) > NAME_MAX) {
		rc = -EINVAL;
		goto err;
	}
	strcpy(lc->base, slash + 1);
	lc->baselen = strlen(lc->base);
	lc->needlelen = (size_t)snprintf(lc->needle, sizeof(lc->needle),
	    "key=\"%s\"", key);
	lc->since_ns = (int64_t)clock_real_ns();
	lc->files = calloc(LC_MAX_FILES, sizeof(*lc->files));
	lc->buf = malloc(LC_CHUNK);
	if (lc->files == NULL || lc->buf == NULL || set_grow(lc) < 0) {
		rc = -ENOMEM;
		goto err;
	}
	if ((rc = walk(lc, true)) < 0)
		goto err;
	*out = lc;
	return 0;
err:
	rb_logcount_destroy(lc);
	return rc;
}

void
rb_logcount_destroy(struct rb_logcount *lc)
{
	if (lc == NULL)
		return;
	free(lc->files);
	free(lc->buf);
	free(lc->set);
	free(lc);
}

int
rb_logcount_poll(struct rb_logcount *lc)
{
	return walk(lc, false);
}

void
rb_logcount_window(struct rb_logcount *lc, uint64_t from_ms)
{
	lc->window_ms = from_ms;
	lc->c.events = lc->c.dups = lc->c.stale = 0;
	lc->c.last_write_ns = 0;
}

void
rb_logcount_get(struct rb_logcount *lc, struct rb_counts *c)
{
	*c = lc->c;
}

int
rb_proc_cpu(pid_t pid, double *secs)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EPROTO;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields follow the last ')'.
	 * After it: state (3) ... utime (14), stime (15). */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu", &ut, &st) != 2)
		return -EPROTO;
	*secs = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	return 0;
}

int
rb_proc_mem(pid_t pid, uint64_t *rss_kb, uint64_t *hwm_kb, uint64_t *data_kb)
{
	char path[64], line[256];
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -errno;
	*rss_kb = *hwm_kb = 0;
	if (data_kb != NULL)
		*data_kb = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmRSS: %llu", &v) == 1)
			*rss_kb = v;
		else if (sscanf(line, "VmHWM: %llu", &v) == 1)
			*hwm_kb = v;
		else if (data_kb != NULL &&
		    sscanf(line, "VmData: %llu", &v) == 1)
			*data_kb = v;
	}
	fclose(f);
	return 0;
}

void
rb_proc_name(pid_t pid, char *comm, size_t commlen, char *exe, size_t exelen)
{
	char path[64];
	ssize_t n;
	FILE *f;

	snprintf(comm, commlen, "?");
	snprintf(exe, exelen, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((f = fopen(path, "re")) != NULL) {
		if (fgets(comm, (int)commlen, f) != NULL)
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((n = readlink(path, exe, exelen - 1)) > 0)
		exe[n] = '\0';
}
