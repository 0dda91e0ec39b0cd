/*
 * test_config_values.c - each value of each auditd.conf key, good, bad and
 * at its bounds, with auditd 3.0.9's verdicts (test_config.c says how they
 * were learned); the actions and the modes of the programs they run; the
 * files keys name; the warnings a value gives.  The harness is
 * cfg_test.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/cfg.h"
#include "cfg_test.h"

/*
 * One value of one key: "key = val" on line 3 of a file that passes the
 * end checks.  want is what the key then reads as (render()), or NULL
 * for a refused line, whose error must quote bad (val if NULL).  "@D" is
 * the temporary folder.
 */
struct vcase {
	const char *key;
	const char *val;
	const char *want;
	const char *bad;
};

#define V(k, v, w)	{ k, v, w, NULL }
#define X(k, v)		{ k, v, NULL, NULL }
#define XQ(k, v, b)	{ k, v, NULL, b }

/* Every verdict is auditd 3.0.9's (auditd: zzz trick, see the top). */
static const struct vcase values[] = {
	/* auditd: 0..999; "< 2" means no rotation, even with rotate. */
	V("num_logs", "0", "0"), V("num_logs", "1", "1"),
	V("num_logs", "05", "5"), V("num_logs", "999", "999"),
	X("num_logs", "1000"), X("num_logs", "-1"), X("num_logs", "5x"),
	X("num_logs", "99999999999999999999999"),
	XQ("num_logs", "5 6", "6"),

	/* auditd: any number strtoul takes. */
	V("max_log_file", "0", "0"),
	V("max_log_file", "4294967296", "4294967296"),
	V("max_log_file", "18446744073709551615", "18446744073709551615"),
	X("max_log_file", "18446744073709551616"),
	X("max_log_file", "8M"), X("max_log_file", "-1"),

	/* auditd: no exec, email, single or halt here. */
	V("max_log_file_action", "ignore", "ignore"),
	V("max_log_file_action", "SYSLOG", "syslog"),
	V("max_log_file_action", "suspend", "suspend"),
	V("max_log_file_action", "Rotate", "rotate"),
	V("max_log_file_action", "KEEP_LOGS", "keep_logs"),
	X("max_log_file_action", "exec"),
	XQ("max_log_file_action", "exec /bin/true", "/bin/true"),
	X("max_log_file_action", "email"), X("max_log_file_action", "halt"),
	X("max_log_file_action", "single"),
	X("max_log_file_action", "keep-logs"),

	/* auditd: MiB, or N% with N <= 99; digits and '%' anywhere, the
	 * first '%' blanked, a number read from the start; 0% is 0 MiB. */
	V("space_left", "0", "0"), V("space_left", "75", "75"),
	V("space_left", "5%", "5%"), V("space_left", "99%", "99%"),
	V("space_left", "0%", "0"), V("space_left", "%5", "5%"),
	V("space_left", "5%5", "5%"), V("space_left", "5%%", "5%"),
	V("space_left", "%", "0"),
	V("space_left", "18446744073709551615", "18446744073709551615"),
	X("space_left", "100%"), X("space_left", "%100"),
	X("space_left", "5.5%"), X("space_left", "-5"), X("space_left", "5M"),
	X("space_left", "18446744073709551616"),
	X("space_left", "18446744073709551616%"),
	V("admin_space_left", "50", "50"), V("admin_space_left", "1%", "1%"),
	V("admin_space_left", "99%", "99%"), V("admin_space_left", "1%2", "1%"),
	V("admin_space_left", "%%", "0"), X("admin_space_left", "100%"),
	X("admin_space_left", "x"),

	/* auditd: with verify_email (yes by default) the address needs 2
	 * characters, only [A-Za-z0-9@._-], a '.' after '@'; a failed DNS
	 * lookup only warns. */
	V("action_mail_acct", "root", "root"), V("action_mail_acct", "ab", "ab"),
	V("action_mail_acct", "a_b", "a_b"), V("action_mail_acct", "a-b", "a-b"),
	V("action_mail_acct", "a.b", "a.b"), V("action_mail_acct", "A9", "A9"),
	V("action_mail_acct", "a@b.c", "a@b.c"),
	V("action_mail_acct", "a@b.", "a@b."),
	V("action_mail_acct", "@.", "@."),
	V("action_mail_acct", "a@@b.c", "a@@b.c"),
	X("action_mail_acct", "r"), X("action_mail_acct", "a!b"),
	X("action_mail_acct", "a+b"), X("action_mail_acct", "a=b"),
	X("action_mail_acct", "a#b"), X("action_mail_acct", "a@b"),
	X("action_mail_acct", "a.b@c"), X("action_mail_acct", "a.@b"),
	X("action_mail_acct", "caf\xc3\xa9"),

	V("verify_email", "no", "no"), V("verify_email", "NO", "no"),
	V("verify_email", "yes", "yes"), X("verify_email", "maybe"),
	X("verify_email", "1"),

	/* auditd (built with the listener): ports 1..65535, a queue of
	 * 1..65535, 1..1024 per address, idle 0..INT_MAX. */
	V("tcp_listen_port", "1", "1"), V("tcp_listen_port", "65535", "65535"),
	X("tcp_listen_port", "0"), X("tcp_listen_port", "65536"),
	X("tcp_listen_port", "x"),
	V("tcp_listen_queue", "1", "1"),
	V("tcp_listen_queue", "65535", "65535"),
	X("tcp_listen_queue", "0"), X("tcp_listen_queue", "65536"),
	V("tcp_max_per_addr", "1", "1"), V("tcp_max_per_addr", "1024", "1024"),
	X("tcp_max_per_addr", "0"), X("tcp_max_per_addr", "1025"),
	V("use_libwrap", "no", "no"), V("use_libwrap", "Yes", "yes"),
	X("use_libwrap", "1"),
	V("tcp_client_max_idle", "0", "0"),
	V("tcp_client_max_idle", "2147483647", "2147483647"),
	X("tcp_client_max_idle", "2147483648"),
	X("tcp_client_max_idle", "-1"),

	/* auditd: "port" or "lo-hi" in 0..65535 (0 too, unlike its man
	 * page), the last '-' splits. */
	V("tcp_client_ports", "0", "0-0"), V("tcp_client_ports", "1024",
	    "1024-1024"),
	V("tcp_client_ports", "1-1023", "1-1023"),
	V("tcp_client_ports", "0-65535", "0-65535"),
	V("tcp_client_ports", "5-5", "5-5"),
	V("tcp_client_ports", "1--5", "1-5"),
	V("tcp_client_ports", "1-2-3", "1-3"),
	X("tcp_client_ports", "65536"), X("tcp_client_ports", "1-65536"),
	X("tcp_client_ports", "2-1"), X("tcp_client_ports", "3-2-1"),
	X("tcp_client_ports", "-5"), X("tcp_client_ports", "5-"),
	X("tcp_client_ports", "1-x"),
	X("tcp_client_ports", "99999999999999999999-1"),
	X("tcp_client_ports", "1-99999999999999999999"),
	XQ("tcp_client_ports", "1- 2", "2"),

	/* auditd (built with GSSAPI): tcp or krb5. */
	V("transport", "tcp", "tcp"), V("transport", "KRB5", "krb5"),
	X("transport", "udp"), X("transport", "krb"),
	V("enable_krb5", "no", "no"), V("enable_krb5", "yes", "yes"),
	X("enable_krb5", "x"),
	V("krb5_principal", "anything@X", "anything@X"),
	V("krb5_key_file", "relative", "relative"),
	V("krb5_key_file", "/nonexistent", "/nonexistent"),
	V("distribute_network", "yes", "yes"),
	V("distribute_network", "NO", "no"), X("distribute_network", "x"),

	/* auditd: q_depth 0..99999 (below 512 it warns; 0 it takes, then
	 * divides by: refused here); max_restarts 0..INT_MAX;
	 * end_of_event_timeout any number strtoul takes. */
	X("q_depth", "0"), V("q_depth", "1", "1"), V("q_depth", "511", "511"),
	V("q_depth", "512", "512"), V("q_depth", "99999", "99999"),
	X("q_depth", "100000"), X("q_depth", "x"),
	V("overflow_action", "ignore", "ignore"),
	V("overflow_action", "SYSLOG", "syslog"),
	V("overflow_action", "suspend", "suspend"),
	V("overflow_action", "single", "single"),
	V("overflow_action", "Halt", "halt"),
	X("overflow_action", "rotate"), X("overflow_action", "exec"),
	X("overflow_action", "email"),
	V("max_restarts", "0", "0"),
	V("max_restarts", "2147483647", "2147483647"),
	X("max_restarts", "2147483648"), X("max_restarts", "-1"),
	V("end_of_event_timeout", "0", "0"),
	V("end_of_event_timeout", "4294967296", "4294967296"),
	V("end_of_event_timeout", "18446744073709551615",
	    "18446744073709551615"),
	X("end_of_event_timeout", "18446744073709551616"),
	X("end_of_event_timeout", "-1"),

	/* auditd: anything, with a '/' appended (it opened "DIR//x.conf");
	 * its source leaves a 1-character value alone. */
	V("plugin_dir", "/etc/audit/plugins.d", "/etc/audit/plugins.d/"),
	V("plugin_dir", "/a/", "/a/"), V("plugin_dir", "relative", "relative/"),
	V("plugin_dir", "/nonexistent", "/nonexistent/"),
	V("plugin_dir", "/", "/"), V("plugin_dir", "x", "x"),

	/* auditd: deprecated, any value, a warning. */
	V("dispatcher", "/sbin/audispd", "-"), V("disp_qos", "bogus", "-"),
	XQ("disp_qos", "lossy extra", "extra"),

	/* Some of the keys test_auditd_keys covers, through this table. */
	V("local_events", "No", "no"), V("write_logs", "YES", "yes"),
	V("log_format", "RAW", "raw"), V("flush", "Sync", "sync"),
	V("name_format", "Fqd", "fqd"), V("name", "n", "n"),
	V("priority_boost", "0", "0"), V("freq", "7", "7"),
	V("log_group", "4", "4"), V("log_file", "@D/a.log", "@D/a.log"),
};

/* The two lines before line 3: what the end checks want, and for the
 * space keys a percentage on the other side so that any value passes. */
static const char *
prefix(const char *key)
{
	if (strcmp(key, "space_left") == 0)
		return "admin_space_left = 1%\n#\n";
	if (strcmp(key, "admin_space_left") == 0)
		return "space_left = 1%\n#\n";
	return P;
}

static void
run_values(const struct vcase *t, size_t n)
{
	static struct cfg c, d;
	char text[1024], line[512], path[PATH_MAX], err[1024];
	char want[PATH_MAX], got[PATH_MAX + 16], bad[PATH_MAX];
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s%s = %s\n", prefix(t[i].key),
		    t[i].key, t[i].val);
		subst(text, sizeof(text), line);
		snprintf(path, sizeof(path), "%s",
		    put("auditd.conf", text, 0600));
		cfg_defaults(&c);
		memcpy(&d, &c, sizeof(d));
		err[0] = '\0';
		rc = cfg_load_auditd(&c, path, false, err, sizeof(err));
		if (t[i].want == NULL) {
			if (rc != -EINVAL)
				fail_msg("%s = %s: rc %d, want -EINVAL",
				    t[i].key, t[i].val, rc);
			subst(bad, sizeof(bad),
			    t[i].bad != NULL ? t[i].bad : t[i].val);
			assert_err(err, path, 3, bad);
			assert_memory_equal(&c, &d, sizeof(c));
			continue;
		}
		if (rc != 0)
			fail_msg("%s = %s: rc %d (%s)", t[i].key, t[i].val, rc,
			    err);
		subst(want, sizeof(want), t[i].want);
		render(&c, t[i].key, got, sizeof(got));
		if (strcmp(got, want) != 0)
			fail_msg("%s = %s: reads \"%s\", want \"%s\"", t[i].key,
			    t[i].val, got, want);
	}
}

static void
test_values(void **state)
{
	(void)state;
	run_values(values, sizeof(values) / sizeof(values[0]));
}

/*
 * The four actions: which key takes what (auditd: disk_full_action has
 * no email, disk_error_action no email nor rotate), and exec's program:
 * absolute, there, a regular file (symlinks followed), root's, mode 0750,
 * 0755 or 0555 (0550, which auditd's message names, is refused).  An
 * option after another action is ignored.  Files in @D: see setup().
 */
static const struct {
	const char *val;
	const char *want;	/* NULL: refused by every key */
	const char *bad;
	bool ok[4];		/* space_left_, admin_space_left_, disk_full_,
				 * disk_error_action */
} acts[] = {
	{ "ignore", "ignore", NULL, { true, true, true, true } },
	{ "SYSLOG", "syslog", NULL, { true, true, true, true } },
	{ "rotate", "rotate", NULL, { true, true, true, false } },
	{ "email", "email", NULL, { true, true, false, false } },
	{ "Suspend", "suspend", NULL, { true, true, true, true } },
	{ "single", "single", NULL, { true, true, true, true } },
	/* auditd 3.0.9 takes halt for space_left_action (later ones not). */
	{ "halt", "halt", NULL, { true, true, true, true } },
	{ "syslog extra", "syslog", NULL, { true, true, true, true } },
	{ "bogus", NULL, "bogus", { false, false, false, false } },
	{ "exec", NULL, "", { false, false, false, false } },
	{ "exec @D/x0755", "exec @D/x0755", NULL, { true, true, true, true } },
	{ "EXEC @D/x0750", "exec @D/x0750", NULL, { true, true, true, true } },
	{ "exec @D/x0555", "exec @D/x0555", NULL, { true, true, true, true } },
	{ "exec @D/x4755", "exec @D/x4755", NULL, { true, true, true, true } },
	{ "exec @D/xlink", "exec @D/xlink", NULL, { true, true, true, true } },
	{ "exec @D/x0550", NULL, "@D/x0550", { false, false, false, false } },
	{ "exec @D/x0700", NULL, "@D/x0700", { false, false, false, false } },
	{ "exec @D/x0775", NULL, "@D/x0775", { false, false, false, false } },
	{ "exec @D/x0644", NULL, "@D/x0644", { false, false, false, false } },
	{ "exec @D/xnobody", NULL, "@D/xnobody",
	    { false, false, false, false } },
	{ "exec @D", NULL, "@D", { false, false, false, false } },
	{ "exec @D/none", NULL, "@D/none", { false, false, false, false } },
	{ "exec x0755", NULL, "x0755", { false, false, false, false } },
};

static void
test_actions(void **state)
{
	static const char *const k[4] = {
		"space_left_action", "admin_space_left_action",
		"disk_full_action", "disk_error_action",
	};
	struct vcase v[sizeof(acts) / sizeof(acts[0]) * 4];
	size_t i, j, n = 0;

	(void)state;
	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		for (j = 0; j < 4; j++)
			v[n++] = (struct vcase){ k[j], acts[i].val,
			    acts[i].ok[j] ? acts[i].want : NULL,
			    acts[i].ok[j] || acts[i].bad != NULL ?
			    acts[i].bad : acts[i].val };
	run_values(v, n);
}

/* auditd, run on every permission of a root-owned file: only 0555, 0750
 * and 0755 are taken for exec. */
static void
test_exec_modes(void **state)
{
	static struct cfg c;
	char exe[PATH_MAX], text[PATH_MAX + 64], err[512];
	const char *path;
	mode_t m;
	int fd, rc;

	(void)state;
	snprintf(exe, sizeof(exe), "%s/mode", tmp);
	fd = open(exe, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(text, sizeof(text), P "disk_error_action = exec %s\n", exe);
	path = put("auditd.conf", text, 0600);
	for (m = 0; m <= 0777; m++) {
		assert_int_equal(chmod(exe, m), 0);
		cfg_defaults(&c);
		rc = cfg_load_auditd(&c, path, false, err, sizeof(err));
		if (m == 0555 || m == 0750 || m == 0755) {
			if (rc != 0)
				fail_msg("mode %04o: %s", (unsigned)m, err);
			assert_string_equal(c.disk_error_action.exe, exe);
		} else if (rc != -EINVAL)
			fail_msg("mode %04o: rc %d", (unsigned)m, rc);
	}
	unlink(exe);
}

/*
 * Whole files, for what depends on more than one line.  want is what key
 * reads as, or NULL for a refused file, the error naming line and bad.
 */
static const struct {
	const char *text;
	const char *key;
	const char *want;
	unsigned line;
	const char *bad;
} files[] = {
	/* auditd: verify_email applies to the action_mail_acct after it. */
	{ P "verify_email = no\naction_mail_acct = r\n", "action_mail_acct",
	    "r", 0, NULL },
	{ P "verify_email = no\naction_mail_acct = a+b!\n",
	    "action_mail_acct", "a+b!", 0, NULL },
	{ P "action_mail_acct = r\nverify_email = no\n", NULL, NULL, 3,
	    "r" },
	{ P "verify_email = no\nverify_email = yes\naction_mail_acct = r\n",
	    NULL, NULL, 5, "r" },
	/* auditd: rotate with num_logs below 2 is accepted (no rotation). */
	{ P "max_log_file_action = rotate\nnum_logs = 0\n", "num_logs", "0",
	    0, NULL },
	{ P "num_logs = 1\nmax_log_file_action = rotate\n",
	    "max_log_file_action", "rotate", 0, NULL },
	/* auditd: email without sendmail only warns. */
	{ P "space_left_action = email\n", "space_left_action", "email", 0,
	    NULL },
	/* auditd's source: enable_krb5 = yes sets transport = krb5, and no
	 * leaves it alone. */
	{ P "transport = tcp\nenable_krb5 = yes\n", "transport", "krb5", 0,
	    NULL },
	{ P "enable_krb5 = yes\ntransport = tcp\n", "transport", "tcp", 0,
	    NULL },
	{ P "transport = krb5\nenable_krb5 = no\n", "transport", "krb5", 0,
	    NULL },
	/* The last value wins, and a plain number after a percentage is
	 * MiB again (auditd: 50 <= 60 then fails the end check). */
	{ "space_left = 5%\nspace_left = 50\nadmin_space_left = 40\n",
	    "space_left", "50", 0, NULL },
	{ "space_left = 5%\nspace_left = 50\nadmin_space_left = 60\n", NULL,
	    NULL, 3, "60" },
	{ P "disk_full_action = exec @D/x0755\ndisk_full_action = halt\n",
	    "disk_full_action", "halt", 0, NULL },
	{ P "tcp_client_ports = 5-9\ntcp_client_ports = 7\n",
	    "tcp_client_ports", "7-7", 0, NULL },
};

static void
test_files(void **state)
{
	static struct cfg c, d;
	char text[1024], path[PATH_MAX], err[1024], got[PATH_MAX + 16];
	char bad[PATH_MAX];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		subst(text, sizeof(text), files[i].text);
		snprintf(path, sizeof(path), "%s",
		    put("auditd.conf", text, 0600));
		cfg_defaults(&c);
		memcpy(&d, &c, sizeof(d));
		rc = cfg_load_auditd(&c, path, false, err, sizeof(err));
		if (files[i].want == NULL) {
			if (rc != -EINVAL)
				fail_msg("case %zu: rc %d", i, rc);
			subst(bad, sizeof(bad), files[i].bad);
			assert_err(err, path, files[i].line, bad);
			assert_memory_equal(&c, &d, sizeof(c));
			continue;
		}
		if (rc != 0)
			fail_msg("case %zu: %s", i, err);
		render(&c, files[i].key, got, sizeof(got));
		assert_string_equal(got, files[i].want);
	}
}

/* The warnings auditd prints too, for values it takes. */
static void
test_value_warnings(void **state)
{
	static const char *const t[][2] = {
		{ P "dispatcher = /sbin/audispd\n", ":3: dispatcher is "
		    "deprecated" },
		{ P "disp_qos = lossy\n", ":3: disp_qos is deprecated" },
		{ P "q_depth = 511\n", ":3: q_depth: 511 is below 512" },
		{ P "disk_full_action = suspend a b\n",
		    ":3: disk_full_action: what follows" },
		{ P "disk_full_action = suspend now\n",
		    ":3: disk_full_action: \"now\" after \"suspend\" is "
		    "ignored" },
		{ "admin_space_left = 1%\nspace_left = 5%5\n",
		    ":2: space_left: \"5%5\" taken as 5%" },
		{ P "tcp_client_ports = 1-2-3\n",
		    ":3: tcp_client_ports: \"1-2-3\" taken as 1-3" },
		{ P "space_left_action = email\n", "sendmail \"@D/none\" "
		    "cannot be run" },
	};
	static struct cfg c;
	char text[512], err[512], w[256];
	const char *path;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		path = put("auditd.conf", t[i][0], 0600);
		cfg_defaults(&c);
		subst(text, sizeof(text), "@D/none");
		snprintf(c.sendmail, sizeof(c.sendmail), "%s", text);
		if (cfg_load_auditd(&c, path, false, err, sizeof(err)) != 0)
			fail_msg("case %zu: %s", i, err);
		subst(w, sizeof(w), t[i][1]);
		if (!warned(&c, w))
			fail_msg("case %zu: no warning \"%s\"", i, w);
	}
	/* A sendmail that runs: no warning. */
	path = put("auditd.conf", P "space_left_action = email\n", 0600);
	cfg_defaults(&c);
	subst(c.sendmail, sizeof(c.sendmail), "@D/x0755");
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_int_equal(c.n_warn, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_exec_modes),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_value_warnings),
	};

	return cfg_test_main("test_config_values", tests,
	    sizeof(tests) / sizeof(tests[0]));
}
