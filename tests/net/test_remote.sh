#!/usr/bin/env bash
# test_remote.sh - the central log server of remote logging: what a client
# of auditd's protocol (audisp-remote, or ra_netclient playing a script)
# gets from it, and what it writes.
#
# The server under test (RA_SERVER: auditd, Debian's 3.0.9, which proves
# the test; or ringauditd, the build's) runs with local_events = no,
# log_format = RAW and tcp_listen_port on a free port, and is reached on
# 127.0.0.1.  A first server (tcp_max_per_addr = 1, tcp_client_max_idle
# = 0) is checked for:
#   - records written verbatim, in order, one last '\n' cut, no node=
#     added (and the corners: a type other than 0, no '\n', two, a NUL);
#   - an ACK echoing the sequence of each message and heartbeat;
#   - DAEMON_ACCEPT (addr= port= res=success) before a client's records,
#     DAEMON_CLOSE after;
#   - 100 messages pipelined in one write: 100 ACKs in order, the records
#     in order;
#   - a line that is not a frame: no reply, nothing logged, the
#     connection kept;
#   - a frame longer than 8970 bytes: the connection closed;
#   - a second connection from 127.0.0.1 rejected (DAEMON_ACCEPT op=dup
#     ... res=no, no DAEMON_CLOSE), the first one kept;
#   - the real audisp-remote (mode immediate, format managed) fed 1000
#     records on stdin: all 1000 in the log, in order, on one connection;
#   - SIGTERM to the server: ENDING (seq 0) to a connected client, then
#     the end of the connection, DAEMON_CLOSE, exit status 0.
# A second server (tcp_client_ports = a range, tcp_client_max_idle = 1):
#   - a client from the range's last port accepted, and closed once idle
#     (auditd: after 1 to 2 s; 0.5 to 5 s pass), DAEMON_CLOSE;
#   - a client from the port past the range rejected (op=port).
#
# audisp-remote reads /etc/audit/audisp-remote.conf: the test runs itself
# again in a private mount namespace (unshare -m) where the test's own
# file is bind-mounted there, and a tmpfs is on /run (the server's pid
# file); the host's files are never touched.  Network: 127.0.0.1 only.
#
# A server must not register with the kernel (local_events = no; checked),
# but the test still holds /run/ringaudit-kernel.lock, as every run of
# auditd must, and puts the kernel's audit settings back as it found
# them.  A ringauditd that does not listen on tcp_listen_port (a build
# without the listener) is a skip (exit 77), unless RA_REQUIRE_LISTENER
# is set.  Other skips (77): not root, no auditd or audispd-plugins, no
# unshare or ss, ra_netclient not built; with RA_REQUIRE_KERNEL set (CI)
# those fail instead.  On failure the servers' folders and the clients'
# outputs are kept in $RA_BUILD/test_remote.fail.
#
#   RA_BUILD=BUILD_DIR RA_SOURCE_DIR=SRC RA_SERVER=auditd|ringauditd \
#       tests/net/test_remote.sh             (RA_SERVER: ringauditd)
#   RA_RINGAUDITD=PATH     another ringauditd (default $RA_BUILD/ringauditd)
#   RA_REMOTE_RECORDS=N    records through audisp-remote (default 1000)
#   RA_REMOTE_DEADLINE=S   give up (and clean up) after S s (default 120)
#   RA_REMOTE_KEEP=1       keep them in $RA_BUILD/test_remote.keep on success
# shellcheck disable=SC2016,SC2034,SC2317 # checks eval their commands late
set -uo pipefail
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
server=${RA_SERVER:-ringauditd}
records=${RA_REMOTE_RECORDS:-1000}
nc=$build/ra_netclient
remote_bin=/usr/sbin/audisp-remote
remote_conf=/etc/audit/audisp-remote.conf

# skip_or_fail, kernel_test_needs, kernel_test_begin/_end, check, die,
# wait_for, kstat, stop_daemon, write_conf, start_watchdog, trap_cleanup
. "$src/tests/common/ra_kernel.sh"

server_bin=$(remote_server_bin "$server" "$build") || exit 1
kernel_test_needs auditctl -- "$nc" "$server_bin"
command -v unshare >/dev/null || skip_or_fail "needs unshare (util-linux)"
command -v ss >/dev/null || skip_or_fail "needs ss (iproute2)"
[ -x /usr/sbin/auditd ] || skip_or_fail "needs /usr/sbin/auditd (Debian's auditd package)"
[ -x "$remote_bin" ] || skip_or_fail "needs $remote_bin (Debian's audispd-plugins package)"

# --- into a private mount namespace --------------------------------------
private_mount_ns RA_REMOTE_IN_NS "$@"

kernel_test_begin ra-remote
spid='' arpid=''
cpids=()

cleanup() {
	local rc=$? problems=0 p
	trap - EXIT INT TERM
	set +e
	[ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
	for p in "${cpids[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "$arpid" ] && { exec 8>&-; stop_daemon audisp-remote "$arpid" 5; }
	stop_daemon "$server" "$spid"
	remote_test_end "$rc" "$problems" test_remote "${RA_REMOTE_KEEP:-}"
}
trap_cleanup cleanup
start_watchdog "${RA_REMOTE_DEADLINE:-120}" RA_REMOTE_DEADLINE

private_remote_conf "$remote_conf"

# --- helpers ---------------------------------------------------------------

# free_port LO SPAN [N]: a port P in LO..LO+SPAN-1 with P..P+N-1 (N 1)
# free on this host (neither listening nor in any connection).
free_port() {
	local i p k n=${3:-1} used
	for ((i = 0; i < 50; i++)); do
		p=$(($1 + RANDOM % $2))
		used=0
		for ((k = p; k < p + n; k++)); do
			[ -z "$(ss -Hatn "( sport = :$k or dport = :$k )")" ] ||
				used=1
		done
		[ $used = 0 ] && { echo "$p"; return 0; }
	done
	die "no free port in $1..$(($1 + $2 - 1))"
}

stamp='msg=audit\([0-9]+\.[0-9]+:[0-9]+\):'
addr='addr=(::ffff:)?127\.0\.0\.1'
# accept_re PORT, close_re PORT, reject_re PORT OP: the server's records
# about a client from 127.0.0.1:PORT, as auditd 3.0.9 writes them.
accept_re() { echo "^type=DAEMON_ACCEPT $stamp $addr port=$1 res=success\$"; }
close_re() { echo "^type=DAEMON_CLOSE $stamp $addr port=$1 res=success\$"; }
reject_re() { echo "^type=DAEMON_ACCEPT $stamp op=$2 $addr port=$1 res=no\$"; }
# in_log RE: a line of the server's log matches RE.
in_log() { grep -qaE "$1" "$log"; }
# line_of RE: the number of the first line of the log matching RE (empty:
# none).
line_of() { grep -naE "$1" "$log" | head -n 1 | cut -d: -f1; }

# start_server NAME KEY=VALUE...: the server under test, with its folder
# in $tmp/NAME (log in $log), listening on $port (a free one), its pid in
# $spid; then each KEY=VALUE in its auditd.conf.
start_server() {
	local name=$1
	shift
	S=$tmp/$name
	log=$S/log/audit.log
	port=$(free_port 20000 10000)
	write_conf "$S" RAW local_events=no tcp_listen_port="$port" \
		tcp_listen_queue=5 tcp_max_per_addr=1 use_libwrap=no \
		tcp_client_max_idle=0 distribute_network=no "$@"
	echo "== $name: $server_bin -n -c $S (local_events = no, 127.0.0.1:$port)"
	"$server_bin" -n -c "$S" >"$S/stdout" 2>"$S/stderr" &
	spid=$!
	wait_for 100 listening_or_gone
	if ! kill -0 "$spid" 2>/dev/null; then
		wait "$spid"
		echo "   $server exited $? at start:"
		sed 's/^/   | /' "$S/stderr"
		spid=
		die "$name: the server exited at start"
	fi
	if ! listening; then
		if [ "$server" = ringauditd ] && [ -z "${RA_REQUIRE_LISTENER:-}" ]; then
			echo "SKIP: $server_bin does not listen on tcp_listen_port" \
				"$port within 10 s (a build without the listener?)"
			exit 77
		fi
		die "$name: the server does not listen on port $port after 10 s"
	fi
	check "$name: the server did not register with the kernel (local_events = no)" \
		test "$(kstat pid)" = 0
}
listening() { [ -n "$(ss -Hltn "sport = :$port")" ]; }
listening_or_gone() { listening || ! kill -0 "$spid" 2>/dev/null; }

# client NAME STEP...: ra_netclient's script to the server; its stdout in
# $tmp/NAME.out, stderr in $tmp/NAME.err, exit status in $crc.
client() {
	local n=$1
	shift
	"$nc" 127.0.0.1 "$port" "$@" >"$tmp/$n.out" 2>"$tmp/$n.err"
	crc=$?
}
# client_bg NAME STEP...: the same in the background; its pid in $cpid
# (and in cpids, for the cleanup).
client_bg() {
	local n=$1
	shift
	"$nc" 127.0.0.1 "$port" "$@" >"$tmp/$n.out" 2>"$tmp/$n.err" &
	cpid=$!
	cpids+=("$cpid")
}
# client_wait PID: its exit status in $crc; gone from cpids.
client_wait() {
	local p keep=()
	wait "$1"
	crc=$?
	for p in "${cpids[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	cpids=("${keep[@]}")
}
# port_of NAME: the local port the client connected from.
port_of() { sed -n 's/^connected port=//p' "$tmp/$1.out"; }
# said NAME TEXT: the client printed the line TEXT.
said() { grep -qxF -- "$2" "$tmp/$1.out"; }
# replies NAME: what the client printed but its "connected" line.
replies() { grep -av '^connected port=' "$tmp/$1.out"; }

# same WANT GOT: the files are the same bytes; else the first
# differences.
same() {
	cmp -s "$1" "$2" && return 0
	echo "   --- wanted ($1) / +++ got ($2):"
	diff -u "$1" "$2" | sed -n '3,14s/^/   /p'
	return 1
}
# client_ok NAME: ra_netclient exited 0; else its stderr.
client_ok() {
	[ "$crc" = 0 ] && return 0
	echo "   ra_netclient $1 exited $crc:"
	sed 's/^/   | /' "$tmp/$1.err"
	return 1
}
# replies_are NAME LINE...: the client printed those lines (but its
# "connected" line), nothing else.
replies_are() {
	local n=$1
	shift
	printf '%s\n' "$@" > "$tmp/$n.want-out"
	replies "$n" > "$tmp/$n.got-out"
	same "$tmp/$n.want-out" "$tmp/$n.got-out"
}
ack() { echo "reply type=0x40000000 seq=$1 text=\"\""; }

# segment PORT: the log's lines between the client's DAEMON_ACCEPT and
# its DAEMON_CLOSE, others' DAEMON_ACCEPT and DAEMON_CLOSE left out.
segment() {
	# The patterns through the environment: awk -v would take their
	# backslashes for escapes.
	RA_A=$(accept_re "$1") RA_C=$(close_re "$1") awk '
		$0 ~ ENVIRON["RA_C"] { exit }
		on && !/^type=DAEMON_(ACCEPT|CLOSE) / { print }
		$0 ~ ENVIRON["RA_A"] { on = 1 }' "$log"
}
# framed PORT WANT: the log holds the client's DAEMON_ACCEPT, then exactly
# the records in the file WANT, then its DAEMON_CLOSE.
framed() {
	local a c
	a=$(line_of "$(accept_re "$1")")
	c=$(line_of "$(close_re "$1")")
	if [ -z "$a" ] || [ -z "$c" ] || [ "$a" -ge "$c" ]; then
		echo "   DAEMON_ACCEPT of port $1 at line ${a:-none}," \
			"DAEMON_CLOSE at line ${c:-none}"
		grep -naE "^type=DAEMON_(ACCEPT|CLOSE) .* port=$1 " "$log" |
			sed 's/^/   | /'
		return 1
	fi
	segment "$1" > "$2.got"
	same "$2" "$2.got"
}
# closed PORT: the server logged the client's DAEMON_CLOSE (5 s at most).
closed() { wait_for 50 in_log "$(close_re "$1")"; }
# rejected PORT OP: wait (5 s at most) for the refusal's DAEMON_ACCEPT:
# the client sees the close before ringauditd's writer has logged it
# (auditd logs first, then closes).
rejected() { wait_for 50 in_log "$(reject_re "$1" "$2")"; }

# --- the first server: records, replies, limits, audisp-remote, ENDING ---
start_server main

# (1) Records and ACKs.  audisp-remote's records end with '\n'; one with
# a node= and one without; then heartbeats between them.
r1="type=USER msg=audit(1764790000.101:101): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='ra_remote plain 1 res=success'"
r2="node=c2 type=USER msg=audit(1764790000.102:102): pid=1 uid=0 auid=0 ses=1 msg='ra_remote with a node res=success'"
r3="type=SYSCALL msg=audit(1764790000.103:103): arch=c000003e syscall=39 success=yes exit=7 a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 pid=7 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"ra\" exe=\"/ra\" key=\"ra_remote\""
client plain "msg:$r1" reply hb reply "msg:$r2" reply hb reply "msg:$r3" reply
p=$(port_of plain)
echo "   client plain: port ${p:-none}"
closed "$p"
printf '%s\n' "$r1" "$r2" "$r3" > "$tmp/plain.want"
check "plain: each message and heartbeat ACKed, its sequence echoed, in order" \
	eval 'client_ok plain && replies_are plain "$(ack 1)" "$(ack 2)" "$(ack 3)" "$(ack 4)" "$(ack 5)"'
check "plain: DAEMON_ACCEPT (addr= port= res=success), the records verbatim and in order, DAEMON_CLOSE" \
	framed "$p" "$tmp/plain.want"
check "plain: no node= added (a record without one logged without, node=c2 kept once)" \
	eval 'grep -aqxF "$r1" "$log" && grep -aqxF "$r2" "$log"'

# (2) Texts at the edges: a type other than MESSAGE and HEARTBEAT (logged
# and ACKed), no '\n' (logged whole), two (one cut), a '\n' then a NUL
# (the NUL ends the text, the '\n' before it stays).  auditd writes that
# '\n' as it is, an empty line after the record (a client could write
# lines of its own that way); ringauditd makes it a space, as it does in
# the kernel's records: one record, one line (README, Remote logging).
client edge "frame:0x12345:ra_remote type 0x12345\n" reply \
	"frame:0:ra_remote no newline" reply \
	"frame:0:ra_remote two newlines\n\n" reply \
	"frame:0:ra_remote newline nul\n\x00" reply \
	"msg:ra_remote last" reply
p=$(port_of edge)
closed "$p"
if [ "$server" = auditd ]; then
	printf '%s\n' "ra_remote type 0x12345" "ra_remote no newline" \
		"ra_remote two newlines" "" "ra_remote newline nul" "" \
		"ra_remote last" > "$tmp/edge.want"
else
	printf '%s\n' "ra_remote type 0x12345" "ra_remote no newline" \
		"ra_remote two newlines " "ra_remote newline nul " \
		"ra_remote last" > "$tmp/edge.want"
fi
check "edge: every frame ACKed" \
	eval 'client_ok edge && replies_are edge "$(ack 1)" "$(ack 2)" "$(ack 3)" "$(ack 4)" "$(ack 5)"'
check "edge: type 0x12345 logged; only a last '\\n' cut; a NUL ends the text" \
	framed "$p" "$tmp/edge.want"

# (3) 100 messages in one write: 100 ACKs, in order; the records in order.
prefix="type=USER msg=audit(1764790000.300:300): pid=1 uid=0 msg='ra_remote pipelined"
client pipe "pipeline:100:$prefix"
p=$(port_of pipe)
closed "$p"
for ((i = 1; i <= 100; i++)); do echo "$prefix $i"; done > "$tmp/pipe.want"
check "pipeline: 100 messages in one write, 100 ACKs echoing each sequence in order" \
	eval 'client_ok pipe && replies_are pipe "acked 100"'
check "pipeline: the 100 records in order" framed "$p" "$tmp/pipe.want"

# (4) A line that is not a frame: no reply (the next reply is the next
# message's), nothing logged, the connection kept.
bad="ra_remote this line is not a frame (no magic)"
client badmagic "msg:ra_remote before the line" reply "badmagic:$bad" \
	"msg:ra_remote after the line" reply
p=$(port_of badmagic)
closed "$p"
printf '%s\n' "ra_remote before the line" "ra_remote after the line" \
	> "$tmp/badmagic.want"
check "badmagic: no reply to the line, the connection kept (the next message ACKed)" \
	eval 'client_ok badmagic && replies_are badmagic "$(ack 1)" "$(ack 2)"'
check "badmagic: the line not logged" framed "$p" "$tmp/badmagic.want"

# (5) A frame whose header says 9000 bytes (past 8970): the connection
# closed.  What the server logs of it is shown, not judged (auditd logs
# the part its buffer held).
client long "msg:ra_remote before the long frame" reply long:9000 wait-end
p=$(port_of long)
check "long: a frame of 9000 bytes closes the connection" \
	eval 'client_ok long && said long eof && closed "$p"'
echo "   long: the server logged $(grep -ac 'ra_netclient long frame' "$log")" \
	"lines of it: $(grep -a 'ra_netclient long frame' "$log" | awk '{ print length($0) " bytes" }' | tr '\n' ' ')"
check "long: the record before it logged" \
	eval '[ "$(segment "$p" | sed -n 1p)" = "ra_remote before the long frame" ]'

# (6) tcp_max_per_addr = 1: a second connection from 127.0.0.1 while the
# first is open is rejected; the first goes on.
client_bg first "msg:ra_remote first 1" reply "wait-file:$tmp/first.go" \
	"msg:ra_remote first 2" reply
first_pid=$cpid
has_reply() { grep -q '^reply ' "$tmp/first.out"; }
wait_for 50 has_reply
pa=$(port_of first)
client second wait-end
pb=$(port_of second)
[ -n "$pb" ] && rejected "$pb" dup
echo "   first client port ${pa:-none}, second ${pb:-none}"
check "dup: the second connection ended by the server" \
	eval 'client_ok second && said second eof'
check "dup: DAEMON_ACCEPT op=dup addr= port= res=no for the second" \
	in_log "$(reject_re "$pb" dup)"
touch "$tmp/first.go"
client_wait "$first_pid"
closed "$pa"
printf '%s\n' "ra_remote first 1" "ra_remote first 2" > "$tmp/first.want"
check "dup: the first connection kept, both its records ACKed and logged" \
	eval 'client_ok first && replies_are first "$(ack 1)" "$(ack 2)" && framed "$pa" "$tmp/first.want"'
check "dup: no DAEMON_CLOSE for the rejected connection" \
	eval '! in_log "^type=DAEMON_CLOSE .* port=$pb "'

# (7) The real audisp-remote, fed the records on stdin.
audisp_remote_conf "$port" "$tmp/remote.queue" > "$tmp/audisp-remote.conf.new"
cat "$tmp/audisp-remote.conf.new" > "$remote_conf"
chmod 640 "$remote_conf"
awk -v n="$records" 'BEGIN {
	for (i = 1; i <= n; i++)
		printf "type=USER msg=audit(1764790001.%03d:%d): pid=1 uid=0 auid=0 ses=1 msg=\047ra_remote audisp-remote %d of %d exe=\"/usr/bin/true\" res=success\047\n", i % 1000, 1000 + i, i, n
}' > "$tmp/ar.want"
n0=$(wc -l < "$log")
mkfifo "$tmp/ar.in"
echo "== audisp-remote: $records records on its stdin"
"$remote_bin" < "$tmp/ar.in" > "$tmp/ar.stdout" 2>&1 &
arpid=$!
exec 8> "$tmp/ar.in"
cat "$tmp/ar.want" >&8
# after_n0: the log's lines past line n0, DAEMON_ACCEPT and _CLOSE left
# out.
after_n0() { tail -n +$((n0 + 1)) "$log" | grep -av '^type=DAEMON_\(ACCEPT\|CLOSE\) '; }
all_in() { [ "$(after_n0 | wc -l)" -ge "$records" ] || ! kill -0 "$arpid" 2>/dev/null; }
wait_for 600 all_in
exec 8>&-
gone() { ! kill -0 "$arpid" 2>/dev/null; }
wait_for 100 gone
stop_daemon audisp-remote "$arpid" 5
arpid=
ar_status=$stopped
after_n0 > "$tmp/ar.want.got"
conns=$(tail -n +$((n0 + 1)) "$log" | grep -acE "$(accept_re '[0-9]+')")
par=$(tail -n +$((n0 + 1)) "$log" | grep -aE "$(accept_re '[0-9]+')" |
	head -n 1 | sed 's/.* port=\([0-9]*\) .*/\1/')
echo "   audisp-remote: $(wc -l < "$tmp/ar.want.got") records logged, $conns connection(s), exit status $ar_status"
check "audisp-remote: all $records records logged verbatim, in order" \
	same "$tmp/ar.want" "$tmp/ar.want.got"
check "audisp-remote: one connection, DAEMON_ACCEPT before its records and DAEMON_CLOSE after" \
	eval '[ "$conns" = 1 ] && closed "$par" && framed "$par" "$tmp/ar.want"'
check "audisp-remote: exit status 0 at the end of its input" test "$ar_status" = 0

# (8) SIGTERM to the server: ENDING (seq 0) to the connected client, then
# the end of the connection.
client_bg ending "msg:ra_remote before SIGTERM" reply wait-end:20 wait-end:5
end_pid=$cpid
has_reply() { grep -q '^reply ' "$tmp/ending.out"; }
wait_for 50 has_reply
pe=$(port_of ending)
stop_daemon "$server" "$spid"
spid=
server_status=$stopped
client_wait "$end_pid"
check "SIGTERM: ENDING (seq 0) to the connected client, then the end of the connection" \
	eval 'client_ok ending && replies_are ending "$(ack 1)" "ending seq=0" eof'
check "SIGTERM: DAEMON_CLOSE for the client" in_log "$(close_re "$pe")"
check "SIGTERM: the server exited 0" test "$server_status" = 0

# --- the second server: tcp_client_ports and tcp_client_max_idle ----------
lo=$(free_port 30000 2700 11)
hi=$((lo + 9))
start_server ports tcp_client_ports="$lo-$hi" tcp_client_max_idle=1

# (9) From the range's last port: accepted; idle, closed in 1 to 2 s.
t0=$(date +%s%N)
client idle "bind-port:$hi" "msg:ra_remote from port $hi" reply wait-end:10
t1=$(date +%s%N)
idle_ms=$(((t1 - t0) / 1000000))
echo "   idle: the connection ended after $idle_ms ms"
printf '%s\n' "ra_remote from port $hi" > "$tmp/idle.want"
check "ports: a client from port $hi (the range $lo-$hi) accepted, its record logged" \
	eval 'client_ok idle && closed "$hi" && framed "$hi" "$tmp/idle.want"'
check "idle: the idle client closed by the server in 0.5 to 5 s (tcp_client_max_idle = 1)" \
	eval 'replies_are idle "$(ack 1)" eof && [ "$idle_ms" -ge 500 ] && [ "$idle_ms" -le 5000 ]'

# (10) From the port past the range: rejected.
client outside "bind-port:$((hi + 1))" wait-end
rejected $((hi + 1)) port
check "ports: a client from port $((hi + 1)) rejected (DAEMON_ACCEPT op=port ... res=no)" \
	eval 'client_ok outside && said outside eof && in_log "$(reject_re $((hi + 1)) port)"'
check "ports: no DAEMON_CLOSE for the rejected client" \
	eval '! in_log "^type=DAEMON_CLOSE .* port=$((hi + 1)) "'

stop_daemon "$server" "$spid"
spid=
check "ports: the server exited 0 at SIGTERM" test "$stopped" = 0

echo "== $server: $fails checks failed"
