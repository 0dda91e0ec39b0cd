# ra_service.sh - what the tests of Debian's auditd service share
# (kernel/test_service.sh, pkg/test_deb.sh; sourced after ra_kernel.sh):
# their checks, what must hold before they touch the service, the audit
# logs set aside and put back, the service command, and the checks of a
# daemon the service started.  The tests drive the init.d path: the
# service command and /etc/init.d/auditd, on a machine without systemd.
# shellcheck shell=bash disable=SC2034,SC2154

logdir=/var/log/audit
pidfile=/var/run/auditd.pid

# pass, fail WHAT: a check's line, failures counted in $fails; expect
# WHAT CMD...: ra_kernel.sh's check; quiet CMD...: CMD without its output.
fails=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
expect() { check "$@"; }
quiet() { "$@" >/dev/null; }

# svc_can_run: root, no systemd, Debian's auditd package (tools/deps.sh
# installs it under RA_REQUIRE_KERNEL) and the kernel's audit subsystem;
# else skip_or_fail, saying which.  A systemd machine is always a skip:
# these tests would have to switch its units.
svc_can_run() {
	[ "$(id -u)" -eq 0 ] || skip_or_fail "not root"
	if [ -d /run/systemd/system ]; then
		echo "SKIP: systemd runs this machine; this test drives the init.d" \
		     "path (service -> /etc/init.d/auditd) and would have to switch" \
		     "the machine's units"
		exit 77
	fi
	if [ ! -x /etc/init.d/auditd ] || [ ! -x /sbin/auditd ] ||
	    ! command -v ausearch >/dev/null; then
		[ -n "${RA_REQUIRE_KERNEL:-}" ] && "$src/tools/deps.sh" >/dev/null
		[ -x /etc/init.d/auditd ] && [ -x /sbin/auditd ] ||
			skip_or_fail "Debian's auditd package is not installed"
	fi
	auditctl -s >/dev/null 2>&1 ||
		skip_or_fail "the kernel's audit subsystem does not answer (auditctl -s)"
}

# svc_take: the kernel (take_kernel: the lock, no daemon registered), and
# a service left alone by others: no drop-in installed, the auditd
# service not running (its pid file names no live auditd, whichever
# binary), no logs left aside by an earlier run.
svc_take() {
	take_kernel
	if [ -e /var/lib/ringaudit/dropin/mode ]; then
		skip_or_fail "the drop-in is installed already; not touching it"
	fi
	if [ -r "$pidfile" ] &&
	    [ "$(cat "/proc/$(cat "$pidfile")/comm" 2>/dev/null)" = auditd ]; then
		skip_or_fail "$pidfile names a live auditd: the auditd service runs"
	fi
	[ ! -e "$logdir.ringaudit-test" ] ||
		skip_or_fail "$logdir.ringaudit-test is left from an earlier run"
}

# svc_logs_aside: $logdir moved aside (to $logdir.ringaudit-test) and an
# empty one in its place, with its owner and mode, for the service's logs.
svc_logs_moved=0 svc_logs_moved_dir=0 svc_logs_inode=
svc_logs_aside() {
	if [ -d "$logdir" ]; then
		svc_logs_inode=$(stat -c %i "$logdir")
		mv "$logdir" "$logdir.ringaudit-test"
		svc_logs_moved_dir=1
	fi
	svc_logs_moved=1
	mkdir "$logdir"
	if [ $svc_logs_moved_dir = 1 ]; then
		chown --reference="$logdir.ringaudit-test" "$logdir"
		chmod --reference="$logdir.ringaudit-test" "$logdir"
	else
		chown root:adm "$logdir" && chmod 750 "$logdir"
	fi
}

# svc_logs_back [KEEP]: the logs of this run copied to KEEP (if named),
# then $logdir as it was; says what it could not put back and returns 1.
svc_logs_back() {
	[ $svc_logs_moved = 1 ] || return 0
	if [ -n "${1:-}" ]; then
		rm -rf "$1"
		mkdir -p "$(dirname "$1")" && cp -a "$logdir" "$1"
	fi
	rm -rf "$logdir"
	svc_logs_moved=0
	if [ $svc_logs_moved_dir = 1 ]; then
		mv "$logdir.ringaudit-test" "$logdir"
		if [ "$(stat -c %i "$logdir")" != "$svc_logs_inode" ]; then
			echo "cleanup: $logdir not restored"
			return 1
		fi
	fi
	[ -z "${1:-}" ] || echo "cleanup: this run's logs are in $1"
}

# svc ACTION: the service command, bounded so that a hung start or stop
# cannot outlive the test's time and skip the cleanup.
svc() { timeout 120 service auditd "$@"; }

# daemon_ok PID: the checks every daemon the service started on the
# drop-in must pass ($bin: the daemon's installed binary, $link: the
# auditd link to it).
daemon_ok() {
	local pid=$1
	expect "the kernel's audit pid is the daemon's" test "$(kstat pid)" = "$pid"
	expect "pidof auditd finds it, and only it" test "$(pidof auditd)" = "$pid"
	expect "its comm is auditd" test "$(cat "/proc/$pid/comm")" = auditd
	expect "killall -0 auditd finds it" killall -q -0 auditd
	expect "its exe is $bin" test "$(readlink "/proc/$pid/exe")" = "$bin"
	expect "start-stop-daemon --exec $link matches it" \
		start-stop-daemon --stop --test --quiet --exec "$link"
	expect "$pidfile holds its pid" \
		test "$(cat "$pidfile" 2>/dev/null)" = "$pid"
	expect "start-stop-daemon --pidfile $pidfile --name auditd matches it" \
		start-stop-daemon --stop --test --quiet --pidfile "$pidfile" --name auditd
	expect "service auditd status says running" quiet svc status
}

# started OLD: the pid the kernel names within 5 s if not 0 or OLD, or
# nothing.
new_pid() { local p; p=$(kstat pid); [ "$p" != 0 ] && [ "$p" != "$1" ]; }
started() {
	wait_for 50 new_pid "$1" || return 0
	kstat pid
}

# gone PID: no such process, or only a zombie.
gone() {
	[ ! -e "/proc/$1" ] ||
		[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# svc_stopped: the checks after `service auditd stop`.
svc_stopped() {
	expect "stop: the kernel's audit pid is 0" test "$(kstat pid)" = 0
	expect "stop: no auditd runs" test -z "$(pidof auditd)"
	expect "stop: no $pidfile" test ! -e "$pidfile"
	expect "service auditd status says stopped" \
		test "$(svc status >/dev/null 2>&1; echo $?)" != 0
}
