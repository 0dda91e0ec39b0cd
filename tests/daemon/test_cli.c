/*
 * test_cli.c - ringauditd's command line and start-up failures, with
 * auditd(8)'s exit codes: 2 bad command line, 4 not privileged, 6 bad
 * configuration.  None of these cases gets as far as the kernel.  --help
 * and --version, which auditd has not, print to stdout and exit 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/capability.h>

extern char **environ;

static char dir[64];
static char out[4096];		/* the last run's stderr */
static char sout[4096];		/* and its stdout */
static bool no_sys_nice;	/* run without CAP_SYS_NICE nor RLIMIT_NICE */
static bool audit_control;	/* a uid other than 0 keeps
				 * CAP_AUDIT_CONTROL (ambient) */

/* Keeps cap across execve, for a uid other than 0. */
static int
ambient_cap(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct c[2];
	uint32_t bit = 1u << (cap % 32);

	if (syscall(SYS_capget, &h, c) < 0)
		return -1;
	c[cap / 32].permitted |= bit;
	c[cap / 32].effective |= bit;
	c[cap / 32].inheritable |= bit;
	if (syscall(SYS_capset, &h, c) < 0)
		return -1;
	return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
}

static void
slurp(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

/* Run ringauditd with argv (NULL-ended) as uid; its exit code, stderr in
 * out, stdout in sout. */
static int
run_daemon(uid_t uid, const char *arg, ...)
{
	char *argv[16] = { (char *)(uintptr_t)"ringauditd" };
	char errpath[128], outpath[128];
	va_list ap;
	int i = 1, status, fd;
	pid_t pid;

	va_start(ap, arg);
	for (; arg != NULL && i < 15; arg = va_arg(ap, const char *))
		argv[i++] = (char *)(uintptr_t)arg;	/* execv's type */
	va_end(ap);
	argv[i] = NULL;
	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	snprintf(outpath, sizeof(outpath), "%s/stdout", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Opened while still root and run by descriptor: the build
		 * may sit under a directory other users cannot enter. */
		int exe = open(RA_DAEMON_PATH, O_RDONLY);

		fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		dup2(fd, STDERR_FILENO);
		fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		dup2(fd, STDOUT_FILENO);
		if (audit_control && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			_exit(96);
		if (uid != 0 && (setgid(uid) < 0 || setuid(uid) < 0))
			_exit(99);
		if (audit_control && ambient_cap(CAP_AUDIT_CONTROL) < 0)
			_exit(96);
		if (no_sys_nice) {
			struct rlimit rl = { 0, 0 };

			if (prctl(PR_CAPBSET_DROP, CAP_SYS_NICE, 0, 0, 0) < 0 ||
			    setrlimit(RLIMIT_NICE, &rl) < 0)
				_exit(97);
		}
		fexecve(exe, argv, environ);
		_exit(98);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	slurp(errpath, out, sizeof(out));
	slurp(outpath, sout, sizeof(sout));
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
write_conf(const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/auditd.conf", dir);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
}

static void
test_bad_arguments_exit_2(void **state)
{
	(void)state;
	assert_int_equal(run_daemon(0, "-x", NULL), 2);
	assert_non_null(strstr(out, "Usage: ringauditd"));
	assert_int_equal(run_daemon(0, "-n", "extra", NULL), 2);
	assert_int_equal(run_daemon(0, "-s", "sometimes", NULL), 2);
	assert_int_equal(run_daemon(0, "-c", NULL), 2);
}

/* --help: the usage line and every option, long and short, on stdout;
 * nothing on stderr; exit 0.  Not a start: no configuration is read. */
static void
test_help_lists_every_option_exit_0(void **state)
{
	static const char *const opts[] = {
		"-f, --foreground", "-l, --allow_links", "-n, --disable_fork",
		"-s, --enable_state", "-c, --config_file", "--help",
		"--version",
	};
	size_t i;

	(void)state;
	assert_int_equal(run_daemon(0, "--help", NULL), 0);
	assert_string_equal(out, "");
	assert_true(strncmp(sout, "Usage: ringauditd [-f] [-l] [-n] ",
	    33) == 0);
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		assert_non_null(strstr(sout, opts[i]));
	/* First come, first served: what follows is not looked at. */
	assert_int_equal(run_daemon(0, "--help", "-x", NULL), 0);
	assert_non_null(strstr(sout, "--config_file"));
}

/* --version: "ringauditd VERSION", the build's RA_VERSION, exit 0. */
static void
test_version_prints_the_build_version_exit_0(void **state)
{
	(void)state;
	assert_int_equal(run_daemon(0, "--version", NULL), 0);
	assert_string_equal(sout, "ringauditd " RA_VERSION "\n");
	assert_string_equal(out, "");
}

/* auditd has no -h nor -V: they stay bad options, usage on stderr, 2;
 * so does an unknown long option. */
static void
test_short_h_v_and_unknown_long_option_still_exit_2(void **state)
{
	static const char *const bad[] = { "-h", "-V", "--frobnicate" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(run_daemon(0, bad[i], NULL), 2);
		assert_non_null(strstr(out, "Usage: ringauditd"));
		assert_string_equal(sout, "");
	}
}

static void
test_not_root_exits_4(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(run_daemon(65534, "-n", "-c", dir, NULL), 4);
	assert_non_null(strstr(out,
	    "You must be root or have capabilities to run this program."));
}

static void
test_bad_config_exits_6_naming_file_line_value(void **state)
{
	char want[128];

	(void)state;
	write_conf("write_logs = yes\nflush = sometimes\n");
	assert_int_equal(run_daemon(0, "-n", "-c", dir, NULL), 6);
	snprintf(want, sizeof(want), "%s/auditd.conf", dir);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, ":2"));
	assert_non_null(strstr(out, "sometimes"));
	assert_non_null(strstr(out, "The audit daemon is exiting."));
}

static void
test_unknown_key_exits_6(void **state)
{
	(void)state;
	write_conf("frobnicate = 1\n");
	assert_int_equal(run_daemon(0, "-n", "-c", dir, NULL), 6);
	assert_non_null(strstr(out, "frobnicate"));
}

static void
test_world_writable_config_exits_6(void **state)
{
	char path[128];

	(void)state;
	write_conf("write_logs = yes\n");
	snprintf(path, sizeof(path), "%s/auditd.conf", dir);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(run_daemon(0, "-n", "-c", dir, NULL), 6);
	assert_non_null(strstr(out, "writable"));
}

static void
test_bad_ringauditd_conf_exits_6(void **state)
{
	char path[128];
	FILE *f;

	(void)state;
	/* Valid for auditd: once a line is set, so must space_left be. */
	write_conf("write_logs = yes\nspace_left = 75\n"
	    "admin_space_left = 50\n");
	snprintf(path, sizeof(path), "%s/ringauditd.conf", dir);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs("workers = 0\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(run_daemon(0, "-n", "-c", dir, NULL), 6);
	assert_non_null(strstr(out, "ringauditd.conf:1"));
	unlink(path);
}

/*
 * A configuration auditd accepts, whose log_file is a symbolic link: the
 * daemon fails to open it (exit 1, "Too many levels of symbolic links")
 * before it goes near the kernel, so a start-up check that should have
 * stopped it earlier cannot let it register.  extra: more lines.
 */
static void
write_safe_conf(const char *extra)
{
	char text[1024], real[128], link[128];
	int fd;

	snprintf(real, sizeof(real), "%s/real.log", dir);
	snprintf(link, sizeof(link), "%s/link.log", dir);
	fd = open(real, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	unlink(link);
	assert_int_equal(symlink(real, link), 0);
	snprintf(text, sizeof(text), "space_left = 2\nadmin_space_left = 1\n"
	    "log_file = %s\nplugin_dir = %s/noplugins\n"
	    "%s", link, dir, extra);
	write_conf(text);
}

static void
test_safe_conf_fails_at_the_log(void **state)
{
	(void)state;
	write_safe_conf("priority_boost = 0\n");
	assert_int_equal(run_daemon(0, "-n", "-c", dir, NULL), 1);
	assert_non_null(strstr(out, "Too many levels of symbolic links"));
}

/* auditd: "User defined name missing", exit 1. */
static void
test_name_format_user_without_name_exits_1(void **state)
{
	(void)state;
	write_safe_conf("priority_boost = 0\nname_format = user\n");
	assert_int_equal(run_daemon(0, "-n", "-c", dir, NULL), 1);
	assert_non_null(strstr(out, "User defined name missing"));
}

/* auditd: "Cannot change priority (Operation not permitted)", exit 1. */
static void
test_priority_boost_not_permitted_exits_1(void **state)
{
	int rc;

	(void)state;
	write_safe_conf("priority_boost = 4\n");
	no_sys_nice = true;
	rc = run_daemon(0, "-n", "-c", dir, NULL);
	no_sys_nice = false;
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out,
	    "Cannot change priority (Operation not permitted)"));
}

/* auditd takes a prefix of a -s mode, and its long options: these get as
 * far as the (bad) configuration. */
static void
test_startup_mode_prefix_and_long_options_accepted(void **state)
{
	(void)state;
	write_conf("flush = sometimes\n");
	assert_int_equal(run_daemon(0, "-n", "-s", "en", "-c", dir, NULL), 6);
	assert_int_equal(run_daemon(0, "-n", "-s", "d", "-c", dir, NULL), 6);
	assert_int_equal(run_daemon(0, "-n", "-s", "", "-c", dir, NULL), 6);
	assert_int_equal(run_daemon(0, "--disable_fork", "--enable_state",
	    "nochange", "--config_file", dir, "--allow_links", NULL), 6);
	assert_int_equal(run_daemon(0, "--foreground", "-c", dir, NULL), 6);
	assert_int_equal(run_daemon(0, "-s", "enabled", "-c", dir, NULL), 2);
	assert_non_null(strstr(out, "unknown startup mode 'enabled'"));
}

/* auditd: not root but CAP_AUDIT_CONTROL is enough to go on. */
static void
test_cap_audit_control_is_enough_not_root(void **state)
{
	int rc;

	(void)state;
	if (geteuid() != 0)
		skip();
	write_conf("flush = sometimes\n");
	audit_control = true;
	rc = run_daemon(65534, "-n", "-c", dir, NULL);
	audit_control = false;
	assert_int_equal(rc, 6);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ra-cli-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	return chmod(dir, 0755);
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_arguments_exit_2),
		cmocka_unit_test(test_help_lists_every_option_exit_0),
		cmocka_unit_test(test_version_prints_the_build_version_exit_0),
		cmocka_unit_test(
		    test_short_h_v_and_unknown_long_option_still_exit_2),
		cmocka_unit_test(test_not_root_exits_4),
		cmocka_unit_test(test_bad_config_exits_6_naming_file_line_value),
		cmocka_unit_test(test_unknown_key_exits_6),
		cmocka_unit_test(test_world_writable_config_exits_6),
		cmocka_unit_test(test_bad_ringauditd_conf_exits_6),
		cmocka_unit_test(
		    test_startup_mode_prefix_and_long_options_accepted),
		cmocka_unit_test(test_cap_audit_control_is_enough_not_root),
		cmocka_unit_test(test_safe_conf_fails_at_the_log),
		cmocka_unit_test(test_name_format_user_without_name_exits_1),
		cmocka_unit_test(test_priority_boost_not_permitted_exits_1),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
