#!/usr/bin/env bash
# test_fleet.sh - the central log server with a fleet of clients: the
# real audisp-remote, many at once, each from a loopback address of its
# own; then hostile clients beside well-behaved ones.
#
# The server under test (RA_SERVER: auditd, Debian's 3.0.9, which proves
# the test; or ringauditd, the build's) runs with local_events = no,
# log_format = RAW, tcp_max_per_addr = 1 and tcp_client_max_idle = 0 on
# a free port of 30000..32699, reached on 127.0.0.1.
#
# fleet: 50 audisp-remote (Debian's, mode immediate, format managed),
# client i connecting from 127.0.1.i (tests/net/ra_bindsrc.so, an
# LD_PRELOAD shim: audisp-remote cannot choose its source address), each
# fed on its stdin 100 real records (a window of the fixtures' logs of
# its own, node=fleetNN), all at once:
#   - each client's records in the log exactly once, in order, verbatim;
#   - one DAEMON_ACCEPT (res=success) and one DAEMON_CLOSE for each
#     client, naming its own address and one port, around its records;
#     no refusal (tcp_max_per_addr = 1 holds: one connection an address);
#   - every audisp-remote exits 0; none used the queue file the shared
#     audisp-remote.conf names (mode immediate queues in memory);
#   - no torn line: every line a server record or a client's whole one;
#   - the sorted record lines' digest, kept in $RA_BUILD, equal to the
#     other server's when both were run by this same script
#     (RA_COMPARE_WITH=auditd: CTest runs auditd's first, and then a
#     missing run fails).
# hostile: 5 audisp-remote (127.0.2.i, node=goodNN) fed in three parts,
# and ra-netload (4 clients, 127.0.0.1-4) between, while these come:
#   - 1000 idle connections (ra_netidle, from 127.1.0.1 on);
#   - 100,000 pseudo-random bytes (ra_netclient random:, 127.0.3.1);
#   - a frame whose header says 8970 bytes, then 10 bytes, and the
#     client stays (partial:, 127.0.3.2);
#   - 20,000 records pipelined, then heartbeats, their replies never
#     read (flood:, hbs:, 127.0.3.3, SO_RCVBUF 4096): replies twice the
#     most the kernel buffers for the server's socket (tcp_wmem's last),
#     so that the server must stop reading it or drop replies (what
#     happened is printed: the kernel's buffers decide how far it got).
# Checked: every well-behaved record logged once, in order; ra-netload
# answered in order, each acked record logged once; of the flood, a first
# part in order and once each; no torn line; a DAEMON_CLOSE for every
# DAEMON_ACCEPT; no refusal.  ringauditd only (README, Remote logging;
# for auditd what it does is printed, not judged): its VmData grows by
# RA_FLEET_MEM_KB (4096; 65536 under ASan) at most with the 1000 idle
# connections and the hostile ones (its client memory is allocated at
# start); the idle ones are not closed; the unfinished frame's client
# stays connected and nothing of it is logged; the random bytes are
# dropped as lines (the state report's counter), the connection kept;
# the state report counts every connection still open.
#
# audisp-remote reads /etc/audit/audisp-remote.conf: the test runs itself
# again in a private mount namespace (ra_kernel.sh's private_mount_ns)
# with its own file there.  The server must not register (checked); the
# test still holds /run/ringaudit-kernel.lock, as every run of auditd
# must.  Skips (77): not root, no auditd or audispd-plugins, no unshare
# or ss, a helper not built; with RA_REQUIRE_KERNEL set (CI) those fail.
# On failure the servers' folders and clients' outputs are kept in
# $RA_BUILD/test_fleet.fail.
#
#   RA_BUILD=BUILD_DIR RA_SOURCE_DIR=SRC RA_SERVER=auditd|ringauditd \
#       tests/net/test_fleet.sh              (RA_SERVER: ringauditd)
#   RA_RINGAUDITD=PATH    another ringauditd (default $RA_BUILD/ringauditd)
#   RA_FLEET_CLIENTS=N    audisp-remote clients at once (default 50)
#   RA_FLEET_RECORDS=N    records each (default 100)
#   RA_FLEET_IDLE=N       idle connections (default 1000)
#   RA_FLEET_MEM_KB=K     ringauditd's VmData growth allowed
#   RA_FLEET_DEADLINE=S   give up (and clean up) after S s (default 150)
#   RA_FLEET_KEEP=1       keep the files in $RA_BUILD/test_fleet.keep
# shellcheck disable=SC2016,SC2034,SC2154,SC2317 # checks eval their commands late; ra_kernel.sh sets tmp, fails
set -uo pipefail
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
case $build in /*) ;; *) build=$src/$build ;; esac
server=${RA_SERVER:-ringauditd}
fleet_n=${RA_FLEET_CLIENTS:-50}
per=${RA_FLEET_RECORDS:-100}
idle_n=${RA_FLEET_IDLE:-1000}
good_n=5 good_part=40 flood_n=20000
fixtures=${RA_FIXTURES:-$src/../shared/fixtures/logs}
nc=$build/ra_netclient
idle=$build/ra_netidle
load=$build/ra-netload
shim=$build/ra_bindsrc.so
remote_bin=/usr/sbin/audisp-remote
remote_conf=/etc/audit/audisp-remote.conf

# skip_or_fail, kernel_test_needs, check, die, wait_for, kstat,
# stop_daemon, write_conf, private_mount_ns, private_remote_conf,
# audisp_remote_conf, remote_test_end, start_watchdog, trap_cleanup
. "$src/tests/common/ra_kernel.sh"

server_bin=$(remote_server_bin "$server" "$build") || exit 1
kernel_test_needs auditctl -- "$nc" "$idle" "$load" "$server_bin"
[ -f "$shim" ] || skip_or_fail "no $shim: build it first"
command -v unshare >/dev/null || skip_or_fail "needs unshare (util-linux)"
command -v ss >/dev/null || skip_or_fail "needs ss (iproute2)"
[ -x "$remote_bin" ] || skip_or_fail "needs $remote_bin (Debian's audispd-plugins package)"
if [ "$fleet_n" -lt 1 ] || [ "$fleet_n" -gt 250 ]; then
	echo "FAIL - RA_FLEET_CLIENTS is 1 to 250"
	exit 1
fi

private_mount_ns RA_FLEET_IN_NS "$@"

kernel_test_begin ra-fleet
spid='' idle_pid='' t_start=$(date +%s)
arpids=() cpids=() fds=()

cleanup() {
	local rc=$? problems=0 p
	trap - EXIT INT TERM
	set +e
	[ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
	for p in "${fds[@]}"; do
		eval "exec $p>&-"
	done
	for p in "${cpids[@]}" "${catpids[@]}" $idle_pid; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for p in "${arpids[@]}"; do
		stop_daemon audisp-remote "$p" 5
	done
	stop_daemon "$server" "$spid"
	remote_test_end "$rc" "$problems" test_fleet "${RA_FLEET_KEEP:-}"
}
trap_cleanup cleanup
start_watchdog "${RA_FLEET_DEADLINE:-150}" RA_FLEET_DEADLINE

private_remote_conf "$remote_conf"

# --- helpers ---------------------------------------------------------------

# free_port: a port of 30000..32699 in no socket on this host.
free_port() {
	local i p
	for ((i = 0; i < 50; i++)); do
		p=$((30000 + RANDOM % 2700))
		[ -z "$(ss -Hatn "( sport = :$p or dport = :$p )")" ] &&
			{ echo "$p"; return 0; }
	done
	die "no free port in 30000..32699"
}
listening() { [ -n "$(ss -Hltn "sport = :$port")" ]; }
listening_or_gone() { listening || ! kill -0 "$spid" 2>/dev/null; }

# start_server NAME KEY=VALUE...: the server under test in $tmp/NAME (its
# log in $log), listening on $port, its pid in $spid; the ringauditd.conf
# lines in $rconf added.
rconf=
start_server() {
	local name=$1
	shift
	S=$tmp/$name
	log=$S/log/audit.log
	port=$(free_port)
	write_conf "$S" RAW local_events=no tcp_listen_port="$port" \
		tcp_listen_queue=1024 tcp_max_per_addr=1 use_libwrap=no \
		tcp_client_max_idle=0 distribute_network=no "$@"
	[ -n "$rconf" ] && printf '%s\n' "$rconf" >> "$S/ringauditd.conf"
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
	listening || die "$name: the server does not listen on port $port after 10 s"
	check "$name: the server did not register with the kernel (local_events = no)" \
		test "$(kstat pid)" = 0
}
stop_server() {
	stop_daemon "$server" "$spid"
	spid=
}

# state KEY: a figure of ringauditd's state report (SIGCONT).
state() {
	rm -f "$S/auditd.state"
	kill -CONT "$spid"
	wait_for 50 test -s "$S/auditd.state"
	awk -F' = ' -v k="$1" '$1 == k { print $2 }' "$S/auditd.state"
}
# mem KEY: the server's VmData or VmRSS, kB.
mem() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$spid/status"; }

# count RE: lines of the log matching RE.
count() { grep -acE "$1" "$log"; }
at_least() { [ "$(count "$1")" -ge "$2" ]; }

# records TAG FIRST N: N records tagged node=TAG, from the fixtures' real
# lines (EOE left out, as audisp-remote drops it; node= taken off), the
# window from FIRST (mod their number); past that, generated USER
# records.
grep -ahv 'type=EOE ' "$fixtures"/*.log 2>/dev/null | sed 's/^node=[^ ]* //' |
	awk '!seen[$0]++' > "$tmp/pool"
pool_n=$(wc -l < "$tmp/pool")
echo "   $pool_n distinct real records in $fixtures"
records() {
	awk -v tag="$1" -v first="$2" -v n="$3" -v m="$pool_n" '
		{ pool[NR - 1] = $0 }
		END {
			for (k = 0; k < n; k++)
				if (k < m)
					print "node=" tag " " pool[(first + k) % m]
				else
					printf "node=%s type=USER msg=audit(1764800000.%03d:%d): pid=1 uid=0 auid=0 ses=1 msg=\047ra_fleet %s record %d res=success\047\n", tag, k % 1000, k, tag, k
		}' "$tmp/pool"
}
# tagged TAG: the log's records of TAG, in order.
tagged() { grep -a "^node=$1 " "$log"; }

# same WANT GOT: the files are the same bytes; else the first
# differences.
same() {
	cmp -s "$1" "$2" && return 0
	echo "   --- wanted ($1) / +++ got ($2):"
	diff -u "$1" "$2" | sed -n '3,12s/^/   /p' | cut -c1-200
	return 1
}

# closefds: in a child, the fifos' write ends the test holds closed, so
# that a fifo's reader sees its end when the test closes it.
idle_fd=
closefds() {
	local f
	for f in "${fds[@]}" $idle_fd; do
		eval "exec $f>&-"
	done
}

# remote NAME ADDR: audisp-remote from ADDR, reading the fifo
# $tmp/NAME.in (held open for writing on a descriptor in fds), its
# output in $tmp/NAME.out, its pid in arpids.
remote() {
	local fd
	mkfifo "$tmp/$1.in"
	(closefds; RA_BIND_ADDR=$2 LD_PRELOAD=$shim exec "$remote_bin") \
		< "$tmp/$1.in" > "$tmp/$1.out" 2>&1 &
	arpids+=("$!")
	exec {fd}> "$tmp/$1.in"
	fds+=("$fd")
}
# feed I FILE: FILE to the I-th audisp-remote's stdin (in the
# background, its pid in catpids: it need not take it all at once).
catpids=()
feed() {
	cat "$2" >&"${fds[$1]}" &
	catpids+=("$!")
}
# remotes_end: every audisp-remote's stdin closed; each gone within 10 s;
# their exit statuses in ar_status (in order).
remotes_end() {
	local p fd
	for fd in "${fds[@]}"; do
		eval "exec $fd>&-"
	done
	fds=()
	any_alive() { for p in "${arpids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
	wait_for 100 eval '! any_alive'
	ar_status=()
	for p in "${arpids[@]}"; do
		stop_daemon audisp-remote "$p" 5
		ar_status+=("$stopped")
	done
	arpids=()
	for p in "${catpids[@]}"; do
		wait "$p"
	done
	catpids=()
}
all_zero() { local s; for s in "$@"; do [ "$s" = 0 ] || return 1; done; }

# frames TAGPREFIX BASE N: for clients 1..N, node=TAGPREFIXNN from
# BASE.NN: one DAEMON_ACCEPT (res=success) and one DAEMON_CLOSE naming
# that address and one port, the accept before the client's first record
# and the close after its last; no refusal of the address.  Else says
# the first clients that are not so.
frames() {
	awk -v tp="$1" -v base="$2" -v n="$3" '
		BEGIN { for (i = 1; i <= n; i++) idx[base "." i] = i }
		/^type=DAEMON_(ACCEPT|CLOSE) / {
			a = p = ""
			for (f = 1; f <= NF; f++) {
				if ($f ~ /^addr=/) { a = substr($f, 6); sub(/^::ffff:/, "", a) }
				if ($f ~ /^port=/) p = substr($f, 6)
			}
			if (!(a in idx)) next
			i = idx[a]
			if ($1 == "type=DAEMON_CLOSE") { cls[i]++; clsl[i] = NR; clsp[i] = p }
			else if ($0 ~ / op=/ || $NF != "res=success") rej[i]++
			else { acc[i]++; accl[i] = NR; accp[i] = p }
			next
		}
		index($1, "node=" tp) == 1 {
			i = substr($1, length(tp) + 6) + 0
			if (!first[i]) first[i] = NR
			last[i] = NR
		}
		END {
			for (i = 1; i <= n; i++) {
				if (acc[i] == 1 && cls[i] == 1 && !rej[i] && accp[i] == clsp[i] &&
				    first[i] && accl[i] < first[i] && last[i] < clsl[i])
					continue
				if (++bad <= 5)
					printf "   %s.%d: %d accepts (line %s, port %s), %d refusals, %d closes (line %s, port %s), records on lines %s to %s\n",
						base, i, acc[i], accl[i], accp[i], rej[i], cls[i], clsl[i], clsp[i], first[i], last[i]
			}
			exit bad > 0
		}' "$log"
}

# not_whole: the log's lines that are neither a server record nor a whole
# record of a client of this test (a torn line, or bytes that were not a
# record).  A fixture's line is whole when it is one its client was given
# (the exact comparisons check that); ra-netload's are 200 bytes.
not_whole() {
	grep -avE '^(type=DAEMON_[A-Z]+ msg=audit\([0-9.:]+\): |node=(fleet|good)[0-9]+ type=|node=flood type=USER msg=audit\(1764800200\.000:7\): ra_fleet flood [0-9]+$)' "$log" |
		awk '!/^node=ra-netload type=USER msg=audit\([0-9]+\.[0-9]+:[0-9]+\): tag=good client=[0-9]+ seq=[0-9]+ x=[a-z]*$/ || length($0) != 200'
}
no_torn() {
	local n
	n=$(not_whole | wc -l)
	[ "$n" = 0 ] && return 0
	echo "   $n lines not whole, the first:"
	not_whole | head -n 3 | cut -c1-160 | sed 's/^/   | /'
	return 1
}

# accepts_closed: every DAEMON_ACCEPT res=success has its DAEMON_CLOSE
# (the same addr= and port=).
accepts_closed() {
	[ -z "$(grep -aE '^type=DAEMON_(ACCEPT|CLOSE) .* res=success$' "$log" |
		grep -av ' op=' |
		sed 's/^type=\(DAEMON_[A-Z]*\) .*: \(addr=.*\) res=success$/\1 \2/' |
		awk '$1 == "DAEMON_ACCEPT" { o[$2 " " $3]++ } $1 == "DAEMON_CLOSE" { o[$2 " " $3]-- }
			END { for (k in o) if (o[k] != 0) print k }')" ]
}

asan=0
ldd "$server_bin" 2>/dev/null | grep -q libasan && asan=1
mem_kb=${RA_FLEET_MEM_KB:-$((asan ? 65536 : 4096))}

# === fleet: 50 audisp-remote at once, each from its own address ===========
start_server fleet
audisp_remote_conf "$port" "$tmp/fleet.queue" > "$remote_conf"
chmod 640 "$remote_conf"
for ((i = 1; i <= fleet_n; i++)); do
	records "$(printf fleet%02d "$i")" $((i * 7)) "$per" > "$tmp/fleet$i.want"
done
total=$((fleet_n * per))
echo "== fleet: $fleet_n audisp-remote from 127.0.1.1-$fleet_n, $per records each ($total)"
t0=$(date +%s%N)
for ((i = 1; i <= fleet_n; i++)); do
	remote "fleet$i" "127.0.1.$i"
done
for ((i = 1; i <= fleet_n; i++)); do
	feed $((i - 1)) "$tmp/fleet$i.want"
done
fleet_logged() { count '^node=fleet[0-9]+ '; }
fleet_in() { [ "$(fleet_logged)" -ge "$total" ]; }
wait_for 900 fleet_in
t1=$(date +%s%N)
echo "   $(fleet_logged) of $total records logged in $(((t1 - t0) / 1000000)) ms"
remotes_end
wait_for 100 at_least '^type=DAEMON_CLOSE ' "$fleet_n"
echo "   audisp-remote exit statuses: $(printf '%s\n' "${ar_status[@]}" | sort | uniq -c | tr -s ' \n' ' ')"

bad=0
for ((i = 1; i <= fleet_n; i++)); do
	tagged "$(printf fleet%02d "$i")" > "$tmp/fleet$i.got"
	if ! cmp -s "$tmp/fleet$i.want" "$tmp/fleet$i.got"; then
		bad=$((bad + 1))
		[ "$bad" = 1 ] && same "$tmp/fleet$i.want" "$tmp/fleet$i.got"
	fi
done
check "fleet: every client's $per records logged once, verbatim, in order ($((fleet_n - bad)) of $fleet_n clients)" \
	test "$bad" = 0
check "fleet: $total records in all" test "$(fleet_logged)" = "$total"
check "fleet: one DAEMON_ACCEPT and one DAEMON_CLOSE for each client, naming its own address and port, around its records" \
	frames fleet 127.0.1 "$fleet_n"
check "fleet: $fleet_n connections accepted, none refused (tcp_max_per_addr = 1 holds)" \
	eval '[ "$(count "^type=DAEMON_ACCEPT .* res=success$")" = "$fleet_n" ] && [ "$(count "^type=DAEMON_ACCEPT .* res=no$")" = 0 ]'
check "fleet: every audisp-remote exited 0" all_zero "${ar_status[@]}"
check "fleet: the queue file unused (mode = immediate queues in memory)" \
	test ! -e "$tmp/fleet.queue"
check "fleet: no torn line" no_torn
stop_server
check "fleet: the server exited 0 at SIGTERM" test "$stopped" = 0

# The record lines, sorted, against the other server's run of this same
# script (its digest kept in the build folder).
me=$(sha256sum < "$0" | cut -c1-16)
same_as_other test_fleet "${me}_${fleet_n}_$per" \
	"$(grep -a '^node=fleet' "$log" | sort | sha256sum | cut -c1-16)" fleet

# === hostile: idle, random, unfinished, flooding beside good clients =======
[ "$server" = ringauditd ] && rconf="tcp_max_clients = $((idle_n + 100))"
start_server hostile
rconf=
audisp_remote_conf "$port" "$tmp/hostile.queue" > "$remote_conf"
for ((i = 1; i <= good_n; i++)); do
	records "$(printf good%02d "$i")" $((i * 11)) $((3 * good_part)) > "$tmp/good$i.want"
	for p in 1 2 3; do
		sed -n "$(((p - 1) * good_part + 1)),$((p * good_part))p" \
			"$tmp/good$i.want" > "$tmp/good$i.part$p"
	done
done
good_logged() { count '^node=good[0-9]+ '; }
good_in() { [ "$(good_logged)" -ge $(($1 * good_n * good_part)) ]; }
echo "== hostile: $good_n audisp-remote from 127.0.2.1-$good_n, part 1 of 3"
for ((i = 1; i <= good_n; i++)); do
	remote "good$i" "127.0.2.$i"
	feed $((i - 1)) "$tmp/good$i.part1"
done
wait_for 300 good_in 1
data0=$(mem VmData) rss0=$(mem VmRSS)

echo "== hostile: $idle_n idle connections from 127.1.0.1 on"
mkfifo "$tmp/idle.in"
(closefds; exec "$idle" 127.0.0.1 "$port" "$idle_n" 127.1.0.1) \
	< "$tmp/idle.in" > "$tmp/idle.out" 2> "$tmp/idle.err" &
idle_pid=$!
exec {idle_fd}> "$tmp/idle.in"
idle_up() { grep -q '^connected' "$tmp/idle.out" || ! kill -0 "$idle_pid" 2>/dev/null; }
wait_for 600 idle_up
idle_accepted() { at_least '^type=DAEMON_ACCEPT .*addr=(::ffff:)?127\.1\.[0-9.]+ port=[0-9]+ res=success$' "$idle_n"; }
wait_for 300 idle_accepted
check "hostile: $idle_n idle connections made and accepted" \
	eval 'grep -qx "connected $idle_n" "$tmp/idle.out" && idle_accepted'
[ -s "$tmp/idle.err" ] && sed 's/^/   ra_netidle: /' "$tmp/idle.err" | head -n 3
data1=$(mem VmData) rss1=$(mem VmRSS)

# hostile NAME ADDR STEP...: ra_netclient's script from ADDR, in the
# background (its pid in cpids), its output in $tmp/NAME.out and .err.
hostile() {
	local n=$1 a=$2
	shift 2
	(closefds; exec "$nc" 127.0.0.1 "$port" "bind-addr:$a" "$@") \
		> "$tmp/$n.out" 2> "$tmp/$n.err" &
	cpids+=("$!")
}
echo "== hostile: random bytes, an unfinished frame, a flood whose acks are never read"
hostile random 127.0.3.1 random:100000:12 wait-end:120
hostile partial 127.0.3.2 partial:8970:10 wait-end:120
hbs=$(($(awk '{ print $3 }' /proc/sys/net/ipv4/tcp_wmem) / 8))
[ "$hbs" -le $((1 << 22)) ] || hbs=$((1 << 22))
hostile flood 127.0.3.3 rcvbuf:4096 \
	"flood:$flood_n:node=flood type=USER msg=audit(1764800200.000:7): ra_fleet flood" \
	"hbs:$hbs" wait-file:"$tmp/flood.go"
sent() { grep -q "^$2" "$tmp/$1.out"; }
wait_for 100 sent random 'sent random bytes=100000'
wait_for 100 sent partial 'partial len=8970 bytes=10'
flood_logged() { count '^node=flood '; }
flood_some() { [ "$(flood_logged)" -gt 0 ]; }
wait_for 100 flood_some
three_in() { at_least '^type=DAEMON_ACCEPT .*addr=(::ffff:)?127\.0\.3\.[123] port=[0-9]+ res=success$' 3; }
wait_for 100 three_in
check "hostile: the three connected and accepted" three_in

echo "== hostile: part 2, and ra-netload (4 clients from 127.0.0.1-4, 3 s)"
for ((i = 1; i <= good_n; i++)); do
	feed $((i - 1)) "$tmp/good$i.part2"
done
out=$(closefds; "$load" 127.0.0.1 "$port" -c 4 -a 4 -d 3 -t good 2> "$tmp/load.err")
echo "   ra-netload: $out"
fig() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<< "$out"; }
wait_for 300 good_in 2
data2=$(mem VmData) rss2=$(mem VmRSS)
check "hostile: ra-netload's clients all served, every reply in order" \
	eval '[ "$(fig failed)" = 0 ] && [ "$(fig acked)" -gt 0 ]'
check "hostile: audisp-remote's part 2 logged while the hostile ones are connected" good_in 2

echo "   flood: $(flood_logged) of $flood_n records logged so far; the $hbs heartbeats" \
	"$(grep -q '^sent heartbeats' "$tmp/flood.out" && echo 'all sent' || echo 'not all sent');" \
	"the server's Recv-Q and Send-Q: $(ss -Htn "( sport = :$port and dst 127.0.3.3 )" | awk '{ print $2, $3 }')"
echo "   partial: $(sed -n 's/^\(eof\|ending.*\)$/ended: \1/p' "$tmp/partial.out")$(kill -0 "${cpids[1]}" 2>/dev/null && echo 'connected')"
echo "   random: $(sed -n 's/^\(eof\|ending.*\)$/ended: \1/p' "$tmp/random.out")$(kill -0 "${cpids[0]}" 2>/dev/null && echo 'connected')"
echo "   memory of $server (kB): VmData $data0 -> $data1 (+$idle_n idle) -> $data2 (+3 hostile, ra-netload);" \
	"VmRSS $rss0 -> $rss1 -> $rss2"
if [ "$server" = ringauditd ]; then
	check "hostile: ringauditd's VmData grew by $((data2 - data0)) kB, at most $mem_kb (client memory allocated at start)" \
		test $((data2 - data0)) -le "$mem_kb"
	dropped() { [ "$(state "network lines dropped")" -gt 0 ]; }
	wait_for 50 dropped
	check "hostile: the random bytes dropped as lines, the client kept (as auditd)" \
		eval 'dropped && kill -0 "${cpids[0]}"'
	check "hostile: the client of the unfinished frame still connected" \
		kill -0 "${cpids[1]}"
	# The flood's heartbeats, their replies never read: that client is
	# left unread, and the state report says so.
	stalled() { [ "$(state "network reply stalls")" -gt 0 ]; }
	wait_for 50 stalled
	check "hostile: the client that reads no replies is not read, counted ('network reply stalls' $(state "network reply stalls"))" \
		stalled
	# ra-netload's clients may still be closing.
	active_is() { [ "$(state 'active connections')" = $((good_n + idle_n + 3)) ]; }
	wait_for 50 active_is
	check "hostile: the state report's active connections: $((good_n + idle_n + 3)) (audisp-remote, idle, hostile)" \
		active_is
	echo "   state: active connections $(state 'active connections'), closed bad $(state 'network clients closed, bad')," \
		"too long $(state 'network clients closed, too long'), pauses $(state 'network pauses')"
fi

echo "== hostile: the hostile ones end; part 3"
exec {idle_fd}>&-
wait "$idle_pid"
idle_pid=
echo "   ra_netidle: $(tail -n 1 "$tmp/idle.out")"
[ "$server" = ringauditd ] &&
	check "hostile: none of the idle connections closed by the server (tcp_client_max_idle = 0)" \
		grep -qx "held $idle_n closed 0" "$tmp/idle.out"
for p in "${cpids[@]}"; do
	kill -TERM "$p" 2>/dev/null
	wait "$p" 2>/dev/null
done
cpids=()
for ((i = 1; i <= good_n; i++)); do
	feed $((i - 1)) "$tmp/good$i.part3"
done
wait_for 300 good_in 3
remotes_end
hostile_n=$((good_n + 4 + idle_n + 3))
wait_for 100 accepts_closed

bad=0
for ((i = 1; i <= good_n; i++)); do
	tagged "$(printf good%02d "$i")" > "$tmp/good$i.got"
	if ! cmp -s "$tmp/good$i.want" "$tmp/good$i.got"; then
		bad=$((bad + 1))
		[ "$bad" = 1 ] && same "$tmp/good$i.want" "$tmp/good$i.got"
	fi
done
check "hostile: every audisp-remote's $((3 * good_part)) records logged once, in order ($((good_n - bad)) of $good_n)" \
	test "$bad" = 0
check "hostile: one DAEMON_ACCEPT and one DAEMON_CLOSE for each audisp-remote, around its records" \
	frames good 127.0.2 "$good_n"
check "hostile: every audisp-remote exited 0" all_zero "${ar_status[@]}"

# ra-netload's records: each (client, seq) once, each client's in order,
# every acked one there.
grep -a '^node=ra-netload ' "$log" | sed 's/.* client=\([0-9]*\) seq=\([0-9]*\) .*/\1 \2/' > "$tmp/load.got"
load_n=$(wc -l < "$tmp/load.got")
echo "   ra-netload: $load_n records logged, $(fig acked) acked, $(fig sent) sent"
check "hostile: ra-netload's records once each, in order, every acked one logged" \
	eval '[ -z "$(sort "$tmp/load.got" | uniq -d)" ] &&
		awk "last[\$1] != \"\" && \$2 <= last[\$1] { exit 1 } { last[\$1] = \$2 }" "$tmp/load.got" &&
		[ "$load_n" -ge "$(fig acked)" ] && [ "$load_n" -le "$(fig sent)" ]'
tagged flood | sed 's/.* ra_fleet flood //' > "$tmp/flood.got"
flood_got=$(wc -l < "$tmp/flood.got")
echo "   flood: $flood_got of $flood_n records logged"
check "hostile: the flood's records logged a first part of them, in order, once each" \
	eval '[ "$flood_got" -gt 0 ] && seq "$flood_got" | cmp -s - "$tmp/flood.got"'
check "hostile: no connection refused" test "$(count '^type=DAEMON_ACCEPT .* res=no$')" = 0
check "hostile: $hostile_n connections accepted, each closed once" \
	eval '[ "$(count "^type=DAEMON_ACCEPT .* res=success$")" = "$hostile_n" ] && accepts_closed'
partial_lines=$(grep -ac '^pppppppppp' "$log")
if [ "$server" = ringauditd ]; then
	check "hostile: no torn line, nothing of the random bytes or the unfinished frame" no_torn
	echo "   state: closed eof $(state 'network clients closed, eof'), error $(state 'network clients closed, error')," \
		"lines dropped $(state 'network lines dropped'), replies lost $(state 'network replies lost')"
else
	echo "   auditd logged $partial_lines line(s) of the unfinished frame's 10 bytes" \
		"at its client's close$([ "$partial_lines" -gt 0 ] && echo ' (ringauditd: none)')"
	no_torn_but_partial() { ! not_whole | grep -avqx 'pppppppppp'; }
	check "hostile: no torn line, nothing of the random bytes (the unfinished frame's aside)" \
		no_torn_but_partial
fi
stop_server
check "hostile: the server exited 0 at SIGTERM" test "$stopped" = 0

echo "== $server: $fails checks failed, $(($(date +%s) - t_start)) s"
