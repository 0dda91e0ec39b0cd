# dispatch_lib.sh - what the dispatch tests (test_dispatch_diff.sh,
# test_dispatch_real.sh, test_dispatch_faults.sh) share besides
# tests/common/ra_kernel.sh (sourced after it, not run): plugins.d files
# and the test plugin's binary.  The sourcing script sets $build (the
# build folder).
# shellcheck shell=bash disable=SC2034,SC2154

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
	[ -z "$(awk '{ if (length($0) >= 159) print }' "$f")" ] ||
		die "$f has a line of 159 bytes or more (auditd's limit)"
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
