#!/usr/bin/env bash
# tests/daemon/test_syslog.sh - the syslog lines an admin's tools know:
# for start, stop, reconfiguration, rotation, disk space, suspend and
# resume, and the max_log_file actions, ringauditd logs auditd 3.0.9's
# text at auditd's priority (the <PRI> of the datagram: facility daemon),
# under the name it was started by ("auditd" through a link so named, as
# the drop-in runs it), and what it adds comes after auditd's text.
#
# The daemon runs with local_events = no (no audit netlink socket: no
# kernel lock needed) in a private mount namespace whose /dev/log is a
# datagram socket the test reads (ra_plugin syslog:), with its log on a
# 4 MiB tmpfs that a filler file makes short of space.  Cases:
#   start/stop   Debian's auditd 3.0.9 (local_events = no too), when
#                installed, then ringauditd: the same lines at the same
#                priorities, ringauditd's start line with its own words
#                after auditd's
#   space        space_left (syslog) at start; admin_space_left
#                (suspend) at the check after a SIGUSR1 rotation; SIGUSR2
#                with the space back: attempting, resumed; SIGHUP: config
#                change requested; SIGTERM: the summary (1 record lost,
#                the rotation's, as logging was suspended) and exiting
#   max_log_file a log already past max_log_file at start, for rotate,
#                keep_logs, syslog and suspend; a SIGUSR1 rotation adds
#                no line (auditd says nothing for it)
# Each case's lines are compared whole, in order, with the table below.
# Every text of the table is also looked for in /sbin/auditd's strings,
# when that is Debian's 3.0.9.
# shellcheck disable=SC2154
set -u
src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
case $build in /*) ;; *) build=$src/$build ;; esac
ringauditd=$build/ringauditd
sink=$build/ra_plugin
auditd_bin=${RA_AUDITD:-/sbin/auditd}

. "$src/tests/common/ra_kernel.sh"

[ "$(id -u)" = 0 ] || skip_or_fail "needs root"
for f in "$ringauditd" "$sink"; do
	[ -x "$f" ] || skip_or_fail "no $f: build it first"
done
command -v unshare >/dev/null || skip_or_fail "needs unshare (util-linux)"
private_mount_ns RA_SYSLOG_NS "$@"

# --- auditd 3.0.9's lines: priority (daemon facility: 3 * 8 + severity)
# and text, as its source at tag v3.0.9 has them (its formats, filled in).
T_NOPLUG="29|No plugins found, not dispatching events"
	# audisp/audispd.c libdisp_init (LOG_NOTICE)
T_INIT="29|Init complete, auditd %s listening for events (startup state %s)"
	# src/auditd.c main (LOG_NOTICE), VERSION and startup_states[]
T_EXIT="30|The audit daemon is exiting."
	# src/auditd.c clean_exit (LOG_INFO)
T_CONFIG="29|config change requested by pid=%d auid=%u subj=%s"
	# src/auditd-event.c reconfigure (LOG_NOTICE)
T_LOW="25|Audit daemon is low on disk space for logging"
	# src/auditd-event.c do_space_left_action, FA_SYSLOG (LOG_ALERT)
T_SUSPEND_SPACE="25|Audit daemon is suspending logging due to low disk space."
	# src/auditd-event.c do_space_left_action, FA_SUSPEND (LOG_ALERT)
T_ATTEMPT="29|Audit daemon is attempting to resume logging."
	# src/auditd-event.c resume_logging (LOG_NOTICE)
T_RESUMED="29|Audit daemon resumed logging."
	# src/auditd-event.c resume_logging, the log had been closed
	# (LOG_NOTICE)
T_ROTATING="29|Audit daemon rotating log files"
	# src/auditd-event.c check_log_file_size, SZ_ROTATE (LOG_NOTICE)
T_KEEP="29|Audit daemon rotating log files with keep option"
	# src/auditd-event.c check_log_file_size, SZ_KEEP_LOGS (LOG_NOTICE)
T_MAXSIZE="27|Audit daemon log file is larger than max size"
	# src/auditd-event.c check_log_file_size, SZ_SYSLOG (LOG_ERR)
T_SUSPEND_SIZE="27|Audit daemon is suspending logging due to logfile size."
	# src/auditd-event.c check_log_file_size, SZ_SUSPEND (LOG_ERR)
TABLE=(T_NOPLUG T_INIT T_EXIT T_CONFIG T_LOW T_SUSPEND_SPACE T_ATTEMPT
	T_RESUMED T_ROTATING T_KEEP T_MAXSIZE T_SUSPEND_SIZE)
# ringauditd's own lines (no auditd line for them): its stop summary.
R_SUMMARY_OK="30|ringauditd wrote %s to %s; none were lost"
R_SUMMARY_LOST="28|ringauditd wrote %s to %s; %s was lost *"

tmp=$(mktemp -d /tmp/ra-syslog-XXXXXX)
chmod 755 "$tmp"
fails=0
dpid=
sinkpid=
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	[ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
	stop_daemon daemon "$dpid"
	stop_daemon "the syslog socket" "$sinkpid"
	[ "$rc" = 0 ] && [ "$fails" != 0 ] && rc=1
	[ "$rc" = 0 ] || keep_files "$build/test_syslog.fail" "the logs" "$tmp"/*
	# The mounts go with the namespace.
	umount "$tmp/part" 2>/dev/null
	rm -rf --one-file-system "$tmp"
	exit "$rc"
}
trap_cleanup cleanup
start_watchdog 120 "the whole test"

# --- the namespace: a private /run (pid file, state report) and a /dev
# whose log is the test's socket.
private_run_dev
"$sink" syslog:/dev/log "$tmp/syslog.txt" 2>"$tmp/sink.stderr" &
sinkpid=$!
wait_for 50 test -S /dev/log || die "the syslog socket did not come up"

# The daemon as the drop-in runs it: through a link named auditd.
mkdir -p "$tmp/bin"
ln -s "$ringauditd" "$tmp/bin/auditd"

# fmt ENTRY ARGS...: "PRI|TEXT" with TEXT's %s filled in.
fmt() {
	local pri=${1%%|*} text=${1#*|}
	shift
	# shellcheck disable=SC2059 # the table's formats
	printf "%s|$text\n" "$pri" "$@"
}
# syslog_from N: the lines from the Nth datagram on, as "PRI|IDENT|TEXT".
syslog_from() {
	tail -n "+$1" "$tmp/syslog.txt" | sed -E \
		's/^<([0-9]+)>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} ([^:]+): (.*)$/\1|\2|\3/'
}
indent() { local l; while IFS= read -r l; do echo "     $l"; done <<< "$1"; }
# same_lines CASE EXPECTED GOT: each got line as the expected one (a
# trailing " *" in it: its start), as many, in order; else both said.
same_lines() {
	if awk -v want_s="$2" '
		BEGIN { n = split(want_s, e, "\n") }
		{
			i++
			if (i > n) { bad = 1; exit }
			want = e[i]
			if (want ~ / \*$/) {
				want = substr(want, 1, length(want) - 2)
				if (substr($0, 1, length(want)) != want) bad = 1
			} else if ($0 != want) bad = 1
		}
		END { exit (bad || i != n) }' <<< "$3"; then
		return 0
	fi
	echo "   expected:"
	indent "$2"
	echo "   got:"
	indent "$3"
	return 1
}
mark() { mark=$(($(wc -l < "$tmp/syslog.txt") + 1)); }
# start DIR BIN: BIN -n -c DIR, its pid in $dpid, up once it said Init.
start() {
	local from=$mark
	"$2" -n -c "$1" > "$1/stdout" 2> "$1/stderr" &
	dpid=$!
	said() { syslog_from "$from" | grep -q '|Init complete' || ! kill -0 "$dpid" 2>/dev/null; }
	wait_for 100 said
	kill -0 "$dpid" 2>/dev/null || { sed 's/^/  daemon: /' "$1/stderr"; die "$2 did not start"; }
}
# stop DIR: SIGTERM; the daemon must exit 0 (the last datagram is sent
# before it exits).
stop() {
	stop_daemon daemon "$dpid"
	dpid=
	if [ "$stopped" != 0 ]; then
		echo "FAIL - the daemon exited with $stopped"
		sed 's/^/  daemon: /' "$1/stderr" | tail -n 20
		fails=$((fails + 1))
	fi
}
said_line() { syslog_from "$mark" | grep -qF "$1"; }
wait_said() { wait_for 100 said_line "$1" || echo "   (waited 10 s for \"$1\")"; }
# ident PID: auditd[PID]
ident() { echo "auditd[$1]"; }
# with_ident PID LINES: each "PRI|TEXT" as "PRI|auditd[PID]|TEXT".
# shellcheck disable=SC2001 # every line's start
with_ident() { sed "s/^\([0-9]*\)|/\1|$(ident "$1")|/" <<< "$2"; }

conf() {
	local d=$1
	shift
	write_conf "$d" RAW local_events=no max_log_file=0 num_logs=3 "$@"
}

auid=$(cat /proc/$$/loginuid 2>/dev/null)
[ -z "$auid" ] || [ "$auid" = 4294967295 ] && auid=$(id -u)

# --- the table is auditd 3.0.9's ------------------------------------------
if [ -x "$auditd_bin" ] && command -v strings >/dev/null &&
	dpkg-query -W -f='${Version}' auditd 2>/dev/null | grep -q '3\.0\.9'; then
	strings -a "$auditd_bin" > "$tmp/auditd.strings"
	missing=
	for t in "${TABLE[@]}"; do
		grep -qxF -- "${!t#*|}" "$tmp/auditd.strings" || missing="$missing $t"
	done
	check "every text of the table is in $auditd_bin (3.0.9)${missing:+, but not:$missing}" \
		test -z "$missing"
else
	echo "note - no Debian auditd 3.0.9 here: the table is not held against its binary"
fi

# --- start and stop: auditd itself, then ringauditd ------------------------
if [ -x "$auditd_bin" ]; then
	echo "# start/stop: $auditd_bin (local_events = no)"
	d=$tmp/auditd
	conf "$d"
	mark
	start "$d" "$auditd_bin"
	p=$dpid
	stop "$d"
	# This VM refuses oom_score_adj: auditd says so (no ringauditd line).
	got=$(syslog_from "$mark" | grep -v '|Unable to adjust out of memory score$')
	exp=$(with_ident "$p" "$(fmt "$T_NOPLUG"; fmt "$T_INIT" 3.0.9 enable; fmt "$T_EXIT")")
	check "auditd 3.0.9: the table's start and stop lines, as the test reads them" \
		same_lines auditd "$exp" "$got"
fi

echo "# start/stop: ringauditd as auditd"
d=$tmp/start
conf "$d"
mark
start "$d" "$tmp/bin/auditd"
p=$dpid
stop "$d"
got=$(syslog_from "$mark")
exp=$(with_ident "$p" "$(fmt "$T_NOPLUG"
	echo "$(fmt "$T_INIT" 3.0.9 enable) - ringauditd *"
	fmt "$R_SUMMARY_OK" "2 records" "$d/log/audit.log"
	fmt "$T_EXIT")")
check "start: auditd's lines, ringauditd's words after; stop: a summary, then exiting" \
	same_lines start "$exp" "$got"
check "the start line says what runs" grep -qF \
	"listening for events (startup state enable) - ringauditd " "$tmp/syslog.txt"
check "logwatch's pattern finds the start line" \
	grep -qE 'Init complete, auditd [0-9,.]+ listening for events' <<< "$got"

# --- disk space, suspend, resume, reconfigure -----------------------------
echo "# space: a 4 MiB partition"
d=$tmp/space
conf "$d" space_left=2 space_left_action=SYSLOG admin_space_left=1 \
	admin_space_left_action=SUSPEND
mkdir -p "$tmp/part"
mount -t tmpfs -o size=4m,mode=755 ra-part "$tmp/part" ||
	die "cannot mount a tmpfs on $tmp/part"
sed -i "s|^log_file = .*|log_file = $tmp/part/audit.log|" "$d/auditd.conf"
# 1.5 MiB left: below space_left (2), above admin_space_left (1).
dd if=/dev/zero of="$tmp/part/filler" bs=1024 count=2560 status=none
mark
start "$d" "$tmp/bin/auditd"
p=$dpid
wait_said "${T_LOW#*|}"
# 0.5 MiB left: the check after the rotation finds admin_space_left.
dd if=/dev/zero of="$tmp/part/filler2" bs=1024 count=1024 status=none
kill -USR1 "$p"
wait_said "${T_SUSPEND_SPACE#*|}"
rm -f "$tmp/part/filler" "$tmp/part/filler2"
kill -USR2 "$p"
wait_said "${T_RESUMED#*|}"
kill -HUP "$p"
wait_for 100 grep -q '^type=DAEMON_CONFIG ' "$tmp/part/audit.log" ||
	echo "   (no DAEMON_CONFIG after 10 s)"
# The dispatcher takes the HUP in its own thread: its line, once said.
noplug_twice() { [ "$(syslog_from "$mark" | grep -c "|${T_NOPLUG#*|}\$")" -ge 2 ]; }
wait_for 100 noplug_twice || echo "   (the dispatcher said nothing of the HUP in 10 s)"
stop "$d"
got=$(syslog_from "$mark")
# Written: START, RESUME, CONFIG, END; lost: ROTATE, as the rotation's
# space check suspended logging before it was written.
exp=$(with_ident "$p" "$(fmt "$T_NOPLUG"
	echo "$(fmt "$T_INIT" 3.0.9 enable) - ringauditd *"
	fmt "$T_LOW"
	fmt "$T_SUSPEND_SPACE"
	fmt "$T_ATTEMPT"
	fmt "$T_RESUMED"
	fmt "$T_CONFIG" "$$" "$auid" "?"
	fmt "$T_NOPLUG"
	fmt "$R_SUMMARY_LOST" "4 records" "$tmp/part/audit.log" 1
	fmt "$T_EXIT")")
check "space_left, admin_space_left's suspend, SIGUSR2's resume, SIGHUP: auditd's lines" \
	same_lines space "$exp" "$got"
umount "$tmp/part"

# --- max_log_file's actions -------------------------------------------------
# prefill DIR: an audit.log of 1.1 MiB of lines, past max_log_file = 1.
prefill() {
	mkdir -p "$1/log"
	awk 'BEGIN { for (i = 0; i < 11000; i++)
		printf "type=USER msg=audit(1.000:%d): filler %080d\n", i + 1, i }' \
		> "$1/log/audit.log"
	chmod 600 "$1/log/audit.log"
}
for act in ROTATE KEEP_LOGS SYSLOG SUSPEND; do
	echo "# max_log_file_action = $act"
	d=$tmp/max-$act
	conf "$d" max_log_file=1 max_log_file_action="$act"
	prefill "$d"
	mark
	start "$d" "$tmp/bin/auditd"
	p=$dpid
	case $act in
	ROTATE) line=$(fmt "$T_ROTATING") ;;
	KEEP_LOGS) line=$(fmt "$T_KEEP") ;;
	SYSLOG) line=$(fmt "$T_MAXSIZE") ;;
	SUSPEND) line=$(fmt "$T_SUSPEND_SIZE") ;;
	esac
	wait_said "${line#*|}"
	if [ "$act" = ROTATE ]; then
		# A SIGUSR1 rotation: a DAEMON_ROTATE, and no syslog line.
		kill -USR1 "$p"
		wait_for 100 test -e "$d/log/audit.log.2" ||
			echo "   (no second rotation after 10 s)"
		wait_for 100 grep -q '^type=DAEMON_ROTATE ' "$d/log/audit.log" ||
			echo "   (no DAEMON_ROTATE after 10 s)"
	fi
	stop "$d"
	got=$(syslog_from "$mark")
	case $act in
	ROTATE) sum=$(fmt "$R_SUMMARY_OK" "3 records" "$d/log/audit.log") ;;
	SUSPEND) sum=$(fmt "$R_SUMMARY_LOST" "1 record" "$d/log/audit.log" 1) ;;
	*) sum=$(fmt "$R_SUMMARY_OK" "2 records" "$d/log/audit.log") ;;
	esac
	exp=$(with_ident "$p" "$(fmt "$T_NOPLUG"
		echo "$(fmt "$T_INIT" 3.0.9 enable) - ringauditd *"
		echo "$line"
		echo "$sum"
		fmt "$T_EXIT")")
	extra=
	[ "$act" = ROTATE ] && extra=" (a SIGUSR1 rotation adds none)"
	check "max_log_file_action = $act: auditd's line$extra" \
		same_lines "$act" "$exp" "$got"
done

echo "# $fails failed"
[ "$fails" = 0 ]
