#!/usr/bin/env bash
# Install what ringaudit needs to build, test and demo, from Debian's
# packages.  Safe to run again: it installs only what is missing.
set -euo pipefail

pkgs=(cmake make gcc g++ pkg-config liburing-dev libmnl-dev libck-dev
      libcmocka-dev libbenchmark-dev auditd libaudit-dev libauparse-dev
      gnuplot-nox clang libfuse3-dev fuse3 libwrap0-dev audispd-plugins
      krb5-kdc krb5-admin-server krb5-user libkrb5-dev
      build-essential dpkg-dev debhelper lintian man-db)
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
