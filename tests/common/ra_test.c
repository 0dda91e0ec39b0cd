/*
 * ra_test.c - see ra_test.h.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_test.h"

unsigned
ra_test_fixture_files(ra_test_file_fn fn, void *arg)
{
	struct dirent *de;
	char path[4096];
	unsigned n = 0;
	DIR *d;

	if ((d = opendir(RA_FIXTURES)) == NULL)
		fail_msg("%s: %s", RA_FIXTURES, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strstr(de->d_name, ".log") == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", RA_FIXTURES, de->d_name);
		fn(path, arg);
		n++;
	}
	closedir(d);
	return n;
}

struct lines_arg {
	ra_test_line_fn fn;
	void *arg;
};

static void
file_lines(const char *path, void *arg)
{
	struct lines_arg *la = arg;
	const char *file = strrchr(path, '/') + 1;
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		la->fn(file, lineno, line, (size_t)n, la->arg);
	}
	free(line);
	fclose(f);
}

unsigned
ra_test_fixture_lines(ra_test_line_fn fn, void *arg)
{
	struct lines_arg la = { fn, arg };

	return ra_test_fixture_files(file_lines, &la);
}

static const char *volatile guard_what = "?";

static void
on_alarm(int sig)
{
	const char *w = guard_what;

	(void)sig;
	if (write(2, "timed out (lost wake-up? stuck?) in ", 36) < 0 ||
	    write(2, w, strlen(w)) < 0 || write(2, "\n", 1) < 0) {
		/* nothing more to say */
	}
	_exit(1);
}

void
ra_test_guard(const char *what, unsigned seconds)
{
	guard_what = what;
	signal(SIGALRM, on_alarm);
	alarm(seconds);
}

void
ra_test_unguard(void)
{
	alarm(0);
}
