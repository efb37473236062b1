#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time, seeded with real
# checkpoints and pickles that the fixture scripts write with torch, and with the command lines of
# the shell parser's tests and of tests/safety/corpus/*.jsonl, and with the knowledge base's example
# lines and the explain tests' logs, and with the files of the project fixtures and the git index
# and configs of the cleanup fixture. Fails on any
# crash, hang, leak or sanitizer report. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]  (default 30)
# TRAINCTL_FUZZ_BUILD names an existing clang build configured with -DTRAINCTL_FUZZ=ON to reuse
# (scripts/test.sh passes its sanitizer build); by default build/fuzz is configured here.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
build=${TRAINCTL_FUZZ_BUILD:-build/fuzz}
targets=(pickle_fuzz checkpoint_fuzz shell_fuzz command_check_fuzz log_fuzz project_fuzz cleanup_fuzz)

if [[ -z ${TRAINCTL_FUZZ_BUILD:-} ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRAINCTL_FUZZ=ON \
    -DTRAINCTL_TESTS=OFF >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
/usr/bin/python3 tests/checkpoint/fixtures/make_checkpoints.py "$seeds/checkpoints" >/dev/null
/usr/bin/python3 tests/checkpoint/fixtures/make_zip_fixtures.py "$seeds/zip" >/dev/null
/usr/bin/python3 tests/checkpoint/fixtures/make_pickles.py "$seeds/pickles" >/dev/null
mkdir -p "$seeds/checkpoint_corpus" "$seeds/pickle_corpus"
# Seeds above 64 KiB only slow the fuzzer down; the small real files cover every layout.
find "$seeds/checkpoints" "$seeds/zip" -type f -size -64k -exec cp -t "$seeds/checkpoint_corpus" --backup=numbered {} +
find "$seeds/pickles" -type f -size -64k -exec cp -t "$seeds/pickle_corpus" --backup=numbered {} +
# Shell seeds: every string literal of the shell parser's tests, every "command" of the corpus.
mkdir -p "$seeds/shell_corpus"
/usr/bin/python3 - "$seeds/shell_corpus" <<'PY'
import json, pathlib, re, sys
lines = set()
for test in sorted(pathlib.Path("tests/safety").glob("shell_*_test.cc")):
    for m in re.finditer(r'R"\((.*?)\)"|"((?:[^"\\\n]|\\.)*)"', test.read_text(), re.S):
        text = m.group(1) if m.group(1) is not None else re.sub(
            r"\\(.)", lambda e: {"n": "\n", "t": "\t"}.get(e.group(1), e.group(1)), m.group(2))
        lines.add(text)
for corpus in sorted(pathlib.Path("tests/safety/corpus").glob("*.jsonl")):
    for row in corpus.read_text().splitlines():
        try:
            command = json.loads(row).get("command") if row.strip() else None
        except ValueError:
            continue
        if isinstance(command, str):
            lines.add(command)
for i, line in enumerate(sorted(lines)):
    (pathlib.Path(sys.argv[1]) / f"seed{i:05d}").write_bytes(line.encode())
PY

# The whole command guard starts from the same lines as the parser.
cp -r "$seeds/shell_corpus" "$seeds/command_check_corpus"

# Log seeds: the knowledge base's example lines, and the logs and configs of the explain tests.
mkdir -p "$seeds/log_corpus"
/usr/bin/python3 - "$seeds/log_corpus" <<'PY'
import pathlib, re, sys, tomllib
texts = set()
for kb in sorted(pathlib.Path("data/errors").glob("*.toml")):
    for entry in tomllib.loads(kb.read_text()).get("error", []):
        texts.update(entry.get("examples", []) + entry.get("counterexamples", []))
for test in sorted(pathlib.Path("tests/errors").glob("*_test.cc")):
    for m in re.finditer(r'R"\((.*?)\)"|"((?:[^"\\\n]|\\.)*)"', test.read_text(), re.S):
        text = m.group(1) if m.group(1) is not None else re.sub(
            r"\\(.)", lambda e: {"n": "\n", "t": "\t", "r": "\r"}.get(e.group(1), e.group(1)), m.group(2))
        if len(text) > 8:
            texts.add(text)
for i, text in enumerate(sorted(texts)):
    (pathlib.Path(sys.argv[1]) / f"seed{i:05d}").write_bytes(text.encode())
PY

# Project seeds: every small file of the fixture projects (sources, configs, READMEs, Makefiles,
# scripts, .gitignore) and of the example project.
mkdir -p "$seeds/project_corpus"
/usr/bin/python3 tests/project/fixtures/make_projects.py "$seeds/projects" >/dev/null
find "$seeds/projects" examples -type f -size -64k \( -name '*.py' -o -name '*.yaml' -o -name '*.yml' -o -name '*.json' \
  -o -name '*.toml' -o -name '*.md' -o -name '*.sh' -o -name 'Makefile' -o -name '.gitignore' -o -name '*.cfg' \) \
  -exec cp -t "$seeds/project_corpus" --backup=numbered {} +

# Cleanup seeds: the index git writes for the messy fixture project (versions 2 and 4) and its
# configs and scripts.
mkdir -p "$seeds/cleanup_corpus"
/usr/bin/python3 tests/cleanup/fixtures/make_messy_project.py "$seeds/messy" >/dev/null
cp "$seeds/messy/messy/.git/index" "$seeds/cleanup_corpus/index-v2"
git -C "$seeds/messy/messy" update-index --index-version 4
cp "$seeds/messy/messy/.git/index" "$seeds/cleanup_corpus/index-v4"
find "$seeds/messy/messy" -path '*/.git' -prune -o -type f -size -64k \( -name '*.py' -o -name '*.yaml' -o -name '*.sh' \) \
  -exec cp -t "$seeds/cleanup_corpus" --backup=numbered {} +

mkdir -p "$build/artifacts"
for target in "${targets[@]}"; do
  corpus="$seeds/${target%_fuzz}_corpus"
  max_len=262144
  [[ $target == shell_fuzz || $target == command_check_fuzz ]] && max_len=16384  # command lines; longer inputs only slow it down
  echo "== $target: $(ls "$corpus" | wc -l) seeds, ${seconds}s"
  set +e
  "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/" "$corpus" >"$seeds/$target.log" 2>&1
  rc=$?
  set -e
  grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$seeds/$target.log" || true
  if [[ $rc -ne 0 ]]; then
    tail -n 60 "$seeds/$target.log"
    echo "fuzz: $target failed (status $rc); the input is in $build/artifacts/"
    exit 1
  fi
done
echo "fuzz: no crash, hang or leak"
