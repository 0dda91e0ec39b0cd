#!/usr/bin/env bash
# test_man.sh - the man pages in man/ are clean and cannot drift from the
# code.
#
#   - every page passes `mandoc -T lint -W warning` with no output, and
#     `man --warnings -l -E UTF-8 PAGE` (MANWIDTH=80) prints no warning;
#   - every page has NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXAMPLES and
#     SEE ALSO;
#   - every key of ringauditd.conf's table (cfg_ringauditd_kw in
#     src/daemon/cfg_keys.c) is a documented item of ringauditd.conf.5 (a
#     ".TP" followed by ".B key"), and every auditd.conf key
#     (cfg_auditd_kw) is named in its AUDITD.CONF KEYS section; the check
#     is also run on a copy of the page with one item taken out, which it
#     must refuse;
#   - every long option that `ringauditd --help`, `ringaudit-bench --help`
#     and `ringaudit-top --help` print is in the
#     program's page, and ringaudit-bench --version prints the build's
#     version as ringauditd --version does.
#
# Needs mandoc and man (tools/deps.sh); exits 77 without them.  RA_BUILD
# names the build folder (the programs' --help).
set -uo pipefail

src=${RA_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${RA_BUILD:-$src/build}
command -v mandoc >/dev/null && command -v man >/dev/null ||
	{ echo "SKIP: mandoc or man is not installed (tools/deps.sh)"; exit 77; }

tmp=$(mktemp -d /tmp/ra-man.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fails=$((fails + 1)); }

pages=("$src"/man/*.[1-9])
[ -e "${pages[0]}" ] || { echo "FAIL - no page in $src/man"; exit 1; }
for want in ringauditd.8 ringauditd.conf.5 ringaudit-bench.8 \
    ringaudit-top.8 ringaudit-dropin.8; do
	[ -f "$src/man/$want" ] && ok "man/$want exists" ||
		bad "man/$want is missing"
done

for p in "${pages[@]}"; do
	name=${p#"$src"/}
	out=$(mandoc -T lint -W warning "$p" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		ok "$name: mandoc -T lint -W warning is silent"
	else
		bad "$name: mandoc -T lint -W warning (exit $rc):"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
	out=$(MANWIDTH=80 man --warnings -l -E UTF-8 "$p" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		ok "$name: man --warnings is silent"
	else
		bad "$name: man --warnings (exit $rc):"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
	for sec in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "SEE ALSO"; do
		grep -qE "^\.SH \"?$sec\"?\$" "$p" ||
			bad "$name: no $sec section"
	done
done

# The names in one key table of cfg_keys.c: cfg_ringauditd_kw's entries
# are { "name", ...; cfg_auditd_kw's { K("name", ....
table_keys() {
	awk -v table="$1" '
		$0 ~ "^const struct [a-z]+ " table "\\[\\] = \\{" { on = 1; next }
		on && /^\};/ { exit }
		on && match($0, /(\{ |K\()"[a-z0-9_]+"/) {
			s = substr($0, RSTART, RLENGTH)
			sub(/^(\{ |K\()"/, "", s); sub(/"$/, "", s)
			print s
		}' "$src/src/daemon/cfg_keys.c"
}

# Keys (one a line, on stdin) that PAGE does not document as an item:
# ".TP" and then ".B key" on the next line.  Prints the missing ones.
missing_items() {
	local page=$1 key
	while read -r key; do
		awk -v k="$key" '
			prev == ".TP" && $0 == ".B " k { found = 1 }
			{ prev = $0 }
			END { exit !found }' "$page" || echo "$key"
	done
}

# Keys (stdin) that the AUDITD.CONF KEYS section of PAGE never names.
missing_names() {
	local page=$1 key
	sed -n '/^\.SH AUDITD\.CONF KEYS/,/^\.SH [^A]/p' "$page" > "$tmp/section"
	while read -r key; do
		grep -qwF -- "$key" "$tmp/section" || echo "$key"
	done
}

conf=$src/man/ringauditd.conf.5
table_keys cfg_ringauditd_kw > "$tmp/rkeys"
table_keys cfg_auditd_kw > "$tmp/akeys"
n=$(wc -l < "$tmp/rkeys")
m=$(wc -l < "$tmp/akeys")
# A table that moved or changed its shape must not pass as empty.
[ "$n" -ge 20 ] && ok "cfg_ringauditd_kw: $n keys read" ||
	bad "cfg_ringauditd_kw: only $n keys read from cfg_keys.c"
[ "$m" -ge 35 ] && ok "cfg_auditd_kw: $m keys read" ||
	bad "cfg_auditd_kw: only $m keys read from cfg_keys.c"
miss=$(missing_items "$conf" < "$tmp/rkeys")
[ -z "$miss" ] && ok "ringauditd.conf.5 documents every ringauditd.conf key" ||
	bad "ringauditd.conf.5 lacks an item for: $(tr "\n" " " <<< "$miss")"
miss=$(missing_names "$conf" < "$tmp/akeys")
[ -z "$miss" ] && ok "ringauditd.conf.5 names every auditd.conf key" ||
	bad "ringauditd.conf.5 does not name auditd.conf's: $(tr "\n" " " <<< "$miss")"

# The checks themselves: a page with one key's item (and one auditd.conf
# key's name) taken out must be refused.
key=$(sed -n 2p "$tmp/rkeys")
sed "/^\.B $key\$/d" "$conf" > "$tmp/cut.5"
miss=$(missing_items "$tmp/cut.5" < "$tmp/rkeys")
[ "$miss" = "$key" ] && ok "a page without the item $key is refused" ||
	bad "a page without the item $key is not refused (got: $miss)"
key=$(sed -n 3p "$tmp/akeys")
sed "s/\\b$key\\b/REMOVED/g" "$conf" > "$tmp/cut.5"
miss=$(missing_names "$tmp/cut.5" < "$tmp/akeys")
[ "$miss" = "$key" ] && ok "a page without the auditd.conf key $key is refused" ||
	bad "a page without the auditd.conf key $key is not refused (got: $miss)"

# Long options in PROGRAM --help that PAGE does not have (as \-\-name).
help_options() {
	local prog=$1 page=$2 opt
	"$prog" --help > "$tmp/help" 2>&1 || { echo "(--help failed)"; return; }
	grep -oE -- '--[a-z][a-z_-]*' "$tmp/help" | sort -u > "$tmp/opts"
	[ -s "$tmp/opts" ] || { echo "(no option in --help)"; return; }
	while read -r opt; do
		grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$page" ||
			echo "$opt"
	done < "$tmp/opts"
}

for prog in ringauditd ringaudit-bench ringaudit-top; do
	page=$src/man/$prog.8
	if [ ! -x "$build/$prog" ]; then
		bad "$build/$prog is not built (RA_BUILD=$build)"
		continue
	fi
	miss=$(help_options "$build/$prog" "$page")
	[ -z "$miss" ] && ok "$prog.8 has every option of $prog --help" ||
		bad "$prog.8 lacks: $(tr "\n" " " <<< "$miss")"
done

if [ -x "$build/ringauditd" ] && [ -x "$build/ringaudit-bench" ]; then
	v=$("$build/ringauditd" --version)
	b=$("$build/ringaudit-bench" --version)
	rc=$?
	[ "$rc" -eq 0 ] && [ "$b" = "ringaudit-bench ${v#ringauditd }" ] &&
		[ "$v" != "ringauditd " ] &&
		ok "ringaudit-bench --version: $b, exit 0" ||
		bad "ringaudit-bench --version: '$b' (exit $rc), ringauditd: '$v'"
fi

[ "$fails" -eq 0 ] && echo "all passed" || echo "$fails failed"
[ "$fails" -eq 0 ]
