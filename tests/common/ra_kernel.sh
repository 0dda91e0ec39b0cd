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
