/*
 * test_config.c - auditd.conf and ringauditd.conf: every key with good,
 * bad and boundary values, the checks across keys, the line syntax, file
 * ownership and modes, and Debian's stock auditd.conf read back.
 *
 * Where a table gives auditd's verdict ("auditd:"), it was learned by
 * running Debian's auditd 3.0.9 (auditd -f -c DIR) on the same file, with
 * an unknown key on the next line so that auditd stopped there when it had
 * accepted the line, or inside a user namespace (which cannot reach the
 * kernel's audit socket) when the whole file had to be accepted.  A few
 * rows say "auditd's source": what a load cannot show (enable_krb5's
 * effect on transport, a 1-character plugin_dir, the defaults of keys
 * that are only used later).
 *
 * Files are written into a mkdtemp() directory, removed at the end.  The
 * files must be owned by root, so the program skips when not run as root.
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

/* auditd refuses a file with any line unless space_left > admin_space_left
 * (auditd: "flush = sync" alone is refused), so most files start so. */
#define P "space_left = 2\nadmin_space_left = 1\n"

static char tmp[64];

enum field {
	F_NONE, F_LOCAL_EVENTS, F_WRITE_LOGS, F_LOG_FILE, F_LOG_FORMAT,
	F_LOG_GROUP, F_FLUSH, F_FREQ, F_NAME_FORMAT, F_NAME, F_PRIO,
	F_WORKERS, F_RECORDS, F_RING_SIZE, F_RCVBUF, F_DRAIN, F_BATCH,
	F_NAMES, F_NAMES_REFRESH, F_METRICS_INTERVAL,
	F_PID_FILE, F_STATE_FILE, F_INIT, F_SENDMAIL, F_INGEST,
};

struct kcase {
	const char *text;	/* the file; "@D" is the temporary folder */
	int rc;
	enum field f;		/* on success, this field ... */
	unsigned long want;	/* ... has this value */
	const char *swant;	/* or this string ("@D" as above) */
	unsigned line;		/* on failure, the line the error names */
	const char *bad;	/* and the value it quotes ("" for none) */
};

#define OK(t, f, v)	{ t, 0, f, v, NULL, 0, NULL }
#define OKS(t, f, s)	{ t, 0, f, 0, s, 0, NULL }
#define BAD(t, l, b)	{ t, -EINVAL, F_NONE, 0, NULL, l, b }

static unsigned long
field(const struct cfg *c, enum field f)
{
	switch (f) {
	case F_LOCAL_EVENTS: return c->local_events;
	case F_WRITE_LOGS: return c->write_logs;
	case F_LOG_FORMAT: return c->log_format;
	case F_LOG_GROUP: return c->log_group;
	case F_FLUSH: return c->flush;
	case F_FREQ: return c->freq;
	case F_NAME_FORMAT: return c->name_format;
	case F_PRIO: return c->priority_boost;
	case F_WORKERS: return c->workers;
	case F_RECORDS: return c->records;
	case F_RING_SIZE: return c->ring_size;
	case F_RCVBUF: return c->netlink_rcvbuf;
	case F_DRAIN: return c->drain_timeout_ms;
	case F_BATCH: return c->write_batch;
	case F_NAMES: return c->name_cache_entries;
	case F_NAMES_REFRESH: return c->name_cache_refresh;
	case F_METRICS_INTERVAL: return c->metrics_interval;
	case F_INGEST: return c->ingest;
	case F_NONE: case F_LOG_FILE: case F_NAME: case F_PID_FILE:
	case F_STATE_FILE: case F_INIT: case F_SENDMAIL: break;
	}
	fail_msg("field %d is not a number", (int)f);
	return 0;
}

static const char *
sfield(const struct cfg *c, enum field f)
{
	switch (f) {
	case F_LOG_FILE: return c->log_file;
	case F_PID_FILE: return c->pid_file;
	case F_STATE_FILE: return c->state_file;
	case F_INIT: return c->init_command;
	case F_SENDMAIL: return c->sendmail;
	default: return c->name;
	}
}

/* s with every "@D" replaced by the temporary folder. */
static void
subst(char *dst, size_t len, const char *s)
{
	size_t o = 0, tl = strlen(tmp);

	for (; *s != '\0'; s++) {
		if (s[0] == '@' && s[1] == 'D') {
			assert_true(o + tl < len);
			memcpy(dst + o, tmp, tl);
			o += tl;
			s++;
			continue;
		}
		assert_true(o + 1 < len);
		dst[o++] = *s;
	}
	dst[o] = '\0';
}

/* Writes tmp/name with exactly mode; returns its path (static). */
static const char *
put(const char *name, const char *text, mode_t mode)
{
	static char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* err names path and line ("PATH:LINE: ") and quotes bad. */
static void
assert_err(const char *err, const char *path, unsigned line, const char *bad)
{
	char want[PATH_MAX + 32], q[512];

	if (line > 0)
		snprintf(want, sizeof(want), "%s:%u: ", path, line);
	else
		snprintf(want, sizeof(want), "%s: ", path);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", err, want);
	if (bad == NULL || bad[0] == '\0')
		return;
	snprintf(q, sizeof(q), "\"%s\"", bad);
	if (strstr(err, q) == NULL)
		fail_msg("error \"%s\" does not quote %s", err, q);
}

static bool
warned(const struct cfg *c, const char *what)
{
	unsigned i;

	for (i = 0; i < c->n_warn; i++)
		if (strstr(c->warn[i], what) != NULL)
			return true;
	return false;
}

/*
 * Every key, read back from struct cfg as text, so that a table can say
 * what a value must become: numbers in decimal, yes/no, enums by their
 * lowercase auditd name, "N%" for a percentage, "exec PATH", "lo-hi".
 */
enum kind {
	K_BOOL, K_ULONG, K_STR, K_SPACE, K_ACT, K_PORTS, K_GID, K_FLUSH,
	K_LOG_FORMAT, K_NAME_FORMAT, K_MAX, K_OVF, K_TRANSPORT, K_NONE,
};

#define O(f) offsetof(struct cfg, f)

static const struct {
	const char *key;
	enum kind kind;
	size_t off;
} keys[] = {
	{ "local_events", K_BOOL, O(local_events) },
	{ "write_logs", K_BOOL, O(write_logs) },
	{ "log_file", K_STR, O(log_file) },
	{ "log_format", K_LOG_FORMAT, O(log_format) },
	{ "log_group", K_GID, O(log_group) },
	{ "flush", K_FLUSH, O(flush) },
	{ "freq", K_ULONG, O(freq) },
	{ "num_logs", K_ULONG, O(num_logs) },
	{ "dispatcher", K_NONE, 0 },
	{ "name_format", K_NAME_FORMAT, O(name_format) },
	{ "name", K_STR, O(name) },
	{ "disp_qos", K_NONE, 0 },
	{ "max_log_file", K_ULONG, O(max_log_file) },
	{ "max_log_file_action", K_MAX, O(max_log_file_action) },
	{ "space_left", K_SPACE, O(space_left) },
	{ "space_left_action", K_ACT, O(space_left_action) },
	{ "action_mail_acct", K_STR, O(action_mail_acct) },
	{ "verify_email", K_BOOL, O(verify_email) },
	{ "admin_space_left", K_SPACE, O(admin_space_left) },
	{ "admin_space_left_action", K_ACT, O(admin_space_left_action) },
	{ "disk_full_action", K_ACT, O(disk_full_action) },
	{ "disk_error_action", K_ACT, O(disk_error_action) },
	{ "priority_boost", K_ULONG, O(priority_boost) },
	{ "tcp_listen_port", K_ULONG, O(tcp_listen_port) },
	{ "tcp_listen_queue", K_ULONG, O(tcp_listen_queue) },
	{ "tcp_max_per_addr", K_ULONG, O(tcp_max_per_addr) },
	{ "use_libwrap", K_BOOL, O(use_libwrap) },
	{ "tcp_client_ports", K_PORTS, 0 },
	{ "tcp_client_max_idle", K_ULONG, O(tcp_client_max_idle) },
	{ "transport", K_TRANSPORT, O(transport) },
	{ "enable_krb5", K_BOOL, O(enable_krb5) },
	{ "krb5_principal", K_STR, O(krb5_principal) },
	{ "krb5_key_file", K_STR, O(krb5_key_file) },
	{ "distribute_network", K_BOOL, O(distribute_network) },
	{ "q_depth", K_ULONG, O(q_depth) },
	{ "overflow_action", K_OVF, O(overflow_action) },
	{ "max_restarts", K_ULONG, O(max_restarts) },
	{ "plugin_dir", K_STR, O(plugin_dir) },
	{ "end_of_event_timeout", K_ULONG, O(end_of_event_timeout) },
	/* ringauditd.conf's paths */
	{ "pid_file", K_STR, O(pid_file) },
	{ "state_file", K_STR, O(state_file) },
	{ "init_command", K_STR, O(init_command) },
	{ "sendmail", K_STR, O(sendmail) },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const log_format_names[] = { "raw", "enriched" };
static const char *const name_format_names[] = {
	"none", "hostname", "fqd", "numeric", "user",
};
static const char *const ovf_names[] = {
	"ignore", "syslog", "suspend", "single", "halt",
};
static const char *const transport_names[] = { "tcp", "krb5" };

static const char *
pick(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "?";
}

#define PICK(a, v) pick(a, sizeof(a) / sizeof(a[0]), (int)(v))

static const char *
render(const struct cfg *c, const char *key, char *buf, size_t len)
{
	const char *p = NULL;
	const struct cfg_space *sp;
	const struct cfg_act *a;
	size_t i;

	for (i = 0; i < NKEYS && strcmp(keys[i].key, key) != 0; i++)
		;
	if (i == NKEYS)
		fail_msg("no such key %s", key);
	p = (const char *)c + keys[i].off;
	switch (keys[i].kind) {
	case K_BOOL:
		snprintf(buf, len, "%s", *(const bool *)p ? "yes" : "no");
		break;
	case K_ULONG:
		snprintf(buf, len, "%lu", *(const unsigned long *)p);
		break;
	case K_STR:
		snprintf(buf, len, "%s", p);
		break;
	case K_SPACE:
		sp = (const struct cfg_space *)p;
		snprintf(buf, len, "%lu%s", sp->value, sp->percent ? "%" : "");
		break;
	case K_ACT:
		a = (const struct cfg_act *)p;
		if (a->act == CFG_ACT_EXEC)
			snprintf(buf, len, "exec %s", a->exe);
		else {
			assert_string_equal(a->exe, "");
			snprintf(buf, len, "%s", cfg_action_name(a->act));
		}
		break;
	case K_PORTS:
		snprintf(buf, len, "%lu-%lu", c->tcp_client_port_lo,
		    c->tcp_client_port_hi);
		break;
	case K_GID:
		snprintf(buf, len, "%u", (unsigned)c->log_group);
		break;
	case K_FLUSH:
		snprintf(buf, len, "%s", cfg_flush_name(c->flush));
		break;
	case K_LOG_FORMAT:
		snprintf(buf, len, "%s", PICK(log_format_names, c->log_format));
		break;
	case K_NAME_FORMAT:
		snprintf(buf, len, "%s",
		    PICK(name_format_names, c->name_format));
		break;
	case K_MAX:
		snprintf(buf, len, "%s",
		    cfg_max_action_name(c->max_log_file_action));
		break;
	case K_OVF:
		snprintf(buf, len, "%s", PICK(ovf_names, c->overflow_action));
		break;
	case K_TRANSPORT:
		snprintf(buf, len, "%s", PICK(transport_names, c->transport));
		break;
	case K_NONE:
		snprintf(buf, len, "-");
		break;
	}
	return buf;
}

static void
run(const struct kcase *t, size_t n, bool auditd)
{
	static struct cfg c;
	char text[2048], path[PATH_MAX], err[1024], s[PATH_MAX];
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		subst(text, sizeof(text), t[i].text);
		snprintf(path, sizeof(path), "%s",
		    put(auditd ? "auditd.conf" : "ringauditd.conf", text,
		    0600));
		cfg_defaults(&c);
		err[0] = '\0';
		if (auditd)
			rc = cfg_load_auditd(&c, path, false, err, sizeof(err));
		else
			rc = cfg_load_ringauditd(&c, path, err, sizeof(err));
		if (rc != t[i].rc)
			fail_msg("case %zu \"%s\": rc %d, want %d (%s)", i,
			    t[i].text, rc, t[i].rc, err);
		if (rc < 0) {
			if (t[i].bad != NULL) {
				subst(s, sizeof(s), t[i].bad);
				assert_err(err, path, t[i].line, s);
			}
			continue;
		}
		if (t[i].swant != NULL) {
			subst(s, sizeof(s), t[i].swant);
			if (strcmp(sfield(&c, t[i].f), s) != 0)
				fail_msg("case %zu \"%s\": got \"%s\"", i,
				    t[i].text, sfield(&c, t[i].f));
		} else if (t[i].f != F_NONE && field(&c, t[i].f) != t[i].want)
			fail_msg("case %zu \"%s\": got %lu, want %lu", i,
			    t[i].text, field(&c, t[i].f), t[i].want);
	}
}

static void
test_defaults(void **state)
{
	static struct cfg c;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	cfg_defaults(&c);
	assert_true(c.local_events);
	assert_true(c.write_logs);
	assert_string_equal(c.log_file, "/var/log/audit/audit.log");
	/* auditd: DAEMON_START says format=enriched with no log_format. */
	assert_int_equal(c.log_format, CFG_LOG_FORMAT_ENRICHED);
	assert_int_equal(c.log_group, 0);
	/* auditd: no flush and freq = 0 is accepted, flush = incremental or
	 * incremental_async with freq = 0 is not: the default is none (the
	 * man page says incremental_async). */
	assert_int_equal(c.flush, CFG_FLUSH_NONE);
	/* auditd: flush = incremental without freq is refused. */
	assert_int_equal(c.freq, 0);
	assert_int_equal(c.name_format, CFG_NAME_NONE);
	assert_string_equal(c.name, "");
	assert_int_equal(c.priority_boost, 4);
	/* auditd's clear_config(); the man page agrees where it says. */
	assert_int_equal(c.num_logs, 0);
	assert_int_equal(c.max_log_file, 0);
	assert_int_equal(c.max_log_file_action, CFG_MAX_IGNORE);
	assert_int_equal(c.space_left.value, 0);
	assert_false(c.space_left.percent);
	assert_int_equal(c.space_left_action.act, CFG_ACT_IGNORE);
	assert_string_equal(c.space_left_action.exe, "");
	assert_int_equal(c.admin_space_left.value, 0);
	assert_false(c.admin_space_left.percent);
	assert_int_equal(c.admin_space_left_action.act, CFG_ACT_IGNORE);
	assert_int_equal(c.disk_full_action.act, CFG_ACT_IGNORE);
	assert_int_equal(c.disk_error_action.act, CFG_ACT_SYSLOG);
	assert_string_equal(c.action_mail_acct, "root");
	assert_true(c.verify_email);
	assert_int_equal(c.tcp_listen_port, 0);
	assert_int_equal(c.tcp_listen_queue, 5);
	assert_int_equal(c.tcp_max_per_addr, 1);
	assert_true(c.use_libwrap);
	assert_int_equal(c.tcp_client_port_lo, 0);
	assert_int_equal(c.tcp_client_port_hi, 65535);
	assert_int_equal(c.tcp_client_max_idle, 0);
	assert_int_equal(c.transport, CFG_TRANSPORT_TCP);
	assert_false(c.enable_krb5);
	assert_string_equal(c.krb5_principal, "auditd");
	assert_string_equal(c.krb5_key_file, "/etc/audit/audit.key");
	assert_false(c.distribute_network);
	assert_int_equal(c.q_depth, 2000);
	assert_int_equal(c.overflow_action, CFG_OVF_SYSLOG);
	assert_int_equal(c.max_restarts, 10);
	assert_string_equal(c.plugin_dir, "/etc/audit/plugins.d");
	assert_int_equal(c.end_of_event_timeout, 2);
	assert_int_equal(c.n_warn, 0);
	assert_int_equal(c.workers, 1);
	assert_int_equal(c.records, 4096);
	assert_int_equal(c.ring_size, 1024);
	assert_int_equal(c.netlink_rcvbuf, 8388608);
	assert_int_equal(c.drain_timeout_ms, 5000);
	assert_int_equal(c.write_batch, 262144);
	assert_int_equal(c.name_cache_entries, 1024);
	assert_int_equal(c.name_cache_refresh, 60);
	assert_int_equal(c.metrics_interval, 10);
	assert_string_equal(c.metrics_file, "");
	assert_int_equal(c.ingest, CFG_INGEST_UNICAST);
	/* Unset: the mode says (test_pid_file_by_mode). */
	assert_string_equal(c.pid_file, "");
	assert_string_equal(cfg_pid_file(&c), "/var/run/auditd.pid");
	assert_string_equal(c.state_file, "/var/run/auditd.state");
	assert_string_equal(c.init_command, "/sbin/init");
	assert_string_equal(c.sendmail, "/usr/lib/sendmail");
}

static void
test_flush_name(void **state)
{
	(void)state;
	assert_string_equal(cfg_flush_name(CFG_FLUSH_NONE), "none");
	assert_string_equal(cfg_flush_name(CFG_FLUSH_INCREMENTAL),
	    "incremental");
	assert_string_equal(cfg_flush_name(CFG_FLUSH_INCREMENTAL_ASYNC),
	    "incremental_async");
	assert_string_equal(cfg_flush_name(CFG_FLUSH_DATA), "data");
	assert_string_equal(cfg_flush_name(CFG_FLUSH_SYNC), "sync");
	assert_string_equal(cfg_action_name(CFG_ACT_IGNORE), "ignore");
	assert_string_equal(cfg_action_name(CFG_ACT_SYSLOG), "syslog");
	assert_string_equal(cfg_action_name(CFG_ACT_ROTATE), "rotate");
	assert_string_equal(cfg_action_name(CFG_ACT_EMAIL), "email");
	assert_string_equal(cfg_action_name(CFG_ACT_EXEC), "exec");
	assert_string_equal(cfg_action_name(CFG_ACT_SUSPEND), "suspend");
	assert_string_equal(cfg_action_name(CFG_ACT_SINGLE), "single");
	assert_string_equal(cfg_action_name(CFG_ACT_HALT), "halt");
	assert_string_equal(cfg_max_action_name(CFG_MAX_IGNORE), "ignore");
	assert_string_equal(cfg_max_action_name(CFG_MAX_SYSLOG), "syslog");
	assert_string_equal(cfg_max_action_name(CFG_MAX_SUSPEND), "suspend");
	assert_string_equal(cfg_max_action_name(CFG_MAX_ROTATE), "rotate");
	assert_string_equal(cfg_max_action_name(CFG_MAX_KEEP_LOGS),
	    "keep_logs");
}

/* Each key the daemon acts on; every verdict is auditd's. */
static const struct kcase auditd_keys[] = {
	OK(P "local_events = yes\n", F_LOCAL_EVENTS, 1),
	OK(P "local_events = No\n", F_LOCAL_EVENTS, 0),
	OK(P "local_events = YES\n", F_LOCAL_EVENTS, 1),
	BAD(P "local_events = true\n", 3, "true"),
	BAD(P "local_events = 1\n", 3, "1"),
	BAD(P "local_events = yes no\n", 3, "no"),

	OK(P "write_logs = no\n", F_WRITE_LOGS, 0),
	OK(P "write_logs = yEs\n", F_WRITE_LOGS, 1),
	BAD(P "write_logs = on\n", 3, "on"),

	OK(P "log_format = raw\n", F_LOG_FORMAT, CFG_LOG_FORMAT_RAW),
	OK(P "log_format = RaW\n", F_LOG_FORMAT, CFG_LOG_FORMAT_RAW),
	OK(P "log_format = ENRICHED\n", F_LOG_FORMAT,
	    CFG_LOG_FORMAT_ENRICHED),
	/* Deprecated, accepted with a warning; turns write_logs off. */
	OK(P "log_format = nolog\n", F_WRITE_LOGS, 0),
	OK(P "log_format = NOLOG\n", F_LOG_FORMAT, CFG_LOG_FORMAT_ENRICHED),
	BAD(P "log_format = json\n", 3, "json"),
	BAD(P "log_format = raw\t\n", 3, "raw\\t"),

	OK(P "log_group = root\n", F_LOG_GROUP, 0),
	OK(P "log_group = 0\n", F_LOG_GROUP, 0),
	OK(P "log_group = 4\n", F_LOG_GROUP, 4),
	OK(P "log_group = 12abc\n", F_LOG_GROUP, 12),
	OK(P "log_group = 4294967296\n", F_LOG_GROUP, 0),
	BAD(P "log_group = nosuchgroup\n", 3, "nosuchgroup"),
	BAD(P "log_group = ROOT\n", 3, "ROOT"),
	BAD(P "log_group = -1\n", 3, "-1"),
	BAD(P "log_group = +4\n", 3, "+4"),
	BAD(P "log_group = 99999999999999999999999\n", 3,
	    "99999999999999999999999"),

	OK(P "flush = none\n", F_FLUSH, CFG_FLUSH_NONE),
	OK(P "flush = NONE\n", F_FLUSH, CFG_FLUSH_NONE),
	OK(P "flush = data\n", F_FLUSH, CFG_FLUSH_DATA),
	OK(P "flush = DATA\n", F_FLUSH, CFG_FLUSH_DATA),
	OK(P "flush = sync\n", F_FLUSH, CFG_FLUSH_SYNC),
	OK(P "freq = 1\nflush = incremental\n", F_FLUSH,
	    CFG_FLUSH_INCREMENTAL),
	OK(P "flush = Incremental_Async\nfreq = 50\n", F_FLUSH,
	    CFG_FLUSH_INCREMENTAL_ASYNC),
	BAD(P "flush = bogus\n", 3, "bogus"),
	BAD(P "flush = syncx\n", 3, "syncx"),
	BAD(P "flush = incremental-async\n", 3, "incremental-async"),
	BAD(P "flush = sync\t\n", 3, "sync\\t"),

	/* freq and priority_boost: digits only, 0..INT_MAX. */
	OK(P "freq = 0\n", F_FREQ, 0),
	OK(P "freq = 05\n", F_FREQ, 5),
	OK(P "freq = 2147483647\n", F_FREQ, 2147483647),
	BAD(P "freq = 2147483648\n", 3, "2147483648"),
	BAD(P "freq = 4294967296\n", 3, "4294967296"),
	BAD(P "freq = 18446744073709551616\n", 3, "18446744073709551616"),
	BAD(P "freq = -1\n", 3, "-1"),
	BAD(P "freq = +5\n", 3, "+5"),
	BAD(P "freq = 1x\n", 3, "1x"),
	BAD(P "freq = 0x10\n", 3, "0x10"),
	BAD(P "freq = 1 2\n", 3, "2"),

	OK(P "priority_boost = 0\n", F_PRIO, 0),
	OK(P "priority_boost = 07\n", F_PRIO, 7),
	OK(P "priority_boost = 2147483647\n", F_PRIO, 2147483647),
	BAD(P "priority_boost = 2147483648\n", 3, "2147483648"),
	BAD(P "priority_boost = 18446744073709551615\n", 3,
	    "18446744073709551615"),
	BAD(P "priority_boost = -1\n", 3, "-1"),
	BAD(P "priority_boost = +5\n", 3, "+5"),
	BAD(P "priority_boost = 4x\n", 3, "4x"),

	OK(P "name_format = none\n", F_NAME_FORMAT, CFG_NAME_NONE),
	OK(P "name_format = hostname\n", F_NAME_FORMAT, CFG_NAME_HOSTNAME),
	OK(P "name_format = FQD\n", F_NAME_FORMAT, CFG_NAME_FQD),
	OK(P "name_format = Numeric\n", F_NAME_FORMAT, CFG_NAME_NUMERIC),
	OK(P "name_format = USER\n", F_NAME_FORMAT, CFG_NAME_USER),
	BAD(P "name_format = fqdn\n", 3, "fqdn"),

	/* name: anything that is one token. */
	OKS(P "name = hello=world\n", F_NAME, "hello=world"),
	OKS(P "name = #x\n", F_NAME, "#x"),
	OKS(P "name = \"q\"\n", F_NAME, "\"q\""),
	OKS(P "name = caf\xc3\xa9\n", F_NAME, "caf\xc3\xa9"),
	BAD(P "name = a b\n", 3, "b"),

	/* log_file: its folder needs 4 characters and must open; an existing
	 * log must be a regular file; a missing one is fine. */
	OKS(P "log_file = @D/audit.log\n", F_LOG_FILE, "@D/audit.log"),
	BAD(P "log_file = audit.log\n", 3, "audit.log"),
	BAD(P "log_file = /a/x.log\n", 3, "/a/x.log"),
	BAD(P "log_file = /x.log\n", 3, "/x.log"),
	BAD(P "log_file = /../ra-test-x.log\n", 3, "/../ra-test-x.log"),
	OKS(P "log_file = /tmp/ra-test-x.log\n", F_LOG_FILE,
	    "/tmp/ra-test-x.log"),
	BAD(P "log_file = @D/nodir/x.log\n", 3, "@D/nodir/x.log"),
	BAD(P "log_file = @D\n", 3, "@D"),
	BAD(P "log_file = @D/\n", 3, "@D/"),
};

static void
test_auditd_keys(void **state)
{
	(void)state;
	run(auditd_keys, sizeof(auditd_keys) / sizeof(auditd_keys[0]), true);
}

/* Line syntax; every verdict is auditd's. */
static const struct kcase syntax[] = {
	BAD(P "flush=sync\n", 3, "flush=sync"),
	BAD(P "flush= sync\n", 3, "flush= sync"),
	BAD(P "flush =sync\n", 3, "flush =sync"),
	BAD(P "flush\t=\tsync\n", 3, "flush\\t=\\tsync"),
	BAD(P "flush\n", 3, "flush"),
	BAD(P "flush =\n", 3, "flush ="),
	BAD(P "flush = \n", 3, "flush = "),
	BAD(P "flush = sync extra\n", 3, "extra"),
	BAD(P "flush = sync # comment\n", 3, "#"),
	BAD(P "flush = = sync\n", 3, "sync"),
	OK(P "   flush = sync\n", F_FLUSH, CFG_FLUSH_SYNC),
	OK(P "flush   =   sync\n", F_FLUSH, CFG_FLUSH_SYNC),
	BAD(P "\tflush = sync\n", 3, "\\tflush"),
	OK(P "flush = sync   \n", F_FLUSH, CFG_FLUSH_SYNC),
	BAD(P "flush = sync\t\n", 3, "sync\\t"),
	BAD(P "flush = sync\r\n", 3, "sync\\r"),
	OK(P "# comment\n   # indented\n#flush=bogus\n\n   \nflush = data\n",
	    F_FLUSH, CFG_FLUSH_DATA),
	OK("\n# c\n" P "\n\nflush = data\n", F_FLUSH, CFG_FLUSH_DATA),
	BAD(P "\t\n", 3, "\\t"),
	OK(P "FLUSH = Sync\n", F_FLUSH, CFG_FLUSH_SYNC),
	BAD(P "frobnicate = 1\n", 3, "frobnicate"),
	BAD(P "frobnicate = 1 2\n", 3, "frobnicate"),
	BAD(P "\nfrobnicate\n", 4, "frobnicate"),
	BAD(P "#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\nx = 1\n",
	    21, "x"),
	OK(P "flush = sync\nflush = data\n", F_FLUSH, CFG_FLUSH_DATA),
	BAD(P "flush = sync\nflush = bogus\n", 4, "bogus"),
	/* The last line without a newline is skipped. */
	OK(P "flush = bogus", F_FLUSH, CFG_FLUSH_NONE),
	OK(P "flush = data\n# no newline", F_FLUSH, CFG_FLUSH_DATA),
	/* The end checks run only after a complete line. */
	OK("", F_FLUSH, CFG_FLUSH_NONE),
	OK("flush = incremental", F_FLUSH, CFG_FLUSH_NONE),
};

static void
test_syntax(void **state)
{
	(void)state;
	run(syntax, sizeof(syntax) / sizeof(syntax[0]), true);
}

/* auditd: lines of 159 characters or more are skipped, 158 are read. */
static void
test_long_lines(void **state)
{
	static struct cfg c;
	char text[1024], x[400], err[512];
	const char *path;

	(void)state;
	memset(x, 'x', sizeof(x));
	x[151] = '\0';
	snprintf(text, sizeof(text), P "name = %s\n", x);	/* 158 */
	path = put("auditd.conf", text, 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_string_equal(c.name, x);
	assert_int_equal(c.n_warn, 0);

	x[151] = 'x';
	x[152] = '\0';
	snprintf(text, sizeof(text), P "name = %s\nflush = data\n", x);
	path = put("auditd.conf", text, 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_string_equal(c.name, "");
	assert_int_equal(c.flush, CFG_FLUSH_DATA);
	assert_true(warned(&c, ":3: line longer than 158"));

	/* A skipped line is skipped whatever it holds; lines still count. */
	x[300] = '\0';
	snprintf(text, sizeof(text), P "flush = %s\nflush = bogus\n", x);
	path = put("auditd.conf", text, 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EINVAL);
	assert_err(err, path, 4, "bogus");
}

/* Writes tmp/auditd.conf with len bytes of text (NULs too), mode 0600. */
static const char *
put_bytes(const char *text, size_t len)
{
	static char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/auditd.conf", tmp);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/*
 * auditd's fgets() sees a line holding a NUL as one without '\n': it
 * skips it up to the next '\n' it reads, the end of the following line,
 * which vanishes unread and uncounted.
 */
static void
test_nul_line_hides_the_next_line(void **state)
{
	static const char t1[] = P "flush = d\0ata\nbogus = 1\nflush = sync\n";
	static const char t2[] = P "x\0\nzz\nbogus = 1\n";
	static const char t3[] = "flush = sync\0\n";
	static struct cfg c;
	char err[512];
	const char *path;

	(void)state;
	path = put_bytes(t1, sizeof(t1) - 1);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_int_equal(c.flush, CFG_FLUSH_SYNC);
	assert_true(warned(&c, ":3: line longer than 158"));

	/* The vanished line is not counted: the error is on "line 4". */
	path = put_bytes(t2, sizeof(t2) - 1);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EINVAL);
	assert_err(err, path, 4, "bogus");

	/* No line was read whole: no end checks (space_left 0 passes). */
	path = put_bytes(t3, sizeof(t3) - 1);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_int_equal(c.flush, CFG_FLUSH_NONE);
}

/* The checks auditd makes at the end of the file. */
static const struct kcase end_checks[] = {
	/* auditd: space_left must be above admin_space_left, both 0 unset,
	 * unless either is a percentage. */
	BAD("flush = sync\n", 0, ""),
	BAD("# only a comment\n", 0, ""),
	BAD("space_left = 5\nadmin_space_left = 5\n", 2, "5"),
	BAD("admin_space_left = 0\nspace_left = 0\n", 2, "0"),
	OK("admin_space_left = 0\nspace_left = 1\n", F_NONE, 0),
	OK("space_left = 5%\nadmin_space_left = 25%\n", F_NONE, 0),
	OK("space_left = 50\nadmin_space_left = 5%\n", F_NONE, 0),
	OK("space_left = 0\nadmin_space_left = 5%\n", F_NONE, 0),
	OK("space_left = 5%\nadmin_space_left = 5\n", F_NONE, 0),
	OK("space_left = 5%\nadmin_space_left = 50%\n", F_NONE, 0),
	OK("space_left = 1%\nadmin_space_left = 0\n", F_NONE, 0),
	OK("space_left = 5\nadmin_space_left = 5%%\n", F_NONE, 0),
	/* auditd: 0% (and "%") is 0 MiB, and checked as such. */
	OK("space_left = 5\nadmin_space_left = 0%\n", F_NONE, 0),
	BAD("space_left = 0%\nadmin_space_left = 5\n", 2, "0"),
	BAD("space_left = %\nadmin_space_left = 5\n", 2, "5"),
	BAD("admin_space_left = 5\n#\n#\nspace_left = 0%\n#\n", 4, "0"),
	/* auditd: incremental flushing needs a non-zero freq. */
	BAD(P "flush = incremental\n", 3, "incremental"),
	BAD(P "flush = incremental_async\nfreq = 0\n", 3,
	    "incremental_async"),
	BAD(P "freq = 0\nflush = INCREMENTAL_ASYNC\n", 4,
	    "incremental_async"),
	OK(P "freq = 0\n", F_FREQ, 0),
	OK(P "freq = 50\n", F_FREQ, 50),
	OK(P "flush = none\nfreq = 50\n", F_FREQ, 50),
	OK(P "flush = data\nfreq = 50\n", F_FREQ, 50),
	/* auditd: no log_group for a log directly in /var/log (compared as
	 * a string: /var//log passes). */
	BAD(P "log_file = /var/log/ra-test-x.log\nlog_group = 4\n", 4,
	    "/var/log/ra-test-x.log"),
	BAD(P "log_group = 4\nlog_file = /var/log/ra-test-x.log\n", 4,
	    "/var/log/ra-test-x.log"),
	OK(P "log_file = /var/log/ra-test-x.log\nlog_group = 0\n",
	    F_LOG_GROUP, 0),
	OK(P "log_file = /var//log/ra-test-x.log\nlog_group = 4\n",
	    F_LOG_GROUP, 4),
	OK(P "log_file = @D/x.log\nlog_group = 4\n", F_LOG_GROUP, 4),
};

static void
test_end_checks(void **state)
{
	static struct cfg c;
	char err[512];
	const char *path;

	(void)state;
	run(end_checks, sizeof(end_checks) / sizeof(end_checks[0]), true);

	path = put("auditd.conf", "flush = sync\n", 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "space_left (0)"));

	/* auditd: accepted, with a warning. */
	path = put("auditd.conf", P "flush = sync\nfreq = 50\n", 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_true(warned(&c, ":4: freq: 50 has no effect"));
}

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

/* auditd: owner root, not world writable, a regular file, no symlink
 * without -l; a missing file means the defaults. */
static void
test_file_rules(void **state)
{
	static struct cfg c, d;
	char err[512], path[PATH_MAX], link[PATH_MAX];
	const char *p;

	(void)state;
	p = put("auditd.conf", P "flush = data\n", 0666);
	snprintf(path, sizeof(path), "%s", p);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EPERM);
	assert_err(err, path, 0, NULL);
	assert_non_null(strstr(err, "world writable"));
	assert_int_equal(c.flush, CFG_FLUSH_NONE);

	assert_int_equal(chmod(path, 0602), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EPERM);
	assert_non_null(strstr(err, "world writable"));
	assert_int_equal(chmod(path, 01646), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EPERM);

	/* auditd accepts a group-writable file (0620, 0660, any group):
	 * here too, with a warning. */
	assert_int_equal(chmod(path, 0660), 0);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_int_equal(c.flush, CFG_FLUSH_DATA);
	assert_true(warned(&c, "group writable"));
	assert_int_equal(chmod(path, 0644), 0);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);
	assert_int_equal(c.n_warn, 0);
	assert_int_equal(chmod(path, 0000), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);

	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(chown(path, 65534, 0), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EPERM);
	assert_err(err, path, 0, NULL);
	assert_non_null(strstr(err, "not root"));
	assert_int_equal(chown(path, 0, 65534), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    0);

	/* A symlink: refused without allow_symlinks (auditd's -l). */
	snprintf(link, sizeof(link), "%s/link.conf", tmp);
	assert_int_equal(symlink(path, link), 0);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_auditd(&c, link, false, err, sizeof(err)),
	    -ELOOP);
	assert_err(err, link, 0, NULL);
	assert_int_equal(cfg_load_auditd(&c, link, true, err, sizeof(err)),
	    0);
	assert_int_equal(c.flush, CFG_FLUSH_DATA);
	unlink(link);
	/* A dangling one: refused, or with -l a missing file. */
	assert_int_equal(symlink("nowhere", link), 0);
	assert_int_equal(cfg_load_auditd(&c, link, false, err, sizeof(err)),
	    -ELOOP);
	assert_int_equal(cfg_load_auditd(&c, link, true, err, sizeof(err)),
	    0);
	unlink(link);

	/* Not a regular file. */
	snprintf(link, sizeof(link), "%s/dir.conf", tmp);
	assert_int_equal(mkdir(link, 0700), 0);
	assert_int_equal(cfg_load_auditd(&c, link, false, err, sizeof(err)),
	    -EPERM);
	assert_err(err, link, 0, NULL);
	rmdir(link);
	/* A FIFO (auditd hangs on it; refused here without blocking). */
	assert_int_equal(mkfifo(link, 0600), 0);
	assert_int_equal(cfg_load_auditd(&c, link, false, err, sizeof(err)),
	    -EPERM);
	unlink(link);

	/* Missing: the defaults, with a warning. */
	snprintf(link, sizeof(link), "%s/missing.conf", tmp);
	cfg_defaults(&c);
	cfg_defaults(&d);
	assert_int_equal(cfg_load_auditd(&c, link, false, err, sizeof(err)),
	    0);
	assert_true(warned(&c, "does not exist"));
	c.n_warn = 0;
	memset(c.warn, 0, sizeof(c.warn));
	assert_memory_equal(&c, &d, sizeof(c));
	unlink(path);
}

/* auditd: an existing log must be a regular file owned by root; a loose
 * mode only warns. */
static void
test_log_file_rules(void **state)
{
	static struct cfg c;
	char err[512], log[PATH_MAX], text[PATH_MAX + 64], path[PATH_MAX];
	static const mode_t quiet[] = { 0600, 0640, 0200 };
	static const mode_t loud[] = { 0644, 0660, 0666, 0700, 0400, 0000 };
	size_t i;
	int fd;

	(void)state;
	snprintf(log, sizeof(log), "%s/audit.log", tmp);
	snprintf(text, sizeof(text), P "log_file = %s\n", log);
	snprintf(path, sizeof(path), "%s", put("auditd.conf", text, 0600));
	fd = open(log, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		assert_int_equal(chmod(log, quiet[i]), 0);
		cfg_defaults(&c);
		assert_int_equal(cfg_load_auditd(&c, path, false, err,
		    sizeof(err)), 0);
		assert_string_equal(c.log_file, log);
		assert_int_equal(c.n_warn, 0);
	}
	for (i = 0; i < sizeof(loud) / sizeof(loud[0]); i++) {
		assert_int_equal(chmod(log, loud[i]), 0);
		cfg_defaults(&c);
		assert_int_equal(cfg_load_auditd(&c, path, false, err,
		    sizeof(err)), 0);
		assert_true(warned(&c, ":3: log_file:"));
	}
	assert_int_equal(chmod(log, 0600), 0);
	assert_int_equal(chown(log, 65534, 0), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EINVAL);
	assert_err(err, path, 3, log);
	unlink(log);
	assert_int_equal(mkfifo(log, 0600), 0);
	assert_int_equal(cfg_load_auditd(&c, path, false, err, sizeof(err)),
	    -EINVAL);
	assert_err(err, path, 3, log);
	unlink(log);
}

/* Debian's /etc/audit/auditd.conf loads, with the values it gives. */
static void
test_debian_stock(void **state)
{
	static struct cfg c;
	static const char stock[] = "/etc/audit/auditd.conf";
	char dir[128], path[PATH_MAX], err[512], line[512];
	char got[PATH_MAX + 16], want[PATH_MAX];
	char *tok[3], *save;
	struct group *gr;
	unsigned checked = 0;
	FILE *in, *out;

	(void)state;
	if ((in = fopen(stock, "r")) == NULL)
		skip();
	snprintf(dir, sizeof(dir), "%s/stock", tmp);
	assert_int_equal(mkdir(dir, 0750), 0);
	snprintf(path, sizeof(path), "%s/auditd.conf", dir);
	out = fopen(path, "w");
	assert_non_null(out);
	while (fgets(line, sizeof(line), in) != NULL)
		fputs(line, out);
	fclose(out);
	assert_int_equal(chmod(path, 0640), 0);

	cfg_defaults(&c);
	if (cfg_load(&c, dir, false, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.n_warn, 0);

	/* Each "key = value" line, read back from the loaded config. */
	rewind(in);
	while (fgets(line, sizeof(line), in) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		tok[0] = strtok_r(line, " ", &save);
		if (tok[0] == NULL || tok[0][0] == '#')
			continue;
		tok[1] = strtok_r(NULL, " ", &save);
		tok[2] = strtok_r(NULL, " ", &save);
		assert_non_null(tok[2]);
		checked++;
		render(&c, tok[0], got, sizeof(got));
		if (strcmp(tok[0], "log_group") == 0) {
			gr = getgrnam(tok[2]);
			assert_non_null(gr);
			assert_int_equal(c.log_group, gr->gr_gid);
		} else if (strcmp(tok[0], "plugin_dir") == 0) {
			snprintf(want, sizeof(want), "%s/", tok[2]);
			assert_string_equal(got, want);
		} else if (strcasecmp(got, tok[2]) != 0)
			fail_msg("%s = %s reads \"%s\"", tok[0], tok[2], got);
	}
	fclose(in);
	assert_true(checked > 30);

	/* What Debian 3.0.9 ships, for the record. */
	if (c.freq == 50 && c.flush == CFG_FLUSH_INCREMENTAL_ASYNC) {
		assert_string_equal(c.log_file, "/var/log/audit/audit.log");
		assert_int_equal(c.log_format, CFG_LOG_FORMAT_ENRICHED);
		assert_int_equal(c.priority_boost, 4);
		assert_int_equal(c.max_log_file, 8);
		assert_int_equal(c.num_logs, 5);
		assert_int_equal(c.max_log_file_action, CFG_MAX_ROTATE);
		assert_int_equal(c.space_left.value, 75);
		assert_int_equal(c.admin_space_left.value, 50);
		assert_int_equal(c.admin_space_left_action.act,
		    CFG_ACT_SUSPEND);
		assert_int_equal(c.end_of_event_timeout, 2);
	}
	unlink(path);
	rmdir(dir);
}

/* Each ringauditd.conf key at its limits, and past them. */
static const struct kcase ringauditd_keys[] = {
	OK("workers = 1\n", F_WORKERS, 1),
	OK("workers = 64\n", F_WORKERS, 64),
	BAD("workers = 0\n", 1, "0"),
	BAD("workers = 65\n", 1, "65"),
	BAD("workers = -1\n", 1, "-1"),
	BAD("workers = two\n", 1, "two"),
	OK("records = 64\n", F_RECORDS, 64),
	OK("records = 1048576\n", F_RECORDS, 1048576),
	BAD("records = 63\n", 1, "63"),
	BAD("records = 1048577\n", 1, "1048577"),
	OK("ring_size = 16\n", F_RING_SIZE, 16),
	OK("ring_size = 1048576\n", F_RING_SIZE, 1048576),
	OK("ring_size = 1000\n", F_RING_SIZE, 1000),
	BAD("ring_size = 15\n", 1, "15"),
	BAD("ring_size = 1048577\n", 1, "1048577"),
	OK("netlink_rcvbuf = 65536\n", F_RCVBUF, 65536),
	OK("netlink_rcvbuf = 1073741824\n", F_RCVBUF, 1073741824),
	BAD("netlink_rcvbuf = 65535\n", 1, "65535"),
	BAD("netlink_rcvbuf = 1073741825\n", 1, "1073741825"),
	BAD("netlink_rcvbuf = 99999999999999999999999\n", 1,
	    "99999999999999999999999"),
	OK("drain_timeout_ms = 0\n", F_DRAIN, 0),
	OK("drain_timeout_ms = 600000\n", F_DRAIN, 600000),
	BAD("drain_timeout_ms = 600001\n", 1, "600001"),
	OK("write_batch = 4096\n", F_BATCH, 4096),
	OK("write_batch = 67108864\n", F_BATCH, 67108864),
	BAD("write_batch = 4095\n", 1, "4095"),
	OK("name_cache_entries = 16\n", F_NAMES, 16),
	OK("name_cache_entries = 1048576\n", F_NAMES, 1048576),
	BAD("name_cache_entries = 15\n", 1, "15"),
	OK("name_cache_refresh = 0\n", F_NAMES_REFRESH, 0),
	OK("name_cache_refresh = 86400\n", F_NAMES_REFRESH, 86400),
	BAD("name_cache_refresh = 86401\n", 1, "86401"),
	BAD("name_cache_refresh = soon\n", 1, "soon"),
	OK("metrics_interval = 1\n", F_METRICS_INTERVAL, 1),
	OK("metrics_interval = 3600\n", F_METRICS_INTERVAL, 3600),
	BAD("metrics_interval = 0\n", 1, "0"),
	BAD("metrics_interval = 3601\n", 1, "3601"),
	BAD("write_batch = 67108865\n", 1, "67108865"),
	BAD("write_batch = 1m\n", 1, "1m"),
	/* The same syntax as auditd.conf. */
	OK("# c\n\n  WORKERS = 4   \n", F_WORKERS, 4),
	BAD("workers=4\n", 1, "workers=4"),
	BAD("workers = 4 5\n", 1, "5"),
	BAD("\nflush = sync\n", 2, "flush"),
	OK("workers = 2\nworkers = 3\n", F_WORKERS, 3),
	/* Stricter than auditd: a last line without a newline is read. */
	OK("records = 128", F_RECORDS, 128),
	/* Paths: absolute, one token, case kept. */
	OKS("pid_file = /run/ra.pid\n", F_PID_FILE, "/run/ra.pid"),
	OKS("PID_FILE = /Run/RA.pid\n", F_PID_FILE, "/Run/RA.pid"),
	OKS("pid_file = /\n", F_PID_FILE, "/"),
	BAD("pid_file = run/ra.pid\n", 1, "run/ra.pid"),
	BAD("pid_file = ./ra.pid\n", 1, "./ra.pid"),
	BAD("pid_file = /a b\n", 1, "b"),
	OKS("state_file = @D/state\n", F_STATE_FILE, "@D/state"),
	BAD("state_file = state\n", 1, "state"),
	OKS("init_command = @D/x0755\n", F_INIT, "@D/x0755"),
	BAD("init_command = init\n", 1, "init"),
	BAD("init_command = ~/init\n", 1, "~/init"),
	OKS("sendmail = /usr/sbin/sendmail\n", F_SENDMAIL,
	    "/usr/sbin/sendmail"),
	BAD("sendmail = sendmail\n", 1, "sendmail"),
	BAD("sendmail = /usr/sbin/sendmail -t\n", 1, "-t"),
	OKS("sendmail = /a\nsendmail = /b\n", F_SENDMAIL, "/b"),
	BAD("workers = 2\nsendmail = x\n", 2, "x"),
	/* ingest: a choice, case-insensitive, last one wins. */
	OK("ingest = unicast\n", F_INGEST, CFG_INGEST_UNICAST),
	OK("ingest = multicast\n", F_INGEST, CFG_INGEST_MULTICAST),
	OK("INGEST = MultiCast\n", F_INGEST, CFG_INGEST_MULTICAST),
	OK("ingest = multicast\ningest = unicast\n", F_INGEST,
	    CFG_INGEST_UNICAST),
	BAD("ingest = broadcast\n", 1, "broadcast"),
	BAD("ingest = 1\n", 1, "1"),
	BAD("ingest = \n", 1, NULL),
	BAD("ingest = multicast unicast\n", 1, "unicast"),
	BAD("workers = 2\ningest = multicast\t\n", 2, "multicast\\t"),
};

static void
test_ringauditd_keys(void **state)
{
	static struct cfg c;
	char text[512], err[512];
	const char *path;

	(void)state;
	run(ringauditd_keys,
	    sizeof(ringauditd_keys) / sizeof(ringauditd_keys[0]), false);

	/* Stricter than auditd: an over-long line is an error. */
	memset(text, ' ', sizeof(text));
	memcpy(text + 300, "workers = 2\n", 13);
	path = put("ringauditd.conf", text, 0600);
	cfg_defaults(&c);
	assert_int_equal(cfg_load_ringauditd(&c, path, err, sizeof(err)),
	    -EINVAL);
	assert_err(err, path, 1, NULL);

	path = put("ringauditd.conf", "workers = 2\n", 0666);
	assert_int_equal(cfg_load_ringauditd(&c, path, err, sizeof(err)),
	    -EPERM);
	assert_err(err, path, 0, NULL);
	unlink(path);
	assert_int_equal(cfg_load_ringauditd(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.n_warn, 0);
}

/*
 * The pid file: auditd's by default for the registered daemon; none by
 * default for a multicast listener (auditd.pid is the registered daemon's
 * there); whatever pid_file names, in either mode.
 */
static void
test_pid_file_by_mode(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} t[] = {
		{ "", "/var/run/auditd.pid" },
		{ "ingest = unicast\n", "/var/run/auditd.pid" },
		{ "ingest = multicast\n", "" },
		{ "ingest = multicast\npid_file = /run/ra-mc.pid\n",
		    "/run/ra-mc.pid" },
		{ "pid_file = /run/ra-mc.pid\ningest = multicast\n",
		    "/run/ra-mc.pid" },
		{ "ingest = multicast\npid_file = /var/run/auditd.pid\n",
		    "/var/run/auditd.pid" },
		{ "ingest = unicast\npid_file = /run/ra.pid\n", "/run/ra.pid" },
	};
	static struct cfg c;
	char err[512];
	const char *path;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		path = put("ringauditd.conf", t[i].text, 0600);
		cfg_defaults(&c);
		if (cfg_load_ringauditd(&c, path, err, sizeof(err)) != 0)
			fail_msg("case %zu: %s", i, err);
		if (strcmp(cfg_pid_file(&c), t[i].want) != 0)
			fail_msg("case %zu \"%s\": pid file \"%s\", want "
			    "\"%s\"", i, t[i].text, cfg_pid_file(&c),
			    t[i].want);
	}
	unlink(path);
}

/* cfg_load: both files from one folder; a refused file changes nothing. */
static void
test_load_dir(void **state)
{
	static struct cfg c, d;
	char err[512], apath[PATH_MAX], rpath[PATH_MAX];

	(void)state;
	snprintf(apath, sizeof(apath), "%s",
	    put("auditd.conf", P "flush = sync\n", 0600));
	snprintf(rpath, sizeof(rpath), "%s",
	    put("ringauditd.conf", "workers = 3\nrecords = 8192\n", 0640));
	cfg_defaults(&c);
	assert_int_equal(cfg_load(&c, tmp, false, err, sizeof(err)), 0);
	assert_int_equal(c.flush, CFG_FLUSH_SYNC);
	assert_int_equal(c.workers, 3);
	assert_int_equal(c.records, 8192);
	assert_int_equal(c.ring_size, 1024);

	/* A bad ringauditd.conf: named in the error, nothing applied. */
	put("ringauditd.conf", "workers = 3\nring_size = 8\n", 0600);
	cfg_defaults(&c);
	cfg_defaults(&d);
	assert_int_equal(cfg_load(&c, tmp, false, err, sizeof(err)), -EINVAL);
	assert_err(err, rpath, 2, "8");
	assert_memory_equal(&c, &d, sizeof(c));

	/* A bad auditd.conf: same. */
	put("ringauditd.conf", "workers = 3\n", 0600);
	put("auditd.conf", P "flush = sync\nfreq = x\n", 0600);
	assert_int_equal(cfg_load(&c, tmp, false, err, sizeof(err)), -EINVAL);
	assert_err(err, apath, 4, "x");
	assert_memory_equal(&c, &d, sizeof(c));

	/* No ringauditd.conf is fine; no auditd.conf is the defaults. */
	unlink(rpath);
	unlink(apath);
	assert_int_equal(cfg_load(&c, tmp, false, err, sizeof(err)), 0);
	assert_int_equal(c.n_warn, 1);
	assert_true(warned(&c, "auditd.conf: does not exist"));
}

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return remove(path);
}

static int
setup(void **state)
{
	static const mode_t modes[] = {
		0755, 0750, 0555, 04755, 0550, 0700, 0775, 0644,
	};
	char path[PATH_MAX], link[PATH_MAX];
	size_t i;
	int fd;

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/ra-test-config-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return -1;
	/* Programs for exec: x<mode>, root's; xnobody, 0755 but uid 65534;
	 * xlink, a symlink to x0755. */
	for (i = 0; i <= sizeof(modes) / sizeof(modes[0]); i++) {
		if (i < sizeof(modes) / sizeof(modes[0]))
			snprintf(path, sizeof(path), "%s/x%04o", tmp,
			    (unsigned)modes[i]);
		else
			snprintf(path, sizeof(path), "%s/xnobody", tmp);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, "#!/bin/sh\n", 10) != 10 ||
		    fchmod(fd, i < sizeof(modes) / sizeof(modes[0]) ?
		    modes[i] : 0755) < 0 ||
		    (i == sizeof(modes) / sizeof(modes[0]) &&
		    fchown(fd, 65534, 0) < 0))
			return -1;
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/x0755", tmp);
	snprintf(link, sizeof(link), "%s/xlink", tmp);
	return symlink(path, link);
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flush_name),
		cmocka_unit_test(test_auditd_keys),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_nul_line_hides_the_next_line),
		cmocka_unit_test(test_end_checks),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_exec_modes),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_value_warnings),
		cmocka_unit_test(test_file_rules),
		cmocka_unit_test(test_log_file_rules),
		cmocka_unit_test(test_debian_stock),
		cmocka_unit_test(test_ringauditd_keys),
		cmocka_unit_test(test_pid_file_by_mode),
		cmocka_unit_test(test_load_dir),
	};

	if (geteuid() != 0) {
		printf("skip: config files must be owned by root; run as "
		    "root\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
