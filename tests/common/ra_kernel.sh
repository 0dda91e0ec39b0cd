# ra_kernel.sh - what the shell kernel tests share (sourced, not run):
# skipping, or failing in CI; the kernel's status; waiting for a condition.

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

# kstat KEY: a value of `auditctl -s` (enabled, pid, backlog_limit, ...).
kstat() { auditctl -s 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }

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
