#!/usr/bin/env bash
# tests/tools/test_top.sh - ringaudit-top against a running ringauditd, as
# an admin sees it over ssh: in an 80x24 terminal (tmux; send-keys,
# capture-pane) and with --once in a script.
#
# The daemon runs with local_events = no (it opens no audit socket, so no
# kernel lock), its control socket in the test's folder and one plugin
# that reads and discards.  Its records are its own: a rotation (SIGUSR1)
# writes DAEMON_ROTATE, a SIGHUP DAEMON_CONFIG.  It checks:
#  - the screen fits 80x24: every row the view needs is there, the key
#    line last, no line wider than 80;
#  - it follows the daemon: after a rotation the screen shows it and the
#    written total grows, without a key pressed;
#  - a key other than q redraws; q quits with status 0 and gives the
#    terminal back (the alternate screen left);
#  - a daemon that stops is said on the screen, and the view goes on;
#  - --once prints one screen without control codes and exits 0; a socket
#    nobody answers on exits 1 naming it; a bad -d exits 2; --help and
#    --version.
# shellcheck disable=SC2154
set -u
src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
case $build in /*) ;; *) build=$src/$build ;; esac
ringauditd=$build/ringauditd
top=$build/ringaudit-top

. "$src/tests/common/ra_kernel.sh"

[ "$(id -u)" = 0 ] || skip_or_fail "needs root"
command -v tmux >/dev/null || skip_or_fail "needs tmux"
for f in "$ringauditd" "$top"; do
	[ -x "$f" ] || skip_or_fail "no $f: build it first"
done

tmp=$(mktemp -d /tmp/ra-top-XXXXXX)
chmod 755 "$tmp"
sock="$tmp/ctl.sock"
tm=(tmux -L "ra-top-$$" -f /dev/null)
fails=0
pid=
cleanup() {
	local rc=$?
	"${tm[@]}" kill-server 2>/dev/null
	# No view outlives the test, whatever ended it.
	pkill -KILL -f -- "$top -s $sock" 2>/dev/null
	stop_daemon ringauditd "$pid"
	[ "$rc" = 0 ] && [ "$fails" != 0 ] && rc=1
	[ "$rc" = 0 ] || keep_files "$build/tools_test_top.fail" "the logs" \
		"$tmp"/*
	rm -rf "$tmp"
	exit "$rc"
}
trap_cleanup cleanup

local_conf "$tmp"
"$ringauditd" -n -c "$tmp" 2> "$tmp/daemon.err" &
pid=$!
wait_for 100 test -S "$sock" || die "no control socket $sock"
check "the control socket is root's alone (0600)" \
	test "$(stat -c %a:%U "$sock")" = 600:root

screen() { "${tm[@]}" capture-pane -p -t top; }
shows() { screen | grep -q -- "$1"; }
# The number after WHAT on the screen's line that starts with ROW.
on_screen() { screen | awk -v r="$1" 'index($0, r) == 1 { print $NF }'; }
# Every line at most 80 wide, and no more than 24.
fits() { screen | awk 'length($0) > 80 { bad = 1 } END { exit bad || NR > 24 }'; }
# The rotations the screen counts; the clock at the top right.
rotations() { screen | sed -n 's/.*rotations \([0-9]*\).*/\1/p'; }
clock() { screen | head -n 1 | awk '{ print $NF }'; }
# view DELAY: the view, refreshed every DELAY s, in a new 80x24 session;
# its exit status is said in the pane when it ends.  The new session is
# made before the old one goes: tmux's server exits with its last
# session, and a client that came meanwhile failed ("server exited
# unexpectedly", once under ASan).
view() {
	# A view still running ends as a user ends it ('q'): one that went
	# with its session (SIGHUP) could hang in an ASan build's leak check
	# at exit, on the hung-up terminal, and stay, spinning.
	if "${tm[@]}" has-session -t top 2>/dev/null &&
		! shows "top-exit="; then
		"${tm[@]}" send-keys -t top q
		wait_for 30 shows "top-exit=" || true
	fi
	"${tm[@]}" new-session -d -s next -x 80 -y 24 \
		"$top -s $sock -d $1; echo top-exit=\$?; sleep 60"
	"${tm[@]}" kill-session -t top 2>/dev/null
	"${tm[@]}" rename-session -t next top
}

view 0.5
wait_for 50 shows "q quits" || { screen; die "no screen in 5 s"; }
wait_for 30 shows "written  " || true
screen > "$tmp/screen1.txt"
cat "$tmp/screen1.txt"
check "the screen fits 80x24" fits
for row in "ringauditd 0.1" "logging on" "kernel   backlog" "  received" \
	"  written" "  durable" "  dropped" "rings    ingest->worker" \
	"pool     " "  receive->written" "log      " "plugins  " \
	"         drop.conf" "q quits"; do
	check "the screen has \"$row\"" grep -q -- "$row" "$tmp/screen1.txt"
done
check "the key line is the last" \
	bash -c "tail -n 1 '$tmp/screen1.txt' | grep -q '^q quits'"
check "the plugin is up" grep -q "drop.conf  *yes" "$tmp/screen1.txt"

written1=$(on_screen "  written")
rot1=$(rotations)
kill -USR1 "$pid"
rotated() { [ "$(rotations)" = $((rot1 + 1)) ]; }
check "a rotation is on the screen without a key (rotations $rot1 -> $((rot1 + 1)))" \
	wait_for 50 rotated
written2=$(on_screen "  written")
check "the written total grew ($written1 -> $written2)" \
	test "${written2//,/}" -gt "${written1//,/}"

# A key redraws now: with -d 0.5 too short to tell, so a slow view.
view 30
wait_for 50 shows "q quits" || die "no slow screen"
clock1=$(clock)
sleep 1.1
"${tm[@]}" send-keys -t top x
redrawn() { [ "$(clock)" != "$clock1" ]; }
check "a key redraws at once" wait_for 20 redrawn
"${tm[@]}" send-keys -t top q
check "q quits with status 0" wait_for 30 shows "top-exit=0"
check "the terminal is given back (no view left on it)" \
	bash -c "! ${tm[*]} capture-pane -p -t top | grep -q 'q quits'"

# The daemon gone: said, and the view goes on.
view 0.5
wait_for 50 shows "q quits" || die "no screen"
stop_daemon ringauditd "$pid"
pid=
check "a daemon that stopped is said" wait_for 50 shows "cannot read $sock"
check "... and the view goes on" bash -c "! ${tm[*]} capture-pane -p -t top | grep -q top-exit"
"${tm[@]}" send-keys -t top q
check "q quits then too" wait_for 30 shows "top-exit=0"

# --once, for scripts.
"$ringauditd" -n -c "$tmp" 2>> "$tmp/daemon.err" &
pid=$!
wait_for 100 test -S "$sock" || die "no control socket after the restart"
"$top" -s "$sock" --once -d 0.2 > "$tmp/once.txt" 2> "$tmp/once.err"
check "--once exits 0" test $? = 0
check "--once prints the screen" grep -q "^kernel   backlog" "$tmp/once.txt"
check "--once has no control codes" bash -c "! grep -q $'\033' '$tmp/once.txt'"
check "--once: no line wider than 80" \
	awk 'length($0) > 80 { exit 1 }' "$tmp/once.txt"
"$top" -s "$tmp/nobody.sock" --once > /dev/null 2> "$tmp/nobody.err"
check "a socket nobody answers on: exit 1" test $? = 1
check "... naming it" grep -q "cannot read $tmp/nobody.sock" "$tmp/nobody.err"
"$top" -d 0 --once > /dev/null 2> "$tmp/bad.err"
check "a bad -d: exit 2, saying why" \
	bash -c "[ $? = 2 ] && grep -q -- '-d 0:' '$tmp/bad.err'"
check "--help" bash -c "'$top' --help | grep -q '^Usage: ringaudit-top'"
check "--version" bash -c "'$top' --version | grep -qx 'ringaudit-top [0-9.]*'"
exit 0
