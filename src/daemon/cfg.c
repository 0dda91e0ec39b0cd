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
 *     space_left above admin_space_left (unless either is a non-zero
 *     percentage),
 *     a non-zero freq for incremental flushing, and no log_group for a
 *     log file directly in /var/log.
 *
 * Every key auditd knows is parsed into its typed field in struct cfg,
 * with auditd's ranges and checks (last value wins); only the deprecated
 * dispatcher and disp_qos are read and dropped, with a warning.  Unknown
 * keys are an error, as in auditd.  Checks that depend on the order of
 * lines are kept too: verify_email applies to a later action_mail_acct
 * only, enable_krb5 = yes overrides an earlier transport.  Where auditd
 * reads a value loosely ("5%5" is 5%, "1-2-3" is ports 1-3), the same
 * value is taken, with a warning.  No DNS lookup is made for
 * action_mail_acct: auditd's failed lookup only warns.
 *
 * ringauditd.conf holds what auditd has not: pool and ring sizes, and the
 * paths auditd has built in (pid file, state report, init, sendmail),
 * which must be absolute.  It has the same syntax and ownership rules, is
 * optional, and is strict where auditd is lax: an over-long line is an
 * error, not skipped.
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
/* auditd reads lines into 160 bytes with fgets: 158 characters and '\n'. */
#define LINE_MAX_CHARS 158
/* A value with every byte escaped as \xNN, and some room to spare. */
#define ESC_MAX (4 * LINE_MAX_CHARS + 16)
/* Room for the line each auditd.conf key was last set on. */
#define KW_MAX 48

#define OFF(f) offsetof(struct cfg, f)

struct ld {
	struct cfg *c;
	const char *path;
	unsigned line;		/* being read; 0 for the file as a whole */
	char *err;
	size_t errlen;
	unsigned set[KW_MAX];	/* where each key was last set, for the
				 * checks at the end */
};

struct choice {
	const char *name;
	int val;
};

/*
 * One auditd.conf key: its parser, and where in struct cfg it goes.  The
 * generic parsers read lo/hi (numbers), tab (a choice, stored as an int:
 * every enum here is one, see the asserts below) and refuse (actions).
 */
struct kw {
	const char *name;
	int (*parse)(struct ld *, const struct kw *, const char *,
	    const char *);
	size_t off;
	unsigned long lo, hi;
	const struct choice *tab;
	unsigned refuse;	/* 1 << CFG_ACT_x: actions this key refuses */
	bool option;		/* may take "value option" */
};

_Static_assert(sizeof(enum cfg_log_format) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_flush) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_name_format) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_max_action) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_overflow) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_transport) == sizeof(int), "enum size");

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

/* The four disk and space actions; each key refuses some (kw.refuse). */
static const struct choice actions[] = {
	{ "ignore", CFG_ACT_IGNORE }, { "syslog", CFG_ACT_SYSLOG },
	{ "rotate", CFG_ACT_ROTATE }, { "email", CFG_ACT_EMAIL },
	{ "exec", CFG_ACT_EXEC }, { "suspend", CFG_ACT_SUSPEND },
	{ "single", CFG_ACT_SINGLE }, { "halt", CFG_ACT_HALT }, { NULL, 0 },
};

static const struct choice max_actions[] = {
	{ "ignore", CFG_MAX_IGNORE }, { "syslog", CFG_MAX_SYSLOG },
	{ "suspend", CFG_MAX_SUSPEND }, { "rotate", CFG_MAX_ROTATE },
	{ "keep_logs", CFG_MAX_KEEP_LOGS }, { NULL, 0 },
};

static const struct choice overflows[] = {
	{ "ignore", CFG_OVF_IGNORE }, { "syslog", CFG_OVF_SYSLOG },
	{ "suspend", CFG_OVF_SUSPEND }, { "single", CFG_OVF_SINGLE },
	{ "halt", CFG_OVF_HALT }, { NULL, 0 },
};

/* Debian builds auditd with Kerberos, so krb5 is a transport. */
static const struct choice transports[] = {
	{ "tcp", CFG_TRANSPORT_TCP }, { "krb5", CFG_TRANSPORT_KRB5 },
	{ NULL, 0 },
};

/* ringauditd.conf: a number in lo..hi (unsigned), or an absolute path. */
struct rkw {
	const char *name;
	size_t off;
	unsigned lo, hi;
	bool path;		/* char[PATH_MAX] at off */
};

static const struct rkw ringauditd_kw[] = {
	{ "workers", OFF(workers), 1, 64, false },
	{ "records", OFF(records), 64, 1048576, false },
	{ "ring_size", OFF(ring_size), 16, 1048576, false },
	{ "netlink_rcvbuf", OFF(netlink_rcvbuf), 65536, 1073741824, false },
	{ "drain_timeout_ms", OFF(drain_timeout_ms), 0, 600000, false },
	{ "write_batch", OFF(write_batch), 4096, 67108864, false },
	{ "pid_file", OFF(pid_file), 0, 0, true },
	{ "state_file", OFF(state_file), 0, 0, true },
	{ "init_command", OFF(init_command), 0, 0, true },
	{ "sendmail", OFF(sendmail), 0, 0, true },
	{ NULL, 0, 0, 0, false },
};

static void vmsg(char *, size_t, const struct ld *, const char *, va_list)
    __attribute__((format(printf, 4, 0)));
static int fail(struct ld *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void note(struct ld *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

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

	c->workers = 1;
	c->records = 4096;
	c->ring_size = 1024;
	c->netlink_rcvbuf = 8388608;
	c->drain_timeout_ms = 5000;
	c->write_batch = 262144;
	snprintf(c->pid_file, sizeof(c->pid_file), "/var/run/auditd.pid");
	snprintf(c->state_file, sizeof(c->state_file), "/var/run/auditd.state");
	snprintf(c->init_command, sizeof(c->init_command), "/sbin/init");
	snprintf(c->sendmail, sizeof(c->sendmail), "/usr/lib/sendmail");
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
	return choice_name(flushes, (int)f);
}

const char *
cfg_action_name(enum cfg_action a)
{
	return choice_name(actions, (int)a);
}

const char *
cfg_max_action_name(enum cfg_max_action a)
{
	return choice_name(max_actions, (int)a);
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

static void *
field(struct ld *l, const struct kw *k)
{
	return (char *)l->c + k->off;
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
p_bool(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	int v = 0, rc;

	(void)opt;
	if ((rc = choose(l, k, yes_no, val, &v)) < 0)
		return rc;
	*(bool *)field(l, k) = v;
	return 0;
}

/* An enum from k->tab. */
static int
p_choice(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	int v = 0, rc;

	(void)opt;
	if ((rc = choose(l, k, k->tab, val, &v)) < 0)
		return rc;
	*(int *)field(l, k) = v;
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

/* An unsigned long in k->lo..k->hi. */
static int
p_ulong(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	unsigned long v;
	int rc;

	(void)opt;
	if ((rc = digits(l, k->name, val, k->lo, k->hi, &v)) < 0)
		return rc;
	*(unsigned long *)field(l, k) = v;
	return 0;
}

static int
p_q_depth(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	int rc;

	if ((rc = p_ulong(l, k, val, opt)) < 0)
		return rc;
	if (l->c->q_depth < 512)
		note(l, "q_depth: %lu is below 512, too small a margin (auditd "
		    "says so too)", l->c->q_depth);
	return 0;
}

/* Any one token, into a char[k->hi]. */
static int
p_str(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	char qb[ESC_MAX];

	(void)opt;
	if (strlen(val) >= k->hi)
		return fail(l, -EINVAL, "%s: \"%s\" is longer than %lu "
		    "characters", k->name, esc(qb, sizeof(qb), val),
		    k->hi - 1);
	memcpy(field(l, k), val, strlen(val) + 1);
	return 0;
}

/*
 * auditd's check of an address when verify_email is yes (at the time the
 * line is read: verify_email must come first): 2 characters or more,
 * only letters, digits and "@._-" ('+' is refused), and a '.' after the
 * first '@'.  auditd then looks the domain up, but a failed lookup only
 * warns; no lookup is made here.
 */
static int
p_mail(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	char qb[ESC_MAX];
	const char *p, *at, *dot;

	esc(qb, sizeof(qb), val);
	if (l->c->verify_email) {
		if (strlen(val) < 2)
			return fail(l, -EINVAL, "%s: \"%s\" is shorter than 2 "
			    "characters", k->name, qb);
		for (p = val; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80 ||
			    (!isalnum((unsigned char)*p) &&
			    strchr("@._-", *p) == NULL))
				return fail(l, -EINVAL, "%s: \"%s\": only "
				    "letters, digits and \"@._-\" are allowed "
				    "(verify_email = no to skip this check)",
				    k->name, qb);
		at = strchr(val, '@');
		dot = strrchr(val, '.');
		if (at != NULL && (dot == NULL || dot < at))
			return fail(l, -EINVAL, "%s: \"%s\" has no '.' after "
			    "'@'", k->name, qb);
	}
	return p_str(l, k, val, opt);
}

/*
 * MiB, or "N%" with N 1..99.  auditd allows digits and '%' anywhere,
 * blanks the first '%' and reads a number from the start: "%5" and "5%5"
 * are 5%, "%" is 0% -- and 0% is 0 MiB, in its end check too.
 */
static int
p_space(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	struct cfg_space *sp = field(l, k);
	char buf[LINE_MAX_CHARS + 1], qb[ESC_MAX], *pc;
	unsigned long v;
	size_t n;

	(void)opt;
	esc(qb, sizeof(qb), val);
	n = strspn(val, "0123456789%");
	if (val[n] != '\0' || n >= sizeof(buf))
		return fail(l, -EINVAL, "%s: \"%s\" is neither a number (MiB) "
		    "nor a percentage", k->name, qb);
	memcpy(buf, val, n + 1);
	if ((pc = strchr(buf, '%')) != NULL)
		*pc = ' ';
	errno = 0;
	v = strtoul(buf, NULL, 10);
	if (errno != 0)
		return fail(l, -EINVAL, "%s: \"%s\" is out of range", k->name,
		    qb);
	if (pc != NULL && v > 99)
		return fail(l, -EINVAL, "%s: \"%s\": a percentage must be 99 "
		    "or less", k->name, qb);
	if (pc != NULL && (pc == buf || pc[1] != '\0'))
		note(l, "%s: \"%s\" taken as %lu%%, as auditd does", k->name,
		    qb, v);
	sp->value = v;
	sp->percent = pc != NULL && v != 0;
	return 0;
}

/*
 * auditd wants the program of "exec" named by an absolute path to a
 * regular file (symlinks followed) owned by root, with permissions
 * exactly 0750, 0755 or 0555 (set-id and sticky bits aside).  Its message
 * also names 0550, which it refuses.
 */
static int
check_exe(struct ld *l, const struct kw *k, const char *path)
{
	char qb[ESC_MAX];
	struct stat st;
	mode_t m;

	if (path == NULL)
		return fail(l, -EINVAL, "%s: \"exec\" needs a program: "
		    "\"exec /path\"", k->name);
	esc(qb, sizeof(qb), path);
	if (path[0] != '/')
		return fail(l, -EINVAL, "%s: \"%s\" is not an absolute path",
		    k->name, qb);
	if (strlen(path) >= PATH_MAX)
		return fail(l, -EINVAL, "%s: \"%s\" is too long", k->name, qb);
	if (stat(path, &st) < 0)
		return fail(l, -EINVAL, "%s: \"%s\": %s", k->name, qb,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(l, -EINVAL, "%s: \"%s\" is not a regular file",
		    k->name, qb);
	if (st.st_uid != 0)
		return fail(l, -EINVAL, "%s: \"%s\" is not owned by root "
		    "(uid %u)", k->name, qb, (unsigned)st.st_uid);
	m = st.st_mode & 0777;
	if (m != 0750 && m != 0755 && m != 0555)
		return fail(l, -EINVAL, "%s: \"%s\" has mode %04o; auditd "
		    "takes only 0750, 0755 or 0555", k->name, qb,
		    (unsigned)m);
	return 0;
}

/* "action", or "exec /path"; k->refuse names what this key refuses. */
static int
p_act(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	struct cfg_act *a = field(l, k);
	char qb[ESC_MAX], qo[ESC_MAX];
	int v = 0, rc;

	if ((rc = choose(l, k, actions, val, &v)) < 0)
		return rc;
	esc(qb, sizeof(qb), val);
	if (k->refuse & (1u << v))
		return fail(l, -EINVAL, "%s: \"%s\" is not allowed for this "
		    "key", k->name, qb);
	if (v == CFG_ACT_EXEC) {
		if ((rc = check_exe(l, k, opt)) < 0)
			return rc;
		memcpy(a->exe, opt, strlen(opt) + 1);
	} else {
		if (opt != NULL)
			note(l, "%s: \"%s\" after \"%s\" is ignored, as auditd "
			    "does", k->name, esc(qo, sizeof(qo), opt), qb);
		a->exe[0] = '\0';
	}
	a->act = v;
	return 0;
}

/*
 * "port" or "lo-hi", 0..65535, lo <= hi.  As in auditd, a '-' anywhere
 * but first or last is taken, and the last one splits: "1-2-3" is 1-3.
 */
static int
p_ports(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	char qb[ESC_MAX];
	const char *dash = NULL;
	unsigned long lo, hi;
	size_t i;

	(void)opt;
	esc(qb, sizeof(qb), val);
	for (i = 0; val[i] != '\0'; i++) {
		if (i > 0 && val[i] == '-' && val[i + 1] != '\0')
			dash = val + i;
		else if (!isdigit((unsigned char)val[i]))
			return fail(l, -EINVAL, "%s: \"%s\" is not a port or "
			    "two ports joined by '-'", k->name, qb);
	}
	errno = 0;
	hi = lo = strtoul(val, NULL, 10);
	if (errno == 0 && dash != NULL)
		hi = strtoul(dash + 1, NULL, 10);
	if (errno != 0 || lo > 65535 || hi > 65535)
		return fail(l, -EINVAL, "%s: \"%s\" is out of range 0..65535",
		    k->name, qb);
	if (lo > hi)
		return fail(l, -EINVAL, "%s: \"%s\" is a reversed range",
		    k->name, qb);
	if (dash != NULL && strchr(val, '-') != dash)
		note(l, "%s: \"%s\" taken as %lu-%lu, as auditd does",
		    k->name, qb, lo, hi);
	l->c->tcp_client_port_lo = lo;
	l->c->tcp_client_port_hi = hi;
	return 0;
}

/* Deprecated: yes means transport = krb5; no leaves transport alone. */
static int
p_krb5(struct ld *l, const struct kw *k, const char *val, const char *opt)
{
	int rc;

	if ((rc = p_bool(l, k, val, opt)) < 0)
		return rc;
	if (l->c->enable_krb5)
		l->c->transport = CFG_TRANSPORT_KRB5;
	return 0;
}

/* Anything; auditd appends a '/' unless it ends in one or is 1 long. */
static int
p_plugin_dir(struct ld *l, const struct kw *k, const char *val,
    const char *opt)
{
	char *d = l->c->plugin_dir, qb[ESC_MAX];
	size_t n = strlen(val);

	(void)opt;
	if (n + 2 > sizeof(l->c->plugin_dir))
		return fail(l, -EINVAL, "%s: \"%s\" is too long", k->name,
		    esc(qb, sizeof(qb), val));
	memcpy(d, val, n + 1);
	if (n > 1 && d[n - 1] != '/') {
		d[n] = '/';
		d[n + 1] = '\0';
	}
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
	return 0;
}

/* auditd accepts anything here, and only warns. */
static int
p_deprecated(struct ld *l, const struct kw *k, const char *val,
    const char *opt)
{
	(void)val;
	(void)opt;
	note(l, "%s is deprecated and has no effect", k->name);
	return 0;
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

#define K(n, f)	.name = (n), .parse = (f)
#define A(x)	(1u << CFG_ACT_##x)

/*
 * Every key auditd 3.0.9 knows, with its range where it checks one.  The
 * numbers it reads with strtoul and keeps whole go up to ULONG_MAX.
 */
static const struct kw auditd_kw[] = {
	{ K("local_events", p_bool), .off = OFF(local_events) },
	{ K("write_logs", p_bool), .off = OFF(write_logs) },
	{ K("log_file", p_log_file) },
	{ K("log_format", p_log_format) },
	{ K("log_group", p_log_group) },
	{ K("flush", p_choice), .off = OFF(flush), .tab = flushes },
	{ K("freq", p_ulong), .off = OFF(freq), .hi = INT_MAX },
	{ K("num_logs", p_ulong), .off = OFF(num_logs), .hi = 999 },
	{ K("dispatcher", p_deprecated) },
	{ K("name_format", p_choice), .off = OFF(name_format),
	    .tab = name_formats },
	{ K("name", p_name) },
	{ K("disp_qos", p_deprecated) },
	{ K("max_log_file", p_ulong), .off = OFF(max_log_file), .hi = ULONG_MAX },
	{ K("max_log_file_action", p_choice), .off = OFF(max_log_file_action),
	    .tab = max_actions },
	{ K("space_left", p_space), .off = OFF(space_left) },
	{ K("space_left_action", p_act), .off = OFF(space_left_action),
	    .option = true },
	{ K("action_mail_acct", p_mail), .off = OFF(action_mail_acct),
	    .hi = CFG_VALUE_MAX },
	{ K("verify_email", p_bool), .off = OFF(verify_email) },
	{ K("admin_space_left", p_space), .off = OFF(admin_space_left) },
	{ K("admin_space_left_action", p_act),
	    .off = OFF(admin_space_left_action), .option = true },
	{ K("disk_full_action", p_act), .off = OFF(disk_full_action),
	    .refuse = A(EMAIL), .option = true },
	{ K("disk_error_action", p_act), .off = OFF(disk_error_action),
	    .refuse = A(EMAIL) | A(ROTATE), .option = true },
	{ K("priority_boost", p_ulong), .off = OFF(priority_boost),
	    .hi = INT_MAX },
	{ K("tcp_listen_port", p_ulong), .off = OFF(tcp_listen_port), .lo = 1,
	    .hi = 65535 },
	{ K("tcp_listen_queue", p_ulong), .off = OFF(tcp_listen_queue), .lo = 1,
	    .hi = 65535 },
	{ K("tcp_max_per_addr", p_ulong), .off = OFF(tcp_max_per_addr), .lo = 1,
	    .hi = 1024 },
	{ K("use_libwrap", p_bool), .off = OFF(use_libwrap) },
	{ K("tcp_client_ports", p_ports) },
	{ K("tcp_client_max_idle", p_ulong), .off = OFF(tcp_client_max_idle),
	    .hi = INT_MAX },
	{ K("transport", p_choice), .off = OFF(transport), .tab = transports },
	{ K("enable_krb5", p_krb5), .off = OFF(enable_krb5) },
	{ K("krb5_principal", p_str), .off = OFF(krb5_principal),
	    .hi = CFG_VALUE_MAX },
	{ K("krb5_key_file", p_str), .off = OFF(krb5_key_file), .hi = PATH_MAX },
	{ K("distribute_network", p_bool), .off = OFF(distribute_network) },
	{ K("q_depth", p_q_depth), .off = OFF(q_depth), .hi = 99999 },
	{ K("overflow_action", p_choice), .off = OFF(overflow_action),
	    .tab = overflows },
	{ K("max_restarts", p_ulong), .off = OFF(max_restarts), .hi = INT_MAX },
	{ K("plugin_dir", p_plugin_dir) },
	{ K("end_of_event_timeout", p_ulong), .off = OFF(end_of_event_timeout),
	    .hi = ULONG_MAX },
	{ .name = NULL },
};

#undef K
#undef A

_Static_assert(sizeof(auditd_kw) / sizeof(auditd_kw[0]) <= KW_MAX,
    "KW_MAX too small");

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
	if ((rc = k->parse(l, k, tok[2], n > 3 ? tok[3] : NULL)) < 0)
		return rc;
	l->set[k - auditd_kw] = l->line;
	return 0;
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
	if (k->path) {
		esc(qb, sizeof(qb), tok[2]);
		if (tok[2][0] != '/')
			return fail(l, -EINVAL, "%s: \"%s\" is not an absolute "
			    "path", k->name, qb);
		if (strlen(tok[2]) >= PATH_MAX)
			return fail(l, -EINVAL, "%s: \"%s\" is too long",
			    k->name, qb);
		memcpy((char *)l->c + k->off, tok[2], strlen(tok[2]) + 1);
		return 0;
	}
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

/* The line key was last set on in this file, 0 if it was not. */
static unsigned
set_line(const struct ld *l, const char *key)
{
	const struct kw *k = auditd_lookup(key);

	return k != NULL ? l->set[k - auditd_kw] : 0;
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
	const struct cfg_space *sl = &c->space_left, *asl = &c->admin_space_left;
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
	rc = conf_read(&l, f, auditd, &any);
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
