#!/usr/bin/env bash
# test_dropin.sh - tools/dropin.sh's files and switches, without the kernel.
#
# Runs itself again in a private mount namespace with empty tmpfs over
# /usr/local, /var/lib, /etc/default, /run and /etc/systemd/system, so the
# machine's own files are never touched, and checks:
#
#  - sysvinit: install makes the binary, the auditd link and one DAEMON=
#    block; a second install changes nothing; uninstall gives
#    /etc/default/auditd back byte for byte (also without a last newline,
#    and when there was none), keeps an admin's later edits, and removes
#    every file and folder install made; status says installed or not.
#  - ringaudit-dropin (the script as CMake installs it, with the daemon
#    installed beside it): install and uninstall only switch, copying and
#    removing nothing; a drop-in of one form is refused by the other.
#  - systemd (a /run/systemd/system and a stand-in systemctl that records
#    its calls): the unit is installed with the prefix's ExecStart=,
#    auditd.service is stopped and disabled before ringauditd.service is
#    enabled and started, and uninstall enables and starts auditd.service
#    again only if it was before.
#
# Needs root and unshare(1); exits 77 otherwise.
set -uo pipefail

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}

if [ "${1:-}" != --inside ]; then
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: not root"; exit 77; }
	command -v unshare >/dev/null || { echo "SKIP: no unshare"; exit 77; }
	[ -x "$build/ringauditd" ] || { echo "SKIP: $build has no ringauditd"; exit 77; }
	exec unshare --mount --propagation private "$0" --inside
fi

set -e
for d in /usr/local /var/lib /etc/default /run /etc/systemd/system; do
	mount -t tmpfs ringaudit-test "$d"
done
set +e
tmp=$(mktemp -d /tmp/ra-dropin.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export RA_BUILD=$build
dropin=$src/tools/dropin.sh
defaults=/etc/default/auditd
fails=0
expect() {
	local what=$1
	shift
	if "$@"; then echo "ok   - $what"; else echo "FAIL - $what"; fails=$((fails + 1)); fi
}
quiet() { "$@" >/dev/null; }
empty() { [ -z "$(find "$1" -mindepth 1 -print -quit)" ]; }

debian_defaults() {
	printf '%s\n' '# Add extra options here' 'EXTRAOPTIONS=""' \
		'AUDITD_CLEAN_STOP="no"' 'USE_AUGENRULES="yes"' > "$defaults"
	chmod 644 "$defaults"
}
daemon_var() { env -i sh -c ". $defaults; echo \"\$DAEMON\""; }

echo "== sysvinit: install twice, uninstall"
debian_defaults
cp -p "$defaults" "$tmp/orig"
"$dropin" install >/dev/null
expect "ringauditd installed" test -x /usr/local/sbin/ringauditd
expect "the auditd link points at it" \
	test "$(readlink -f /usr/local/lib/ringaudit/auditd)" = /usr/local/sbin/ringauditd
expect "DAEMON= names the link" test "$(daemon_var)" = /usr/local/lib/ringaudit/auditd
sum=$(sha256sum < "$defaults")
ino=$(stat -c %i /usr/local/sbin/ringauditd)
"$dropin" install >/dev/null
expect "a second install changes nothing" test "$(sha256sum < "$defaults")" = "$sum"
expect "a second install leaves the binary alone" \
	test "$(stat -c %i /usr/local/sbin/ringauditd)" = "$ino"
expect "status says installed" quiet "$dropin" status
"$dropin" uninstall >/dev/null
expect "uninstall: $defaults byte for byte" cmp -s "$tmp/orig" "$defaults"
expect "uninstall: mode kept" test "$(stat -c %a "$defaults")" = 644
expect "uninstall: /usr/local as it was (empty)" empty /usr/local
expect "uninstall: /var/lib as it was (empty)" empty /var/lib
expect "status says not installed" test "$("$dropin" status >/dev/null; echo $?)" = 1
expect "uninstall again: nothing to do" quiet "$dropin" uninstall

echo "== sysvinit: a last line without its newline"
printf 'EXTRAOPTIONS=""\nX=1' > "$defaults"
cp -p "$defaults" "$tmp/orig"
"$dropin" install >/dev/null
expect "X=1 kept, DAEMON= set" \
	test "$(env -i sh -c ". $defaults; echo \$X \$DAEMON")" = "1 /usr/local/lib/ringaudit/auditd"
"$dropin" uninstall >/dev/null
expect "uninstall: byte for byte" cmp -s "$tmp/orig" "$defaults"

echo "== sysvinit: no $defaults"
rm -f "$defaults"
"$dropin" install >/dev/null
expect "DAEMON= set" test "$(daemon_var)" = /usr/local/lib/ringaudit/auditd
"$dropin" uninstall >/dev/null
expect "uninstall: no $defaults again" test ! -e "$defaults"

echo "== sysvinit: edited after install"
debian_defaults
cp -p "$defaults" "$tmp/orig"
"$dropin" install >/dev/null
echo 'EXTRAOPTIONS="-l"' >> "$defaults"
"$dropin" uninstall >/dev/null
expect "the edit stays" grep -qx 'EXTRAOPTIONS="-l"' "$defaults"
expect "the block goes" test "$(daemon_var)" = ""
expect "the file as it was is kept beside it" \
	cmp -s "$tmp/orig" "$defaults.ringaudit-orig"
rm -f "$defaults.ringaudit-orig"

echo "== sysvinit: ringaudit-dropin, the installed form"
debian_defaults
cp -p "$defaults" "$tmp/orig"
cmake --install "$build" --prefix /usr/local >/dev/null
find /usr/local | sort > "$tmp/files.before"
inst=/usr/local/sbin/ringaudit-dropin
expect "ringaudit-dropin is installed" test -x "$inst"
"$inst" install >/dev/null
expect "ringaudit-dropin install: DAEMON= names the link" \
	test "$(daemon_var)" = /usr/local/lib/ringaudit/auditd
find /usr/local | sort > "$tmp/files.after"
expect "ringaudit-dropin install copies nothing" cmp -s "$tmp/files.before" "$tmp/files.after"
expect "ringaudit-dropin status says installed" quiet "$inst" status
expect "tools/dropin.sh refuses to install over it" \
	test "$("$dropin" install >/dev/null 2>&1; echo $?)" = 1
expect "tools/dropin.sh refuses to uninstall it" \
	test "$("$dropin" uninstall >/dev/null 2>&1; echo $?)" = 1
"$inst" uninstall >/dev/null
expect "ringaudit-dropin uninstall: $defaults byte for byte" cmp -s "$tmp/orig" "$defaults"
find /usr/local | sort > "$tmp/files.after"
expect "ringaudit-dropin uninstall removes nothing" cmp -s "$tmp/files.before" "$tmp/files.after"
expect "ringaudit-dropin uninstall: /var/lib as it was (empty)" empty /var/lib
"$dropin" install >/dev/null
expect "ringaudit-dropin refuses to uninstall tools/dropin.sh's drop-in" \
	test "$("$inst" uninstall >/dev/null 2>&1; echo $?)" = 1
"$dropin" uninstall >/dev/null
# An empty /usr/local again for what follows: a fresh tmpfs.
umount /usr/local && mount -t tmpfs ringaudit-test /usr/local
expect "and tools/dropin.sh's uninstall still gives $defaults back" \
	cmp -s "$tmp/orig" "$defaults"

echo "== systemd, with a stand-in systemctl"
debian_defaults
mkdir -p /run/systemd/system /run/fake
cat > /run/fake/systemctl <<'EOF'
#!/bin/sh
# Records its calls; keeps each unit's states in /run/fake/UNIT.{enabled,active}.
echo "$*" >> /run/fake/calls
s=/run/fake
case $1 in
is-enabled) cat "$s/$2.enabled" 2>/dev/null || echo disabled ;;
is-active) cat "$s/$2.active" 2>/dev/null || echo inactive ;;
show)	# FragmentPath: enabled, ringauditd.service is auditd.service's alias.
	if grep -qx enabled "$s/ringauditd.service.enabled" 2>/dev/null; then
		echo /usr/local/lib/systemd/system/ringauditd.service
	else
		echo /lib/systemd/system/auditd.service
	fi ;;
enable) echo enabled > "$s/$2.enabled" ;;
disable) echo disabled > "$s/$2.enabled" ;;
start | restart) echo active > "$s/$2.active" ;;
stop) echo inactive > "$s/$2.active" ;;
esac
exit 0
EOF
chmod 755 /run/fake/systemctl
echo enabled > /run/fake/auditd.service.enabled
echo active > /run/fake/auditd.service.active
PATH=/run/fake:$PATH "$dropin" install >/dev/null
unit=/usr/local/lib/systemd/system/ringauditd.service
expect "the unit is installed" test -f "$unit"
expect "its ExecStart= is the auditd link" \
	grep -qx 'ExecStart=/usr/local/lib/ringaudit/auditd' "$unit"
expect "$defaults untouched" test "$(daemon_var)" = ""
order=$(grep -nE '^(stop auditd|disable auditd|enable ringauditd|(re)?start ringauditd)' \
	/run/fake/calls | cut -d: -f2 | tr '\n' ',')
expect "auditd.service stopped and disabled, then ringauditd.service enabled and started ($order)" \
	test "$order" = "stop auditd.service,disable auditd.service,enable ringauditd.service,restart ringauditd.service,"
: > /run/fake/calls
PATH=/run/fake:$PATH "$dropin" install >/dev/null
expect "a second install restarts nothing and leaves auditd.service alone" \
	test "$(grep -cE '^(restart|stop|disable)' /run/fake/calls)" = 0
PATH=/run/fake:$PATH "$dropin" uninstall >/dev/null
expect "uninstall: ringauditd.service disabled" \
	grep -qx disabled /run/fake/ringauditd.service.enabled
expect "uninstall: auditd.service enabled and active again" \
	test "$(cat /run/fake/auditd.service.enabled /run/fake/auditd.service.active | tr '\n' ' ')" = "enabled active "
expect "uninstall: the unit is gone" test ! -e "$unit"
expect "uninstall: /usr/local as it was (empty)" empty /usr/local

echo "== systemd: auditd.service was disabled and stopped"
echo disabled > /run/fake/auditd.service.enabled
echo inactive > /run/fake/auditd.service.active
: > /run/fake/calls
PATH=/run/fake:$PATH "$dropin" install >/dev/null
PATH=/run/fake:$PATH "$dropin" uninstall >/dev/null
expect "uninstall leaves auditd.service disabled and stopped" \
	test "$(cat /run/fake/auditd.service.enabled /run/fake/auditd.service.active | tr '\n' ' ')" = "disabled inactive "

echo "== systemd: ringaudit-dropin, the installed form"
echo enabled > /run/fake/auditd.service.enabled
echo active > /run/fake/auditd.service.active
cmake --install "$build" --prefix /usr/local >/dev/null
find /usr/local | sort > "$tmp/files.before"
: > /run/fake/calls
PATH=/run/fake:$PATH /usr/local/sbin/ringaudit-dropin install >/dev/null
order=$(grep -nE '^(stop auditd|disable auditd|enable ringauditd|(re)?start ringauditd)' \
	/run/fake/calls | cut -d: -f2 | tr '\n' ',')
expect "auditd.service stopped and disabled, then ringauditd.service enabled and started ($order)" \
	test "$order" = "stop auditd.service,disable auditd.service,enable ringauditd.service,start ringauditd.service,"
PATH=/run/fake:$PATH /usr/local/sbin/ringaudit-dropin uninstall >/dev/null
expect "uninstall: auditd.service enabled and active again" \
	test "$(cat /run/fake/auditd.service.enabled /run/fake/auditd.service.active | tr '\n' ' ')" = "enabled active "
find /usr/local | sort > "$tmp/files.after"
expect "install and uninstall copied and removed nothing" \
	cmp -s "$tmp/files.before" "$tmp/files.after"
umount /usr/local && mount -t tmpfs ringaudit-test /usr/local

echo "== systemd: a local copy of auditd.service"
cp /lib/systemd/system/auditd.service /etc/systemd/system/auditd.service 2>/dev/null ||
	echo '[Service]' > /etc/systemd/system/auditd.service
: > /run/fake/calls
expect "install refuses" \
	test "$(PATH=/run/fake:$PATH "$dropin" install >/dev/null 2>&1; echo $?)" != 0
expect "and switches nothing" test ! -s /run/fake/calls

echo "== $fails check(s) failed"
[ "$fails" = 0 ]
