#!/usr/bin/env bash
# test_enriched.sh - auditd and ringauditd write the same ENRICHED lines.
#
# Debian's auditd 3.0.9 runs as the kernel's registered audit daemon and
# ringauditd beside it in multicast mode (`ingest = multicast`), both with
# log_format = ENRICHED, each with a private configuration and log in a
# temporary folder.  Both get the same kernel records, so every record
# line that both wrote must be byte-identical, the raw text and the
# interpreted fields after the 0x1D byte.  The workload (ra_workload and a
# few admin commands) makes many kinds of records:
#
#  - file watches (-w DIR -p rwxa): SYSCALL, CWD, PATH (names and a cwd
#    with spaces and non-ASCII bytes, which the kernel hex-encodes);
#  - failed opens: exit=-ENOENT as root, exit=-EACCES as ids no name has
#    (54321 and friends: UID="unknown(54321)");
#  - execve with EXECVE records: one argument past the kernel's split
#    (a42_len=, a42[0]=...), spaces, quotes, control and non-ASCII bytes;
#    BPRM_FCAPS from each exec as root;
#  - connect, bind, sendto: SOCKADDR for inet, inet6 (a scope id, a
#    v4-mapped address), unix (path, abstract, unnamed), netlink, packet,
#    unspec, and an address too short for its family;
#  - i386 system calls by `int $0x80` from the 64-bit workload
#    (arch=40000003): getpid, socketcall (SOCKETCALL, SOCKADDR), ipc (IPC);
#  - IPC, IPC_SET_PERM, MQ_OPEN, FD_PAIR, OBJ_PID, CAPSET, LOGIN;
#  - user-space records: auditctl -m (USER; text with uid=5 and quotes),
#    and through NETLINK_AUDIT what auditctl refuses (a newline,
#    non-ASCII), the records PAM, sshd, login, sudo and systemd send
#    (USER_AUTH ... SERVICE_START), and two USER records with hundreds of
#    ids, which auditd cuts at 8969 bytes;
#  - a group and a user created, used, changed and deleted with
#    groupadd/useradd/usermod/userdel/groupdel (ADD_GROUP, ADD_USER,
#    USER_CHAUTHTOK, DEL_USER, DEL_GROUP), both daemons stopped while the
#    files change, and probes of the new ids before the user exists and
#    after it is gone (auditd's name cache, see below);
#  - a setuid copy of the workload run as uid 54321 (uid != euid);
#  - CONFIG_CHANGE from auditctl -b, adding and deleting rules;
#  - a burst of getpid calls (RA_ENRICHED_EVENTS, default 1500).
#
# The comparison (tests/kernel/enriched_cmp.awk) leaves DAEMON_* records
# out, keys every other line by event, type and index of that type in the
# event, and fails on any line that differs.  Lines only one log has are
# reported; between the start and end markers, a line auditd wrote and
# ringauditd lacks is "missing" (multicast may drop under load: the run
# fails past RA_ENRICHED_MAX_MISSING percent, default 1), one ringauditd
# wrote alone always fails.  It also checks that the compared lines cover
# every record type and every kind of enriched value listed below.  On
# failure both logs, the differences and the daemons' output are kept in
# $RA_BUILD/test_enriched.fail.
#
# Needs root, the kernel's audit subsystem, Debian's auditd package,
# shadow's useradd and friends, and no audit daemon registered.  Exits 77
# to skip, saying why; with RA_REQUIRE_KERNEL set (CI) it fails instead.
# It takes /run/ringaudit-kernel.lock, and every exit path puts the
# machine back: both daemons stopped, the rules deleted (those loaded
# before put back), the user and group gone, the kernel's enabled,
# failure, backlog_limit, backlog_wait_time and rate_limit as they were,
# its audit pid 0, /var/run/auditd.pid as it was.
#
#   RA_BUILD=BUILD_DIR RA_SOURCE_DIR=SRC tests/kernel/test_enriched.sh
#   RA_ENRICHED_EVENTS=N       getpid calls in the burst (default 1500)
#   RA_ENRICHED_MAX_MISSING=P  percent of lines ringauditd may miss (1)
#   RA_ENRICHED_DEADLINE=S     give up (and clean up) after S s (240)
#   RA_RINGAUDITD=PATH         another ringauditd binary (default
#                              $RA_BUILD/ringauditd)
#   RA_ENRICHED_SECOND=auditd-copy
#       development only: start no ringauditd, compare auditd's log with a
#       copy of itself (checks the workload, coverage and comparison)
set -uo pipefail
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
events=${RA_ENRICHED_EVENTS:-1500}
max_missing=${RA_ENRICHED_MAX_MISSING:-1}
second=${RA_ENRICHED_SECOND:-ringauditd}
wl=$build/ra_workload
ringauditd=${RA_RINGAUDITD:-$build/ringauditd}
cmp_awk=$src/tests/kernel/enriched_cmp.awk
keep=$build/test_enriched.fail
pidfile=/var/run/auditd.pid
auditd_bin=/sbin/auditd
# Ids no user or group may have (ra_workload's RA_WL_*), and the ones
# the test creates its user and group with.
unknown_ids="54321 54322 54323"
new_uid=54330
new_gid=54331
new_user=raenr$$
new_group=raenrg$$

# skip_or_fail, kstat, wait_for, take_kernel
. "$src/tests/common/ra_kernel.sh"

# --- what cannot run here ----------------------------------------------
[ "$(id -u)" -eq 0 ] || skip_or_fail "not root"
if [ ! -x "$auditd_bin" ] || ! command -v auditctl >/dev/null; then
	[ -n "${RA_REQUIRE_KERNEL:-}" ] && "$src/tools/deps.sh" >/dev/null
	[ -x "$auditd_bin" ] && command -v auditctl >/dev/null ||
		skip_or_fail "Debian's auditd package is not installed"
fi
for t in useradd groupadd usermod userdel groupdel getent; do
	command -v $t >/dev/null || skip_or_fail "$t is not installed"
done
[ -x "$ringauditd" ] && [ -x "$wl" ] ||
	skip_or_fail "no $ringauditd or $wl: build them first"
auditctl -s >/dev/null 2>&1 ||
	skip_or_fail "the kernel's audit subsystem does not answer (auditctl -s)"
for id in $unknown_ids; do
	if getent passwd "$id" >/dev/null || getent group "$id" >/dev/null; then
		skip_or_fail "id $id has a name here; the test needs it nameless"
	fi
done
if getent passwd "$new_uid" >/dev/null || getent passwd "$new_user" >/dev/null ||
    getent group "$new_gid" >/dev/null || getent group "$new_group" >/dev/null; then
	skip_or_fail "uid $new_uid, gid $new_gid or the names $new_user/$new_group are taken"
fi

take_kernel
start_watchdog "${RA_ENRICHED_DEADLINE:-240}" RA_ENRICHED_DEADLINE

# --- what to put back --------------------------------------------------
work=$(mktemp -d /tmp/ra-enriched.XXXXXX)
# uid 54321 must reach area/ (the setuid copy, the EACCES target).
chmod 711 "$work"
kernel_save "$work"
file_save "$work" "$pidfile"
apid='' rpid=''
paused=0
result=1

cleanup() {
	local rc=$? p problems=0
	trap - EXIT INT TERM
	set +e
	[ "$rc" = 0 ] && [ "$result" != 0 ] && rc=1
	echo "== putting the machine back"
	kill "$watchdog" 2>/dev/null
	# SIGTERM waits while a daemon is stopped (SIGSTOP).
	[ "$paused" = 1 ] && resume
	stop_daemon ringauditd "$rpid"
	stop_daemon auditd "$apid"
	if getent passwd "$new_user" >/dev/null; then
		userdel "$new_user" >/dev/null 2>&1
	fi
	if getent group "$new_group" >/dev/null; then
		groupdel "$new_group" >/dev/null 2>&1
	fi
	if getent passwd "$new_user" >/dev/null || getent passwd "$new_uid" >/dev/null; then
		echo "cleanup: user $new_user ($new_uid) is still there"
		problems=1
	fi
	if getent group "$new_group" >/dev/null || getent group "$new_gid" >/dev/null; then
		echo "cleanup: group $new_group ($new_gid) is still there"
		problems=1
	fi
	kernel_restore "$work" || problems=1
	file_restore "$work" "$pidfile" || problems=1
	if [ "$rc" != 0 ] || [ $problems != 0 ]; then
		keep_files "$keep" "the logs and the comparison" "$work/cmp" "$work"/*.txt
		for p in auditd ringauditd; do
			[ -d "$work/$p" ] || continue
			mkdir -p "$keep/$p"
			cp -a "$work/$p/log" "$work/$p"/*.conf "$work/$p"/std* \
				"$keep/$p/" 2>/dev/null
		done
	else
		rm -rf "$keep"
	fi
	rm -rf "$work"
	cleanup_exit "$rc" "$problems"
}
trap_cleanup cleanup

# --- configurations ------------------------------------------------------
# Both daemons take the same auditd.conf (write_conf), ENRICHED.
A=$work/auditd
R=$work/ringauditd
write_conf "$A" ENRICHED priority_boost=0
alog=$A/log/audit.log
if [ "$second" = ringauditd ]; then
	write_conf "$R" ENRICHED priority_boost=0
	echo "ingest = multicast" >> "$R/ringauditd.conf"
	rlog=$R/log/audit.log
else
	rlog=$work/second.log
fi

# --- the daemons ---------------------------------------------------------
echo "== starting auditd ($auditd_bin -n -c $A)"
start_registered auditd "$auditd_bin" "$A" apid
echo "auditd $apid is the registered audit daemon"
lost0=$(kstat lost)

if [ "$second" = ringauditd ]; then
	echo "== starting ringauditd ($ringauditd -n -c $R, ingest = multicast)"
	start_multicast "$ringauditd" "$R" rpid
	echo "ringauditd $rpid is up"
else
	echo "== RA_ENRICHED_SECOND=$second: no ringauditd; auditd's log against a copy of itself"
fi

# Markers (auditctl -m) must reach both logs; until one has, ringauditd
# may not be listening yet.
marker_logs=("$alog")
[ "$second" = ringauditd ] && marker_logs+=("$rlog")
marker_sync "ra_enriched sync"

# --- the workload --------------------------------------------------------
marker "ra_enriched start $$" || die "the start marker did not reach both logs"
first=$marker_serial
echo "== workload (start marker serial $first)"

area=$work/area
mkdir -p "$area/watched"
chmod 755 "$area" "$area/watched"
suid=$area/ra_workload_suid
cp "$wl" "$suid"
chmod 4755 "$suid"

# Room for the burst, the workload's rules (workload_rules, ra_kernel.sh),
# and the setuid copy's.
workload_rules ra_enr
step auditctl -a always,exit -F arch=b64 -S getpid,openat,execve -F exe="$suid" -k ra_enr_suid

# (auditctl -m refuses non-ASCII text; ra_workload usermsg sends it.)
step auditctl -m "plain words"
step auditctl -m "uid=5 gid=6 auid=7 it's \"quoted\" end"
step auditctl -m "$(printf 'long %.0s' $(seq 150))"

workload_kinds
step "$wl" runas 54321 54322 "$suid" suid "$area"

# A group and a user: made, used, changed, deleted.  auditd looks a name
# up when it writes a record: it caches the names it found (not the ids it
# found none for), and drops its caches after writing a USER_MGMT,
# ADD/DEL_USER, ADD/DEL_GROUP or GRP_MGMT record (docs/auditd-behaviour.md
# section 10).  shadow's tools send some records before they commit
# /etc/passwd and /etc/group, some after, so which name a record gets
# would be a race, even between two auditds: both daemons are stopped
# (SIGSTOP) while the files change, after they have written every record
# before, and each record is written while the files hold still.  A
# probe with the ids (auditctl -m "... auid=U gid=G") before the user
# exists and after it is gone shows what each daemon remembers.
pause() {
	kill -STOP "$apid" ${rpid:+"$rpid"}
	paused=1
}
resume() {
	kill -CONT "$apid" ${rpid:+"$rpid"}
	paused=0
}
step auditctl -m "ra_enriched no user yet auid=$new_uid gid=$new_gid"
marker "ra_enriched before users $$" || die "a marker did not reach both logs"
echo "== group $new_group ($new_gid) and user $new_user ($new_uid), daemons stopped meanwhile"
pause
step groupadd -g "$new_gid" "$new_group"
step useradd -u "$new_uid" -g "$new_group" -M -N -d /nonexistent \
	-s /usr/sbin/nologin -c "ra enriched" "$new_user"
resume
step "$wl" runas "$new_uid" "$new_gid" "$wl" burst 2
step usermod -c "ra enriched, changed" "$new_user"
# Every record so far written before the files change again.
marker "ra_enriched users $$" || die "the users marker did not reach both logs"
pause
step userdel "$new_user"
step groupdel "$new_group"
resume
step auditctl -m "ra_enriched user gone auid=$new_uid gid=$new_gid"

step "$wl" burst "$events"
step auditctl -D
[ "$step_fails" = 0 ] || echo "($step_fails workload steps failed)"

marker "ra_enriched end $$" || die "the end marker did not reach both logs"
last=$marker_serial
echo "== end marker serial $last"

# Quiet: no log grows for a second.
wait_quiet 1 "${marker_logs[@]}"

# --- stop ----------------------------------------------------------------
if [ -n "$rpid" ]; then
	stop_daemon ringauditd "$rpid"
	rpid=
	echo "ringauditd stopped, exit status $stopped"
	[ "$stopped" = 0 ] || echo "FAIL - ringauditd exited $stopped at SIGTERM"
	r_status=$stopped
fi
stop_daemon auditd "$apid"
apid=
echo "auditd stopped, exit status $stopped"
lost=$(( $(kstat lost) - lost0 ))

if [ "$second" != ringauditd ]; then
	cp "$alog" "$rlog"
fi
for f in "$alog" "$rlog"; do
	grep -qa '^type=DAEMON_END ' "$f" || echo "note: $f has no DAEMON_END"
done

# --- compare -------------------------------------------------------------
# Record types the compared lines must include, and kinds of enriched
# value ("label<TAB>regex" on the part after 0x1D).
need_types="SYSCALL PATH CWD PROCTITLE EXECVE SOCKADDR SOCKETCALL IPC
	IPC_SET_PERM MQ_OPEN FD_PAIR OBJ_PID CAPSET BPRM_FCAPS LOGIN USER
	CONFIG_CHANGE
	USER_AUTH USER_ACCT CRED_ACQ USER_LOGIN USER_START USER_END CRED_DISP
	USER_CMD USER_MGMT USER_CHAUTHTOK USER_ERR SYSTEM_BOOT SERVICE_START
	ANOM_LOGIN_FAILURES USER_ROLE_CHANGE ADD_GROUP ADD_USER DEL_USER
	DEL_GROUP"
kinds=$work/kinds.txt
tab=$(printf '\t')
cat > "$kinds" <<KINDS
ARCH=x86_64${tab}(^| )ARCH=x86_64( |$)
ARCH=i386${tab}(^| )ARCH=i386( |$)
SYSCALL= (a name)${tab}(^| )SYSCALL=[a-z]
SYSCALL=socketcall(connect) (i386)${tab}(^| )SYSCALL=socketcall\(connect\)( |$)
SYSCALL=ipc(msgctl) (i386)${tab}(^| )SYSCALL=ipc\(msgctl\)( |$)
AUID="unset"${tab}(^| )AUID="unset"
UID="root"${tab}(^| )UID="root"
UID unknown(54321)${tab}(^| )UID="unknown\(54321\)"
EUID unknown(54323)${tab}(^| )EUID="unknown\(54323\)"
GID unknown(54322)${tab}(^| )GID="unknown\(54322\)"
AUID unknown(54321) (loginuid)${tab}(^| )AUID="unknown\(54321\)"
setuid program: UID unknown, EUID root${tab}(^| )UID="unknown\(54321\)" GID="unknown\(54322\)" EUID="root"
the created user's name${tab}(^| )UID="$new_user"
the created user's name in ADD_USER${tab}(^| )ID="$new_user"
the created group's name${tab}(^| )GID="$new_group"
a deleted group: unknown(${tab}(^| )ID="unknown\($new_gid\)"
the new uid without a user${tab}(^| )AUID="unknown\($new_uid\)" GID="unknown\($new_gid\)"
names in a USER record's text${tab}(^| )AUID="unset" GID="disk" AUID="lp"
OUID=${tab}(^| )OUID="
OGID=${tab}(^| )OGID="
SADDR inet${tab}(^| )SADDR=[{] saddr_fam=inet laddr=
SADDR inet6${tab}(^| )SADDR=[{] saddr_fam=inet6 laddr=
SADDR local (path)${tab}(^| )SADDR=[{] saddr_fam=local path=/
SADDR netlink${tab}(^| )SADDR=[{] saddr_fam=netlink 
SADDR inet6 with a scope${tab}(^| )SADDR=[{] saddr_fam=inet6 laddr=fe80::1:2%lo 
SADDR v4-mapped inet6${tab}(^| )SADDR=[{] saddr_fam=inet6 laddr=::ffff:127\.0\.0\.1 
SADDR abstract unix${tab}(^| )SADDR=[{] saddr_fam=local path=ra_workload\.
SADDR packet${tab}(^| )SADDR=[{] saddr_fam=packet 
SADDR too short${tab}(^| )SADDR=[{] saddr_fam=inet sockaddr len too short [}]
SADDR unspec${tab}(^| )SADDR=unknown-family\(0\)
KINDS

mkdir -p "$work/cmp"
echo "== comparing $alog (auditd) with $rlog ($second)"
echo "   (^] is the 0x1D byte, \\xNN other control and non-ASCII bytes)"
awk -f "$cmp_awk" -v out="$work/cmp" -v first="$first" -v last="$last" \
	-v max_missing="$max_missing" -v need_types="$need_types" \
	-v need_kinds="$kinds" -v cut_len=8969 -v need_cut=2 \
	-v names="auditd $second" -v show=25 \
	"$alog" "$rlog"
cmp_rc=$?
echo "records the kernel lost during the run (its lost counter): $lost"

result=0
[ $cmp_rc = 0 ] || { echo "FAIL - the logs differ (above; all in cmp/diff.txt)"; result=1; }
[ "$step_fails" = 0 ] || { echo "FAIL - $step_fails workload steps failed"; result=1; }
[ "${r_status:-0}" = 0 ] || result=1
[ $result = 0 ] && echo "ok   - every record line both daemons wrote is the same"
exit $result
