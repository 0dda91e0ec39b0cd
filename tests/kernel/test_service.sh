#!/usr/bin/env bash
# test_service.sh - ringauditd as Debian's auditd service, seen from outside.
#
# Installs the drop-in from the build tree (tools/dropin.sh install: the
# sysvinit path, DAEMON= in /etc/default/auditd), then drives the daemon
# only the way an admin does: `service auditd start|status|rotate|reload|
# restart|stop`, pidof, start-stop-daemon, auditctl, ausearch.  It checks:
#
#  - the service's process is found by the name auditd (pidof, killall,
#    comm, start-stop-daemon --name and --exec) while its exe is ringauditd, it
#    is the kernel's audit pid, and the pid file names it;
#  - a second start leaves the running daemon alone;
#  - rotate (SIGUSR1) makes audit.log.1 and a DAEMON_ROTATE record,
#    reload (SIGHUP) a DAEMON_CONFIG record;
#  - restart gives a new daemon, stop leaves none (kernel pid 0, no pid file);
#  - every event made (N per phase, one rule key per phase) is in
#    audit.log* exactly once, counted by serial through `ausearch -if FILE
#    -k KEY`, and the events made before the rotation are in audit.log.1;
#  - one DAEMON_START and one DAEMON_END per start and stop, the starts
#    naming the daemons' pids.
#
# Needs root, the kernel's audit subsystem, Debian's auditd package and no
# systemd (the init.d path).  Exits 77 to skip, saying why; with
# RA_REQUIRE_KERNEL set, only a systemd machine is a skip, anything else
# fails.  It takes /run/ringaudit-kernel.lock (as tools/lib.sh does) and
# refuses to run beside another audit daemon or an installed drop-in.
#
# Every exit path puts the machine back: the service stopped (and any
# daemon it started), the rules deleted (augenrules loads
# /etc/audit/rules.d at each start; those loaded before put back) and the
# kernel's settings as they were, the drop-in uninstalled,
# /etc/default/auditd, /etc/audit/audit.rules (and .prev),
# /var/run/auditd.pid and /var/log/audit as they were (the test's logs
# are kept in the build tree, Testing/test_service-logs), and the
# kernel's audit pid 0.
#
#   RA_BUILD=BUILD_DIR RA_SOURCE_DIR=SRC tests/kernel/test_service.sh
#   RA_SERVICE_EVENTS=N  events per phase (default 1000)
set -uo pipefail
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
n=${RA_SERVICE_EVENTS:-1000}
prefix=/usr/local
link=$prefix/lib/ringaudit/auditd
bin=$prefix/sbin/ringauditd
defaults=/etc/default/auditd
rules=/etc/audit/audit.rules
tag=rasvc$$
keep=$build/Testing/test_service-logs

# skip_or_fail, kstat, wait_for, take_kernel, kernel_save, file_save,
# stop_daemon, ...
. "$src/tests/common/ra_kernel.sh"
# expect, svc_can_run, svc_take, svc_logs_aside, svc, daemon_ok, started,
# gone, svc_stopped; logdir, pidfile
. "$src/tests/common/ra_service.sh"

# --- what cannot run here ----------------------------------------------
svc_can_run
[ -x "$build/ringauditd" ] && [ -x "$build/ra-gen" ] ||
	skip_or_fail "$build has no ringauditd and ra-gen: build it first"

svc_take

# --- what to put back --------------------------------------------------
work=$(mktemp -d /tmp/ra-service.XXXXXX)
kernel_save "$work"
for f in "$defaults" "$rules" "$rules.prev" "$pidfile"; do
	file_save "$work" "$f"
done
installed=0
pids=()

cleanup() {
	local rc=$? p problems=0
	trap - EXIT INT TERM
	set +e
	echo "== putting the machine back"
	if [ $installed = 1 ] && [ -n "$(pidof auditd)" ]; then
		timeout 60 service auditd stop >/dev/null 2>&1
	fi
	# Any daemon this test started that still runs: TERM, then KILL.
	p=$(kstat pid)
	if [ -n "$p" ] && [ "$p" != 0 ] &&
	    [[ $(readlink "/proc/$p/exe") == "$bin"* ]]; then
		pids+=("$p")
	fi
	for p in "${pids[@]}"; do
		[[ $(readlink "/proc/$p/exe" 2>/dev/null) == "$bin"* ]] || continue
		echo "cleanup: daemon $p still runs; SIGTERM"
		stop_daemon ringauditd "$p" 10
	done
	kernel_restore "$work" || problems=1

	if [ $installed = 1 ]; then
		RA_BUILD=$build "$src/tools/dropin.sh" uninstall >/dev/null ||
			{ echo "cleanup: dropin.sh uninstall failed"; problems=1; }
	fi
	for p in "$defaults" "$rules" "$rules.prev" "$pidfile"; do
		file_restore "$work" "$p" || problems=1
	done
	svc_logs_back "$keep" || problems=1
	for p in "$bin" "$link"; do
		[ -e "$p" ] || [ -L "$p" ] || continue
		echo "cleanup: $p is still there"
		problems=1
	done
	rm -rf "$work"
	cleanup_exit "$rc" "$problems"
}
trap_cleanup cleanup

# --- logs aside ----------------------------------------------------------
svc_logs_aside

# --- install -------------------------------------------------------------
echo "== tools/dropin.sh install (from $build)"
installed=1
RA_BUILD=$build "$src/tools/dropin.sh" install || die "dropin.sh install"
expect "$link is a link to $bin" \
	test "$(readlink -f "$link")" = "$bin"
daemon=$(env -i sh -c ". $defaults; echo \"\$DAEMON\"")
expect "$defaults sets DAEMON=$link" test "$daemon" = "$link"
sum1=$(sha256sum < "$defaults")
RA_BUILD=$build "$src/tools/dropin.sh" install >/dev/null
expect "install again changes nothing in $defaults" \
	test "$(sha256sum < "$defaults")" = "$sum1"
expect "install again leaves one DAEMON= block" \
	test "$(grep -c '^# BEGIN ringaudit drop-in' "$defaults")" = 1

# phase KEY: load a rule keyed KEY on this shell's children's getpriority
# calls, and make N of them.
phase() {
	auditctl -D >/dev/null
	auditctl -a always,exit -F arch=b64 -S getpriority -F ppid=$$ -k "$1" >/dev/null ||
		{ fail "auditctl -a ... -k $1"; return; }
	"$build/ra-gen" "$n" >/dev/null
	auditctl -D >/dev/null
}
# in_log FILE KEY N: FILE holds N system call records keyed KEY.
in_log() {
	[ "$(grep -c "^type=SYSCALL .* key=\"$2\"" "$1" 2>/dev/null)" = "$3" ]
}

# --- start ---------------------------------------------------------------
echo "== service auditd start"
svc start
pid1=$(started 0)
if [ -z "$pid1" ]; then
	fail "service auditd start: no daemon registered within 5 s"
	exit 1
fi
pids+=("$pid1")
pass "service auditd start: pid $pid1"
daemon_ok "$pid1"

echo "== service auditd start, again"
svc start
sleep 1
expect "a second start leaves the daemon alone" test "$(kstat pid)" = "$pid1"
extra=$(pidof auditd | tr ' ' '\n' | grep -vx "$pid1" | tr '\n' ' ')
expect "a second start leaves no second auditd (${extra:-none})" test -z "$extra"
for p in $extra; do pids+=("$p"); done

echo "== phase a: $n events"
phase "${tag}_a"
expect "phase a's events reach audit.log" \
	wait_for 100 in_log "$logdir/audit.log" "${tag}_a" "$n"

# --- rotate --------------------------------------------------------------
echo "== service auditd rotate"
svc rotate
expect "rotate: audit.log.1 appears" wait_for 50 test -e "$logdir/audit.log.1"
echo "== phase b: $n events"
phase "${tag}_b"

# --- reload --------------------------------------------------------------
echo "== service auditd reload"
svc reload
has_config() { grep -qs '^type=DAEMON_CONFIG ' "$logdir"/audit.log*; }
expect "reload: a DAEMON_CONFIG record within 5 s" wait_for 50 has_config
expect "reload: the same daemon runs" test "$(kstat pid)" = "$pid1"
echo "== phase c: $n events"
phase "${tag}_c"

# --- restart -------------------------------------------------------------
echo "== service auditd restart"
svc restart
pid2=$(started "$pid1")
if [ -z "$pid2" ] || [ "$pid2" = "$pid1" ]; then
	fail "service auditd restart: no new daemon (kernel pid ${pid2:-0})"
else
	pids+=("$pid2")
	pass "service auditd restart: pid $pid2"
	expect "the old daemon $pid1 is gone" wait_for 50 gone "$pid1"
	daemon_ok "$pid2"
fi
echo "== phase d: $n events"
phase "${tag}_d"

# --- stop ----------------------------------------------------------------
echo "== service auditd stop"
t0=$(date +%s)
svc stop
t1=$(date +%s)
# The init script's second start-stop-daemon waits 30 s for a daemon its
# first (by pid file) did not stop, then KILLs it.
expect "stop took $((t1 - t0)) s, less than 30" \
	test $((t1 - t0)) -lt 30
svc_stopped

# --- the logs ------------------------------------------------------------
echo "== the logs"
ls -l "$logdir"
files=("$logdir"/audit.log*)
# serials KEY: the serials of KEY's getpriority events in every log, one
# a line (-sc: not auditctl's CONFIG_CHANGE events, which carry the key).
serials() {
	local f
	for f in "${files[@]}"; do
		ausearch -if "$f" -k "$1" -sc getpriority --raw 2>/dev/null |
			grep '^type=SYSCALL '
	done | sed -n 's/.*msg=audit([0-9.]*:\([0-9]*\)).*/\1/p'
}
for k in a b c d; do
	serials "${tag}_$k" > "$work/serials.$k"
	total=$(wc -l < "$work/serials.$k")
	uniq=$(sort -u "$work/serials.$k" | wc -l)
	expect "phase $k: $n events, each once (found $total, $uniq distinct)" \
		test "$total" = "$n" -a "$uniq" = "$n"
done
ausearch -if "$logdir/audit.log.1" -k "${tag}_a" -sc getpriority --raw 2>/dev/null |
	grep -c '^type=SYSCALL ' > "$work/a_in_1"
expect "phase a's events are in audit.log.1 ($(cat "$work/a_in_1"))" \
	test "$(cat "$work/a_in_1")" = "$n"

for f in "${files[@]}"; do
	ausearch -if "$f" -m DAEMON_START,DAEMON_END,DAEMON_ROTATE,DAEMON_CONFIG \
		--raw 2>/dev/null
done > "$work/daemon"
count() { grep -c "^type=$1 " "$work/daemon"; }
echo "daemon records:"
sed 's/^/  /' "$work/daemon"
expect "DAEMON_START: 2, one per start ($(count DAEMON_START))" \
	test "$(count DAEMON_START)" = 2
expect "DAEMON_END: 2, one per stop ($(count DAEMON_END))" \
	test "$(count DAEMON_END)" = 2
expect "DAEMON_ROTATE: 1 ($(count DAEMON_ROTATE))" \
	test "$(count DAEMON_ROTATE)" = 1
expect "DAEMON_CONFIG: 1 ($(count DAEMON_CONFIG))" \
	test "$(count DAEMON_CONFIG)" = 1
start_pids=$(grep '^type=DAEMON_START ' "$work/daemon" |
	sed -n 's/.* pid=\([0-9]*\).*/\1/p' | sort -n | tr '\n' ' ')
expect "the DAEMON_STARTs name the daemons ($start_pids)" \
	test "$start_pids" = "$(printf '%s\n' "$pid1" "${pid2:-}" | sort -n | tr '\n' ' ')"

echo "== $fails check(s) failed"
[ "$fails" = 0 ]
