#!/usr/bin/env bash
# CPU and wake-ups per event at the rates most servers see, side by side
# (issue 13): for each round, format and rate, each daemon in turn (the
# order swapped every other round) registered on the same auditd.conf
# (flush incremental_async), ringaudit-bench making RATE events/s for a
# duration long enough to count well (40 s at 100/s, 20 s at 1,000/s,
# 10 s above), backlog_wait_time 0.  Per run:
#   - CPU per event: the daemon's utime+stime over the run
#     (/proc/PID/stat: exited threads included), over the events written;
#     at 100/s for 40 s, auditd's ~0.5 s is about 50 ticks of 10 ms;
#   - context switches per event: voluntary and not, summed over the
#     daemon's threads (/proc/PID/task/*/status, before and after; a
#     kernel io_uring worker that came and went in between is not seen);
#   - lost: what the kernel dropped.
# Prints one line per run and, at the end, each daemon's ratio to auditd
# (means of the rounds).  A second ringauditd binary can be measured
# beside them: DAEMONS="ringauditd auditd /path/to/old/ringauditd"; and
# the floor, the least a daemon can do (build/ra-floor): DAEMONS="ringauditd
# auditd floor".
#   tools/perf-cpu.sh [ROUNDS] [RATES...]   (default 2; 100 1000 5000 20000)
# Env: FORMATS (default "RAW ENRICHED"), DAEMONS (default "ringauditd
# auditd"), OUT (JSON lines; default /var/tmp/ra-cpu-<date>.jsonl),
# THREADS=1: also each thread's switches over the run, by thread name,
# and its CPU time (ms, from /proc's schedstat: exact, where the ticks
# of /proc/PID/stat count 10 ms; a thread that came and went in between
# is not seen);
# WRITES=1: also ringauditd's writes made at once, slow ones and syncs
# (its state report, SIGCONT);
# PLUGIN=1: one plugin active (`exec cat > /dev/null`, format string), its
# own CPU per event said beside the daemon's (not in the daemon's);
# PROFILE=DIR: also `perf record -g` of each ringauditd run, into
# DIR/<format>-<rate>-<n>.data (n: the daemon's place in DAEMONS);
# SYSCALLS=1: also the daemon's system calls over the run, by name, those
# made at least once (`perf stat` on the syscalls:sys_enter_* tracepoints
# of the threads there at the start: io_uring's requests are not system
# calls, and its workers are the kernel's);
# RA_CONF: lines added to ringauditd.conf (printf %b: 'gather_ms = 50\n').
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
rounds=${1:-2}
shift || true
read -r -a rates <<< "${*:-100 1000 5000 20000}"
read -r -a formats <<< "${FORMATS:-RAW ENRICHED}"
read -r -a daemons <<< "${DAEMONS:-ringauditd auditd}"
out=${OUT:-/var/tmp/ra-cpu-$(date +%Y%m%d-%H%M%S).jsonl}
. tools/lib.sh
ra_bench_begin build
d=$(mktemp -d /tmp/ra-cpu-XXXXXX)
chmod 755 "$d"
printf '#!/bin/sh\nexec cat > /dev/null\n' > "$d/fast"
chmod 0750 "$d/fast"
cleanup() {
	ra_bench_end
	rm -rf "$d"
}
trap cleanup EXIT

secs_for() { if [ "$1" -le 100 ]; then echo 40; elif [ "$1" -le 1000 ]; then echo 20; else echo 10; fi; }
# switches PID: context switches of all its threads now.
switches() {
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/^(non)?voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }'
}
ticks() { awk '{ print $14 + $15 }' /proc/"$1"/stat; }
# per_thread PID: "TID NAME SWITCHES RUN_NS" for each of its threads now.
per_thread() {
	local t
	for t in /proc/"$1"/task/*; do
		awk -v tid="${t##*/}" -v name="$(cat "$t/comm" 2>/dev/null)" \
		    -v ns="$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null)" \
		    '/^(non)?voluntary_ctxt_switches/ { s += $2 }
		    END { print tid, name, s + 0, ns + 0 }' "$t/status" 2>/dev/null || true
	done
}
hz=$(getconf CLK_TCK)
syscall_events=
for n in read write pwrite64 recvfrom recvmsg recvmmsg sendto ppoll poll \
    epoll_wait epoll_pwait futex fsync fdatasync io_uring_enter \
    clock_nanosleep nanosleep newfstatat fstatfs; do
	syscall_events+=${syscall_events:+,}syscalls:sys_enter_$n
done

echo "# perf-cpu: $rounds rounds, rates ${rates[*]}, ${formats[*]}, incremental_async, $(git rev-parse --short HEAD), $(date +%F); JSON lines in $out"
for ((r = 1; r <= rounds; r++)); do
	order=("${daemons[@]}")
	if ((r % 2 == 0)); then
		order=()
		for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do order+=("${daemons[$i]}"); done
	fi
	for fmt in "${formats[@]}"; do
		for rate in "${rates[@]}"; do
			secs=$(secs_for "$rate")
			for daemon in "${order[@]}"; do
				rm -rf "$d/log" "$d/plugins.d"
				ra_write_conf "$d" incremental_async "$fmt"
				[ -z "${PLUGIN:-}" ] || printf 'active = yes\ndirection = out\npath = %s\ntype = always\nformat = string\n' \
					"$d/fast" > "$d/plugins.d/fast.conf"
				ra_start "$(ra_daemon_bin "$daemon")" "$d"
				sleep 1
				s0=$(switches "$ra_pid") t0=$(ticks "$ra_pid")
				kid=$(pgrep -P "$ra_pid" | head -1 || true)
				k0=$([ -z "$kid" ] || ticks "$kid")
				[ -z "${THREADS:-}" ] || per_thread "$ra_pid" > "$d/th0"
				prof=
				if [ -n "${PROFILE:-}" ] && [ "$daemon" != auditd ]; then
					mkdir -p "$PROFILE"
					n=0
					for x in "${daemons[@]}"; do [ "$x" = "$daemon" ] && break; n=$((n + 1)); done
					perf record -q -g -F 4999 -p "$ra_pid" \
					    -o "$PROFILE/$fmt-$rate-$n.data" -- sleep "$secs" \
					    > /dev/null 2>&1 &
					prof=$!
				fi
				sc=
				if [ -n "${SYSCALLS:-}" ]; then
					perf stat -x, -o "$d/sc.csv" -p "$ra_pid" \
					    -e "$syscall_events" -- sleep "$secs" \
					    > /dev/null 2>&1 &
					sc=$!
				fi
				build/ringaudit-bench --rate "$rate" --duration "$secs" \
					--threads 1 --log "$d/log/audit.log" --json --quiet \
					> "$d/r.json" || true
				s1=$(switches "$ra_pid") t1=$(ticks "$ra_pid")
				[ -z "$prof" ] || wait "$prof" || true
				if [ -n "$sc" ]; then
					wait "$sc" || true
					awk -F, '$1 ~ /^[0-9]+$/ && $1 > 0 {
					    sub(/.*sys_enter_/, "", $3); printf "  %s %d", $3, $1 }
					    END { print "" }' "$d/sc.csv"
				fi
				k1=$([ -z "$kid" ] || ticks "$kid")
				if [ -n "${THREADS:-}" ]; then
					# Switches of each thread over the run, by name.
					per_thread "$ra_pid" > "$d/th1"
					awk 'NR == FNR { b[$1] = $3; c[$1] = $4; next }
					    { s[$2] += $3 - b[$1]; ms[$2] += ($4 - c[$1]) / 1e6 }
					    END { for (n in s) printf "  %s %d (%.1f ms)", n, s[n], ms[n]; print "" }' \
					    "$d/th0" "$d/th1"
				fi
				if [ -n "${WRITES:-}" ] && [ "$daemon" != auditd ] &&
				    [ "$daemon" != floor ]; then
					# The writer's own counts (the state report).
					rm -f "$d/auditd.state"
					kill -CONT "$ra_pid"
					for _ in 1 2 3 4 5 6 7 8 9 10; do
						[ -s "$d/auditd.state" ] && break
						sleep 0.1
					done
					grep -E '^(writes made at once|slow writes made at once|writes made at once kept from the CPU|syncs) = ' \
						"$d/auditd.state" 2>/dev/null | tr '\n' ' ' | sed 's/^/  /; s/ $/\n/' || true
				fi
				ra_stop
				written=$(sed -n 's/.*"written":\([0-9]*\).*/\1/p' "$d/r.json")
				lost=$(sed -n 's/.*"lost":\([0-9]*\).*/\1/p' "$d/r.json")
				written=${written:-0}
				awk -v dm="$daemon" -v f="$fmt" -v rate="$rate" -v r="$r" \
				    -v w="$written" -v lost="${lost:-?}" -v s=$((s1 - s0)) \
				    -v t=$((t1 - t0)) -v hz="$hz" -v secs="$secs" \
				    -v k=$(( ${k1:-0} - ${k0:-0} )) -v plug="${PLUGIN:-none}" 'BEGIN {
					us = w > 0 ? t * 1e6 / hz / w : -1
					sw = w > 0 ? s / w : -1
					ku = w > 0 ? k * 1e6 / hz / w : -1
					printf "%s %s %d/s round %d: %d written in %d s, lost %s, CPU %.1f us/event (%d ticks), %.2f switches/event", dm, f, rate, r, w, secs, lost, us, t, sw
					if (plug != "none") printf "; plugin %.1f us/event (%d ticks)", ku, k
					print ""
					printf "{\"daemon\":\"%s\",\"format\":\"%s\",\"rate\":%d,\"round\":%d,\"plugin\":\"%s\",\"written\":%d,\"lost\":\"%s\",\"ticks\":%d,\"switches\":%d,\"us_per_event\":%.3f,\"switches_per_event\":%.4f,\"plugin_ticks\":%d}\n", dm, f, rate, r, plug, w, lost, t, s, us, sw, k > "/dev/stderr"
				}' 2>> "$out"
			done
		done
	done
done
echo "# format | rate | daemon | its CPU per event / auditd's | switches per event, its / auditd's"
awk -F'[:,"]+' '
	{ for (i = 2; i < NF; i += 2) v[$i] = $(i + 1)
	  k = v["format"] " " v["rate"]; d = v["daemon"]
	  cpu[k, d] += v["us_per_event"]; sw[k, d] += v["switches_per_event"]; n[k, d]++
	  keys[k] = 1; dms[d] = 1 }
	END { for (k in keys) for (d in dms) {
		if (d == "auditd" || !n[k, d])
			continue
		a = n[k, "auditd"] ? cpu[k, "auditd"] / n[k, "auditd"] : 0
		b = cpu[k, d] / n[k, d]
		sa = n[k, "auditd"] ? sw[k, "auditd"] / n[k, "auditd"] : 0
		sb = sw[k, d] / n[k, d]
		# Without auditd in DAEMONS there is no ratio to give.
		if (a > 0)
			printf "%s | %s | %.1f / %.1f us = %.2f | %.2f / %.2f\n", k, d, b, a, b / a, sb, sa
		else
			printf "%s | %s | %.1f us (no auditd run) | %.2f\n", k, d, b, sb } }' "$out" | sort -k1,1 -k2n -k4
