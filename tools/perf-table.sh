#!/usr/bin/env bash
# PERF.md's side-by-side tables, in one run: the kernel's own limit
# (ringaudit-bench --drain), then ringauditd and Debian's auditd 3.0.9 as
# the registered daemon on the same auditd.conf, for each flush mode, RAW
# and ENRICHED.  For each it measures, with tools/ringaudit-bench:
#   - the highest rate with zero lost at backlog_wait_time 0 and
#     backlog_limit 8192 (--sweep, bisection);
#   - the throughput when the kernel throttles (the kernel's default wait,
#     generators as fast as they can);
#   - CPU per event and resident memory at one fixed rate (RATE, default
#     20000/s), the same for both daemons;
#   - ringauditd's receive->written and receive->durable quantiles (its
#     state report, after the fixed-rate run).
# Prints markdown tables; the raw JSON lines stay in OUT (default
# ./perf-out).  "next step" is why the sweep's next rate failed: "lost"
# (the kernel dropped records) or "short" (the generator could not make
# that rate on this machine: the limit is the load's, not the daemon's).  Takes the kernel lock; puts the kernel's settings back.
#   tools/perf-table.sh [flush modes...]
# Env: RATE, SWEEP (LO:HI, default 2000:200000), THREADS (default 2),
#      FORMATS (default "RAW ENRICHED"), DAEMONS (default
#      "ringauditd auditd"), OUT, RA_CONF (lines added to ringauditd.conf,
#      printf %b: 'inline = no\n').
set -euo pipefail
cd "$(dirname "$0")/.."
modes=("${@:-none incremental incremental_async data sync}")
read -r -a modes <<< "${modes[*]}"
rate=${RATE:-20000}
sweep=${SWEEP:-2000:200000}
threads=${THREADS:-2}
read -r -a formats <<< "${FORMATS:-RAW ENRICHED}"
read -r -a daemons <<< "${DAEMONS:-ringauditd auditd}"
out=${OUT:-$PWD/perf-out}

. tools/lib.sh
ra_bench_begin build
trap ra_bench_end EXIT
mkdir -p "$out"
bench=build/ringaudit-bench

# jget FIELD: the field's value in a JSON line on stdin.
jget() {
	sed -n "s/.*\"$1\":\\(\"[^\"]*\"\\|[^,}]*\\).*/\\1/p" | tr -d '"'
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD)," \
	"$(nproc) cores, kernel $(uname -r)" | tee "$out/summary.md"
"$bench" --drain --sweep "$sweep" --threads "$threads" --duration 2 \
	--json --quiet > "$out/drain.json"
drain=$(grep -- '-result"' "$out/drain.json" | jget lossless_achieved || true)
drain_why=$(grep -- '-result"' "$out/drain.json" | jget failing_verdict || true)
"$bench" --drain --rate max --threads "$threads" --duration 3 --json \
	--quiet > "$out/drain-max.json"
drain_max=$(jget achieved_rate < "$out/drain-max.json")
drain_cpu=$(jget cpu_us_per_event < "$out/drain-max.json")
echo "drain: lossless $drain/s (the next step: $drain_why), as fast as it" \
	"can $drain_max/s, $drain_cpu us CPU/event" | tee -a "$out/summary.md"

printf '\n| format | flush | daemon | lossless/s | next step | of drain | throttled/s | CPU us/ev @%s | RSS KiB | p50/p99/p99.9 written us | p99 durable us |\n|---|---|---|---:|---|---:|---:|---:|---:|---|---:|\n' \
	"$rate" | tee -a "$out/summary.md"
for fmt in "${formats[@]}"; do
	for flush in "${modes[@]}"; do
		for daemon in "${daemons[@]}"; do
			d=$out/$daemon-$fmt-$flush
			rm -rf "$d"
			ra_write_conf "$d" "$flush" "$fmt"
			bin=$(ra_daemon_bin "$daemon")
			ra_start "$bin" "$d"
			common=(--threads "$threads" --log "$d/log/audit.log"
				--pid "$ra_pid" --json --quiet)
			"$bench" --sweep "$sweep" --duration 2 --wait-time 0 \
				"${common[@]}" > "$d/sweep.json" || true
			"$bench" --rate max --duration 3 --wait-time default \
				"${common[@]}" > "$d/max.json" || true
			# The latency histograms count from the start: the
			# fixed-rate run gets a daemon of its own.
			ra_stop
			ra_start "$bin" "$d"
			common=(--threads "$threads" --log "$d/log/audit.log"
				--pid "$ra_pid" --json --quiet)
			"$bench" --rate "$rate" --duration 3 --wait-time 0 \
				"${common[@]}" > "$d/fixed.json" || true
			lat=- dur=-
			if [ "$daemon" = ringauditd ]; then
				kill -CONT "$ra_pid"; sleep 0.5
				s=$d/auditd.state
				lat=$(awk -F' = ' '/^receive->written p50 us/ {a=$2}
					/^receive->written p99 us/ {b=$2}
					/^receive->written p99.9 us/ {c=$2}
					END {print a "/" b "/" c}' "$s")
				dur=$(awk -F' = ' '/^receive->durable p99 us/ {print $2}' "$s")
			fi
			ra_stop
			best=$(grep -- '-result"' "$d/sweep.json" | jget lossless_achieved || true)
			why=$(grep -- '-result"' "$d/sweep.json" | jget failing_verdict || true)
			of=$(awk -v a="${best:-0}" -v b="${drain:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
			thr=$(jget written_rate < "$d/max.json" | head -1)
			cpu=$(jget cpu_us_per_event < "$d/fixed.json" | head -1)
			rss=$(jget vm_hwm_kb < "$d/fixed.json" | head -1)
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
				"$fmt" "$flush" "$daemon" "${best:--}" "${why:--}" "$of" \
				"${thr:--}" "${cpu:--}" "${rss:--}" "$lat" "$dur" |
				tee -a "$out/summary.md"
		done
	done
done
