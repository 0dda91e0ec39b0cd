/*
 * sample.c - one reading of the daemon: connect to its control socket,
 * read until it closes, and keep each sample line as name and value.
 * Comments (HELP, TYPE) are skipped; a line that is no sample makes the
 * whole answer refused, so that a wrong socket is said, not drawn.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "top/top.h"

static char answer[TOP_ANSWER_MAX];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The whole answer, or -errno; waits at most 2 s for a daemon that
 * does not answer. */
static ssize_t
fetch(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = 0;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto err;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if ((rc = poll(&p, 1, 2000)) <= 0) {
			errno = rc == 0 ? ETIMEDOUT : errno;
			goto err;
		}
		n = read(fd, answer + len, sizeof(answer) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto err;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == sizeof(answer) - 1) {
			errno = EFBIG;
			goto err;
		}
	}
	close(fd);
	answer[len] = '\0';
	return (ssize_t)len;
err:
	rc = -errno;
	close(fd);
	return rc;
}

static int
parse_line(struct top_sample *s, char *line)
{
	char *sp = strrchr(line, ' '), *end;
	size_t len;

	if (sp == NULL || sp == line)
		return -EPROTO;
	len = (size_t)(sp - line);
	if (len >= TOP_NAME_MAX || s->n == TOP_METRICS_MAX)
		return 0;	/* not shown, not wrong */
	s->m[s->n].v = strtod(sp + 1, &end);
	if (end == sp + 1 || *end != '\0')
		return -EPROTO;
	memcpy(s->m[s->n].name, line, len);
	s->m[s->n].name[len] = '\0';
	s->n++;
	return 0;
}

int
top_sample_read(struct top_sample *s, const char *path)
{
	ssize_t len = fetch(path);
	char *line, *save = NULL;

	if (len < 0)
		return (int)len;
	s->n = 0;
	s->t = now();
	for (line = strtok_r(answer, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (parse_line(s, line) < 0)
			return -EPROTO;
	}
	return s->n == 0 ? -EPROTO : 0;
}

double
top_get(const struct top_sample *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->m[i].name, name) == 0)
			return s->m[i].v;
	return NAN;
}

int
top_next(const struct top_sample *s, const char *prefix, int *i)
{
	size_t plen = strlen(prefix);

	for (size_t k = (size_t)(*i + 1); k < s->n; k++)
		if (strncmp(s->m[k].name, prefix, plen) == 0) {
			*i = (int)k;
			return *i;
		}
	return -1;
}
