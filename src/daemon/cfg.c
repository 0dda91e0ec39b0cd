/*
 * cfg.c - auditd.conf and ringauditd.conf: reading the files.
 *
 * auditd.conf is read the way auditd 3.0.9 reads it, because users keep
 * the file they had: what auditd accepts must load, and what it refuses
 * must fail, on the same line.  Its rules, learned by running auditd on
 * test files, are odd in places and kept on purpose:
 *
 *   - A line is split on spaces only; a tab is part of a token.  So
 *     "key = value" needs a space on each side of '=', a leading tab makes
 *     the key unknown, and a trailing tab is part of the value.
 *   - A line is "key = value", or "key = value option" for the four disk
 *     and space actions ("exec /path").  A '#' starts a comment only as the
 *     first token.  Keys and enum values are case-insensitive; group
 *     names and paths are not.
 *   - A line of 159 characters or more, and a last line without a newline,
 *     are skipped (auditd reads 160-byte lines with fgets); so is a line
 *     holding a NUL byte, and the line after it with it.
 *   - A missing auditd.conf means the defaults.  The file must be a
 *     regular file owned by root and not world writable (group writable
 *     is accepted); a symlink only with -l.
 *   - Once the file had a complete line, three checks run at the end:
 *     space_left above admin_space_left (unless either is a non-zero
 *     percentage),
 *     a non-zero freq for incremental flushing, and no log_group for a
 *     log file directly in /var/log.
 *
 * The keys, and the parser of each value, are in cfg_keys.c, behind the
 * tables cfg_keys.h shares.  This file opens and reads the files, splits
 * each line, finds its key (unknown keys are an error, as in auditd),
 * remembers the line each auditd.conf key was last set on for the checks
 * at the end; cfg_msg.c words the messages (fail, note) that name the
 * file and the line.
 *
 * ringauditd.conf holds what auditd has not: the ingest mode, pool and
 * ring sizes, and the paths auditd has built in (pid file, state report,
 * init, sendmail), which must be absolute.  It has the same syntax and
 * ownership rules, is optional, and is strict where auditd is lax: an
 * over-long line is an error, not skipped.
 *
 * A load works on a copy of the configuration and commits it only when
 * the whole file was good, so a failed reload leaves the old one intact.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/cfg_keys.h"

/*
 * auditd 3.0.9's defaults.  Those a load cannot show (the actions, the
 * network and plugin settings) are its clear_config()'s; krb5_principal
 * and krb5_key_file are left unset there and mean "auditd" and
 * /etc/audit/audit.key where they are used, so those are given here.
 */
void
cfg_defaults(struct cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->local_events = true;
	c->write_logs = true;
	snprintf(c->log_file, sizeof(c->log_file), "%s",
	    "/var/log/audit/audit.log");
	c->log_format = CFG_LOG_FORMAT_ENRICHED;
	c->log_group = 0;
	/* auditd 3.0.9's man page says incremental_async; the daemon's own
	 * default is none (a file without flush takes freq = 0, which the
	 * incremental modes refuse). */
	c->flush = CFG_FLUSH_NONE;
	c->freq = 0;
	c->name_format = CFG_NAME_NONE;
	c->priority_boost = 4;

	c->num_logs = 0;
	c->max_log_file = 0;
	c->max_log_file_action = CFG_MAX_IGNORE;
	c->space_left = (struct cfg_space){ 0, false };
	c->space_left_action.act = CFG_ACT_IGNORE;
	c->admin_space_left = (struct cfg_space){ 0, false };
	c->admin_space_left_action.act = CFG_ACT_IGNORE;
	c->disk_full_action.act = CFG_ACT_IGNORE;
	c->disk_error_action.act = CFG_ACT_SYSLOG;
	snprintf(c->action_mail_acct, sizeof(c->action_mail_acct), "root");
	c->verify_email = true;

	c->tcp_listen_port = 0;
	c->tcp_listen_queue = 5;
	c->tcp_max_per_addr = 1;
	c->use_libwrap = true;
	c->tcp_client_port_lo = 0;
	c->tcp_client_port_hi = 65535;
	c->tcp_client_max_idle = 0;
	c->transport = CFG_TRANSPORT_TCP;
	c->enable_krb5 = false;
	snprintf(c->krb5_principal, sizeof(c->krb5_principal), "auditd");
	snprintf(c->krb5_key_file, sizeof(c->krb5_key_file),
	    "/etc/audit/audit.key");
	c->distribute_network = false;

	c->q_depth = 2000;
	c->overflow_action = CFG_OVF_SYSLOG;
	c->max_restarts = 10;
	/* No '/' at the end, unlike a value read from the file. */
	snprintf(c->plugin_dir, sizeof(c->plugin_dir), "/etc/audit/plugins.d");
	c->end_of_event_timeout = 2;

	c->ingest = CFG_INGEST_UNICAST;
	c->workers = 1;
	c->records = 4096;
	c->ring_size = 1024;
	c->netlink_rcvbuf = 8388608;
	c->drain_timeout_ms = 5000;
	c->write_batch = 262144;
	c->gather_ms = 40;
	c->inline_work = 1;
	c->scheduler = CFG_SCHED_BATCH;
	c->name_cache_entries = 1024;
	c->name_cache_refresh = 60;
	c->metrics_file[0] = '\0';
	c->metrics_interval = 10;
	snprintf(c->control_socket, sizeof(c->control_socket),
	    "/run/ringauditd.sock");
	c->pid_file[0] = '\0';		/* the mode's: cfg_pid_file() */
	snprintf(c->state_file, sizeof(c->state_file), "/var/run/auditd.state");
	snprintf(c->init_command, sizeof(c->init_command), "/sbin/init");
	snprintf(c->sendmail, sizeof(c->sendmail), "/usr/lib/sendmail");
	c->remote_ack = CFG_ACK_WRITTEN;
	c->tcp_max_clients = 1024;
	c->tcp_messages = 1024;
	c->tcp_client_messages = 64;
}

const char *
cfg_pid_file(const struct cfg *c)
{
	if (c->pid_file[0] != '\0')
		return c->pid_file;
	return c->ingest == CFG_INGEST_UNICAST ? "/var/run/auditd.pid" : "";
}

static const char *
choice_name(const struct choice *tab, int v)
{
	size_t i;

	for (i = 0; tab[i].name != NULL; i++)
		if (tab[i].val == v)
			return tab[i].name;
	return "unknown";
}

const char *
cfg_flush_name(enum cfg_flush f)
{
	return choice_name(cfg_flushes, (int)f);
}

const char *
cfg_action_name(enum cfg_action a)
{
	return choice_name(cfg_actions, (int)a);
}

const char *
cfg_max_action_name(enum cfg_max_action a)
{
	return choice_name(cfg_max_actions, (int)a);
}

/* Split on spaces only, as auditd; returns the count, at most max. */
static int
split(char *s, char **tok, int max)
{
	int n = 0;

	while (n < max) {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		tok[n++] = s;
		while (*s != ' ' && *s != '\0')
			s++;
		if (*s == '\0')
			break;
		*s++ = '\0';
	}
	return n;
}

/*
 * "key = value [option [...]]" into tok[0], tok[2], tok[3]; 0 for a blank
 * or comment line, 1 for a setting, negative for a malformed line.
 */
static int
tokens(struct ld *l, char *s, char **tok, int *ntok)
{
	char raw[LINE_MAX_CHARS + 1], qb[ESC_MAX];
	int n;

	snprintf(raw, sizeof(raw), "%s", s);
	n = *ntok = split(s, tok, 5);
	if (n == 0 || tok[0][0] == '#')
		return 0;
	if (n < 3 || strcmp(tok[1], "=") != 0)
		return fail(l, -EINVAL, "\"%s\" is not \"key = value\" (with "
		    "a space on each side of '=')", esc(qb, sizeof(qb), raw));
	return 1;
}

static const struct kw *
auditd_lookup(const char *key)
{
	const struct kw *k;

	for (k = cfg_auditd_kw; k->name != NULL; k++)
		if (strcasecmp(k->name, key) == 0)
			return k;
	return NULL;
}

static int
auditd_line(struct ld *l, char *s)
{
	char *tok[5], qb[ESC_MAX], qo[ESC_MAX];
	const struct kw *k;
	int n, rc;

	if ((rc = tokens(l, s, tok, &n)) <= 0)
		return rc;
	if ((k = auditd_lookup(tok[0])) == NULL)
		return fail(l, -EINVAL, "unknown keyword \"%s\"",
		    esc(qb, sizeof(qb), tok[0]));
	if (n > 3 && !k->option)
		return fail(l, -EINVAL, "%s: unexpected \"%s\" after \"%s\"",
		    k->name, esc(qo, sizeof(qo), tok[3]),
		    esc(qb, sizeof(qb), tok[2]));
	if (n > 4)
		note(l, "%s: what follows \"%s %s\" is ignored, as auditd "
		    "does", k->name, esc(qb, sizeof(qb), tok[2]),
		    esc(qo, sizeof(qo), tok[3]));
	if ((rc = k->parse(l, k, tok[2], n > 3 ? tok[3] : NULL)) < 0)
		return rc;
	l->set[k - cfg_auditd_kw] = l->line;
	return 0;
}

static int
ringauditd_line(struct ld *l, char *s)
{
	char *tok[5], qb[ESC_MAX], qo[ESC_MAX];
	const struct rkw *k;
	int n, rc;

	if ((rc = tokens(l, s, tok, &n)) <= 0)
		return rc;
	for (k = cfg_ringauditd_kw; k->name != NULL; k++)
		if (strcasecmp(k->name, tok[0]) == 0)
			break;
	if (k->name == NULL)
		return fail(l, -EINVAL, "unknown keyword \"%s\"",
		    esc(qb, sizeof(qb), tok[0]));
	if (n > 3)
		return fail(l, -EINVAL, "%s: unexpected \"%s\" after \"%s\"",
		    k->name, esc(qo, sizeof(qo), tok[3]),
		    esc(qb, sizeof(qb), tok[2]));
	if ((rc = cfg_rkw_parse(l, k, tok[2])) == 0 &&
	    strcasecmp(k->name, "remote_ack") == 0)
		l->c->remote_ack_line = l->line;
	return rc;
}

/*
 * Opens path after auditd's checks.  Returns 1 with *fp set, 0 if the
 * file does not exist, or a negative errno.
 */
static int
conf_open(struct ld *l, bool allow_symlinks, FILE **fp)
{
	struct stat st;
	int fd, rc, flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;

	if (!allow_symlinks)
		flags |= O_NOFOLLOW;
	/* O_NONBLOCK: a FIFO in the file's place must not hang us. */
	if ((fd = open(l->path, flags)) < 0) {
		if ((rc = errno) == ENOENT)
			return 0;
		if (rc == ELOOP && !allow_symlinks &&
		    lstat(l->path, &st) == 0 && S_ISLNK(st.st_mode))
			return fail(l, -ELOOP, "is a symbolic link, refused "
			    "without -l");
		return fail(l, -rc, "cannot open: %s", strerror(rc));
	}
	if (fstat(fd, &st) < 0) {
		rc = fail(l, -errno, "cannot stat: %s", strerror(errno));
		goto err;
	}
	if (st.st_uid != 0) {
		rc = fail(l, -EPERM, "is owned by uid %u, not root",
		    (unsigned)st.st_uid);
		goto err;
	}
	if (st.st_mode & S_IWOTH) {
		rc = fail(l, -EPERM, "is world writable (mode %04o)",
		    (unsigned)(st.st_mode & 07777));
		goto err;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = fail(l, -EPERM, "is not a regular file");
		goto err;
	}
	if (st.st_mode & S_IWGRP)
		note(l, "is group writable (mode %04o); auditd accepts that, "
		    "but it lets group %u change the audit configuration",
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_gid);
	if ((*fp = fdopen(fd, "r")) == NULL) {
		rc = fail(l, -errno, "cannot read: %s", strerror(errno));
		goto err;
	}
	return 1;
err:
	close(fd);
	return rc;
}

/*
 * auditd.conf's lines, read as auditd's get_line() reads them: fgets()
 * into 160 bytes.  A line ends at a '\n' found before any NUL; a chunk
 * without one (a long line, a last line without '\n', a line holding a
 * NUL) is skipped up to the next '\n' read, which for a line holding a
 * NUL is the end of the line after it: that one vanishes too, and is
 * not counted.  *any is set once auditd's line count moved past 1: its
 * end checks depend on it.
 */
static int
conf_read_auditd(struct ld *l, FILE *f, bool *any)
{
	char buf[LINE_MAX_CHARS + 2], *nl;
	unsigned next = 1;
	bool skipping = false;
	int rc = 0;

	while (fgets(buf, sizeof(buf), f) != NULL) {
		if ((nl = strchr(buf, '\n')) == NULL) {
			l->line = next;
			if (!skipping && feof(f) &&
			    strlen(buf) < LINE_MAX_CHARS)
				note(l, "no newline at the end of the file: "
				    "line ignored, as auditd does");
			else if (!skipping)
				note(l, "line longer than %d characters (or "
				    "holding a NUL) ignored, as auditd does",
				    LINE_MAX_CHARS);
			skipping = true;
			continue;
		}
		if (skipping) {
			skipping = false;
			next++;
			continue;
		}
		*nl = '\0';
		l->line = next;
		if ((rc = auditd_line(l, buf)) < 0)
			break;
		rc = 0;
		next++;
	}
	if (rc == 0 && ferror(f))
		rc = fail(l, -EIO, "read error");
	*any = next > 1;
	l->line = 0;
	return rc;
}

/* ringauditd.conf's lines: strict, an over-long line is an error. */
static int
conf_read(struct ld *l, FILE *f)
{
	char *buf = NULL;
	size_t cap = 0, len;
	ssize_t n;
	int rc = 0;

	while ((n = getline(&buf, &cap, f)) > 0) {
		len = (size_t)n;
		l->line++;
		if (buf[len - 1] == '\n')
			buf[--len] = '\0';
		if (len > LINE_MAX_CHARS || strlen(buf) != len) {
			rc = fail(l, -EINVAL, "line longer than %d characters "
			    "or holding a NUL", LINE_MAX_CHARS);
			break;
		}
		if ((rc = ringauditd_line(l, buf)) < 0)
			break;
		rc = 0;
	}
	if (rc == 0 && ferror(f))
		rc = fail(l, -EIO, "read error");
	free(buf);
	l->line = 0;
	return rc;
}

/* The line key was last set on in this file, 0 if it was not. */
static unsigned
set_line(const struct ld *l, const char *key)
{
	const struct kw *k = auditd_lookup(key);

	return k != NULL ? l->set[k - cfg_auditd_kw] : 0;
}

static unsigned
later(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

/* The checks auditd makes once the whole file is read, in its order. */
static int
auditd_checks(struct ld *l)
{
	struct cfg *c = l->c;
	const struct cfg_space *sl = &c->space_left;
	const struct cfg_space *asl = &c->admin_space_left;
	char copy[PATH_MAX], qb[ESC_MAX];

	/* A percentage is resolved against the disk when the log is opened
	 * (auditd then only logs a bad pair): no check here.  0% is 0. */
	if (!sl->percent && !asl->percent && sl->value <= asl->value) {
		l->line = later(set_line(l, "space_left"),
		    set_line(l, "admin_space_left"));
		if (l->line == 0)
			return fail(l, -EINVAL, "space_left (0) must be larger "
			    "than admin_space_left (0): auditd wants both set "
			    "once the file has any line");
		return fail(l, -EINVAL, "space_left \"%lu\" must be larger "
		    "than admin_space_left \"%lu\"", sl->value, asl->value);
	}
	if ((c->flush == CFG_FLUSH_INCREMENTAL ||
	    c->flush == CFG_FLUSH_INCREMENTAL_ASYNC) && c->freq == 0) {
		l->line = set_line(l, "flush");
		return fail(l, -EINVAL, "flush: \"%s\" needs a non-zero freq "
		    "(freq is \"0\")", cfg_flush_name(c->flush));
	}
	if ((c->flush == CFG_FLUSH_DATA || c->flush == CFG_FLUSH_SYNC) &&
	    c->freq != 0) {
		l->line = set_line(l, "freq");
		note(l, "freq: %lu has no effect with flush = %s", c->freq,
		    cfg_flush_name(c->flush));
	}
	if (c->log_group != 0) {
		snprintf(copy, sizeof(copy), "%s", c->log_file);
		if (strcmp(dirname(copy), "/var/log") == 0) {
			l->line = later(set_line(l, "log_file"),
			    set_line(l, "log_group"));
			return fail(l, -EINVAL, "log_file: \"%s\" is directly "
			    "in /var/log, where log_group %u would change a "
			    "system directory's group; auditd refuses it",
			    esc(qb, sizeof(qb), c->log_file),
			    (unsigned)c->log_group);
		}
	}
	l->line = 0;
	return 0;
}

static int
load(struct cfg *c, const char *path, bool auditd, bool allow_symlinks,
    char *err, size_t errlen)
{
	struct ld l = { .c = c, .path = path, .err = err, .errlen = errlen };
	FILE *f = NULL;
	bool any;
	int rc;

	if ((rc = conf_open(&l, allow_symlinks, &f)) <= 0) {
		if (rc == 0 && auditd)
			note(&l, "does not exist: using the defaults");
		return rc;
	}
	any = false;
	rc = auditd ? conf_read_auditd(&l, f, &any) : conf_read(&l, f);
	fclose(f);
	if (rc == 0 && auditd && any)
		rc = auditd_checks(&l);
	return rc;
}

/*
 * auditd warns, and goes on, when an action is email and it cannot run
 * sendmail.  Checked once both files are read: ringauditd.conf may name
 * another sendmail.
 */
static void
email_check(struct cfg *c, const char *path)
{
	struct ld l = { .c = c, .path = path };
	char qb[ESC_MAX];

	if (c->space_left_action.act != CFG_ACT_EMAIL &&
	    c->admin_space_left_action.act != CFG_ACT_EMAIL)
		return;
	if (access(c->sendmail, X_OK) == 0)
		return;
	note(&l, "an action is email, but sendmail \"%s\" cannot be run: "
	    "%s", esc(qb, sizeof(qb), c->sendmail), strerror(errno));
}

/*
 * auditd.conf at apath and ringauditd.conf at rpath, either may be NULL,
 * into a copy of c that replaces c only when both were good.
 */
static int
load_commit(struct cfg *c, const char *apath, const char *rpath,
    bool allow_symlinks, char *err, size_t errlen)
{
	struct cfg *t;
	int rc = 0;

	if ((t = malloc(sizeof(*t))) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: out of memory",
			    apath != NULL ? apath : rpath);
		return -ENOMEM;
	}
	memcpy(t, c, sizeof(*t));
	if (apath != NULL)
		rc = load(t, apath, true, allow_symlinks, err, errlen);
	if (rc == 0 && rpath != NULL)
		rc = load(t, rpath, false, allow_symlinks, err, errlen);
	if (rc == 0 && rpath != NULL && t->remote_ack == CFG_ACK_DURABLE &&
	    t->flush != CFG_FLUSH_DATA && t->flush != CFG_FLUSH_SYNC) {
		/* Durable means a sync covered it: group commit only. */
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s:%u: remote_ack \"durable\" "
			    "needs flush = data or sync in auditd.conf (flush "
			    "is \"%s\")", rpath, t->remote_ack_line,
			    cfg_flush_name(t->flush));
		rc = -EINVAL;
	}
	if (rc == 0) {
		email_check(t, apath != NULL ? apath : rpath);
		memcpy(c, t, sizeof(*c));
	}
	free(t);
	return rc;
}

int
cfg_load_auditd(struct cfg *c, const char *path, bool allow_symlinks,
    char *err, size_t errlen)
{
	return load_commit(c, path, NULL, allow_symlinks, err, errlen);
}

int
cfg_load_ringauditd(struct cfg *c, const char *path, char *err,
    size_t errlen)
{
	return load_commit(c, NULL, path, false, err, errlen);
}

int
cfg_load(struct cfg *c, const char *dir, bool allow_symlinks, char *err,
    size_t errlen)
{
	char apath[PATH_MAX], rpath[PATH_MAX];
	int n, m;

	n = snprintf(apath, sizeof(apath), "%s/auditd.conf", dir);
	m = snprintf(rpath, sizeof(rpath), "%s/ringauditd.conf", dir);
	if (n < 0 || m < 0 || (size_t)m >= sizeof(rpath)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", dir,
			    strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	c->n_warn = 0;
	return load_commit(c, apath, rpath, allow_symlinks, err, errlen);
}
