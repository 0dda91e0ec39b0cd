/*
 * test_names.c - the uid/gid name cache behind ENRICHED (src/parse/names.c).
 *
 * What an admin relies on: a name is asked of NSS once, not once per
 * record; a refresh (SIGHUP, the timer) picks up a renamed or new user;
 * a deleted user keeps the name it had, as in auditd's cache; an id with
 * no name is asked again a second later, not on every record; and the
 * cache stays the size it was given however many ids go through it.
 *
 * The test runs in a private mount namespace with its own /etc/passwd and
 * /etc/group bound over the real ones, which it edits between lookups.
 * It needs root (to unshare); it skips otherwise.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cmocka.h>

#include "parse/parse.h"

static char passwd[] = "/tmp/ra_names_passwd_XXXXXX";
static char group[] = "/tmp/ra_names_group_XXXXXX";

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void
set_users(const char *extra)
{
	static char text[16384];

	snprintf(text, sizeof(text),
	    "root:x:0:0:root:/root:/bin/sh\n%s", extra);
	write_file(passwd, text);
}

static void
set_groups(const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text), "root:x:0:\n%s", extra);
	write_file(group, text);
}

static const char *
user(struct parse_names *nc, uint32_t id)
{
	static char buf[PARSE_NAMES_NAME_MAX + 1];
	size_t len;
	const char *n = parse_names_lookup(nc, PARSE_NAMES_USER, id, &len);

	if (n == NULL)
		return NULL;
	memcpy(buf, n, len);
	buf[len] = '\0';
	return buf;
}

static int
setup(void **state)
{
	int fd;

	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0) {
		fprintf(stderr, "skip: needs root to bind its own "
		    "/etc/passwd\n");
		exit(77);
	}
	/* Our binds must not reach the machine's namespace. */
	assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL),
	    0);
	fd = mkstemp(passwd);
	assert_true(fd >= 0);
	close(fd);
	fd = mkstemp(group);
	assert_true(fd >= 0);
	close(fd);
	set_users("");
	set_groups("");
	assert_int_equal(mount(passwd, "/etc/passwd", NULL, MS_BIND, NULL), 0);
	assert_int_equal(mount(group, "/etc/group", NULL, MS_BIND, NULL), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	umount("/etc/passwd");
	umount("/etc/group");
	unlink(passwd);
	unlink(group);
	return 0;
}

/* One NSS call for a thousand records about the same user. */
static void
test_asked_once_per_id(void **state)
{
	struct parse_names *nc;
	struct parse_names_stats st;

	(void)state;
	set_users("alice:x:1000:1000::/home/alice:/bin/sh\n");
	assert_int_equal(parse_names_create(&nc, 64, NULL), 0);
	for (int i = 0; i < 1000; i++)
		assert_string_equal(user(nc, 1000), "alice");
	parse_names_get_stats(nc, &st);
	assert_int_equal(st.nss_calls, 1);
	assert_int_equal(st.hits, 999);
	parse_names_destroy(nc);
}

/* A rename shows after a refresh, not before; a deletion keeps the name. */
static void
test_refresh_renamed_and_deleted(void **state)
{
	struct parse_names *nc;
	uint32_t epoch = 0;

	(void)state;
	set_users("alice:x:1000:1000::/home/alice:/bin/sh\n");
	assert_int_equal(parse_names_create(&nc, 64, &epoch), 0);
	assert_string_equal(user(nc, 1000), "alice");

	set_users("alicia:x:1000:1000::/home/alice:/bin/sh\n");
	assert_string_equal(user(nc, 1000), "alice");	/* cached */
	epoch++;					/* SIGHUP */
	assert_string_equal(user(nc, 1000), "alicia");

	set_users("");
	epoch++;
	assert_string_equal(user(nc, 1000), "alicia");	/* as auditd */
	parse_names_destroy(nc);
}

/* No name: asked again a second later, not on every record; a user made
 * meanwhile gets its name then. */
static void
test_unknown_id_asked_again_later(void **state)
{
	struct parse_names *nc;
	struct parse_names_stats st;
	size_t len;

	(void)state;
	set_users("");
	assert_int_equal(parse_names_create(&nc, 64, NULL), 0);
	for (int i = 0; i < 500; i++)
		assert_null(parse_names_lookup(nc, PARSE_NAMES_USER, 54321,
		    &len));
	parse_names_get_stats(nc, &st);
	assert_int_equal(st.nss_calls, 1);

	/* Made now: named within a second or so (3 s on a loaded box). */
	set_users("bob:x:54321:54321::/home/bob:/bin/sh\n");
	for (int i = 0; i < 30 && user(nc, 54321) == NULL; i++)
		usleep(100 * 1000);
	assert_non_null(user(nc, 54321));
	assert_string_equal(user(nc, 54321), "bob");
	parse_names_get_stats(nc, &st);
	/* Asked again at most once a second while it had no name. */
	assert_true(st.nss_calls <= 5);
	parse_names_destroy(nc);
}

/* Groups are a table of their own. */
static void
test_groups(void **state)
{
	struct parse_names *nc;
	const char *n;
	size_t len;

	(void)state;
	set_users("alice:x:1000:1000::/home/alice:/bin/sh\n");
	set_groups("staff:x:1000:\n");
	assert_int_equal(parse_names_create(&nc, 64, NULL), 0);
	n = parse_names_lookup(nc, PARSE_NAMES_GROUP, 1000, &len);
	assert_non_null(n);
	assert_int_equal(len, 5);
	assert_memory_equal(n, "staff", 5);
	assert_string_equal(user(nc, 1000), "alice");
	parse_names_destroy(nc);
}

/* Far more ids than entries: the cache stays its size, every answer is
 * still right, and a name of 255 bytes (the most kept) comes back whole. */
static void
test_bounded_and_long_names(void **state)
{
	static char users[200 * 64 + 400];
	char longname[PARSE_NAMES_NAME_MAX + 1];
	struct parse_names *nc;
	size_t at = 0;

	(void)state;
	memset(longname, 'l', PARSE_NAMES_NAME_MAX);
	longname[PARSE_NAMES_NAME_MAX] = '\0';
	for (unsigned i = 0; i < 200; i++)
		at += (size_t)snprintf(users + at, sizeof(users) - at,
		    "u%u:x:%u:100::/:/bin/sh\n", 2000 + i, 2000 + i);
	snprintf(users + at, sizeof(users) - at, "%s:x:7:7::/:/bin/sh\n",
	    longname);
	set_users(users);
	assert_int_equal(parse_names_create(&nc, 16, NULL), 0);
	for (int round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 200; i++) {
			char want[16];

			snprintf(want, sizeof(want), "u%u", 2000 + i);
			assert_string_equal(user(nc, 2000 + i), want);
		}
	}
	assert_string_equal(user(nc, 7), longname);
	assert_string_equal(user(nc, 7), longname);
	parse_names_destroy(nc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_asked_once_per_id),
		cmocka_unit_test(test_refresh_renamed_and_deleted),
		cmocka_unit_test(test_unknown_id_asked_again_later),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_bounded_and_long_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
