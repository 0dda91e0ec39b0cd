/*
 * ra_netload.c - a fleet of remote-logging clients in one process, for
 * measuring a log server (ringauditd or auditd with tcp_listen_port): the
 * command line of the tests and scripts over ringaudit-bench's fleet
 * (tools/ringaudit-bench/fleet.c), which does the work.
 *
 *   ra-netload HOST PORT [-c CLIENTS] [-d SECONDS] [-w WINDOW] [-s BYTES]
 *                        [-a SOURCES] [-t TAG]
 *
 * CLIENTS connections (default 1), each sending records of about BYTES
 * (default 200) as audisp-remote frames them, with up to WINDOW
 * unanswered at once (default 1: stop-and-wait, as audisp-remote), for
 * SECONDS (default 5); then each waits (5 s at most) for its last
 * replies and closes.  Client i connects from 127.0.0.(1 + i % SOURCES)
 * (default 1 source), so that tcp_max_per_addr can be met with a loopback
 * address each.  Each record is
 *
 *   node=ra-netload type=USER msg=audit(T:N): tag=TAG client=I seq=S x=...
 *
 * Prints one line of figures: clients connected, records sent, acked,
 * answered otherwise (disk low, full, error, suspended), the rate acked,
 * send-to-ack latency p50, p99 and max, and the fewest records one
 * client had acked (how fairly the server shares itself); exits 1 if a
 * client could not connect, was closed, or got a reply out of sequence.
 * The server's log must then hold every acked record once (tools/test:
 * grep the tag).  ringaudit-bench --remote adds pacing, the server's CPU
 * and memory, and loss per client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleet.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: ra-netload HOST PORT [-c CLIENTS] "
	    "[-d SECONDS] [-w WINDOW] [-s BYTES] [-a SOURCES] [-t TAG]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct rb_fleet_config c = {
		.node = "ra-netload", .tag = "load", .name = "ra-netload",
		.clients = 1, .max_window = 1, .size = 200, .sources = 1,
	};
	struct rb_fleet_load l = { .window = 1, .secs = 5, .grace_s = 5 };
	static struct rb_fleet_result r;
	struct rb_fleet *f;
	int o;

	while ((o = getopt(argc, argv, "c:d:w:s:a:t:")) != -1) {
		switch (o) {
		case 'c': c.clients = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': l.secs = strtod(optarg, NULL); break;
		case 'w': l.window = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': c.size = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'a': c.sources = (unsigned)strtoul(optarg, NULL, 10); break;
		case 't': c.tag = optarg; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || c.clients == 0 || l.window == 0 ||
	    l.window > RB_FLEET_MAX_WINDOW || c.sources == 0 || l.secs <= 0)
		usage();
	c.host = argv[optind];
	c.port = argv[optind + 1];
	c.max_window = l.window;
	if (rb_fleet_create(&f, &c) < 0) {
		perror("ra-netload");
		return 1;
	}
	rb_fleet_connect(f);
	rb_fleet_run(f, &l, &r);
	rb_fleet_destroy(f);
	printf("clients %u connected %u window %u sent %llu acked %llu "
	    "not_ok %llu failed %u secs %.2f rate %.0f "
	    "lat_p50_us %llu lat_p99_us %llu lat_max_us %llu "
	    "least_acked %llu\n",
	    r.clients, r.connected, r.window,
	    (unsigned long long)r.sent, (unsigned long long)r.acked,
	    (unsigned long long)r.not_ok, r.failed, r.secs, r.rate,
	    (unsigned long long)hist_quantile(&r.lat, 0.5) / 1000,
	    (unsigned long long)hist_quantile(&r.lat, 0.99) / 1000,
	    (unsigned long long)r.lat.max / 1000,
	    (unsigned long long)r.least_acked);
	return r.failed > 0 ? 1 : 0;
}
