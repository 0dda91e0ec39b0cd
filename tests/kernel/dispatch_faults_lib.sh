# dispatch_faults_lib.sh - test_dispatch_faults.sh's helpers (sourced
# after tests/common/ra_kernel.sh and dispatch_lib.sh, not run): checks,
# starting and stopping the daemon, its report's figures, the load, and
# comparing a plugin's capture with the log.  They use that script's
# variables (work, key, gen, build, ...).
# shellcheck shell=bash disable=SC2034,SC2154

# check DESCRIPTION TEST...: counted, the case goes on.
check() {
	local what=$1
	shift
	if "$@"; then
		echo "   ok   $what"
	else
		echo "   FAIL $what"
		failures=$((failures + 1))
	fi
}

# daemon_stop: the daemon SIGTERMed, 30 s, then SIGKILL; its exit status
# in $stopped.
daemon_stop() {
	stop_daemon ringauditd "$ra_pid" 30
	ra_pid=
}

# setup DIR KEY=VALUE...: a case folder, its auditd.conf (tools/lib.sh's)
# with these dispatcher settings added.
setup() {
	local d=$1
	shift
	ra_write_conf "$d" INCREMENTAL_ASYNC RAW
	chmod 750 "$d/plugins.d"
	conf_set "$d/auditd.conf" "$@"
}

# plugin DIR NAME ARGS: plugins.d/NAME running bin/NAME (a copy of
# ra_plugin, root's, 0755) with ARGS; format string.
plugin() {
	local bin=$work/bin/$2
	[ -e "$bin" ] || install -m 755 -o root -g root "$build/ra_plugin" "$bin"
	plugin_conf "$1/plugins.d/$2" "$bin" always string "$3"
}

# start DIR [OUT...]: ringauditd registered, with DIR's configuration, and
# the plugins capturing to each DIR/OUT.out started ("start" in its
# OUT.sig); $generated, the events made, 0.
start() {
	local d=$1 o
	shift
	: > "$d/stderr"
	generated=0
	ra_start "$ringauditd" "$d"
	[ "$(kstat enabled)" = 1 ] || die "the kernel's audit is not enabled with ringauditd registered"
	for o in "$@"; do
		wait_for 100 has_sig "$d/$o.out" start || die "plugin $o did not start (no start in $o.out.sig)"
	done
}

# stop_checked DIR: the daemon stopped; it exited 0, and its log holds
# every event made.
stop_checked() {
	daemon_stop
	check "ringauditd exited 0 at SIGTERM" eq "$stopped" 0
	check "the log holds every event ($generated)" eq "$(events "$1/log/audit.log")" "$generated"
}

# report DIR: a fresh state report (SIGCONT) in DIR/auditd.state.
report() {
	local f=$1/auditd.state
	rm -f "$f"
	kill -CONT "$ra_pid" || die "ringauditd is gone"
	wait_for 100 test -s "$f" || die "no state report 10 s after SIGCONT"
}
# st DIR NAME FIELD: "plugin NAME FIELD = V" of the last report ("" if
# there is none); st DIR - LINE: auditd's "LINE = V".
st() {
	if [ "$2" = - ]; then
		awk -v k="$3 = " 'index($0, k) == 1 { print substr($0, length(k) + 1); exit }' "$1/auditd.state"
	else
		awk -v k="plugin $2 $3 = " 'index($0, k) == 1 { print substr($0, length(k) + 1); exit }' "$1/auditd.state"
	fi
}
# balanced DIR NAME: offered = delivered + dropped + queue depth, in the
# last report; says the figures.
balanced() {
	local o dl dr q
	o=$(st "$1" "$2" offered)
	dl=$(st "$1" "$2" delivered)
	dr=$(st "$1" "$2" dropped)
	q=$(st "$1" "$2" "queue depth")
	echo "   $2: offered $o, delivered $dl, dropped $dr, queued $q," \
		"high $(st "$1" "$2" "queue high"), restarts $(st "$1" "$2" restarts)," \
		"state $(st "$1" "$2" state)"
	[ -n "$o" ] && [ -n "$dl" ] && [ -n "$dr" ] && [ -n "$q" ] &&
		[ "$o" -eq $((dl + dr + q)) ]
}

# events FILE: our events (SYSCALL records with the key) in a log or capture.
events() { cat "$1" 2>/dev/null | grep -ac "key=\"$key\""; }
# has_events FILE N: at least N of them.
has_events() { [ "$(events "$1")" -ge "$2" ]; }
# last_serial FILE: the serial of the last of our events in FILE.
last_serial() {
	grep -a "key=\"$key\"" "$1" | tail -n 1 |
		sed -n 's/^type=[A-Z_]* msg=audit([0-9.]*:\([0-9]*\)).*/\1/p'
}
# sig_count FILE WORD: lines "WORD PID" in a plugin's OUT.sig.
sig_count() { cat "$1.sig" 2>/dev/null | grep -c "^$2 "; }
sig_pids() { awk -v w="$2" '$1 == w { print $2 }' "$1.sig" 2>/dev/null; }
has_sig() { [ "$(sig_count "$1" "$2")" -ge "${3:-1}" ]; }
# said DIR TEXT: lines of the daemon's stderr holding TEXT.
said() { grep -cF -- "$2" "$1/stderr"; }
running() { [ -n "$1" ] && [ -d "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
proc_state() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null; }

# gen N: N audited getpriority calls.
generated=0
gen() {
	"$gen" "$1" >/dev/null || die "ra-gen $1 failed"
	generated=$((generated + $1))
}
# flow_start DIR / flow_stop: events flowing in the background, 500 at a
# time (each batch counted in DIR/flow.count) until stopped.
flow_start() {
	rm -f "$1/flow.stop" "$1/flow.count"
	(
		while [ ! -e "$1/flow.stop" ]; do
			"$gen" 500 >/dev/null || exit 1
			echo 500 >> "$1/flow.count"
		done
	) &
	flow=$!
	flow_dir=$1
}
flow_stop() {
	[ -n "$flow" ] || return 0
	touch "$flow_dir/flow.stop"
	wait "$flow"
	flow=
	generated=$((generated + $(awk '{ n += $1 } END { print n + 0 }' "$flow_dir/flow.count")))
}

# compare LOG CAP [LOST] [first=N|first=cap] [last=N]: what a plugin
# captured against the log, records keyed by their whole line (trailing
# spaces aside: the log trims one), in a window of the log's lines: from
# line N, or from the line that is the capture's first record (first=cap),
# to line N (default: the whole log).  Lines, not serials: the daemon's
# own records have serials of their own.  LOST: what exiting instances
# read and did not write (ra_plugin's OUT.lost: instances' tails one
# after another, a record cut short by the exit joined to the next; split
# again at each "type=X msg=audit(").  Prints key=value figures:
#   log       log records in the window
#   cap       capture records in the window or in no log line; eoe of
#             them EOE (not logged), unknown neither EOE nor logged
#   dup       window records the capture holds twice or more
#   disorder  capture records that come before one they follow in the log
#   got       window records in the capture (or LOST)
#   missing   window records in neither; missing_before_last, those
#             before the last one either holds (gaps, not an end cut short)
#   lost      LOST records; lost_resent, those the capture holds as well
#   partial   LOST pieces that are no record read: no newline ends them
#             (the part of a record an instance read before its exit;
#             the whole went to the next, or was dropped at the last)
#   cut       pieces that are the first part of the record that follows
#             the last whole one (a plugin stopped with SIGTERM in the
#             middle of its reading): the capture's unterminated end, or,
#             where the captures of two instances were joined, the part
#             before the next instance's first record (that record, sent
#             again whole) on the same line; counted nowhere else
# and the first few missing records into CAP.missing.
compare() {
	local log=$1 cap=$2 lost=/dev/null first=1 last=0 a
	shift 2
	for a in "$@"; do
		case $a in
		first=*) first=${a#first=} ;;
		last=*) last=${a#last=} ;;
		*) lost=$a ;;
		esac
	done
	[ -e "$lost" ] || lost=/dev/null
	# An unterminated last line: its number (wc counts newlines).
	local open_line lost_open
	open_line=$(last_line_open "$cap")
	lost_open=$(last_line_open "$lost")
	awk -v first="$first" -v last="$last" -v missing_out="$cap.missing" \
	    -v open_line="$open_line" -v lost_open="$lost_open" '
	function norm(s) { sub(/ +$/, "", s); return s }
	# The first part of the record after the last whole one, or of an
	# EOE (which the log does not hold).
	function first_part(s) {
		return s != "" && (index(line[prev + 1], s) == 1 ||
		    index("type=EOE msg=audit(", s) == 1 || s ~ /^type=EOE /)
	}
	function lost_piece(s,   i) {
		if (!(s in inlog)) {
			partial++
			return
		}
		if (!(s in idx))
			return
		i = idx[s]
		nlost++
		if (i in incap)
			resent++
		got[i] = 1
		if (i > lastidx)
			lastidx = i
	}
	BEGIN {
		if (first == "cap") {
			# The capture first record that the log holds too.
			first = -1
			while ((getline l < ARGV[2]) > 0) {
				start = norm(l)
				if (start !~ /^type=EOE /)
					break
			}
			close(ARGV[2])
		}
	}
	FILENAME == ARGV[1] {
		$0 = norm($0)
		inlog[$0] = 1
		if (first == -1 && $0 == start)
			first = FNR
		if (first == -1 || FNR < first || (last > 0 && FNR > last) ||
		    ($0 in idx))
			next
		idx[$0] = ++nlog
		line[nlog] = $0
		next
	}
	FILENAME == ARGV[2] {
		$0 = norm($0)
		if (!($0 in inlog) && FNR == open_line && first_part($0)) {
			cut++
			next
		}
		if (!($0 in inlog) &&
		    match(substr($0, 2), /type=[A-Z_0-9]+ msg=audit\(/)) {
			piece = substr($0, 1, RSTART)
			rest = substr($0, RSTART + 1)
			if (first_part(piece)) {
				cut++
				$0 = rest
			}
		}
		if (!($0 in inlog)) {
			ncap++
			if ($0 ~ /^type=EOE /)
				eoe++
			else
				unknown++
			next
		}
		if (!($0 in idx))
			next
		ncap++
		i = idx[$0]
		if (i in incap) {
			dup++
			next
		}
		incap[i] = 1
		got[i] = 1
		if (i < prev)
			disorder++
		prev = i
		if (i > lastidx)
			lastidx = i
		next
	}
	{
		# LOST: split where a record begins inside a line.  A piece
		# no newline ends (the tail of the next instance follows it,
		# or it ends the file) is partial, however much of its record
		# it holds: the daemon counts a record read once its newline
		# is, and sends one read without it again (or, at the last
		# death, drops it).
		s = norm($0)
		while (match(substr(s, 2), /type=[A-Z_0-9]+ msg=audit\(/)) {
			partial++
			s = substr(s, RSTART + 1)
		}
		if (FNR == lost_open)
			partial++
		else
			lost_piece(s)
	}
	END {
		for (i = 1; i <= nlog; i++) {
			if (i in got)
				continue
			missing++
			if (i < lastidx)
				before++
			if (missing <= 5)
				print line[i] > missing_out
		}
		printf "log=%d cap=%d eoe=%d unknown=%d dup=%d disorder=%d got=%d missing=%d missing_before_last=%d lost=%d lost_resent=%d partial=%d cut=%d\n",
		    nlog, ncap, eoe, unknown, dup, disorder, nlog - missing,
		    missing, before, nlost, resent, partial, cut
	}' "$log" "$cap" "$lost"
}
# event_line LOG N: the line of the log where our Nth event begins (its
# SYSCALL record); event_end LOG N: the last line of that event's records.
event_line() { grep -an "key=\"$key\"" "$1" | sed -n "$2{s/:.*//p;q}"; }
event_end() {
	local s
	s=$(grep -a "key=\"$key\"" "$1" | sed -n "$2{s/^type=[A-Z_]* msg=audit([0-9.]*:\([0-9]*\)).*/\1/p;q}")
	grep -an "msg=audit([0-9.]*:$s)" "$1" | tail -n 1 | sed 's/:.*//'
}
# fig FIGURES NAME: one value of compare's output.
fig() { printf '%s\n' "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
# all_of FIGURES: the capture holds every log record of the window, in
# order, once, and nothing else but EOE.
all_of() {
	[ "$(fig "$1" missing)" = 0 ] && [ "$(fig "$1" dup)" = 0 ] &&
		[ "$(fig "$1" disorder)" = 0 ] && [ "$(fig "$1" unknown)" = 0 ] &&
		[ "$(fig "$1" log)" -gt 0 ]
}
# in_order FIGURES: what the capture holds is log records (or EOE), in
# order, each once.
in_order() {
	[ "$(fig "$1" dup)" = 0 ] && [ "$(fig "$1" disorder)" = 0 ] &&
		[ "$(fig "$1" unknown)" = 0 ]
}
eq() { [ "$1" = "$2" ]; }
gt() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -gt "$2" ]; }

# wait_log DIR N: the log holds N of our events (30 s at most).
wait_log() {
	wait_for 300 has_events "$1/log/audit.log" "$2" ||
		die "the log holds $(events "$1/log/audit.log") of our events, not $2, after 30 s"
}
# drained DIR NAME: the plugin's queue is empty (a fresh report).
drained() {
	report "$1"
	[ "$(st "$1" "$2" "queue depth")" = 0 ]
}
# delivered_captured DIR NAME OUT: as many lines in OUT as the report
# says were delivered to NAME, its queue empty.
delivered_captured() {
	report "$1"
	[ "$(st "$1" "$2" "queue depth")" = 0 ] &&
		[ "$(wc -l < "$3")" = "$(st "$1" "$2" delivered)" ]
}
