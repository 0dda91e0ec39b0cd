/*
 * cfg_test.c - what the configuration tests share (cfg_test.h): a
 * temporary folder with programs of every mode for exec actions, files
 * written into it with exact modes, a table of every auditd.conf key and
 * how a loaded configuration renders it, and the runner of a table of
 * whole files with their verdicts.
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

char tmp[64];



unsigned long
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
	case F_GATHER: return c->gather_ms;
	case F_SCHED: return c->scheduler;
	case F_INLINE: return c->inline_work;
	case F_NAMES: return c->name_cache_entries;
	case F_NAMES_REFRESH: return c->name_cache_refresh;
	case F_METRICS_INTERVAL: return c->metrics_interval;
	case F_INGEST: return c->ingest;
	case F_REMOTE_ACK: return c->remote_ack;
	case F_TCP_CLIENTS: return c->tcp_max_clients;
	case F_TCP_MESSAGES: return c->tcp_messages;
	case F_TCP_CLIENT_MESSAGES: return c->tcp_client_messages;
	case F_NONE: case F_LOG_FILE: case F_NAME: case F_PID_FILE:
	case F_STATE_FILE: case F_INIT: case F_SENDMAIL:
	case F_CONTROL_SOCKET: break;
	}
	fail_msg("field %d is not a number", (int)f);
	return 0;
}

const char *
sfield(const struct cfg *c, enum field f)
{
	switch (f) {
	case F_LOG_FILE: return c->log_file;
	case F_PID_FILE: return c->pid_file;
	case F_STATE_FILE: return c->state_file;
	case F_INIT: return c->init_command;
	case F_SENDMAIL: return c->sendmail;
	case F_CONTROL_SOCKET: return c->control_socket;
	default: return c->name;
	}
}

/* s with every "@D" replaced by the temporary folder. */
void
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
const char *
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
void
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

bool
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

const char *
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

void
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

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return remove(path);
}

static int
cfg_test_setup(void **state)
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
cfg_test_teardown(void **state)
{
	(void)state;
	return nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
cfg_test_main(const char *name, const struct CMUnitTest *tests, size_t n)
{
	if (geteuid() != 0) {
		printf("skip: config files must be owned by root; run as "
		    "root\n");
		return 77;
	}
	return _cmocka_run_group_tests(name, tests, n, cfg_test_setup,
	    cfg_test_teardown);
}
