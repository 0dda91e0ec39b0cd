#!/usr/bin/env bash
# Side by side in one run: Debian's auditd 3.0.9 and ringauditd as the
# kernel's audit daemon, on the same auditd.conf and the same load (ra-gen
# making N getpriority calls as fast as it can, one audit event each), then
# SIGTERM at once.  Prints one row per daemon and flush mode: the
# generator's rate (the kernel throttles it when the daemon falls behind),
# the events in the log, the kernel's lost counter, and the daemon's CPU.
#   tools/compare.sh [N] [flush modes...]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}; shift || true
modes=("${@:-incremental_async sync}")
read -r -a modes <<< "${modes[*]}"

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target ringauditd ra-gen >/dev/null
status() { auditctl -s | awk -v k="$1" '$1 == k { print $2 }'; }
exec 9>/run/ringaudit-kernel.lock
flock 9
[ "$(status pid)" = 0 ] || { echo "an audit daemon is registered" >&2; exit 1; }
enabled=$(status enabled); backlog=$(status backlog_limit)
wait_time=$(status backlog_wait_time)
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" || true
	auditctl -D >/dev/null 2>&1 || true
	auditctl -b "$backlog" --backlog_wait_time "$wait_time" >/dev/null 2>&1 || true
	[ "$enabled" != 2 ] && auditctl -e "$enabled" >/dev/null 2>&1 || true
}
trap cleanup EXIT
work=$(mktemp -d /tmp/ra-compare-XXXXXX)
tck=$(getconf CLK_TCK)
printf '%-11s %-18s %10s %10s %8s %8s %10s\n' daemon flush gen/s logged \
	lost cpu_s cpu_us/ev
for flush in "${modes[@]}"; do
	for daemon in auditd ringauditd; do
		d=$work/$daemon-$flush
		mkdir -p "$d/log" "$d/plugins.d"
		cat > "$d/auditd.conf" <<CONF
write_logs = yes
log_file = $d/log/audit.log
log_group = root
log_format = RAW
flush = $flush
freq = 50
priority_boost = 4
name_format = NONE
max_log_file = 1000
max_log_file_action = IGNORE
space_left = 75
space_left_action = SYSLOG
admin_space_left = 50
admin_space_left_action = SUSPEND
disk_full_action = SUSPEND
disk_error_action = SUSPEND
plugin_dir = $d/plugins.d
CONF
		chmod 600 "$d/auditd.conf"
		if [ $daemon = auditd ]; then bin=/usr/sbin/auditd; else bin=build/ringauditd; fi
		"$bin" -n -c "$d" 2>"$d/stderr" &
		pid=$!
		for _ in $(seq 50); do [ "$(status pid)" = "$pid" ] && break; sleep 0.1; done
		auditctl -b 8192 --backlog_wait_time 15000 >/dev/null
		auditctl -a always,exit -F arch=b64 -S getpriority -F ppid=$$ -k ra_cmp >/dev/null
		lost0=$(status lost)
		build/ra-gen "$n" > "$d/gen.txt"	# a child of this shell: ppid=$$
		rate=$(awk '{ print $(NF-1) }' "$d/gen.txt")
		read -r ut st < <(awk '{ print $14, $15 }' /proc/$pid/stat)
		kill -TERM "$pid"; wait "$pid" || true; pid=
		lost=$(( $(status lost) - lost0 ))
		auditctl -D >/dev/null
		got=$(grep -c '^type=SYSCALL .*key="ra_cmp"$' "$d/log/audit.log" || true)
		cpu=$(awk -v u="$ut" -v s="$st" -v t="$tck" 'BEGIN { printf "%.2f", (u + s) / t }')
		per=$(awk -v c="$cpu" -v n="$got" 'BEGIN { printf "%.1f", n ? c * 1e6 / n : 0 }')
		printf '%-11s %-18s %10s %10s %8s %8s %10s\n' $daemon $flush "$rate" \
			"$got/$n" "$lost" "$cpu" "$per"
	done
done
rm -rf "$work"
