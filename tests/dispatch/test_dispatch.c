/*
 * test_dispatch.c - the dispatcher alone, fed by this program acting as
 * the writer (disp_test.h).
 *
 * Checked: the string and binary framing byte for byte (protocol 0 and
 * 1, the frame's zeroed tail), restart counting and its messages,
 * records a dead plugin had not read sent to the next instance,
 * builtin_af_unix with several clients, and offered = delivered + dropped
 * for every plugin.  And that builtin_af_unix's socket is made at its path
 * whatever another user planted there (a symlink to a victim file, a
 * dangling one, a hard link, a FIFO), with its mode, and that its chmod
 * follows no symlink put in the socket's place after the bind.  And the
 * dispatcher lent (disp_help): asleep, its round is done on the caller's
 * thread, which wakes it for nothing; a socket that fills meanwhile is
 * left to it, and it sends the rest once the plugin reads.  Queue
 * overflow is test_overflow.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ra_plant.h"
#include "ra_test.h"

#include "common/log.h"
#include "disp_test.h"

/* ---- framing ---- */

static void
test_string_framing(void **state)
{
	static const char *recs[] = {
		"type=SYSCALL msg=audit(1.002:3): arch=c000003e\n",
		"type=EOE msg=audit(1.002:3): \n",
		"node=h type=USER msg=audit(1.003:4): a\x1d" "AUID=\"root\"\n",
	};
	char out[160], expect[512] = "", *got;
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	struct disp *d;
	size_t len;
	unsigned i;

	(void)state;
	snprintf(out, sizeof(out), "%s/out", dt_dir);
	{
		char body[256];

		snprintf(body, sizeof(body), "exec cat > %s", out);
		dt_plugin("cap", "string", body);
	}
	d = dt_start(100, DISP_OVF_SYSLOG, 10);
	for (i = 0; i < 3; i++) {
		assert_true(dt_feed(d, i == 1 ? 1320 : 1300, i == 2 ? 1 : 0,
		    recs[i]));
		strcat(expect, recs[i]);
	}
	disp_stop(d);
	assert_int_equal(dt_stats(d, &st, ps), 1);
	assert_int_equal(ps[0].offered, 3);
	assert_int_equal(ps[0].delivered, 3);
	dt_assert_balanced(ps, 1);
	disp_destroy(d);
	got = dt_slurp(out, &len);
	/* The line and '\n', EOE with its trailing space, as auditd. */
	assert_int_equal(len, strlen(expect));
	assert_memory_equal(got, expect, len);
	free(got);
	assert_int_equal(dt_count_in(dt_errlog, "audit dispatcher initialized "
	    "with q_depth=100 and 1 active plugins"), 1);
}

/* ---- lent: a round on the caller's thread (disp_help) ---- */

/* The dispatch thread's context switches so far. */
static long
dispatch_switches(void)
{
	char cmd[256];
	long n = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "for t in /proc/%d/task/*; do "
	    "grep -qx ra-dispatch $t/comm && awk '/ctxt_switches/ "
	    "{ s += $2 } END { print s }' $t/status; done", (int)getpid());
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%ld", &n), 1);
	pclose(p);
	return n;
}

/* Until the thread sleeps with nothing to send: lent from then on. */
static void
wait_lendable(struct disp *d)
{
	for (unsigned i = 0; i < 2000; i++) {
		if (atomic_load(&d->baton.word) == RING_BATON_IDLE)
			return;
		dt_sleep_ms(1);
	}
	fail_msg("the dispatch thread never slept");
}

/* N records of PAD x's fed while the dispatch thread sleeps, one lent
 * round (disp_help), then stop: the plugin (FIRST, then cat into a file)
 * got them all, whole and in order.  Returns how many the round took. */
static unsigned
lent_run(unsigned n, size_t pad, const char *first)
{
	static char expect[3 << 20];
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	char out[160], body[256], line[1200], *got;
	struct disp_stats st;
	struct disp *d;
	size_t len = 0, glen;
	long before;
	unsigned i;

	snprintf(out, sizeof(out), "%s/out", dt_dir);
	snprintf(body, sizeof(body), "%sexec cat > %s", first, out);
	dt_plugin("cap", "string", body);
	d = dt_start(2 * n, DISP_OVF_SYSLOG, 10);
	wait_lendable(d);
	before = dispatch_switches();
	for (i = 0; i < n; i++) {
		dt_line_n(line, sizeof(line), i, pad);
		assert_true(dt_put(d, 1100, 0, line));
		assert_true(len + strlen(line) < sizeof(expect));
		memcpy(expect + len, line, strlen(line));
		len += strlen(line);
	}
	disp_help(d);
	dt_sleep_ms(50);
	/* All sent on this thread: the dispatch thread slept on. */
	if (pad == 0)
		assert_int_equal(dispatch_switches(), before);
	disp_stop(d);
	assert_int_equal(dt_stats(d, &st, ps), 1);
	assert_int_equal(st.records, n);
	assert_int_equal(ps[0].delivered, n);
	dt_assert_balanced(ps, 1);
	disp_destroy(d);
	got = dt_slurp(out, &glen);
	assert_int_equal(glen, len);
	assert_memory_equal(got, expect, len);
	free(got);
	return (unsigned)st.helped;
}

static void
test_lent_round(void **state)
{
	(void)state;
	assert_int_equal(lent_run(50, 0, ""), 50);
}

/* 2,000 records of 1 KiB to a plugin that reads only after 300 ms: its
 * socket fills under the borrower, whose round takes one batch of the
 * feed (1,024) and leaves the rest, and what the socket would not take,
 * to the thread. */
static void
test_lent_full_socket_left_to_the_thread(void **state)
{
	unsigned helped;

	(void)state;
	helped = lent_run(2000, 1024, "sleep 0.3; ");
	assert_true(helped > 0 && helped < 2000);
}

static void
test_binary_framing(void **state)
{
	const char *v0 = "type=SYSCALL msg=audit(1.002:3): arch=c000003e \n";
	const char *v1 = "node=h type=EOE msg=audit(1.002:3): \n";
	char out[160], body[256], *got;
	uint32_t hdr[4];
	struct disp *d;
	size_t len, i;

	(void)state;
	snprintf(out, sizeof(out), "%s/out", dt_dir);
	snprintf(body, sizeof(body), "exec cat > %s", out);
	dt_plugin("bin", "binary", body);
	d = dt_start(100, DISP_OVF_SYSLOG, 10);
	assert_true(dt_feed(d, 1300, 0, v0));
	assert_true(dt_feed(d, 1320, 1, v1));
	disp_stop(d);
	disp_destroy(d);
	got = dt_slurp(out, &len);
	/* Two fixed frames of 16 + 8970 bytes. */
	assert_int_equal(len, 2 * 8986);
	memcpy(hdr, got, sizeof(hdr));
	/* Protocol 0: the kernel's text, after "msg=", no '\n'. */
	assert_int_equal(hdr[0], 0);
	assert_int_equal(hdr[1], 16);
	assert_int_equal(hdr[2], 1300);
	assert_int_equal(hdr[3], strlen(v0) - strlen("type=SYSCALL msg=") - 1);
	assert_memory_equal(got + 16, v0 + strlen("type=SYSCALL msg="),
	    hdr[3]);
	for (i = 16 + hdr[3]; i < 8986; i++)
		assert_int_equal(got[i], 0);
	memcpy(hdr, got + 8986, sizeof(hdr));
	/* Protocol 1: the line as the log has it, no '\n'. */
	assert_int_equal(hdr[0], 1);
	assert_int_equal(hdr[1], 16);
	assert_int_equal(hdr[2], 1320);
	assert_int_equal(hdr[3], strlen(v1) - 1);
	assert_memory_equal(got + 8986 + 16, v1, hdr[3]);
	for (i = 8986 + 16 + hdr[3]; i < 2 * 8986; i++)
		assert_int_equal(got[i], 0);
	free(got);
}

/* ---- death and restart ---- */

/*
 * A plugin that reads one line (sh reads a byte at a time from a
 * socket) and exits: every instance takes one record, and the records
 * the dead one had not read go to the next, so the union is whole.
 */
static void
test_restart_resends(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	char out[160], body[256], line[256], *got, *p;
	struct disp *d;
	size_t len;
	unsigned i;

	(void)state;
	snprintf(out, sizeof(out), "%s/out", dt_dir);
	snprintf(body, sizeof(body), "read -r l && printf '%%s\\n' \"$l\" "
	    ">> %s", out);
	dt_plugin("once", "string", body);
	d = dt_start(100, DISP_OVF_SYSLOG, 30);
	for (i = 0; i < 20; i++) {
		dt_line_n(line, sizeof(line), i, 5);
		assert_true(dt_feed(d, 1100, 0, line));
	}
	/* 20 instances, each one record; the 21st waits for more. */
	for (i = 0; i < 500; i++) {
		dt_stats(d, &st, ps);
		if (ps[0].delivered == 20 && ps[0].restarts == 20)
			break;
		dt_sleep_ms(10);
	}
	assert_int_equal(ps[0].restarts, 20);
	assert_int_equal(ps[0].delivered, 20);
	assert_int_equal(ps[0].dropped, 0);
	disp_stop(d);
	disp_destroy(d);
	got = dt_slurp(out, &len);
	for (i = 0, p = got; i < 20; i++) {
		dt_line_n(line, sizeof(line), i, 5);
		assert_memory_equal(p, line, strlen(line));
		p += strlen(line);
	}
	assert_int_equal((size_t)(p - got), len);
	free(got);
	assert_int_equal(dt_count_in(dt_errlog, "terminated unexpectedly"), 20);
	assert_int_equal(dt_count_in(dt_errlog, "was restarted"), 20);
}

/* auditd's count: max_restarts restarts, the next death is final, and
 * (unlike auditd) no "was restarted" after it. */
static void
test_max_restarts(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	struct disp *d;
	unsigned i;

	(void)state;
	dt_plugin("dies", "string", "exit 3");
	d = dt_start(100, DISP_OVF_SYSLOG, 3);
	for (i = 0; i < 500; i++) {
		dt_stats(d, &st, ps);
		if (ps[0].state == DISP_ST_DEAD)
			break;
		dt_sleep_ms(10);
	}
	assert_int_equal(ps[0].state, DISP_ST_DEAD);
	/* Started again 3 times; the 4th death is final. */
	assert_int_equal(ps[0].restarts, 3);
	/* Nothing to give it to: the writer does not even copy it, and
	 * it is counted all the same. */
	assert_false(dt_feed(d, 1100, 0, "type=USER msg=audit(1.0:1): x\n"));
	dt_stats(d, &st, ps);
	assert_int_equal(st.feed_skipped, 1);
	assert_int_equal(ps[0].offered, 1);
	assert_int_equal(ps[0].dropped, 1);
	disp_stop(d);
	disp_destroy(d);
	assert_int_equal(dt_count_in(dt_errlog, "terminated unexpectedly"), 4);
	assert_int_equal(dt_count_in(dt_errlog, "was restarted"), 3);
	assert_int_equal(dt_count_in(dt_errlog, "has exceeded max_restarts"), 1);
}

/* ---- builtin_af_unix ---- */

static int
client(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_true((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s",
	    path) < sizeof(sa.sun_path));
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void
test_af_unix_clients(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	char sock[160], line[256], expect[8192] = "", got[8192];
	struct disp *d;
	struct stat sb;
	int fd[3];
	unsigned i, k;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/events", dt_dir);
	dt_af_unix_conf("af_unix", "0640", sock);
	d = dt_start(100, DISP_OVF_SYSLOG, 10);
	assert_int_equal(stat(sock, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0640);
	for (k = 0; k < 3; k++)
		fd[k] = client(sock);
	for (i = 0; i < 200; i++) {
		dt_stats(d, &st, ps);
		if (ps[0].clients == 3)
			break;
		dt_sleep_ms(10);
	}
	assert_int_equal(ps[0].clients, 3);
	for (i = 0; i < 30; i++) {
		dt_line_n(line, sizeof(line), i, 10);
		assert_true(dt_feed(d, 1100, 0, line));
		strcat(expect, line);
	}
	for (k = 0; k < 3; k++) {
		size_t have = 0;
		ssize_t n;

		while (have < strlen(expect) && (n = read(fd[k], got + have,
		    sizeof(got) - have)) > 0)
			have += (size_t)n;
		assert_int_equal(have, strlen(expect));
		assert_memory_equal(got, expect, have);
	}
	/* One leaves: the others lose nothing. */
	close(fd[0]);
	dt_line_n(line, sizeof(line), 99, 10);
	for (i = 0; i < 200; i++) {
		dt_stats(d, &st, ps);
		if (ps[0].clients == 2)
			break;
		dt_sleep_ms(10);
	}
	assert_true(dt_feed(d, 1100, 0, line));
	for (k = 1; k < 3; k++) {
		ssize_t n = read(fd[k], got, sizeof(got));

		assert_int_equal(n, (ssize_t)strlen(line));
		assert_memory_equal(got, line, (size_t)n);
	}
	dt_stats(d, &st, ps);
	dt_assert_balanced(ps, 1);
	disp_stop(d);
	disp_destroy(d);
	for (k = 1; k < 3; k++)
		close(fd[k]);
	/* Removed when the plugin stops, as auditd does. */
	assert_int_not_equal(stat(sock, &sb), 0);
}

/* ---- builtin_af_unix's file: what another user planted there ---- */
/*
 * The socket replaces what was planted at its path (unlink removes the
 * name itself, bind makes a new file): the victim keeps its content,
 * mode and owner, nothing is made where a dangling symlink points, and
 * the socket has its mode and takes clients.  Stopping removes the
 * socket's name only.
 */
static void
test_af_unix_socket_made_in_place_of_a_planted_file(void **state)
{
	char sock[160], victim[160], nowhere[160];
	struct disp *d;
	struct stat sb;
	enum ra_plant p;
	int fd;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/events", dt_dir);
	snprintf(victim, sizeof(victim), "%s/victim", dt_dir);
	snprintf(nowhere, sizeof(nowhere), "%s/made-through-link", dt_dir);
	dt_af_unix_conf("af_unix", "0640", sock);
	for (p = RA_PLANT_SYMLINK; p <= RA_PLANT_FIFO; p++) {
		print_message("af_unix: %s at its path\n", ra_plant_names[p]);
		ra_victim_make(victim);
		ra_plant(p, sock, victim, nowhere);
		d = dt_start(100, DISP_OVF_SYSLOG, 10);
		ra_victim_untouched(victim);
		assert_int_equal(access(nowhere, F_OK), -1);
		assert_int_equal(lstat(sock, &sb), 0);
		assert_true(S_ISSOCK(sb.st_mode));
		assert_int_equal(sb.st_mode & 07777, 0640);
		fd = client(sock);
		close(fd);
		disp_stop(d);
		disp_destroy(d);
		assert_int_equal(lstat(sock, &sb), -1);
		ra_victim_untouched(victim);
	}
}

/* auditd chmods after bind: the mode asked, whatever the umask. */
static void
test_af_unix_socket_mode_kept_under_a_narrow_umask(void **state)
{
	char sock[160];
	struct disp *d;
	struct stat sb;
	mode_t old;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/events", dt_dir);
	dt_af_unix_conf("af_unix", "0666", sock);
	old = umask(0077);
	d = dt_start(100, DISP_OVF_SYSLOG, 10);
	umask(old);
	assert_int_equal(lstat(sock, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0666);
	disp_stop(d);
	disp_destroy(d);
}

/*
 * What may be at the socket's name when its mode is set, if another user
 * replaced the socket after the bind: du_chmod changes none of it, and
 * does not block on a FIFO.  The socket itself it changes.
 */
static void
test_af_unix_chmod_follows_no_symlink(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char sock[160], victim[160], nowhere[160];
	struct stat sb;
	int fd;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/events", dt_dir);
	snprintf(victim, sizeof(victim), "%s/victim", dt_dir);
	snprintf(nowhere, sizeof(nowhere), "%s/made-through-link", dt_dir);
	ra_victim_make(victim);
	ra_test_guard("du_chmod", 10);
	ra_plant(RA_PLANT_SYMLINK, sock, victim, nowhere);
	assert_int_equal(du_chmod(sock, 0666), -ELOOP);
	ra_plant(RA_PLANT_DANGLING, sock, victim, nowhere);
	assert_int_equal(du_chmod(sock, 0666), -ELOOP);
	ra_plant(RA_PLANT_HARDLINK, sock, victim, nowhere);
	assert_int_equal(du_chmod(sock, 0666), -ENOTSOCK);
	ra_plant(RA_PLANT_FIFO, sock, victim, nowhere);
	assert_int_equal(chmod(sock, 0600), 0);
	assert_int_equal(du_chmod(sock, 0666), -ENOTSOCK);
	assert_int_equal(lstat(sock, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	ra_victim_untouched(victim);
	assert_int_equal(access(nowhere, F_OK), -1);
	/* Another user's socket is not ours to change. */
	unlink(sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_true((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s",
	    sock) < sizeof(sa.sun_path));
	assert_int_equal(fchmod(fd, 0600), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(lchown(sock, RA_VICTIM_UID, RA_VICTIM_GID), 0);
	assert_int_equal(du_chmod(sock, 0666), -EPERM);
	assert_int_equal(lstat(sock, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	/* Ours is. */
	assert_int_equal(lchown(sock, geteuid(), getegid()), 0);
	assert_int_equal(du_chmod(sock, 0666), 0);
	assert_int_equal(lstat(sock, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0666);
	ra_test_unguard();
	close(fd);
	unlink(sock);
}

/* A client that shuts its own side (nc -N) still reads: it gets every
 * record, and stays. */
static void
test_af_unix_client_that_shuts_its_side_still_reads(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	char sock[160], line[256], expect[4096] = "", got[4096];
	size_t have = 0;
	struct disp *d;
	unsigned i;
	ssize_t n;
	int fd;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/events", dt_dir);
	dt_af_unix_conf("af_unix", "0640", sock);
	d = dt_start(100, DISP_OVF_SYSLOG, 10);
	fd = client(sock);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	for (i = 0; i < 200; i++) {
		dt_stats(d, &st, ps);
		if (ps[0].clients == 1)
			break;
		dt_sleep_ms(10);
	}
	/* Its EOF seen, then records. */
	dt_sleep_ms(50);
	for (i = 0; i < 20; i++) {
		dt_line_n(line, sizeof(line), i, 10);
		assert_true(dt_feed(d, 1100, 0, line));
		strcat(expect, line);
	}
	while (have < strlen(expect) && (n = read(fd, got + have,
	    sizeof(got) - have)) > 0)
		have += (size_t)n;
	assert_int_equal(have, strlen(expect));
	assert_memory_equal(got, expect, have);
	dt_stats(d, &st, ps);
	assert_int_equal(ps[0].clients, 1);
	dt_assert_balanced(ps, 1);
	disp_stop(d);
	disp_destroy(d);
	close(fd);
}

/*
 * Regression: a SIGHUP that turned a builtin_af_unix file into a program
 * kept the plugin an af_unix one (and the other way, tried to run
 * "builtin_af_unix").  The new kind starts in its place.
 */
static void
test_hup_changes_builtin_into_program(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	struct disp_stats st;
	char sock[160], out[160], body[256], *got;
	struct disp *d;
	struct stat sb;
	size_t len;
	unsigned i;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/events", dt_dir);
	snprintf(out, sizeof(out), "%s/out", dt_dir);
	dt_af_unix_conf("cap", "0640", sock);
	d = dt_start(100, DISP_OVF_SYSLOG, 10);
	assert_int_equal(stat(sock, &sb), 0);
	/* Same file name, now a program. */
	snprintf(body, sizeof(body), "exec cat > %s", out);
	dt_plugin("cap", "string", body);
	dt_reconfigure(d, 100, DISP_OVF_SYSLOG, 10);
	for (i = 0; i < 200; i++) {
		dt_stats(d, &st, ps);
		if (ps[0].state == DISP_ST_RUNNING && ps[0].pid > 0)
			break;
		dt_sleep_ms(10);
	}
	assert_true(ps[0].pid > 0);
	assert_int_not_equal(stat(sock, &sb), 0);
	assert_true(dt_feed(d, 1100, 0, "type=USER msg=audit(1.0:1): x\n"));
	disp_stop(d);
	disp_destroy(d);
	got = dt_slurp(out, &len);
	assert_string_equal(got, "type=USER msg=audit(1.0:1): x\n");
	free(got);
}

/* The plugin of name in ps[], or NULL. */
static const struct disp_plugin_stats *
find_ps(const struct disp_plugin_stats *ps, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(ps[i].name, name) == 0)
			return &ps[i];
	return NULL;
}

/*
 * Regression: a SIGHUP that restarted a plugin waited for it to exit (up
 * to 1 s, then SIGKILL) on the dispatch thread, and meanwhile the feed
 * filled and every other plugin lost records (under TSan, 20,575 each in
 * kernel/test_dispatch_faults).  Now the old one is told to stop and left
 * to it: a plugin that ignores SIGTERM and lingers after EOF costs the
 * others nothing, and the new one starts once the old is gone.
 */
static void
test_hup_restart_waits_for_no_plugin(void **state)
{
	struct disp_plugin_stats ps[DISP_PLUGINS_MAX];
	const struct disp_plugin_stats *f, *l;
	struct disp_stats st;
	static char line[9100];
	char out[160], body[300], conf[160];
	const unsigned n = 40000;	/* some 12 MB: more than the feed */
	struct disp *d;
	pid_t old;
	unsigned i;

	(void)state;
	snprintf(out, sizeof(out), "%s/fast.out", dt_dir);
	snprintf(body, sizeof(body), "exec cat > %s", out);
	dt_plugin("fast", "string", body);
	dt_plugin("lazy", "string", "trap '' TERM\ncat > /dev/null\nsleep 2");
	d = dt_start(20000, DISP_OVF_IGNORE, 10);
	for (i = 0; i < 200; i++) {
		dt_stats(d, &st, ps);
		l = find_ps(ps, 2, "lazy.conf");
		if (l != NULL && l->pid > 0)
			break;
		dt_sleep_ms(10);
	}
	assert_non_null(l);
	old = l->pid;
	/* Its configuration changes: it is restarted. */
	snprintf(conf, sizeof(conf), "%slazy.conf", dt_pdir);
	dt_put_file(conf, 0640, "active = yes\ndirection = out\npath = "
	    "%s/lazy.sh\ntype = always\nformat = string\nargs = again\n",
	    dt_dir);
	dt_reconfigure(d, 20000, DISP_OVF_IGNORE, 10);
	for (i = 0; i < n; i++) {
		dt_line_n(line, sizeof(line), i, 250);
		dt_feed(d, 1100, 0, line);
		if (i % 200 == 199)
			dt_sleep_ms(1);
	}
	for (i = 0; i < 1000; i++) {
		dt_stats(d, &st, ps);
		f = find_ps(ps, 2, "fast.conf");
		l = find_ps(ps, 2, "lazy.conf");
		if (f != NULL && f->delivered == n && l != NULL &&
		    l->pid > 0 && l->pid != old)
			break;
		dt_sleep_ms(10);
	}
	assert_int_equal(st.feed_lost, 0);
	assert_non_null(f);
	assert_int_equal(f->offered, n);
	assert_int_equal(f->delivered, n);
	assert_non_null(l);
	assert_true(l->pid > 0 && l->pid != old);
	assert_int_equal(l->state, DISP_ST_RUNNING);
	dt_assert_balanced(ps, 2);
	disp_stop(d);
	disp_destroy(d);
	/* It ignored SIGTERM and lingered past the deadline. */
	assert_int_equal(dt_count_in(dt_errlog, "did not stop: killed"), 1);
	assert_int_equal(dt_count_in(out, "text=record-"), n);
}

#define T(f) cmocka_unit_test_setup_teardown(f, dt_setup, dt_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_string_framing),
		T(test_binary_framing),
		T(test_restart_resends),
		T(test_max_restarts),
		T(test_lent_round),
		T(test_lent_full_socket_left_to_the_thread),
		T(test_af_unix_clients),
		T(test_af_unix_client_that_shuts_its_side_still_reads),
		T(test_hup_changes_builtin_into_program),
		T(test_hup_restart_waits_for_no_plugin),
		T(test_af_unix_socket_made_in_place_of_a_planted_file),
		T(test_af_unix_socket_mode_kept_under_a_narrow_umask),
		T(test_af_unix_chmod_follows_no_symlink),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_dispatch: needs root (plugins must be "
		    "root's files)\n");
		return 77;
	}
	log_init("test_dispatch", true, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
