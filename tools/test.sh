#!/usr/bin/env bash
# Build ringaudit and run every test: once plain, once under the address
# and undefined-behaviour sanitizers, and those that need no kernel under
# the thread sanitizer; then each libFuzzer harness for a bounded time
# (tools/fuzz.sh).  Installs what it needs first.
# With CI=true warnings are errors and the kernel tests may not skip.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/deps.sh

werror=OFF
if [ "${CI:-}" = true ]; then
	werror=ON
	export RA_REQUIRE_KERNEL=1
fi

# run_variant NAME CTEST_ARGS CMAKE_ARGS...
run_variant() {
	local name=$1 tests=$2; shift 2
	echo "== $name build"
	cmake -S . -B "build-$name" -DRA_WERROR=$werror "$@" >/dev/null
	cmake --build "build-$name" -j"$(nproc)"
	echo "== $name tests"
	# shellcheck disable=SC2086 # CTEST_ARGS: words
	ctest --test-dir "build-$name" --output-on-failure $tests
}

run_variant plain "" -DCMAKE_BUILD_TYPE=RelWithDebInfo
# The Debian package (tests/pkg/test_deb.sh): built from the tree, lintian,
# installed, switched over and back, purged.  Once, after the plain
# tests: not a ctest, so that the sanitizer variants do not run it again.
# It exits 77 only where the kernel tests skip.
echo "== Debian package"
deb_rc=0
tests/pkg/test_deb.sh || deb_rc=$?
[ $deb_rc = 0 ] || [ $deb_rc = 77 ] || exit $deb_rc
# LeakSanitizer's suppressions: libraries' own leaks, each with its proof.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$PWD/tests/common/lsan.supp \
	run_variant asan "" -DCMAKE_BUILD_TYPE=Debug -DRA_ASAN=ON -DRA_BENCH=OFF
# TSan: the ring's hand-off is annotated (ring.h), and every test that
# needs no kernel runs clean: the ring, the writer, the dispatcher,
# replay, the daemon's.  The kernel tests are not in this gate yet: some
# count the daemon's getpid calls, which the sanitizer's runtime adds to,
# and one starts a raw clone3 child that does not reach exec under it.
TSAN_OPTIONS=halt_on_error=1 \
	run_variant tsan "-LE kernel" -DCMAKE_BUILD_TYPE=Debug -DRA_TSAN=ON \
	-DRA_BENCH=OFF
# The soak (tools/soak.sh, RELIABILITY.md), 3 minutes of its 30, on the
# plain build; RA_SOAK_MINUTES=0 skips it.
if [ "${RA_SOAK_MINUTES:-3}" != 0 ]; then
	echo "== soak, ${RA_SOAK_MINUTES:-3} min"
	RA_BUILD=build-plain tools/soak.sh "${RA_SOAK_MINUTES:-3}"
fi
# The libFuzzer harnesses (fuzz/README.md), a bounded run each:
# RA_FUZZ_SECONDS per harness (20; 0 skips).
if [ "${RA_FUZZ_SECONDS:-20}" != 0 ]; then
	echo "== fuzz, ${RA_FUZZ_SECONDS:-20} s per harness"
	tools/fuzz.sh "${RA_FUZZ_SECONDS:-20}"
fi
