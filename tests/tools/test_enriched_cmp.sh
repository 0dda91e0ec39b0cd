#!/usr/bin/env bash
# test_enriched_cmp.sh - the comparison behind kernel/test_enriched fails
# when it should.
#
# tests/kernel/enriched_cmp.awk decides whether ringauditd's ENRICHED log
# matches auditd's.  A comparison that passes everything would hide every
# formatter bug, so this runs it on a small log (real auditd 3.0.9 lines)
# and on copies with one fault each: an enriched field changed, the raw
# part changed, the separator missing, lines missing (under and over the
# limit), an extra line, a duplicated line, two records of one type in
# one event swapped, a type the coverage wants and does not get.  DAEMON_*
# records, which differ by design, must not count.  No kernel, no root.
set -uo pipefail
export LC_ALL=C

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
awkf=$src/tests/kernel/enriched_cmp.awk
work=$(mktemp -d /tmp/ra-enriched-cmp.XXXXXX)
trap 'rm -rf "$work"' EXIT

fails=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }

g=$(printf '\035')
cat > "$work/ref.log" <<LOG
type=DAEMON_START msg=audit(1795678065.639:8402): op=start ver=3.0.9 format=enriched kernel=6.18.44 auid=4294967295 pid=25166 uid=0 ses=4294967295 res=success${g}AUID="unset" UID="root"
type=USER msg=audit(1795678065.700:100): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='text=start exe="/usr/sbin/auditctl" hostname=? addr=? terminal=? res=success'${g}UID="root" AUID="unset"
type=SYSCALL msg=audit(1795678065.742:101): arch=c000003e syscall=42 success=no exit=-111 a0=4 a1=55ca85f351a0 a2=10 a3=7f9f8206eac0 items=0 ppid=25165 pid=25193 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="bash" exe="/usr/bin/bash" key="dtc"${g}ARCH=x86_64 SYSCALL=connect AUID="unset" UID="root" GID="root" EUID="root" SUID="root" FSUID="root" EGID="root" SGID="root" FSGID="root"
type=SOCKADDR msg=audit(1795678065.742:101): saddr=020000097F0000010000000000000000${g}SADDR={ saddr_fam=inet laddr=127.0.0.1 lport=9 }
type=PROCTITLE msg=audit(1795678065.742:101): proctitle=62617368
type=SYSCALL msg=audit(1795678065.746:102): arch=c000003e syscall=83 success=yes exit=0 a0=7ffd2fbe9a8f a1=1ff a2=0 a3=7f17eddb5ab0 items=2 ppid=25165 pid=25189 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="mkdir" exe="/usr/bin/mkdir" key="dtw"${g}ARCH=x86_64 SYSCALL=mkdir AUID="unset" UID="root" GID="root" EUID="root" SUID="root" FSUID="root" EGID="root" SGID="root" FSGID="root"
type=CWD msg=audit(1795678065.746:102): cwd="/tmp/dt/e1"
type=PATH msg=audit(1795678065.746:102): item=0 name="/tmp/dt/e1" inode=10969467 dev=fe:00 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0${g}OUID="root" OGID="root"
type=PATH msg=audit(1795678065.746:102): item=1 name="w" inode=10969090 dev=fe:00 mode=040755 ouid=54321 ogid=0 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0${g}OUID="unknown(54321)" OGID="root"
type=PROCTITLE msg=audit(1795678065.746:102): proctitle=6D6B646972
type=USER msg=audit(1795678065.800:103): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='text=end exe="/usr/sbin/auditctl" hostname=? addr=? terminal=? res=success'${g}UID="root" AUID="unset"
type=DAEMON_END msg=audit(1795678066.811:8403): op=terminate auid=0 uid=0 ses=4294967295 pid=25165 res=success${g}AUID="root" UID="root"
LOG

# run NAME CANDIDATE [awk -v args]: the comparison's status in $rc, its
# output in $work/NAME.out.
run() {
	local name=$1 cand=$2
	shift 2
	mkdir -p "$work/$name"
	awk -f "$awkf" -v out="$work/$name" -v first=100 -v last=103 \
		-v names="auditd ringauditd" "$@" "$work/ref.log" "$cand" \
		> "$work/$name.out" 2>&1
	rc=$?
}
has() { grep -qF -- "$2" "$work/$1.out"; }
# variant NAME SED-SCRIPT: a copy of the reference edited by sed.
variant() { sed "$2" "$work/ref.log" > "$work/$1.log"; }

run same "$work/ref.log" -v need_types="SYSCALL PATH SOCKADDR" \
	-v need_kinds=/dev/null
if [ $rc = 0 ] && has same "compared 10 record lines (in both logs): 10 identical, 0 differ"; then
	pass "a log against itself: 10 lines compared, none differ"
else
	fail "a log against itself (rc $rc)"; cat "$work/same.out"
fi

variant daemon 's/pid=25166 uid=0/pid=999 uid=0/; s/1795678066.811:8403/1795678099.000:1/'
run daemon "$work/daemon.log"
[ $rc = 0 ] && pass "DAEMON_* records do not count" ||
	{ fail "DAEMON_* records counted (rc $rc)"; cat "$work/daemon.out"; }

variant field 's/SYSCALL=mkdir/SYSCALL=83/'
field_col=$(awk '/SYSCALL=mkdir/ { print index($0, "SYSCALL=mkdir") + 8 }' "$work/ref.log")
run field "$work/field.log"
if [ $rc = 1 ] && has field "enriched field 2: SYSCALL=mkdir vs SYSCALL=83" &&
    has field "first difference at column $field_col " &&
    has field "1  SYSCALL | enriched SYSCALL=" &&
    has field "^]ARCH=x86_64 SYSCALL=mkdir"; then
	pass "an enriched field changed: reported with its column and field"
else
	fail "an enriched field changed (rc $rc)"; cat "$work/field.out"
fi

variant unknown 's/OUID="unknown(54321)"/OUID="54321"/'
run unknown "$work/unknown.log"
[ $rc = 1 ] && has unknown 'OUID="unknown(54321)" vs OUID="54321"' &&
	has unknown "(PATH #1 of the event)" &&
	pass "the second PATH of an event is keyed apart from the first" ||
	{ fail "PATH #1 (rc $rc)"; cat "$work/unknown.out"; }

variant raw 's/saddr=0200/saddr=0A00/'
run raw "$work/raw.log"
[ $rc = 1 ] && has raw "raw text before 0x1D" &&
	pass "the raw part changed: reported" ||
	{ fail "the raw part changed (rc $rc)"; cat "$work/raw.out"; }

variant nosep "s/${g}SADDR=/ SADDR=/"
run nosep "$work/nosep.log"
[ $rc = 1 ] && has nosep "no 0x1D in ringauditd" &&
	pass "a missing 0x1D: reported" ||
	{ fail "a missing 0x1D (rc $rc)"; cat "$work/nosep.out"; }

variant extra_field 's/GID="root" EUID/GID="root" XX="1" EUID/'
run extra_field "$work/extra_field.log"
[ $rc = 1 ] && has extra_field 'XX="1"' &&
	pass "an enriched field too many: reported" ||
	{ fail "an enriched field too many (rc $rc)"; cat "$work/extra_field.out"; }

variant short 's/ AUID="unset"$//'
run short "$work/short.log"
[ $rc = 1 ] && has short 'only in auditd: AUID="unset"' &&
	pass "an enriched field too few: reported" ||
	{ fail "an enriched field too few (rc $rc)"; cat "$work/short.out"; }

variant missing '/^type=CWD /d'
run missing "$work/missing.log"
[ $rc = 1 ] && has missing "missing from ringauditd: 1 of the 10 lines" &&
	pass "a missing line over the limit fails" ||
	{ fail "a missing line over the limit (rc $rc)"; cat "$work/missing.out"; }
run missing_ok "$work/missing.log" -v max_missing=15
[ $rc = 0 ] && pass "a missing line under the limit passes" ||
	{ fail "a missing line under the limit (rc $rc)"; cat "$work/missing_ok.out"; }

variant extra '/^type=CWD /p'
run extra "$work/extra.log"
[ $rc = 1 ] && has extra "(extra): 1" && has extra "1 of them repeat the line before" &&
	pass "a line written twice fails" ||
	{ fail "a line written twice (rc $rc)"; cat "$work/extra.out"; }

variant alone '/^type=CWD /{p;s/^type=CWD/type=OBJ_PID/}'
run alone "$work/alone.log"
[ $rc = 1 ] && has alone "(extra): 1" &&
	pass "a line only ringauditd wrote fails" ||
	{ fail "a line only ringauditd wrote (rc $rc)"; cat "$work/alone.out"; }

variant outside 's/:103): pid=1/:104): pid=1/'
run outside "$work/outside.log"
[ $rc = 1 ] && has outside "missing from ringauditd: 1" &&
	has outside "0 only in auditd, 1 only in ringauditd" &&
	pass "outside the markers a line only one log has does not count as extra" ||
	{ fail "outside the markers (rc $rc)"; cat "$work/outside.out"; }

# The two PATH records of event 102 in the other order.
awk '/^type=PATH .*item=0/ { held = $0; next } { print } /^type=PATH .*item=1/ { print held }' \
	"$work/ref.log" > "$work/swap.log"
run swap "$work/swap.log"
[ $rc = 1 ] && has swap "2 differ" &&
	pass "two records of one type swapped in their event: both differ" ||
	{ fail "two records swapped (rc $rc)"; cat "$work/swap.out"; }

printf 'SADDR inet\tSADDR=[{] saddr_fam=inet laddr=\nSADDR inet6\tSADDR=[{] saddr_fam=inet6 \n' \
	> "$work/kinds"
run coverage "$work/ref.log" -v need_types="SYSCALL EXECVE" -v need_kinds="$work/kinds"
[ $rc = 1 ] && has coverage "no compared line of type EXECVE" &&
	has coverage "no compared line enriched with [SADDR inet6]" &&
	! has coverage "[SADDR inet]" &&
	pass "coverage: a type and a kind of value not compared fail" ||
	{ fail "coverage (rc $rc)"; cat "$work/coverage.out"; }

# The terminal copy marks the first differing byte.
variant caret 's/lport=9 }/lport=7 }/'
run caret "$work/caret.log"
line=$(grep -n 'ringauditd: type=SOCKADDR' "$work/caret.out" | cut -d: -f1)
col=$(sed -n "$((line + 1))p" "$work/caret.out" | awk '{ print index($0, "^") }')
want=$(sed -n "${line}p" "$work/caret.out" | awk '{ print index($0, "lport=7") + 6 }')
[ -n "$col" ] && [ "$col" = "$want" ] &&
	pass "the caret is under the first differing byte" ||
	{ fail "the caret is at $col, not $want"; cat "$work/caret.out"; }

echo "== $fails check(s) failed"
[ $fails = 0 ]
