# dispatch_lib.sh - what test_dispatch_diff.sh and test_dispatch_real.sh
# share (sourced after tests/common/ra_kernel.sh, not run): putting the
# kernel back, stopping daemons, the configurations.  The sourcing script
# sets $work (its temporary folder) and $build (the build folder).
# shellcheck shell=bash disable=SC2034,SC2154

# kernel_save: the kernel's settings and rules as they are now, into
# $work (k_* variables, $work/rules.before).
kernel_save() {
	k_enabled=$(kstat enabled)
	k_failure=$(kstat failure)
	k_backlog=$(kstat backlog_limit)
	k_wait=$(kstat backlog_wait_time)
	k_rate=$(kstat rate_limit)
	auditctl -l > "$work/rules.before" 2>&1
}

# kernel_restore: rules and settings as kernel_save found them, audit pid
# 0; says what it could not put back and returns how many.
kernel_restore() {
	local p problems=0
	auditctl -D >/dev/null 2>&1
	if ! grep -qx 'No rules' "$work/rules.before"; then
		auditctl -R "$work/rules.before" >/dev/null 2>&1 ||
			{ echo "cleanup: could not reload the rules that were loaded"; problems=$((problems + 1)); }
	fi
	[ -n "$k_backlog" ] && auditctl -b "$k_backlog" >/dev/null 2>&1
	[ -n "$k_wait" ] && auditctl --backlog_wait_time "$k_wait" >/dev/null 2>&1
	[ -n "$k_rate" ] && auditctl -r "$k_rate" >/dev/null 2>&1
	case $k_failure in 0 | 1) auditctl -f "$k_failure" >/dev/null 2>&1 ;; esac
	case $k_enabled in 0 | 1) auditctl -e "$k_enabled" >/dev/null 2>&1 ;; esac
	auditctl -l > "$work/rules.after" 2>&1
	cmp -s "$work/rules.before" "$work/rules.after" ||
		{ echo "cleanup: the rules differ from before"; problems=$((problems + 1)); }
	for p in enabled:$k_enabled failure:$k_failure backlog_limit:$k_backlog \
	    backlog_wait_time:$k_wait rate_limit:$k_rate pid:0; do
		[ "$(kstat "${p%%:*}")" = "${p#*:}" ] && continue
		echo "cleanup: kernel ${p%%:*} is $(kstat "${p%%:*}"), was ${p#*:}"
		problems=$((problems + 1))
	done
	return $problems
}

# stop NAME PID: SIGTERM, 15 s, then SIGKILL; the exit status in $stopped.
stopped=
stop() {
	local i
	stopped=
	[ -n "$2" ] && kill -0 "$2" 2>/dev/null || return 0
	kill -TERM "$2"
	for ((i = 0; i < 150; i++)); do
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$2" 2>/dev/null; then
		echo "$1 ($2) still runs 15 s after SIGTERM: SIGKILL"
		kill -KILL "$2"
	fi
	wait "$2" 2>/dev/null
	stopped=$?
}

# write_conf DIR FORMAT [KEY=VALUE...]: an auditd.conf that auditd and
# ringauditd both take, logging FORMAT to DIR/log/audit.log, plugins in
# DIR/plugins.d; each KEY=VALUE replaces or adds a line.  And a
# ringauditd.conf keeping its pid file and state report in DIR.
write_conf() {
	local d=$1 fmt=$2 kv k
	shift 2
	mkdir -p "$d/log" "$d/plugins.d"
	chmod 750 "$d/plugins.d"
	cat > "$d/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $d/log/audit.log
log_group = root
log_format = $fmt
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 1024
num_logs = 2
max_log_file_action = IGNORE
priority_boost = 4
name_format = NONE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = SYSLOG
q_depth = 4000
overflow_action = SYSLOG
max_restarts = 10
plugin_dir = $d/plugins.d
CONF
	for kv in "$@"; do
		k=${kv%%=*}
		sed -i "/^$k = /d" "$d/auditd.conf"
		echo "$k = ${kv#*=}" >> "$d/auditd.conf"
	done
	chmod 600 "$d/auditd.conf"
	printf 'pid_file = %s\nstate_file = %s\n' "$d/ringauditd.pid" \
		"$d/auditd.state" > "$d/ringauditd.conf"
	chmod 600 "$d/ringauditd.conf"
}

# plugin_conf FILE PATH TYPE FORMAT [ARGS]: a plugins.d file as auditd
# 3.0.9 reads it (each line under its 160 bytes).
plugin_conf() {
	local f=$1
	{
		echo "active = yes"
		echo "direction = out"
		echo "path = $2"
		echo "type = $3"
		[ -n "${5:-}" ] && echo "args = $5"
		echo "format = $4"
	} > "$f"
	chmod 640 "$f"
	if [ "$(awk '{ if (length($0) >= 159) print }' "$f")" ]; then
		echo "FAIL - $f has a line of 159 bytes or more (auditd's limit)"
		exit 1
	fi
}

# plugin_bin DIR: a copy of ra_plugin auditd accepts (root's, 0755) in
# DIR, its path in $plugin.
plugin_bin() {
	mkdir -p "$1"
	cp "$build/ra_plugin" "$1/ra_plugin"
	chown root:root "$1/ra_plugin"
	chmod 755 "$1/ra_plugin"
	plugin=$1/ra_plugin
}
