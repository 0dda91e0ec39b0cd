# Shared by tools/demo.sh, compare.sh and the perf-*.sh scripts: sourced,
# not run.

# A field of `auditctl -s` (pid, enabled, backlog_limit, lost, ...).
ra_status() { auditctl -s | awk -v k="$1" '$1 == k { print $2 }'; }

# One kernel user at a time, across scripts and test programs.
ra_lock() {
	exec 9>/run/ringaudit-kernel.lock
	flock 9
	if [ "$(ra_status pid)" != 0 ]; then
		echo "another audit daemon (pid $(ra_status pid)) is registered;" \
		     "stop it first (service auditd stop)" >&2
		exit 1
	fi
}

# ra_bench_begin BUILD: builds ringauditd, ringaudit-bench and ra-floor in BUILD
# (RelWithDebInfo), takes the kernel lock and keeps the kernel's enabled
# flag for ra_bench_end, which stops the daemon and puts the flag back:
# call that from the script's EXIT trap.
ra_enabled=
ra_bench_begin() {
	cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$1" -j"$(nproc)" --target ringauditd ringaudit-bench ra-floor \
		>/dev/null
	ra_lock
	ra_enabled=$(ra_status enabled)
}
ra_bench_end() {
	ra_stop
	[ -z "$ra_enabled" ] || [ "$ra_enabled" = 2 ] ||
		auditctl -e "$ra_enabled" >/dev/null 2>&1 || true
}

# ra_write_conf DIR FLUSH [FORMAT]: an auditd.conf valid for auditd and
# ringauditd, logging FORMAT (default RAW) to DIR/log/audit.log; and a
# ringauditd.conf keeping its pid file and state report in DIR, with the
# lines in RA_CONF after them (printf %b: 'inline = no\n'), if any.
ra_write_conf() {
	local d=$1 flush=$2 fmt=${3:-RAW}
	mkdir -p "$d/log" "$d/plugins.d"
	cat > "$d/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $d/log/audit.log
log_group = root
log_format = $fmt
flush = $flush
freq = 50
max_log_file = 1000
num_logs = 5
priority_boost = 4
name_format = NONE
max_log_file_action = IGNORE
space_left = 75
space_left_action = SYSLOG
admin_space_left = 50
admin_space_left_action = SUSPEND
disk_full_action = SUSPEND
disk_error_action = SUSPEND
plugin_dir = $d/plugins.d
CONF
	chmod 600 "$d/auditd.conf"
	printf 'pid_file = %s\nstate_file = %s\ncontrol_socket = %s\n' "$d/ringauditd.pid" \
		"$d/auditd.state" "$d/ctl.sock" > "$d/ringauditd.conf"
	[ -z "${RA_CONF:-}" ] || printf '%b' "$RA_CONF" >> "$d/ringauditd.conf"
}

# ra_server_conf DIR FLUSH PORT PER_ADDR: ra_write_conf's files for a log
# server (perf-remote.sh, perf-fleet.sh): local_events = no, listening on
# PORT with tcp_max_per_addr PER_ADDR and tcp_listen_queue 1024 (auditd's
# default of 5 overflows under a fleet's back-to-back connects), no
# priority boost, and no disk-space action that could stop a run.
ra_server_conf() {
	ra_write_conf "$1" "$2"
	sed -i '/^local_events/d;/^priority_boost/d' "$1/auditd.conf"
	cat >> "$1/auditd.conf" <<CONF
local_events = no
tcp_listen_port = $3
tcp_max_per_addr = $4
tcp_listen_queue = 1024
max_log_file_action = ROTATE
space_left = 2
admin_space_left = 1
space_left_action = IGNORE
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
CONF
}

# ra_start_server NAME DIR PORT [NOFILE]: the log server NAME (as
# ra_daemon_bin takes it) on DIR's files, stderr appended to DIR/stderr,
# with at most NOFILE open files (soft and hard; default: the shell's);
# ra_pid is its pid.  Waits up to 10 s for it to listen on PORT.
ra_start_server() {
	local bin
	bin=$(ra_daemon_bin "$1")
	(
		[ -z "${4:-}" ] || ulimit -n "$4"
		exec "$bin" -n -c "$2"
	) 2>>"$2/stderr" &
	ra_pid=$!
	for _ in $(seq 100); do
		ss -Hltn "sport = :$3" | grep -q LISTEN && return 0
		sleep 0.1
	done
}

# ra_daemon_bin NAME: the binary for ringauditd, auditd, floor (ra-floor:
# the least a daemon can do, tools/ra_floor.c), or a path.
ra_daemon_bin() {
	case $1 in
	ringauditd) echo build/ringauditd ;;
	auditd) echo /usr/sbin/auditd ;;
	floor) echo build/ra-floor ;;
	*) echo "$1" ;;
	esac
}

# ra_start BIN DIR: BIN -n -c DIR as the audit daemon (stderr appended to
# DIR/stderr); ra_pid is its pid.  Exits, showing stderr, if it fails.
ra_pid=
ra_start() {
	"$1" -n -c "$2" 2>>"$2/stderr" &
	ra_pid=$!
	ra_wait_registered "$ra_pid" || { cat "$2/stderr" >&2; exit 1; }
}

# ra_stop: SIGTERM the daemon ra_start started, and wait for it.
ra_stop() {
	[ -n "$ra_pid" ] || return 0
	kill -TERM "$ra_pid" 2>/dev/null || true
	wait "$ra_pid" || true
	ra_pid=
}

# ra_wait_registered PID: true once the kernel names PID its audit daemon.
ra_wait_registered() {
	for _ in $(seq 50); do
		[ "$(ra_status pid)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
