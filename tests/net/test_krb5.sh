#!/usr/bin/env bash
# test_krb5.sh - the log server's transport = KRB5 (GSS-API, Kerberos 5),
# against the real audisp-remote and a private MIT KDC
# (tests/common/ra_kdc.sh: realm RINGAUDIT.TEST on 127.0.0.1, all in the
# test's temporary folder; the machine's /etc/krb5.conf is not used).
#
# The server under test (RA_SERVER: auditd, Debian's 3.0.9, which proves
# the test; or ringauditd, the build's) runs in the foreground (-f: its
# messages on stderr) with local_events = no, log_format = RAW,
# tcp_listen_port on a free port of 127.0.0.1, transport = KRB5,
# krb5_principal = auditd and krb5_key_file = the server's keytab (mode
# 0400, root's) holding auditd/HOST@RINGAUDIT.TEST (HOST: gethostname()).
# Checked:
#   - audisp-remote (transport = KRB5, krb5_principal = auditd/HOST, its
#     own keytab of auditd/HOST) fed records on stdin: each record logged
#     as sent, trailing '\n' cut, with " krb5=auditd/HOST@RINGAUDIT.TEST"
#     appended; DAEMON_ACCEPT (addr= port= res=success) before them,
#     DAEMON_CLOSE after, nothing about KRB5 in either; the server says
#     "GSS-API Accepted connection from: auditd/HOST@RINGAUDIT.TEST";
#   - 50 audisp-remote at once (RA_KRB5_FLEET), each from its own
#     loopback address (tests/net/ra_bindsrc.so), 20 records each: every
#     client's records once, in order, with the suffix; a DAEMON_ACCEPT
#     from each address; every one exits 0; the sorted lines the same
#     as the other server's run of this script, when there was one (by
#     hand: auditd's KRB5 fleet is not steady enough for CI);
#   - a client whose principal's first part is not krb5_principal
#     (krb5_client_name = intruder): "GSS-API Accepted connection from:
#     intruder/HOST@RINGAUDIT.TEST", then refused ("Unauthorized GSS
#     client name: intruder (not auditd)"), no DAEMON_ACCEPT, no
#     DAEMON_CLOSE, none of its records (audisp-remote 3.0.9 then dies
#     of SIGSEGV: its status is shown, not checked);
#   - a client whose keytab is mode 0644: it refuses to use it after
#     connecting, so the server reads end of file instead of a token
#     ("TCP session from <addr right-aligned in 52>:<port> will be
#     closed, error ignored"), no DAEMON_ACCEPT, no DAEMON_CLOSE;
#   - a server key file of mode 0644: no start ("<file> is not mode
#     0400 (it's 0644) - compromised key?"), DAEMON_ABORT
#     op=network-init ... res=failed (auditd then exits 0: shown, not
#     checked);
#   - krb5_principal naming a service the key file has no key for: no
#     start ("GSS error: acquiring credentials: ..."), DAEMON_ABORT.
# Records are read from log_file and from the server's stdout (auditd -f
# writes them there instead).  Needs bash, ss, unshare, and Debian's
# krb5-kdc, krb5-admin-server and krb5-user (tools/deps.sh).
#
#   - no GSS-API at all: a token length past 8970 ("GSS-API error: event
#     length exceeds MAX_AUDIT_LENGTH"), and ten bytes that are no token
#     ("GSS error: accepting context: ..."), neither with a record;
#   - ringauditd only: a connection that says nothing does not stop
#     another client's records, and is closed 10 to 20 s later (auditd,
#     negotiating on a blocking socket, serves no one meanwhile).
# Skips (77): not root, no auditd,
# audispd-plugins or the MIT KDC (krb5-kdc, krb5-admin-server,
# krb5-user); with RA_REQUIRE_KERNEL set (CI) those fail instead.
# audisp-remote reads /etc/audit/audisp-remote.conf: the test runs in a
# private mount namespace where its own file is bind-mounted there and a
# tmpfs is on /run.  The test holds /run/ringaudit-kernel.lock, as every
# run of auditd must; the servers never register with the kernel.
#
#   RA_BUILD=BUILD_DIR RA_SOURCE_DIR=SRC RA_SERVER=auditd|ringauditd \
#       tests/net/test_krb5.sh               (RA_SERVER: ringauditd)
#   RA_RINGAUDITD=PATH     another ringauditd (default $RA_BUILD/ringauditd)
#   RA_KRB5_DEADLINE=S     give up (and clean up) after S s (default 120)
#   RA_KRB5_KEEP=1         keep the logs in $RA_BUILD/test_krb5.keep
# shellcheck disable=SC2016,SC2034,SC2317,SC2015
set -uo pipefail
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
server=${RA_SERVER:-ringauditd}
remote_bin=/usr/sbin/audisp-remote
remote_conf=/etc/audit/audisp-remote.conf

. "$src/tests/common/ra_kernel.sh"
. "$src/tests/common/ra_kdc.sh"

server_bin=$(remote_server_bin "$server" "$build") || exit 1
kernel_test_needs auditctl -- "$server_bin"
kdc_needs
command -v unshare >/dev/null || skip_or_fail "needs unshare (util-linux)"
command -v ss >/dev/null || skip_or_fail "needs ss (iproute2)"
[ -x "$remote_bin" ] || skip_or_fail "needs $remote_bin (Debian's audispd-plugins package)"

private_mount_ns RA_KRB5_IN_NS "$@"

kernel_test_begin ra-krb5
spid='' arpid=''

cleanup() {
	local rc=$? problems=0
	trap - EXIT INT TERM
	set +e
	[ -n "${watchdog:-}" ] && kill "$watchdog" 2>/dev/null
	[ -n "$arpid" ] && { exec 8>&-; stop_daemon audisp-remote "$arpid" 5; }
	stop_daemon "$server" "$spid"
	kdc_stop keep
	remote_test_end "$rc" "$problems" test_krb5 "${RA_KRB5_KEEP:-}"
}
trap_cleanup cleanup
start_watchdog "${RA_KRB5_DEADLINE:-120}" RA_KRB5_DEADLINE

private_remote_conf "$remote_conf"

# --- the KDC and the keys ---------------------------------------------------
kdc_start "$tmp/kdc" RINGAUDIT.TEST || die "the private KDC did not start"
host=$(kdc_hostname)
princ=auditd/$host@$kdc_realm
echo "== KDC for $kdc_realm on 127.0.0.1:$kdc_port; principals auditd/$host, intruder/$host"
kdc_principal "auditd/$host" || die "no principal auditd/$host"
kdc_principal "intruder/$host" || die "no principal intruder/$host"
kdc_keytab "auditd/$host" "$tmp/server.key" 0400 &&
	kdc_keytab "auditd/$host" "$tmp/client.key" 0400 &&
	kdc_keytab "intruder/$host" "$tmp/intruder.key" 0400 &&
	kdc_keytab "auditd/$host" "$tmp/loose.key" 0644 &&
	kdc_keytab "auditd/$host" "$tmp/client-loose.key" 0644 ||
	die "cannot export the keytabs"

# --- helpers ----------------------------------------------------------------
free_port() {
	local i p
	for ((i = 0; i < 50; i++)); do
		p=$(($1 + RANDOM % $2))
		[ -z "$(ss -Hatn "( sport = :$p or dport = :$p )")" ] && { echo "$p"; return 0; }
	done
	die "no free port in $1..$(($1 + $2 - 1))"
}
stamp='msg=audit\([0-9]+\.[0-9]+:[0-9]+\):'
addr='addr=(::ffff:)?127\.0\.0\.1'
accept_re() { echo "^type=DAEMON_ACCEPT $stamp $addr port=$1 res=success\$"; }
close_re() { echo "^type=DAEMON_CLOSE $stamp $addr port=$1 res=success\$"; }
# snap: $log (the server's records) made anew from its log file and the
# record lines of its stdout (auditd -f writes its records there, not to
# log_file).
snap() {
	{
		cat "$S/log/audit.log" 2>/dev/null
		grep -a '^type=' "$S/stdout" 2>/dev/null
	} > "$log"
}
in_log() { snap; grep -qaE "$1" "$log"; }
count_log() { snap; grep -acE "$1" "$log"; }
# said TEXT / said_re RE: the server's stderr past line $mark has TEXT,
# or a line matching RE; mark: $mark set to its last line now.
said() { tail -n +$((mark + 1)) "$S/stderr" | grep -qaF -- "$1"; }
said_re() { tail -n +$((mark + 1)) "$S/stderr" | grep -qaE -- "$1"; }
mark() { mark=$(wc -l < "$S/stderr"); }
mark=0
# alive PID: PID runs (a zombie does not).
alive() { [ -n "$1" ] && [ -e "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
listening() { [ -n "$(ss -Hltn "sport = :$port")" ]; }
listening_or_gone() { listening || ! alive "$spid"; }

# start_server NAME KEY=VALUE...: the server under test with transport =
# KRB5 (folder $tmp/NAME, log $log, port $port, pid $spid, krb5 trace
# in $S/krb5.trace); then each KEY=VALUE.  Returns 1 if it exited at
# start (its status in $start_rc), 0 if it listens.
start_server() {
	local name=$1
	shift
	S=$tmp/$name
	log=$S/records
	mark=0
	port=$(free_port 20000 10000)
	write_conf "$S" RAW local_events=no tcp_listen_port="$port" \
		tcp_listen_queue=5 tcp_max_per_addr=4 use_libwrap=no \
		tcp_client_max_idle=0 distribute_network=no transport=KRB5 \
		krb5_principal=auditd krb5_key_file="$tmp/server.key" "$@"
	echo "== $name: $server_bin -f -c $S (transport = KRB5, 127.0.0.1:$port)"
	KRB5_TRACE=$S/krb5.trace "$server_bin" -f -c "$S" >"$S/stdout" 2>"$S/stderr" &
	spid=$!
	wait_for 100 listening_or_gone
	# auditd listens before it looks at the key file: a moment to fail.
	sleep 0.5
	if ! alive "$spid"; then
		wait "$spid"
		start_rc=$?
		spid=
		return 1
	fi
	listening || die "$name: the server does not listen on port $port after 10 s"
	check "$name: the server did not register with the kernel (local_events = no)" \
		test "$(kstat pid)" = 0
	return 0
}

# remote NAME N KEY=VALUE...: audisp-remote (transport = KRB5 to
# 127.0.0.1:$port, krb5_principal = auditd/HOST, krb5_key_file =
# client.key, then each KEY=VALUE) fed N records tagged NAME; waits up
# to WAIT tenths (60 s) for N records tagged NAME in the log, then ends
# its input and stops it.  Output in $tmp/NAME.out (its krb5 trace in
# $tmp/NAME.trace), the records in $tmp/NAME.want.
remote() {
	local name=$1 n=$2 kv k
	shift 2
	audisp_remote_conf "$port" "$tmp/$name.queue" |
		sed 's/^transport = .*/transport = KRB5/' > "$tmp/$name.conf"
	{
		echo "krb5_principal = auditd/$host"
		echo "krb5_key_file = $tmp/client.key"
	} >> "$tmp/$name.conf"
	for kv in "$@"; do
		k=${kv%%=*}
		sed -i "/^$k = /d" "$tmp/$name.conf"
		echo "$k = ${kv#*=}" >> "$tmp/$name.conf"
	done
	cat "$tmp/$name.conf" > "$remote_conf"
	chmod 640 "$remote_conf"
	awk -v n="$n" -v t="$name" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "type=USER msg=audit(1764790002.%03d:%d): pid=1 uid=0 auid=0 ses=1 msg=\047ra_krb5 %s %d of %d exe=\"/usr/bin/true\" res=success\047\n", i, 2000 + i, t, i, n
	}' > "$tmp/$name.want"
	rm -f "$tmp/$name.in"
	mkfifo "$tmp/$name.in"
	echo "== audisp-remote ($name): $n records on its stdin"
	KRB5_TRACE=$tmp/$name.trace "$remote_bin" < "$tmp/$name.in" > "$tmp/$name.out" 2>&1 &
	arpid=$!
	exec 8> "$tmp/$name.in"
	cat "$tmp/$name.want" >&8
	tagged() { snap; [ "$(grep -ac "ra_krb5 $name " "$log")" -ge "$n" ] || ! alive "$arpid"; }
	wait_for "${WAIT:-600}" tagged
	exec 8>&-
	gone() { ! alive "$arpid"; }
	wait_for 50 gone
	stop_daemon audisp-remote "$arpid" 5
	arpid=
	ar_status=$stopped
}

# --- 1. the good client -----------------------------------------------------
start_server good || die "good: the server exited $start_rc at start: $(cat "$S/stderr")"
remote ok 5
snap
sed "s|\$| krb5=$princ|" "$tmp/ok.want" > "$tmp/ok.expect"
grep -a 'ra_krb5 ok ' "$log" > "$tmp/ok.got"
check "KRB5: the 5 records logged as sent, ' krb5=$princ' appended" \
	cmp -s "$tmp/ok.expect" "$tmp/ok.got"
cport=$(grep -aE "$(accept_re '[0-9]+')" "$log" | head -n 1 | sed 's/.* port=\([0-9]*\) .*/\1/')
check "KRB5: one DAEMON_ACCEPT (addr= port= res=success), before the records" \
	test "$(count_log "$(accept_re '[0-9]+')")" = 1 -a -n "$cport" -a \
	"$(grep -naE "$(accept_re "${cport:-x}")" "$log" | cut -d: -f1)" -lt \
	"$(grep -na 'ra_krb5 ok ' "$log" | head -n 1 | cut -d: -f1)"
check "KRB5: DAEMON_CLOSE of that port after the records" \
	test "$(grep -naE "$(close_re "${cport:-x}")" "$log" | cut -d: -f1)" -gt \
	"$(grep -na 'ra_krb5 ok ' "$log" | tail -n 1 | cut -d: -f1)"
check "KRB5: no krb5= on DAEMON_ACCEPT or DAEMON_CLOSE" \
	test "$(grep -a '^type=DAEMON_\(ACCEPT\|CLOSE\) ' "$log" | grep -c krb5)" = 0
check "KRB5: the server said 'GSS-API Accepted connection from: $princ'" \
	said "GSS-API Accepted connection from: $princ"
check "KRB5: audisp-remote exit status 0 at the end of its input" test "$ar_status" = 0

# --- 1b. a fleet: 50 audisp-remote at once, each from its own address ------
# Through tests/net/ra_bindsrc.so (audisp-remote cannot choose its source
# address); each negotiates its own context, with its own ticket.
fleet_n=${RA_KRB5_FLEET:-50}
fleet_per=20
shim=$build/ra_bindsrc.so
if [ "$fleet_n" -gt 0 ] && [ -e "$shim" ]; then
	audisp_remote_conf "$port" "$tmp/fleet.queue" |
		sed 's/^transport = .*/transport = KRB5/' > "$remote_conf"
	{
		echo "krb5_principal = auditd/$host"
		echo "krb5_key_file = $tmp/client.key"
	} >> "$remote_conf"
	echo "== fleet: $fleet_n audisp-remote (KRB5) from 127.0.4.1-$fleet_n, $fleet_per records each"
	fpids=() ffds=()
	for ((i = 1; i <= fleet_n; i++)); do
		awk -v n="$fleet_per" -v t="$(printf f%02d "$i")" 'BEGIN {
			for (k = 1; k <= n; k++)
				printf "type=USER msg=audit(1764790003.%03d:%d): pid=1 uid=0 auid=0 ses=1 msg=\047ra_krb5 fleet %s %d of %d res=success\047\n", k, 3000 + k, t, k, n
		}' > "$tmp/fleet$i.want"
		mkfifo "$tmp/fleet$i.in"
		# Each child closes the others' fifos, so that each sees its
		# own end when the test closes it.
		(for f in "${ffds[@]}"; do eval "exec $f>&-"; done
		 RA_BIND_ADDR=127.0.4.$i LD_PRELOAD=$shim exec "$remote_bin") \
			< "$tmp/fleet$i.in" > "$tmp/fleet$i.out" 2>&1 &
		fpids+=("$!")
		exec {fd}> "$tmp/fleet$i.in"
		ffds+=("$fd")
	done
	for ((i = 1; i <= fleet_n; i++)); do
		cat "$tmp/fleet$i.want" >&"${ffds[$((i - 1))]}"
	done
	fleet_in() { [ "$(count_log 'ra_krb5 fleet ')" -ge $((fleet_n * fleet_per)) ]; }
	wait_for 600 fleet_in
	for fd in "${ffds[@]}"; do
		eval "exec $fd>&-"
	done
	f_status=0
	for p in "${fpids[@]}"; do
		stop_daemon audisp-remote "$p" 10
		[ "$stopped" = 0 ] || f_status=$((f_status + 1))
	done
	snap
	bad=0
	for ((i = 1; i <= fleet_n; i++)); do
		sed "s|\$| krb5=$princ|" "$tmp/fleet$i.want" > "$tmp/fleet$i.expect"
		grep -a "ra_krb5 fleet $(printf f%02d "$i") " "$log" > "$tmp/fleet$i.got"
		cmp -s "$tmp/fleet$i.expect" "$tmp/fleet$i.got" || bad=$((bad + 1))
	done
	echo "   $(grep -ac 'ra_krb5 fleet ' "$log") of $((fleet_n * fleet_per)) records logged"
	check "fleet: every client's $fleet_per records logged once, in order, ' krb5=$princ' appended ($((fleet_n - bad)) of $fleet_n clients)" \
		test "$bad" = 0
	addrs() { grep -aE '^type=DAEMON_ACCEPT .* addr=(::ffff:)?127\.0\.4\.[0-9]+ port=[0-9]+ res=success$' "$log" |
		sed 's/.* addr=\(::ffff:\)\{0,1\}\(127[0-9.]*\) .*/\2/' | sort -u | wc -l; }
	check "fleet: a DAEMON_ACCEPT from each of the $fleet_n addresses" test "$(addrs)" = "$fleet_n"
	check "fleet: every audisp-remote exited 0 ($f_status did not)" test "$f_status" = 0
	# The fleet's lines, sorted, against the other server's run.
	same_as_other test_krb5 "$(sha256sum < "$0" | cut -c1-16)_${fleet_n}_$fleet_per" \
		"$(grep -a 'ra_krb5 fleet ' "$log" | sort | sha256sum | cut -c1-16)" fleet
	# Their closes logged before the next case counts records.
	closed_all() { [ "$(count_log '^type=DAEMON_CLOSE ')" -ge "$(count_log '^type=DAEMON_ACCEPT ')" ]; }
	wait_for 100 closed_all
else
	echo "   (no fleet: RA_KRB5_FLEET=0, or no $shim)"
fi

# --- 2. a client principal that is not krb5_principal/... --------------------
n_acc=$(count_log '^type=DAEMON_(ACCEPT|CLOSE) ')
mark
WAIT=40 remote intruder 2 krb5_client_name=intruder krb5_key_file="$tmp/intruder.key"
snap
echo "   audisp-remote (intruder): exit status $ar_status"
check "intruder: refused ('Unauthorized GSS client name: intruder (not auditd)')" \
	said "Unauthorized GSS client name: intruder (not auditd)"
check "intruder: the server said 'GSS-API Accepted connection from: intruder/$host@$kdc_realm' first" \
	said "GSS-API Accepted connection from: intruder/$host@$kdc_realm"
check "intruder: none of its records logged" test "$(grep -ac 'ra_krb5 intruder ' "$log")" = 0
check "intruder: no DAEMON_ACCEPT or DAEMON_CLOSE" \
	test "$(count_log '^type=DAEMON_(ACCEPT|CLOSE) ')" = "$n_acc"

# --- 3. a client keytab of mode 0644 ------------------------------------------
mark
WAIT=30 remote loose 2 krb5_key_file="$tmp/client-loose.key"
snap
echo "   audisp-remote (loose): exit status $ar_status"
check "client keytab 0644: the server read no token ('TCP session from <%52s addr>:<port> will be closed, error ignored')" \
	said_re '^TCP session from {30,}(::ffff:)?127\.0\.0\.1:[0-9]+ will be closed, error ignored$'
check "client keytab 0644: no 'GSS-API Accepted connection'" \
	eval '! said "GSS-API Accepted connection"'
check "client keytab 0644: none of its records logged" test "$(grep -ac 'ra_krb5 loose ' "$log")" = 0
check "client keytab 0644: no DAEMON_ACCEPT or DAEMON_CLOSE" \
	test "$(count_log '^type=DAEMON_(ACCEPT|CLOSE) ')" = "$n_acc"
# --- 3b. no GSS-API at all: a length past 8970, a token that is none --------
mark
printf '\377\377\377\377' > "/dev/tcp/127.0.0.1/$port"
wait_for 50 said "GSS-API error: event length exceeds MAX_AUDIT_LENGTH"
check "a token length past 8970: 'GSS-API error: event length exceeds MAX_AUDIT_LENGTH'" \
	said "GSS-API error: event length exceeds MAX_AUDIT_LENGTH"
mark
printf '\0\0\0\0\0\0\0\012not a token' > "/dev/tcp/127.0.0.1/$port"
wait_for 50 said "GSS error: accepting context: "
check "10 bytes that are no GSS-API token: 'GSS error: accepting context: ...'" \
	said "GSS error: accepting context: "
check "neither: a DAEMON_ACCEPT or DAEMON_CLOSE" \
	test "$(count_log '^type=DAEMON_(ACCEPT|CLOSE) ')" = "$n_acc"

# --- 3c. a client that connects and says nothing ----------------------------
# auditd negotiates in its accept handler, on a blocking socket: while such
# a client is connected no other is served (docs/krb5-notes.md §3).
# ringauditd negotiates each connection as it comes, and closes one with
# no context at its second negotiation tick (10 s apart).
if [ "$server" = ringauditd ]; then
	mark
	exec 7<>"/dev/tcp/127.0.0.1/$port"
	remote beside 3
	snap
	check "a silent connection open: another client's 3 records logged beside it" \
		test "$(grep -ac 'ra_krb5 beside ' "$log")" = 3
	silent_gone() { said "no security context after"; }
	wait_for 300 silent_gone
	check "the silent connection closed within 30 s ('TCP session from ... will be closed, error ignored (no security context after 10 s)')" \
		said_re "^TCP session from {30,}(::ffff:)?127\.0\.0\.1:[0-9]+ will be closed, error ignored \(no security context after 10 s\)\$"
	check "the silent connection: read end of file" \
		eval 'timeout 5 cat <&7 >/dev/null'
	exec 7<&-
	check "the silent connection: no DAEMON_ACCEPT or DAEMON_CLOSE of its own" \
		test "$(count_log '^type=DAEMON_(ACCEPT|CLOSE) ')" = "$((n_acc + 2))"
fi

stop_daemon "$server" "$spid"
spid=
check "good: exit status 0 after SIGTERM" test "$stopped" = 0
cp "$S/stderr" "$tmp/good.stderr"

# --- 4. a server key file of mode 0644 ------------------------------------------
if start_server loose-key krb5_key_file="$tmp/loose.key"; then
	check "server key file 0644: no start" false
else
	echo "   server key file 0644: exit status $start_rc"
	check "server key file 0644: '$tmp/loose.key is not mode 0400 (it's 0644) - compromised key?'" \
		said "$tmp/loose.key is not mode 0400 (it's 0644) - compromised key?"
	check "server key file 0644: DAEMON_ABORT op=network-init ... res=failed" \
		in_log "^type=DAEMON_ABORT $stamp op=network-init .*res=failed\$"
	check "server key file 0644: DAEMON_START, DAEMON_ABORT, DAEMON_END, in that order" \
		eval 'snap; [ "$(grep -ao "^type=DAEMON_[A-Z]*" "$log" | tr "\n" " ")" = "type=DAEMON_START type=DAEMON_ABORT type=DAEMON_END " ]'
fi

# --- 5. krb5_principal with no key in the key file --------------------------------
if start_server no-key krb5_principal=nosuch; then
	check "krb5_principal = nosuch: no start" false
else
	echo "   krb5_principal = nosuch: exit status $start_rc"
	check "krb5_principal = nosuch: 'GSS error: acquiring credentials: ...'" \
		said "GSS error: acquiring credentials: "
	check "krb5_principal = nosuch: DAEMON_ABORT op=network-init ... res=failed" \
		in_log "^type=DAEMON_ABORT $stamp op=network-init .*res=failed\$"
fi

for d in good loose-key no-key; do
	echo "-- $d: server stderr"
	sed 's/^/   | /' "$tmp/$d/stderr" 2>/dev/null | grep -v 'parser called with\|^   | $' | head -n 30
	echo "-- $d: log"
	sed 's/^/   | /' "$tmp/$d/records" 2>/dev/null | head -n 30
done
echo "$fails check(s) failed"
