#!/usr/bin/env bash
# test_dispatch_diff.sh - auditd and ringauditd send their plugins the
# same bytes.
#
# Debian's auditd 3.0.9 runs as the kernel's registered audit daemon and
# ringauditd beside it in multicast mode (`ingest = multicast`), each with
# a private configuration, log and plugins.d in a temporary folder.  Each
# plugins.d holds two capture plugins (tests/dispatch/ra_plugin: stdin
# copied to a file byte for byte), one `format = string`, one `format =
# binary`.  The daemons run twice, log_format = RAW and then ENRICHED, so
# that the four combinations are covered with two starts; each run makes
# the same workload (ra_workload, as test_enriched.sh drives it, without
# its user and group changes): file watches, failed opens, sockets of
# every family, i386 calls, execve with long arguments, IPC, a login, the
# user-space records PAM and friends send (two cut at 8969 bytes), and a
# burst of getpid calls (RA_DISPATCH_EVENTS, default 1500).
#
# For each run:
#   - pair, per format: the captures are decoded (`ra_plugin lines:` and
#     `frames:`), records keyed by event serial, type and index in the
#     event; DAEMON_* records left out.  A record both daemons sent must
#     be the same bytes (binary: the same header ver, hlen, type, size and
#     payload).  Between the start and end markers a record auditd sent
#     and ringauditd did not is "missing" (multicast may drop: fails past
#     RA_DISPATCH_MAX_MISSING percent, default 1); one ringauditd sent
#     alone always fails.  EOE records must be there.  Binary frames are
#     8986 bytes each (a short one fails), hlen 16, size at most 8970, and
#     ringauditd's bytes past size are zero (auditd's are heap garbage:
#     counted).
#   - self, per daemon: its string and binary plugins got the same records
#     in the same order, ver 0 for RAW (the line is "type=NAME msg=" and
#     the payload) and 1 for ENRICHED (the line is the payload), the line
#     ending where the payload has a NUL and with a space for each '\n' of
#     the payload (auditd 3.0.9 keeps the kernel's '\n' in a RAW frame,
#     and counts a NUL in size when it cuts an ENRICHED line at 8969).
#   - log, per daemon: the records its log holds between the markers are
#     what its string plugin got, EOE aside (it is not logged).
# The comparison is tests/kernel/dispatch_cmp.awk.  How each daemon
# launched the plugin (ra_plugin's OUT.env: stdin, environment, signal
# masks, nice) is shown side by side, and differences are noted, not
# failed.  On failure the captures, logs and comparisons are kept in
# $RA_BUILD/test_dispatch_diff.fail.
#
# Needs root, the kernel's audit subsystem, Debian's auditd package and
# no audit daemon registered.  Exits 77 to skip, saying why; with
# RA_REQUIRE_KERNEL set (CI) it fails instead.  It takes
# /run/ringaudit-kernel.lock, and every exit path puts the machine back:
# the daemons stopped, the rules deleted (those loaded before put back),
# the kernel's enabled, failure, backlog_limit, backlog_wait_time and
# rate_limit as they were, its audit pid 0, /var/run/auditd.pid as it was.
#
#   RA_BUILD=BUILD_DIR RA_SOURCE_DIR=SRC tests/kernel/test_dispatch_diff.sh
#   RA_DISPATCH_EVENTS=N        getpid calls in the burst (default 1500)
#   RA_DISPATCH_MAX_MISSING=P   percent of records ringauditd may miss (1)
#   RA_DISPATCH_FORMATS="RAW ENRICHED"   the log formats to run
#   RA_DISPATCH_DEADLINE=S      give up (and clean up) after S s (240)
#   RA_RINGAUDITD=PATH          another ringauditd (default $RA_BUILD/ringauditd)
#   RA_DISPATCH_KEEP=1          keep the captures even on success
#   RA_DISPATCH_SECOND=auditd-copy
#       development only: start no ringauditd, compare auditd's captures
#       with copies of themselves (checks the workload, the plugin, the
#       decoding and the comparison)
set -uo pipefail
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
events=${RA_DISPATCH_EVENTS:-1500}
max_missing=${RA_DISPATCH_MAX_MISSING:-1}
formats=${RA_DISPATCH_FORMATS:-RAW ENRICHED}
second=${RA_DISPATCH_SECOND:-ringauditd}
wl=$build/ra_workload
ringauditd=${RA_RINGAUDITD:-$build/ringauditd}
cmp_awk=$src/tests/kernel/dispatch_cmp.awk
keep=$build/test_dispatch_diff.fail
pidfile=/var/run/auditd.pid
auditd_bin=/sbin/auditd

# skip_or_fail, take_kernel, kernel_save, start_watchdog, stop_daemon,
# write_conf, start_registered, step, marker, ...
. "$src/tests/common/ra_kernel.sh"
# plugin_conf, plugin_bin
. "$src/tests/kernel/dispatch_lib.sh"

# --- what cannot run here ----------------------------------------------
[ "$(id -u)" -eq 0 ] || skip_or_fail "not root"
if [ ! -x "$auditd_bin" ] || ! command -v auditctl >/dev/null; then
	[ -n "${RA_REQUIRE_KERNEL:-}" ] && "$src/tools/deps.sh" >/dev/null
	[ -x "$auditd_bin" ] && command -v auditctl >/dev/null ||
		skip_or_fail "Debian's auditd package is not installed"
fi
[ -x "$wl" ] && [ -x "$build/ra_plugin" ] ||
	skip_or_fail "no $wl or $build/ra_plugin: build them first"
if [ "$second" = ringauditd ] && [ ! -x "$ringauditd" ]; then
	skip_or_fail "no $ringauditd: build it first"
fi
auditctl -s >/dev/null 2>&1 ||
	skip_or_fail "the kernel's audit subsystem does not answer (auditctl -s)"

take_kernel
start_watchdog "${RA_DISPATCH_DEADLINE:-240}" RA_DISPATCH_DEADLINE

# --- what to put back --------------------------------------------------
work=$(mktemp -d /tmp/ra-dispdiff.XXXXXX)
# uid 54321 must reach area/ (ra_workload denied).
chmod 711 "$work"
kernel_save "$work"
file_save "$work" "$pidfile"
apid='' rpid=''
result=1

cleanup() {
	local rc=$? problems=0
	trap - EXIT INT TERM
	set +e
	[ "$rc" = 0 ] && [ "$result" != 0 ] && rc=1
	echo "== putting the machine back"
	kill "$watchdog" 2>/dev/null
	stop_daemon ringauditd "$rpid"
	stop_daemon auditd "$apid"
	kernel_restore "$work" || problems=1
	file_restore "$work" "$pidfile" || problems=1
	if [ "$rc" != 0 ] || [ $problems != 0 ] || [ -n "${RA_DISPATCH_KEEP:-}" ]; then
		keep_files "$keep" "the captures, logs and comparisons" "$work"/RAW "$work"/ENRICHED
	else
		rm -rf "$keep"
	fi
	rm -rf "$work"
	cleanup_exit "$rc" "$problems"
}
trap_cleanup cleanup

plugin_bin "$work/bin"
area=$work/area
mkdir -p "$area/watched"
chmod 755 "$area" "$area/watched"

# setup DIR FORMAT: configuration and the two capture plugins.
setup() {
	local d=$1
	# Bytes are compared here, not overflow: a queue deep enough for the
	# whole workload (under ASan, with both cores busy, the binary
	# capture once fell 4,000 records behind and 19 were dropped).
	write_conf "$d" "$2" q_depth=30000
	mkdir -p "$d/cap"
	plugin_conf "$d/plugins.d/cap-string.conf" "$plugin" always string \
		"capture:$d/cap/string"
	plugin_conf "$d/plugins.d/cap-binary.conf" "$plugin" always binary \
		"capture:$d/cap/binary binary"
}

# The workload of one run, between the markers (step, workload_rules,
# workload_kinds: ra_kernel.sh's).
workload() {
	workload_rules ra_disp
	step auditctl -m "uid=5 gid=6 auid=7 it's \"quoted\" end"
	workload_kinds
	step "$wl" burst "$events"
	step auditctl -D
}

# launch_notes A_ENV R_ENV: how each daemon launched its plugin.
launch_notes() {
	local k a r
	for k in stdin envc nice SigBlk: SigIgn: argc; do
		a=$(awk -v k="$k" '$1 == k { $1 = ""; print substr($0, 2); exit }' "$1")
		r=$(awk -v k="$k" '$1 == k { $1 = ""; print substr($0, 2); exit }' "$2")
		if [ "$a" = "$r" ]; then
			printf '   %-8s %s\n' "${k%:}" "$a"
		else
			printf '   %-8s auditd %s, %s %s  (note: they differ)\n' \
				"${k%:}" "$a" "$second" "$r"
		fi
	done
	a=$(awk '$1 == "env" { printf "%s ", $2 }' "$1")
	r=$(awk '$1 == "env" { printf "%s ", $2 }' "$2")
	[ "$a" = "$r" ] && printf '   %-8s %s\n' env "${a:-(empty)}" ||
		printf '   %-8s auditd %s; %s %s  (note: they differ)\n' env \
			"${a:-(empty)}" "$second" "${r:-(empty)}"
	a=$(awk '$1 == "fd" { printf "%s ", $2 }' "$1")
	r=$(awk '$1 == "fd" { printf "%s ", $2 }' "$2")
	[ "$a" = "$r" ] && printf '   %-8s %s\n' fds "$a" ||
		printf '   %-8s auditd %s; %s %s  (note: they differ)\n' fds \
			"$a" "$second" "$r"
}

# run FORMAT: both daemons with log_format = FORMAT, the workload, the
# comparisons; false if one fails.
run() {
	local fmt=$1 d=$work/$1 A R alog rlog f first last ok=0 caps
	A=$d/auditd
	R=$d/ringauditd
	setup "$A" "$fmt"
	alog=$A/log/audit.log
	rlog=$R/log/audit.log
	if [ "$second" = ringauditd ]; then
		setup "$R" "$fmt"
		echo "ingest = multicast" >> "$R/ringauditd.conf"
	fi

	echo "== $fmt: starting auditd ($auditd_bin -n -c $A)"
	start_registered auditd "$auditd_bin" "$A" apid
	if [ "$second" = ringauditd ]; then
		echo "== $fmt: starting ringauditd ($ringauditd -n -c $R, ingest = multicast)"
		start_multicast "$ringauditd" "$R" rpid
	fi
	caps=("$A/cap/string" "$A/cap/binary")
	[ "$second" = ringauditd ] && caps+=("$R/cap/string" "$R/cap/binary")
	for f in "${caps[@]}"; do
		started() { [ -s "$1.env" ]; }
		if ! wait_for 100 started "$f"; then
			case $f in
			"$R"/*) sed 's/^/  ringauditd: /' "$R/stderr" | tail -n 20
				die "ringauditd did not start its plugin ($f.env never written)" ;;
			*) sed 's/^/  auditd: /' "$A/stderr" | tail -n 20
				die "auditd did not start its plugin ($f.env never written)" ;;
			esac
		fi
	done
	echo "   both plugins of each daemon started"

	marker_logs=("$alog")
	[ "$second" = ringauditd ] && marker_logs+=("$rlog")
	marker_sync "ra_dispatch sync $fmt"
	marker "ra_dispatch start $fmt $$" || die "the start marker did not reach both logs"
	first=$marker_serial
	echo "== $fmt: workload (start marker serial $first)"
	workload
	marker "ra_dispatch end $fmt $$" || die "the end marker did not reach both logs"
	last=$marker_serial
	echo "== $fmt: end marker serial $last"
	# Every plugin has had the end marker: the daemons stop with nothing
	# queued for them (auditd drops what its queue holds at stop).
	wait_for 200 has_marker "ra_dispatch end $fmt $$" "${caps[@]}" ||
		echo "   note: the end marker did not reach every capture within 20 s"
	wait_quiet 0.5 "${marker_logs[@]}" "${caps[@]}"

	if [ -n "$rpid" ]; then
		stop_daemon ringauditd "$rpid"
		rpid=
		[ "$stopped" = 0 ] || { echo "FAIL - ringauditd exited $stopped at SIGTERM"; ok=1; }
	fi
	stop_daemon auditd "$apid"
	apid=

	if [ "$second" != ringauditd ]; then
		mkdir -p "$R/cap" "$R/log"
		for f in string binary string.env; do cp "$A/cap/$f" "$R/cap/$f"; done
		cp "$alog" "$rlog"
	fi

	echo "== $fmt: how each daemon launched its plugin (ra_plugin's .env)"
	launch_notes "$A/cap/string.env" "$R/cap/string.env"

	mkdir -p "$d/cmp"
	for f in auditd ringauditd; do
		"$plugin" lines:"$d/$f/cap/string" > "$d/cmp/$f.string" &&
		"$plugin" frames:"$d/$f/cap/binary" > "$d/cmp/$f.binary" &&
		"$plugin" lines:"$d/$f/log/audit.log" > "$d/cmp/$f.log" ||
			die "could not decode $f's captures"
	done
	for f in auditd ringauditd; do
		name=$f
		[ $f = ringauditd ] && name=$second
		echo "== $fmt: $name: log, string plugin, binary plugin"
		awk -f "$cmp_awk" -v mode=log -v first="$first" -v last="$last" \
			-v name="$name" "$d/cmp/$f.log" "$d/cmp/$f.string" || ok=1
		awk -f "$cmp_awk" -v mode=self -v logfmt="$fmt" -v name="$name" \
			"$d/cmp/$f.string" "$d/cmp/$f.binary" || ok=1
	done
	# ringauditd's frames must be zero past size; auditd's copies need not.
	clean_tail=0
	[ "$second" = ringauditd ] && clean_tail=1
	for f in string binary; do
		# The record types the compared records must include (binary
		# frames give the number).
		need="SYSCALL PATH CWD PROCTITLE EXECVE SOCKADDR EOE USER"
		[ $f = binary ] && need="1300 1302 1307 1327 1309 1306 1320 1005"
		echo "== $fmt, format = $f: auditd's plugin against $second's"
		awk -f "$cmp_awk" -v mode=pair -v fmt=$f -v first="$first" \
			-v last="$last" -v max_missing="$max_missing" \
			-v names="auditd $second" \
			-v clean_tail="$clean_tail" \
			-v need_types="$need" \
			"$d/cmp/auditd.$f" "$d/cmp/ringauditd.$f" ||
			ok=1
	done
	return $ok
}

for fmt in $formats; do
	case $fmt in RAW | ENRICHED) ;; *) die "RA_DISPATCH_FORMATS: $fmt is not RAW or ENRICHED" ;; esac
	run "$fmt" || { echo "FAIL - log_format = $fmt (above)"; failed_runs="${failed_runs:-} $fmt"; }
done

result=0
[ -z "${failed_runs:-}" ] || result=1
[ "$step_fails" = 0 ] || { echo "FAIL - $step_fails workload steps failed"; result=1; }
[ $result = 0 ] && echo "ok   - auditd's and $second's plugins got the same bytes ($formats; string and binary)"
exit $result
