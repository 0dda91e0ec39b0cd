#!/usr/bin/env bash
# Side by side in one run: Debian's auditd 3.0.9 and ringauditd as the
# kernel's audit daemon, on the same auditd.conf and the same load (ra-gen
# making N getpriority calls as fast as it can, one audit event each), then
# SIGTERM at once.  Prints one row per daemon and flush mode: the
# generator's rate (the kernel throttles it when the daemon falls behind),
# the events in the log, the kernel's lost counter, and the daemon's CPU.
#   tools/compare.sh [N] [flush modes...]
# RA_CONF_EXTRA: lines appended to the auditd.conf of both (a later key
# wins in both), e.g. rotation under load:
#   RA_CONF_EXTRA=$'max_log_file = 1\nmax_log_file_action = ROTATE\nnum_logs = 99'
# Events are counted across the log and its rotated files.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}; shift || true
modes=("${@:-incremental_async sync}")
read -r -a modes <<< "${modes[*]}"

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target ringauditd ra-gen >/dev/null
. tools/lib.sh
ra_lock
enabled=$(ra_status enabled); backlog=$(ra_status backlog_limit)
wait_time=$(ra_status backlog_wait_time)
cleanup() {
	ra_stop
	auditctl -D >/dev/null 2>&1 || true
	auditctl -b "$backlog" --backlog_wait_time "$wait_time" >/dev/null 2>&1 || true
	[ "$enabled" != 2 ] && auditctl -e "$enabled" >/dev/null 2>&1 || true
}
trap cleanup EXIT
work=$(mktemp -d /tmp/ra-compare-XXXXXX)
tck=$(getconf CLK_TCK)
printf '%-11s %-18s %10s %10s %8s %8s %10s %5s\n' daemon flush gen/s logged \
	lost cpu_s cpu_us/ev logs
for flush in "${modes[@]}"; do
	for daemon in auditd ringauditd; do
		d=$work/$daemon-$flush
		ra_write_conf "$d" "$flush"
		[ -n "${RA_CONF_EXTRA:-}" ] && printf '%s\n' "$RA_CONF_EXTRA" >> "$d/auditd.conf"
		ra_start "$(ra_daemon_bin $daemon)" "$d"
		auditctl -b 8192 --backlog_wait_time 15000 >/dev/null
		auditctl -a always,exit -F arch=b64 -S getpriority -F ppid=$$ -k ra_cmp >/dev/null
		lost0=$(ra_status lost)
		build/ra-gen "$n" > "$d/gen.txt"	# a child of this shell: ppid=$$
		rate=$(awk '{ print $(NF-1) }' "$d/gen.txt")
		read -r ut st < <(awk '{ print $14, $15 }' /proc/$ra_pid/stat)
		ra_stop
		lost=$(( $(ra_status lost) - lost0 ))
		auditctl -D >/dev/null
		got=$(cat "$d"/log/audit.log* | grep -c '^type=SYSCALL .*key="ra_cmp"$' || true)
		logs=$(ls "$d"/log/audit.log* | wc -l)
		cpu=$(awk -v u="$ut" -v s="$st" -v t="$tck" 'BEGIN { printf "%.2f", (u + s) / t }')
		per=$(awk -v c="$cpu" -v n="$got" 'BEGIN { printf "%.1f", n ? c * 1e6 / n : 0 }')
		printf '%-11s %-18s %10s %10s %8s %8s %10s %5s\n' $daemon $flush "$rate" \
			"$got/$n" "$lost" "$cpu" "$per" "$logs"
	done
done
rm -rf "$work"
