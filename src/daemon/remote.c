/*
 * remote.c - the daemon's side of the network stage (net/net.h): built
 * from auditd.conf's listener keys and ringauditd.conf's limits when
 * tcp_listen_port is set, wired to the pipeline's message port, and
 * stopped before the pipeline so that every client's DAEMON_CLOSE is
 * logged before DAEMON_END.
 */
#include <string.h>

#include "common/log.h"
#include "daemon/daemon.h"
#include "net/net.h"

static int
record(void *ctx, unsigned type, const char *text, char *buf, size_t len)
{
	return pl_daemon_record(ctx, type, text, buf, len);
}

int
dmn_net_create(struct dmn *d, const struct cfg *c)
{
	struct pl_msg_port port;
	struct net_config nc;
	int rc;

	if (c->tcp_listen_port == 0)
		return 0;
	if ((rc = pl_msg_port(d->p, &port)) < 0)
		return rc;
	memset(&nc, 0, sizeof(nc));
	nc.port = (unsigned)c->tcp_listen_port;
	nc.queue = (unsigned)c->tcp_listen_queue;
	nc.max_per_addr = (unsigned)c->tcp_max_per_addr;
	nc.port_lo = (unsigned)c->tcp_client_port_lo;
	nc.port_hi = (unsigned)c->tcp_client_port_hi;
	nc.max_idle = (unsigned)c->tcp_client_max_idle;
	nc.use_libwrap = c->use_libwrap;
	nc.krb5 = c->transport == CFG_TRANSPORT_KRB5;
	nc.krb5_principal = c->krb5_principal;
	nc.krb5_key_file = c->krb5_key_file;
	nc.max_clients = c->tcp_max_clients;
	nc.per_client = c->tcp_client_messages;
	nc.in = port.in;
	nc.acks = port.acks;
	nc.self = port.self;
	nc.wake_fd = port.wake_fd;
	nc.slots = c->tcp_messages;
	nc.daemon_record = record;
	nc.ctx = d->p;
	return net_create(&d->net, &nc);
}

int
dmn_net_start(struct dmn *d)
{
	int rc;

	if (d->net == NULL)
		return 0;
	if ((rc = net_start(d->net)) < 0) {
		/* Not "listening = yes" in the state report: it is not. */
		log_warnx("Cannot start the network listener (%s)",
		    strerror(-rc));
		dmn_net_destroy(d);
	}
	return rc;
}

void
dmn_net_stop(struct dmn *d)
{
	net_stop(d->net);
}

void
dmn_net_destroy(struct dmn *d)
{
	net_destroy(d->net);
	d->net = NULL;
}
