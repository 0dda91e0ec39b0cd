#!/usr/bin/env bash
# The log server side by side: auditd 3.0.9 and ringauditd, each with
# local_events = no and tcp_listen_port, the same auditd.conf (RAW,
# FLUSH), ra-netload's clients for SECONDS against each in turn, ROUNDS
# rounds alternating.  One line a run: records acked a second, send-to-ack
# latency p50 and p99, the fewest acked of one client, and the server's
# CPU (user + system, /proc/PID/stat) per record acked.
#   tools/perf-remote.sh [ROUNDS] [SECONDS] [FLUSH] [CLIENTS...]
# defaults: 2 rounds, 5 s, incremental_async, 1 10 100 1000 clients
# (window 1: stop-and-wait, as audisp-remote; 4 loopback addresses, with
# tcp_max_per_addr 1024, and tcp_listen_queue 1024: with auditd's default
# of 5, ra-netload's 1,000 back-to-back connects overflow either server's
# listen queue, and each dropped SYN costs its client seconds of the
# kernel's retransmission before the load even starts).  auditd runs under the kernel lock, as every
# run of a daemon that might register does.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}; secs=${2:-5}; flush=${3:-incremental_async}
shift $(($# > 3 ? 3 : $#))
clients=("$@")
[ ${#clients[@]} -gt 0 ] || clients=(1 10 100 1000)
. tools/lib.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target ringauditd ra-netload >/dev/null
exec 9>/run/ringaudit-kernel.lock
flock 9
d=$(mktemp -d /tmp/ra-remote-perf-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" || true
	rm -rf "$d"
}
trap cleanup EXIT
port=$((10000 + RANDOM % 10000))	# below the ephemeral ports

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

run() {
	local daemon=$1 n=$2 out t0 t1 acked
	rm -rf "$d/log" && mkdir -p "$d/log"
	ra_server_conf "$d" "$flush" "$port" 1024
	echo "tcp_max_clients = $((n < 1024 ? 2048 : 2 * n))" >> "$d/ringauditd.conf"
	ra_start_server "$daemon" "$d" "$port"
	pid=$ra_pid
	t0=$(ticks "$pid")
	out=$(build/ra-netload 127.0.0.1 "$port" -c "$n" -a 4 -d "$secs" \
		-t perf 2>/dev/null | tail -n 1) || true
	t1=$(ticks "$pid")
	kill -TERM "$pid"
	wait "$pid" || true
	pid=
	acked=$(awk '{ for (i = 1; i < NF; i++) if ($i == "acked") print $(i + 1) }' <<< "$out")
	awk -v d="$daemon" -v n="$n" -v t="$((t1 - t0))" -v hz="$hz" \
		-v a="${acked:-0}" '{
		for (i = 1; i < NF; i++) f[$i] = $(i + 1)
		printf "%-10s %5d clients: %7.0f acked/s  p50 %6d us  p99 %6d us  least %6d  cpu %6.1f us/record  (%s failed)\n",
			d, n, f["rate"], f["lat_p50_us"], f["lat_p99_us"],
			f["least_acked"], (a > 0 ? t * 1e6 / hz / a : 0), f["failed"]
	}' <<< "$out"
}

echo "# perf-remote: $rounds rounds, $secs s, flush $flush, RAW, $(date -u +%F)"
for r in $(seq "$rounds"); do
	for n in "${clients[@]}"; do
		run auditd "$n"
		run ringauditd "$n"
	done
done
