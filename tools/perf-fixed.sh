#!/usr/bin/env bash
# One fixed-rate run on a fresh daemon, for the CPU-per-event and latency
# figures in PERF.md: ringaudit-bench with two generator threads for 3 s at
# RATE events/s (backlog_wait_time 0), then, for ringauditd, its state
# report's latency quantiles, its syncs and, of those, the syncs sent
# beside another (group commit).
#   tools/perf-fixed.sh [ringauditd|auditd|PATH] [FLUSH] [RATE] [FORMAT]
# defaults: ringauditd incremental_async 20000 RAW.  PATH: another
# ringauditd binary (an A/B of two builds).
set -euo pipefail
cd "$(dirname "$0")/.."
daemon=${1:-ringauditd}; flush=${2:-incremental_async}
rate=${3:-20000}; fmt=${4:-RAW}
. tools/lib.sh
ra_bench_begin build
d=$(mktemp -d /tmp/ra-fixed-XXXXXX)
cleanup() {
	ra_bench_end
	rm -rf "$d"
}
trap cleanup EXIT
ra_write_conf "$d" "$flush" "$fmt"
ra_start "$(ra_daemon_bin "$daemon")" "$d"
build/ringaudit-bench --rate "$rate" --duration 3 --threads 2 \
	--log "$d/log/audit.log" --pid "$ra_pid" --json --quiet > "$d/r.json" || true
r=$(sed -n 's/.*"written":\([0-9]*\).*"lost":\([0-9]*\).*"cpu_us_per_event":\([0-9.]*\).*/written=\1 lost=\2 cpu_us\/event=\3/p' "$d/r.json")
lat=
if [ "$daemon" != auditd ]; then
	kill -CONT "$ra_pid"
	sleep 0.3
	[ -e "$d/auditd.state" ] && lat=$(awk -F' = ' \
		'/^receive->(written|durable) (p50|p99|p99.9|max) us/ {
			sub(/^receive->/, "", $1); sub(/ us$/, "", $1)
			printf "%s=%sus ", $1, $2 }
		$1 == "syncs" { printf "syncs=%s ", $2 }
		$1 == "syncs beside another" { printf "beside=%s ", $2 }' \
		"$d/auditd.state")
fi
echo "$daemon $flush $rate/s $fmt: $r $lat"
