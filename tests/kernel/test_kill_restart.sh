#!/usr/bin/env bash
# test_kill_restart.sh - SIGKILL in the middle of heavy writing, 20 times
# over, with flush = SYNC: the log stays a log.
#
# Regression: 5 of 64 kills in the middle of heavy writing left a last
# line without its '\n', and the next start glued its DAEMON_START onto
# it (auditd 3.0.9 does the same).  A log that does not end in a newline
# is now mended at open.
#
# RA_KILLS times: ringauditd (flush = SYNC) registered, an ra_workload
# burst of keyed getpid calls running, SIGKILL after 0.1 to 0.5 s, then
# the next start on the same log.  At the end one clean start and stop.
# Then: every line of the log starts a record (type=), there is one
# DAEMON_START per start, each start whose log was cut mid-line said so
# on stderr (as many "had no end" as torn ends found), and ausearch reads
# the keyed events.
#
# Needs root and the kernel's audit subsystem.  Exits 77 to skip, saying
# why; with RA_REQUIRE_KERNEL set (CI) it fails instead.  It takes
# /run/ringaudit-kernel.lock, and every exit path puts the machine back:
# the daemon stopped, the rules deleted (those loaded before put back),
# the kernel's audit settings as they were (backlog_wait_time 0 here, so
# that the workload never waits for a dead daemon), its audit pid 0.  On
# failure the logs are kept in $RA_BUILD/test_kill_restart.fail.
#
#   RA_BUILD=BUILD_DIR RA_SOURCE_DIR=SRC tests/kernel/test_kill_restart.sh
#   RA_KILLS=N   kills (default 20)
set -uo pipefail
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
ringauditd=${RA_RINGAUDITD:-$build/ringauditd}
wl=$build/ra_workload
kills=${RA_KILLS:-20}
key=ra_kill

. "$src/tests/common/ra_kernel.sh"

kernel_test_needs auditctl ausearch -- "$ringauditd" "$wl"

kernel_test_begin ra-kill
dpid= gen=

cleanup() {
	local rc=$? problems=0
	[ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
	[ -n "$gen" ] && kill "$gen" 2>/dev/null
	stop_daemon ringauditd "$dpid"
	pkill -TERM -f -- "-c $tmp/" 2>/dev/null && sleep 1
	kernel_test_end "$rc" "$problems" test_kill_restart
}
trap_cleanup cleanup
start_watchdog 300 "the test's deadline"

d=$tmp/d
log=$d/log/audit.log
mkdir -p "$d"
write_conf "$d" RAW flush=SYNC
auditctl -b 8192 >/dev/null || die "auditctl -b 8192 failed"
auditctl --backlog_wait_time 0 >/dev/null || die "cannot set backlog_wait_time 0"
auditctl -a always,exit -F arch=b64 -S getpid -F exe="$wl" -k $key \
	>/dev/null || die "could not load the rule"
: > "$tmp/stderr.all"
torn=0
for ((k = 1; k <= kills; k++)); do
	start_registered ringauditd "$ringauditd" "$d" dpid
	cat "$d/stderr" >> "$tmp/stderr.all"
	"$wl" burst 4000 &
	gen=$!
	sleep "0.$((1 + RANDOM % 5))"
	kill -KILL "$dpid"
	wait "$dpid" 2>/dev/null
	dpid=
	kill "$gen" 2>/dev/null
	wait "$gen" 2>/dev/null
	gen=
	# Cut mid-line: the next start must mend it.
	[ "$(last_line_open "$log")" -gt 0 ] && torn=$((torn + 1))
done
start_registered ringauditd "$ringauditd" "$d" dpid
marker_logs=("$log")
marker "ra_kill end $$" || die "the end marker did not reach the log"
stop_daemon ringauditd "$dpid"
dpid=
cat "$d/stderr" >> "$tmp/stderr.all"
auditctl -D >/dev/null

echo "   $kills kills, $torn of them left the log cut mid-line"
check "it stopped with status 0 at the end" test "$stopped" = 0
check "every line of the log starts a record" \
	test "$(grep -avc '^type=' "$log")" = 0
check "one DAEMON_START per start ($((kills + 1)))" \
	test "$(grep -ac '^type=DAEMON_START ' "$log")" = $((kills + 1))
check "each torn end was mended and said ($torn)" \
	test "$(grep -c 'had no end' "$tmp/stderr.all")" = "$torn"
# The log's last 20,000 lines (every line starts a record, so they are a
# log too): ausearch over the whole takes minutes.
tail -n 20000 "$log" > "$tmp/tail.log"
n=$(ausearch -if "$tmp/tail.log" -k $key --format raw 2>/dev/null | grep -c '^type=SYSCALL ')
echo "   ausearch -if found $n events keyed $key in the last 20,000 lines"
check "ausearch reads the keyed events" test "$n" -gt 0
[ "$fails" = 0 ] && echo "PASS"
exit 0
