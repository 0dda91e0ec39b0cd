#!/usr/bin/env bash
# test_deb.sh - the Debian package, as an admin gets it: built the Debian
# way from the tree, checked by lintian, installed, switched over and back
# with ringaudit-dropin, and removed while switched over.
#
#  1. The tree's tracked files (git ls-files; a copy without build*/ when
#     it is no git checkout) are copied to a temporary folder, where
#     `dpkg-buildpackage -us -uc -b` builds ringaudit_VERSION_ARCH.deb
#     (nice).  debian/changelog's version must be CMakeLists.txt's.  The
#     package must hold the daemon, the auditd link, ringaudit-dropin,
#     ringaudit-bench, the unit (ExecStart= the /usr link) and the example
#     ringauditd.conf, and no init script.  lintian's output is printed; an
#     E: fails.
#  2. dpkg -i: nothing switched (no daemon started, /etc/default/auditd
#     unchanged, no drop-in state, no unit enabled), `man -w` finds each
#     page, `ringauditd --version` is the package's.
#  3. ringaudit-dropin install (nothing copied, DAEMON= the link); the
#     service as kernel/test_service checks it: start (the kernel's audit
#     pid, pidof auditd, the exe /usr/sbin/ringauditd, the pid file),
#     ringaudit-top --once on its control socket, status, rotate (audit.log.1), reload (DAEMON_CONFIG, same daemon),
#     stop; ringaudit-dropin uninstall (/etc/default/auditd byte for byte).
#  4. ringaudit-dropin install, service auditd start, then dpkg --purge
#     directly: the package's prerm gives auditd the service back
#     (/etc/default/auditd byte for byte, the service restarted on
#     /sbin/auditd), and the package, its state and its systemd links are
#     gone.
#
# Needs root, the kernel's audit subsystem, Debian's auditd package and no
# systemd, as kernel/test_service (exit 77 there, unless RA_REQUIRE_KERNEL
# is set; a systemd machine is always a skip), and dpkg-buildpackage,
# debhelper and lintian (tools/deps.sh; their absence fails).  The build
# needs no lock; from the install on it holds /run/ringaudit-kernel.lock
# and refuses to run beside another audit daemon, a running auditd
# service, an installed drop-in or an installed ringaudit package.
#
# Every exit path puts the machine back: the package purged (its prerm
# switching back; if that fails, the drop-in's state dropped and the
# purge made again), the service stopped, the kernel's rules and settings
# as they were and its audit pid 0, /etc/default/auditd,
# /etc/audit/audit.rules (and .prev), the pid file and /var/log/audit as
# they were; then it checks the package is gone, /var/lib/ringaudit too,
# and no ringauditd link is left under /etc/systemd or systemd's
# deb-systemd-helper state.  On failure the build log, lintian's output
# and the service's logs are kept in /var/tmp/ra-test_deb.fail.
#
#   RA_SOURCE_DIR=SRC tests/pkg/test_deb.sh      (tools/test.sh runs it)
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=/usr/sbin/ringauditd
link=/usr/lib/ringaudit/auditd
dropin=/usr/sbin/ringaudit-dropin
defaults=/etc/default/auditd
rules=/etc/audit/audit.rules
state=/var/lib/ringaudit
keep=/var/tmp/ra-test_deb.fail

# skip_or_fail, kstat, wait_for, take_kernel, kernel_save/restore,
# file_save/restore, stop_daemon, cleanup_exit, trap_cleanup
. "$src/tests/common/ra_kernel.sh"
# expect, svc_can_run, svc_take, svc_logs_aside/back, svc, daemon_ok,
# started, gone, svc_stopped; logdir, pidfile
. "$src/tests/common/ra_service.sh"

# --- what cannot run here ----------------------------------------------
svc_can_run
for c in dpkg-buildpackage dh lintian; do
	command -v "$c" >/dev/null && continue
	"$src/tools/deps.sh" >/dev/null
	command -v "$c" >/dev/null ||
		die "no $c: tools/deps.sh installs it"
done
if dpkg-query -W -f='${Status}' ringaudit 2>/dev/null | grep -q installed; then
	skip_or_fail "the ringaudit package is installed already; not touching it"
fi
# (svc_take checks again, under the lock, before the install.)
[ ! -e "$state/dropin/mode" ] ||
	skip_or_fail "the drop-in is installed already; not touching it"

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
cmake_version=$(sed -n 's/^project(ringaudit VERSION \([0-9.]*\) .*/\1/p' \
	"$src/CMakeLists.txt")
arch=$(dpkg --print-architecture)
work=$(mktemp -d /tmp/ra-deb.XXXXXX)
tree=$work/ringaudit-$version
deb=$work/ringaudit_${version}_$arch.deb
took() { echo "   ($(( SECONDS - t0 )) s)"; }

# What the package may leave behind for systemd: links and
# deb-systemd-helper's state, listed before and after.
systemd_leftovers() {
	find /etc/systemd /var/lib/systemd/deb-systemd-helper-enabled \
	    /var/lib/systemd/deb-systemd-helper-masked \
	    \( -name '*ringauditd*' -o -lname '*ringauditd*' \) 2>/dev/null | sort
}
systemd_leftovers > "$work/systemd.before"

saved=0
cleanup() {
	local rc=$? p problems=0
	trap - EXIT INT TERM
	set +e
	if [ $saved = 1 ]; then
		echo "== putting the machine back"
		if dpkg-query -W -f='${Status}' ringaudit 2>/dev/null |
		    grep -q 'ok installed\|half\|unpacked'; then
			echo "cleanup: dpkg --purge ringaudit"
			if ! timeout 300 dpkg --purge ringaudit >"$work/purge.log" 2>&1; then
				sed 's/^/  /' "$work/purge.log"
				echo "cleanup: the purge failed; dropping the drop-in's" \
				     "state and purging again"
				problems=1
				file_restore "$work" "$defaults"
				rm -rf "$state/dropin"
				timeout 300 dpkg --purge ringaudit >/dev/null 2>&1 ||
					echo "cleanup: dpkg --purge ringaudit failed again"
			fi
		fi
		if [ -n "$(pidof auditd)" ]; then
			timeout 60 service auditd stop >/dev/null 2>&1
		fi
		# Any daemon still registered: TERM, then KILL.
		p=$(kstat pid)
		if [ -n "$p" ] && [ "$p" != 0 ]; then
			echo "cleanup: audit daemon $p still runs; SIGTERM"
			stop_daemon daemon "$p" 10
		fi
		for p in "$defaults" "$rules" "$rules.prev" "$pidfile"; do
			file_restore "$work" "$p" || problems=1
		done
		if [ "$rc" = 0 ] && [ "$fails" = 0 ]; then
			svc_logs_back || problems=1
		else
			svc_logs_back "$keep/logs" || problems=1
		fi
		kernel_restore "$work" || problems=1
		if dpkg-query -W -f='${Status}' ringaudit 2>/dev/null | grep -q .; then
			echo "cleanup: the ringaudit package is still installed"
			problems=1
		fi
		if [ -e "$state" ]; then
			echo "cleanup: $state is still there"
			problems=1
		fi
		systemd_leftovers > "$work/systemd.after"
		if ! cmp -s "$work/systemd.before" "$work/systemd.after"; then
			echo "cleanup: systemd's ringauditd links differ from before:"
			diff "$work/systemd.before" "$work/systemd.after" | sed 's/^/  /'
			problems=1
		fi
	fi
	if [ "$rc" != 0 ] || [ "$fails" != 0 ]; then
		mkdir -p "$keep"
		cp "$work"/*.log "$keep/" 2>/dev/null
		echo "cleanup: the build log and lintian's output are in $keep"
	fi
	rm -rf "$work"
	[ "$rc" = 0 ] && [ "$fails" != 0 ] && rc=1
	cleanup_exit "$rc" "$problems"
}
trap_cleanup cleanup
rm -rf "$keep"

# --- 1. build -------------------------------------------------------------
t0=$SECONDS
echo "== the tree, copied to $tree"
expect "debian/changelog's version $version is CMakeLists.txt's ($cmake_version)" \
	test "$version" = "$cmake_version"
mkdir "$tree"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	# Tracked files as they are in the tree (one deleted is left out).
	(cd "$src" && git ls-files -z | while IFS= read -r -d '' f; do
		[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
	done | tar --null -T - -cf -) | tar -xf - -C "$tree" ||
		die "copying the tracked files"
else
	tar -C "$src" --exclude='./build' --exclude='./build-*' \
	    --exclude='./obj-*' --exclude='./demo' -cf - . | tar -xf - -C "$tree" ||
		die "copying the tree"
fi
echo "== dpkg-buildpackage -us -uc -b"
if ! (cd "$tree" &&
    DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
    nice -n 10 dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log" | sed 's/^/  /'
	fail "dpkg-buildpackage -us -uc -b"
	exit 1
fi
took
expect "the package is ${deb##*/}" test -f "$deb"
dpkg-deb -c "$deb" | awk '{ print $6 $7 $8 }' | sed 's|^\./|/|' > "$work/contents"
for f in "$bin" "$link->../../sbin/ringauditd" "$dropin" /usr/sbin/ringaudit-bench \
    /usr/sbin/ringaudit-top \
    /lib/systemd/system/ringauditd.service \
    /usr/share/doc/ringaudit/examples/ringauditd.conf \
    /usr/share/doc/ringaudit/examples/ringauditd-alerts.yml \
    /usr/share/man/man8/ringauditd.8.gz /usr/share/man/man5/ringauditd.conf.5.gz \
    /usr/share/man/man8/ringaudit-top.8.gz /usr/share/man/man8/ringaudit-bench.8.gz \
    /usr/share/man/man8/ringaudit-dropin.8.gz \
    /usr/share/doc/ringaudit/copyright; do
	expect "the package holds $f" grep -qxF "$f" "$work/contents"
done
expect "the package holds no init script" \
	test -z "$(grep '^/etc/init.d/' "$work/contents")"
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./lib/systemd/system/ringauditd.service \
	> "$work/unit"
expect "its unit's ExecStart= is $link" grep -qx "ExecStart=$link" "$work/unit"

echo "== lintian"
t0=$SECONDS
lintian --display-info "$work/ringaudit_${version}_$arch.changes" > "$work/lintian.log" 2>&1
lintian_rc=$?
sed 's/^/  /' "$work/lintian.log"
took
expect "lintian: no error (E:)" test -z "$(grep '^E: ' "$work/lintian.log")"
expect "lintian exits 0 ($lintian_rc)" test "$lintian_rc" = 0

# --- the machine: what to put back ----------------------------------------
svc_take
kernel_save "$work"
for f in "$defaults" "$rules" "$rules.prev" "$pidfile"; do
	file_save "$work" "$f"
done
saved=1
svc_logs_aside
# runs BIN: the pids of the processes whose executable is BIN.
runs() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
	done
}
# same_defaults: /etc/default/auditd is byte for byte as it was.
same_defaults() { file_same "$work" "$defaults"; }

# --- 2. install -------------------------------------------------------------
echo "== dpkg -i ${deb##*/}"
t0=$SECONDS
if ! dpkg -i "$deb" > "$work/install.log" 2>&1; then
	sed 's/^/  /' "$work/install.log"
	fail "dpkg -i"
	exit 1
fi
took
expect "the package is installed" \
	test "$(dpkg-query -W -f='${Status}' ringaudit)" = "install ok installed"
expect "installing started no daemon: the kernel's audit pid is 0" \
	test "$(kstat pid)" = 0
expect "installing started no daemon: no process runs $bin" \
	test -z "$(runs "$bin")"
expect "installing started no daemon: $pidfile as it was" \
	file_same "$work" "$pidfile"
expect "installing left $defaults as it was" same_defaults
expect "installing switched nothing: no $state/dropin" test ! -e "$state/dropin"
expect "installing enabled no unit (no ringauditd link under /etc/systemd)" \
	test -z "$(find /etc/systemd \( -name '*ringauditd*' -o -lname '*ringauditd*' \) 2>/dev/null)"
expect "ringaudit-dropin status says not installed" \
	test "$("$dropin" status >/dev/null 2>&1; echo $?)" = 1
expect "$link is a link to $bin" test "$(readlink -f "$link")" = "$bin"
for page in ringauditd ringauditd.conf ringaudit-top ringaudit-bench \
    ringaudit-dropin; do
	expect "man -w $page finds the page ($(man -w "$page" 2>&1))" \
		quiet man -w "$page"
done
expect "ringauditd --version is the package's" \
	test "$("$bin" --version)" = "ringauditd $version"

# --- 3. switch over, the service, switch back -----------------------------
echo "== ringaudit-dropin install"
"$dropin" install || die "ringaudit-dropin install"
daemon=$(env -i sh -c ". $defaults; echo \"\$DAEMON\"")
expect "$defaults sets DAEMON=$link" test "$daemon" = "$link"
expect "ringaudit-dropin status says installed" quiet "$dropin" status
expect "install copied nothing: the package's files unchanged (dpkg -V)" \
	test -z "$(dpkg -V ringaudit 2>&1)"
expect "install copied nothing: no file listed in $state/dropin/files" \
	test ! -s "$state/dropin/files"
expect "install started no daemon (the service was stopped)" \
	test "$(kstat pid)" = 0

echo "== service auditd start"
svc start
pid1=$(started 0)
[ -n "$pid1" ] || die "service auditd start: no daemon registered within 5 s"
pass "service auditd start: pid $pid1"
daemon_ok "$pid1"
expect "auditctl -s: pid $pid1" test "$(kstat pid)" = "$pid1"
# The live view, on the service's control socket (/run/ringauditd.sock).
top_says() { ringaudit-top --once -d 0.2 > "$work/top.txt" 2>&1 &&
	grep -q "sends to this daemon" "$work/top.txt"; }
expect "ringaudit-top --once reads the service's daemon" top_says
sed 's/^/  /' "$work/top.txt"

echo "== service auditd rotate"
svc rotate
expect "rotate: audit.log.1 appears" wait_for 50 test -e "$logdir/audit.log.1"
echo "== service auditd reload"
svc reload
has_config() { grep -qs '^type=DAEMON_CONFIG ' "$logdir"/audit.log*; }
expect "reload: a DAEMON_CONFIG record within 5 s" wait_for 50 has_config
expect "reload: the same daemon runs" test "$(kstat pid)" = "$pid1"
echo "== service auditd stop"
svc stop
svc_stopped

echo "== ringaudit-dropin uninstall"
"$dropin" uninstall || fail "ringaudit-dropin uninstall"
expect "uninstall: $defaults byte for byte" same_defaults
expect "uninstall: no $state" test ! -e "$state"
expect "uninstall: the package's files unchanged (dpkg -V)" \
	test -z "$(dpkg -V ringaudit 2>&1)"
expect "uninstall started no daemon" test "$(kstat pid)" = 0

# --- 4. switched over and running, then purged ----------------------------
echo "== ringaudit-dropin install, service auditd start, dpkg --purge ringaudit"
"$dropin" install >/dev/null || die "ringaudit-dropin install"
svc start
pid2=$(started 0)
[ -n "$pid2" ] || die "service auditd start: no daemon registered within 5 s"
expect "the service runs ringauditd (pid $pid2)" \
	test "$(readlink "/proc/$pid2/exe")" = "$bin"
t0=$SECONDS
if ! timeout 300 dpkg --purge ringaudit > "$work/purge.log" 2>&1; then
	sed 's/^/  /' "$work/purge.log"
	fail "dpkg --purge ringaudit"
	exit 1
fi
sed 's/^/  /' "$work/purge.log"
took
expect "purge: $defaults byte for byte" same_defaults
expect "purge: ringauditd ($pid2) is gone" wait_for 50 gone "$pid2"
pid3=$(started "$pid2")
auditd_exe=$(readlink -f /sbin/auditd)
expect "purge: the service runs auditd again (pid ${pid3:-none})" \
	test -n "$pid3" -a "$(readlink "/proc/${pid3:-0}/exe" 2>/dev/null)" = "$auditd_exe"
expect "purge: the package is gone" \
	test -z "$(dpkg-query -W -f='${Status}' ringaudit 2>/dev/null)"
expect "purge: no $bin, no $link, no $dropin" \
	test ! -e "$bin" -a ! -L "$link" -a ! -e "$dropin"
expect "purge: no $state" test ! -e "$state"
systemd_leftovers > "$work/systemd.after"
expect "purge: no ringauditd link or state left for systemd" \
	cmp -s "$work/systemd.before" "$work/systemd.after"
echo "== service auditd stop (auditd)"
svc stop
svc_stopped

echo "== $fails check(s) failed"
[ "$fails" = 0 ]
