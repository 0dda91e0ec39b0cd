#!/usr/bin/env bash
# The daemon's main job, end to end: install what is needed, build, start
# ringauditd as the kernel's audit daemon on a demo configuration that logs
# under ./demo/, load one rule, make events, stop the daemon cleanly, and
# show the events through ausearch.  Leaves the kernel as it found it.
#   tools/demo.sh [EVENTS]          (default 50000; ausearch itself takes
#                                    minutes past a few hundred thousand)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-50000}

tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRA_TESTS=OFF \
	-DRA_BENCH=OFF >/dev/null
cmake --build build -j"$(nproc)" --target ringauditd ra-gen >/dev/null

. tools/lib.sh
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: must run as root (it registers with the kernel)" >&2
	exit 1
fi
ra_lock

demo=$PWD/demo
rm -rf "$demo"
ra_write_conf "$demo" INCREMENTAL_ASYNC

enabled=$(ra_status enabled)
backlog=$(ra_status backlog_limit)
lost0=$(ra_status lost)
daemon=
cleanup() {
	[ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" || true
	auditctl -D >/dev/null 2>&1 || true
	auditctl -b "$backlog" >/dev/null 2>&1 || true
	[ "$enabled" != 2 ] && auditctl -e "$enabled" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== starting ringauditd -n -c $demo"
build/ringauditd -n -c "$demo" 2> "$demo/ringauditd.stderr" &
daemon=$!
ra_wait_registered "$daemon" || { cat "$demo/ringauditd.stderr"; exit 1; }
auditctl -b 8192 >/dev/null
auditctl -a always,exit -F arch=b64 -S getpriority -F ppid=$$ \
	-k ringaudit_demo >/dev/null

echo "== making $events getpriority calls (one audit event each)"
start=$(date +%s.%N)
build/ra-gen "$events"
echo "== stopping ringauditd right after the last call"
kill -TERM "$daemon"
wait "$daemon"
end=$(date +%s.%N)
daemon=
lost1=$(ra_status lost)

log=$demo/log/audit.log
written=$(grep -c '^type=SYSCALL .*key="ringaudit_demo"$' "$log" || true)
found=$(ausearch -if "$log" -k ringaudit_demo -sc getpriority --raw 2>/dev/null |
	grep -c '^type=SYSCALL' || true)
echo "== ringauditd said:"
cat "$demo/ringauditd.stderr"
echo "== the last events, through ausearch -i:"
tail -n 12 "$log" > "$demo/tail.log"
ausearch -if "$demo/tail.log" -k ringaudit_demo -sc getpriority -i 2>/dev/null |
	tail -n 4
echo "== first and last lines of $log:"
head -n 1 "$log"
tail -n 1 "$log"
echo
printf '%-34s %s\n' "events made:" "$events" \
	"events in the log (grep):" "$written" \
	"events ausearch finds:" "$found" \
	"kernel lost counter change:" "$((lost1 - lost0))"
awk -v n="$written" -v a="$start" -v b="$end" \
	'BEGIN { printf "%-34s %.0f events/s\n", "start of load to daemon exit:", n / (b - a) }'
[ "$written" = "$events" ] && [ "$found" = "$events" ]
