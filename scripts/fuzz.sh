#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time, seeded with real
# checkpoints and pickles that the fixture scripts write with torch. Fails on any crash, hang,
# leak or sanitizer report. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]  (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}

CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRAINCTL_FUZZ=ON \
  -DTRAINCTL_TESTS=OFF >/dev/null
cmake --build build/fuzz -j"$(nproc)" --target pickle_fuzz checkpoint_fuzz

seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
/usr/bin/python3 tests/checkpoint/fixtures/make_checkpoints.py "$seeds/checkpoints" >/dev/null
/usr/bin/python3 tests/checkpoint/fixtures/make_zip_fixtures.py "$seeds/zip" >/dev/null
/usr/bin/python3 tests/checkpoint/fixtures/make_pickles.py "$seeds/pickles" >/dev/null
mkdir -p "$seeds/checkpoint_corpus" "$seeds/pickle_corpus"
# Seeds above 64 KiB only slow the fuzzer down; the small real files cover every layout.
find "$seeds/checkpoints" "$seeds/zip" -type f -size -64k -exec cp -t "$seeds/checkpoint_corpus" --backup=numbered {} +
find "$seeds/pickles" -type f -size -64k -exec cp -t "$seeds/pickle_corpus" --backup=numbered {} +

mkdir -p build/fuzz/artifacts
for target in pickle_fuzz checkpoint_fuzz; do
  corpus="$seeds/${target%_fuzz}_corpus"
  echo "== $target: $(ls "$corpus" | wc -l) seeds, ${seconds}s"
  set +e
  build/fuzz/fuzz/$target -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
    -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/ "$corpus" >"$seeds/$target.log" 2>&1
  rc=$?
  set -e
  grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$seeds/$target.log" || true
  if [[ $rc -ne 0 ]]; then
    tail -n 60 "$seeds/$target.log"
    echo "fuzz: $target failed (status $rc); the input is in build/fuzz/artifacts/"
    exit 1
  fi
done
echo "fuzz: no crash, hang or leak"
