/*
 * kernel.c - requests to the kernel's audit subsystem that expect an answer:
 * AUDIT_GET (status), AUDIT_SET (pid, enabled) and AUDIT_SIGNAL_INFO.
 *
 * Each request opens a NETLINK_AUDIT socket of its own through libmnl, so
 * that answers never mix with the record stream on the ingest socket.
 * These run on the control path (start-up, shutdown, signals, status
 * polling), never per record.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/audit.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest/source.h"

struct kreply {
	uint16_t want;		/* reply type that carries the answer */
	void *out;
	size_t outlen;
	size_t got;
};

static int
kreply_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct kreply *r = arg;
	size_t len;

	if (nlh->nlmsg_type != r->want)
		return MNL_CB_OK;
	len = mnl_nlmsg_get_payload_len(nlh);
	if (len > r->outlen)
		len = r->outlen;
	memcpy(r->out, mnl_nlmsg_get_payload(nlh), len);
	r->got = len;
	/* AUDIT_GET and AUDIT_SIGNAL_INFO answer once; an ACK may follow. */
	return MNL_CB_STOP;
}

static int
kernel_request(uint16_t type, const void *data, size_t len, struct kreply *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct timeval tv = { .tv_sec = 2 };
	unsigned portid, seq = (unsigned)time(NULL);
	int rc;

	nl = mnl_socket_open2(NETLINK_AUDIT, SOCK_CLOEXEC);
	if (nl == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto out;
	}
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv));
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	/* The kernel sends AUDIT_GET and AUDIT_SIGNAL_INFO answers from a
	 * thread of its own, so an ACK can overtake them: ask for one only
	 * when there is no answer to wait for. */
	nlh->nlmsg_flags = NLM_F_REQUEST | (r == NULL ? NLM_F_ACK : 0);
	nlh->nlmsg_seq = seq;
	if (len > 0)
		memcpy(mnl_nlmsg_put_extra_header(nlh, len), data, len);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0) {
			rc = -errno;
			break;
		}
		/* mnl_cb_run turns an NLMSG_ERROR into -1 with errno set,
		 * and a plain ACK into MNL_CB_STOP. */
		rc = mnl_cb_run(buf, (size_t)n, seq, portid,
		    r != NULL ? kreply_cb : NULL, r);
		if (rc == MNL_CB_ERROR) {
			rc = -errno;
			break;
		}
		if (rc == MNL_CB_STOP) {
			rc = 0;
			break;
		}
	}
out:
	mnl_socket_close(nl);
	return rc;
}

int
ingest_kernel_request(uint16_t type, const void *data, size_t len,
    uint16_t want, void *out, size_t outlen, size_t *got)
{
	struct kreply r = { .want = want, .out = out, .outlen = outlen };
	int rc;

	if (out == NULL)
		return kernel_request(type, data, len, NULL);
	rc = kernel_request(type, data, len, &r);
	if (got != NULL)
		*got = r.got;
	return rc;
}

int
ingest_kernel_status(struct ingest_kstatus *st)
{
	struct audit_status s;
	struct kreply r = { .want = AUDIT_GET, .out = &s, .outlen = sizeof(s) };
	int rc;

	memset(&s, 0, sizeof(s));
	rc = kernel_request(AUDIT_GET, NULL, 0, &r);
	if (rc < 0)
		return rc;
	/* Older than 3.14: no backlog_wait_time, which we set and read. */
	if (r.got < offsetof(struct audit_status, backlog_wait_time) +
	    sizeof(s.backlog_wait_time))
		return -EPROTO;
	st->enabled = s.enabled;
	st->failure = s.failure;
	st->pid = s.pid;
	st->rate_limit = s.rate_limit;
	st->backlog_limit = s.backlog_limit;
	st->lost = s.lost;
	st->backlog = s.backlog;
	st->backlog_wait_time = s.backlog_wait_time;
	st->feature_bitmap = s.feature_bitmap;
	st->has_wait_actual = r.got >=
	    offsetof(struct audit_status, backlog_wait_time_actual) +
	    sizeof(s.backlog_wait_time_actual);
	st->backlog_wait_time_actual = st->has_wait_actual ?
	    s.backlog_wait_time_actual : 0;
	return 0;
}

int
ingest_kernel_set(uint32_t mask, uint32_t pid, uint32_t enabled)
{
	struct audit_status s;

	memset(&s, 0, sizeof(s));
	s.mask = mask;
	s.pid = pid;
	s.enabled = enabled;
	return kernel_request(AUDIT_SET, &s, sizeof(s), NULL);
}

int
ingest_kernel_signal_info(struct ingest_siginfo *si)
{
	/* The kernel's answer: uid (auid if set), pid, then the context. */
	struct {
		uint32_t uid;
		int32_t pid;
		char ctx[256];
	} info;
	struct kreply r = { .want = AUDIT_SIGNAL_INFO, .out = &info,
	    .outlen = sizeof(info) - 1 };
	size_t ctxlen;
	int rc;

	memset(&info, 0, sizeof(info));
	rc = kernel_request(AUDIT_SIGNAL_INFO, NULL, 0, &r);
	if (rc < 0)
		return rc;
	if (r.got < offsetof(__typeof__(info), ctx))
		return -EPROTO;
	si->uid = info.uid;
	si->pid = info.pid;
	ctxlen = r.got - offsetof(__typeof__(info), ctx);
	if (ctxlen >= sizeof(si->ctx))
		ctxlen = sizeof(si->ctx) - 1;
	memcpy(si->ctx, info.ctx, ctxlen);
	si->ctx[ctxlen] = '\0';
	return 0;
}
