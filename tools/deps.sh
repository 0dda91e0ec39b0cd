#!/usr/bin/env bash
# Install what ringaudit needs to build, test and demo, from Debian's
# packages.  Safe to run again: it installs only what is missing.
set -euo pipefail

pkgs=(cmake make gcc g++ pkg-config liburing-dev libmnl-dev libck-dev
      libcmocka-dev libbenchmark-dev auditd libaudit-dev libauparse-dev
      gnuplot-nox clang libfuse3-dev fuse3 libwrap0-dev audispd-plugins
      krb5-kdc krb5-admin-server krb5-user libkrb5-dev)
# ringaudit-top's test runs it in tmux; promtool (Debian's prometheus
# package) checks the metrics and dist/'s alert rules.
pkgs+=(tmux prometheus)
# The man pages (man/): tests/tools/test_man.sh runs mandoc's lint and
# man-db's `man --warnings` (groff) on each.
pkgs+=(mandoc man-db groff-base)
# The Debian package (debian/, tests/pkg/test_deb.sh).
pkgs+=(build-essential dpkg-dev debhelper lintian)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root to install: ${missing[*]}" >&2
	exit 1
fi
# auditd is installed for auditctl/ausearch; its package must not start
# a daemon that would hold the kernel's audit registration.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	made_policy=1
fi
trap '[ $made_policy -eq 1 ] && rm -f "$policy"' EXIT
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
