#!/usr/bin/env bash
# test_log_under.sh - the log cut, renamed or deleted under the daemon,
# side by side with Debian's auditd 3.0.9.
#
# Regression: `: > audit.log` (or logrotate's copytruncate) while
# ringauditd ran: it wrote on at its old offset, the file filled with NUL
# bytes up to it, and ausearch saw nothing more.
#
# For each daemon (auditd, then ringauditd) and each act (cut, rename,
# delete), on a fresh daemon: N1 keyed getpid events (key ra_before), a
# marker that reaches the log, the act, N2 events keyed ra_after, the
# daemon stopped; then where the ra_after events are.  auditd appends and
# never reopens its log; what it did is printed and held as the
# reference:
#   cut     auditd writes on at the new end: no NUL, all N2 events there;
#           ringauditd the same, and says so on syslog (stderr here);
#   rename  auditd writes every later event into the renamed file;
#           ringauditd writes on into it until it sees it (64 KiB), then
#           into a new audit.log: the two hold all N2 events, once each;
#   delete  auditd writes every later event into the deleted file (none
#           can be found); ringauditd opens a new audit.log, which holds
#           the last of them.
# For ringauditd, every line of every file is whole (starts with type=).
#
# Needs root, the kernel's audit subsystem and auditd's binary (its
# service stopped).  Exits 77 to skip, saying why; with RA_REQUIRE_KERNEL
# set (CI) it fails instead.  It takes /run/ringaudit-kernel.lock, and
# every exit path puts the machine back: the daemon stopped, the rules
# deleted (those loaded before put back), the kernel's audit settings as
# they were, its audit pid 0.  On failure the logs are kept in
# $RA_BUILD/test_log_under.fail.
#
#   RA_BUILD=BUILD_DIR RA_SOURCE_DIR=SRC tests/kernel/test_log_under.sh
set -uo pipefail
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
ringauditd=${RA_RINGAUDITD:-$build/ringauditd}
auditd=/usr/sbin/auditd
wl=$build/ra_workload
n1=500 n2=3000

. "$src/tests/common/ra_kernel.sh"

kernel_test_needs auditctl -- "$ringauditd" "$wl"
[ -x "$auditd" ] || skip_or_fail "needs $auditd (Debian's auditd package)"

kernel_test_begin ra-under
dpid= dname=

cleanup() {
	local rc=$? problems=0
	[ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
	stop_daemon "$dname" "$dpid"
	pkill -TERM -f -- "-c $tmp/" 2>/dev/null && sleep 1
	kernel_test_end "$rc" "$problems" test_log_under
}
trap_cleanup cleanup
start_watchdog 300 "the test's deadline"

# count KEY FILE: keyed SYSCALL records in FILE (0 if there is none).
count() {
	if [ -e "$2" ]; then
		grep -ac "^type=SYSCALL .* key=\"$1\"" "$2"
	else
		echo 0
	fi
}
# nuls FILE: its NUL bytes.
nuls() {
	if [ -e "$1" ]; then tr -cd '\0' < "$1" | wc -c; else echo 0; fi
}
# torn FILE: its lines that do not start a record.
torn() {
	if [ -e "$1" ]; then grep -avc '^type=' "$1" || true; else echo 0; fi
}

declare -A got
for daemon in auditd ringauditd; do
	bin=$auditd
	[ $daemon = ringauditd ] && bin=$ringauditd
	for act in cut rename delete; do
		d=$tmp/$daemon-$act
		log=$d/log/audit.log
		mkdir -p "$d"
		write_conf "$d" RAW
		start_registered $daemon "$bin" "$d" dpid
		dname=$daemon
		auditctl -b 8192 >/dev/null || die "auditctl -b 8192 failed"
		auditctl -a always,exit -F arch=b64 -S getpid -F exe="$wl" \
			-k ra_before >/dev/null || die "could not load the rule"
		"$wl" burst $n1 || die "ra_workload burst failed"
		marker_logs=("$log")
		marker "ra_under $daemon $act $$" || die "$daemon: the marker did not reach the log"
		auditctl -D >/dev/null
		case $act in
		cut) : > "$log" ;;
		rename) mv "$log" "$log.moved" ;;
		delete) rm -f "$log" ;;
		esac
		auditctl -a always,exit -F arch=b64 -S getpid -F exe="$wl" \
			-k ra_after >/dev/null || die "could not load the rule"
		"$wl" burst $n2 || die "ra_workload burst failed"
		auditctl -D >/dev/null
		sleep 1
		stop_daemon $daemon "$dpid"
		dpid=
		got[$daemon-$act]="log=$(count ra_after "$log") moved=$(count ra_after "$log.moved") before_in_log=$(count ra_before "$log") nul=$(nuls "$log")"
		echo "   $daemon, $act: ra_after events: ${got[$daemon-$act]} (of $n2)"
		if [ $daemon = ringauditd ]; then
			check "ringauditd, $act: stopped with status 0" test "$stopped" = 0
			check "ringauditd, $act: every line whole" \
				test "$(( $(torn "$log") + $(torn "$log.moved") ))" = 0
		fi
	done
done

# v DAEMON-ACT KEY: a figure of got[].
v() { tr ' ' '\n' <<< "${got[$1]}" | sed -n "s/^$2=//p"; }
# all_after N: N is the N2 events (a sanitizer's runtime in ra_workload
# calls getpid too: a few more).
all_after() { [ "$1" -ge $n2 ] && [ "$1" -le $((n2 + 10)) ]; }

echo "== cut"
check "auditd: no NUL, every later event at the top" \
	eval 'test "$(v auditd-cut nul)/$(v auditd-cut before_in_log)" = 0/0 && all_after "$(v auditd-cut log)"'
check "ringauditd: as auditd" \
	eval 'test "$(v ringauditd-cut nul)/$(v ringauditd-cut before_in_log)" = 0/0 && all_after "$(v ringauditd-cut log)"'
check "ringauditd: said it was cut" grep -q "was cut from" "$tmp/ringauditd-cut/stderr"
echo "== rename"
check "auditd: every later event in the renamed file, no new log" \
	eval 'test "$(v auditd-rename log)" = 0 && all_after "$(v auditd-rename moved)"'
check "ringauditd: the renamed file and a new log hold every later event once" \
	all_after "$(( $(v ringauditd-rename moved) + $(v ringauditd-rename log) ))"
check "ringauditd: the new log holds the last of them" test "$(v ringauditd-rename log)" -gt 0
check "ringauditd: said so" grep -q "was renamed or replaced" "$tmp/ringauditd-rename/stderr"
echo "== delete"
check "auditd: no log at the path" test "$(v auditd-delete log)" = 0
# At most all of them: the sanitizer's getpid calls count as all_after's
# do, and the deletion may be seen before the first of them is written.
check "ringauditd: a new log holds the last of them" \
	test "$(v ringauditd-delete log)" -gt 0 -a "$(v ringauditd-delete log)" -le $((n2 + 10))
check "ringauditd: said so" grep -q "was deleted under the daemon" "$tmp/ringauditd-delete/stderr"
[ "$fails" = 0 ] && echo "PASS"
exit 0
