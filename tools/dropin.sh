#!/usr/bin/env bash
# ringauditd in auditd's place, and back.  One script, two forms:
#
#   tools/dropin.sh install     build if needed, install, switch over
#   tools/dropin.sh uninstall   switch back, remove what install added
#   tools/dropin.sh status      what is installed and what runs
#
#   ringaudit-dropin install|uninstall|status
#
# tools/dropin.sh runs from a source tree.  RA_BUILD names the build folder
# (default ./build, made with cmake if it has no ringauditd yet), RA_PREFIX
# the install prefix (default /usr/local); install installs the daemon
# there (cmake --install) and uninstall removes it.
#
# ringaudit-dropin is this file as CMake installs it (PREFIX/sbin; the
# Debian package's /usr/sbin/ringaudit-dropin): it knows itself by that
# name, and the daemon is already installed beside it, under the same
# prefix, by the package or cmake --install.  Its install only switches
# over and its uninstall only switches back: they copy and remove nothing.
#
# Run as root.  Both commands may be run again: install updates what it
# installed, uninstall of nothing does nothing.  A drop-in installed by one
# form is uninstalled by the same form.
#
# The daemon is PREFIX/sbin/ringauditd, with a link PREFIX/lib/ringaudit/auditd
# to it: started through the link, the daemon's /proc/PID/comm is "auditd",
# so `pidof auditd`, `killall -HUP auditd` and `start-stop-daemon --name
# auditd` find it, while /proc/PID/exe stays ringauditd.  Then:
#
#  sysvinit  (no /run/systemd/system): a marked block at the end of
#            /etc/default/auditd sets DAEMON= to the link; Debian's
#            /etc/init.d/auditd reads that file after its own DAEMON=.  The
#            file is saved first; uninstall puts it back byte for byte.  If
#            the auditd service runs, it is stopped before and started after,
#            so the other daemon takes over.
#  systemd:  ringauditd.service (from tools/dropin.sh: installed to
#            PREFIX/lib/systemd/system); auditd.service is stopped and
#            disabled, ringauditd.service enabled (with its
#            Alias=auditd.service) and started.  uninstall disables
#            ringauditd.service and gives auditd.service back the enabled
#            and active states it had.
#
# What install did is kept in /var/lib/ringaudit/dropin: the mode, the form
# (origin: source or installed), the prefix, the installed files, the
# folders it made, the saved /etc/default/auditd and auditd.service's
# states.  This script takes no kernel lock: it starts a daemon only where
# one ran as the service before it.
set -euo pipefail

self=$(readlink -f "$0")
if [ "$(basename "$self")" = ringaudit-dropin ]; then
	origin=installed
	prefix=$(cd "$(dirname "$self")/.." && pwd)
	how='"ringaudit-dropin uninstall" removes this block'
else
	origin=source
	repo=$(cd "$(dirname "$self")/.." && pwd)
	build=${RA_BUILD:-$repo/build}
	prefix=${RA_PREFIX:-/usr/local}
	how='tools/dropin.sh; "tools/dropin.sh uninstall" removes this block'
fi
state=/var/lib/ringaudit/dropin
defaults=/etc/default/auditd
pidfile=/var/run/auditd.pid
# The block's first line is "$begin ($how)"; either form's is found by
# its start.
begin='# BEGIN ringaudit drop-in'
end='# END ringaudit drop-in'

say() { echo "dropin: $*"; }
die() { echo "dropin: $*" >&2; exit 1; }

need_root() { [ "$(id -u)" -eq 0 ] || die "run as root"; }

init_system() {
	if [ -d /run/systemd/system ]; then echo systemd; else echo sysvinit; fi
}

# The pid of the auditd service per its pid file, if that process runs
# under the name auditd (whichever binary); else nothing.
service_pid() {
	local pid comm
	[ -r "$pidfile" ] || return 0
	read -r pid < "$pidfile" || return 0
	case $pid in '' | *[!0-9]*) return 0 ;; esac
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 0
	[ "$comm" = auditd ] && echo "$pid"
	return 0
}

# The daemon to switch to: built and installed from the source tree
# later (install_component), or there already beside ringaudit-dropin.
ensure_daemon() {
	if [ $origin = installed ]; then
		if [ ! -x "$prefix/sbin/ringauditd" ] || [ "$(readlink \
		    "$prefix/lib/ringaudit/auditd")" != ../../sbin/ringauditd ]; then
			die "$prefix/sbin/ringauditd and the link" \
			    "$prefix/lib/ringaudit/auditd to it are not installed"
		fi
		return 0
	fi
	ensure_built
}

ensure_built() {
	if [ ! -f "$build/CMakeCache.txt" ]; then
		"$repo/tools/deps.sh"
		cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
			-DRA_TESTS=OFF -DRA_BENCH=OFF >/dev/null
	fi
	cmake --build "$build" --target ringauditd -j"$(nproc)" >/dev/null
}

# Install one CMake component and add its files to the state's list; the
# package's ringaudit-dropin has its files installed already.  The
# installed binary is removed first: CMake rewrites a file in place, which
# a running daemon's binary refuses (ETXTBSY).
install_component() {
	local comp=$1
	[ $origin = source ] || return 0
	[ "$comp" = daemon ] && rm -f "$prefix/sbin/ringauditd"
	cmake --install "$build" --prefix "$prefix" --component "$comp" \
		>/dev/null
	cat "$build/install_manifest_$comp.txt" >> "$state/files"
	echo >> "$state/files"
	sort -u -o "$state/files" "$state/files"
	sed -i '/^$/d' "$state/files"
}

# True when the installed daemon or its link is not the build's: install
# has work to do, and a running daemon must restart to pick it up.
daemon_changed() {
	[ $origin = source ] || return 1
	! cmp -s "$build/ringauditd" "$prefix/sbin/ringauditd" ||
		[ "$(readlink "$prefix/lib/ringaudit/auditd")" != ../../sbin/ringauditd ] ||
		! grep -qxF "$prefix/sbin/ringauditd" "$state/files" 2>/dev/null
}

# Folders install may create, parents first; those missing now are noted
# once, so that uninstall removes them (if empty) and nothing else.
# ringaudit-dropin creates none.
note_new_dirs() {
	local d
	[ -e "$state/dirs" ] && return 0
	: > "$state/dirs"
	[ $origin = source ] || return 0
	for d in "$prefix" "$prefix/sbin" "$prefix/lib" "$prefix/lib/ringaudit" \
	    "$prefix/lib/systemd" "$prefix/lib/systemd/system"; do
		[ -d "$d" ] || echo "$d" >> "$state/dirs"
	done
}

# /etc/default/auditd without our block (stdout).
defaults_stripped() {
	[ -e "$defaults" ] || return 0
	awk -v b="$begin" -v e="$end" '
		index($0, b " (") == 1 { skip = 1; next }
		skip && $0 == e { skip = 0; next }
		!skip { print }' "$defaults"
}

has_block() { grep -qF "$begin (" "$defaults" 2>/dev/null; }

defaults_add_block() {
	local tmp
	if [ ! -e "$state/defaults.orig" ] && [ ! -e "$state/defaults.absent" ]; then
		if [ -e "$defaults" ]; then
			cp -p "$defaults" "$state/defaults.orig"
		else
			: > "$state/defaults.absent"
		fi
	fi
	tmp=$(mktemp "$defaults.ringaudit.XXXXXX")
	if has_block; then
		defaults_stripped > "$tmp"
	elif [ -e "$defaults" ]; then
		cat "$defaults" > "$tmp"
		# A last line without its newline would swallow our first.
		[ -s "$tmp" ] && [ -n "$(tail -c1 "$tmp")" ] && echo >> "$tmp"
	fi
	cat >> "$tmp" <<EOF
$begin ($how)
# Debian's /etc/init.d/auditd reads this file after it set DAEMON=/sbin/auditd:
# start ringauditd instead, through a link named auditd, so that the init
# script's start-stop-daemon --name auditd (stop, reload, rotate) finds it.
DAEMON=$prefix/lib/ringaudit/auditd
$end
EOF
	if [ -e "$defaults" ]; then
		chmod --reference="$defaults" "$tmp"
		chown --reference="$defaults" "$tmp"
	else
		chmod 644 "$tmp"
	fi
	mv -f "$tmp" "$defaults"
}

# Put /etc/default/auditd back.  Unchanged since install (apart from our
# block): the saved copy, byte for byte.  Edited since: only our block
# goes, the edits stay, and the saved copy is kept beside it.
defaults_restore() {
	local tmp
	if [ -e "$state/defaults.absent" ]; then
		if [ -e "$defaults" ] && [ -z "$(defaults_stripped)" ]; then
			rm -f "$defaults"
		elif [ -e "$defaults" ]; then
			tmp=$(mktemp "$defaults.ringaudit.XXXXXX")
			defaults_stripped > "$tmp"
			chmod 644 "$tmp"
			mv -f "$tmp" "$defaults"
		fi
		return 0
	fi
	[ -e "$state/defaults.orig" ] || {
		# No saved copy (state lost): take our block out, if there.
		if has_block; then
			tmp=$(mktemp "$defaults.ringaudit.XXXXXX")
			defaults_stripped > "$tmp"
			chmod --reference="$defaults" "$tmp"
			chown --reference="$defaults" "$tmp"
			mv -f "$tmp" "$defaults"
		fi
		return 0
	}
	tmp=$(mktemp)
	defaults_stripped > "$tmp"
	if cmp -s "$tmp" "$state/defaults.orig" ||
	    { cp "$state/defaults.orig" "$tmp.nl" && echo >> "$tmp.nl" &&
	      cmp -s "$tmp" "$tmp.nl"; }; then
		cp -p "$state/defaults.orig" "$defaults"
	else
		say "$defaults was edited since install: removing only the" \
		    "ringaudit block; the file as it was is $defaults.ringaudit-orig"
		cp -p "$state/defaults.orig" "$defaults.ringaudit-orig"
		cat "$tmp" > "$defaults"
	fi
	rm -f "$tmp" "$tmp.nl"
}

remove_files() {
	local f d
	if [ -e "$state/files" ]; then
		while IFS= read -r f; do
			[ -n "$f" ] && rm -f "$f"
		done < "$state/files"
	fi
	if [ -e "$state/dirs" ]; then
		# Deepest first.
		tac "$state/dirs" | while IFS= read -r d; do
			rmdir "$d" 2>/dev/null || true
		done
	fi
}

sysv_install() {
	local pid daemon
	daemon=$(env -i sh -c 'DAEMON=/sbin/auditd
		[ -r /etc/default/auditd ] && . /etc/default/auditd; echo "$DAEMON"')
	pid=$(service_pid)
	if ! daemon_changed && [ "$daemon" = "$prefix/lib/ringaudit/auditd" ]; then
		say "installed already, and up to date"
		return 0
	fi
	if [ -n "$pid" ]; then
		say "stopping the running auditd service (pid $pid)"
		service auditd stop
	fi
	install_component daemon
	defaults_add_block
	say "$defaults: DAEMON=$prefix/lib/ringaudit/auditd"
	if [ -n "$pid" ]; then
		say "starting the auditd service: ringauditd"
		service auditd start
	else
		say "the auditd service is stopped; 'service auditd start' runs ringauditd"
	fi
}

sysv_uninstall() {
	local pid
	pid=$(service_pid)
	if [ -n "$pid" ]; then
		say "stopping the running auditd service (pid $pid)"
		service auditd stop
	fi
	defaults_restore
	remove_files
	if [ -n "$pid" ] && [ -x /sbin/auditd ]; then
		say "starting the auditd service: /sbin/auditd"
		service auditd start
	fi
}

# The alias needs /etc/systemd/system/auditd.service for itself.
systemd_check() {
	local own=/etc/systemd/system/auditd.service
	if [ -e "$own" ] && [ ! -L "$own" ]; then
		die "$own is a local copy of auditd's unit; the Alias" \
		    "auditd.service cannot take its place: move it away first"
	fi
}

systemd_install() {
	if [ ! -e "$state/auditd.enabled" ]; then
		systemctl is-enabled auditd.service > "$state/auditd.enabled" 2>&1 || true
		systemctl is-active auditd.service > "$state/auditd.active" 2>&1 || true
	fi
	local changed=0
	if daemon_changed; then
		changed=1
		install_component daemon
	fi
	install_component systemd
	systemctl daemon-reload
	# The alias that enabling makes would hide auditd.service: stop and
	# disable the real one while the name still means it.
	case $(systemctl show -p FragmentPath --value auditd.service) in
	*/ringauditd.service) ;;
	*)
		systemctl stop auditd.service || true
		systemctl disable auditd.service 2>/dev/null || true
		;;
	esac
	systemctl enable ringauditd.service
	systemctl daemon-reload
	# start does nothing to a running unit; a new binary needs a restart.
	if [ $changed = 1 ]; then
		systemctl restart ringauditd.service
	else
		systemctl start ringauditd.service
	fi
	say "ringauditd.service enabled and started; auditd.service is its alias"
}

systemd_uninstall() {
	local enabled active
	enabled=$(cat "$state/auditd.enabled" 2>/dev/null || echo disabled)
	active=$(cat "$state/auditd.active" 2>/dev/null || echo inactive)
	systemctl stop ringauditd.service 2>/dev/null || true
	systemctl disable ringauditd.service 2>/dev/null || true
	remove_files
	systemctl daemon-reload
	case $enabled in
	enabled) systemctl enable auditd.service ;;
	masked) systemctl mask auditd.service ;;
	esac
	if [ "$active" = active ]; then
		systemctl start auditd.service
	fi
	say "ringauditd.service removed; auditd.service $enabled, $active"
}

# A drop-in is uninstalled by the form that installed it: from the source
# tree, the files it copied are to be removed; installed, none are.  (A
# state without "origin" is from tools/dropin.sh before it wrote one.)
same_form() {
	local was was_prefix
	[ -e "$state/mode" ] || return 0
	was=$(cat "$state/origin" 2>/dev/null || echo source)
	was_prefix=$(cat "$state/prefix")
	if [ "$was" != "$origin" ] || [ "$was_prefix" != "$prefix" ]; then
		case $was in
		source) die "the drop-in was installed by tools/dropin.sh from a" \
		    "source tree, prefix $was_prefix: uninstall it with that first" ;;
		*) die "the drop-in was installed by $was_prefix/sbin/ringaudit-dropin:" \
		    "uninstall it with that first" ;;
		esac
	fi
}

cmd_install() {
	local mode
	need_root
	mode=$(init_system)
	if [ -e "$state/mode" ] && [ "$(cat "$state/mode")" != "$mode" ]; then
		die "installed for $(cat "$state/mode"), now $mode: uninstall first"
	fi
	same_form
	[ "$mode" = systemd ] && systemd_check
	if [ ! -x /sbin/auditd ] || [ ! -x /etc/init.d/auditd ]; then
		say "warning: Debian's auditd package is not installed (its" \
		    "init script, auditctl and augenrules are used)"
	fi
	ensure_daemon
	mkdir -p "$state"
	touch "$state/files"
	echo "$mode" > "$state/mode"
	echo "$origin" > "$state/origin"
	echo "$prefix" > "$state/prefix"
	note_new_dirs
	case $mode in
	sysvinit) sysv_install ;;
	systemd) systemd_install ;;
	esac
}

cmd_uninstall() {
	local mode
	need_root
	if [ ! -e "$state/mode" ]; then
		defaults_restore
		say "not installed"
		return 0
	fi
	same_form	# so the state's prefix is this form's
	mode=$(cat "$state/mode")
	case $mode in
	sysvinit) sysv_uninstall ;;
	systemd) systemd_uninstall ;;
	esac
	rm -rf "$state"
	rmdir /var/lib/ringaudit 2>/dev/null || true
	say "uninstalled"
}

cmd_status() {
	local mode pid f daemon by
	if [ ! -e "$state/mode" ]; then
		echo "installed:   no"
	else
		mode=$(cat "$state/mode")
		prefix=$(cat "$state/prefix")
		by="tools/dropin.sh, which installed:"
		[ "$(cat "$state/origin" 2>/dev/null)" = installed ] &&
			by="$prefix/sbin/ringaudit-dropin (nothing copied)"
		echo "installed:   yes, for $mode, prefix $prefix, by $by"
		while IFS= read -r f; do
			if [ -e "$f" ]; then echo "  $f"; else echo "  $f (missing)"; fi
		done < "$state/files"
	fi
	daemon=$(env -i sh -c 'DAEMON=/sbin/auditd
		[ -r /etc/default/auditd ] && . /etc/default/auditd; echo "$DAEMON"')
	echo "init script: DAEMON=$daemon"
	if [ -d /run/systemd/system ]; then
		for u in ringauditd.service auditd.service; do
			echo "systemd:     $u $(systemctl is-enabled "$u" 2>&1 | head -n1)," \
			    "$(systemctl is-active "$u" 2>&1 | head -n1)"
		done
	fi
	pid=$(service_pid)
	if [ -n "$pid" ]; then
		echo "service:     running, pid $pid, exe $(readlink "/proc/$pid/exe")"
	else
		echo "service:     not running"
	fi
	if command -v auditctl >/dev/null; then
		echo "kernel:      audit pid $(auditctl -s 2>/dev/null |
			awk '$1 == "pid" { print $2 }')"
	fi
	[ -e "$state/mode" ]
}

case ${1:-} in
install) cmd_install ;;
uninstall) cmd_uninstall ;;
status) cmd_status ;;
*) echo "usage: $(basename "$0") {install|uninstall|status}" >&2; exit 2 ;;
esac
