/*
 * fuzz_util.h - what the harnesses share: a private temporary folder,
 * made once per process and removed at exit, and a file in it rewritten
 * with each input.  Nothing outside that folder is written.
 */
#ifndef RINGAUDIT_FUZZ_UTIL_H
#define RINGAUDIT_FUZZ_UTIL_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char fuzz_dir[] = "/tmp/ra-fuzz.XXXXXX";
static char fuzz_sub[sizeof(fuzz_dir) + 64];
static char fuzz_path[sizeof(fuzz_sub) + 64];

static inline void
fuzz_cleanup(void)
{
	unlink(fuzz_path);
	if (fuzz_sub[0] != '\0')
		rmdir(fuzz_sub);
	rmdir(fuzz_dir);
}

/*
 * The folder, DIR[/sub], and the file's path in it.  The daemon's
 * messages go nowhere: they would drown libFuzzer's.
 */
static inline void
fuzz_init(const char *sub, const char *file)
{
	log_init("fuzz", false, false);
	if (parse_init() < 0)
		abort();
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(fuzz_sub, sizeof(fuzz_sub), "%s", fuzz_dir);
	if (sub != NULL) {
		snprintf(fuzz_sub, sizeof(fuzz_sub), "%s/%s", fuzz_dir, sub);
		if (mkdir(fuzz_sub, 0700) < 0) {
			perror(fuzz_sub);
			exit(1);
		}
	} else
		fuzz_sub[0] = '\0';
	snprintf(fuzz_path, sizeof(fuzz_path), "%s/%s",
	    sub != NULL ? fuzz_sub : fuzz_dir, file);
	atexit(fuzz_cleanup);
}

/*
 * The record harnesses' start: the daemon's messages off, and a uid and
 * gid name cache that asks NSS (/etc/passwd and /etc/group, read;
 * nss-systemd is told to stay away from /run).
 */
static inline struct parse_names *
fuzz_names_init(void)
{
	struct parse_names *names;

	log_init("fuzz", false, false);
	setenv("SYSTEMD_NSS_DYNAMIC_BYPASS", "1", 1);
	if (parse_init() < 0)
		abort();
	if (parse_names_create(&names, 64, NULL, NULL) < 0)
		abort();
	return names;
}

/* The configuration readers refuse a file root does not own. */
static inline void
fuzz_need_root(const char *what)
{
	if (geteuid() != 0) {
		fprintf(stderr, "%s: must run as root: the file read must be "
		    "owned by root\n", what);
		exit(1);
	}
}

/* The input as the whole of the file, mode 0600. */
static inline void
fuzz_write(const uint8_t *data, size_t size)
{
	int fd;

	fd = open(fuzz_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size)) {
		perror(fuzz_path);
		exit(1);
	}
	close(fd);
}

#endif
