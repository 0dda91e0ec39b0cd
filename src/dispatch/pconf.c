/*
 * pconf.c - plugin_dir, read as auditd 3.0.9 reads it.
 *
 * Every name readdir gives, in its order, is a plugin file, except names
 * that start with '.' or hold more than one '.' (x.conf.bak), passed over
 * without a word; no suffix is needed (README is read).  A file, symlinks
 * followed, must be root's, not world-writable and regular.  auditd opens
 * it before checking, so a FIFO blocks it for ever; here it is opened
 * O_NONBLOCK (and O_NOCTTY), then refused as not regular.
 *
 * Lines go through auditd's 160-byte buffer: a line that does not fit, or
 * a last line without '\n', is "too long" and passed over.  A line splits
 * on spaces only (a tab belongs to its token) into "key = value [option]";
 * keys and enumerated values are case-insensitive.  Any error rejects
 * the file, but for a long line and a fifth token (reported; args keeps
 * its first two values).  At the end an active plugin's binary is checked
 * (stat, symlinks followed: regular, root's, the 0750 bits set), unless
 * its path starts with "builtin_".
 *
 * Messages are auditd's, word for word, all through log_warnx.  Where
 * auditd names no file, it is added: "Option in not found - line 2" gets
 * " of FILE", a binary's "P permissions should be 0750" gets " - line N
 * of FILE" (N: the path line).  FILE is spelt as auditd spells it, dir
 * "/" name ("plugins.d//x.conf").  Nothing is kept between calls.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "dispatch/dispatch.h"

#define BUILTIN_PREFIX "builtin_"
#define TOKENS_MAX 5	/* key = value option, and one more to notice */

/* One file being read. */
struct rd {
	FILE *f;
	const char *file;
	unsigned line;		/* the line being looked at, from 1 */
	unsigned path_line;	/* where path was last set */
	char buf[DISP_LINE_MAX];
};

struct word {
	const char *name;
	int value;
};

static const struct word w_active[] = {
	{ "yes", 1 }, { "no", 0 }, { NULL, 0 },
};

/* auditd knows "in" but refuses it, as any other word. */
static const struct word w_direction[] = {
	{ "out", 0 }, { NULL, 0 },
};

static const struct word w_type[] = {
	{ "builtin", DISP_TYPE_BUILTIN }, { "always", DISP_TYPE_ALWAYS },
	{ NULL, 0 },
};

static const struct word w_format[] = {
	{ "binary", DISP_FMT_BINARY }, { "string", DISP_FMT_STRING },
	{ NULL, 0 },
};

/* A token is shorter than the line that held it: it always fits. */
static void
copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		fatalx("pconf: a %zu-byte token for %zu bytes", n, len);
	memcpy(dst, src, n + 1);
}

static bool
is_builtin(const char *path)
{
	return strncasecmp(path, BUILTIN_PREFIX, strlen(BUILTIN_PREFIX)) == 0;
}

/* What auditd skips: hidden files, and backups such as x.conf.bak. */
static bool
plugin_name(const char *name)
{
	const char *dot;

	if (name[0] == '.')
		return false;
	dot = strchr(name, '.');
	return dot == NULL || strchr(dot + 1, '.') == NULL;
}

static int
pick(const struct rd *r, const struct word *w, const char *val, int *out)
{
	for (; w->name != NULL; w++) {
		if (strcasecmp(val, w->name) == 0) {
			*out = w->value;
			return 0;
		}
	}
	log_warnx("Option %s not found - line %u of %s", val, r->line,
	    r->file);
	return -EINVAL;
}

static int
set_active(struct rd *r, struct disp_pconf *pc, const char *val,
    const char *opt)
{
	int v;

	(void)opt;
	if (pick(r, w_active, val, &v) < 0)
		return -EINVAL;
	pc->active = v != 0;
	return 0;
}

static int
set_direction(struct rd *r, struct disp_pconf *pc, const char *val,
    const char *opt)
{
	int v;

	(void)pc;
	(void)opt;
	return pick(r, w_direction, val, &v);
}

/*
 * Not checked here but by name: "builtin_" and anything after it.  Other
 * paths need a dirname of 4 characters at least ("/var"), relative ones
 * too: "p" (dirname ".") and "/abc/" (dirname "/") are refused.  auditd
 * checks this for inactive plugins as well.
 */
static int
set_path(struct rd *r, struct disp_pconf *pc, const char *val,
    const char *opt)
{
	char tmp[DISP_LINE_MAX];
	const char *dir;

	(void)opt;
	if (!is_builtin(val)) {
		copy(tmp, sizeof(tmp), val);
		dir = dirname(tmp);
		if (strlen(dir) < 4) {
			log_warnx("The directory name: %s is too short - "
			    "line %u of %s", dir, r->line, r->file);
			return -EINVAL;
		}
	}
	r->path_line = r->line;
	copy(pc->path, sizeof(pc->path), val);
	return 0;
}

static int
set_type(struct rd *r, struct disp_pconf *pc, const char *val,
    const char *opt)
{
	int v;

	(void)opt;
	if (pick(r, w_type, val, &v) < 0)
		return -EINVAL;
	pc->type = (enum disp_ptype)v;
	return 0;
}

/* A later args line replaces the whole list, as in auditd. */
static int
set_args(struct rd *r, struct disp_pconf *pc, const char *val,
    const char *opt)
{
	(void)r;
	memset(pc->args, 0, sizeof(pc->args));
	copy(pc->args[0], sizeof(pc->args[0]), val);
	pc->nargs = 1;
	if (opt != NULL) {
		copy(pc->args[1], sizeof(pc->args[1]), opt);
		pc->nargs = 2;
	}
	return 0;
}

static int
set_format(struct rd *r, struct disp_pconf *pc, const char *val,
    const char *opt)
{
	int v;

	(void)opt;
	if (pick(r, w_format, val, &v) < 0)
		return -EINVAL;
	pc->format = (enum disp_format)v;
	return 0;
}

static const struct key {
	const char *name;
	int (*set)(struct rd *, struct disp_pconf *, const char *,
	    const char *);
	bool option;		/* takes a second value (args only) */
} keys[] = {
	{ "active", set_active, false },
	{ "direction", set_direction, false },
	{ "path", set_path, false },
	{ "type", set_type, false },
	{ "args", set_args, true },
	{ "format", set_format, false },
};

/*
 * The next line, '\n' cut off; NULL at the end.  A line ends only at a
 * '\n' that comes before any NUL byte, as auditd sees it: a last line
 * without '\n' is "too long", and a line holding a NUL is too, and makes
 * the line after it vanish without a word (auditd 3.0.9 does both).  The
 * caller moves r->line on after each line it is given.
 */
static char *
next_line(struct rd *r)
{
	bool skipping = false;
	char *nl;

	while (fgets(r->buf, sizeof(r->buf), r->f) != NULL) {
		nl = strchr(r->buf, '\n');
		if (nl == NULL) {
			if (!skipping)
				log_warnx("Skipping line %u in %s: too long",
				    r->line, r->file);
			skipping = true;
		} else if (skipping) {
			skipping = false;
			r->line++;
		} else {
			*nl = '\0';
			return r->buf;
		}
	}
	return NULL;
}

/* Split on ' ' alone, as strtok(" ") does: runs of spaces are one. */
static unsigned
split(char *s, char *tok[TOKENS_MAX])
{
	char *save, *t;
	unsigned n = 0;

	for (t = strtok_r(s, " ", &save); t != NULL && n < TOKENS_MAX;
	    t = strtok_r(NULL, " ", &save))
		tok[n++] = t;
	return n;
}

static const struct key *
key_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcasecmp(name, keys[i].name) == 0)
			return &keys[i];
	return NULL;
}

/*
 * One line.  Five tokens or more is "Wrong number of arguments" but not
 * fatal in auditd: the line is still taken with its first four (so args
 * keeps two values, and any other key meets its "invalid option").
 */
static int
parse_line(struct rd *r, char *s, struct disp_pconf *pc)
{
	char *tok[TOKENS_MAX];
	const struct key *k;
	unsigned n;

	n = split(s, tok);
	if (n == 0 || tok[0][0] == '#')
		return 0;
	if (n > 1 && strcmp(tok[1], "=") != 0) {
		log_warnx("Missing equal sign for line %u in %s", r->line,
		    r->file);
		return -EINVAL;
	}
	if (n != 3 && n != 4) {
		log_warnx("Wrong number of arguments for line %u in %s",
		    r->line, r->file);
		if (n < 3)
			return -EINVAL;
	}
	if ((k = key_lookup(tok[0])) == NULL) {
		log_warnx("Unknown keyword \"%s\" in line %u of %s", tok[0],
		    r->line, r->file);
		return -EINVAL;
	}
	if (!k->option && n > 3) {
		log_warnx("Keyword \"%s\" has invalid option \"%s\" in line "
		    "%u of %s", tok[0], tok[3], r->line, r->file);
		return -EINVAL;
	}
	return k->set(r, pc, tok[2], n > 3 ? tok[3] : NULL);
}

/*
 * The file itself, before a line is read.  -ENOENT (a dangling symlink,
 * or a file gone since readdir) is only a warning.
 */
static int
open_file(const char *file)
{
	struct stat st;
	int fd, err;

	fd = open(file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT)
			log_warnx("Config file %s doesn't exist, skipping",
			    file);
		else
			log_warnx("Error opening %s (%s)", file,
			    strerror(err));
		return -err;
	}
	if (fstat(fd, &st) < 0) {
		err = errno;
		log_warnx("Error fstat'ing config file (%s) - %s",
		    strerror(err), file);
		goto err;
	}
	err = EPERM;
	if (st.st_uid != 0) {
		log_warnx("Error - %s isn't owned by root", file);
		goto err;
	}
	if ((st.st_mode & S_IWOTH) != 0) {
		log_warnx("Error - %s is world writable", file);
		goto err;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("Error - %s is not a regular file", file);
		err = EINVAL;
		goto err;
	}
	return fd;
err:
	close(fd);
	return -err;
}

/*
 * An active plugin's binary, followed through symlinks.  "Permissions
 * should be 0750" means those bits must be set: 0755 and 0770 pass,
 * 0700 and 0740 do not.  type is not looked at: type = builtin with a
 * real path is checked, type = always with builtin_af_unix is not.
 */
static int
check_binary(const struct rd *r, struct disp_pconf *pc)
{
	struct stat st;
	int err;

	if (pc->path[0] == '\0') {
		log_warnx("Error - plugin (%s) is active but no path given",
		    r->file);
		return -EINVAL;
	}
	if (is_builtin(pc->path))
		return 0;
	if (stat(pc->path, &st) < 0) {
		err = errno;
		log_warnx("Unable to stat %s (%s) - line %u of %s", pc->path,
		    strerror(err), r->path_line, r->file);
		return -err;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("%s is not a regular file - line %u of %s",
		    pc->path, r->path_line, r->file);
		return -EINVAL;
	}
	if (st.st_uid != 0) {
		log_warnx("%s is not owned by root - line %u of %s", pc->path,
		    r->path_line, r->file);
		return -EPERM;
	}
	if ((st.st_mode & 0750) != 0750) {
		log_warnx("%s permissions should be 0750 - line %u of %s",
		    pc->path, r->path_line, r->file);
		return -EPERM;
	}
	pc->dev = st.st_dev;
	pc->ino = st.st_ino;
	return 0;
}

/* auditd's defaults: inactive, type always, format string, no path. */
static void
clear(struct disp_pconf *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->active = false;
	pc->type = DISP_TYPE_ALWAYS;
	pc->format = DISP_FMT_STRING;
}

int
disp_pconf_load(const char *dir, const char *name, struct disp_pconf *pc)
{
	char file[PATH_MAX];
	struct rd r;
	char *s;
	int fd, rc;

	clear(pc);
	memset(&r, 0, sizeof(r));
	r.file = file;
	r.line = 1;
	if (strlen(name) >= sizeof(pc->name) ||
	    (size_t)snprintf(file, sizeof(file), "%s/%s", dir, name) >=
	    sizeof(file)) {
		log_warnx("Error opening %s/%s (%s)", dir, name,
		    strerror(ENAMETOOLONG));
		rc = -ENAMETOOLONG;
		goto err;
	}
	copy(pc->name, sizeof(pc->name), name);
	if ((fd = open_file(file)) == -ENOENT)
		return 0;
	if (fd < 0) {
		rc = fd;
		goto err;
	}
	if ((r.f = fdopen(fd, "r")) == NULL) {
		rc = -errno;
		log_warnx("Error - fdopen failed (%s) - %s", strerror(-rc),
		    file);
		close(fd);
		goto err;
	}
	rc = 0;
	for (; rc == 0 && (s = next_line(&r)) != NULL; r.line++)
		rc = parse_line(&r, s, pc);
	fclose(r.f);
	/* An empty file leaves active at no: nothing more to check. */
	if (rc == 0 && pc->active)
		rc = check_binary(&r, pc);
	if (rc == 0)
		return 0;
err:
	log_err("Skipping %s plugin due to errors", name);
	pc->active = false;
	return rc;
}

int
disp_pconf_scan(const char *dir, struct disp_pconf *pcs, unsigned max)
{
	struct disp_pconf pc;
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return -errno;
	for (;;) {
		errno = 0;
		if ((e = readdir(d)) == NULL) {
			if (errno != 0)
				log_warn("Reading %s", dir);
			break;
		}
		if (!plugin_name(e->d_name))
			continue;
		if (disp_pconf_load(dir, e->d_name, &pc) < 0 || !pc.active)
			continue;
		if (n == max) {
			log_warnx("Skipping %s plugin: more than %u active "
			    "plugins in %s", e->d_name, max, dir);
			continue;
		}
		pcs[n++] = pc;
	}
	closedir(d);
	return (int)n;
}
