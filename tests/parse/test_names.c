/*
 * test_names.c - the uid/gid name cache behind ENRICHED (src/parse/names.c).
 *
 * What an admin relies on: a name is asked of NSS once, not once per
 * record; a refresh (SIGHUP, the timer) picks up a renamed or new user;
 * a user or group management record empties the caches, as auditd's; an
 * id with no name is asked again when /etc/passwd changes (or a second
 * later), not on every record; and
 * the cache stays the size it was given however many ids go through it.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "parse/parse.h"
#include "ring/ring.h"

static char passwd[] = "/tmp/ra_names_passwd_XXXXXX";
static char group[] = "/tmp/ra_names_group_XXXXXX";
static int passwd_fd = -1, group_fd = -1;

/* Write through the fd kept since setup: the same inode that is bound over
 * /etc/..., even if something cleans /tmp meanwhile. */
static void
write_file(int fd, const char *text)
{
	size_t n = strlen(text);

	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, text, n, 0), (ssize_t)n);
}

static void
set_users(const char *extra)
{
	static char text[16384];

	snprintf(text, sizeof(text),
	    "root:x:0:0:root:/root:/bin/sh\n%s", extra);
	write_file(passwd_fd, text);
}

static void
set_groups(const char *extra)
{
	char text[1024];

	snprintf(text, sizeof(text), "root:x:0:\n%s", extra);
	write_file(group_fd, text);
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
	(void)state;
	if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0) {
		fprintf(stderr, "skip: needs root to bind its own "
		    "/etc/passwd\n");
		exit(77);
	}
	/* Our binds must not reach the machine's namespace. */
	assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL),
	    0);
	passwd_fd = mkstemp(passwd);
	assert_true(passwd_fd >= 0);
	group_fd = mkstemp(group);
	assert_true(group_fd >= 0);
	/* NSS opens them as any user would. */
	assert_int_equal(fchmod(passwd_fd, 0644), 0);
	assert_int_equal(fchmod(group_fd, 0644), 0);
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
	close(passwd_fd);
	close(group_fd);
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
	assert_int_equal(parse_names_create(&nc, 64, NULL, NULL), 0);
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
	assert_int_equal(parse_names_create(&nc, 64, &epoch, NULL), 0);
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

/*
 * A user or group management record empties every worker's cache, as
 * auditd empties its own after writing one: a deleted user is unknown from
 * then on, a renamed one has its new name, and an id just made is asked
 * for again at once.  The drop reaches the other workers through the
 * shared counter.
 */
static void
test_drop_after_management_record(void **state)
{
	struct parse_names *a, *b;
	uint32_t drops = 0;
	size_t len;

	(void)state;
	set_users("alice:x:1000:1000::/home/alice:/bin/sh\n"
	    "carol:x:1002:1002::/home/carol:/bin/sh\n");
	assert_int_equal(parse_names_create(&a, 64, NULL, &drops), 0);
	assert_int_equal(parse_names_create(&b, 64, NULL, &drops), 0);
	assert_string_equal(user(a, 1000), "alice");
	assert_string_equal(user(b, 1002), "carol");
	assert_null(parse_names_lookup(a, PARSE_NAMES_USER, 1001, &len));

	set_users("alicia:x:1000:1000::/home/alice:/bin/sh\n"
	    "bob:x:1001:1001::/home/bob:/bin/sh\n");
	/* Until a drop, the names found stay; an id that had none is asked
	 * again now that /etc/passwd changed (looked at every 10 ms). */
	usleep(30 * 1000);
	assert_string_equal(user(a, 1000), "alice");
	assert_string_equal(user(a, 1001), "bob");
	assert_string_equal(user(b, 1002), "carol");

	parse_names_drop(a);		/* worker a wrote ADD_USER */
	assert_string_equal(user(a, 1000), "alicia");
	assert_null(parse_names_lookup(b, PARSE_NAMES_USER, 1002, &len));
	parse_names_destroy(a);
	parse_names_destroy(b);
}

/* The records that drop: formatting one empties the cache, after it was
 * used for that record; other records leave it be. */
static void
test_which_records_drop(void **state)
{
	static const struct {
		unsigned type;
		bool drops;
	} recs[] = {
		{ 1102, true }, { 1114, true }, { 1115, true }, { 1116, true },
		{ 1117, true }, { 1132, true }, { 1108, false },
		{ 1100, false }, { 1300, false },
	};
	static const char pl[] = "audit(1700000000.123:1): pid=1 uid=1000 "
	    "auid=1000 ses=1 msg='op=x id=1000 res=success'";
	struct ring_rec *r = aligned_alloc(64, sizeof(*r));
	struct parse_names *nc;
	struct parse_names_stats st;
	uint64_t before;

	(void)state;
	assert_non_null(r);
	set_users("alice:x:1000:1000::/home/alice:/bin/sh\n");
	assert_int_equal(parse_names_create(&nc, 64, NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		struct parse_opts o = { .format = PARSE_FORMAT_ENRICHED,
		    .names = nc };

		parse_names_get_stats(nc, &st);
		before = st.drops;
		memset(r, 0, offsetof(struct ring_rec, data));
		r->type = (uint16_t)recs[i].type;
		r->len = (uint32_t)strlen(pl);
		memcpy(ring_rec_payload(r), pl, r->len);
		assert_int_equal(parse_format_record(r, &o), 0);
		assert_non_null(memmem(r->data + r->line_off, r->line_len,
		    "UID=\"alice\"", 11));
		/* The next lookup sees the drop. */
		(void)user(nc, 1000);
		parse_names_get_stats(nc, &st);
		assert_int_equal(st.drops - before, recs[i].drops ? 1 : 0);
	}
	parse_names_destroy(nc);
	free(r);
}

/* No name: not asked again on every record while /etc/passwd stays as it
 * was; a user made meanwhile is named at once. */
static void
test_unknown_id_asked_again_later(void **state)
{
	struct parse_names *nc;
	struct parse_names_stats st;
	size_t len;

	(void)state;
	set_users("");
	assert_int_equal(parse_names_create(&nc, 64, NULL, NULL), 0);
	for (int i = 0; i < 500; i++)
		assert_null(parse_names_lookup(nc, PARSE_NAMES_USER, 54321,
		    &len));
	parse_names_get_stats(nc, &st);
	assert_int_equal(st.nss_calls, 1);

	/* Made now: the file changed, so a look 10 ms on asks. */
	set_users("bob:x:54321:54321::/home/bob:/bin/sh\n");
	usleep(30 * 1000);
	assert_string_equal(user(nc, 54321), "bob");
	parse_names_get_stats(nc, &st);
	assert_int_equal(st.nss_calls, 2);
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
	assert_int_equal(parse_names_create(&nc, 64, NULL, NULL), 0);
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
	assert_int_equal(parse_names_create(&nc, 16, NULL, NULL), 0);
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
		cmocka_unit_test(test_drop_after_management_record),
		cmocka_unit_test(test_which_records_drop),
		cmocka_unit_test(test_unknown_id_asked_again_later),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_bounded_and_long_names),
	};

	if (parse_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
