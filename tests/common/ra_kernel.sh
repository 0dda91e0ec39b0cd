# ra_kernel.sh - what the shell kernel tests share (sourced, not run):
# skipping, or failing in CI; the kernel's status; waiting for a
# condition; the lock; saving and putting back the kernel's audit
# settings and rules and the files a test changes; a test's temporary
# folder, checks and the end of its cleanup; a watchdog; starting
# and stopping daemons; their configuration (tools/lib.sh's, sourced
# here too); workload steps and marker records; the end of a cleanup.
# Functions that give up call die, FAIL and exit 1 (a test may define
# its own after sourcing this).
# shellcheck shell=bash disable=SC2034,SC2154

# ra_write_conf, ra_start (ra_pid), ra_status, ra_lock
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/lib.sh"

# skip_or_fail WHY: exit 77, or 1 when RA_REQUIRE_KERNEL says the kernel
# tests may not skip (CI).
skip_or_fail() {
	if [ -n "${RA_REQUIRE_KERNEL:-}" ]; then
		echo "FAIL (RA_REQUIRE_KERNEL): $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

# kernel_test_needs CMDS -- FILES: root, each command of Debian's auditd
# package on PATH, and each built file executable; else skip_or_fail,
# saying which.
kernel_test_needs() {
	local c
	[ "$(id -u)" = 0 ] || skip_or_fail "needs root"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		command -v "$1" >/dev/null ||
			skip_or_fail "needs $1 (Debian's auditd package)"
		shift
	done
	[ $# -gt 0 ] && shift
	for c in "$@"; do
		[ -x "$c" ] || skip_or_fail "no $c: build it first"
	done
}

# die WHY: FAIL, exit 1 (told=1: a FAIL line was said).
told=0
die() {
	echo "FAIL - $*"
	told=1
	exit 1
}

# kstat KEY: a value of `auditctl -s` (enabled, pid, backlog_limit, ...).
kstat() { auditctl -s 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }
# last_line_open FILE: the number of FILE's last line if no newline ends
# it (a write cut short), wc -l's + 1; else 0.
last_line_open() {
	local n=0
	if [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" != '\n' ]; then
		n=$(($(wc -l < "$1") + 1))
	fi
	echo "$n"
}

# wait_for TENTHS CMD...: true once CMD is, polling every 0.1 s.
wait_for() {
	local i tenths=$1
	shift
	for ((i = 0; i < tenths; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# take_kernel: the lock that keeps kernel tests one at a time (held on fd 9
# until the script exits), and a kernel no other daemon holds.
take_kernel() {
	exec 9>/run/ringaudit-kernel.lock
	if ! flock -w 300 9; then
		skip_or_fail "/run/ringaudit-kernel.lock still held after 300 s"
	fi
	[ "$(kstat enabled)" != 2 ] ||
		skip_or_fail "audit is locked (enabled 2) until reboot"
	[ "$(kstat pid)" = 0 ] ||
		skip_or_fail "another audit daemon (pid $(kstat pid)) is registered"
}

# --- putting the machine back ------------------------------------------

# kernel_save DIR: the kernel's audit settings (`auditctl -s`) and rules
# (`auditctl -l`) as they are now, into DIR, for kernel_restore.
kernel_save() {
	auditctl -s > "$1/kernel.before" 2>&1
	auditctl -l > "$1/rules.before" 2>&1
}

# kernel_restore DIR: every rule deleted and those kernel_save found
# loaded again; backlog_limit, backlog_wait_time, rate_limit, failure and
# enabled as it found them (enabled last; failure and enabled only ever
# set to 0 or 1).  Then checks the rules, those settings, and an audit pid
# of 0; says what is not as it was and returns 1.
kernel_restore() {
	local d=$1 k v opt problems=0
	auditctl -D >/dev/null 2>&1
	if ! grep -qx 'No rules' "$d/rules.before"; then
		auditctl -R "$d/rules.before" >/dev/null 2>&1 ||
			{ echo "cleanup: could not reload the rules that were loaded"; problems=1; }
	fi
	for k in backlog_limit backlog_wait_time rate_limit failure enabled; do
		v=$(awk -v k="$k" '$1 == k { print $2 }' "$d/kernel.before")
		case $k in
		backlog_limit) opt=-b ;;
		backlog_wait_time) opt=--backlog_wait_time ;;
		rate_limit) opt=-r ;;
		failure) opt=-f ;;
		enabled) opt=-e ;;
		esac
		case $k:$v in
		failure:[01] | enabled:[01] | backlog*:[0-9]* | rate_limit:[0-9]*)
			auditctl "$opt" "$v" >/dev/null 2>&1 ;;
		esac
	done
	auditctl -l > "$d/rules.after" 2>&1
	cmp -s "$d/rules.before" "$d/rules.after" ||
		{ echo "cleanup: the rules differ from before"; problems=1; }
	for k in enabled failure backlog_limit backlog_wait_time rate_limit pid; do
		v=0
		[ "$k" = pid ] || v=$(awk -v k="$k" '$1 == k { print $2 }' "$d/kernel.before")
		[ "$(kstat "$k")" = "$v" ] && continue
		echo "cleanup: kernel $k is $(kstat "$k"), was $v"
		problems=1
	done
	return $problems
}

# file_save DIR PATH: a copy of PATH as it is now in DIR (or a note that
# there is none), for file_restore.
file_save() {
	local c=$1/saved${2//\//%}
	if [ -e "$2" ] || [ -L "$2" ]; then
		cp -p "$2" "$c" || echo "cannot keep a copy of $2"
	else
		: > "$c.none"
	fi
}

# file_same DIR PATH: PATH is as file_save found it (byte for byte, or
# still absent).
file_same() {
	local c=$1/saved${2//\//%}
	if [ -e "$c.none" ]; then [ ! -e "$2" ]; else cmp -s "$c" "$2"; fi
}

# file_restore DIR PATH: PATH as file_save found it (the copy, or no
# PATH); says what it could not put back and returns 1.
file_restore() {
	local c=$1/saved${2//\//%}
	if [ -e "$c.none" ]; then
		rm -f "$2"
		[ -e "$2" ] || [ -L "$2" ] || return 0
		echo "cleanup: $2 is there, and was not before"
	elif [ -e "$c" ]; then
		cp -p "$c" "$2" && cmp -s "$c" "$2" && return 0
		echo "cleanup: $2 not restored"
	else
		echo "cleanup: no copy of $2 was kept; left as it is"
	fi
	return 1
}

# keep_files KEEP WHAT FILE...: KEEP afresh, holding copies of the FILEs
# there are; says so ("WHAT are kept in KEEP").
keep_files() {
	local keep=$1 what=$2
	shift 2
	rm -rf "$keep"
	mkdir -p "$keep"
	cp -a "$@" "$keep/" 2>/dev/null
	echo "cleanup: $what are kept in $keep"
}

# cleanup_exit RC PROBLEMS: the end of a cleanup: exit RC, or 1 if RC is
# 0 and the machine could not be put back (PROBLEMS not 0), saying so.
cleanup_exit() {
	local rc=$1
	if [ "$2" != 0 ]; then
		echo "FAIL - the machine could not be put back as it was"
		[ "$rc" = 0 ] && rc=1
	fi
	exit "$rc"
}

# trap_cleanup FUNC: FUNC at every exit; INT and TERM exit 130 and 143
# (through FUNC).
trap_cleanup() {
	# shellcheck disable=SC2064 # FUNC's name, now
	trap "$1" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# start_watchdog SECONDS VAR [FILE]: a watchdog: SECONDS from now it says
# FAIL (VAR: the setting that gave SECONDS), touches FILE if given, and
# SIGTERMs the test, so that its cleanup runs before ctest's TIMEOUT
# kills it unprepared, and the test's children (the daemons, and the
# command in the foreground, which the shell's trap waits for).  Its pid
# in $watchdog: kill it first thing in the cleanup.
start_watchdog() {
	(
		exec 9>&-
		trap 'kill "$sp" 2>/dev/null; exit 0' TERM
		sleep "$1" &
		sp=$!
		wait "$sp" || exit 0
		echo "FAIL - still running after $1 s ($2)"
		[ -n "${3:-}" ] && touch "$3"
		kill -TERM $$
		for c in $(ps -o pid= --ppid $$); do
			[ "$c" != "$BASHPID" ] && kill -TERM "$c" 2>/dev/null
		done
	) &
	watchdog=$!
}

# --- a test of checks ---------------------------------------------------

# kernel_test_begin PREFIX: take_kernel, a temporary folder in $tmp
# (/tmp/PREFIX-XXXXXX, 0755), the kernel's settings and rules saved there
# (kernel_save), and no check failed yet.
kernel_test_begin() {
	take_kernel
	tmp=$(mktemp -d "/tmp/$1-XXXXXX")
	chmod 755 "$tmp"
	kernel_save "$tmp"
	fails=0
}

# check NAME CMD...: "ok   - NAME" if CMD is true, else "FAIL - NAME",
# counted in $fails.
check() {
	if "${@:2}"; then
		echo "ok   - $1"
	else
		echo "FAIL - $1"
		fails=$((fails + 1))
	fi
}

# kernel_test_end RC PROBLEMS NAME: the end of a cleanup: the kernel put
# back (kernel_restore), RC 1 if a check failed, $tmp's files kept in
# $build/NAME.fail if the test failed, $tmp removed; exit (cleanup_exit).
kernel_test_end() {
	local rc=$1 problems=$2
	kernel_restore "$tmp" || problems=1
	[ "$rc" = 0 ] && [ "$fails" != 0 ] && rc=1
	[ "$rc" = 0 ] || keep_files "$build/$3.fail" "the logs" "$tmp"/*
	rm -rf "$tmp"
	cleanup_exit "$rc" "$problems"
}

# --- daemons --------------------------------------------------------------

# stop_daemon NAME PID [SECONDS]: SIGTERM, SECONDS (15) to exit, then
# SIGKILL; the exit status in $stopped (empty if there was no PID).
stopped=
stop_daemon() {
	local name=$1 pid=$2 secs=${3:-15} i
	stopped=
	[ -n "$pid" ] || return 0
	if kill -TERM "$pid" 2>/dev/null; then
		for ((i = 0; i < secs * 10; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "$name ($pid) still runs $secs s after SIGTERM: SIGKILL"
			kill -KILL "$pid"
		fi
	fi
	wait "$pid" 2>/dev/null
	stopped=$?
}

# conf_set FILE KEY=VALUE...: each KEY's line of an auditd.conf replaced
# (or added) by "KEY = VALUE".
conf_set() {
	local f=$1 kv k
	shift
	for kv in "$@"; do
		k=${kv%%=*}
		sed -i "/^$k = /d" "$f"
		echo "$k = ${kv#*=}" >> "$f"
	done
}

# write_conf DIR FORMAT [KEY=VALUE...]: tools/lib.sh's auditd.conf for
# auditd and ringauditd (ra_write_conf), logging FORMAT to
# DIR/log/audit.log, plugins in DIR/plugins.d, for a test's temporary
# folder: no action on disk space, small logs, the dispatcher's queue and
# restarts set; then each KEY=VALUE.  And a ringauditd.conf keeping its
# pid file and state report in DIR.
write_conf() {
	local d=$1 fmt=$2
	shift 2
	ra_write_conf "$d" INCREMENTAL_ASYNC "$fmt"
	chmod 750 "$d/plugins.d"
	conf_set "$d/auditd.conf" max_log_file=1024 num_logs=2 \
		space_left=2 space_left_action=IGNORE admin_space_left=1 \
		admin_space_left_action=IGNORE disk_full_action=IGNORE \
		disk_error_action=SYSLOG q_depth=4000 overflow_action=SYSLOG \
		max_restarts=10 "$@"
	chmod 600 "$d/ringauditd.conf"
}

# local_conf DIR [KEY=VALUE...]: write_conf's files for a daemon that
# opens no audit socket (local_events = no: no kernel lock), RAW, with one
# plugin, drop.conf, that reads and discards; then each KEY=VALUE.
local_conf() {
	local d=$1
	shift
	write_conf "$d" RAW local_events=no "$@"
	printf '#!/bin/sh\nexec cat > /dev/null\n' > "$d/drop.sh"
	chmod 750 "$d/drop.sh"
	printf 'active = yes\npath = %s\n' "$d/drop.sh" > "$d/plugins.d/drop.conf"
	chmod 640 "$d/plugins.d/drop.conf"
}

# private_run_dev: in a private mount namespace, a tmpfs on /run and a
# /dev of links to the real one (kept reachable at /run/ra-hostdev), but
# for log: a test binds its own /dev/log there.  Gives up with die.
private_run_dev() {
	local hostdev=/run/ra-hostdev e n
	mount -t tmpfs -o mode=755 ra-run /run || die "cannot mount a tmpfs on /run"
	mkdir -p "$hostdev"
	mount --rbind /dev "$hostdev" || die "cannot bind /dev"
	mount -t tmpfs -o mode=755 ra-dev /dev || die "cannot mount a tmpfs on /dev"
	for e in "$hostdev"/* "$hostdev"/.[!.]*; do
		[ -e "$e" ] || [ -L "$e" ] || continue
		n=${e##*/}
		[ "$n" = log ] && continue
		if [ -L "$e" ]; then
			cp -P "$e" "/dev/$n"
		else
			ln -s "$e" "/dev/$n"
		fi
	done
}

# private_mount_ns VAR ARGS...: the test run again (exec) in a private
# mount namespace, with VAR set so that it knows it is there; or skip
# (no unshare -m).  In it, returns once that is checked.
private_mount_ns() {
	local var=$1
	shift
	if [ -z "${!var:-}" ]; then
		unshare -m --propagation private true 2>/dev/null ||
			skip_or_fail "cannot make a private mount namespace (unshare -m)"
		export "$var=1"
		exec unshare -m --propagation private -- bash "$0" "$@"
	fi
	[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] ||
		die "not in a private mount namespace ($var is for the test itself)"
}

# private_remote_conf CONF: in the private namespace, a tmpfs on /run and
# an empty file of $tmp's bound over audisp-remote's CONF (a tmpfs on
# /etc/audit where there is none), for the test to fill.
private_remote_conf() {
	mount -t tmpfs -o mode=755 ra-run /run || die "cannot mount a tmpfs on /run"
	if [ -f "$1" ]; then
		: > "$tmp/audisp-remote.conf"
		mount --bind "$tmp/audisp-remote.conf" "$1" ||
			die "cannot bind a file over $1"
	else
		mount -t tmpfs -o mode=750 ra-etc-audit /etc/audit ||
			die "cannot mount a tmpfs on /etc/audit"
	fi
}

# remote_test_end RC PROBLEMS NAME KEEP: a log-server test's end: a skip
# (77) puts the kernel back and exits 77; a pass keeps its files in
# $build/NAME.keep when KEEP is set; then kernel_test_end.
remote_test_end() {
	local rc=$1 problems=$2
	if [ "$rc" = 77 ]; then
		kernel_restore "$tmp" || problems=1
		rm -rf "$tmp"
		cleanup_exit 77 "$problems"
	fi
	[ "$rc" = 0 ] && [ "$fails" = 0 ] && [ -n "$4" ] &&
		keep_files "$build/$3.keep" "the logs and outputs" "$tmp"/*
	kernel_test_end "$rc" "$problems" "$3"
}

# audisp_remote_conf PORT QUEUE: on stdout, an audisp-remote.conf for a
# log server on 127.0.0.1:PORT: plain TCP, managed format, records queued
# in memory (QUEUE names the file queue it does not use), failures said
# in syslog and retried, never a stop.
audisp_remote_conf() {
	cat <<CONF
remote_server = 127.0.0.1
port = $1
transport = tcp
queue_file = $2
mode = immediate
queue_depth = 10240
format = managed
network_retry_time = 1
max_tries_per_record = 3
max_time_per_record = 5
heartbeat_timeout = 0
network_failure_action = syslog
disk_low_action = ignore
disk_full_action = warn_once
disk_error_action = warn_once
remote_ending_action = reconnect
generic_error_action = syslog
generic_warning_action = syslog
queue_error_action = stop
overflow_action = syslog
startup_failure_action = warn_once_continue
CONF
}

# registered_or_gone PID: the kernel's audit daemon is PID, or PID is gone.
registered_or_gone() { [ "$(kstat pid)" = "$1" ] || ! kill -0 "$1" 2>/dev/null; }
# start_registered NAME BIN DIR VAR: BIN -n -c DIR (its output in
# DIR/stdout and DIR/stderr), its pid in the variable VAR, the kernel's
# registered audit daemon within 10 s.  Else its stderr, and die.  (Its
# locals are named so that VAR may be any name but sr_pid and sr_rc.)
start_registered() {
	local name=$1 d=$3 sr_pid sr_rc
	"$2" -n -c "$d" >"$d/stdout" 2>"$d/stderr" &
	sr_pid=$!
	printf -v "$4" %s "$sr_pid"
	wait_for 100 registered_or_gone "$sr_pid"
	if ! kill -0 "$sr_pid" 2>/dev/null; then
		wait "$sr_pid"
		sr_rc=$?
		printf -v "$4" %s ""
		sed "s/^/  $name: /" "$d/stderr"
		die "$name exited $sr_rc at start"
	fi
	if [ "$(kstat pid)" != "$sr_pid" ]; then
		sed "s/^/  $name: /" "$d/stderr"
		die "$name did not register within 10 s (kernel pid $(kstat pid))"
	fi
}

# started_or_gone LOG PID: LOG has a DAEMON_START, or PID is gone.
started_or_gone() { grep -qas '^type=DAEMON_START ' "$1" || ! kill -0 "$2" 2>/dev/null; }
# start_multicast BIN DIR VAR: ringauditd (BIN) -n -c DIR, whose
# ringauditd.conf says ingest = multicast, beside the registered daemon;
# its pid in the variable VAR; up once DIR/log/audit.log has its
# DAEMON_START (10 s at most).  Else (it exits, writes no DAEMON_START or
# takes the kernel's audit pid) its stderr, and die.
start_multicast() {
	local d=$2 log=$2/log/audit.log kpid pid rc
	kpid=$(kstat pid)
	"$1" -n -c "$d" >"$d/stdout" 2>"$d/stderr" &
	pid=$!
	printf -v "$3" %s "$pid"
	wait_for 100 started_or_gone "$log" "$pid"
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		rc=$?
		printf -v "$3" %s ""
		sed 's/^/  ringauditd: /' "$d/stderr"
		[ $rc = 6 ] && echo "(exit 6 is a refused configuration: does this build" \
			"know ringauditd.conf's ingest = multicast?)"
		die "ringauditd exited $rc at start"
	fi
	grep -qas '^type=DAEMON_START ' "$log" ||
		die "ringauditd wrote no DAEMON_START within 10 s"
	[ "$(kstat pid)" = "$kpid" ] ||
		die "with ringauditd started, the kernel's audit pid is $(kstat pid), not the registered daemon's $kpid"
}

# --- the workload -------------------------------------------------------

# step CMD...: CMD, its output shown only if it fails; failures counted
# in $step_fails.
step_fails=0
step() {
	local out
	if ! out=$("$@" 2>&1); then
		echo "workload step failed: $*"
		printf '%s\n' "$out" | sed 's/^/  /'
		step_fails=$((step_fails + 1))
	fi
}

# workload_rules KEY: as workload steps, room for a burst (auditctl -b
# 8192: a CONFIG_CHANGE op=set) and the rules that audit what ra_workload
# ($wl) does in $area: a watch on $area/watched, failed opens, sockets,
# execve, i386 calls and the rest, keyed KEY_watch, KEY_net, ...
workload_rules() {
	local r list=(
		"-w $area/watched -p rwxa -k ${1}_watch"
		"-a always,exit -F arch=b64 -S connect,bind,sendto -F exe=$wl -k ${1}_net"
		"-a always,exit -F arch=b64 -S open,openat -F exit=-ENOENT -F exe=$wl -k ${1}_enoent"
		"-a always,exit -F arch=b64 -S open,openat -F exit=-EACCES -F exe=$wl -k ${1}_eacces"
		"-a always,exit -F arch=b64 -S execve -F exe=$wl -k ${1}_exec"
		"-a always,exit -F arch=b32 -S getpid,socketcall,ipc -F exe=$wl -k ${1}_i386"
		"-a always,exit -F arch=b64 -S getpid,kill,pipe2,socketpair,msgctl,mq_open,capset -F exe=$wl -k ${1}_misc"
	)
	step auditctl -b 8192
	for r in "${list[@]}"; do
		# shellcheck disable=SC2086
		step auditctl $r
	done
}

# workload_kinds: as workload steps, ra_workload's kinds of records:
# files in $area/watched, opens denied in $area, sockets of every family,
# i386 calls, execve, IPC, a login, the user-space records PAM and
# friends send.
workload_kinds() {
	step "$wl" files "$area/watched"
	step "$wl" denied "$area"
	step "$wl" net "$area"
	step "$wl" i386
	step "$wl" exec
	step "$wl" ipc
	step "$wl" login
	step "$wl" usermsg
}

# has_marker TEXT FILE...: every FILE holds the record `auditctl -m TEXT`
# made.
has_marker() {
	local t=$1 f
	shift
	for f in "$@"; do
		grep -qaF "msg='text=$t exe=" "$f" 2>/dev/null || return 1
	done
}

# marker TEXT: a USER record with TEXT (auditctl -m), and true once every
# log in the array marker_logs has it (10 s at most); its serial in the
# first of them in $marker_serial.
marker_serial=
marker() {
	auditctl -m "$1" || return 1
	wait_for 100 has_marker "$1" "${marker_logs[@]}" || return 1
	marker_serial=$(grep -aF "msg='text=$1 exe=" "${marker_logs[0]}" |
		sed -n 's/^type=USER msg=audit([0-9.]*:\([0-9]*\)).*/\1/p' | head -n 1)
}

# marker_sync TEXT: markers "TEXT 1" to "TEXT 5" until one reaches every
# log (until then a daemon may not be listening yet); else die.
marker_sync() {
	local i
	for i in 1 2 3 4 5; do
		marker "$1 $i" && return 0
	done
	die "no marker reached both logs in 5 tries"
}

# wait_quiet STEP FILE...: until no FILE grew in STEP s (30 steps at most).
wait_quiet() {
	local step=$1 i s0 s1
	shift
	s0=$(stat -c %s "$@" | tr '\n' ' ')
	for ((i = 0; i < 30; i++)); do
		sleep "$step"
		s1=$(stat -c %s "$@" | tr '\n' ' ')
		[ "$s1" = "$s0" ] && break
		s0=$s1
	done
}

# remote_server_bin SERVER BUILD: the log server under test (RA_SERVER):
# Debian's auditd, or the build's ringauditd (RA_RINGAUDITD: another).
remote_server_bin() {
	case $1 in
	auditd) echo /usr/sbin/auditd ;;
	ringauditd) echo "${RA_RINGAUDITD:-$2/ringauditd}" ;;
	*) echo "FAIL - RA_SERVER is auditd or ringauditd, not $1" >&2; return 1 ;;
	esac
}

# same_as_other NAME KEY DIGEST WHAT: DIGEST (of this server's record
# lines, RA_SERVER) kept in $build/NAME.records.SERVER beside KEY (one
# word: the script's own digest and its sizes, so that a run of another
# version or size is no comparison), then checked against the other
# server's run of the same KEY.  RA_COMPARE_WITH=auditd (CTest runs
# auditd's first, as a fixture) makes a missing run of the other a
# failure, not a remark.
same_as_other() {
	local name=$1 key=$2 digest=$3 what=$4 other o_key o_digest
	echo "$key $digest" > "$build/$name.records.$server"
	other=$([ "$server" = auditd ] && echo ringauditd || echo auditd)
	if read -r o_key o_digest 2>/dev/null < "$build/$name.records.$other" &&
		[ "$o_key" = "$key" ]; then
		check "$what: the same record lines as $other's run ($digest)" \
			test "$digest" = "$o_digest"
	elif [ "${RA_COMPARE_WITH:-}" = "$other" ]; then
		check "$what: a run of $other by this script to compare with (RA_COMPARE_WITH)" false
	else
		echo "   (no run of $other by this script to compare with: digest $digest)"
	fi
}
