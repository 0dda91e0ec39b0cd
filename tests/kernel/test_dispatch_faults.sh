#!/usr/bin/env bash
# test_dispatch_faults.sh - the dispatcher's faults, HUP and shutdown, with
# ringauditd the kernel's registered audit daemon.
#
# Plugins are copies of tests/dispatch/ra_plugin (capture:OUT: stdin
# appended to OUT, "start PID", "exit PID", "eof PID" in OUT.sig), format
# string; the events are getpriority calls of a copy of ra-gen, the one
# program this test's rule (-F exe=) audits: each event is a SYSCALL, a
# PROCTITLE and an EOE record.  Each case runs its own daemon (ringauditd
# -n -c DIR, log_format RAW, messages in DIR/stderr) with its own
# plugins.d, log and state report (SIGCONT; "plugin NAME offered = N" and
# the like).  A capture is compared with the log record by record (the
# whole line; EOE is not logged, so a capture may hold it besides).
# q_depth is 20000 where a plugin must keep up: ra-gen saturates a small
# machine, and a plugin that keeps up may still be off the CPU a while.
#
#
#  1 stop   A plugin stopped (SIGSTOP) under load: the log holds every
#           event, events keep reaching it while the plugin is stopped
#           (two bursts), the kernel's lost count does not move; another
#           plugin gets every record of the log, in order; per plugin
#           offered = delivered + dropped + queue depth; the stopped one
#           overflowed (dropped > 0), and once continued it reads exactly
#           what was delivered, in log order.
#  2 exit   A plugin that exits every 1000 records (exit=1000), with
#           max_restarts = 3: four instances, the fourth death final
#           (state dead, restarts 3, pid 0; stderr says "terminated
#           unexpectedly" four times, "was restarted" three times, "has
#           exceeded max_restarts" once).  What an instance had not read
#           went to the next: its captures (and what each read past its
#           1000th record, OUT.lost) hold every record up to the last one
#           captured, in order, none written twice, and delivered is the
#           number of records its instances read, newline and all (a
#           record read without its newline is sent again, or dropped
#           at the last death); none read whole was sent again.
#           Twice: a plugin that
#           reads all it can, and one that reads 4096 bytes every 5 ms
#           (it dies with its socket full).  A HUP then starts the dead
#           one again, restarts 0.
#  3 noexec Plugins that cannot be executed (a 0750 root file of garbage;
#           a script whose interpreter is missing): four deaths each,
#           then dead, nothing delivered; the daemon runs on, the log
#           holds every event and a plugin beside them gets every record.
#  4 hup    HUPs while events flow: a plugin added (starts, gets every
#           record from then on), a binary replaced (restarted: new pid),
#           args changed (restarted), a file removed (its plugin gets EOF
#           and goes); an unchanged plugin keeps its pid and gets SIGHUP.
#           After each HUP the pids are checked; the log holds every
#           event; every instance's capture is in log order and the
#           restarted plugins' captures together miss nothing.
#  5 term   SIGTERM right after a burst: a plugin that keeps up got every
#           record the log holds (DAEMON_END included; EOE extra), then
#           EOF; a slow plugin beside it got a part, in order; the daemon
#           exits 0.
#  6 susp   overflow_action = suspend and a stopped plugin: the daemon says
#           "Auditd is suspending event passing to plugins due to
#           overflowing its queue.", the report says so; while suspended
#           no plugin gets anything (every record offered is dropped);
#           after SIGUSR2 the plugins get every new record again.
#
# Needs root, the kernel's audit subsystem and auditctl, and no audit
# daemon registered.  Exits 77 to skip, saying why; with RA_REQUIRE_KERNEL
# set (CI) it fails instead.  It takes /run/ringaudit-kernel.lock, and
# every exit path puts the machine back: the daemon and its plugins
# stopped (stopped ones continued first), the rules deleted (those loaded
# before put back), the kernel's enabled, failure, backlog_limit (8192
# for the run), backlog_wait_time and rate_limit as they were, its audit
# pid 0.  Some 20 s.  On failure the case folders (logs, captures,
# stderr, reports) are kept in $RA_BUILD/test_dispatch_faults.fail.
#
#   RA_BUILD=BUILD_DIR RA_SOURCE_DIR=SRC tests/kernel/test_dispatch_faults.sh
#   RA_FAULTS_CASES="1 2 3 4 5 6"   the cases to run
#   RA_FAULTS_DEADLINE=S            give up (and clean up) after S s (240)
#   RA_RINGAUDITD=PATH              another ringauditd ($RA_BUILD/ringauditd)
set -uo pipefail
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
cases=${RA_FAULTS_CASES:-1 2 3 4 5 6}
ringauditd=${RA_RINGAUDITD:-$build/ringauditd}
keep=$build/test_dispatch_faults.fail

# skip_or_fail, take_kernel, kernel_save, start_watchdog, stop_daemon,
# ra_write_conf, ra_start (ra_pid; tools/lib.sh's), ...
. "$src/tests/common/ra_kernel.sh"
# plugin_conf
. "$src/tests/kernel/dispatch_lib.sh"

# --- what cannot run here ----------------------------------------------
[ "$(id -u)" -eq 0 ] || skip_or_fail "not root"
command -v auditctl >/dev/null ||
	skip_or_fail "auditctl (Debian: auditd) is not installed"
for f in "$ringauditd" "$build/ra_plugin" "$build/ra-gen"; do
	[ -x "$f" ] || skip_or_fail "no $f: build ringauditd, ra_plugin and ra-gen first"
done
auditctl -s >/dev/null 2>&1 ||
	skip_or_fail "the kernel's audit subsystem does not answer (auditctl -s)"

take_kernel

work=$(mktemp -d /tmp/ra-faults.XXXXXX)
start_watchdog "${RA_FAULTS_DEADLINE:-240}" RA_FAULTS_DEADLINE "$work/timed-out"

# --- what to put back --------------------------------------------------
kernel_save "$work"
key=ra_faults_$$
gen=$work/bin/ra-gen
rule=("always,exit" -F arch=b64 -S getpriority -F "exe=$gen" -k "$key")
flow=
failures=0
result=1

# signal_plugins SIG: every plugin instance a case started (from the
# OUT.sig files) that still runs: stopped ones are continued before the
# daemon stops, and none outlives the test.
signal_plugins() {
	local p
	for p in $(cat "$work"/c*/*.sig 2>/dev/null | awk '$1 == "start" { print $2 }'); do
		grep -qs "$work" "/proc/$p/cmdline" && kill "-$1" "$p" 2>/dev/null
	done
}

cleanup() {
	local rc=$? problems=0
	trap - EXIT INT TERM
	set +e
	[ "$rc" = 0 ] && [ "$result" != 0 ] && rc=1
	# ra_start exits 1, with the daemon's stderr, if it cannot register.
	[ "$rc" != 0 ] && [ "$told" = 0 ] && [ ! -e "$work/timed-out" ] && echo "FAIL - stopped early (exit $rc)"
	echo "== putting the machine back"
	kill "$watchdog" 2>/dev/null
	flow_stop
	signal_plugins CONT
	daemon_stop
	signal_plugins KILL
	kernel_restore "$work" || problems=1
	if [ "$rc" != 0 ] || [ $problems != 0 ]; then
		keep_files "$keep" "the case folders" "$work"/c*
	else
		rm -rf "$keep"
	fi
	rm -rf "$work"
	cleanup_exit "$rc" "$problems"
}
trap_cleanup cleanup

# --- helpers: dispatch_faults_lib.sh ---------------------------------
. "$src/tests/kernel/dispatch_faults_lib.sh"

# --- set up ----------------------------------------------------------------
mkdir -p "$work/bin"
install -m 755 -o root -g root "$build/ra-gen" "$gen"
auditctl -b 8192 >/dev/null || die "auditctl -b 8192 failed"
auditctl -a "${rule[@]}" >/dev/null || die "could not add the rule (auditctl -a ${rule[*]})"

# --- 1: a stopped plugin under load --------------------------------------
case_stop() {
	local d=$work/c1 pid fpid lost0 lost1 f n
	echo "== 1: a plugin stopped (SIGSTOP) under load"
	# q_depth: ra-gen saturates a small machine, and a plugin that keeps
	# up may still be off the CPU for a while; 120,000 records overflow
	# the stopped one all the same.
	setup "$d" q_depth=20000 overflow_action=syslog max_restarts=3
	plugin "$d" fast "capture:$d/fast.out"
	plugin "$d" stopped "capture:$d/stopped.out"
	start "$d" fast stopped
	report "$d"
	pid=$(st "$d" stopped pid)
	fpid=$(st "$d" fast pid)
	check "the report names the plugins' pids (fast $fpid, stopped $pid)" \
		eq "$fpid $pid" "$(sig_pids "$d/fast.out" start) $(sig_pids "$d/stopped.out" start)"
	kill -STOP "$pid"
	lost0=$(kstat lost)
	gen 20000
	wait_log "$d" 20000
	echo "   first burst: 20000 events in the log while the plugin is stopped"
	gen 20000
	wait_log "$d" 40000
	echo "   second burst: 40000 events in the log, the plugin still stopped ($(proc_state "$pid"))"
	check "the plugin was stopped all along" eq "$(proc_state "$pid")" T
	lost1=$(kstat lost)
	check "the kernel lost nothing (lost $lost0 -> $lost1)" eq "$lost1" "$lost0"
	wait_for 300 has_events "$d/fast.out" 40000 ||
		echo "   the fast plugin has $(events "$d/fast.out") of 40000 events after 30 s"
	wait_for 100 drained "$d" fast
	report "$d"
	echo "   while stopped: $(grep '^dispatch ' "$d/auditd.state" | tr '\n' ' ')"
	check "fast: offered = delivered + dropped + queued" balanced "$d" fast
	check "stopped: offered = delivered + dropped + queued" balanced "$d" stopped
	check "fast: nothing dropped" eq "$(st "$d" fast dropped)" 0
	check "stopped: records dropped (its queue overflowed)" gt "$(st "$d" stopped dropped)" 0
	check "stopped: as many offered as fast" eq "$(st "$d" stopped offered)" "$(st "$d" fast offered)"
	check "the report says the queue overflowed" eq "$(st "$d" - "plugin queue overflow detected")" yes
	check "the daemon said the queue was full" gt "$(said "$d" "queue to plugins is full - dropping event")" 0
	check "stopped: state running" eq "$(st "$d" stopped state)" running
	kill -CONT "$pid"
	wait_for 100 drained "$d" stopped
	echo "   after SIGCONT:"
	wait_for 100 delivered_captured "$d" stopped "$d/stopped.out"
	check "stopped: offered = delivered + dropped + queued" balanced "$d" stopped
	check "stopped: its capture holds the $(st "$d" stopped delivered) records delivered" \
		eq "$(wc -l < "$d/stopped.out")" "$(st "$d" stopped delivered)"
	stop_checked "$d"
	f=$(compare "$d/log/audit.log" "$d/fast.out")
	echo "   fast against the log: $f"
	check "fast: every record of the log, in order, once" all_of "$f"
	f=$(compare "$d/log/audit.log" "$d/stopped.out")
	echo "   stopped against the log: $f"
	check "stopped: log records in log order, each once" in_order "$f"
}

# --- 2: a plugin that exits every 1000 records ---------------------------
case_exit() {
	local d=$work/c2 bin f n i x
	echo "== 2: plugins that exit every 1000 records, max_restarts = 3"
	setup "$d" q_depth=20000 overflow_action=syslog max_restarts=3
	# exiter reads all it can each time; slowexit 4096 bytes every 5 ms,
	# so that it dies with its socket full.
	plugin "$d" exiter "capture:$d/exiter.out exit=1000"
	plugin "$d" slowexit "capture:$d/slowexit.out exit=1000,slow=5"
	plugin "$d" keeper "capture:$d/keep.out"
	start "$d" exiter slowexit keep
	# 3000 events: 9000 records and 3000 EOE, past four instances' 1000
	# and what each read beyond.
	gen 3000
	wait_log "$d" 3000
	dead() { report "$1"; [ "$(st "$1" "$2" state)" = dead ]; }
	for x in exiter slowexit; do
		wait_for 100 dead "$d" $x || echo "   $x is $(st "$d" $x state) after 10 s"
	done
	wait_for 100 drained "$d" keeper
	report "$d"
	check "keeper: offered = delivered + dropped + queued" balanced "$d" keeper
	check "keeper: nothing dropped" eq "$(st "$d" keeper dropped)" 0
	check "the report counts 1 active plugin" eq "$(st "$d" - "Number of active plugins")" 1
	for x in exiter slowexit; do
		bin=$work/bin/$x
		check "$x: state dead after the fourth death" eq "$(st "$d" $x state)" dead
		check "$x: pid 0" eq "$(st "$d" $x pid)" 0
		check "$x: restarts 3 (started again three times)" eq "$(st "$d" $x restarts)" 3
		check "$x: four instances started, four exited" \
			eq "$(sig_count "$d/$x.out" start) $(sig_count "$d/$x.out" exit)" "4 4"
		for i in $(sig_pids "$d/$x.out" start); do
			check "$x: instance $i is gone" eval "! running $i"
		done
		check "stderr: 'plugin $bin terminated unexpectedly' 4 times" \
			eq "$(said "$d" "plugin $bin terminated unexpectedly")" 4
		check "stderr: 'plugin $bin was restarted' 3 times" \
			eq "$(said "$d" "plugin $bin was restarted")" 3
		check "stderr: 'plugin $bin has exceeded max_restarts' once" \
			eq "$(said "$d" "plugin $bin has exceeded max_restarts")" 1
		# exec gives a plugin SIGCHLD back: the reaper of action
		# programs must not take (and misname) its death.
		check "stderr: no plugin's death named an action program's" \
			eq "$(said "$d" "Action program")" 0
		check "$x: offered = delivered + dropped + queued" balanced "$d" $x
		n=$(st "$d" $x delivered)
		check "$x: the captures hold 4 x 1000 records" eq "$(wc -l < "$d/$x.out")" 4000
		# The keeper's capture is the reference: it holds EOE too.
		f=$(compare "$d/keep.out" "$d/$x.out" "$d/$x.out.lost")
		echo "   $x (captures, and what each read past 1000) against the keeper: $f"
		check "$x: records in order, none written twice" in_order "$f"
		check "$x: no record missing before its last one" eq "$(fig "$f" missing_before_last)" 0
		check "$x: delivered ($n) = the distinct records its instances read" eq "$n" "$(fig "$f" got)"
		# Read whole, newline and all, before an exit: not sent again.
		check "$x: no record read whole was sent again" eq "$(fig "$f" lost_resent)" 0
	done
	# Dead for good until a HUP starts it again (auditd 3.0.9 never does).
	kill -HUP "$ra_pid"
	wait_for 100 has_sig "$d/exiter.out" start 5 || echo "   no fifth exiter after HUP"
	report "$d"
	check "after HUP: exiter started again, restarts 0" \
		eq "$(st "$d" exiter state) $(st "$d" exiter pid) $(st "$d" exiter restarts)" \
		"running $(sig_pids "$d/exiter.out" start | tail -n 1) 0"
	stop_checked "$d"
	f=$(compare "$d/log/audit.log" "$d/keep.out")
	echo "   keeper against the log: $f"
	check "keeper: every record of the log, in order, once" all_of "$f"
}

# --- 3: plugins that cannot be executed ------------------------------------
case_noexec() {
	local d=$work/c3 b p f
	echo "== 3: plugins that cannot be executed"
	# The keeper must keep up: 20000 (the top).
	setup "$d" q_depth=20000 overflow_action=syslog max_restarts=3
	plugin "$d" keeper "capture:$d/keep.out"
	# Garbage, 0750 root's: execve says ENOEXEC.
	head -c 4096 /dev/urandom > "$work/bin/garbage"
	printf '\x01\x02garbage\n' | dd of="$work/bin/garbage" conv=notrunc status=none
	# A script whose interpreter is not there: execve says ENOENT.
	printf '#!%s/no/such/interpreter\nexit 0\n' "$work" > "$work/bin/noint"
	for b in garbage noint; do
		chown root:root "$work/bin/$b"
		chmod 750 "$work/bin/$b"
		plugin "$d" $b "capture:$d/$b.out"
	done
	start "$d" keep
	dead2() { report "$1"; [ "$(st "$1" garbage state) $(st "$1" noint state)" = "dead dead" ]; }
	wait_for 100 dead2 "$d" ||
		echo "   after 10 s: garbage $(st "$d" garbage state), noint $(st "$d" noint state)"
	gen 2000
	wait_log "$d" 2000
	wait_for 100 drained "$d" keeper
	report "$d"
	check "ringauditd still runs, registered" eq "$(kstat pid)" "$ra_pid"
	for b in garbage noint; do
		p=$work/bin/$b
		check "$b: state dead" eq "$(st "$d" $b state)" dead
		check "$b: restarts 3" eq "$(st "$d" $b restarts)" 3
		check "$b: pid 0" eq "$(st "$d" $b pid)" 0
		check "$b: nothing delivered" eq "$(st "$d" $b delivered)" 0
		check "$b: offered = delivered + dropped + queued" balanced "$d" $b
		check "$b: offered as many as the keeper" eq "$(st "$d" $b offered)" "$(st "$d" keeper offered)"
		check "stderr: 'cannot execute it' for $b 4 times" \
			eq "$(said "$d" "plugin $p: cannot execute it")" 4
		check "stderr: 'plugin $p terminated unexpectedly' 4 times" \
			eq "$(said "$d" "plugin $p terminated unexpectedly")" 4
		check "stderr: 'plugin $p was restarted' 3 times" \
			eq "$(said "$d" "plugin $p was restarted")" 3
		check "stderr: 'plugin $p has exceeded max_restarts' once" \
			eq "$(said "$d" "plugin $p has exceeded max_restarts")" 1
	done
	check "the report counts 1 active plugin" eq "$(st "$d" - "Number of active plugins")" 1
	check "keeper: nothing dropped" eq "$(st "$d" keeper dropped)" 0
	stop_checked "$d"
	f=$(compare "$d/log/audit.log" "$d/keep.out")
	echo "   keeper against the log: $f"
	check "keeper: every record of the log, in order, once" all_of "$f"
}

# --- 4: HUP: plugins added, changed, removed, while events flow ----------
case_hup() {
	local d=$work/c4 f p lost0
	local -A pid
	echo "== 4: HUP while events flow"
	setup "$d" q_depth=20000 overflow_action=syslog max_restarts=3
	plugin "$d" keep "capture:$d/keep.out hup"
	plugin "$d" bin "capture:$d/bin.out"
	plugin "$d" args "capture:$d/args.out"
	plugin "$d" gone "capture:$d/gone.out"
	start "$d" keep bin args gone
	for p in keep bin args gone; do
		pid[$p]=$(sig_pids "$d/$p.out" start)
	done
	lost0=$(kstat lost)
	flow_start "$d"
	wait_for 100 has_events "$d/log/audit.log" 1000 || die "no events flow"
	# pids_are NAME=PID...: the report's pids, and the processes run.
	pids_are() {
		local kv
		report "$d"
		for kv in "$@"; do
			[ "$(st "$d" "${kv%%=*}" pid)" = "${kv#*=}" ] && running "${kv#*=}" || return 1
		done
	}
	hups() { [ "$(sig_count "$d/keep.out" hup)" = "$1" ]; }

	echo "   HUP 1: plugin 'new' added"
	plugin "$d" new "capture:$d/new.out"
	kill -HUP "$ra_pid"
	wait_for 100 has_sig "$d/new.out" start || die "HUP 1: plugin new did not start"
	pid[new]=$(sig_pids "$d/new.out" start)
	check "HUP 1: new started (pid ${pid[new]}), the others kept their pids" \
		pids_are keep="${pid[keep]}" bin="${pid[bin]}" args="${pid[args]}" gone="${pid[gone]}" new="${pid[new]}"
	check "HUP 1: keep got SIGHUP" wait_for 50 hups 1
	check "the report counts 5 active plugins" eq "$(st "$d" - "Number of active plugins")" 5

	echo "   HUP 2: bin's binary replaced"
	install -m 755 -o root -g root "$build/ra_plugin" "$work/bin/bin.new"
	mv -f "$work/bin/bin.new" "$work/bin/bin"
	kill -HUP "$ra_pid"
	wait_for 100 has_sig "$d/bin.out" start 2 || die "HUP 2: bin was not started again"
	check "HUP 2: the old bin got EOF and exited" \
		eq "$(sig_pids "$d/bin.out" eof)" "${pid[bin]}"
	check "HUP 2: the old bin is gone" wait_for 50 eval "! running ${pid[bin]}"
	pid[bin]=$(sig_pids "$d/bin.out" start | tail -n 1)
	check "HUP 2: bin runs as ${pid[bin]}, the others kept their pids" \
		pids_are keep="${pid[keep]}" bin="${pid[bin]}" args="${pid[args]}" gone="${pid[gone]}" new="${pid[new]}"
	check "stderr: 'Restarting $work/bin/bin since binary changed'" \
		eq "$(said "$d" "Restarting $work/bin/bin since binary changed")" 1
	check "HUP 2: keep got SIGHUP" wait_for 50 hups 2

	echo "   HUP 3: args' args changed"
	plugin "$d" args "capture:$d/args2.out"
	kill -HUP "$ra_pid"
	wait_for 100 has_sig "$d/args2.out" start || die "HUP 3: args was not started again"
	check "HUP 3: the old args got EOF and exited" \
		eq "$(sig_pids "$d/args.out" eof)" "${pid[args]}"
	check "HUP 3: the old args is gone" wait_for 50 eval "! running ${pid[args]}"
	pid[args]=$(sig_pids "$d/args2.out" start)
	check "HUP 3: args runs as ${pid[args]} with the new args" \
		eq "$(tr '\0' ' ' < "/proc/${pid[args]}/cmdline")" "$work/bin/args capture:$d/args2.out "
	check "HUP 3: the others kept their pids" \
		pids_are keep="${pid[keep]}" bin="${pid[bin]}" args="${pid[args]}" gone="${pid[gone]}" new="${pid[new]}"
	check "HUP 3: keep got SIGHUP" wait_for 50 hups 3

	echo "   HUP 4: gone's file removed"
	rm -f "$d/plugins.d/gone"
	kill -HUP "$ra_pid"
	wait_for 100 has_sig "$d/gone.out" eof || die "HUP 4: gone did not get EOF"
	check "HUP 4: gone exited" wait_for 50 eval "! running ${pid[gone]}"
	report "$d"
	check "HUP 4: the report has no plugin gone" eq "$(st "$d" gone pid)" ""
	check "HUP 4: the others kept their pids" \
		pids_are keep="${pid[keep]}" bin="${pid[bin]}" args="${pid[args]}" new="${pid[new]}"
	check "stderr: 'Terminating $work/bin/gone because its now inactive'" \
		eq "$(said "$d" "Terminating $work/bin/gone because its now inactive")" 1
	check "the report counts 4 active plugins" eq "$(st "$d" - "Number of active plugins")" 4
	check "HUP 4: keep got SIGHUP" wait_for 50 hups 4

	check "events flowed through the HUPs" running "$flow"
	flow_stop
	wait_log "$d" "$generated"
	echo "   $generated events made"
	# Each running instance got our last event's EOE, its last record.
	f=$(last_serial "$d/log/audit.log")
	for p in keep bin args2 new; do
		wait_for 300 grep -q "^type=EOE msg=audit([0-9.]*:$f)" "$d/$p.out" ||
			echo "   $p.out lacks our last event ($f) after 30 s"
	done
	report "$d"
	for p in keep bin args new; do
		check "$p: offered = delivered + dropped + queued" balanced "$d" $p
		check "$p: nothing dropped" eq "$(st "$d" $p dropped)" 0
	done
	check "the kernel lost nothing (lost $lost0 -> $(kstat lost))" eq "$(kstat lost)" "$lost0"
	stop_checked "$d"
	# keep has a SIGTERM handler: it exits at the daemon's SIGTERM, so it
	# is checked up to our last event.
	f=$(compare "$d/log/audit.log" "$d/keep.out" last="$(event_end "$d/log/audit.log" "$generated")")
	echo "   keep against the log (to our last event): $f"
	check "keep: every record, in order, once" all_of "$f"
	f=$(compare "$d/log/audit.log" "$d/bin.out")
	echo "   bin (both instances) against the log: $f"
	check "bin: every record of the log, in order, once" all_of "$f"
	cat "$d/args.out" "$d/args2.out" > "$d/args-both.out"
	f=$(compare "$d/log/audit.log" "$d/args-both.out")
	echo "   args (both instances) against the log: $f"
	check "args: every record of the log, in order, once" all_of "$f"
	f=$(compare "$d/log/audit.log" "$d/new.out" first=cap)
	echo "   new against the log (from its first record on): $f"
	check "new: every record from its first on, in order, once" all_of "$f"
	f=$(compare "$d/log/audit.log" "$d/gone.out")
	echo "   gone against the log: $f"
	check "gone: log records in log order, each once" in_order "$f"
}

# --- 5: SIGTERM right after a burst ----------------------------------------
case_term() {
	local d=$work/c5 f p
	echo "== 5: SIGTERM right after a burst"
	setup "$d" q_depth=20000 overflow_action=syslog max_restarts=3
	plugin "$d" keep "capture:$d/keep.out"
	# 4096 bytes every 5 ms: it overflows, and holds the daemon's stop
	# up to stop_ms with its queue.
	plugin "$d" slow "capture:$d/slow.out slow=5"
	start "$d" keep slow
	gen 20000
	stop_checked "$d"
	f=$(compare "$d/log/audit.log" "$d/keep.out")
	echo "   keep against the log: $f"
	check "keep: every record of the log (DAEMON_END too), in order, once" all_of "$f"
	check "keep: the log's last record is DAEMON_END" eval "tail -n 1 '$d/log/audit.log' | grep -q '^type=DAEMON_END '"
	check "keep: then EOF (eof in OUT.sig, its pid)" \
		eq "$(sig_pids "$d/keep.out" eof)" "$(sig_pids "$d/keep.out" start)"
	f=$(compare "$d/log/audit.log" "$d/slow.out")
	echo "   slow against the log: $f"
	check "slow: log records in log order, each once" in_order "$f"
	echo "   slow: $(sig_count "$d/slow.out" eof) eof in OUT.sig"
	for p in keep slow; do
		p=$(sig_pids "$d/$p.out" start)
		check "plugin $p is gone" eval "! running $p"
	done
}

# --- 6: overflow_action = suspend ------------------------------------------
case_suspend() {
	local d=$work/c6 pid f first p o1 dl1 dr1 o2 dl2 dr2
	echo "== 6: overflow_action = suspend, a stopped plugin"
	setup "$d" q_depth=5000 overflow_action=suspend max_restarts=3
	plugin "$d" keep "capture:$d/keep.out"
	plugin "$d" stopped "capture:$d/stopped.out"
	start "$d" keep stopped
	pid=$(sig_pids "$d/stopped.out" start)
	kill -STOP "$pid"
	gen 10000
	wait_log "$d" 10000
	wait_for 100 drained "$d" keep
	report "$d"
	check "stderr: 'Auditd is suspending event passing to plugins due to overflowing its queue.' once" \
		eq "$(said "$d" "Auditd is suspending event passing to plugins due to overflowing its queue.")" 1
	check "the report: plugin queueing suspended = yes" eq "$(st "$d" - "plugin queueing suspended")" yes
	check "the report: plugin queue overflow detected = yes" eq "$(st "$d" - "plugin queue overflow detected")" yes
	check "keep: state suspended" eq "$(st "$d" keep state)" suspended
	check "stopped: state suspended" eq "$(st "$d" stopped state)" suspended
	check "keep: offered = delivered + dropped + queued" balanced "$d" keep
	check "stopped: offered = delivered + dropped + queued" balanced "$d" stopped
	o1=$(st "$d" keep offered) dl1=$(st "$d" keep delivered) dr1=$(st "$d" keep dropped)
	echo "   suspended; more events"
	gen 1000
	wait_log "$d" 11000
	report "$d"
	o2=$(st "$d" keep offered) dl2=$(st "$d" keep delivered) dr2=$(st "$d" keep dropped)
	check "keep: offered more ($o1 -> $o2)" gt "$o2" "$o1"
	check "keep: nothing more delivered ($dl1 -> $dl2)" eq "$dl2" "$dl1"
	check "keep: every record offered since was dropped ($dr1 -> $dr2)" eq "$((dr2 - dr1))" "$((o2 - o1))"
	f=$(compare "$d/log/audit.log" "$d/keep.out" first="$(event_line "$d/log/audit.log" 10001)" \
		last="$(event_end "$d/log/audit.log" 11000)")
	echo "   keep, against the log lines of the events made while suspended: $f"
	check "keep: none of them" eq "$(fig "$f" got)" 0
	kill -CONT "$pid"
	wait_for 100 drained "$d" stopped
	kill -USR2 "$ra_pid"
	resumed() { report "$1"; [ "$(st "$1" - "plugin queueing suspended")" = no ]; }
	check "after SIGUSR2: plugin queueing suspended = no" wait_for 100 resumed "$d"
	check "keep: state running" eq "$(st "$d" keep state)" running
	echo "   resumed; more events"
	gen 1000
	wait_log "$d" 12000
	first=$(event_line "$d/log/audit.log" 11001)
	for p in keep stopped; do
		wait_for 100 delivered_captured "$d" $p "$d/$p.out"
	done
	report "$d"
	for p in keep stopped; do
		check "$p: offered = delivered + dropped + queued" balanced "$d" $p
	done
	stop_checked "$d"
	for p in keep stopped; do
		f=$(compare "$d/log/audit.log" "$d/$p.out" first="$first")
		echo "   $p against the log, from the first event after SIGUSR2 (line $first): $f"
		check "$p: every record from then on, in order, once" all_of "$f"
	done
}

for c in $cases; do
	case $c in
	1) case_stop ;;
	2) case_exit ;;
	3) case_noexec ;;
	4) case_hup ;;
	5) case_term ;;
	6) case_suspend ;;
	*) die "RA_FAULTS_CASES: no case $c" ;;
	esac
done

if [ $failures = 0 ]; then
	result=0
	echo "ok   - the dispatcher's faults, HUP and shutdown (cases $cases, ${SECONDS} s)"
else
	echo "FAIL - $failures checks failed"
	told=1
fi
