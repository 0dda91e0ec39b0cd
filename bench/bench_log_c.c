/*
 * bench_log_c.c - the typical SYSCALL line the writer and pipeline
 * benchmarks write, numbered by serial, and the check that reads a log
 * back and finds every line, in order.  The check runs outside the timed
 * part of a benchmark.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_log.h"

#define LINE_PFX "type=SYSCALL msg=audit(1700000000.123:"
#define LINE_SFX "): " RA_BENCH_SYSCALL_BODY "\n"
#define LIT_LEN(s) (sizeof(s) - 1)

_Static_assert(LIT_LEN(LINE_PFX) + 10 + LIT_LEN(LINE_SFX) <=
    RA_BENCH_LINE_MAX, "RA_BENCH_LINE_MAX too small");

size_t
ra_bench_syscall_line(char *buf, uint32_t serial)
{
	char digits[10];
	size_t n = 0, len;

	do {
		digits[n++] = (char)('0' + serial % 10);
		serial /= 10;
	} while (serial != 0);
	memcpy(buf, LINE_PFX, LIT_LEN(LINE_PFX));
	len = LIT_LEN(LINE_PFX);
	while (n > 0)
		buf[len++] = digits[--n];
	memcpy(buf + len, LINE_SFX, LIT_LEN(LINE_SFX));
	return len + LIT_LEN(LINE_SFX);
}

static int
slurp(const char *path, char **out, size_t *len)
{
	struct stat sb;
	char *p;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &sb) < 0) {
		rc = -errno;
		goto out;
	}
	if ((p = malloc((size_t)sb.st_size + 1)) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	*len = 0;
	while (*len < (size_t)sb.st_size) {
		ssize_t n = read(fd, p + *len, (size_t)sb.st_size - *len);

		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			free(p);
			goto out;
		}
		*len += (size_t)n;
	}
	*out = p;
out:
	close(fd);
	return rc;
}

int
ra_bench_log_check(const char *path, struct ra_bench_log_lines *c)
{
	const char *p, *end, *nl;
	uint64_t want = 1;
	size_t len = 0;
	char *buf = NULL;
	int rc;

	c->lines = c->bad = 0;
	if ((rc = slurp(path, &buf, &len)) < 0)
		return rc;
	for (p = buf, end = buf + len; p < end; p = nl + 1) {
		uint64_t serial = 0;
		const char *q;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			c->bad++;
			break;
		}
		c->lines++;
		q = p + LIT_LEN(LINE_PFX);
		if (q >= nl || memcmp(p, LINE_PFX, LIT_LEN(LINE_PFX)) != 0) {
			c->bad++;
			continue;
		}
		while (q < nl && *q >= '0' && *q <= '9')
			serial = serial * 10 + (uint64_t)(*q++ - '0');
		if (q >= nl || *q != ')' || serial != want)
			c->bad++;
		want = serial + 1;
	}
	free(buf);
	return 0;
}
