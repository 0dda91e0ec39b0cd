/*
 * kaudit.c - what ringaudit-bench says to the kernel's audit subsystem,
 * over NETLINK_AUDIT with libmnl: AUDIT_GET (status, sampled every 50 ms
 * while a run goes), AUDIT_SET (backlog_limit, backlog_wait_time, enabled,
 * pid 0), AUDIT_ADD_RULE and AUDIT_DEL_RULE for the one rule, and for
 * --drain a socket registered as the audit daemon.
 *
 * The rule goes in through netlink, not auditctl: the clean-up must
 * delete it from every exit path, a signal's included, and sending a
 * prepared struct is a few system calls where forking auditctl from a
 * process with running threads is not; the kernel deletes the rule whose
 * data compares equal field by field, so the same bytes remove exactly
 * the rule added and no other; and the tool then needs nothing from the
 * auditd package.
 *
 * Each request opens a socket of its own (as src/ingest/kernel.c does),
 * so the sampler, the main thread and the signal thread never read each
 * other's answers.  This file never sets the failure flag, and never sets
 * enabled to 2.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/audit.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "ingest/ingest.h"

#if defined(__x86_64__)
#define RB_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define RB_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "ringaudit-bench: add this architecture's AUDIT_ARCH_* (64-bit only)"
#endif

const char rb_k_syscall_name[] = "getppid";

static int
set(const struct audit_status *s)
{
	/* Never through here: the failure flag, enabled 2. */
	if ((s->mask & AUDIT_STATUS_FAILURE) ||
	    ((s->mask & AUDIT_STATUS_ENABLED) && s->enabled > 1))
		return -EPERM;
	return ingest_kernel_request(AUDIT_SET, s, sizeof(*s), 0, NULL, 0,
	    NULL);
}

int
rb_k_set_backlog(uint32_t mask, uint32_t limit, uint32_t wait_time)
{
	struct audit_status s;

	memset(&s, 0, sizeof(s));
	s.mask = mask & (AUDIT_STATUS_BACKLOG_LIMIT |
	    AUDIT_STATUS_BACKLOG_WAIT_TIME);
	s.backlog_limit = limit;
	s.backlog_wait_time = wait_time;
	return s.mask != 0 ? set(&s) : 0;
}

int
rb_k_set_enabled(uint32_t enabled)
{
	struct audit_status s;

	memset(&s, 0, sizeof(s));
	s.mask = AUDIT_STATUS_ENABLED;
	s.enabled = enabled;
	return set(&s);
}

int
rb_k_unregister(void)
{
	struct audit_status s;

	memset(&s, 0, sizeof(s));
	s.mask = AUDIT_STATUS_PID;
	s.pid = 0;
	return set(&s);
}

static void
rule_field(struct audit_rule_data *r, uint32_t field, uint32_t value)
{
	r->fields[r->field_count] = field;
	r->values[r->field_count] = value;
	r->fieldflags[r->field_count] = AUDIT_EQUAL;
	r->field_count++;
}

int
rb_k_rule(bool add, pid_t tgid, const char *key)
{
	struct {
		struct audit_rule_data r;
		char key[AUDIT_MAX_KEY_LEN];
	} m;
	size_t klen = strlen(key);
	unsigned nr = SYS_getppid;

	if (klen == 0 || klen > AUDIT_MAX_KEY_LEN)
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	m.r.flags = AUDIT_FILTER_EXIT;
	m.r.action = AUDIT_ALWAYS;
	m.r.mask[nr / 32] |= 1u << (nr % 32);
	rule_field(&m.r, AUDIT_ARCH, RB_AUDIT_ARCH);
	/* The kernel compares pid= with the task's tgid: every thread. */
	rule_field(&m.r, AUDIT_PID, (uint32_t)tgid);
	rule_field(&m.r, AUDIT_FILTERKEY, (uint32_t)klen);
	memcpy(m.r.buf, key, klen);
	m.r.buflen = (uint32_t)klen;
	return ingest_kernel_request(add ? AUDIT_ADD_RULE : AUDIT_DEL_RULE, &m,
	    sizeof(m.r) + klen, 0, NULL, 0, NULL);
}

/*
 * Register a socket of our own as the audit daemon.  The kernel may send
 * records it held before its ACK; they are counted and dropped here.
 */
int
rb_k_register(struct rb_kdaemon *kd, unsigned rcvbuf, int timeout_ms,
    uint64_t *records_before_ack)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 2];
	struct audit_status s;
	struct nlmsghdr *nlh;
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	struct timespec t0, t1;
	uint32_t seq;
	int bufsz = (int)rcvbuf, rc;

	memset(kd, 0, sizeof(*kd));
	*records_before_ack = 0;
	kd->nl = mnl_socket_open2(NETLINK_AUDIT, SOCK_CLOEXEC);
	if (kd->nl == NULL)
		return -errno;
	if (mnl_socket_bind(kd->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto err;
	}
	kd->fd = mnl_socket_get_fd(kd->nl);
	/* FORCE lifts the rmem_max cap (we are root); plain as fallback. */
	if (setsockopt(kd->fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz,
	    sizeof(bufsz)) < 0)
		setsockopt(kd->fd, SOL_SOCKET, SO_RCVBUF, &bufsz,
		    sizeof(bufsz));
	/* The receiving thread wakes this often to see whether to stop. */
	setsockopt(kd->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	memset(&s, 0, sizeof(s));
	s.mask = AUDIT_STATUS_PID;
	s.pid = (uint32_t)getpid();
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = AUDIT_SET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq = (uint32_t)time(NULL);
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(s)), &s, sizeof(s));
	if (mnl_socket_sendto(kd->nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto err;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		const struct nlmsgerr *e;
		ssize_t n = recv(kd->fd, buf, sizeof(buf), 0);

		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (n < 0 && errno != EAGAIN && errno != EINTR &&
		    errno != ENOBUFS) {
			rc = -errno;
			goto err;
		}
		if (n < 0) {
			if ((t1.tv_sec - t0.tv_sec) * 1000 +
			    (t1.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms) {
				rc = -ETIMEDOUT;
				goto err;
			}
			continue;
		}
		nlh = (struct nlmsghdr *)buf;
		if ((size_t)n < NLMSG_HDRLEN)
			continue;
		if (nlh->nlmsg_type != NLMSG_ERROR) {
			(*records_before_ack)++;
			continue;
		}
		if ((size_t)n < NLMSG_HDRLEN + sizeof(*e))
			continue;
		e = mnl_nlmsg_get_payload(nlh);
		if (e->msg.nlmsg_seq != seq)
			continue;
		if (e->error != 0) {
			rc = e->error;
			goto err;
		}
		return 0;
	}
err:
	mnl_socket_close(kd->nl);
	kd->nl = NULL;
	kd->fd = -1;
	return rc;
}

void
rb_k_close(struct rb_kdaemon *kd)
{
	if (kd->nl != NULL)
		mnl_socket_close(kd->nl);
	kd->nl = NULL;
	kd->fd = -1;
}

void
rb_k_recv_slots(struct mmsghdr *msgs, struct iovec *iov,
    struct sockaddr_nl *addr, char *bufs, unsigned n, size_t size)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		iov[i].iov_base = bufs + (size_t)i * size;
		iov[i].iov_len = size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &addr[i];
	}
}
