/*
 * ra_plant.c - see ra_plant.h.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_plant.h"

#define VICTIM_TEXT	"the victim's own\n"
#define VICTIM_MODE	0600

const char *const ra_plant_names[] = {
	[RA_PLANT_NONE] = "nothing",
	[RA_PLANT_SYMLINK] = "a symlink to the victim",
	[RA_PLANT_DANGLING] = "a dangling symlink",
	[RA_PLANT_HARDLINK] = "a hard link to the victim",
	[RA_PLANT_FIFO] = "a FIFO",
};

void
ra_victim_make(const char *victim)
{
	int fd;

	unlink(victim);
	fd = open(victim, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, VICTIM_TEXT, strlen(VICTIM_TEXT)),
	    (ssize_t)strlen(VICTIM_TEXT));
	assert_int_equal(fchown(fd, RA_VICTIM_UID, RA_VICTIM_GID), 0);
	assert_int_equal(fchmod(fd, VICTIM_MODE), 0);
	close(fd);
}

void
ra_victim_untouched(const char *victim)
{
	char text[sizeof(VICTIM_TEXT) + 16];
	struct stat sb;
	ssize_t n;
	int fd;

	assert_int_equal(lstat(victim, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, VICTIM_MODE);
	assert_int_equal(sb.st_uid, RA_VICTIM_UID);
	assert_int_equal(sb.st_gid, RA_VICTIM_GID);
	fd = open(victim, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	assert_true(fd >= 0);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(n >= 0);
	text[n] = '\0';
	assert_string_equal(text, VICTIM_TEXT);
}

void
ra_plant(enum ra_plant what, const char *at, const char *victim,
    const char *nowhere)
{
	unlink(at);
	switch (what) {
	case RA_PLANT_NONE:
		break;
	case RA_PLANT_SYMLINK:
		assert_int_equal(symlink(victim, at), 0);
		break;
	case RA_PLANT_DANGLING:
		unlink(nowhere);
		assert_int_equal(symlink(nowhere, at), 0);
		break;
	case RA_PLANT_HARDLINK:
		assert_int_equal(link(victim, at), 0);
		break;
	case RA_PLANT_FIFO:
		assert_int_equal(mkfifo(at, 0666), 0);
		break;
	}
}
