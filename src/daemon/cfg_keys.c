/*
 * cfg_keys.c - the keys of auditd.conf and ringauditd.conf, and the parser
 * of each value.  cfg.c reads the files and splits the lines; it hands
 * each "key = value [option]" here: to the parser cfg_auditd_kw names for the
 * key, or to cfg_rkw_parse() for a cfg_ringauditd_kw key.
 *
 * Every key auditd 3.0.9 knows is parsed into its typed field in struct
 * cfg, with auditd's ranges and checks (last value wins); only the
 * deprecated dispatcher and disp_qos are read and dropped, with a
 * warning.  Keys and enum values are case-insensitive; group names and
 * paths are not.  Checks that depend on the order of lines are kept:
 * verify_email applies to a later action_mail_acct only, enable_krb5 =
 * yes overrides an earlier transport.  Where auditd reads a value loosely
 * ("5%5" is 5%, "1-2-3" is ports 1-3), the same value is taken, with a
 * warning.  No DNS lookup is made for action_mail_acct: auditd's failed
 * lookup only warns.
 *
 * ringauditd.conf's keys are numbers in a range, paths, which must be
 * absolute, or a choice (ingest).
 *
 * A parser writes only into l->c, the copy being loaded, and reports
 * through fail() and note() (cfg.c).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/cfg_keys.h"

#define OFF(f) offsetof(struct cfg, f)

_Static_assert(sizeof(enum cfg_log_format) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_flush) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_name_format) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_max_action) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_overflow) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_transport) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_ingest) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_remote_ack) == sizeof(int), "enum size");

static const struct choice yes_no[] = {
	{ "yes", 1 }, { "no", 0 }, { NULL, 0 },
};

/* nolog is deprecated: auditd accepts it and turns write_logs off. */
static const struct choice log_formats[] = {
	{ "raw", CFG_LOG_FORMAT_RAW }, { "enriched", CFG_LOG_FORMAT_ENRICHED },
	{ "nolog", -1 }, { NULL, 0 },
};

const struct choice cfg_flushes[] = {
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
const struct choice cfg_actions[] = {
	{ "ignore", CFG_ACT_IGNORE }, { "syslog", CFG_ACT_SYSLOG },
	{ "rotate", CFG_ACT_ROTATE }, { "email", CFG_ACT_EMAIL },
	{ "exec", CFG_ACT_EXEC }, { "suspend", CFG_ACT_SUSPEND },
	{ "single", CFG_ACT_SINGLE }, { "halt", CFG_ACT_HALT }, { NULL, 0 },
};

const struct choice cfg_max_actions[] = {
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

static const struct choice ingests[] = {
	{ "unicast", CFG_INGEST_UNICAST },
	{ "multicast", CFG_INGEST_MULTICAST }, { NULL, 0 },
};

static const struct choice schedulers[] = {
	{ "batch", CFG_SCHED_BATCH }, { "other", CFG_SCHED_OTHER },
	{ NULL, 0 },
};

static const struct choice remote_acks[] = {
	{ "written", CFG_ACK_WRITTEN }, { "durable", CFG_ACK_DURABLE },
	{ NULL, 0 },
};

/* ringauditd.conf's keys; cfg_rkw_parse() reads their values. */
const struct rkw cfg_ringauditd_kw[] = {
	{ "ingest", OFF(ingest), 0, 0, false, ingests },
	{ "workers", OFF(workers), 1, 64, false, NULL },
	{ "records", OFF(records), 64, 1048576, false, NULL },
	{ "ring_size", OFF(ring_size), 16, 1048576, false, NULL },
	{ "netlink_rcvbuf", OFF(netlink_rcvbuf), 65536, 1073741824, false,
	    NULL },
	{ "drain_timeout_ms", OFF(drain_timeout_ms), 0, 600000, false, NULL },
	{ "write_batch", OFF(write_batch), 4096, 67108864, false, NULL },
	{ "gather_ms", OFF(gather_ms), 0, 1000, false, NULL },
	{ "scheduler", OFF(scheduler), 0, 0, false, schedulers },
	{ "inline", OFF(inline_work), 0, 0, false, yes_no },
	{ "name_cache_entries", OFF(name_cache_entries), 16, 1048576, false,
	    NULL },
	{ "name_cache_refresh", OFF(name_cache_refresh), 0, 86400, false,
	    NULL },
	{ "metrics_file", OFF(metrics_file), 0, 0, true, NULL },
	{ "metrics_interval", OFF(metrics_interval), 1, 3600, false, NULL },
	{ "control_socket", OFF(control_socket), 0,
	    sizeof(((struct cfg *)0)->control_socket) - 1, true, NULL },
	{ "pid_file", OFF(pid_file), 0, 0, true, NULL },
	{ "state_file", OFF(state_file), 0, 0, true, NULL },
	{ "init_command", OFF(init_command), 0, 0, true, NULL },
	{ "sendmail", OFF(sendmail), 0, 0, true, NULL },
	{ "remote_ack", OFF(remote_ack), 0, 0, false, remote_acks },
	{ "tcp_max_clients", OFF(tcp_max_clients), 1, 65536, false, NULL },
	{ "tcp_messages", OFF(tcp_messages), 16, 65536, false, NULL },
	{ "tcp_client_messages", OFF(tcp_client_messages), 1, 4096, false,
	    NULL },
	{ NULL, 0, 0, 0, false, NULL },
};

static void *
field(struct ld *l, const struct kw *k)
{
	return (char *)l->c + k->off;
}

static int
choose(struct ld *l, const char *key, const struct choice *tab,
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
	return fail(l, -EINVAL, "%s: \"%s\" is not one of %s", key,
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
	if ((rc = choose(l, k->name, yes_no, val, &v)) < 0)
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
	if ((rc = choose(l, k->name, k->tab, val, &v)) < 0)
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
	if ((rc = choose(l, k->name, log_formats, val, &v)) < 0)
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
	/* auditd 3.0.9 takes 0 and then divides by it. */
	if (l->c->q_depth == 0)
		return fail(l, -EINVAL, "q_depth: \"%s\" would drop every "
		    "record before a plugin could have it (auditd 3.0.9 "
		    "crashes on it)", val);
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

	if ((rc = choose(l, k->name, cfg_actions, val, &v)) < 0)
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

/*
 * A ringauditd.conf value: a number in k->lo..k->hi, an absolute path, or
 * one of k->tab.
 */
int
cfg_rkw_parse(struct ld *l, const struct rkw *k, const char *val)
{
	char qb[ESC_MAX];
	unsigned long v;
	int c = 0, rc;

	if (k->tab != NULL) {
		if ((rc = choose(l, k->name, k->tab, val, &c)) < 0)
			return rc;
		*(int *)(void *)((char *)l->c + k->off) = c;
		return 0;
	}
	if (k->path) {
		esc(qb, sizeof(qb), val);
		/* A socket's path (hi: its longest) may be "none". */
		if (k->hi != 0 && strcasecmp(val, "none") == 0) {
			*((char *)l->c + k->off) = '\0';
			return 0;
		}
		if (val[0] != '/')
			return fail(l, -EINVAL, "%s: \"%s\" is not an absolute "
			    "path", k->name, qb);
		if (strlen(val) > (k->hi != 0 ? k->hi : PATH_MAX - 1))
			return fail(l, -EINVAL, "%s: \"%s\" is too long (at "
			    "most %u characters)", k->name, qb,
			    k->hi != 0 ? k->hi : PATH_MAX - 1);
		memcpy((char *)l->c + k->off, val, strlen(val) + 1);
		return 0;
	}
	if ((rc = digits(l, k->name, val, k->lo, k->hi, &v)) < 0)
		return rc;
	*(unsigned *)(void *)((char *)l->c + k->off) = (unsigned)v;
	return 0;
}

#define K(n, f)	.name = (n), .parse = (f)
#define A(x)	(1u << CFG_ACT_##x)

/*
 * Every key auditd 3.0.9 knows, with its range where it checks one.  The
 * numbers it reads with strtoul and keeps whole go up to ULONG_MAX.
 */
const struct kw cfg_auditd_kw[] = {
	{ K("local_events", p_bool), .off = OFF(local_events) },
	{ K("write_logs", p_bool), .off = OFF(write_logs) },
	{ K("log_file", p_log_file) },
	{ K("log_format", p_log_format) },
	{ K("log_group", p_log_group) },
	{ K("flush", p_choice), .off = OFF(flush), .tab = cfg_flushes },
	{ K("freq", p_ulong), .off = OFF(freq), .hi = INT_MAX },
	{ K("num_logs", p_ulong), .off = OFF(num_logs), .hi = 999 },
	{ K("dispatcher", p_deprecated) },
	{ K("name_format", p_choice), .off = OFF(name_format),
	    .tab = name_formats },
	{ K("name", p_str), .off = OFF(name), .hi = CFG_NAME_MAX + 1 },
	{ K("disp_qos", p_deprecated) },
	{ K("max_log_file", p_ulong), .off = OFF(max_log_file),
	    .hi = ULONG_MAX },
	{ K("max_log_file_action", p_choice), .off = OFF(max_log_file_action),
	    .tab = cfg_max_actions },
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
	{ K("krb5_key_file", p_str), .off = OFF(krb5_key_file),
	    .hi = PATH_MAX },
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

_Static_assert(sizeof(cfg_auditd_kw) / sizeof(cfg_auditd_kw[0]) <= KW_MAX,
    "KW_MAX too small");
