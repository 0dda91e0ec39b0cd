# ra_kdc.sh - a private MIT Kerberos KDC for the KRB5 transport tests
# (sourced, not run).  Everything lives in one temporary folder: its own
# krb5.conf and kdc.conf (reached through KRB5_CONFIG and
# KRB5_KDC_PROFILE, exported), the database and its stash, the keytabs,
# the KDC's log and pid file, and the acceptor's replay cache
# (KRB5RCACHEDIR).  The machine's /etc/krb5.conf and /etc/krb5kdc are
# never read or written.  The KDC listens on 127.0.0.1 only, on a free
# port below 32768 (UDP and TCP).
#
#   kdc_needs                  skip_or_fail unless the MIT tools are there
#                              (Debian: krb5-kdc, krb5-admin-server,
#                              krb5-user)
#   kdc_start DIR [REALM]      a KDC for REALM (RINGAUDIT.TEST) in DIR
#                              (made; empty or absent), started; sets
#                              kdc_dir, kdc_realm, kdc_port, kdc_pid
#   kdc_principal NAME         NAME@REALM added with a random key
#   kdc_keytab NAME FILE [MODE [RANDKEY]]
#                              NAME@REALM's keys exported to FILE (made
#                              anew), owned by root, MODE (0400: what
#                              auditd and audisp-remote demand).  A second
#                              keytab of one principal keeps its keys
#                              (-norandkey) unless RANDKEY is 1.
#   kdc_stop [keep]            the KDC stopped (SIGTERM, then SIGKILL),
#                              KRB5_* unset, DIR removed (kept: keep)
#   kdc_hostname               the host part auditd's and audisp-remote's
#                              principals use: gethostname(), which is
#                              `hostname` (uname -n), not canonicalized
#
# Principals of the KRB5 transport (auditd 3.0.9, audisp-remote 3.0.9):
#   the client (audisp-remote) gets its ticket as
#       <krb5_client_name, default auditd>/<gethostname()>@<default realm>
#   from its krb5_key_file (default /etc/audit/audisp-remote.key);
#   it asks for the service named by krb5_principal, '/' turned into '@'
#   and imported as a host-based service (default
#   <krb5_client_name>@<remote_server>): auditd/HOST -> auditd/HOST@REALM
#   (this krb5.conf: dns_canonicalize_hostname and rdns off, so HOST is
#   used as written, lower-cased);
#   the server (auditd) accepts with the keys of its krb5_key_file
#   (default /etc/audit/audit.key) for the host-based service
#   krb5_principal (default auditd), any host.
# On one machine both are auditd/$(kdc_hostname)@REALM: one principal,
# two keytabs with the same keys.
# shellcheck shell=bash disable=SC2034,SC2015

kdc_dir='' kdc_realm='' kdc_port='' kdc_pid=''

# kdc_needs: the KDC's programs, else skip_or_fail (ra_kernel.sh's, or
# exit 77 here).
kdc_needs() {
	local c
	for c in krb5kdc kdb5_util kadmin.local klist kinit; do
		command -v "$c" >/dev/null && continue
		if declare -F skip_or_fail >/dev/null; then
			skip_or_fail "needs $c (Debian's krb5-kdc, krb5-admin-server, krb5-user)"
		fi
		echo "SKIP: needs $c (Debian's krb5-kdc, krb5-admin-server, krb5-user)"
		exit 77
	done
}

kdc_hostname() { hostname; }

# kdc_free_port: a port in 20000..32767 with nothing on it, UDP or TCP.
kdc_free_port() {
	local i p
	for ((i = 0; i < 50; i++)); do
		p=$((20000 + RANDOM % 12768))
		[ -z "$(ss -Haun "( sport = :$p )")$(ss -Hatn "( sport = :$p or dport = :$p )")" ] &&
			{ echo "$p"; return 0; }
	done
	return 1
}

# kdc_start DIR [REALM]: see above.  Returns 1 (saying why) if the KDC
# could not be made or does not answer.
kdc_start() {
	local i
	kdc_dir=$1
	kdc_realm=${2:-RINGAUDIT.TEST}
	mkdir -p "$kdc_dir" && chmod 700 "$kdc_dir" || return 1
	kdc_port=$(kdc_free_port) || { echo "kdc: no free port"; return 1; }
	cat > "$kdc_dir/krb5.conf" <<EOF
[libdefaults]
	default_realm = $kdc_realm
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	ignore_acceptor_hostname = false
	udp_preference_limit = 1
	default_ccache_name = FILE:$kdc_dir/ccache
	default_keytab_name = FILE:$kdc_dir/default.keytab
	default_client_keytab_name = FILE:$kdc_dir/default.client.keytab

[realms]
	$kdc_realm = {
		kdc = 127.0.0.1:$kdc_port
		admin_server = 127.0.0.1:1
	}

[domain_realm]
	$(kdc_hostname) = $kdc_realm

[logging]
	kdc = FILE:$kdc_dir/kdc.log
	default = FILE:$kdc_dir/krb5lib.log
EOF
	cat > "$kdc_dir/kdc.conf" <<EOF
[kdcdefaults]
	kdc_listen = 127.0.0.1:$kdc_port
	kdc_tcp_listen = 127.0.0.1:$kdc_port

[realms]
	$kdc_realm = {
		database_name = $kdc_dir/principal
		key_stash_file = $kdc_dir/stash
		acl_file = $kdc_dir/kadm5.acl
		admin_keytab = FILE:$kdc_dir/kadm5.keytab
		kdc_listen = 127.0.0.1:$kdc_port
		kdc_tcp_listen = 127.0.0.1:$kdc_port
		max_life = 1d
		max_renewable_life = 0
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
	}
EOF
	: > "$kdc_dir/kadm5.acl"
	export KRB5_CONFIG=$kdc_dir/krb5.conf
	export KRB5_KDC_PROFILE=$kdc_dir/kdc.conf
	export KRB5RCACHEDIR=$kdc_dir
	export KRB5CCNAME=FILE:$kdc_dir/ccache
	export KRB5_KTNAME=FILE:$kdc_dir/default.keytab
	export KRB5_CLIENT_KTNAME=FILE:$kdc_dir/default.client.keytab
	export KRB5_TRACE=$kdc_dir/krb5.trace
	kdb5_util create -s -r "$kdc_realm" -P "ra-kdc-$RANDOM$RANDOM" \
		> "$kdc_dir/kdb5_util.out" 2>&1 ||
		{ echo "kdc: kdb5_util create failed:"; sed 's/^/   | /' "$kdc_dir/kdb5_util.out"; return 1; }
	krb5kdc -n -r "$kdc_realm" -P "$kdc_dir/kdc.pid" \
		> "$kdc_dir/krb5kdc.out" 2>&1 &
	kdc_pid=$!
	# Answering: a ticket for a throwaway principal from its keytab.
	kdc_principal ra-kdc-probe >/dev/null &&
		kdc_keytab ra-kdc-probe "$kdc_dir/probe.keytab" 0600 >/dev/null || return 1
	for ((i = 0; i < 100; i++)); do
		kill -0 "$kdc_pid" 2>/dev/null ||
			{ echo "kdc: krb5kdc exited:"; sed 's/^/   | /' "$kdc_dir/krb5kdc.out" "$kdc_dir/kdc.log" 2>/dev/null; kdc_pid=; return 1; }
		kinit -k -t "$kdc_dir/probe.keytab" -c "FILE:$kdc_dir/probe.ccache" \
			"ra-kdc-probe@$kdc_realm" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "kdc: no ticket from 127.0.0.1:$kdc_port after 10 s"
	return 1
}

# kdc_principal NAME: NAME@REALM with a random key.
kdc_principal() {
	kadmin.local -r "$kdc_realm" -q "addprinc -randkey $1@$kdc_realm" \
		> "$kdc_dir/kadmin.out" 2>&1 &&
		grep -q "Principal \"$1@$kdc_realm\" created" "$kdc_dir/kadmin.out" ||
		{ echo "kdc: cannot add $1@$kdc_realm:"; sed 's/^/   | /' "$kdc_dir/kadmin.out"; return 1; }
}

# kdc_keytab NAME FILE [MODE [RANDKEY]]: see above.
kdc_keytab() {
	local opt=-norandkey
	[ "${4:-0}" = 1 ] && opt=
	rm -f "$2"
	kadmin.local -r "$kdc_realm" -q "ktadd -k FILE:$2 $opt $1@$kdc_realm" \
		> "$kdc_dir/kadmin.out" 2>&1 && [ -s "$2" ] ||
		{ echo "kdc: cannot export $1@$kdc_realm to $2:"; sed 's/^/   | /' "$kdc_dir/kadmin.out"; return 1; }
	chown 0:0 "$2" && chmod "${3:-0400}" "$2"
}

# kdc_stop: see above.
kdc_stop() {
	local i
	if [ -n "$kdc_pid" ] && kill -TERM "$kdc_pid" 2>/dev/null; then
		for ((i = 0; i < 50; i++)); do
			kill -0 "$kdc_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$kdc_pid" 2>/dev/null && kill -KILL "$kdc_pid"
		wait "$kdc_pid" 2>/dev/null
	fi
	kdc_pid=
	unset KRB5_CONFIG KRB5_KDC_PROFILE KRB5RCACHEDIR KRB5CCNAME KRB5_KTNAME \
		KRB5_CLIENT_KTNAME KRB5_TRACE
	[ -n "$kdc_dir" ] && [ "${1:-}" != keep ] && rm -rf "$kdc_dir"
	kdc_dir=
}
