/*
 * actions.c - the programs an action starts: "exec /path" (no arguments,
 * as auditd), single and halt (init_command 1 / 0; tests name a stand-in),
 * and email (sendmail -t, the message on its standard input).
 *
 * Children start as auditd starts them: in /, with an empty environment,
 * and with every signal unblocked and at its default (the daemon blocks
 * its signals in all threads, main reads them through a signalfd, and a
 * script must not inherit that).  Nothing waits for a
 * child; SIGCHLD makes the control loop collect them (act_reap).
 *
 * It collects only the programs it started, by their pids: a plugin is
 * the daemon's child too, and although the dispatcher makes it with no
 * exit signal, exec(2) gives it SIGCHLD back, so waitpid(-1) would take
 * a plugin's death from the dispatcher and name it an action program's.
 * The control thread alone starts and collects them, so the table of
 * running programs needs no lock; ACT_MAX of them may run at once, which
 * no configuration comes near (each condition acts once until re-armed).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/daemon.h"

#define ACT_MAX 64

/* The action programs running, 0 for a free slot (control thread). */
static pid_t running[ACT_MAX];

/* A slot for one more program, or NULL: too many run already. */
static pid_t *
free_slot(void)
{
	act_reap();
	for (size_t i = 0; i < ACT_MAX; i++)
		if (running[i] == 0)
			return &running[i];
	return NULL;
}

static int
spawn(const char *path, char *const argv[], int stdin_fd)
{
	static char *const no_env[] = { NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	pid_t pid, *slot;
	int rc;

	if ((slot = free_slot()) == NULL) {
		log_warnx("Cannot run %s: %d action programs still run",
		    path, ACT_MAX);
		return -EAGAIN;
	}
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
	posix_spawn_file_actions_addchdir_np(&fa, "/");
	if (stdin_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, stdin_fd, STDIN_FILENO);
	rc = posix_spawn(&pid, path, &fa, &at, argv, no_env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		log_warnx("Cannot run %s: %s", path, strerror(rc));
		return -rc;
	}
	*slot = pid;
	log_info("Started %s (pid %d)", path, (int)pid);
	return 0;
}

int
act_exec(const char *path, const char *arg)
{
	char *argv[3];

	argv[0] = (char *)(uintptr_t)path;
	argv[1] = (char *)(uintptr_t)arg;
	argv[2] = NULL;
	return spawn(path, argv, -1);
}

int
act_email(const struct cfg *c, const char *subject, const char *body)
{
	char from[CFG_VALUE_MAX + 2], msg[2048];
	char *argv[] = { (char *)(uintptr_t)c->sendmail, "-t", from, NULL };
	int fds[2], rc, n;

	snprintf(from, sizeof(from), "-f%s", c->action_mail_acct);
	if (access(c->sendmail, X_OK) < 0) {
		log_warnx("Cannot send mail: %s: %s", c->sendmail,
		    strerror(errno));
		return -errno;
	}
	n = snprintf(msg, sizeof(msg), "To: %s\nFrom: root\nSubject: %s\n\n"
	    "%s\n.\n", c->action_mail_acct, subject, body);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -E2BIG;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	rc = spawn(c->sendmail, argv, fds[0]);
	close(fds[0]);
	/* A pipe holds far more than one message: this does not block. */
	if (rc == 0 && write(fds[1], msg, (size_t)n) != n)
		rc = -EIO;
	close(fds[1]);
	return rc;
}

void
act_reap(void)
{
	int status;
	pid_t pid, rc;

	for (size_t i = 0; i < ACT_MAX; i++) {
		if ((pid = running[i]) == 0 ||
		    (rc = waitpid(pid, &status, WNOHANG)) == 0)
			continue;
		/* Collected, or (ECHILD) not ours to collect any more. */
		running[i] = 0;
		if (rc < 0)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
			log_warnx("Action program (pid %d) exited with %d",
			    (int)pid, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			log_warnx("Action program (pid %d) was killed by "
			    "signal %d", (int)pid, WTERMSIG(status));
	}
}
