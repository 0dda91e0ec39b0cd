# Shared by tools/demo.sh and tools/compare.sh: sourced, not run.

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

# ra_write_conf DIR FLUSH: an auditd.conf valid for auditd and ringauditd,
# logging RAW to DIR/log/audit.log.
ra_write_conf() {
	local d=$1 flush=$2
	mkdir -p "$d/log" "$d/plugins.d"
	cat > "$d/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $d/log/audit.log
log_group = root
log_format = RAW
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
}

# ra_wait_registered PID: true once the kernel names PID its audit daemon.
ra_wait_registered() {
	for _ in $(seq 50); do
		[ "$(ra_status pid)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
