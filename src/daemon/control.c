/*
 * control.c - the control thread's work: signals and the writer's events.
 *
 * Signals arrive through main's signalfd.  For HUP, USR1, USR2 and TERM
 * the daemon asks the kernel who sent them (AUDIT_SIGNAL_INFO) and writes
 * the DAEMON_* record auditd writes, with that sender.  In multicast mode
 * it does not ask: the kernel notes senders only for the registered daemon
 * (another process), so the signal's own pid and uid name the sender.
 * The record carries the writer's instruction in band (RING_CMD_*), so
 * DAEMON_ROTATE opens the new log, DAEMON_RESUME is the first record
 * written after a suspension, and DAEMON_CONFIG is where the new settings
 * start.
 *
 * The writer posts conditions (space left, disk full, ...) once each; here
 * they become auditd's actions: the message auditd logs, and the program
 * an action runs (exec, email, single, halt).  The writer has already done
 * its own part (suspend, rotate) from the same configuration.  Every line
 * auditd 3.0.9 logs for these events is logged here in its words and at
 * its priority (README, "Syslog: auditd's lines"), where an admin's rules
 * look for them; where auditd says nothing (SIGUSR1) only debug does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/daemon.h"

#define MIB (1024ull * 1024ull)

static enum wr_act
own_part(enum cfg_action a)
{
	switch (a) {
	case CFG_ACT_SUSPEND:
	case CFG_ACT_EXEC:
		/* auditd suspends for exec too: "The script is also
		 * responsible for telling the auditd daemon to resume". */
		return WR_ACT_SUSPEND;
	case CFG_ACT_ROTATE:
		return WR_ACT_ROTATE;
	case CFG_ACT_IGNORE:
	case CFG_ACT_SYSLOG:
	case CFG_ACT_EMAIL:
	case CFG_ACT_SINGLE:
	case CFG_ACT_HALT:
		break;
	}
	return WR_ACT_NONE;
}

static enum wr_flush
map_flush(enum cfg_flush f)
{
	switch (f) {
	case CFG_FLUSH_NONE:
		return WR_FLUSH_NONE;
	case CFG_FLUSH_INCREMENTAL:
		return WR_FLUSH_INCREMENTAL;
	case CFG_FLUSH_INCREMENTAL_ASYNC:
		return WR_FLUSH_INCREMENTAL_ASYNC;
	case CFG_FLUSH_DATA:
		return WR_FLUSH_DATA;
	case CFG_FLUSH_SYNC:
		return WR_FLUSH_SYNC;
	}
	return WR_FLUSH_NONE;
}

void
dmn_wr_params(const struct cfg *c, struct wr_params *wp)
{
	memset(wp, 0, sizeof(*wp));
	snprintf(wp->log_file, sizeof(wp->log_file), "%s", c->log_file);
	wp->log_group = c->log_group;
	wp->flush = map_flush(c->flush);
	wp->freq = (unsigned)c->freq;
	wp->num_logs = (unsigned)c->num_logs;
	switch (c->max_log_file_action) {
	case CFG_MAX_SUSPEND:
		wp->max_log_act = WR_ACT_SUSPEND;
		break;
	case CFG_MAX_ROTATE:
		wp->max_log_act = WR_ACT_ROTATE;
		break;
	case CFG_MAX_KEEP_LOGS:
		wp->max_log_act = WR_ACT_KEEP_LOGS;
		break;
	case CFG_MAX_IGNORE:
	case CFG_MAX_SYSLOG:
		break;
	}
	/* ignore means no check at all, as in auditd. */
	if (c->max_log_file_action != CFG_MAX_IGNORE)
		wp->max_log_bytes = (uint64_t)c->max_log_file * MIB;
	wp->space_left.value = c->space_left.value;
	wp->space_left.percent = c->space_left.percent;
	wp->space_left.act = own_part(c->space_left_action.act);
	wp->admin_space_left.value = c->admin_space_left.value;
	wp->admin_space_left.percent = c->admin_space_left.percent;
	wp->admin_space_left.act = own_part(c->admin_space_left_action.act);
	wp->disk_full_act = own_part(c->disk_full_action.act);
	wp->disk_error_act = own_part(c->disk_error_action.act);
	wp->disk_full_once = c->disk_full_action.act == CFG_ACT_SINGLE ||
	    c->disk_full_action.act == CFG_ACT_HALT;
}

/*
 * Who asks for each record on disk before the next (data, sync) asks for
 * it as soon as may be: no gathering then.
 */
unsigned
dmn_gather_ms(const struct cfg *c)
{
	return c->flush == CFG_FLUSH_DATA || c->flush == CFG_FLUSH_SYNC ? 0 :
	    c->gather_ms;
}

/*
 * name_format's node name, as auditd 3.0.9's resolve_node() makes it and
 * with its messages: hostname with spaces made '_', fqd the canonical
 * name, numeric the first address getaddrinfo gives (inet_ntop), both
 * looked up with AI_ADDRCONFIG; user wants a name.  auditd exits 1 when
 * this fails at start.
 */
static int
resolve_node(const struct cfg *c, char *buf, size_t len, const char **node)
{
	struct addrinfo hints, *ai = NULL;
	char host[256], *p;
	const void *addr;
	int rc;

	*node = NULL;
	if (c->name_format == CFG_NAME_NONE)
		return 0;
	if (c->name_format == CFG_NAME_USER) {
		if (c->name[0] == '\0') {
			log_warnx("User defined name missing");
			return -EINVAL;
		}
		snprintf(buf, len, "%s", c->name);
		*node = buf;
		return 0;
	}
	if (gethostname(host, sizeof(host)) < 0) {
		rc = -errno;
		log_warnx("Unable to get machine name");
		return rc;
	}
	host[sizeof(host) - 1] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	switch (c->name_format) {
	case CFG_NAME_HOSTNAME:
		while ((p = strchr(host, ' ')) != NULL)
			*p = '_';
		snprintf(buf, len, "%s", host);
		*node = buf;
		return 0;
	case CFG_NAME_FQD:
		hints.ai_flags = AI_ADDRCONFIG | AI_CANONNAME;
		break;
	default:
		hints.ai_flags = AI_ADDRCONFIG | AI_PASSIVE;
		break;
	}
	if ((rc = getaddrinfo(host, NULL, &hints, &ai)) != 0) {
		log_warnx("Cannot resolve hostname %s (%s)", host,
		    gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	if (c->name_format == CFG_NAME_FQD) {
		snprintf(buf, len, "%s", ai->ai_canonname != NULL ?
		    ai->ai_canonname : host);
	} else {
		if (ai->ai_family == AF_INET)
			addr = &((struct sockaddr_in *)(void *)
			    ai->ai_addr)->sin_addr;
		else
			addr = &((struct sockaddr_in6 *)(void *)
			    ai->ai_addr)->sin6_addr;
		if (inet_ntop(ai->ai_family, addr, buf, (socklen_t)len) ==
		    NULL) {
			rc = -errno;
			freeaddrinfo(ai);
			log_warnx("Cannot resolve hostname %s (%s)", host,
			    strerror(-rc));
			return rc;
		}
	}
	freeaddrinfo(ai);
	*node = buf;
	return 0;
}

/*
 * priority_boost, as auditd's nice(-boost): below the niceness the daemon
 * was started with (base), not an absolute -boost.  The kernel keeps it
 * in -20..19.  auditd adds a HUP's boost to the last one (4, then 6, is
 * -10 from the start); here it is always from base.  -EPERM, as nice()
 * says, when the daemon may not raise its priority.
 */
int
dmn_priority(int base, unsigned long boost)
{
	int target = base - (int)(boost > 40 ? 40 : boost);

	if (setpriority(PRIO_PROCESS, 0, target) < 0)
		return errno == EACCES ? -EPERM : -errno;
	return 0;
}

int
dmn_node(struct dmn *d, const struct cfg *c, struct parse_opts *o)
{
	const char *node;
	int rc = resolve_node(c, d->node, sizeof(d->node), &node);

	if (rc < 0)
		return rc;
	memset(o, 0, sizeof(*o));
	o->format = c->log_format == CFG_LOG_FORMAT_ENRICHED ?
	    PARSE_FORMAT_ENRICHED : PARSE_FORMAT_RAW;
	o->node = node;
	o->node_len = node != NULL ? strlen(node) : 0;
	return 0;
}

/*
 * The kernel's choice of id for a sender: its login uid when set, else its
 * uid.  Read while the sender lives; once it is gone, its uid.
 */
uint32_t
dmn_proc_u32(pid_t pid, const char *name)
{
	char path[64], buf[32];
	ssize_t n;
	int fd;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return (uint32_t)-1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return (uint32_t)-1;
	buf[n] = '\0';
	return (uint32_t)strtoul(buf, NULL, 10);
}

static uint32_t
sender_auid(pid_t pid, uint32_t uid)
{
	uint32_t v = dmn_proc_u32(pid, "loginuid");

	return v == (uint32_t)-1 ? uid : v;
}

/*
 * Who sent signal ssi, as the kernel saw it (AUDIT_SIGNAL_INFO), or in
 * multicast mode as the signal itself says; false, with -1 for both ids,
 * if neither would say.
 */
static bool
sender(const struct dmn *d, const struct signalfd_siginfo *ssi,
    struct ingest_siginfo *si)
{
	if (d->multicast && ssi->ssi_pid > 0) {
		si->pid = (int32_t)ssi->ssi_pid;
		si->uid = sender_auid((pid_t)ssi->ssi_pid, ssi->ssi_uid);
		si->ctx[0] = '\0';
		return true;
	}
	if (!d->multicast && ingest_kernel_signal_info(si) == 0)
		return true;
	si->uid = (uint32_t)-1;
	si->pid = -1;
	si->ctx[0] = '\0';
	return false;
}

/*
 * The sender's uid and session, which AUDIT_SIGNAL_INFO does not carry:
 * auditd reads them from /proc, and a sender that is gone has -1 for both.
 */
static void
sender_ids(pid_t pid, uint32_t *uid, uint32_t *ses)
{
	char path[64], line[256];
	unsigned long v;
	FILE *f;

	*uid = *ses = (uint32_t)-1;
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "Uid: %lu", &v) == 1) {
				*uid = (uint32_t)v;
				break;
			}
		fclose(f);
	}
	*ses = dmn_proc_u32(pid, "sessionid");
}

static void
record(struct dmn *d, unsigned type, unsigned cmd, const char *text)
{
	if (pl_inject(d->p, type, cmd, text) < 0) {
		d->st.record_errors++;
		log_warnx("Cannot queue a daemon record: %s", text);
	}
}

/*
 * What is fixed at start stays as it is in nc: the pipeline's sizes, the
 * ingest mode and the socket, and write_logs (auditd takes write_logs on
 * HUP; ringauditd does not).  log_format changes at DAEMON_CONFIG, as in
 * auditd.  True if the new file asked for a change that must wait.
 */
static bool
keep_fixed(struct cfg *nc, const struct cfg *old)
{
#define KEEP(f) do {					\
	if (nc->f != old->f) {				\
		changed = true;				\
		nc->f = old->f;				\
	}						\
} while (0)
#define KEEP_STR(f) do {				\
	if (strcmp(nc->f, old->f) != 0) {		\
		changed = true;				\
		memcpy(nc->f, old->f, sizeof(nc->f));	\
	}						\
} while (0)
	bool changed = false;

	KEEP(write_logs);
	KEEP(ingest);
	KEEP(workers);
	KEEP(records);
	KEEP(ring_size);
	KEEP(netlink_rcvbuf);
	KEEP(drain_timeout_ms);
	KEEP(write_batch);
	KEEP(name_cache_entries);
	KEEP(scheduler);
	KEEP(inline_work);
	/* The log server is built at start (remote.c). */
	KEEP(local_events);
	KEEP(tcp_listen_port);
	KEEP(tcp_listen_queue);
	KEEP(tcp_max_per_addr);
	KEEP(use_libwrap);
	KEEP(tcp_client_port_lo);
	KEEP(tcp_client_port_hi);
	KEEP(tcp_client_max_idle);
	KEEP(transport);
	KEEP_STR(krb5_principal);
	KEEP_STR(krb5_key_file);
	KEEP(distribute_network);
	KEEP(remote_ack);
	KEEP(tcp_max_clients);
	KEEP(tcp_messages);
	KEEP(tcp_client_messages);
	/* Opened at start (ctlsock.c). */
	KEEP_STR(control_socket);
#undef KEEP
#undef KEEP_STR
	return changed;
}

static void
reconfigure(struct dmn *d, const struct signalfd_siginfo *ssi)
{
	struct ingest_siginfo si;
	struct parse_opts popts;
	struct cfg *nc;
	struct wr_params wp;
	char err[1024], text[512];
	unsigned i;
	int rc;

	(void)sender(d, ssi, &si);
	log_notice("config change requested by pid=%d auid=%u subj=%s", si.pid,
	    si.uid, si.ctx[0] != '\0' ? si.ctx : "?");
	if ((nc = malloc(sizeof(*nc))) == NULL) {
		log_warnx("Cannot reconfigure: out of memory");
		return;
	}
	cfg_defaults(nc);
	rc = cfg_load(nc, d->dir, d->symlinks, err, sizeof(err));
	for (i = 0; i < nc->n_warn; i++)
		log_warnx("%s", nc->warn[i]);
	if (rc < 0) {
		/* As auditd: reported, no record, the old configuration
		 * stays. */
		d->st.reconfig_errors++;
		log_err("%s", err);
		log_warnx("The audit daemon is keeping its configuration");
		free(nc);
		return;
	}
	if (keep_fixed(nc, d->cfg))
		log_warnx("Reconfigure: write_logs, ingest, the pipeline's "
		    "sizes, scheduler, inline and the network listener's "
		    "settings take effect at the next start");
	if (nc->priority_boost != d->cfg->priority_boost &&
	    (rc = dmn_priority(d->nice_base, nc->priority_boost)) < 0)
		log_warnx("Cannot change priority in reconfigure (%s)",
		    strerror(-rc));
	/* Taken by the writer and the workers at DAEMON_CONFIG. */
	if (d->writes_file) {
		dmn_wr_params(nc, &wp);
		pl_set_writer_params(d->p, &wp);
	}
	pl_set_gather_ms(d->p, dmn_gather_ms(nc));
	if (dmn_node(d, nc, &popts) < 0)
		log_warnx("Reconfigure: unable to resolve the machine name; "
		    "keeping the old one");
	else
		pl_set_parse_opts(d->p, &popts);
	/* Names may have changed too: that is what a HUP is for. */
	pl_refresh_names(d->p);
	if (d->disp != NULL) {
		struct disp_config dc;

		dmn_disp_config(nc, &dc);
		disp_reconfigure(d->disp, &dc);
	}
	memcpy(d->cfg, nc, sizeof(*nc));
	free(nc);
	d->st.reconfigs++;
	snprintf(text, sizeof(text), "op=reconfigure state=changed auid=%u "
	    "pid=%d subj=%s res=success", si.uid, si.pid,
	    si.ctx[0] != '\0' ? si.ctx : "?");
	record(d, AUDIT_DAEMON_CONFIG, RING_CMD_RECONF, text);
}

/* "op=OP auid=A uid=U ses=S pid=P[ subj=C] res=R": ROTATE, RESUME, END. */
static void
sender_text(const struct dmn *d, const struct signalfd_siginfo *ssi,
    char *buf, size_t len, const char *op)
{
	struct ingest_siginfo si;
	uint32_t uid, ses;
	bool known = sender(d, ssi, &si);
	int n;

	sender_ids(si.pid, &uid, &ses);
	if (d->multicast && known)
		uid = ssi->ssi_uid;
	n = snprintf(buf, len, "op=%s auid=%u uid=%u ses=%u pid=%d", op,
	    si.uid, uid, ses, si.pid);
	if (n > 0 && (size_t)n < len && si.ctx[0] != '\0')
		n += snprintf(buf + n, len - (size_t)n, " subj=%s", si.ctx);
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " res=%s",
		    known ? "success" : "failed");
}

static void
sender_record(struct dmn *d, const struct signalfd_siginfo *ssi,
    unsigned type, unsigned cmd, const char *op)
{
	char text[512];

	sender_text(d, ssi, text, sizeof(text), op);
	record(d, type, cmd, text);
}

bool
dmn_signal(struct dmn *d, const struct signalfd_siginfo *si)
{
	int rc;

	switch (si->ssi_signo) {
	case SIGTERM:
	case SIGINT:
		d->stop_si = *si;
		return true;
	case SIGHUP:
		reconfigure(d, si);
		break;
	case SIGUSR1:
		d->st.rotate_requests++;
		/* auditd says nothing for SIGUSR1: its "rotating log files"
		 * is the size and space actions' (logwatch ignores it). */
		log_debug("SIGUSR1 from pid %d: rotating the log",
		    (int)si->ssi_pid);
		sender_record(d, si, AUDIT_DAEMON_ROTATE, RING_CMD_ROTATE,
		    "rotate-logs");
		break;
	case SIGUSR2:
		d->st.resumes++;
		log_notice("Audit daemon is attempting to resume logging.");
		/* As auditd: SIGUSR2 also ends a plugin suspension. */
		if (d->disp != NULL)
			disp_resume(d->disp);
		sender_record(d, si, AUDIT_DAEMON_RESUME, RING_CMD_RESUME,
		    "resume-logging");
		break;
	case SIGCONT:
		d->st.state_reports++;
		if ((rc = state_report(d)) < 0)
			log_warnx("Cannot write the state report %s: %s",
			    d->cfg->state_file, strerror(-rc));
		break;
	case SIGCHLD:
		act_reap();
		break;
	}
	return false;
}

void
dmn_end_text(struct dmn *d, char *buf, size_t len)
{
	sender_text(d, &d->stop_si, buf, len, "terminate");
}

/* What auditd logs for each condition, and the mail it sends. */
struct cond {
	uint32_t ev;
	const char *warn;	/* syslog, email; always, for a full disk */
	bool always;
	const char *suspend;	/* suspend */
	const char *single;	/* single, halt */
	const char *halt;
	const char *subject;	/* email */
	const char *mail;
};

#define NOW_SINGLE "The audit daemon is now changing the system to single " \
    "user mode"
#define NOW_HALT "The audit daemon is now halting the system"
#define NO_SPACE " due to no space left on logging partition"
#define WRITE_ERROR " due to previously mentioned write error"

static const struct cond conds[] = {
	{ WR_EV_SPACE_LEFT,
	  "Audit daemon is low on disk space for logging", false,
	  "Audit daemon is suspending logging due to low disk space.",
	  NOW_SINGLE, NOW_HALT,
	  "Audit Disk Space Alert",
	  "The audit daemon is low on disk space for logging! Please take "
	  "action\nto ensure no loss of service." },
	{ WR_EV_ADMIN_SPACE_LEFT,
	  "Audit daemon is very low on disk space for logging", false,
	  "Audit daemon is suspending logging due to low disk space.",
	  NOW_SINGLE, NOW_HALT,
	  "Audit Admin Space Alert",
	  "The audit daemon is very low on disk space for logging! Immediate "
	  "action\nis required to ensure no loss of service." },
	{ WR_EV_DISK_FULL,
	  "Audit daemon has no space left on logging partition", true,
	  "Audit daemon is suspending logging" NO_SPACE ".",
	  NOW_SINGLE NO_SPACE, NOW_HALT NO_SPACE, NULL, NULL },
	/* auditd says "FUNC: ... (strerror)" for syslog only. */
	{ WR_EV_DISK_ERROR,
	  "Audit daemon detected an error writing an event to disk", false,
	  "Audit daemon is suspending logging" WRITE_ERROR,
	  NOW_SINGLE WRITE_ERROR, NOW_HALT WRITE_ERROR ".", NULL, NULL },
};

static const struct cfg_act *
cond_action(const struct cfg *c, uint32_t ev)
{
	switch (ev) {
	case WR_EV_SPACE_LEFT:
		return &c->space_left_action;
	case WR_EV_ADMIN_SPACE_LEFT:
		return &c->admin_space_left_action;
	case WR_EV_DISK_FULL:
		return &c->disk_full_action;
	default:
		return &c->disk_error_action;
	}
}

static void
run_action(struct dmn *d, const struct cond *k)
{
	const struct cfg_act *a = cond_action(d->cfg, k->ev);
	int rc = 0;

	if (k->ev == WR_EV_DISK_ERROR && a->act == CFG_ACT_SYSLOG) {
		struct wr_state ws;

		pl_get_writer_state(d->p, &ws);
		log_alert("write: %s (%s)", k->warn, strerror(ws.error));
	} else if (k->always || a->act == CFG_ACT_SYSLOG ||
	    a->act == CFG_ACT_EMAIL)
		log_alert("%s", k->warn);
	switch (a->act) {
	case CFG_ACT_IGNORE:
	case CFG_ACT_SYSLOG:
		return;
	case CFG_ACT_ROTATE:
		/* auditd rotates (and says so) only with num_logs > 1. */
		if (d->cfg->num_logs > 1)
			log_notice("Audit daemon rotating log files");
		return;
	case CFG_ACT_SUSPEND:
		log_alert("%s", k->suspend);
		return;
	case CFG_ACT_EMAIL:
		rc = act_email(d->cfg, k->subject != NULL ? k->subject :
		    "Audit Disk Space Alert", k->mail != NULL ? k->mail :
		    k->warn);
		break;
	case CFG_ACT_EXEC:
		/* The writer suspended logging; the script resumes it. */
		rc = act_exec(a->exe, NULL);
		break;
	case CFG_ACT_SINGLE:
		log_alert("%s", k->single);
		rc = act_exec(d->cfg->init_command, "1");
		break;
	case CFG_ACT_HALT:
		log_alert("%s", k->halt);
		rc = act_exec(d->cfg->init_command, "0");
		break;
	}
	if (rc < 0)
		d->st.action_errors++;
	else
		d->st.actions++;
}

void
dmn_writer_events(struct dmn *d)
{
	uint32_t ev = pl_take_events(d->p);
	size_t i;

	if (ev & WR_EV_SPACE_LEFT)
		d->st.space_left_events++;
	if (ev & WR_EV_ADMIN_SPACE_LEFT)
		d->st.admin_space_left_events++;
	if (ev & WR_EV_DISK_FULL)
		d->st.disk_full_events++;
	if (ev & WR_EV_DISK_ERROR)
		d->st.disk_error_events++;
	for (i = 0; i < sizeof(conds) / sizeof(conds[0]); i++)
		if (ev & conds[i].ev)
			run_action(d, &conds[i]);
	if (ev & WR_EV_MAX_LOG_FILE) {
		d->st.max_log_file_events++;
		switch (d->cfg->max_log_file_action) {
		case CFG_MAX_SYSLOG:
			log_err("Audit daemon log file is larger than max "
			    "size");
			break;
		case CFG_MAX_SUSPEND:
			log_err("Audit daemon is suspending logging due to "
			    "logfile size.");
			break;
		case CFG_MAX_ROTATE:
			if (d->cfg->num_logs > 1)
				log_notice("Audit daemon rotating log files");
			break;
		case CFG_MAX_KEEP_LOGS:
			log_notice("Audit daemon rotating log files with keep "
			    "option");
			break;
		case CFG_MAX_IGNORE:
			break;
		}
	}
	/* Posted only when logging had been suspended: auditd says it
	 * only when it had closed the log. */
	if (ev & WR_EV_RESUMED)
		log_notice("Audit daemon resumed logging.");
}

void
dmn_disp_config(const struct cfg *c, struct disp_config *dc)
{
	static const enum disp_overflow ovf[] = {
		[CFG_OVF_IGNORE] = DISP_OVF_IGNORE,
		[CFG_OVF_SYSLOG] = DISP_OVF_SYSLOG,
		[CFG_OVF_SUSPEND] = DISP_OVF_SUSPEND,
		[CFG_OVF_SINGLE] = DISP_OVF_SINGLE,
		[CFG_OVF_HALT] = DISP_OVF_HALT,
	};

	memset(dc, 0, sizeof(*dc));
	snprintf(dc->plugin_dir, sizeof(dc->plugin_dir), "%s", c->plugin_dir);
	dc->q_depth = (unsigned)c->q_depth;
	dc->overflow = ovf[c->overflow_action];
	dc->max_restarts = (unsigned)c->max_restarts;
	dc->stop_ms = 5000;
}

void
dmn_disp_events(struct dmn *d)
{
	uint32_t ev = disp_take_events(d->disp);
	int rc = 0;

	/* The dispatcher said it in auditd's words; this runs init. */
	if (ev & DISP_EV_HALT)
		rc = act_exec(d->cfg->init_command, "0");
	else if (ev & DISP_EV_SINGLE)
		rc = act_exec(d->cfg->init_command, "1");
	if (ev == 0)
		return;
	if (rc < 0)
		d->st.action_errors++;
	else
		d->st.actions++;
}
