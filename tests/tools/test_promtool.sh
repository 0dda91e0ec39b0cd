#!/usr/bin/env bash
# tests/tools/test_promtool.sh - what Prometheus's own tool says of
# ringauditd's metrics and of the alert rules shipped in dist/.
#
#  - `promtool check metrics` passes, without a lint remark, the metrics
#    file of a running daemon (local_events = no: no audit socket, no
#    kernel lock) with a plugin, and the control socket answers;
#  - the file has what an admin alerts on: the kernel's lost, backlog,
#    backlog_limit, enabled and failure, logging suspended, the log's free
#    space, build_info, and latency histograms;
#  - `promtool check rules dist/ringauditd-alerts.yml` passes, and
#    `promtool test rules` (tests/tools/alerts_test.yml) shows each alert
#    firing when it should and not before.
# Needs Debian's prometheus package (promtool; tools/deps.sh).
# shellcheck disable=SC2154
set -u
src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
case $build in /*) ;; *) build=$src/$build ;; esac
ringauditd=$build/ringauditd
top=$build/ringaudit-top

. "$src/tests/common/ra_kernel.sh"

[ "$(id -u)" = 0 ] || skip_or_fail "needs root"
command -v promtool >/dev/null || skip_or_fail "needs promtool (prometheus)"
for f in "$ringauditd" "$top"; do
	[ -x "$f" ] || skip_or_fail "no $f: build it first"
done

tmp=$(mktemp -d /tmp/ra-prom-XXXXXX)
chmod 755 "$tmp"
fails=0
pid=
cleanup() {
	local rc=$?
	stop_daemon ringauditd "$pid"
	[ "$rc" = 0 ] && [ "$fails" != 0 ] && rc=1
	[ "$rc" = 0 ] || keep_files "$build/tools_test_promtool.fail" \
		"the files" "$tmp"/*
	rm -rf "$tmp"
	exit "$rc"
}
trap_cleanup cleanup

local_conf "$tmp"
printf 'metrics_file = %s\nmetrics_interval = 1\n' "$tmp/ringauditd.prom" \
	>> "$tmp/ringauditd.conf"
"$ringauditd" -n -c "$tmp" 2> "$tmp/daemon.err" &
pid=$!
# A file written after the first records (DAEMON_START) are.
written() { grep -qs '^ringauditd_records_written_total [1-9]' "$tmp/ringauditd.prom"; }
wait_for 100 written || die "no metrics file with a record written"
cp "$tmp/ringauditd.prom" "$tmp/checked.prom"

promtool check metrics < "$tmp/checked.prom" > "$tmp/promtool.out" 2>&1
rc=$?
cat "$tmp/promtool.out"
check "promtool check metrics passes the metrics file" test "$rc" = 0
check "... with no remark" test ! -s "$tmp/promtool.out"
for m in 'ringauditd_kernel_lost_total [0-9]' \
	'ringauditd_kernel_backlog [0-9]' \
	'ringauditd_kernel_backlog_limit [1-9]' \
	'ringauditd_kernel_enabled [0-2]' 'ringauditd_kernel_failure [0-2]' \
	'ringauditd_kernel_status_up 1' 'ringauditd_logging_suspended 0' \
	'ringauditd_log_free_bytes [1-9]' \
	'ringauditd_build_info{version="[0-9.]*",auditd="3.0.9"} 1' \
	'# TYPE ringauditd_receive_to_written_seconds histogram' \
	'ringauditd_receive_to_written_seconds_bucket{le="+Inf"} [1-9]' \
	'ringauditd_plugin_up{plugin="drop.conf"} 1'; do
	check "the file has: $m" grep -q "^$m" "$tmp/checked.prom"
done
# The kernel's figures are the kernel's: backlog_limit as auditctl -s.
check "kernel_backlog_limit is auditctl -s's" grep -q \
	"^ringauditd_kernel_backlog_limit $(kstat backlog_limit)\$" \
	"$tmp/checked.prom"

# The control socket answers with the same text (metrics_all): what
# ringaudit-top parses whole, or refuses.
check "the control socket answers (ringaudit-top --once)" \
	"$top" -s "$tmp/ctl.sock" --once -d 0.1
check "the daemon is still running" kill -0 "$pid"

promtool check rules "$src/dist/ringauditd-alerts.yml" > "$tmp/rules.out" 2>&1
rc=$?
cat "$tmp/rules.out"
check "promtool check rules passes dist/ringauditd-alerts.yml" test "$rc" = 0
(cd "$src/tests/tools" && promtool test rules alerts_test.yml) \
	> "$tmp/rules_test.out" 2>&1
rc=$?
cat "$tmp/rules_test.out"
check "promtool test rules: each alert fires when it should" test "$rc" = 0
exit 0
