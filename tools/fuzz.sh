#!/usr/bin/env bash
# tools/fuzz.sh [SECONDS [NAME...]]: build the libFuzzer harnesses
# (fuzz/fuzz_NAME.c, see fuzz/README.md) with clang in build-fuzz, and run
# each (or the NAMEs given) for SECONDS (default 60) on a copy of its seed
# corpus, fuzz/corpus/NAME/, which is never written.  Prints each
# harness's executions and executions per second; exits 1 if any crashed,
# leaked or tripped a sanitizer, naming the reproducer, which the work
# folder keeps.  The configuration harnesses need root (the files they
# read must be root's); without it they are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
[ $# -gt 0 ] && shift
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for src in fuzz/fuzz_*.c; do
		n=${src##*/fuzz_}
		names+=("${n%.c}")
	done
fi
bdir=${RA_FUZZ_BUILD:-build-fuzz}

echo "== fuzz build ($bdir)"
CC=clang CXX=clang++ cmake -S . -B "$bdir" -DRA_FUZZ=ON -DRA_TESTS=OFF \
    -DRA_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$bdir" --target fuzz -j"$(nproc)" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/ra-fuzz-run.XXXXXX")
failed=0
for n in "${names[@]}"; do
	bin=$bdir/fuzz_$n
	if [ ! -x "$bin" ] || [ ! -d "fuzz/corpus/$n" ]; then
		echo "fuzz: no harness or corpus named $n" >&2
		failed=1
		continue
	fi
	case $n in
	*conf)	if [ "$(id -u)" -ne 0 ]; then
			echo "== $n: skipped (needs root)"
			continue
		fi;;
	esac
	mkdir -p "$work/$n/corpus" "$work/$n/crashes"
	cp -r "fuzz/corpus/$n/." "$work/$n/corpus/"
	echo "== $n: ${secs}s"
	rc=0
	# max_len: room for the longest record (8970 bytes and a node)
	# and for replayed lines too long to be one.
	"$bin" -max_total_time="$secs" -timeout=10 -max_len=16384 \
	    -print_final_stats=1 \
	    -artifact_prefix="$work/$n/crashes/" "$work/$n/corpus" \
	    > "$work/$n/log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$n/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$n/log")
	echo "   ${runs:-?} executions, ${rate:-?}/s"
	if [ $rc -ne 0 ]; then
		failed=1
		grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' \
		    "$work/$n/log" || true
		for f in "$work/$n/crashes"/*; do
			[ -e "$f" ] && echo "   reproducer: $f"
		done
		echo "   log: $work/$n/log"
	fi
done
if [ $failed -ne 0 ]; then
	echo "fuzz: FAILED; reproduce with $bdir/fuzz_NAME FILE" >&2
	exit 1
fi
rm -rf "$work"
echo "fuzz: no crash"
