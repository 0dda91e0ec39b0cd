#!/usr/bin/env bash
# test_unit.sh - dist/ringauditd.service, as installed, passes
# `systemd-analyze verify`, and enabling it makes the auditd.service alias.
#
# Offline: the unit is installed with DESTDIR into a scratch root (with
# stand-ins for /sbin/augenrules and /bin/kill, which it runs), and
# systemd-analyze and systemctl work on that root (--root); no systemd
# needs to run.  Exits 77 without systemd-analyze.
set -uo pipefail

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
command -v systemd-analyze >/dev/null && command -v systemctl >/dev/null ||
	{ echo "SKIP: no systemd-analyze/systemctl"; exit 77; }

root=$(mktemp -d /tmp/ra-unit.XXXXXX)
trap 'rm -rf "$root"' EXIT
fails=0
expect() {
	local what=$1
	shift
	if "$@"; then echo "ok   - $what"; else echo "FAIL - $what"; fails=$((fails + 1)); fi
}

DESTDIR=$root cmake --install "$build" --prefix /usr/local >/dev/null ||
	{ echo "FAIL - cmake --install"; exit 1; }
mkdir -p "$root/sbin" "$root/bin" "$root/etc/systemd/system"
printf '#!/bin/sh\n' > "$root/sbin/augenrules"
printf '#!/bin/sh\n' > "$root/bin/kill"
chmod 755 "$root/sbin/augenrules" "$root/bin/kill"
unit=$root/usr/local/lib/systemd/system/ringauditd.service

expect "ExecStart= is the installed auditd link" \
	grep -qx 'ExecStart=/usr/local/lib/ringaudit/auditd' "$unit"
systemd-analyze verify --man=no --root="$root" ringauditd.service \
	> "$root/verify.out" 2>&1
rc=$?
sed 's/^/  /' "$root/verify.out"
expect "systemd-analyze verify passes" test "$rc" = 0 -a ! -s "$root/verify.out"

systemctl --root="$root" enable ringauditd.service >/dev/null 2>&1
expect "enable makes the alias auditd.service" \
	test "$(readlink "$root/etc/systemd/system/auditd.service")" = \
	/usr/local/lib/systemd/system/ringauditd.service
expect "enable links it into multi-user.target.wants" \
	test -L "$root/etc/systemd/system/multi-user.target.wants/ringauditd.service"
systemd-analyze verify --man=no --root="$root" ringauditd.service \
	> "$root/verify.out" 2>&1
rc=$?
sed 's/^/  /' "$root/verify.out"
expect "verify passes with the alias (Conflicts= on itself dropped)" test "$rc" = 0
systemctl --root="$root" disable ringauditd.service >/dev/null 2>&1
expect "disable removes the alias" test ! -e "$root/etc/systemd/system/auditd.service"

echo "== $fails check(s) failed"
[ "$fails" = 0 ]
