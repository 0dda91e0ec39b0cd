/*
 * test_pconf.c - plugins.d read as auditd 3.0.9 reads it: which files,
 * the checks on each file, the line syntax, every key, the checks on an
 * active plugin's binary.  One case per rule, its comment giving auditd's
 * verdict ("auditd:"), learned by running Debian's auditd 3.0.9 (auditd
 * -f -c DIR, local_events = no, plugin_dir = the case's folder, private
 * mount namespace) on the same folder: its stderr, then "... and N active
 * plugins" or "No plugins found".  ringauditd says the same words; where
 * auditd names no file it adds it (pconf.c says how).  In the texts, @F
 * is the plugin file as both spell it (the folder, which ends in '/',
 * then "/x.conf"), @D the folder, @B the test binaries', @0 a NUL byte.
 * A rule one file shows is a row of rows[] or frows[]; the rest are
 * functions.  Files go into a mkdtemp() folder, removed at the end; they
 * must be root's, so the program skips when not run as root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "dispatch/dispatch.h"
#include "ra_test.h"

#define NOBODY 65534

static char tmp[64];		/* the mkdtemp() folder */
static char bin[80];		/* test binaries: p<mode>, puser, ... */
static char cur[96];		/* this case's plugin_dir, ends in '/' */
static char file[112];		/* cur "/" "x.conf", as auditd spells it */
static char logbuf[8192];	/* what the last load or scan logged */
static unsigned ncase;

/* s with @B, @D, @F and @0 replaced; returns the length. */
static size_t
subst(char *dst, size_t len, const char *s)
{
	const char *with;
	size_t o = 0, n;

	for (; *s != '\0'; s++) {
		with = s[0] != '@' ? NULL : s[1] == 'B' ? bin :
		    s[1] == 'D' ? cur : s[1] == 'F' ? file :
		    s[1] == '0' ? "" : NULL;
		n = with != NULL ? strlen(with) + (s[1] == '0') : 1;
		assert_true(o + n < len);
		memcpy(dst + o, with != NULL ? with : s, n);
		o += n;
		s += with != NULL;
	}
	dst[o] = '\0';
	return o;
}

/* A new, empty plugin_dir for one case. */
static void
newdir(void)
{
	snprintf(cur, sizeof(cur), "%s/c%u/", tmp, ++ncase);
	assert_int_equal(mkdir(cur, 0755), 0);
	snprintf(file, sizeof(file), "%s/x.conf", cur);
}

/* cur/name holding text, root's, 0644. */
static void
put(const char *name, const char *text)
{
	char buf[4096], path[PATH_MAX];
	size_t n;
	int fd;

	n = subst(buf, sizeof(buf), text);
	snprintf(path, sizeof(path), "%s%s", cur, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	close(fd);
}

static void
expect_log(const char *want)
{
	char w[4096];

	subst(w, sizeof(w), want);
	if (strcmp(logbuf, w) != 0)
		fail_msg("logged:\n%swanted:\n%s", logbuf, w);
}

/*
 * cur's x.conf read (max 0), or cur scanned for max plugins; what was
 * logged (log.c writes to stderr) is caught in logbuf.
 */
static int
read_cur(struct disp_pconf *pcs, unsigned max)
{
	FILE *cap = tmpfile();
	int rc, saved = dup(STDERR_FILENO);
	size_t n;

	assert_true(cap != NULL && saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(cap), STDERR_FILENO) >= 0);
	if (max == 0)
		rc = disp_pconf_load(cur, "x.conf", pcs);
	else
		rc = disp_pconf_scan(cur, pcs, max);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(cap);
	n = fread(logbuf, 1, sizeof(logbuf) - 1, cap);
	logbuf[n] = '\0';
	fclose(cap);
	return rc;
}

#define load_x(pc) read_cur(pc, 0)
#define scan(pcs, max) read_cur(pcs, max)

/* In a new folder, x.conf holding text is read: rc 0, exactly this log
 * and pc->active as given. */
static void
expect_ok(const char *text, bool active, const char *log,
    struct disp_pconf *pc)
{
	newdir();
	put("x.conf", text);
	assert_int_equal(load_x(pc), 0);
	assert_int_equal(pc->active, active);
	expect_log(log);
}

#define OK "active = yes\npath = @B/p0755\n"
#define SKIP "Skipping x.conf plugin due to errors\n"

/*
 * ---- rules one file shows ----
 * A row is what auditd did with that file: W_ON, "1 active plugins";
 * W_OFF, "No plugins found", no error; W_BAD, "Skipping x.conf plugin
 * due to errors".  log is auditd's stderr before that, exactly.  frows[]
 * set an owner and mode, or make x.conf a symlink (text goes to "t").
 */
enum want {
	W_BAD,		/* refused: load < 0 */
	W_OFF,		/* read, not to run */
	W_ON,		/* read, to run */
};

struct row {
	const char *name;
	const char *text;
	enum want want;
	const char *log;	/* every message, exactly */
};

struct frow {
	struct row r;
	const char *link;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

#define X50 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define WRONG1 "Wrong number of arguments for line 1 in @F\n"
#define A "active = yes\npath = "

static struct frow frows[] = {
	/* auditd: a symlink to nowhere is only a warning; no plugin. */
	{ { "dangling_symlink", NULL, W_OFF,
	    "Config file @F doesn't exist, skipping\n" }, "/nonexistent/x",
	    0644, 0, 0 },
	/* auditd: a symlink is followed: 1 active plugin. */
	{ { "symlink_followed", OK, W_ON, "" }, "@Dt", 0644, 0, 0 },
	/* auditd: a symlink loop fails open(). */
	{ { "symlink_loop", NULL, W_BAD, "Error opening @F "
	    "(Too many levels of symbolic links)\n" SKIP }, "x.conf",
	    0644, 0, 0 },
	/* auditd: the file must be root's ... */
	{ { "not_root", OK, W_BAD, "Error - @F isn't owned by root\n" SKIP },
	    NULL, 0644, NOBODY, 0 },
	/* auditd: ... the symlink's target is what is checked ... */
	{ { "symlink_to_not_root", OK, W_BAD,
	    "Error - @F isn't owned by root\n" SKIP }, "@Dt", 0644, NOBODY,
	    0 },
	/* auditd: ... and not world-writable ... */
	{ { "world_writable", OK, W_BAD,
	    "Error - @F is world writable\n" SKIP }, NULL, 0666, 0, 0 },
	/* auditd: ... (/dev/null is) ... */
	{ { "symlink_to_dev_null", NULL, W_BAD,
	    "Error - @F is world writable\n" SKIP }, "/dev/null", 0644, 0,
	    0 },
	/* auditd: ... but it may be group-writable, another group's ... */
	{ { "group_writable", OK, W_ON, "" }, NULL, 0660, 0, NOBODY },
	/* auditd: ... and the owner is looked at first. */
	{ { "not_root_and_world_writable", OK, W_BAD,
	    "Error - @F isn't owned by root\n" SKIP }, NULL, 0666, NOBODY,
	    0 },
};

static struct row rows[] = {
	/* -- lines -- */
	/* auditd: a 300-character line is passed over, the rest is read. */
	{ "long_line", "active = yes\n# " X50 X50 X50 X50 X50 X50 "\n"
	    "path = @B/p0755\n", W_ON, "Skipping line 2 in @F: too long\n" },
	/* auditd: a last line without '\n' is "too long" too. */
	{ "last_line_without_newline", "path = @B/p0755\nactive = yes", W_OFF,
	    "Skipping line 2 in @F: too long\n" },
	/* auditd: a NUL byte makes line 2 "too long" and hides line 3 (an
	 * unknown keyword, never reported); line 4 is read. */
	{ "nul_byte_hides_next_line", "path = @B/p0755\n# a@0b\nbogus = 1\n"
	    "active = yes\n", W_ON, "Skipping line 2 in @F: too long\n" },
	/* auditd: a long line is counted: the next is line 2 ... */
	{ "line_counted_after_long_line", "# " X50 X50 X50 X50 X50 X50 "\n"
	    "bogus = 1\n", W_BAD, "Skipping line 1 in @F: too long\n"
	    "Unknown keyword \"bogus\" in line 2 of @F\n" SKIP },
	/* auditd: ... the line a NUL hides is not: line 4 is "line 3". */
	{ "nul_byte_line_count", "# a@0b\nhidden = 1\nactive = no\n"
	    "bogus = 1\n", W_BAD, "Skipping line 1 in @F: too long\n"
	    "Unknown keyword \"bogus\" in line 3 of @F\n" SKIP },
	/* auditd: tabs are not separators: one token. */
	{ "tabs_are_not_spaces", "active\t=\tyes\n", W_BAD, WRONG1 SKIP },
	/* auditd: a tab after the value is part of it. */
	{ "tab_after_value", "active = yes\t\n", W_BAD,
	    "Option yes\t not found - line 1 of @F\n" SKIP },
	/* auditd: '=' must be a token of its own. */
	{ "equal_sign_joined", "active=yes\n" OK, W_BAD, WRONG1 SKIP },
	/* auditd: a key with '=' and no value. */
	{ "no_value", "active =\n", W_BAD, WRONG1 SKIP },
	/* auditd: a key alone, after a comment (line 2). */
	{ "key_alone", "# c\nactive\n", W_BAD,
	    "Wrong number of arguments for line 2 in @F\n" SKIP },
	/* auditd: a value with no '='. */
	{ "missing_equal_sign", "active yes\n", W_BAD,
	    "Missing equal sign for line 1 in @F\n" SKIP },
	/* auditd: "==" is not '='. */
	{ "double_equal_sign", "active == yes\n", W_BAD,
	    "Missing equal sign for line 1 in @F\n" SKIP },
	/* auditd: blank, blank-ish and '#' lines (indented too) pass. */
	{ "comments", "# c\n\n   \n   # x = y z w v\n#\n" OK, W_ON, "" },
	/* auditd: they are counted: line 3. */
	{ "comments_counted", "#\n\nbogus = 1\n", W_BAD,
	    "Unknown keyword \"bogus\" in line 3 of @F\n" SKIP },
	/* auditd: runs of spaces, leading and trailing, are fine. */
	{ "extra_spaces", "   active   =   yes   \n  path =  @B/p0755\n",
	    W_ON, "" },
	/* auditd: a CRLF file: "yes\r" is no value it knows. */
	{ "crlf", "active = yes\r\n", W_BAD,
	    "Option yes\r not found - line 1 of @F\n" SKIP },
	/* auditd: an unknown keyword rejects the file. */
	{ "unknown_keyword", A "@B/p0755\nbogus = 1\n", W_BAD,
	    "Unknown keyword \"bogus\" in line 3 of @F\n" SKIP },
	/* auditd: quoted as written. */
	{ "unknown_keyword_as_written", "BoGuS = 1\n", W_BAD,
	    "Unknown keyword \"BoGuS\" in line 1 of @F\n" SKIP },
	/* auditd: "= = yes": the first '=' is the keyword. */
	{ "equal_sign_as_keyword", "= = yes\n", W_BAD,
	    "Unknown keyword \"=\" in line 1 of @F\n" SKIP },
	/* auditd: a second value where the key takes one. */
	{ "invalid_option", "active = yes no\n", W_BAD,
	    "Keyword \"active\" has invalid option \"no\" in line 1 of @F\n"
	    SKIP },
	/* auditd: the same for path (a path with a space). */
	{ "invalid_option_path", A "@B/p0755 x\n", W_BAD,
	    "Keyword \"path\" has invalid option \"x\" in line 2 of @F\n"
	    SKIP },
	/* auditd: five tokens: both messages. */
	{ "five_tokens", "active = yes no maybe\n", W_BAD, WRONG1
	    "Keyword \"active\" has invalid option \"no\" in line 1 of @F\n"
	    SKIP },
	/* auditd: no comment after a value. */
	{ "trailing_comment", "active = yes # on\n", W_BAD, WRONG1
	    "Keyword \"active\" has invalid option \"#\" in line 1 of @F\n"
	    SKIP },

	/* -- keys -- */
	/* auditd: active is no by default ... */
	{ "active_default_no", "path = @B/p0755\n", W_OFF, "" },
	{ "active_no", "active = no\npath = @B/p0755\n", W_OFF, "" },
	/* auditd: ... and the last line wins. */
	{ "active_last_wins", OK "active = no\n", W_OFF, "" },
	/* auditd: active takes yes or no. */
	{ "active_bad_value", "active = maybe\n", W_BAD,
	    "Option maybe not found - line 1 of @F\n" SKIP },
	/* auditd: direction = in is refused ... */
	{ "direction_in", "active = yes\ndirection = in\n", W_BAD,
	    "Option in not found - line 2 of @F\n" SKIP },
	/* auditd: ... out is fine, in any case. */
	{ "direction_out", OK "direction = OUT\n", W_ON, "" },
	/* auditd: builtin_* is not checked: builtin_syslog (2.x) and any
	 * other name count as active plugins. */
	{ "builtin_syslog", A "builtin_syslog\ntype = builtin\n", W_ON, "" },
	{ "builtin_any", A "BUILTIN_nothing\ntype = builtin\n", W_ON, "" },
	/* auditd: the dirname of path must have 4 characters: ".", "/",
	 * "/" (of "/abc/") and "/ab" are too short. */
	{ "path_dirname_dot", A "p0755\n", W_BAD,
	    "The directory name: . is too short - line 2 of @F\n" SKIP },
	{ "path_dirname_root", A "/p0755\n", W_BAD,
	    "The directory name: / is too short - line 2 of @F\n" SKIP },
	{ "path_dirname_trailing_slash", A "/abc/\n", W_BAD,
	    "The directory name: / is too short - line 2 of @F\n" SKIP },
	{ "path_dirname_short", A "/ab/p0755\n", W_BAD,
	    "The directory name: /ab is too short - line 2 of @F\n" SKIP },
	/* auditd: so for an inactive plugin too. */
	{ "path_checked_when_inactive", "active = no\npath = x\n", W_BAD,
	    "The directory name: . is too short - line 2 of @F\n" SKIP },
	/* auditd: type takes builtin or always. */
	{ "type_bad", OK "type = sometimes\n", W_BAD,
	    "Option sometimes not found - line 3 of @F\n" SKIP },
	/* auditd: type = builtin with a binary: the binary is checked. */
	{ "type_builtin_binary", OK "type = builtin\n", W_ON, "" },
	{ "type_builtin_binary_checked", A "@B/p0700\ntype = builtin\n",
	    W_BAD, "@B/p0700 permissions should be 0750 - line 2 of @F\n"
	    SKIP },
	/* auditd: format takes binary or string. */
	{ "format_bad", OK "format = json\n", W_BAD,
	    "Option json not found - line 3 of @F\n" SKIP },

	/* -- the checks at the end -- */
	/* auditd: an active plugin needs a path. */
	{ "no_path", "active = yes\n", W_BAD,
	    "Error - plugin (@F) is active but no path given\n" SKIP },
	/* auditd: an empty file, or comments alone: silently inactive. */
	{ "empty_file", "", W_OFF, "" },
	{ "only_comments", "# active = yes\n", W_OFF, "" },
	/* auditd: a missing binary, wherever active = yes is ... */
	{ "binary_missing", A "@D/none\n", W_BAD, "Unable to stat @D/none "
	    "(No such file or directory) - line 2 of @F\n" SKIP },
	{ "binary_missing_active_later", "active = no\npath = @D/none\n"
	    "active = yes\n", W_BAD, "Unable to stat @D/none "
	    "(No such file or directory) - line 2 of @F\n" SKIP },
	/* auditd: ... but only if active. */
	{ "binary_missing_inactive", "active = no\npath = @D/none\n", W_OFF,
	    "" },
	/* auditd: the binary must be a regular file, root's. */
	{ "binary_folder", A "@B/dir\n", W_BAD,
	    "@B/dir is not a regular file - line 2 of @F\n" SKIP },
	{ "binary_not_root", A "@B/puser\n", W_BAD,
	    "@B/puser is not owned by root - line 2 of @F\n" SKIP },
	/* auditd: its group does not matter. */
	{ "binary_other_group", A "@B/pgrp\n", W_ON, "" },
	/* auditd: the 0750 bits must be set: 0700 and 0740 are refused,
	 * 0750, 0751, 0754, 0755 and 0770 pass. */
	{ "binary_0700", A "@B/p0700\n", W_BAD,
	    "@B/p0700 permissions should be 0750 - line 2 of @F\n" SKIP },
	{ "binary_0740", A "@B/p0740\n", W_BAD,
	    "@B/p0740 permissions should be 0750 - line 2 of @F\n" SKIP },
	{ "binary_0750", A "@B/p0750\n", W_ON, "" },
	{ "binary_0751", A "@B/p0751\n", W_ON, "" },
	{ "binary_0754", A "@B/p0754\n", W_ON, "" },
	{ "binary_0755", A "@B/p0755\n", W_ON, "" },
	{ "binary_0770", A "@B/p0770\n", W_ON, "" },
	/* auditd: symlinks are followed; the message names the link. */
	{ "binary_symlink_0700", A "@B/link0700\n", W_BAD,
	    "@B/link0700 permissions should be 0750 - line 2 of @F\n" SKIP },
};

static void
check(const struct row *r, int rc, const struct disp_pconf *pc)
{
	expect_log(r->log);
	assert_int_equal(pc->active, r->want == W_ON);
	if (r->want == W_BAD)
		assert_true(rc < 0);
	else
		assert_int_equal(rc, 0);
}

static void
run_row(void **state)
{
	const struct row *r = *state;
	struct disp_pconf pc;

	newdir();
	put("x.conf", r->text);
	check(r, load_x(&pc), &pc);
}

static void
run_frow(void **state)
{
	const struct frow *f = *state;
	const char *name = f->link != NULL ? "t" : "x.conf";
	struct disp_pconf pc;
	char path[PATH_MAX];

	newdir();
	if (f->link != NULL) {
		subst(path, sizeof(path), f->link);
		assert_int_equal(symlink(path, file), 0);
	}
	if (f->r.text != NULL) {
		put(name, f->r.text);
		snprintf(path, sizeof(path), "%s%s", cur, name);
		assert_int_equal(chown(path, f->uid, f->gid), 0);
		assert_int_equal(chmod(path, f->mode), 0);
	}
	check(&f->r, load_x(&pc), &pc);
}

/* ---- which files ---- */

/* auditd: of a.conf, README, x.y, .hidden and b.conf.bak (the last two
 * with an unknown keyword), 3 active plugins and no message: a name with
 * a leading '.' or two dots is passed over unread; no suffix is needed. */
static void
test_names_skipped(void **state)
{
	struct disp_pconf pcs[8];

	(void)state;
	newdir();
	put("a.conf", OK);
	put("README", OK);
	put("x.y", OK);
	put(".hidden", OK "bogus = 1\n");
	put("b.conf.bak", OK "bogus = 1\n");
	assert_int_equal(scan(pcs, 8), 3);
	expect_log("");
}

/* auditd: files a b c d e m zz were reported in the order b m c e zz a
 * d, which is readdir's (ls -f), not sorted. */
static void
test_readdir_order(void **state)
{
	static const char *names[] = { "a", "b", "c", "d", "e", "zz", "m" };
	struct disp_pconf pcs[8];
	struct dirent *e;
	unsigned i;
	DIR *d;

	(void)state;
	newdir();
	for (i = 0; i < 7; i++)
		put(names[i], OK);
	assert_int_equal(scan(pcs, 8), 7);
	d = opendir(cur);
	assert_non_null(d);
	i = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		assert_true(i < 7);
		assert_string_equal(pcs[i++].name, e->d_name);
	}
	closedir(d);
}

/* auditd: a folder named sub.conf: "Error - F is not a regular file"; a
 * unix socket: "Error opening F (No such device or address)". */
static void
test_not_regular(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct disp_pconf pc;
	int s;

	(void)state;
	newdir();
	assert_int_equal(mkdir(file, 0755), 0);
	assert_true(load_x(&pc) < 0);
	expect_log("Error - @F is not a regular file\n" SKIP);

	newdir();
	assert_true(strlen(file) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, file, strlen(file) + 1);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(s);
	assert_true(load_x(&pc) < 0);
	expect_log("Error opening @F (No such device or address)\n" SKIP);
}

/* auditd: a FIFO blocks it in open() for ever: no message, no "Init
 * complete", SIGTERM ignored, killed.  ringauditd opens it O_NONBLOCK
 * and refuses it at once.  (A hang here exits 1 after 10 s.) */
static void
test_fifo_does_not_block(void **state)
{
	struct disp_pconf pc;
	int rc;

	(void)state;
	newdir();
	assert_int_equal(mkfifo(file, 0644), 0);
	ra_test_guard("opening a FIFO", 10);
	rc = load_x(&pc);
	ra_test_unguard();
	assert_true(rc < 0);
	expect_log("Error - @F is not a regular file\n" SKIP);
}

/* ---- lines ---- */

/* auditd: "active = yes" padded with spaces to 158 characters is read (1
 * active plugin); to 159, "Skipping line 1 in F: too long" and no plugin
 * (the buffer is 160 bytes: 158, '\n' and NUL). */
static void
test_line_length_limit(void **state)
{
	struct disp_pconf pc;
	char text[512];

	(void)state;
	snprintf(text, sizeof(text), "%-158s\npath = @B/p0755\n",
	    "active = yes");
	expect_ok(text, true, "", &pc);
	snprintf(text, sizeof(text), "%-159s\npath = @B/p0755\n",
	    "active = yes");
	expect_ok(text, false, "Skipping line 1 in @F: too long\n", &pc);
}

/* ---- what is kept ---- */

/* auditd: ACTIVE = YES, Path, TYPE = Always, Format = BINARY, Direction =
 * OUT, Args = A: 1 active plugin, started with the argument "A". */
static void
test_case_insensitive(void **state)
{
	struct disp_pconf pc;

	(void)state;
	expect_ok("ACTIVE = YES\nPath = @B/p0755\nTYPE = Always\n"
	    "Format = BINARY\nDirection = OUT\nArgs = A\n", true, "", &pc);
	assert_int_equal(pc.type, DISP_TYPE_ALWAYS);
	assert_int_equal(pc.format, DISP_FMT_BINARY);
	assert_int_equal(pc.nargs, 1);
	assert_string_equal(pc.args[0], "A");
	assert_string_equal(pc.name, "x.conf");
}

/* auditd: builtin_af_unix with type builtin, and with type always (the
 * default): 1 active plugin each, nothing checked (the second's exec
 * fails later: "plugin builtin_af_unix terminated unexpectedly"). */
static void
test_builtin_af_unix(void **state)
{
	struct disp_pconf pc;

	(void)state;
	expect_ok(A "builtin_af_unix\ntype = builtin\n", true, "", &pc);
	assert_string_equal(pc.path, DISP_AF_UNIX);
	assert_int_equal(pc.type, DISP_TYPE_BUILTIN);
	assert_int_equal(pc.ino, 0);
	expect_ok(A "builtin_af_unix\n", true, "", &pc);
	assert_int_equal(pc.type, DISP_TYPE_ALWAYS);
}

/* auditd: with cwd "/", "path = tmp/pc/bin/p0755" was accepted and
 * started (with cwd /tmp/pc: "Unable to stat"): a relative path is
 * taken from the working folder. */
static void
test_path_relative(void **state)
{
	struct disp_pconf pc;
	char text[PATH_MAX + 64], cwd[PATH_MAX];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/"), 0);
	snprintf(text, sizeof(text), "active = yes\npath = %s/p0755\n",
	    bin + 1);
	expect_ok(text, true, "", &pc);
	assert_int_equal(chdir(cwd), 0);
	snprintf(text, sizeof(text), "%s/p0755", bin + 1);
	assert_string_equal(pc.path, text);
}

/* auditd: "args = args2a args2b": started with those two; a later "args
 * = last2a" replaces both (started with last2a alone). */
static void
test_args(void **state)
{
	struct disp_pconf pc;

	(void)state;
	expect_ok(OK "args = a b\n", true, "", &pc);
	assert_int_equal(pc.nargs, 2);
	assert_string_equal(pc.args[0], "a");
	assert_string_equal(pc.args[1], "b");
	expect_ok(OK "args = a b\nargs = c\n", true, "", &pc);
	assert_int_equal(pc.nargs, 1);
	assert_string_equal(pc.args[0], "c");
}

/* auditd: "args = a b c" and "args = a b c d": "Wrong number of
 * arguments for line 3 in F", yet 1 active plugin, started with the
 * first two (argv "a b"). */
static void
test_args_three_or_more(void **state)
{
	struct disp_pconf pc;

	(void)state;
	expect_ok(OK "args = a b c\n", true,
	    "Wrong number of arguments for line 3 in @F\n", &pc);
	assert_int_equal(pc.nargs, 2);
	expect_ok(OK "args = a b c d\n", true,
	    "Wrong number of arguments for line 3 in @F\n", &pc);
	assert_int_equal(pc.nargs, 2);
	assert_string_equal(pc.args[0], "a");
	assert_string_equal(pc.args[1], "b");
}

/* auditd: format binary and String: 1 active plugin; string by default. */
static void
test_format(void **state)
{
	struct disp_pconf pc;

	(void)state;
	expect_ok(OK, true, "", &pc);
	assert_int_equal(pc.format, DISP_FMT_STRING);
	expect_ok(OK "format = binary\n", true, "", &pc);
	assert_int_equal(pc.format, DISP_FMT_BINARY);
	expect_ok(OK "format = String\n", true, "", &pc);
	assert_int_equal(pc.format, DISP_FMT_STRING);
}

/* auditd: a symlink to the 0755 binary: 1 active plugin.  auditd keeps
 * the binary's inode (for a HUP); ringauditd its device and inode, the
 * target's. */
static void
test_binary_identity(void **state)
{
	struct disp_pconf pc;
	struct stat st;
	char target[PATH_MAX];

	(void)state;
	expect_ok(A "@B/link0755\n", true, "", &pc);
	snprintf(target, sizeof(target), "%s/p0755", bin);
	assert_int_equal(stat(target, &st), 0);
	assert_true(pc.dev == st.st_dev && pc.ino == st.st_ino);
}

/* ---- the folder ---- */

/* auditd: a.conf, b.conf, c.conf (builtin_af_unix), d.conf (inactive):
 * "3 active plugins".  ringauditd takes at most max and says so for the
 * rest; auditd has no limit. */
static void
test_scan_max(void **state)
{
	struct disp_pconf pcs[3];

	(void)state;
	newdir();
	put("a.conf", OK);
	put("b.conf", OK);
	put("c.conf", A "builtin_af_unix\ntype = builtin\n");
	put("d.conf", "active = no\n");
	assert_int_equal(scan(pcs, 3), 3);
	expect_log("");
	assert_int_equal(scan(pcs, 2), 2);
	assert_non_null(strstr(logbuf, "more than 2 active plugins"));
}

/* auditd says nothing when plugin_dir cannot be opened; the caller is
 * told -errno. */
static void
test_scan_no_folder(void **state)
{
	struct disp_pconf pcs[1];

	(void)state;
	newdir();
	strcat(cur, "nonexistent/");
	assert_int_equal(scan(pcs, 1), -ENOENT);
	expect_log("");
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

/* bin/: p<mode>, root's; puser, uid 65534; pgrp, gid 65534; dir/;
 * link0755 and link0700, symlinks. */
static int
setup(void **state)
{
	static const struct {
		const char *name;
		mode_t mode;
		uid_t uid;
		gid_t gid;
	} bins[] = {
		{ "p0700", 0700, 0, 0 }, { "p0740", 0740, 0, 0 },
		{ "p0750", 0750, 0, 0 }, { "p0751", 0751, 0, 0 },
		{ "p0754", 0754, 0, 0 }, { "p0755", 0755, 0, 0 },
		{ "p0770", 0770, 0, 0 }, { "puser", 0755, NOBODY, 0 },
		{ "pgrp", 0755, 0, NOBODY },
	};
	char path[PATH_MAX];
	size_t i;
	int fd;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/ra-test-pconf-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return -1;
	snprintf(bin, sizeof(bin), "%s/bin", tmp);
	snprintf(path, sizeof(path), "%s/dir", bin);
	if (mkdir(bin, 0755) < 0 || mkdir(path, 0755) < 0)
		return -1;
	for (i = 0; i < sizeof(bins) / sizeof(bins[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", bin, bins[i].name);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, "#!/bin/sh\n", 10) != 10 ||
		    fchown(fd, bins[i].uid, bins[i].gid) < 0 ||
		    fchmod(fd, bins[i].mode) < 0)
			return -1;
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/link0755", bin);
	if (symlink("p0755", path) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/link0700", bin);
	return symlink("p0700", path);
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#define NFUNCS (sizeof(funcs) / sizeof(funcs[0]))
#define NFROWS (sizeof(frows) / sizeof(frows[0]))
#define NROWS (sizeof(rows) / sizeof(rows[0]))

int
main(void)
{
	static const struct CMUnitTest funcs[] = {
		cmocka_unit_test(test_names_skipped),
		cmocka_unit_test(test_readdir_order),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_fifo_does_not_block),
		cmocka_unit_test(test_line_length_limit),
		cmocka_unit_test(test_case_insensitive),
		cmocka_unit_test(test_builtin_af_unix),
		cmocka_unit_test(test_path_relative),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_args_three_or_more),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_binary_identity),
		cmocka_unit_test(test_scan_max),
		cmocka_unit_test(test_scan_no_folder),
	};
	static struct CMUnitTest tests[NFUNCS + NFROWS + NROWS];
	struct CMUnitTest *t = tests + NFUNCS;
	size_t i;

	if (geteuid() != 0) {
		printf("skip: plugin files must be owned by root; run as "
		    "root\n");
		return 77;
	}
	memcpy(tests, funcs, sizeof(funcs));
	for (i = 0; i < NFROWS; i++, t++) {
		t->name = frows[i].r.name;
		t->test_func = run_frow;
		t->initial_state = &frows[i];
	}
	for (i = 0; i < NROWS; i++, t++) {
		t->name = rows[i].name;
		t->test_func = run_row;
		t->initial_state = &rows[i];
	}
	log_init("test_pconf", true, false);
	return cmocka_run_group_tests(tests, setup, teardown);
}
