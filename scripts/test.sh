#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is needed, builds with warnings as errors and
# runs every test (GCC); then builds again with clang under AddressSanitizer +
# UndefinedBehaviorSanitizer and runs the suite there (the slow Python-only tests once, in the first
# pass); then fuzzes the parsers of untrusted input for a bounded time, with the fuzz targets of
# that same clang build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
jobs=$(nproc)

echo "== build (warnings as errors)"
# -O2 as released, without debug info (a third of the compile time; the sanitizer build has it).
cmake -S . -B build/test -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DTRAINCTL_WERROR=ON \
  -DTRAINCTL_BENCH=ON >/dev/null
cmake --build build/test -j"$jobs"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
echo "== tests"
(cd build/test && ctest --output-on-failure -j"$jobs") | tee "$logs/plain.log"

# The second build is clang's, so that the code also compiles warning-free there; libFuzzer's
# instrumentation rides along, and the fuzz targets below link the very same objects.
echo "== build (clang, AddressSanitizer + UndefinedBehaviorSanitizer, fuzz targets)"
CC=clang-14 CXX=clang++-14 cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DTRAINCTL_WERROR=ON \
  -DTRAINCTL_FUZZ=ON >/dev/null
cmake --build build/asan -j"$jobs"
echo "== tests under sanitizers"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build/asan && ctest --output-on-failure -j"$jobs" -LE slow) | tee "$logs/asan.log"

echo "== fuzz (libFuzzer + ASan + UBSan, bounded)"
TRAINCTL_FUZZ_BUILD=build/asan bash scripts/fuzz.sh "${TRAINCTL_FUZZ_SECONDS:-30}"

# One closing line for both ctest runs (a failure above has already stopped the script).
passed=0
for n in $(sed -n 's/.*tests passed, [0-9]* tests failed out of \([0-9]*\).*/\1/p' "$logs"/*.log); do
  passed=$((passed + n))
done
echo "tests: $passed passed, 0 failed"
