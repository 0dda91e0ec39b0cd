#!/usr/bin/env bash
# tools/soak.sh [MINUTES] - ringauditd under a steady load for a long
# time, with everything an admin's machine does to it, and nothing lost.
#
# MINUTES (default 30; CI runs 3) of ringaudit-bench's load at SOAK_RATE
# events/s (default 20,000) on a ringauditd registered with the kernel,
# logging RAW with flush = INCREMENTAL_ASYNC, the kernel's
# backlog_wait_time SOAK_WAIT_TIME jiffies (default 60000, Debian's
# audit.rules: a daemon that falls behind slows the load down; 0: the
# kernel loses records instead, which measures how long the daemon's
# longest stall is against the kernel's backlog).  Every SOAK_CYCLE seconds
# (default 3): a storm of signals (USR1 twice, HUP, USR2 and CONT twice
# each, 20 ms apart), so the log rotates every few seconds and the
# configuration is read again under load; each rotated log is taken away
# as it appears and summed up (the load's keyed SYSCALL records: how
# many, how many serials twice, the first and last serial), then removed,
# so that disk use stays flat.  A plugin (ra_plugin) crashes (SIGSEGV)
# after about SOAK_CRASH seconds of records each time it starts (default
# 20), and the dispatcher starts it again.  The daemon's VmRSS and open
# descriptors are sampled each cycle.
#
# It passes when the kernel lost no record (its lost counter over the
# run, from ringaudit-bench), every event the load made is in the logs
# exactly once (the count of serials equals the events made, no serial
# twice in a log, each log's serials after the previous log's), the
# memory the daemon has allocated (VmData) in the last quarter of the run
# is no more than its peak in the first half (by SOAK_MEM_SLACK_KIB,
# default 0: it allocates at start), its descriptors no more, the plugin
# was started again after each crash, and the daemon stops with status 0.
# Its RSS is reported, not judged: the memory allocated at start is
# touched page by page as the load first needs it.  Figures go to stdout;
# SOAK_OUT=FILE keeps the samples (time rss_kib fds vmdata_kib) there too.
#
# Needs root, the kernel's audit subsystem and a build (RA_BUILD, default
# build/: ringauditd, ringaudit-bench, ra_plugin).  Takes
# /run/ringaudit-kernel.lock, and puts the machine back on every exit
# path (tests/common/ra_kernel.sh).  Exits 77 to skip (1 with
# RA_REQUIRE_KERNEL set).
set -uo pipefail
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=$(cd "${RA_BUILD:-$src/build}" && pwd) || exit 2
minutes=${1:-${SOAK_MINUTES:-30}}
rate=${SOAK_RATE:-20000}
cycle=${SOAK_CYCLE:-3}
crash_every=${SOAK_CRASH:-20}
wait_time=${SOAK_WAIT_TIME:-60000}
slack=${SOAK_MEM_SLACK_KIB:-0}
ringauditd=$build/ringauditd
bench=$build/ringaudit-bench
plugin=$build/ra_plugin

. "$src/tests/common/ra_kernel.sh"

kernel_test_needs auditctl -- "$ringauditd" "$bench" "$plugin"
secs=$((minutes * 60))
if [ "$secs" -le 0 ]; then
	echo "soak: MINUTES must be a whole number > 0" >&2
	exit 2
fi

kernel_test_begin ra-soak
dpid= bpid=
cleanup() {
	local rc=$? problems=0
	[ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
	# ringaudit-bench takes its rule out and puts its settings back on
	# SIGTERM.
	[ -n "$bpid" ] && kill -TERM "$bpid" 2>/dev/null && wait "$bpid"
	stop_daemon ringauditd "$dpid"
	kernel_test_end "$rc" "$problems" soak
}
trap_cleanup cleanup
# ringaudit-bench makes rate x MINUTES events however long the kernel
# holds it back, for at most twice the time.
start_watchdog $((2 * secs + 300)) "MINUTES=$minutes"

d=$tmp/d
log=$d/log/audit.log
spool=$tmp/spool
mkdir -p "$d" "$spool"
write_conf "$d" RAW max_log_file=1000 max_log_file_action=ROTATE \
	num_logs=5 max_restarts=100000
cat > "$d/plugins.d/crash.conf" <<CONF
active = yes
direction = out
path = $plugin
type = always
args = capture:$tmp/plugin exit=$((3 * rate * crash_every)),crash
format = string
CONF
chmod 640 "$d/plugins.d/crash.conf"
# What the plugin reads goes nowhere; its starts go to plugin.sig.
ln -s /dev/null "$tmp/plugin"
start_registered ringauditd "$ringauditd" "$d" dpid

# The plugin ringauditd started: its pid once running (10 s at most).
plugin_pid() {
	local p
	for _ in $(seq 100); do
		p=$(pgrep -P "$dpid" -f "ra_plugin capture:$tmp/plugin" | head -n 1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.1
	done
	return 1
}
plugin_pid > /dev/null || die "the plugin did not start"

"$bench" --rate "$rate" --duration "$secs" --log "$log" --settle 1 \
	--wait-time "$wait_time" \
	--json --quiet > "$tmp/bench.json" 2> "$tmp/bench.err" &
bpid=$!

# summarize FILE: one line "events dups first last lines" for FILE's
# keyed SYSCALL records (the load's), appended to $tmp/summary.
summarize() {
	awk '/^type=SYSCALL / && /key="ringaudit-bench-/ {
		s = $0; sub(/^[^:]*:/, "", s); sub(/\).*/, "", s); s += 0
		if (s in seen) dups++; else { seen[s] = 1; n++ }
		if (n == 1 || s < first) first = s
		if (s > last) last = s
	} END { printf "%d %d %d %d %d\n", n, dups, first, last, NR }' "$1" \
		>> "$tmp/summary"
}

# take_rotated: the rotated logs there are, oldest first, moved to the
# spool, summed up and removed.
taken=0
take_rotated() {
	local i f
	for ((i = 9; i >= 1; i--)); do
		f=$log.$i
		[ -e "$f" ] || continue
		taken=$((taken + 1))
		mv "$f" "$spool/$taken" || die "cannot move $f"
		summarize "$spool/$taken"
		rm -f "$spool/$taken"
	done
}
rotated_in() { head -n 1 "$log" 2>/dev/null | grep -q '^type=DAEMON_ROTATE '; }

: > "$tmp/summary"
: > "$tmp/samples"
start=$SECONDS
storms=0
while kill -0 "$bpid" 2>/dev/null; do
	sleep "$cycle"
	kill -0 "$bpid" 2>/dev/null || break
	for s in USR1 HUP USR2 CONT USR1 USR2 CONT; do
		kill -"$s" "$dpid" || die "ringauditd is gone"
		sleep 0.02
	done
	storms=$((storms + 1))
	wait_for 100 rotated_in || die "no DAEMON_ROTATE opened the log within 10 s"
	sleep 0.3
	take_rotated
	t=$((SECONDS - start))
	rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$dpid/status")
	vm=$(awk '$1 == "VmData:" { print $2 }' "/proc/$dpid/status")
	fds=$(find "/proc/$dpid/fd" -mindepth 1 -maxdepth 1 | wc -l)
	echo "$t $rss $fds $vm" >> "$tmp/samples"
done
wait "$bpid"
brc=$?
bpid=
# The writer's switches (rotations, resumes, SIGHUPs): how long records
# waited behind each, from the last state report (SIGCONT).
kill -CONT "$dpid"
sleep 1
switch=$(awk -F' = ' '/^writer switch (p50|p99|max) us/ {
	split($1, w, " "); printf "%s %s us, ", w[3], $2 }' "$d/auditd.state")
written=$(awk -F' = ' '/^receive->written (p99|max) us/ {
	split($1, w, " "); printf "%s %s us, ", w[2], $2 }' "$d/auditd.state")
# A plugin that crashed in the last second is started again first.
sleep 2
plugin_pid > /dev/null || die "no plugin running at the end"
stop_daemon ringauditd "$dpid"
dpid=
take_rotated
summarize "$log"
[ -n "${SOAK_OUT:-}" ] && cp "$tmp/samples" "$SOAK_OUT"

num() {
	grep -o "\"$1\": *[0-9.]*" "$tmp/bench.json" | head -n 1 |
		sed 's/.*: *//'
}
generated=$(num generated)
lost=$(num lost)
achieved=$(num achieved_rate)
read -r events dups bad_order logs lines < <(awk '
	{ events += $1; dups += $2; lines += $5; logs++
	  if ($1 > 0) { if (seen && $3 <= prev) bad++; prev = $4; seen = 1 } }
	END { printf "%d %d %d %d %d\n", events, dups, bad, logs, lines }' \
	"$tmp/summary")
# RSS, descriptors and VmData: their peaks in the first half, against
# the last quarter.
read -r rss0 rss1 fd0 fd1 vm0 vm1 nsamp < <(awk -v total="$secs" '
	{ t[NR] = $1; r[NR] = $2; f[NR] = $3; v[NR] = $4 }
	END {
		q = total / 4
		for (i = 1; i <= NR; i++) {
			if (t[i] < total / 2) {
				if (r[i] > r0) r0 = r[i]; if (f[i] > f0) f0 = f[i]
				if (v[i] > v0) v0 = v[i] }
			if (t[i] >= total - q) {
				if (r[i] > r1) r1 = r[i]; if (f[i] > f1) f1 = f[i]
				if (v[i] > v1) v1 = v[i] }
		}
		printf "%d %d %d %d %d %d %d\n", r0, r1, f0, f1, v0, v1, NR
	}' "$tmp/samples")
starts=$(grep -c '^start ' "$tmp/plugin.sig" 2>/dev/null)
crashes=$(grep -c '^crash ' "$tmp/plugin.sig" 2>/dev/null)

echo "soak: $minutes min at $rate events/s asked, $achieved/s made" \
	"(ringaudit-bench exit $brc), backlog_wait_time $wait_time"
echo "   events made $generated, logged $events (in $logs logs," \
	"$lines lines), kernel lost $lost"
echo "   $storms signal storms (USR1 x2, HUP, USR2 x2, CONT x2 each)," \
	"$taken rotated logs"
echo "   plugin: $crashes crashes (SIGSEGV), $starts starts"
echo "   writer switches, records waiting behind each: ${switch:-not reported}"
echo "   receive->written: ${written:-not reported}"
echo "   VmData peak $vm0 KiB in the first half, $vm1 KiB in the last" \
	"quarter; VmRSS $rss0 -> $rss1 KiB; descriptors $fd0 -> $fd1 ($nsamp samples)"
check "the load ran (ringaudit-bench exit 0)" test "$brc" = 0
check "the kernel lost nothing" test "${lost:-x}" = 0
check "every event made is in the logs ($generated)" \
	test "${generated:-x}" = "$events"
check "no serial twice in a log" test "$dups" = 0
check "each log's serials follow the previous log's" test "$bad_order" = 0
check "a rotated log for every storm or more ($storms)" \
	test "$taken" -ge "$storms"
check "the plugin crashed" test "$crashes" -gt 0
check "the plugin started again after each crash ($crashes)" \
	test "$starts" = $((crashes + 1))
check "VmData flat: the last quarter within $slack KiB of the first half" \
	test "$vm1" -gt 0 -a "$vm1" -le $((vm0 + slack))
check "no descriptor more at the end than at the start" test "$fd1" -le "$fd0"
check "ringauditd stopped with status 0" test "$stopped" = 0
[ "$fails" = 0 ] && echo "PASS"
exit 0
