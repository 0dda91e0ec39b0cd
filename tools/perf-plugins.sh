#!/usr/bin/env bash
# PERF.md's "Plugins (issue 10)", in one run: ringauditd and Debian's
# auditd 3.0.9, alternating, on the same auditd.conf (flush
# incremental_async, FORMAT), each with no plugin, one fast plugin
# (`exec cat > /dev/null`) and one stopped plugin (`exec sleep`: it never
# reads).  For each, on one daemon, with tools/ringaudit-bench and two
# generator threads, the highest rate with zero lost (--sweep,
# --wait-time 0, backlog_limit 8192), as in perf-table.sh; where even LO
# loses, the events the daemon writes per second with the kernel's
# backlog full (its steady rate, marked †); and for ringauditd, what
# its plugin dropped in 5 s more at that rate.  No throttled rate: with the
# kernel's wait a generator thread may miss its wake-up and sleep the
# whole backlog_wait_time (60 s), whatever the daemon does.
# Each as a fraction of the same daemon's no-plugin figure.  Then, on
# a fresh daemon per row, CPU per event at each of RATES (EVENTS events):
# the whole daemon (ringaudit-bench), its threads one by one
# (/proc/PID/task, in creation order: ringauditd's are main, disp,
# writer, worker, ingest) and the plugin's process; and the cost per
# record over the no-plugin row (3 records an event: SYSCALL, PROCTITLE,
# EOE).  Markdown on stdout and in OUT/summary.md, each step's JSON in
# OUT (default ./perf-out/plugins-FORMAT), the logs removed.  Takes the
# kernel lock; puts the kernel's settings back.  With ROUNDS > 1 the
# sweeps are made that many times, each round all six in turn, and the
# median of each round's ratio is given: on two shared cores one sweep's
# figure moves by a third from one round to the next.
#   tools/perf-plugins.sh
# Env: FORMAT (RAW), SWEEP (LO:HI, 1000:150000), STEPS (8), ROUNDS (1),
#      RATES ("5000 20000"; "" for no CPU table), EVENTS (100000),
#      BUILD (build), OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=${FORMAT:-RAW}; sweep=${SWEEP:-1000:150000}; steps=${STEPS:-8}
read -r -a rates <<< "${RATES-5000 20000}"
rounds=${ROUNDS:-1}
events=${EVENTS:-100000}; build=${BUILD:-build}
out=${OUT:-$PWD/perf-out/plugins-$fmt}
. tools/lib.sh
ra_bench_begin "$build"
tmp=$(mktemp -d /tmp/ra-plugins-XXXXXX)
cleanup() {
	[ -z "$ra_pid" ] || stop
	ra_bench_end
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$out" "$tmp/plug"
chmod 755 "$tmp" "$tmp/plug"
printf '#!/bin/sh\nexec cat > /dev/null\n' > "$tmp/plug/fast"
printf '#!/bin/sh\nexec sleep 100000\n' > "$tmp/plug/stopped"
chmod 0750 "$tmp/plug/fast" "$tmp/plug/stopped"
bench=$build/ringaudit-bench
tck=$(getconf CLK_TCK)
jget() { sed -n "s/.*\"$1\":\\(\"[^\"]*\"\\|[^,}]*\\).*/\\1/p" | tr -d '"'; }
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }'; }

# setup DIR DAEMON COND: DIR's auditd.conf, with COND's plugin file.
setup() {
	rm -rf "$1"
	ra_write_conf "$1" incremental_async "$fmt"
	[ "$3" = none ] || printf 'active = yes\ndirection = out\npath = %s\ntype = always\nformat = string\n' \
		"$tmp/plug/$3" > "$1/plugins.d/$3.conf"
	bin=$(ra_daemon_bin "$2")
	[ "$2" = ringauditd ] && bin=$build/ringauditd
	ra_start "$bin" "$1"
	sleep 0.3			# the plugin started
	common=(--threads 2 --log "$1/log/audit.log" --pid "$ra_pid" --json --quiet)
}

# stop: the daemon, and its plugin if the daemon left it running (auditd
# leaves a plugin that never reads behind; it ignores SIGTERM, as every
# plugin auditd starts does: SIGKILL).
stop() {
	local kids
	kids=$(pgrep -P "$ra_pid" || true)
	ra_stop
	[ -z "$kids" ] || kill -KILL $kids 2>/dev/null || true
}

# ticks PID: "TID COMM TICKS" for each thread (utime+stime).
ticks() {
	cat /proc/"$1"/task/*/stat 2>/dev/null |
		sed 's/^\([0-9]*\) (\(.*\)) . /\1 \2 /' |
		awk '{ print $1, $2, $13 + $14 }' | sort -n
}
# pstate: "offered dropped" over ringauditd's plugins, from its state
# report (SIGCONT; auditd's would go to /run).
pstate() {
	kill -CONT "$ra_pid"; sleep 0.5
	awk -F' = ' '/^plugin .* offered/ { o += $2 } /^plugin .* dropped/ { x += $2 }
		END { print o + 0, x + 0 }' "$d/auditd.state"
}
# kids PID: the CPU ticks of PID's child processes (the plugin).
kids() {
	local c t=0
	for c in $(pgrep -P "$1" || true); do
		t=$((t + $(ticks "$c" | awk '{ s += $3 } END { print s + 0 }')))
	done
	echo "$t"
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD)," \
	"$(nproc) cores, kernel $(uname -r), $fmt, incremental_async" | tee "$out/summary.md"
printf '\n| plugin | daemon | lossless/s | next step | of none | plugin dropped at that rate |\n|---|---|---:|---|---:|---:|\n' |
	tee -a "$out/summary.md"
declare -A best ratios
for round in $(seq "$rounds"); do
for cond in none fast stopped; do
	for daemon in ringauditd auditd; do
		d=$out/$daemon-$cond-r$round
		setup "$d" "$daemon" "$cond"
		"$bench" --sweep "$sweep" --sweep-steps "$steps" --duration 2 \
			--wait-time 0 "${common[@]}" > "$d/sweep.json" || true
		res=$(grep -- '-result"' "$d/sweep.json" || true)
		b=$(jget lossless_achieved <<< "$res"); why=$(jget failing_verdict <<< "$res")
		[ "$why" != null ] || why="HI passed"
		mark='' drop=-
		if [ "$daemon" = ringauditd ] && [ "$cond" != none ] && [ "$b" != null ]; then
			# The log lost nothing at that rate; did the plugin?
			s0=$(pstate)
			"$bench" --rate "$(jget lossless_rate <<< "$res")" --duration 5 \
				--wait-time 0 "${common[@]}" > "$d/at.json" || true
			s1=$(pstate)
			drop="$((${s1#* } - ${s0#* })) of $((${s1% *} - ${s0% *}))"
		fi
		if [ "$b" = null ]; then
			# Even LO failed: its steady rate instead.  A burst fills
			# the plugin's queue and the kernel's backlog; the events
			# it writes in the next 10 s are what it sustains.  (No
			# auditctl meanwhile: above backlog_limit the kernel
			# holds it for backlog_wait_time.)
			"$bench" --rate 5000 --duration 2 --wait-time 0 --settle 0.1 \
				"${common[@]}" > "$d/fill.json" || true
			e0=$(grep -c '^type=SYSCALL' "$d/log/audit.log" || true)
			sleep 10
			e1=$(grep -c '^type=SYSCALL' "$d/log/audit.log" || true)
			b=$(( (e1 - e0) / 10 )); mark=†
		fi
		stop; rm -rf "$d/log"	# GBs; the JSON stays
		b=$(printf '%.0f' "${b:-0}"); best[$daemon-$cond]=$b
		r=$(ratio "$b" "${best[$daemon-none]}")
		ratios[$daemon-$cond]+="$r "
		printf '| %s | %s | %s%s | %s | %s | %s |\n' "$cond" "$daemon" "$b" "$mark" \
			"${why:--}" "$r" "$drop" | tee -a "$out/summary.md"
	done
done
done
if [ "$rounds" -gt 1 ]; then
	printf '\n| plugin | daemon | of none, each round | median |\n|---|---|---|---:|\n' |
		tee -a "$out/summary.md"
	for cond in fast stopped; do
		for daemon in ringauditd auditd; do
			# shellcheck disable=SC2086
			printf '| %s | %s | %s | %s |\n' "$cond" "$daemon" "${ratios[$daemon-$cond]% }" \
				"$(printf '%s\n' ${ratios[$daemon-$cond]} | grep -v -- - | sort -n |
					awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2); else print "-" }')" |
				tee -a "$out/summary.md"
		done
	done
fi
echo "† no step passed, not even LO: events written per second with the backlog full." |
	tee -a "$out/summary.md"

[ "${#rates[@]}" -gt 0 ] &&
printf '\n| rate | plugin | daemon | written | lost | CPU us/ev | per thread us/ev | plugin us/ev | +ns/record |\n|---:|---|---|---:|---:|---:|---|---:|---:|\n' |
	tee -a "$out/summary.md"
declare -A cpu
for rate in "${rates[@]}"; do
	for cond in none fast stopped; do
		for daemon in ringauditd auditd; do
			d=$out/$daemon-$cond-$rate
			setup "$d" "$daemon" "$cond"
			ticks "$ra_pid" > "$d/t0"; k0=$(kids "$ra_pid")
			"$bench" --rate "$rate" --count "$events" --wait-time 0 \
				"${common[@]}" > "$d/fixed.json" || true
			ticks "$ra_pid" > "$d/t1"; k1=$(kids "$ra_pid")
			stop; rm -rf "$d/log"
			w=$(jget written < "$d/fixed.json" | head -1)
			lost=$(jget lost < "$d/fixed.json" | head -1)
			c=$(jget cpu_us_per_event < "$d/fixed.json" | head -1)
			cpu[$daemon-$rate-$cond]=$c
			per=$(awk -v w="$w" -v tck="$tck" -v dm="$daemon" '
				BEGIN { split(dm == "ringauditd" ? "main disp writer worker ingest" : "main", nm) }
				NR == FNR { t0[$1] = $3; next }
				{ k = $2 ~ /^iou-/ ? "io" : ++n in nm ? nm[n] : "t" n
				  if (!(k in v)) order[++m] = k; v[k] += $3 - t0[$1] }
				END { for (i = 1; i <= m; i++)
					printf "%s%s %.1f", (i > 1 ? ", " : ""), order[i], v[order[i]] * 1e6 / tck / w }' \
				"$d/t0" "$d/t1")
			pl=$(awk -v a="$k0" -v b="$k1" -v w="$w" -v tck="$tck" \
				'BEGIN { printf "%.1f", (b - a) * 1e6 / tck / w }')
			plus=$(awk -v a="$c" -v b="${cpu[$daemon-$rate-none]}" -v c="$cond" -v l="$lost" \
				'BEGIN { if (c == "none" || l != 0) print "-"; else printf "%.0f", (a - b) * 1000 / 3 }')
			[ "$lost" = 0 ] || c="$c*"
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$rate" "$cond" \
				"$daemon" "$w" "$lost" "$c" "$per" "$pl" "$plus" | tee -a "$out/summary.md"
		done
	done
done
[ "${#rates[@]}" -eq 0 ] ||
	echo "* lost records: CPU over the few events written." | tee -a "$out/summary.md"
