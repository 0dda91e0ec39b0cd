#!/usr/bin/env bash
# test_no_io_uring.sh - without io_uring there is still an audit daemon.
#
# Regression: where io_uring is disabled (kernel.io_uring_disabled = 2,
# or a container's seccomp profile) ringauditd exited at start with
# "Cannot start the record pipeline (.../audit.log: Operation not
# permitted)", and the machine ran unaudited.  Now the writer makes the
# same requests as system calls.
#
# With kernel.io_uring_disabled = 2, for flush = DATA (group commit) and
# INCREMENTAL_ASYNC (freq 100), ringauditd as the registered daemon must:
#  - start, and say once on stderr that io_uring is not available;
#  - log every one of RA_NOURING_EVENTS keyed getpid events (ra_workload
#    burst), `ausearch -if` reading them all, no line torn;
#  - show it in its state report ("writing without io_uring = 1"), and
#    report syncs (its sync figures move);
#  - stop with exit status 0.
#
# Needs root, the kernel's audit subsystem and kernel.io_uring_disabled.
# Exits 77 to skip, saying why; with RA_REQUIRE_KERNEL set (CI) it fails
# instead.  It takes /run/ringaudit-kernel.lock, and every exit path puts
# the machine back: kernel.io_uring_disabled as it was, the daemon
# stopped, the rules deleted (those loaded before put back), the kernel's
# audit settings as they were, its audit pid 0.  On failure the logs are
# kept in $RA_BUILD/test_no_io_uring.fail.
#
#   RA_BUILD=BUILD_DIR RA_SOURCE_DIR=SRC tests/kernel/test_no_io_uring.sh
#   RA_NOURING_EVENTS=N   getpid calls per flush mode (default 2000)
set -uo pipefail
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
events=${RA_NOURING_EVENTS:-2000}
ringauditd=${RA_RINGAUDITD:-$build/ringauditd}
wl=$build/ra_workload
knob=/proc/sys/kernel/io_uring_disabled
key=ra_nouring

# skip_or_fail, take_kernel, kernel_save, start_watchdog, stop_daemon,
# write_conf, start_registered, ...
. "$src/tests/common/ra_kernel.sh"

kernel_test_needs auditctl ausearch -- "$ringauditd" "$wl"
[ -w "$knob" ] || skip_or_fail "this kernel has no kernel.io_uring_disabled"

kernel_test_begin ra-nouring
knob_before=$(cat "$knob")
dpid=

cleanup() {
	local rc=$? problems=0
	[ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
	stop_daemon ringauditd "$dpid"
	# Whatever else of ours still runs (its pid not known here).
	pkill -TERM -f -- "-c $tmp/" 2>/dev/null && sleep 1
	echo "$knob_before" > "$knob" 2>/dev/null
	if [ "$(cat "$knob")" != "$knob_before" ]; then
		echo "cleanup: kernel.io_uring_disabled is $(cat "$knob"), was $knob_before"
		problems=1
	fi
	kernel_test_end "$rc" "$problems" test_no_io_uring
}
trap_cleanup cleanup
start_watchdog 150 "the test's deadline"

echo 2 > "$knob" || die "cannot set kernel.io_uring_disabled"
echo "== kernel.io_uring_disabled = $(cat "$knob") (was $knob_before)"

# state DIR LINE: "LINE = V" of a fresh state report.
state() {
	rm -f "$1/auditd.state"
	kill -CONT "$dpid" || return 1
	wait_for 100 test -s "$1/auditd.state" || return 1
	awk -v k="$2 = " 'index($0, k) == 1 { print substr($0, length(k) + 1); exit }' \
		"$1/auditd.state"
}

for flush in DATA INCREMENTAL_ASYNC; do
	d=$tmp/$flush
	mkdir -p "$d"
	freq=0
	[ $flush = DATA ] || freq=100
	write_conf "$d" RAW flush=$flush freq=$freq
	echo "== flush = $flush, freq = $freq"
	start_registered ringauditd "$ringauditd" "$d" dpid
	check "$flush: it started, and said io_uring is not available" \
		grep -q 'io_uring is not available' "$d/stderr"
	check "$flush: said once" \
		test "$(grep -c 'io_uring is not available' "$d/stderr")" = 1
	auditctl -b 8192 >/dev/null || die "auditctl -b 8192 failed"
	auditctl -a always,exit -F arch=b64 -S getpid -F exe="$wl" -k $key \
		>/dev/null || die "could not load the rule"
	lost0=$(kstat lost)
	"$wl" burst "$events" || die "ra_workload burst failed"
	auditctl -D >/dev/null
	marker_logs=("$d/log/audit.log")
	marker "ra_nouring end $flush $$" || die "the end marker did not reach the log"
	lost=$(( $(kstat lost) - lost0 ))
	echo "   the kernel lost $lost records"
	check "$flush: writing without io_uring = 1 in the state report" \
		test "$(state "$d" "writing without io_uring")" = 1
	syncs=$(state "$d" "syncs")
	check "$flush: syncs were made ($syncs)" test "${syncs:-0}" -gt 0
	stop_daemon ringauditd "$dpid"
	dpid=
	check "$flush: it stopped with status 0 ($stopped)" test "$stopped" = 0
	logged=$(ausearch -if "$d/log/audit.log" -k $key --format raw 2>/dev/null |
		grep -c '^type=SYSCALL ')
	echo "   ausearch -if found $logged events keyed $key"
	# At least the workload's: an ASan build's runtime calls getpid too.
	check "$flush: every event is in the log (ausearch -if)" \
		test "$logged" -ge "$events"
	check "$flush: the kernel lost nothing" test "$lost" = 0
	check "$flush: every line whole (ends in a newline, starts with type=)" \
		test "$(grep -avc '^type=' "$d/log/audit.log")" = 0
	check "$flush: DAEMON_END is the last record" \
		grep -q '^type=DAEMON_END ' <(tail -n 1 "$d/log/audit.log")
done
[ "$fails" = 0 ] && echo "PASS"
exit 0
