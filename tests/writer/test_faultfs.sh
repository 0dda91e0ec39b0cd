#!/usr/bin/env bash
# test_faultfs.sh - ra_faultfs (tests/common/ra_faultfs.c), the FUSE file
# system that gives the daemon's fault tests a failing disk, does what
# each fault says.
#
# A scratch folder is mounted through it, with its control file beside
# the mount.  "ok": files are written, appended to (O_APPEND holds even
# when the backing file grows behind the mount), read, renamed, listed
# and removed, and df shows the backing file system.  "eio": a write and
# an fdatasync fail with EIO, and the close of a file open for writing;
# reads and renames still work.  "ok" again: writes work.  "enospc": a
# write fails with ENOSPC.  "delay 200": a write and an fdatasync take
# 150 ms at least (no upper bound: a slow machine is no failure).
# "eio-after 2": two writes pass, the third fails, and the line written
# again starts the count over.  "eio-sync 1 200": a write takes 150 ms
# at least and passes; the first fdatasync passes, the second fails with
# EIO, the third passes.  A line not understood is warned of and
# changes nothing.  The counters printed on SIGUSR2 and at exit are what
# was done, and SIGTERM unmounts.
#
# Needs root, /dev/fuse and fusermount3, else exits 77; nothing of the
# kernel's audit.
set -uo pipefail
export LC_ALL=C

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
ffs=$build/ra_faultfs
[ "$(id -u)" = 0 ] || { echo "SKIP: not root"; exit 77; }
[ -c /dev/fuse ] || { echo "SKIP: no /dev/fuse"; exit 77; }
command -v fusermount3 >/dev/null || { echo "SKIP: no fusermount3"; exit 77; }
[ -x "$ffs" ] || { echo "FAIL - no $ffs"; exit 1; }

work=$(mktemp -d /tmp/ra-faultfs.XXXXXX)
back=$work/back mnt=$work/mnt ctl=$work/ctl log=$work/stderr
mkdir "$back" "$mnt"
pid=

# True once $pid has exited (a zombie counts: it is our child, unwaited).
gone() {
	[ ! -e "/proc/$pid" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$pid/stat"
}
cleanup() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do gone && break; sleep 0.1; done
		gone || kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	if mountpoint -q "$mnt"; then
		umount -l "$mnt" 2>/dev/null || fusermount3 -u -z "$mnt"
	fi
	mountpoint -q "$mnt" || rm -rf "$work"
}
trap cleanup EXIT

fails=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
expect() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
# is FILE TEXT: FILE holds TEXT exactly (with printf's \n).
is() { [ "$(od -An -c "$1")" = "$(printf '%b' "$2" | od -An -c)" ]; }
# try CMD...: its status in $rc, its stderr in $work/err.
try() {
	"$@" 2> "$work/err"
	rc=$?
}
failed_with() { [ "$rc" != 0 ] && grep -q "$1" "$work/err"; }
not_mounted() { ! mountpoint -q "$mnt"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# fault LINE: the control file replaced whole (rename(2)).
fault() { printf '%s\n' "$1" > "$ctl.new" && mv "$ctl.new" "$ctl"; }
# append FILE TEXT: printf >> in a shell of its own (bash says the error).
append() { bash -c 'printf "%b" "$2" >> "$1"' _ "$@"; }

# What the file system must count by the end: each printf below is one
# write request, each sync -d one fdatasync.
writes=0 failed=0 bytes=0 fsyncs=0
wrote() { writes=$((writes + 1)); bytes=$((bytes + $1)); }

fault ok
"$ffs" --ctl "$ctl" "$back" "$mnt" 2> "$log" &
pid=$!
for _ in $(seq 100); do
	mountpoint -q "$mnt" && break
	gone && break
	sleep 0.1
done
if ! mountpoint -q "$mnt"; then
	echo "FAIL - $mnt not mounted"
	sed 's/^/  /' "$log"
	exit 1
fi
expect "mounted as fuse.ra_faultfs" test "$(awk -v m="$mnt" \
	'$2 == m { print $3 }' /proc/self/mounts)" = fuse.ra_faultfs

# ---- ok ----
printf 'one\n' > "$mnt/f"
wrote 4
expect "ok: a write reaches the backing file" is "$back/f" 'one\n'
append "$mnt/f" 'two\n'
wrote 4
expect "ok: >> appends" is "$back/f" 'one\ntwo\n'
expect "ok: read back through the mount" \
	test "$(cat "$mnt/f")" = "$(printf 'one\ntwo')"
# The kernel puts an O_APPEND write at the size it knows; the backing
# file, opened O_APPEND, puts it at its real end.
exec 3>> "$mnt/f" 4>> "$mnt/f"
printf a >&3
printf b >&4
printf X >> "$back/f"
printf 'c\n' >&3
wrote 1; wrote 1; wrote 2
exec 3>&- 4>&-
expect "ok: O_APPEND writes land at the end, the backing file's too" \
	is "$back/f" 'one\ntwo\nabXc\n'
expect "ok: what was added behind the mount is read through it" \
	test "$(tail -n 1 "$mnt/f")" = abXc
mv "$mnt/f" "$mnt/g"
expect "ok: rename" test -f "$back/g" -a ! -e "$back/f"
expect "ok: renamed file whole" is "$back/g" 'one\ntwo\nabXc\n'
expect "ok: the folder lists it" test "$(ls -A "$mnt")" = g
rm "$mnt/g"
expect "ok: unlink" test ! -e "$back/g" -a -z "$(ls -A "$mnt")"
read -r msize minodes mfree < <(df -B1 --output=size,itotal,avail "$mnt" |
	tail -n 1)
read -r bsize binodes bfree < <(df -B1 --output=size,itotal,avail "$back" |
	tail -n 1)
expect "ok: df's size and inodes are the backing's ($msize $minodes)" \
	test "$msize-$minodes" = "$bsize-$binodes" -a "$bsize" -gt 0
d=$((mfree - bfree))
expect "ok: df's free space is the backing's ($mfree against $bfree)" \
	test "${d#-}" -le $((bsize / 100))

# ---- eio, the control file written in place ----
printf 'base\n' > "$mnt/h"
wrote 5
echo eio > "$ctl"
try append "$mnt/h" x
failed=$((failed + 1))
expect "eio: a write fails with EIO" failed_with "Input/output error"
expect "eio: nothing reached the backing file" is "$back/h" 'base\n'
try sync -d "$mnt/h"
fsyncs=$((fsyncs + 1))
expect "eio: fdatasync fails with EIO" failed_with "Input/output error"
try dd if=/dev/null of="$mnt/h" oflag=append conv=notrunc status=none
expect "eio: closing a file open for writing fails with EIO" \
	failed_with "Input/output error"
expect "eio: reads work" test "$(cat "$mnt/h")" = base
expect "eio: rename works" mv "$mnt/h" "$mnt/h2"
mv "$mnt/h2" "$mnt/h"

# ---- ok again ----
fault ok
try append "$mnt/h" 'three\n'
wrote 6
expect "ok again: a write works" test "$rc" = 0
expect "ok again: and reaches the backing file" is "$back/h" 'base\nthree\n'
try sync -d "$mnt/h"
fsyncs=$((fsyncs + 1))
expect "ok again: fdatasync works" test "$rc" = 0

# ---- enospc ----
fault enospc
try append "$mnt/h" x
failed=$((failed + 1))
expect "enospc: a write fails with ENOSPC" \
	failed_with "No space left on device"
expect "enospc: nothing reached the backing file" \
	is "$back/h" 'base\nthree\n'

# ---- delay ----
fault "delay 200"
t0=$(now_ms)
try append "$mnt/h" 'slow\n'
t1=$(now_ms)
wrote 5
expect "delay 200: a write works" test "$rc" = 0
expect "delay 200: and took $((t1 - t0)) ms, 150 at least" \
	test $((t1 - t0)) -ge 150
t0=$(now_ms)
try sync -d "$mnt/h"
t1=$(now_ms)
fsyncs=$((fsyncs + 1))
expect "delay 200: fdatasync took $((t1 - t0)) ms, 150 at least" \
	test "$rc" = 0 -a $((t1 - t0)) -ge 150

# ---- eio-after ----
fault "eio-after 2"
append "$mnt/h" '1\n'
append "$mnt/h" '2\n'
wrote 2; wrote 2
try append "$mnt/h" '3\n'
failed=$((failed + 1))
expect "eio-after 2: the third write fails with EIO" \
	failed_with "Input/output error"
expect "eio-after 2: the first two reached the backing file" \
	is "$back/h" 'base\nthree\nslow\n1\n2\n'
fault "eio-after 2"
try append "$mnt/h" '4\n'
wrote 2
expect "eio-after 2, written again: the count starts over" test "$rc" = 0

# ---- eio-sync ----
fault "eio-sync 1 200"
t0=$(now_ms)
try append "$mnt/h" '6\n'
t1=$(now_ms)
wrote 2
expect "eio-sync 1 200: a write works, in $((t1 - t0)) ms, 150 at least" \
	test "$rc" = 0 -a $((t1 - t0)) -ge 150
try sync -d "$mnt/h"
fsyncs=$((fsyncs + 1))
expect "eio-sync 1 200: the first fdatasync passes" test "$rc" = 0
try sync -d "$mnt/h"
fsyncs=$((fsyncs + 1))
expect "eio-sync 1 200: the second fails with EIO" \
	failed_with "Input/output error"
try sync -d "$mnt/h"
fsyncs=$((fsyncs + 1))
expect "eio-sync 1 200: the third passes" test "$rc" = 0

# ---- a line not understood ----
fault enospc
try append "$mnt/h" x
failed=$((failed + 1))
fault "bogus 1"
try append "$mnt/h" x
failed=$((failed + 1))
expect "a line not understood: the fault stays (enospc)" \
	failed_with "No space left on device"
expect "a line not understood: warned of" grep -q '"bogus 1" not understood' \
	"$log"
fault ok
try append "$mnt/h" '5\n'
wrote 2
expect "ok at last: a write works" test "$rc" = 0

# ---- the counters ----
want="ra_faultfs: writes=$writes failed=$failed bytes=$bytes fsyncs=$fsyncs"
kill -USR2 "$pid"
for _ in $(seq 50); do
	grep -q '^ra_faultfs: writes=' "$log" && break
	sleep 0.1
done
got=$(grep '^ra_faultfs: writes=' "$log")
expect "SIGUSR2: \"$want\"" test "$got" = "$want"

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
expect "SIGTERM: exit status 0 ($rc)" test "$rc" = 0
expect "SIGTERM: unmounted" not_mounted
got=$(grep '^ra_faultfs: writes=' "$log" | tail -n +2)
expect "at exit: the same counters" test "$got" = "$want"
if [ $fails -ne 0 ]; then
	echo "ra_faultfs's stderr:"
	sed 's/^/  /' "$log"
fi
echo "$fails failed"
[ $fails -eq 0 ]
