/*
 * cfg.c - auditd.conf and ringauditd.conf.
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
 *     are skipped (auditd reads 160-byte lines with fgets).
 *   - A missing auditd.conf means the defaults.  The file must be a
 *     regular file owned by root and not world writable (group writable
 *     is accepted); a symlink only with -l.
 *   - Once the file had a complete line, three checks run at the end:
 *     space_left above admin_space_left (unless either is a percentage),
 *     a non-zero freq for incremental flushing, and no log_group for a
 *     log file directly in /var/log.
 *
 * The keys the daemon acts on are parsed into struct cfg; every other key
 * auditd knows is kept verbatim in cfg->other[] (last value wins) for its
 * own validation later.  Unknown keys are an error, as in auditd.
 *
 * ringauditd.conf holds what auditd has not: pool and ring sizes and the
 * like.  It has the same syntax and ownership rules, is optional, and is
 * strict where auditd is lax: an over-long line is an error, not skipped.
 *
 * A load works on a copy of the configuration and commits it only when
 * the whole file was good, so a failed reload leaves the old one intact.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/cfg.h"

/* auditd reads lines into 160 bytes with fgets: 158 characters and '\n'. */
#define LINE_MAX_CHARS 158
/* A value with every byte escaped as \xNN, and some room to spare. */
#define ESC_MAX (4 * LINE_MAX_CHARS + 16)

struct ld {
	struct cfg *c;
	const char *path;
	unsigned line;		/* being read; 0 for the file as a whole */
	char *err;
	size_t errlen;
	unsigned flush_line;	/* where these were set, for the checks */
	unsigned freq_line;
	unsigned log_file_line;
	unsigned log_group_line;
};

struct kw {
	const char *name;
	int (*parse)(struct ld *, const struct kw *, const char *,
	    const char *);
	bool option;		/* may take "value option" */
};

struct choice {
	const char *name;
	int val;
};

static const struct choice yes_no[] = {
	{ "yes", 1 }, { "no", 0 }, { NULL, 0 },
};

/* nolog is deprecated: auditd accepts it and turns write_logs off. */
static const struct choice log_formats[] = {
	{ "raw", CFG_LOG_FORMAT_RAW }, { "enriched", CFG_LOG_FORMAT_ENRICHED },
	{ "nolog", -1 }, { NULL, 0 },
};

static const struct choice flushes[] = {
	{ "none", CFG_FLUSH_NONE }, { "incremental", CFG_FLUSH_INCREMENTAL },
	{ "incremental_async", CFG_FLUSH_INCREMENTAL_ASYNC },
	{ "data", CFG_FLUSH_DATA }, { "sync", CFG_FLUSH_SYNC }, { NULL, 0 },
};

static const struct choice name_formats[] = {
	{ "none", CFG_NAME_NONE }, { "hostname", CFG_NAME_HOSTNAME },
	{ "fqd", CFG_NAME_FQD }, { "numeric", CFG_NAME_NUMERIC },
	{ "user", CFG_NAME_USER }, { NULL, 0 },
};

struct rkw {
	const char *name;
	size_t off;
	unsigned lo, hi;
};

static const struct rkw ringauditd_kw[] = {
	{ "workers", offsetof(struct cfg, workers), 1, 64 },
	{ "records", offsetof(struct cfg, records), 64, 1048576 },
	{ "ring_size", offsetof(struct cfg, ring_size), 16, 1048576 },
	{ "netlink_rcvbuf", offsetof(struct cfg, netlink_rcvbuf), 65536,
	    1073741824 },
	{ "drain_timeout_ms", offsetof(struct cfg, drain_timeout_ms), 0,
	    600000 },
	{ "write_batch", offsetof(struct cfg, write_batch), 4096, 67108864 },
	{ NULL, 0, 0, 0 },
};

static void vmsg(char *, size_t, const struct ld *, const char *, va_list)
    __attribute__((format(printf, 4, 0)));
static int fail(struct ld *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void note(struct ld *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

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

	c->workers = 1;
	c->records = 4096;
	c->ring_size = 1024;
	c->netlink_rcvbuf = 8388608;
	c->drain_timeout_ms = 5000;
	c->write_batch = 262144;
}

const char *
cfg_flush_name(enum cfg_flush f)
{
	size_t i;

	for (i = 0; flushes[i].name != NULL; i++)
		if (flushes[i].val == (int)f)
			return flushes[i].name;
	return "unknown";
}

/* s, quotable: control characters, '"' and '\' escaped; cut if long. */
static const char *
esc(char *buf, size_t len, const char *s)
{
	static const char more[] = "...";
	size_t o = 0;
	unsigned char ch;

	for (; (ch = (unsigned char)*s) != '\0'; s++) {
		if (o + 4 + sizeof(more) >= len) {
			memcpy(buf + o, more, sizeof(more) - 1);
			o += sizeof(more) - 1;
			break;
		}
		if (ch == '\t')
			o += (size_t)snprintf(buf + o, len - o, "\\t");
		else if (ch == '\r')
			o += (size_t)snprintf(buf + o, len - o, "\\r");
		else if (ch == '"' || ch == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	buf[o] = '\0';
	return buf;
}

static void
vmsg(char *buf, size_t len, const struct ld *l, const char *fmt, va_list ap)
{
	int n;

	if (buf == NULL || len == 0)
		return;
	if (l->line > 0)
		n = snprintf(buf, len, "%s:%u: ", l->path, l->line);
	else
		n = snprintf(buf, len, "%s: ", l->path);
	if (n < 0 || (size_t)n >= len)
		return;
	vsnprintf(buf + n, len - (size_t)n, fmt, ap);
}

static int
fail(struct ld *l, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(l->err, l->errlen, l, fmt, ap);
	va_end(ap);
	return rc;
}

static void
note(struct ld *l, const char *fmt, ...)
{
	va_list ap;

	if (l->c->n_warn >= CFG_WARN_MAX)
		return;
	va_start(ap, fmt);
	vmsg(l->c->warn[l->c->n_warn++], CFG_WARN_LEN, l, fmt, ap);
	va_end(ap);
}

static int
choose(struct ld *l, const struct kw *k, const struct choice *tab,
    const char *val, int *out)
{
	char list[160], qb[ESC_MAX];
	size_t i, o = 0;

	for (i = 0; tab[i].name != NULL; i++) {
		if (strcasecmp(val, tab[i].name) == 0) {
			*out = tab[i].val;
			return 0;
		}
	}
	list[0] = '\0';
	for (i = 0; tab[i].name != NULL && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
		    i > 0 ? ", " : "", tab[i].name);
	return fail(l, -EINVAL, "%s: \"%s\" is not one of %s", k->name,
	    esc(qb, sizeof(qb), val), list);
}

/* Digits only, as auditd wants: no sign, no spaces, no 0x. */
static int
digits(struct ld *l, const char *key, const char *val, unsigned long lo,
    unsigned long hi, unsigned long *out)
{
	char qb[ESC_MAX];
	const char *p;
	unsigned long v;

	for (p = val; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return fail(l, -EINVAL, "%s: \"%s\" is not a number "
			    "(digits only)", key, esc(qb, sizeof(qb), val));
	errno = 0;
	v = strtoul(val, NULL, 10);
	if (errno != 0 || v < lo || v > hi)
		return fail(l, -EINVAL, "%s: \"%s\" is out of range %lu..%lu",
		    key, esc(qb, sizeof(qb), val), lo, hi);
	*out = v;
	return 0;
}

static int
p_yes_no(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	int v = 0, rc;

	(void)opt;
	if ((rc = choose(l, k, yes_no, val, &v)) < 0)
		return rc;
	if (strcmp(k->name, "local_events") == 0)
		l->c->local_events = v;
	else
		l->c->write_logs = v;
	return 0;
}

static int
p_log_format(struct ld *l, const struct kw *k, const char *val,
    const char *opt)
{
	int v = 0, rc;

	(void)opt;
	if ((rc = choose(l, k, log_formats, val, &v)) < 0)
		return rc;
	if (v < 0) {
		note(l, "log_format: \"%s\" is deprecated; it sets write_logs "
		    "= no, as in auditd", val);
		l->c->write_logs = false;
	} else
		l->c->log_format = v;
	return 0;
}

static int
p_flush(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	int v = 0, rc;

	(void)opt;
	if ((rc = choose(l, k, flushes, val, &v)) < 0)
		return rc;
	l->c->flush = v;
	l->flush_line = l->line;
	return 0;
}

static int
p_name_format(struct ld *l, const struct kw *k, const char *val,
    const char *opt)
{
	int v = 0, rc;

	(void)opt;
	if ((rc = choose(l, k, name_formats, val, &v)) < 0)
		return rc;
	l->c->name_format = v;
	return 0;
}

/* freq and priority_boost: 0..INT_MAX, as auditd. */
static int
p_number(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	unsigned long v;
	int rc;

	(void)opt;
	if ((rc = digits(l, k->name, val, 0, INT_MAX, &v)) < 0)
		return rc;
	if (strcmp(k->name, "freq") == 0) {
		l->c->freq = v;
		l->freq_line = l->line;
	} else
		l->c->priority_boost = v;
	return 0;
}

static int
p_name(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	char qb[ESC_MAX];

	(void)opt;
	if (strlen(val) > CFG_NAME_MAX)
		return fail(l, -EINVAL, "%s: \"%s\" is longer than %d "
		    "characters", k->name, esc(qb, sizeof(qb), val),
		    CFG_NAME_MAX);
	snprintf(l->c->name, sizeof(l->c->name), "%s", val);
	return 0;
}

/*
 * auditd wants the log's directory named by at least 4 characters ("/var")
 * and openable; an existing log must be a regular file owned by root.  A
 * missing log is fine: the writer creates it.  Loose modes only warn.
 */
static int
p_log_file(struct ld *l, const struct kw *k, const char *val,
    const char *opt)
{
	char copy[PATH_MAX], qb[ESC_MAX], qd[ESC_MAX];
	const char *dir;
	struct stat st;
	int fd;

	(void)opt;
	if (strlen(val) >= sizeof(copy))
		return fail(l, -EINVAL, "%s: \"%s\" is too long", k->name,
		    esc(qb, sizeof(qb), val));
	esc(qb, sizeof(qb), val);
	memcpy(copy, val, strlen(val) + 1);
	dir = dirname(copy);
	if (strlen(dir) < 4)
		return fail(l, -EINVAL, "%s: \"%s\": its directory \"%s\" is "
		    "too short (auditd wants at least 4 characters, as in "
		    "/var)", k->name, qb, esc(qd, sizeof(qd), dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail(l, -EINVAL, "%s: \"%s\": cannot open its directory "
		    "\"%s\": %s", k->name, qb, esc(qd, sizeof(qd), dir),
		    strerror(errno));
	close(fd);
	if (stat(val, &st) < 0) {
		if (errno != ENOENT)
			return fail(l, -EINVAL, "%s: \"%s\": %s", k->name, qb,
			    strerror(errno));
	} else {
		if (!S_ISREG(st.st_mode))
			return fail(l, -EINVAL, "%s: \"%s\" is not a regular "
			    "file", k->name, qb);
		if (st.st_uid != 0)
			return fail(l, -EINVAL, "%s: \"%s\" is not owned by "
			    "root (uid %u)", k->name, qb,
			    (unsigned)st.st_uid);
		if (st.st_mode & (S_IXUSR | S_IWGRP | S_IXGRP | S_IRWXO))
			note(l, "%s: \"%s\" has mode %04o; it should be 0600 "
			    "or 0640", k->name, qb,
			    (unsigned)(st.st_mode & 07777));
		if (!(st.st_mode & S_IWUSR))
			note(l, "%s: \"%s\" is not writable by its owner",
			    k->name, qb);
	}
	snprintf(l->c->log_file, sizeof(l->c->log_file), "%s", val);
	l->log_file_line = l->line;
	return 0;
}

static int
group_gid(const char *name, gid_t *gid)
{
	struct group gr, *res = NULL;
	size_t len = 1024;
	char *buf = NULL, *nb;
	int rc;

	for (;;) {
		if ((nb = realloc(buf, len)) == NULL) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		rc = getgrnam_r(name, &gr, buf, len, &res);
		if (rc != ERANGE || len >= 1024 * 1024)
			break;
		len *= 2;
	}
	if (rc == 0 && res != NULL)
		*gid = res->gr_gid;
	free(buf);
	if (rc != 0)
		return -rc;
	return res != NULL ? 0 : -ENOENT;
}

/*
 * A group name, or a number when the value starts with a digit.  auditd
 * reads such a number with strtoul and keeps what it got: "12abc" is group
 * 12.  That is accepted here too, with a warning.
 */
static int
p_log_group(struct ld *l, const struct kw *k, const char *val,
    const char *opt)
{
	char qb[ESC_MAX], *end;
	unsigned long v;
	gid_t gid = 0;
	int rc;

	(void)opt;
	esc(qb, sizeof(qb), val);
	if (isdigit((unsigned char)val[0])) {
		errno = 0;
		v = strtoul(val, &end, 10);
		if (errno != 0)
			return fail(l, -EINVAL, "%s: \"%s\" is out of range",
			    k->name, qb);
		gid = (gid_t)v;
		if (*end != '\0' || (unsigned long)gid != v ||
		    gid == (gid_t)-1)
			note(l, "%s: \"%s\" taken as group %u, as auditd does",
			    k->name, qb, (unsigned)gid);
	} else if ((rc = group_gid(val, &gid)) < 0) {
		if (rc == -ENOENT)
			return fail(l, -EINVAL, "%s: \"%s\" is neither a "
			    "number nor a known group", k->name, qb);
		return fail(l, -EINVAL, "%s: \"%s\": cannot look up the "
		    "group: %s", k->name, qb, strerror(-rc));
	}
	l->c->log_group = gid;
	l->log_group_line = l->line;
	return 0;
}

static struct cfg_kv *
other_find(struct cfg *c, const char *key)
{
	unsigned i;

	for (i = 0; i < c->n_other; i++)
		if (strcmp(c->other[i].key, key) == 0)
			return &c->other[i];
	return NULL;
}

/* Kept verbatim: "value", or "value option" for the actions' "exec PATH". */
static int
p_other(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	struct cfg *c = l->c;
	struct cfg_kv *kv;
	char qb[ESC_MAX];
	int n;

	if ((kv = other_find(c, k->name)) == NULL) {
		if (c->n_other >= CFG_OTHER_MAX)
			return fail(l, -E2BIG, "%s: more than %d other keys",
			    k->name, CFG_OTHER_MAX);
		kv = &c->other[c->n_other++];
		snprintf(kv->key, sizeof(kv->key), "%s", k->name);
	}
	if (opt != NULL)
		n = snprintf(kv->value, sizeof(kv->value), "%s %s", val, opt);
	else
		n = snprintf(kv->value, sizeof(kv->value), "%s", val);
	if (n < 0 || (size_t)n >= sizeof(kv->value))
		return fail(l, -EINVAL, "%s: \"%s\" is too long", k->name,
		    esc(qb, sizeof(qb), val));
	kv->line = l->line;
	return 0;
}

static int
p_deprecated(struct ld *l, const struct kw *k, const char *val,
    const char *opt)
{
	note(l, "%s is deprecated and has no effect", k->name);
	return p_other(l, k, val, opt);
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

/* Every key auditd 3.0.9 knows (its man page and its binary's strings). */
static const struct kw auditd_kw[] = {
	{ "local_events",		p_yes_no,	false },
	{ "write_logs",			p_yes_no,	false },
	{ "log_file",			p_log_file,	false },
	{ "log_format",			p_log_format,	false },
	{ "log_group",			p_log_group,	false },
	{ "flush",			p_flush,	false },
	{ "freq",			p_number,	false },
	{ "name_format",		p_name_format,	false },
	{ "name",			p_name,		false },
	{ "priority_boost",		p_number,	false },
	{ "num_logs",			p_other,	false },
	{ "dispatcher",			p_deprecated,	false },
	{ "disp_qos",			p_deprecated,	false },
	{ "max_log_file",		p_other,	false },
	{ "max_log_file_action",	p_other,	false },
	{ "space_left",			p_other,	false },
	{ "space_left_action",		p_other,	true },
	{ "action_mail_acct",		p_other,	false },
	{ "verify_email",		p_other,	false },
	{ "admin_space_left",		p_other,	false },
	{ "admin_space_left_action",	p_other,	true },
	{ "disk_full_action",		p_other,	true },
	{ "disk_error_action",		p_other,	true },
	{ "tcp_listen_port",		p_other,	false },
	{ "tcp_listen_queue",		p_other,	false },
	{ "tcp_max_per_addr",		p_other,	false },
	{ "use_libwrap",		p_other,	false },
	{ "tcp_client_ports",		p_other,	false },
	{ "tcp_client_max_idle",	p_other,	false },
	{ "transport",			p_other,	false },
	{ "enable_krb5",		p_other,	false },
	{ "krb5_principal",		p_other,	false },
	{ "krb5_key_file",		p_other,	false },
	{ "distribute_network",		p_other,	false },
	{ "q_depth",			p_other,	false },
	{ "overflow_action",		p_other,	false },
	{ "max_restarts",		p_other,	false },
	{ "plugin_dir",			p_other,	false },
	{ "end_of_event_timeout",	p_other,	false },
	{ NULL,				NULL,		false },
};

static const struct kw *
auditd_lookup(const char *key)
{
	const struct kw *k;

	for (k = auditd_kw; k->name != NULL; k++)
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
	return k->parse(l, k, tok[2], n > 3 ? tok[3] : NULL);
}

static int
ringauditd_line(struct ld *l, char *s)
{
	char *tok[5], qb[ESC_MAX], qo[ESC_MAX];
	const struct rkw *k;
	unsigned long v;
	int n, rc;

	if ((rc = tokens(l, s, tok, &n)) <= 0)
		return rc;
	for (k = ringauditd_kw; k->name != NULL; k++)
		if (strcasecmp(k->name, tok[0]) == 0)
			break;
	if (k->name == NULL)
		return fail(l, -EINVAL, "unknown keyword \"%s\"",
		    esc(qb, sizeof(qb), tok[0]));
	if (n > 3)
		return fail(l, -EINVAL, "%s: unexpected \"%s\" after \"%s\"",
		    k->name, esc(qo, sizeof(qo), tok[3]),
		    esc(qb, sizeof(qb), tok[2]));
	if ((rc = digits(l, k->name, tok[2], k->lo, k->hi, &v)) < 0)
		return rc;
	*(unsigned *)(void *)((char *)l->c + k->off) = (unsigned)v;
	return 0;
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
 * The lines of an open file.  auditd mode skips what auditd skips; the
 * strict mode (ringauditd.conf) refuses over-long lines instead.  *any is
 * set once a line ended in '\n': auditd's end checks depend on it.
 */
static int
conf_read(struct ld *l, FILE *f, bool auditd, bool *any)
{
	char *buf = NULL;
	size_t cap = 0, len;
	ssize_t n;
	bool nl;
	int rc = 0;

	*any = false;
	while ((n = getline(&buf, &cap, f)) > 0) {
		len = (size_t)n;
		l->line++;
		nl = buf[len - 1] == '\n';
		if (nl) {
			buf[--len] = '\0';
			*any = true;
		}
		if (auditd && !nl) {
			note(l, "no newline at the end of the file: line "
			    "ignored, as auditd does");
			continue;
		}
		if (len > LINE_MAX_CHARS || strlen(buf) != len) {
			if (!auditd) {
				rc = fail(l, -EINVAL, "line longer than %d "
				    "characters or holding a NUL",
				    LINE_MAX_CHARS);
				break;
			}
			note(l, "line longer than %d characters (or holding "
			    "a NUL) ignored, as auditd does", LINE_MAX_CHARS);
			continue;
		}
		rc = auditd ? auditd_line(l, buf) : ringauditd_line(l, buf);
		if (rc < 0)
			break;
		rc = 0;
	}
	if (rc == 0 && ferror(f))
		rc = fail(l, -EIO, "read error");
	free(buf);
	l->line = 0;
	return rc;
}

static bool
plain_number(const struct cfg_kv *kv, unsigned long *v)
{
	const char *p;

	*v = 0;
	if (kv == NULL)
		return true;
	for (p = kv->value; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	errno = 0;
	*v = strtoul(kv->value, NULL, 10);
	return errno == 0;
}

/* The checks auditd makes once the whole file is read, in its order. */
static int
auditd_checks(struct ld *l)
{
	const struct cfg_kv *sl, *asl;
	struct cfg *c = l->c;
	char copy[PATH_MAX], qb[ESC_MAX];
	unsigned long s, a;

	sl = other_find(c, "space_left");
	asl = other_find(c, "admin_space_left");
	/* A percentage is resolved against the disk later: no check. */
	if (plain_number(sl, &s) && plain_number(asl, &a) && s <= a) {
		if (sl == NULL && asl == NULL)
			return fail(l, -EINVAL, "space_left (0) must be larger "
			    "than admin_space_left (0): auditd wants both set "
			    "once the file has any line");
		l->line = sl == NULL ? asl->line : asl == NULL ? sl->line :
		    (sl->line > asl->line ? sl->line : asl->line);
		return fail(l, -EINVAL, "space_left \"%lu\" must be larger "
		    "than admin_space_left \"%lu\"", s, a);
	}
	if ((c->flush == CFG_FLUSH_INCREMENTAL ||
	    c->flush == CFG_FLUSH_INCREMENTAL_ASYNC) && c->freq == 0) {
		l->line = l->flush_line;
		return fail(l, -EINVAL, "flush: \"%s\" needs a non-zero freq "
		    "(freq is \"0\")", cfg_flush_name(c->flush));
	}
	if ((c->flush == CFG_FLUSH_DATA || c->flush == CFG_FLUSH_SYNC) &&
	    c->freq != 0) {
		l->line = l->freq_line;
		note(l, "freq: %lu has no effect with flush = %s", c->freq,
		    cfg_flush_name(c->flush));
	}
	if (c->log_group != 0) {
		snprintf(copy, sizeof(copy), "%s", c->log_file);
		if (strcmp(dirname(copy), "/var/log") == 0) {
			l->line = l->log_file_line > l->log_group_line ?
			    l->log_file_line : l->log_group_line;
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
	rc = conf_read(&l, f, auditd, &any);
	fclose(f);
	if (rc == 0 && auditd && any)
		rc = auditd_checks(&l);
	return rc;
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
	if (rc == 0)
		memcpy(c, t, sizeof(*c));
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
