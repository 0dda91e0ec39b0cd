#!/usr/bin/env bash
# A burst at the kernel's full rate after a trickle: what each daemon
# loses (gather_ms's price, PERF.md "A longer gathering sleep by
# default").  Each daemon in turn is registered on the same auditd.conf
# (RAW, incremental_async); ringaudit-bench makes 100 events/s from one
# thread throughout, and, every few seconds, a burst of N events from two
# threads as fast as they go (--rate max --count N), backlog_limit 8192
# and backlog_wait_time 0 (a full backlog loses records rather than
# throttling the generator).  One line per burst: the kernel's lost
# records over it and the rate the burst reached.
#   tools/perf-burst.sh [REPS] [N...]      (default 3; 6000 12000 20000)
# Env: DAEMONS: ringauditd, ringauditd:G (gather_ms = G), auditd, or a
# path (default "ringauditd:20 ringauditd:40 auditd").
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
reps=${1:-3}
shift || true
read -r -a bursts <<< "${*:-6000 12000 20000}"
read -r -a daemons <<< "${DAEMONS:-ringauditd:20 ringauditd:40 auditd}"
. tools/lib.sh
ra_bench_begin build
d=$(mktemp -d /tmp/ra-burst-XXXXXX)
trickle=
cleanup() {
	[ -z "$trickle" ] || kill "$trickle" 2>/dev/null || true
	ra_bench_end
	rm -rf "$d"
}
trap cleanup EXIT

for spec in "${daemons[@]}"; do
	name=${spec%%:*}
	rm -rf "$d/log" "$d/plugins.d"
	conf=
	[ "$spec" = "$name" ] || conf="gather_ms = ${spec#*:}\n"
	RA_CONF="${RA_CONF:-}$conf" ra_write_conf "$d" incremental_async RAW
	ra_start "$(ra_daemon_bin "$name")" "$d"
	build/ringaudit-bench --rate 100 --duration 3600 --threads 1 \
		--log "$d/log/audit.log" --backlog-limit 8192 --wait-time 0 \
		--settle 1 --quiet > /dev/null 2>&1 &
	trickle=$!
	sleep 3
	for n in "${bursts[@]}"; do
		for r in $(seq "$reps"); do
			out=$(build/ringaudit-bench --rate max --count "$n" --threads 2 \
				--log "$d/log/audit.log" --backlog-limit 8192 \
				--wait-time 0 --settle 10 --json --quiet 2>&1 || true)
			lost=$(sed -n 's/.*"lost":\([0-9]*\).*/\1/p' <<< "$out")
			rate=$(sed -n 's/.*"achieved_rate":\([0-9]*\).*/\1/p' <<< "$out")
			echo "$spec burst $n ($r): lost ${lost:-?} records, burst at ${rate:-?} events/s"
			sleep 2
		done
	done
	kill "$trickle" 2>/dev/null || true
	wait "$trickle" 2>/dev/null || true
	trickle=
	ra_stop
done
