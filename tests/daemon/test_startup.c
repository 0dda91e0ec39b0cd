/*
 * test_startup.c - what auditd 3.0.9 does between reading its
 * configuration and running, and where it stops with exit code 1: the
 * node name (resolve_node) and the priority (nice(-priority_boost)).
 * Here through dmn_node and dmn_priority; test_cli.c runs the daemon for
 * the exit codes.  Cases that change the host name run in a child in its
 * own UTS namespace, and so need root (they skip without it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/daemon.h"

static struct dmn d;

static int
node(enum cfg_name_format f, const char *name, struct parse_opts *o)
{
	static struct cfg c;

	cfg_defaults(&c);
	c.name_format = f;
	snprintf(c.name, sizeof(c.name), "%s", name);
	memset(&d, 0, sizeof(d));
	return dmn_node(&d, &c, o);
}

/* auditd: "User defined name missing", exit 1. */
static void
test_name_format_user_without_name_fails(void **state)
{
	struct parse_opts o;

	(void)state;
	assert_int_equal(node(CFG_NAME_USER, "", &o), -EINVAL);
	assert_int_equal(node(CFG_NAME_USER, "n1", &o), 0);
	assert_string_equal(o.node, "n1");
	assert_int_equal(o.node_len, 2);
	/* auditd ignores name for the other formats. */
	assert_int_equal(node(CFG_NAME_NONE, "n1", &o), 0);
	assert_null(o.node);
}

/*
 * Runs fn in a child with host name host (its own UTS namespace); the
 * child's exit code is fn's.  77: not possible here.
 */
static int
with_hostname(const char *host, int (*fn)(void))
{
	int status;
	pid_t pid;

	if (geteuid() != 0)
		return 77;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWUTS) < 0 ||
		    sethostname(host, strlen(host)) < 0)
			_exit(77);
		_exit(fn());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int
hostname_underscores(void)
{
	struct parse_opts o;

	if (node(CFG_NAME_HOSTNAME, "ignored", &o) != 0)
		return 1;
	return strcmp(o.node, "ra_test_host") == 0 ? 0 : 2;
}

/* auditd turns the spaces of the host name into '_' (hostname only). */
static void
test_hostname_spaces_become_underscores(void **state)
{
	int rc;

	(void)state;
	if ((rc = with_hostname("ra test host", hostname_underscores)) == 77)
		skip();
	assert_int_equal(rc, 0);
}

static int
fqd_fails(void)
{
	struct parse_opts o;

	if (node(CFG_NAME_FQD, "", &o) != -EHOSTUNREACH)
		return 1;
	return node(CFG_NAME_NUMERIC, "", &o) == -EHOSTUNREACH ? 0 : 2;
}

/* auditd: "Cannot resolve hostname H (...)", exit 1. */
static void
test_unresolvable_hostname_fails_fqd_and_numeric(void **state)
{
	int rc;

	(void)state;
	if ((rc = with_hostname("ra-no-such-host.invalid", fqd_fails)) == 77)
		skip();
	assert_int_equal(rc, 0);
}

static int
numeric_address(void)
{
	struct parse_opts o;
	unsigned char a[16];

	if (node(CFG_NAME_NUMERIC, "", &o) != 0)
		return 1;
	if (inet_pton(AF_INET, o.node, a) != 1 &&
	    inet_pton(AF_INET6, o.node, a) != 1)
		return 2;
	/* inet_ntop's form: no "%scope" as getnameinfo would add. */
	return strchr(o.node, '%') == NULL ? 0 : 3;
}

static void
test_numeric_is_an_address(void **state)
{
	int rc;

	(void)state;
	if ((rc = with_hostname("localhost", numeric_address)) == 77)
		skip();
	assert_int_equal(rc, 0);
}

/* Drops cap from this process's effective set. */
static int
drop_cap(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct c[2];

	if (syscall(SYS_capget, &h, c) < 0)
		return -1;
	c[cap / 32].effective &= ~(1u << (cap % 32));
	return (int)syscall(SYS_capset, &h, c);
}

static int
priority_child(void)
{
	struct rlimit rl = { 0, 0 };

	/* auditd's nice(-4) from 10 is 6, not -4. */
	if (setpriority(PRIO_PROCESS, 0, 10) < 0 ||
	    dmn_priority(10, 4) != 0 || getpriority(PRIO_PROCESS, 0) != 6)
		return 1;
	if (dmn_priority(10, 2147483647) != 0 ||
	    getpriority(PRIO_PROCESS, 0) != -20)
		return 2;
	/* auditd: "Cannot change priority (Operation not permitted)". */
	if (setpriority(PRIO_PROCESS, 0, 10) < 0 ||
	    setrlimit(RLIMIT_NICE, &rl) < 0 || drop_cap(CAP_SYS_NICE) < 0)
		return 77;
	if (dmn_priority(10, 4) != -EPERM)
		return 3;
	return dmn_priority(10, 0) == 0 ? 0 : 4;
}

/* priority_boost lowers the niceness the daemon started with. */
static void
test_priority_boost_is_relative_to_start_niceness(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(priority_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_format_user_without_name_fails),
		cmocka_unit_test(test_hostname_spaces_become_underscores),
		cmocka_unit_test(
		    test_unresolvable_hostname_fails_fqd_and_numeric),
		cmocka_unit_test(test_numeric_is_an_address),
		cmocka_unit_test(
		    test_priority_boost_is_relative_to_start_niceness),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
