#!/usr/bin/env bash
# The wake-ups of an idle daemon, for PERF.md (issue 13): each daemon in
# turn registered with the kernel, no rules, no events, for SECONDS
# (default 20) after a 3-s settle; the context switches (voluntary and
# not) and CPU ticks of each of its threads, from /proc/PID/task/*.
#   tools/perf-idle.sh [SECONDS] [ROUNDS]    (ROUNDS default 2)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
secs=${1:-20}; rounds=${2:-2}
. tools/lib.sh
ra_bench_begin build
d=$(mktemp -d /tmp/ra-idle-XXXXXX)
cleanup() {
	ra_bench_end
	rm -rf "$d"
}
trap cleanup EXIT
ra_write_conf "$d" incremental_async
# per_thread PID: "TID NAME SWITCHES TICKS" for each of its threads.
per_thread() {
	local t
	for t in /proc/"$1"/task/*; do
		printf '%s %s %s %s\n' "${t##*/}" "$(tr ' ' _ < "$t/comm")" \
			"$(awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s }' "$t/status")" \
			"$(awk '{ print $14 + $15 }' "$t/stat")"
	done
}
for ((r = 1; r <= rounds; r++)); do
	for daemon in ringauditd auditd; do
		ra_start "$(ra_daemon_bin "$daemon")" "$d"
		sleep 3
		per_thread "$ra_pid" > "$d/a"
		sleep "$secs"
		per_thread "$ra_pid" > "$d/b"
		ra_stop
		echo "round $r, $daemon, $secs s idle:"
		# TID NAME SWITCHES TICKS, before then after.
		join <(sort "$d/a") <(sort "$d/b") | awk '{ s = $6 - $3; t += s
			printf "  %-16s %6d switches %3d ticks\n", $2, s, $7 - $4 }
			END { printf "  %-16s %6d switches\n", "total", t }'
	done
done
