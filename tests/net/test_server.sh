#!/usr/bin/env bash
# tests/net/test_server.sh - ringauditd as the central log server, under
# load (tools/ra_netload.c: many clients, each as audisp-remote frames
# its records), with local_events = no: it opens no audit netlink socket,
# so it needs no kernel lock.  Each case on a loopback port of its own:
#   load         200 clients from 4 addresses, 4 records out each: every
#                acked record in the log once, a DAEMON_ACCEPT and a
#                DAEMON_CLOSE for each client, no audit socket opened
#   backpressure 16 message slots for 50 clients: reading stops and goes
#                on (pauses counted), every acked record logged
#   durable      flush = data, remote_ack = durable: every record acked is
#                durable by the state report
#   suspended    logging suspended: every record answered, none acked
#   stop         SIGTERM under load: every client gets ENDING, every
#                acked record is in the log, DAEMON_CLOSEs before
#                DAEMON_END
#   plugins      distribute_network: a plugin gets the clients' records
#                with yes, none with no
#   alloc        past tcp_max_clients: op=alloc
#   descriptors  at the open-file limit: connections closed and counted,
#                libwrap not blamed, the daemon serving again after
#   slow disk    each write 1 s (ra_faultfs): clients waiting for their
#                acks are not idle
#   refusals     a port already taken, and transport = KRB5 without a
#                key file: exit 1 with the reason
# shellcheck disable=SC2154
set -u
src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
case $build in /*) ;; *) build=$src/$build ;; esac
ringauditd=$build/ringauditd
load=$build/ra-netload
plugin=$build/ra_plugin

. "$src/tests/common/ra_kernel.sh"

[ "$(id -u)" = 0 ] || skip_or_fail "needs root"
for f in "$ringauditd" "$load" "$plugin"; do
	[ -x "$f" ] || skip_or_fail "no $f: build it first"
done

tmp=$(mktemp -d /tmp/ra-net-XXXXXX)
chmod 755 "$tmp"
fails=0
dpid=
ffs_pid=
cleanup() {
	local rc=$?
	[ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
	stop_daemon ringauditd "$dpid"
	if mountpoint -q "$tmp/mnt" 2>/dev/null; then
		umount -l "$tmp/mnt" 2>/dev/null || fusermount3 -u -z "$tmp/mnt"
	fi
	[ -n "$ffs_pid" ] && kill "$ffs_pid" 2>/dev/null && wait "$ffs_pid"
	[ "$rc" = 0 ] && [ "$fails" != 0 ] && rc=1
	[ "$rc" = 0 ] || keep_files "$build/test_server.fail" "the logs" "$tmp"/*
	rm -rf "$tmp"
	exit "$rc"
}
trap_cleanup cleanup
start_watchdog 240 "the whole test"

# A port in no socket, from 10000..19999: below the kernel's ephemeral
# ports (32768..), where a client's own end could take it, and apart
# from net/test_remote's (20000..32699).
free_port() {
	local p
	while :; do
		p=$((10000 + RANDOM % 10000))
		[ -z "$(ss -Hatn "( sport = :$p or dport = :$p )")" ] &&
			{ echo "$p"; return; }
	done
}

# server DIR KEY=VALUE...: a log server's configuration in DIR (RAW,
# local_events = no, a free port in $port), then each KEY=VALUE; the
# ringauditd.conf lines in $rconf are added.
rconf=
server_conf() {
	local d=$1
	shift
	port=$(free_port)
	write_conf "$d" RAW local_events=no tcp_listen_port="$port" \
		tcp_max_per_addr=1024 max_log_file=0 "$@"
	[ -n "$rconf" ] && printf '%s\n' "$rconf" >> "$d/ringauditd.conf"
	return 0
}
listening() { ss -Hltn "sport = :$port" | grep -q LISTEN; }
# start_server DIR: ringauditd -n -c DIR, listening within 10 s.
start_server() {
	"$ringauditd" -n -c "$1" > "$1/stdout" 2> "$1/stderr" &
	dpid=$!
	wait_for 100 listening || { sed 's/^/  ringauditd: /' "$1/stderr"; die "no listener on $port"; }
}
stop_server() { stop_daemon ringauditd "$dpid"; dpid=; }
# fig NAME: a figure of ra-netload's last line ($out).
fig() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<< "$out"; }
# logged DIR TAG: the tag's records in DIR's logs.
logged() { cat "$1"/log/audit.log* 2>/dev/null | grep -c " tag=$2 "; }
# dups DIR TAG: records of the tag (client, seq) logged more than once.
dups() {
	cat "$1"/log/audit.log* | grep " tag=$2 " |
		sed 's/.* client=\([0-9]*\) seq=\([0-9]*\) .*/\1 \2/' | sort | uniq -d | wc -l
}
# policies: "NAME:POLICY" of the server's threads (/proc/PID/task/*/sched;
# 0 SCHED_OTHER, 3 SCHED_BATCH), sorted.
policies() {
	local t name pol
	for t in /proc/"$dpid"/task/*; do
		# A thread may end between the listing and the reading (one of
		# io_uring's workers, idle): it has no policy left to check.
		name=$(cat "$t/comm" 2>/dev/null) || continue
		pol=$(awk '$1 == "policy" { print $3 }' "$t/sched" 2>/dev/null) ||
			continue
		if [ -n "$name" ] && [ -n "$pol" ]; then
			echo "$name:$pol"
		fi
	done | sort | tr '\n' ' '
}
# state DIR NAME: a figure of the state report (SIGCONT).
state() {
	rm -f "$1/auditd.state"
	kill -CONT "$dpid"
	wait_for 50 test -s "$1/auditd.state"
	awk -F' = ' -v k="$2" '$1 == k { print $2 }' "$1/auditd.state"
}

echo "# load: 200 clients from 4 addresses, 4 records out each"
d=$tmp/load
server_conf "$d"
start_server "$d"
out=$("$load" 127.0.0.1 "$port" -c 200 -w 4 -a 4 -d 2 -t load)
echo "  $out"
acked=$(fig acked)
check "every client connected and was answered in order" test "$(fig failed)" = 0
check "records were acked ($acked)" test "${acked:-0}" -gt 1000
check "every acked record is in the log" test "$(logged "$d" load)" = "$acked"
check "no record twice" test "$(dups "$d" load)" = 0
check "a DAEMON_ACCEPT for each client" \
	test "$(grep -c '^type=DAEMON_ACCEPT .* res=success$' "$d/log/audit.log")" = 200
# The clients are gone once ra-netload is: their closes may still be on
# their way to the log.
all_closed() { [ "$(grep -c '^type=DAEMON_CLOSE ' "$d/log/audit.log")" = 200 ]; }
wait_for 50 all_closed
check "a DAEMON_CLOSE for each client" all_closed
check "the records are verbatim: the client's node=, no other" \
	test "$(grep -c '^node=ra-netload type=USER msg=audit(' "$d/log/audit.log")" = "$acked"
check "the state report: listening, 200 connections in all" \
	test "$(state "$d" 'total connections')" = 200
check "no NETLINK_AUDIT socket of its own (local_events = no)" \
	test "$(awk -v p="$dpid" '$2 == 9 && $3 == p' /proc/net/netlink | wc -l)" = 0
check "not the kernel's audit daemon" test "$(kstat pid)" != "$dpid"
# batch_only: the stage threads SCHED_BATCH (the writer among them, and
# io_uring's workers, which take their thread's), the main thread not.
batch_only() {
	grep -q 'ra-writer:3 ' <<< "$p" &&
		[ "$(tr ' ' '\n' <<< "$p" | awk -F: 'NF == 2 && (($1 == "ringauditd") == ($2 == 3))' | wc -l)" = 0 ]
}
p=$(policies)
check "the stage threads SCHED_BATCH, the main one not (scheduler = batch): $p" batch_only
# Signals work without the kernel (auditd's do not: issue 12).  Taken
# together they come in signal order (HUP first): the logs, not one log.
kill -USR1 "$dpid"
kill -HUP "$dpid"
kill -USR2 "$dpid"
has_records() {
	cat "$d"/log/audit.log* > "$tmp/all.log"
	grep -q '^type=DAEMON_ROTATE .*op=rotate-logs' "$tmp/all.log" &&
		grep -q '^type=DAEMON_CONFIG .*op=reconfigure' "$tmp/all.log" &&
		grep -q '^type=DAEMON_RESUME .*op=resume-logging' "$tmp/all.log"
}
wait_for 100 has_records
check "SIGUSR1, SIGHUP, SIGUSR2: DAEMON_ROTATE, DAEMON_CONFIG, DAEMON_RESUME" has_records
check "... each naming this test as the sender" \
	test "$(grep -c "^type=DAEMON_\(ROTATE\|RESUME\) .* pid=$$ " "$tmp/all.log")" = 2
check "the rotated log holds the records before" test -s "$d/log/audit.log.1"
stop_server
check "it stopped with status 0" test "$stopped" = 0

echo "# backpressure: 16 message slots, 2 a client, 50 clients (scheduler = other)"
d=$tmp/bp
rconf=$'tcp_messages = 16\ntcp_client_messages = 2\nscheduler = other'
server_conf "$d"
rconf=
start_server "$d"
p=$(policies)
check "scheduler = other: every thread SCHED_OTHER: $p" \
	test "$(tr ' ' '\n' <<< "$p" | awk -F: 'NF == 2 && $2 != 0' | wc -l)" = 0
out=$("$load" 127.0.0.1 "$port" -c 50 -w 8 -d 2 -t bp)
echo "  $out"
acked=$(fig acked)
check "every client answered in order" test "$(fig failed)" = 0
check "every acked record is in the log ($acked)" test "$(logged "$d" bp)" = "$acked"
check "reading stopped for want of a slot, and went on" \
	test "$(state "$d" 'network pauses')" -gt 0
# In rounds: no client gets less than a quarter of the mean (the first
# served first, every time, left the last ones nothing for seconds).
check "every client had its share ($(fig least_acked) at least, $acked in all)" \
	test $(($(fig least_acked) * 4 * 50)) -ge "$acked"
stop_server

echo "# durable: flush = data, remote_ack = durable"
d=$tmp/durable
rconf='remote_ack = durable'
server_conf "$d" flush=DATA freq=0
rconf=
start_server "$d"
out=$("$load" 127.0.0.1 "$port" -c 20 -w 2 -d 2 -t dur)
echo "  $out"
acked=$(fig acked)
durable=$(state "$d" 'records durable')
check "every client answered in order" test "$(fig failed)" = 0
check "every acked record is in the log ($acked)" test "$(logged "$d" dur)" = "$acked"
check "every acked record is durable ($durable durable, $acked acked)" \
	test "${durable:-0}" -ge "$acked"
stop_server

echo "# suspended: logging suspended from the start"
d=$tmp/susp
server_conf "$d" space_left=99% admin_space_left=98% \
	admin_space_left_action=SUSPEND
start_server "$d"
out=$("$load" 127.0.0.1 "$port" -c 2 -d 1 -t susp)
echo "  $out"
check "every record answered, none acked" \
	test "$(fig acked)" = 0 -a "$(fig not_ok)" = "$(fig sent)" -a "$(fig sent)" -gt 0
check "none logged" test "$(logged "$d" susp)" = 0
check "dropped as suspended" test "$(state "$d" 'records dropped')" -ge "$(fig sent)"
stop_server

echo "# stop: SIGTERM under load"
d=$tmp/stop
server_conf "$d"
start_server "$d"
"$load" 127.0.0.1 "$port" -c 20 -w 2 -d 20 -t stop > "$tmp/stop.out" 2> "$tmp/stop.err" &
lpid=$!
some_logged() { [ "$(logged "$d" stop)" -gt 500 ]; }
wait_for 100 some_logged
stop_server
wait "$lpid"
out=$(tail -n 1 "$tmp/stop.out")
echo "  $out"
check "it stopped with status 0" test "$stopped" = 0
check "every client got ENDING" \
	test "$(grep -c 'ENDING from the server' "$tmp/stop.err")" = 20
n=$(logged "$d" stop)
check "every acked record is in the log ($(fig acked) acked, $n logged, $(fig sent) sent)" \
	test "$n" -ge "$(fig acked)" -a "$n" -le "$(fig sent)"
check "20 DAEMON_CLOSEs, then DAEMON_END last" \
	test "$(grep -c '^type=DAEMON_CLOSE ' "$d/log/audit.log")" = 20 -a \
	"$(tail -n 1 "$d/log/audit.log" | cut -d' ' -f1)" = type=DAEMON_END
check "no record after the last DAEMON_CLOSE but DAEMON_END" \
	test "$(awk '/^type=DAEMON_CLOSE /{c=NR} END{print NR - c}' "$d/log/audit.log")" = 1

echo "# plugins: distribute_network"
for dn in yes no; do
	d=$tmp/dist-$dn
	server_conf "$d" distribute_network=$dn
	cat > "$d/plugins.d/cap.conf" <<CONF
active = yes
direction = out
path = $plugin
type = always
args = capture:$tmp/cap-$dn
format = string
CONF
	chmod 640 "$d/plugins.d/cap.conf"
	start_server "$d"
	out=$("$load" 127.0.0.1 "$port" -c 2 -d 1 -t dist)
	stop_server
	got=$(grep -c " tag=dist " "$tmp/cap-$dn" 2>/dev/null)
	if [ "$dn" = yes ]; then
		check "distribute_network = yes: the plugin got every record ($got of $(fig acked))" \
			test "${got:-0}" = "$(fig acked)"
	else
		check "distribute_network = no: the plugin got none ($got)" \
			test "${got:-0}" = 0
	fi
done

echo "# use_libwrap: hosts.deny says no to auditd"
# In a private mount namespace: /etc/hosts.allow and hosts.deny of the
# test's own, over the machine's.
d=$tmp/wrap
server_conf "$d" use_libwrap=yes
printf '' > "$tmp/hosts.allow"
printf 'auditd: ALL\n' > "$tmp/hosts.deny"
unshare -m bash -c 'mount --bind "$1" /etc/hosts.allow &&
	mount --bind "$2" /etc/hosts.deny && exec "$3" -n -c "$4"' _ \
	"$tmp/hosts.allow" "$tmp/hosts.deny" "$ringauditd" "$d" \
	> "$d/stdout" 2> "$d/stderr" &
dpid=$!
wait_for 100 listening || die "no listener on $port (libwrap)"
out=$("$load" 127.0.0.1 "$port" -c 1 -d 1 -t wrap 2>&1 | tail -n 1)
stop_server
check "the client was refused" test "$(fig acked)" = 0 -a "$(fig failed)" = 1
check "DAEMON_ACCEPT op=wrap ... res=no" \
	grep -q '^type=DAEMON_ACCEPT .*: op=wrap addr=.* port=[0-9]* res=no$' "$d/log/audit.log"
check "\"TCP connection from ... rejected\"" \
	grep -q 'TCP connection from  *[0-9a-f:.]*:[0-9]* rejected' "$d/stderr"
check "no record of it" test "$(logged "$d" wrap)" = 0

echo "# alloc: tcp_max_clients = 2, three clients"
d=$tmp/alloc
rconf='tcp_max_clients = 2'
server_conf "$d"
rconf=
start_server "$d"
out=$("$load" 127.0.0.1 "$port" -c 3 -d 1 -t alloc 2>&1 | tail -n 1)
stop_server
check "two clients served, the third refused" \
	test "$(fig connected)" = 3 -a "$(fig failed)" = 1 -a "$(fig acked)" -gt 0
check "DAEMON_ACCEPT op=alloc ... res=no" \
	grep -q '^type=DAEMON_ACCEPT .*: op=alloc addr=.* res=no$' "$d/log/audit.log"

echo "# descriptors: 48 open files at most, 60 clients"
d=$tmp/nofile
server_conf "$d" use_libwrap=yes
prlimit --nofile=48:48 "$ringauditd" -n -c "$d" > "$d/stdout" 2> "$d/stderr" &
dpid=$!
wait_for 100 listening || die "no listener on $port (48 files)"
out=$("$load" 127.0.0.1 "$port" -c 60 -d 1 -t nofile 2>/dev/null | tail -n 1)
served=$(($(fig connected) - $(fig failed)))
check "some clients served ($served), the others closed ($(fig failed))" \
	test "$served" -gt 0 -a "$(fig failed)" -gt 0
check "... counted as refused for want of room (op=alloc's counter), not by libwrap" \
	test "$(state "$d" 'network connections refused, alloc')" = "$(fig failed)" -a \
	"$(state "$d" 'network connections refused, wrap')" = 0
check "... said at most 5 times in 10 s" \
	test "$(grep -c 'Unable to accept TCP connection: no file descriptor left' "$d/stderr")" -le 5
out=$("$load" 127.0.0.1 "$port" -c 1 -d 1 -t after 2>/dev/null | tail -n 1)
check "once they are gone, a client is served again" \
	test "$(fig failed)" = 0 -a "$(fig acked)" -gt 0
stop_server

echo "# slow disk: each write 1 s (ra_faultfs), tcp_client_max_idle = 1"
# Clients wait for acks longer than the idle time: they are not idle (the
# server owes them), and are not closed.  Skipped without FUSE.
ffs=$build/ra_faultfs
if [ -x "$ffs" ] && [ -c /dev/fuse ] && command -v fusermount3 >/dev/null; then
	d=$tmp/slow
	mkdir -p "$tmp/back" "$tmp/mnt"
	echo "delay 1000" > "$tmp/ctl"
	"$ffs" --ctl "$tmp/ctl" "$tmp/back" "$tmp/mnt" 2> "$tmp/ffs.err" &
	ffs_pid=$!
	mounted() { mountpoint -q "$tmp/mnt"; }
	wait_for 100 mounted || die "ra_faultfs did not mount"
	server_conf "$d" tcp_client_max_idle=1 log_file="$tmp/mnt/audit.log"
	start_server "$d"
	"$load" 127.0.0.1 "$port" -c 3 -d 6 -t slow > "$tmp/slow.out" 2> "$tmp/slow.err"
	out=$(tail -n 1 "$tmp/slow.out")
	echo "  $out"
	check "records were acked ($(fig acked)), each after a 1 s write or more" \
		test "$(fig acked)" -gt 0
	# Clients whose run is over and who are owed nothing may be
	# closed as idle (ra-netload does not count that); none owed a
	# reply may be.
	check "no client closed while it waited for its acks" \
		test "$(fig failed)" = 0 -a \
		"$(grep -c 'closed by the server' "$tmp/slow.err")" = 0
	stop_server
	check "it stopped with status 0, the disk still slow" test "$stopped" = 0
	check "DAEMON_END written" grep -q '^type=DAEMON_END ' "$tmp/mnt/audit.log"
	echo ok > "$tmp/ctl"
	umount -l "$tmp/mnt" 2>/dev/null || fusermount3 -u -z "$tmp/mnt"
	kill "$ffs_pid" 2>/dev/null
	wait "$ffs_pid" 2>/dev/null
	ffs_pid=
else
	echo "  (no FUSE: skipped)"
fi

echo "# refusals at start"
d=$tmp/taken
server_conf "$d"
start_server "$d"
# A second server, another log, the same port.
d2=$tmp/taken2
write_conf "$d2" RAW local_events=no tcp_listen_port="$port"
"$ringauditd" -n -c "$d2" > "$d2/stdout" 2> "$d2/stderr"
rc=$?
stop_server
d=$d2
check "a port taken: exit 1" test "$rc" = 1
check "... saying so" grep -q "Cannot bind listener socket to port $port (Address already in use)" "$d/stderr"
d=$tmp/krb5
server_conf "$d" transport=KRB5 krb5_key_file="$d/no.key"
"$ringauditd" -n -c "$d" > "$d/stdout" 2> "$d/stderr"
rc=$?
check "transport = KRB5 with no key file: exit 1" test "$rc" = 1
check "... saying so in GSS-API's words" \
	grep -q "GSS error: acquiring credentials: Key table file '$d/no.key' not found" "$d/stderr"
check "... DAEMON_START, then DAEMON_ABORT op=network-init in the log" \
	grep -qE '^type=DAEMON_ABORT msg=audit\([0-9.:]+\): op=network-init .*res=failed$' "$d/log/audit.log"

[ "$fails" = 0 ] && echo "PASS"
exit 0
