/*
 * net.c - the network stage: ringauditd as the log server that a fleet's
 * audisp-remote clients send their records to, and its thread.
 *
 * auditd 3.0.9 does this on its one event thread: it reads a client's
 * frame, writes the record, sends the ack, then reads the next, so the
 * disk's time is every client's, and each client (stop-and-wait) sends
 * one record a round trip.  Here the network has a thread of its own,
 * one for every client (no thread per client), and records go to the
 * same pipeline as the kernel's: taken by ingest in the order the
 * network gave them (so each client's in the order it sent them), among
 * the kernel's, written by the writer, which gives each back once written
 * (or, with remote_ack = durable, once synced) or dropped; only then is
 * the client answered, in auditd's words.  The log cannot tell a remote
 * record from auditd's: verbatim, no node= added, one trailing '\n' cut.
 *
 * The thread sleeps in epoll_wait on the listening sockets, every
 * client, an eventfd that net_stop writes, and the eventfd of its waiter
 * on the ack ring (ring.h's protocol: announce, look again, sleep), with
 * a timeout only for the idle tick.
 *
 * Memory.  Everything is allocated by net_create: max_clients clients,
 * each with a frame-long read buffer and room for every reply it can be
 * owed; 'slots' message slots, each a record long.  A slot is out from
 * the moment its record is handed to ingest until the writer gives it
 * back, so the slots bound what the network has in the pipeline.  When
 * none is free, no client is read: TCP pushes back to the clients, who
 * queue as audisp-remote's own settings say; nothing accepted is lost
 * here.  A client that sends bytes that are no frame, a frame too long,
 * or nothing for tcp_client_max_idle is closed and counted, and costs
 * the others nothing but its buffer.
 *
 * Stopping (net_stop): ENDING to every client, each closed with its
 * DAEMON_CLOSE record, the listeners closed, the thread joined; the
 * daemon then stops the pipeline, which logs what the network handed it.
 *
 * transport = KRB5 (gss.c): each connection negotiates a GSS-API
 * context first, in this thread, without blocking the others; then each
 * frame and each reply is a token, encrypted.
 *
 * Files: this one (the thread, start and stop), listen.c (sockets,
 * accepting, the idle tick), client.c (reading, frames, replies),
 * slot.c (messages to the pipeline), frame.c (the protocol's bytes),
 * gss.c (KRB5).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stat.h"
#include "common/thread.h"
#include "net/net_int.h"

#define NET_EVENTS 64

/* Room for every client's socket beside the daemon's own files. */
static void
raise_nofile(unsigned clients)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)clients + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
		log_warnx("net: room for %llu open files only; clients past "
		    "that are refused", (unsigned long long)rl.rlim_cur);
}

static int
add_fd(struct net *n, int fd, uint64_t data)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = data };

	return epoll_ctl(n->ep, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int
net_create(struct net **out, const struct net_config *c)
{
	struct net *n;
	unsigned i;
	int rc = -ENOMEM;

	if (c->port == 0 || c->max_clients == 0 || c->per_client == 0 ||
	    c->slots == 0 || c->in == NULL || c->acks == NULL ||
	    c->self == NULL || c->self->efd < 0 || c->daemon_record == NULL ||
	    (c->krb5 && (c->krb5_principal == NULL ||
	    c->krb5_key_file == NULL)))
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	n->c = *c;
	n->ep = n->stop_fd = -1;
	n->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	n->rl.interval_ns = 10ull * 1000000000u;
	n->rl.burst = 5;
	n->grl.interval_ns = 10ull * 1000000000u;
	n->grl.burst = 5;
	n->krb5 = c->krb5;
	/* The daemon's configuration may be another by SIGHUP: ours. */
	if (c->krb5 && ((n->krb5_strs[0] = strdup(c->krb5_principal)) ==
	    NULL || (n->krb5_strs[1] = strdup(c->krb5_key_file)) == NULL))
		goto err;
	n->c.krb5_principal = n->krb5_strs[0];
	n->c.krb5_key_file = n->krb5_strs[1];
	n->gcred = GSS_C_NO_CREDENTIAL;
	/* With KRB5 a reply is a token: its length, the wrap around it. */
	n->reply_room = NET_REPLY_MAX + (c->krb5 ? NET_TOKEN_HDR +
	    NET_GSS_WRAP_MAX : 0);
	n->clients = calloc(c->max_clients, sizeof(*n->clients));
	n->obufs = calloc(c->max_clients, net_obuf_cap(n));
	if (c->krb5)
		n->principals = calloc(c->max_clients, NET_PRINCIPAL_MAX);
	if (n->clients == NULL || n->obufs == NULL ||
	    (c->krb5 && n->principals == NULL) ||
	    (rc = net_slots_init(n)) < 0) {
		log_warnx("Cannot allocate the network listener's memory for "
		    "%u clients and %u records (tcp_max_clients, "
		    "tcp_client_messages, tcp_messages)", c->max_clients,
		    c->slots);
		rc = -ENOMEM;
		goto err;
	}
	for (i = 0; i < c->max_clients; i++) {
		n->clients[i].fd = -1;
		n->clients[i].gctx = GSS_C_NO_CONTEXT;
		n->clients[i].obuf = n->obufs + (size_t)i * net_obuf_cap(n);
		if (c->krb5)
			n->clients[i].principal = n->principals +
			    (size_t)i * NET_PRINCIPAL_MAX;
		n->clients[i].next_free = i + 1 < c->max_clients ? i + 1 :
		    NET_NONE;
	}
	n->free_client = 0;
	raise_nofile(c->max_clients);
	n->ep = epoll_create1(EPOLL_CLOEXEC);
	n->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->ep < 0 || n->stop_fd < 0) {
		rc = -errno;
		log_warnx("Cannot set up the network listener (%s)",
		    strerror(-rc));
		goto err;
	}
	if ((rc = net_listen_open(n)) < 0)
		goto err;
	/* As auditd: listening first, then the key and the credential. */
	if (c->krb5 && (rc = net_gss_init(n)) < 0)
		goto err;
	for (i = 0; i < n->nlisten; i++)
		if ((rc = add_fd(n, n->lfd[i], NET_EV_LISTEN | i)) < 0)
			goto err;
	if ((rc = add_fd(n, n->stop_fd, NET_EV_STOP)) < 0 ||
	    (rc = add_fd(n, c->self->efd, NET_EV_ACKS)) < 0)
		goto err;
	*out = n;
	return 0;
err:
	net_destroy(n);
	return rc;
}

void
net_destroy(struct net *n)
{
	unsigned i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nlisten; i++)
		close(n->lfd[i]);
	for (i = 0; n->clients != NULL && i < n->c.max_clients; i++) {
		if (n->clients[i].fd >= 0)
			close(n->clients[i].fd);
		net_gss_client_end(&n->clients[i]);
	}
	net_gss_fini(n);
	if (n->ep >= 0)
		close(n->ep);
	if (n->stop_fd >= 0)
		close(n->stop_fd);
	if (n->spare_fd >= 0)
		close(n->spare_fd);
	free(n->clients);
	free(n->obufs);
	free(n->principals);
	free(n->krb5_strs[0]);
	free(n->krb5_strs[1]);
	free(n->slots);
	free(n);
}

/* Milliseconds to a tick due at *NEXT every PERIOD s (running TICK when
 * it is due): an hour at most, for PERIOD's milliseconds may not fit an
 * int. */
static int
tick_in(struct net *n, uint64_t *next, unsigned period,
    void (*tick)(struct net *))
{
	uint64_t now = clock_mono_ns();

	if (*next == 0)
		*next = now + period * 1000000000ull;
	if (now >= *next) {
		tick(n);
		*next = now + period * 1000000000ull;
	}
	return (*next - now) / 1000000u >= 3600000u ? 3600000 :
	    (int)((*next - now) / 1000000u) + 1;
}

/* Milliseconds to the next tick (-1: none), ticking those due: clients
 * idle for tcp_client_max_idle, and KRB5 negotiations too slow. */
static int
tick_timeout(struct net *n)
{
	int idle = -1, gss = -1;

	if (n->c.max_idle > 0)
		idle = tick_in(n, &n->next_tick, n->c.max_idle, net_idle_tick);
	/* Only while some client negotiates: an idle server sleeps. */
	if (n->negotiating > 0)
		gss = tick_in(n, &n->next_gss_tick, NET_GSS_TICK,
		    net_negotiation_tick);
	else
		n->next_gss_tick = 0;
	if (idle < 0 || (gss >= 0 && gss < idle))
		return gss;
	return idle;
}

/* Acks in: replies out, and clients that waited for a slot read. */
static void
acks(struct net *n)
{
	if (net_take_acks(n) && n->paused)
		net_resume(n);
}

/*
 * ENDING to each client, then its close.  No client is read any more;
 * each DAEMON_CLOSE needs a slot, which the pipeline frees as it writes,
 * and the whole of it waits 5 s at most for them (a stalled disk must
 * not hold the daemon's stop; a close past that is counted as lost).
 */
static void
end_clients(struct net *n)
{
	uint64_t until = clock_mono_ns() + 5000000000ull;
	unsigned i;

	n->stopping = true;
	for (i = 0; i < n->c.max_clients; i++) {
		struct net_client *cl = &n->clients[i];

		if (cl->fd < 0)
			continue;
		net_client_ending(n, cl);
		/* One still negotiating gets no record: no slot to wait
		 * for. */
		while (!cl->negotiating && n->free_slot == NET_NONE &&
		    clock_mono_ns() < until) {
			struct timespec ts = { 0, 1000000 };

			net_flush_in(n);
			nanosleep(&ts, NULL);
			net_take_acks(n);
		}
		net_client_close(n, cl, NET_CL_STOP);
	}
}

static void *
net_main(void *arg)
{
	struct net *n = arg;
	struct epoll_event evs[NET_EVENTS];
	bool stop = false;
	uint64_t v;

	while (!stop) {
		int k, i, timeout = tick_timeout(n);

		if (n->listen_off) {
			net_listen_retry(n);
			/* Look again in a second if nothing else wakes us. */
			if (n->listen_off && (timeout < 0 || timeout > 1000))
				timeout = 1000;
		}
		net_flush_in(n);
		ring_waiter_prepare(n->c.self);
		if (ring_count(n->c.acks) > 0)
			timeout = 0;
		k = epoll_wait(n->ep, evs, NET_EVENTS, timeout);
		ring_waiter_cancel(n->c.self);
		if (k < 0 && errno != EINTR)
			fatal("net: epoll_wait");
		acks(n);
		for (i = 0; i < k; i++) {
			uint64_t u = evs[i].data.u64;
			struct net_client *cl;

			switch (NET_EV_KIND(u)) {
			case NET_EV_LISTEN:
				net_accept(n, n->lfd[NET_EV_INDEX(u)]);
				continue;
			case NET_EV_STOP:
				stop = true;
				continue;
			case NET_EV_ACKS:
				/* Readable, so it does not block; its acks
				 * were taken above. */
				if (read(n->c.self->efd, &v, sizeof(v)) < 0)
					log_warn("net: waiter");
				acks(n);
				continue;
			}
			cl = &n->clients[NET_EV_INDEX(u)];
			if (cl->fd < 0)
				continue;	/* closed earlier this turn */
			/* Gone while it waited for a slot: its socket
			 * would say so on every turn. */
			if (!cl->reading &&
			    (evs[i].events & (EPOLLERR | EPOLLHUP))) {
				net_client_close(n, cl, NET_CL_ERROR);
				continue;
			}
			if (evs[i].events & EPOLLOUT)
				net_client_write(n, cl);
			if (cl->fd >= 0 && (evs[i].events &
			    (EPOLLIN | EPOLLERR | EPOLLHUP)))
				net_client_read(n, cl);
		}
	}
	end_clients(n);
	net_flush_in(n);
	return NULL;
}

int
net_start(struct net *n)
{
	int rc = pthread_create(&n->thread, NULL, net_main, n);

	if (rc != 0)
		return -rc;
	n->started = true;
	/* Its name in top -H and /proc/PID/task/TID/comm. */
	thread_setup(n->thread, "ra-net");
	return 0;
}

void
net_stop(struct net *n)
{
	uint64_t one = 1;

	if (n == NULL || !n->started)
		return;
	if (write(n->stop_fd, &one, sizeof(one)) < 0)
		log_warn("net: cannot stop the thread");
	pthread_join(n->thread, NULL);
	n->started = false;
}

void
net_get_stats(struct net *n, struct net_stats *st)
{
	stat_copy(st, &n->st, sizeof(*st));
}
