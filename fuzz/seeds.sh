#!/usr/bin/env bash
# Make the seed corpora in fuzz/corpus/ from ../shared/fixtures/ (see its
# README for where each file comes from and its licence) and a few
# hand-written files.  Run once; the output is committed.  The corpora stay
# small: a few dozen files per harness.
set -euo pipefail
cd "$(dirname "$0")"
fx=${RA_FIXTURE_DIR:-../../shared/fixtures}
out=corpus

rm -rf "$out"/record "$out"/replay "$out"/enrich_diff
mkdir -p "$out"/record "$out"/replay "$out"/enrich_diff

# record: one option byte (bit 0 ENRICHED, bit 1 configured node, bit 2
# netlink NULs, bit 3 NSS names) and a log line.  Two lines of each record
# type in the logs, a netlink-padded payload, and the enriched corner
# cases.
declare -A seen
n=0
opts=(01 00 03 05 09 0b)
for f in "$fx"/logs/*.log; do
	while IFS= read -r line; do
		t=$(sed -n 's/^\(node=[^ ]* \)\{0,1\}type=\([^ ]*\) .*/\2/p' \
		    <<<"$line")
		[ -n "$t" ] || continue
		[ "${seen[$t]:-0}" -lt 2 ] || continue
		seen[$t]=$(( ${seen[$t]:-0} + 1 ))
		o=${opts[$((n % 6))]}
		{ printf "\\x$o"; printf '%s' "$line"; } > \
		    "$out/record/$(printf '%03d' $n)-$t"
		n=$((n + 1))
	done < "$f"
done
# enrich_diff: the same lines without the option byte.
for f in "$out"/record/[0-9]*; do
	tail -c +2 "$f" > "$out/enrich_diff/${f##*/}"
done
for f in "$fx"/enriched-corners/*.line; do
	{ printf '\x01'; tr -d '\n' < "$f"; } > \
	    "$out/record/corner-$(basename "$f" .line)"
done
printf '\x05type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e syscall=59\0\0\0' \
    > "$out/record/netlink-nuls"

# replay: the small logs whole, the long split EXECVE, the long line, and
# netlink frames (nlmsghdr: len, type, flags, seq, pid; then the payload,
# padded to 4).
for f in auparse-test.log auparse-test3.log auparse-test4.log \
    golibaudit-auparse-audit-rhel6.log golibaudit-auparse-audit-ubuntu17.log \
    golibaudit-rollover.log golibaudit-out_of_order.log; do
	cp "$fx/logs/$f" "$out/replay/$f"
	chmod 644 "$out/replay/$f"
done
cp "$fx/enriched-corners/replay-long-line.log" "$out/replay/"
chmod 644 "$out/replay/replay-long-line.log"
le32() { printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) \
    $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"; }
le16() { printf "$(printf '\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)))"; }
frame() {	# type payload
	local len=$((16 + ${#2}))
	le32 $len; le16 "$1"; le16 0; le32 0; le32 0
	printf '%s' "$2"
	while [ $((len % 4)) -ne 0 ]; do printf '\0'; len=$((len + 1)); done
}
{
	frame 1300 'audit(1700000000.123:4567): arch=c000003e syscall=59 success=yes exit=0 a0=55d1 a1=55d2 a2=55d3 a3=0 items=2 ppid=1 pid=2 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm="ls" exe="/usr/bin/ls" key=(null)'
	frame 1309 'audit(1700000000.123:4567): argc=2 a0="ls" a1="-l"'
	frame 1307 'audit(1700000000.123:4567): cwd="/root"'
	frame 1302 'audit(1700000000.123:4567): item=0 name="/usr/bin/ls" inode=1 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0'
	frame 1327 'audit(1700000000.123:4567): proctitle=6C73002D6C'
	frame 1320 'audit(1700000000.123:4567): '
} > "$out/replay/frames-execve.bin"
{
	frame 1306 'audit(1700000001.000:9): saddr=0A000016000000000000000000000000000000000000000100000000'
	frame 1100 'audit(1700000001.001:10): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='"'"'op=PAM:authentication acct="root" exe="/usr/sbin/sshd" hostname=? addr=? terminal=ssh res=success'"'"''
} > "$out/replay/frames-user.bin"
