/*
 * test_actions.c - the programs auditd's actions start: exec runs the
 * script with no arguments, single and halt run init_command with 1 and
 * 0, email hands "sendmail -t -fACCT" a message for action_mail_acct.
 * Children start in / with an empty environment and no signal blocked
 * although the daemon blocks its own, and SIGCHLD's clean-up collects
 * them.  Stand-ins write what they got into
 * a temporary folder.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "daemon/daemon.h"

static char tmp[64];

static void
path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmp, name);
}

static void
script(const char *name, const char *body)
{
	char path[128];
	FILE *f;

	path_in(path, sizeof(path), name);
	f = fopen(path, "we");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

/* The stand-in's output once it is complete ("done" last), or fail. */
static char *
wait_output(const char *name)
{
	static char buf[4096];
	char path[128];
	int i;

	path_in(path, sizeof(path), name);
	for (i = 0; i < 500; i++) {
		FILE *f = fopen(path, "re");

		if (f != NULL) {
			size_t n = fread(buf, 1, sizeof(buf) - 1, f);

			fclose(f);
			buf[n] = '\0';
			if (strstr(buf, "done\n") != NULL)
				return buf;
		}
		usleep(10000);
	}
	fail_msg("%s: the program did not run", name);
	return NULL;
}

static int
setup(void **state)
{
	sigset_t sigs;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_actions.XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return -1;
	/* As in the daemon: its signals are blocked in every thread. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGCHLD);
	return sigprocmask(SIG_BLOCK, &sigs, NULL);
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	act_reap();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_exec_has_no_arguments_and_no_blocked_signal(void **state)
{
	char path[128], body[512], *out;

	(void)state;
	/* SigBlk first, read by the shell itself: a shell that is forking
	 * (a command substitution, grep) blocks signals for a moment. */
	snprintf(body, sizeof(body), "{ while read -r l; do case $l in "
	    "SigBlk*) echo \"$l\";; esac; done < /proc/$$/status; "
	    "echo \"argc=$#\"; echo \"cwd=$(pwd)\"; "
	    "echo \"env=$(env | grep -cv '^\\(PWD\\|SHLVL\\|_\\)=')\"; "
	    "echo done; } > %s/exec.out\n", tmp);
	script("space.sh", body);
	path_in(path, sizeof(path), "space.sh");
	assert_int_equal(act_exec(path, NULL), 0);
	out = wait_output("exec.out");
	assert_non_null(strstr(out, "argc=0\n"));
	/* As auditd: in /, with an empty environment (the shell adds PWD,
	 * SHLVL and _ of its own). */
	assert_non_null(strstr(out, "cwd=/\n"));
	assert_non_null(strstr(out, "env=0\n"));
	assert_non_null(strstr(out, "SigBlk:\t0000000000000000\n"));
}

static void
test_single_and_halt_run_init_command(void **state)
{
	char path[128], body[512], *out;

	(void)state;
	snprintf(body, sizeof(body), "echo \"init $*\" >> %s/init.log; "
	    "[ \"$1\" = 0 ] && echo done >> %s/init.log; exit 0\n", tmp, tmp);
	script("init", body);
	path_in(path, sizeof(path), "init");
	assert_int_equal(act_exec(path, "1"), 0);
	usleep(200000);
	assert_int_equal(act_exec(path, "0"), 0);
	out = wait_output("init.log");
	assert_string_equal(out, "init 1\ninit 0\ndone\n");
}

static void
test_email_goes_to_sendmail_t_f(void **state)
{
	static struct cfg c;
	char body[512], *out;

	(void)state;
	cfg_defaults(&c);
	snprintf(c.action_mail_acct, sizeof(c.action_mail_acct),
	    "admin@example.org");
	path_in(c.sendmail, sizeof(c.sendmail), "sendmail");
	snprintf(body, sizeof(body), "{ echo \"args=$*\"; cat; echo done; } "
	    "> %s/mail.out\n", tmp);
	script("sendmail", body);
	assert_int_equal(act_email(&c, "Audit Disk Space Alert",
	    "The audit daemon is low on disk space for logging!"), 0);
	out = wait_output("mail.out");
	assert_non_null(strstr(out, "args=-t -fadmin@example.org\n"));
	assert_non_null(strstr(out, "To: admin@example.org\n"));
	assert_non_null(strstr(out, "Subject: Audit Disk Space Alert\n"));
	assert_non_null(strstr(out, "\n\nThe audit daemon is low on disk "
	    "space for logging!\n.\n"));
}

static void
test_missing_program_is_an_error(void **state)
{
	static struct cfg c;
	char path[128];

	(void)state;
	path_in(path, sizeof(path), "nothing-here");
	assert_true(act_exec(path, NULL) < 0);
	cfg_defaults(&c);
	snprintf(c.sendmail, sizeof(c.sendmail), "%s", path);
	assert_true(act_email(&c, "s", "b") < 0);
}

static void
test_reap_collects_children(void **state)
{
	char path[128], body[256];
	int i;

	(void)state;
	snprintf(body, sizeof(body), "echo done > %s/quick.out\n", tmp);
	script("quick", body);
	path_in(path, sizeof(path), "quick");
	assert_int_equal(act_exec(path, NULL), 0);
	wait_output("quick.out");
	for (i = 0; i < 100; i++) {
		act_reap();
		if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			return;
		usleep(10000);
	}
	fail_msg("a finished action program was not collected");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_exec_has_no_arguments_and_no_blocked_signal),
		T(test_single_and_halt_run_init_command),
		T(test_email_goes_to_sendmail_t_f),
		T(test_missing_program_is_an_error),
		T(test_reap_collects_children),
	};
#undef T

	log_init("test_actions", true, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
