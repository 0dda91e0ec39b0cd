#!/usr/bin/env bash
# The log server under a fleet, side by side: auditd 3.0.9 and ringauditd,
# each with local_events = no and tcp_listen_port, the same auditd.conf
# (RAW), under `ringaudit-bench --remote` (N clients, each from a loopback
# address of its own, tcp_max_per_addr = 1), alternating in each round
# (the order swapped every other round).  For each N and each mode, one
# fresh server and one run of the tool:
#   - N idle connections for 2 s: the server's VmRSS and VmData before
#     and after, over N (memory per idle connection);
#   - stop-and-wait (window 1, as audisp-remote), as fast as the acks
#     come, SECONDS: records/s in all and per client, ack p50/p99, lost;
#   - pipelined (window WINDOW, default 16), as fast: the highest rate
#     the server takes, and whether every record was acked (lost 0, no
#     client dropped);
#   - the server's CPU (utime+stime) per record acked.
# Modes: `written` (flush = incremental_async, both: an ack once the line
# is written) and `durable` (flush = sync, and ringauditd's remote_ack =
# durable: an ack once a sync covers the record; auditd has no durable
# ack: it syncs each record under flush = sync, then acks).
#   tools/perf-fleet.sh [ROUNDS] [SECONDS] [CLIENTS...]
# defaults: 2 rounds, 5 s, 10 1000 5000 clients.  Environment: MODES
# ("written durable"), WINDOW (16), NOFILE (20000: the servers' open-file
# limit, soft and hard; the tool has 20,000), GRACE (5: seconds after the load for
# the replies owed; a record unanswered by then counts as lost), OUT (the
# JSON lines, one per run, with daemon, mode and round added; default
# /var/tmp/ra-fleet-<date>.jsonl).
# tcp_listen_queue 1024 (with auditd's default of 5, a fleet's
# back-to-back connects overflow the listen queue and each dropped SYN
# costs its client seconds; see perf-remote.sh); ringauditd's
# tcp_max_clients N + 64 (at least its default, 1024).  The tool runs
# under nice 19,
# the servers not.  auditd runs under the kernel lock, as every run of a
# daemon that might register does.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}; secs=${2:-5}
shift $(($# > 2 ? 2 : $#))
clients=("$@")
[ ${#clients[@]} -gt 0 ] || clients=(10 1000 5000)
read -r -a modes <<< "${MODES:-written durable}"
window=${WINDOW:-16}
grace=${GRACE:-5}
out=${OUT:-/var/tmp/ra-fleet-$(date -u +%Y%m%dT%H%M%S).jsonl}
touch "$out"
. tools/lib.sh
nice -n 19 cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
nice -n 19 cmake --build build -j"$(nproc)" --target ringauditd \
	ringaudit-bench >/dev/null
exec 9>/run/ringaudit-kernel.lock
flock 9
ulimit -n 20000
nofile=${NOFILE:-20000}
d=$(mktemp -d /var/tmp/ra-fleet-perf-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" || true
	rm -rf "$d"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port in no socket, in 30000..32699: below the kernel's ephemeral ports.
free_port() {
	local p
	while :; do
		p=$((30000 + RANDOM % 2700))
		[ -z "$(ss -Hatn "( sport = :$p or dport = :$p )")" ] &&
			{ echo "$p"; return; }
	done
}

# run DAEMON N MODE ROUND: one server, one run of the tool.
run() {
	local daemon=$1 n=$2 mode=$3 round=$4 flush=incremental_async port
	local lines
	[ "$mode" = durable ] && flush=sync
	rm -rf "$d/log" && mkdir -p "$d/log"
	port=$(free_port)
	ra_server_conf "$d" "$flush" "$port" 1
	echo "tcp_max_clients = $((n + 64 < 1024 ? 1024 : n + 64))" >> "$d/ringauditd.conf"
	[ "$mode" = durable ] && echo "remote_ack = durable" >> "$d/ringauditd.conf"
	ra_start_server "$daemon" "$d" "$port" "$nofile"
	pid=$ra_pid
	lines=$(wc -l < "$out" 2>/dev/null || echo 0)
	nice -n 19 build/ringaudit-bench --remote "127.0.0.1:$port" \
		--clients "$n" --window "1,$window" --rate max \
		--duration "$secs" --grace "$grace" --idle 2 --server-pid "$pid" --json \
		--tag "$daemon-$mode" 2>>"$d/tool.err" |
		jq -c --arg d "$daemon" --arg m "$mode" --argjson r "$round" \
			'. + {daemon: $d, flush_mode: $m, round: $r}' >> "$out" || true
	kill -TERM "$pid"
	wait "$pid" || true
	pid=
	tail -n +$((lines + 1)) "$out" | jq -r '[.daemon, .flush_mode, .clients, .window,
		.rate, .rate_per_client, .lat_p50_us / 1000, .lat_p99_us / 1000,
		.lost, .dropped, .cpu_us_per_record, .rss_kb_per_idle_conn,
		.connected, .verdict] |
		"\(.[0]) \(.[1]) \(.[2]) clients w\(.[3]): \(.[4] | floor)/s (\(.[5] * 10 | floor / 10)/client) p50 \(.[6] * 100 | floor / 100) ms p99 \(.[7] * 100 | floor / 100) ms lost \(.[8]) dropped \(.[9]) cpu \(.[10] * 10 | floor / 10) us/rec idle \(.[11] * 100 | floor / 100) KiB/conn connected \(.[12]) \(.[13])"'
}

echo "# perf-fleet: $rounds rounds, $secs s (grace $grace s), windows 1 and $window," \
	"RAW, $(git rev-parse --short HEAD), $(date -u +%F); JSON lines in $out"
for r in $(seq "$rounds"); do
	order=(auditd ringauditd)
	[ $((r % 2)) = 0 ] && order=(ringauditd auditd)
	for mode in "${modes[@]}"; do
		for n in "${clients[@]}"; do
			for daemon in "${order[@]}"; do
				run "$daemon" "$n" "$mode" "$r"
			done
		done
	done
done
echo "# mode | window | clients | auditd acked/s | ringauditd | ratio | per client a / r |" \
	"auditd p50, p99 | ringauditd p50, p99 | CPU us/record a / r | lost a / r"
jq -rs -f tools/perf-fleet.jq "$out"
