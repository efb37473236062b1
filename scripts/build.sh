#!/usr/bin/env bash
# Builds trainctl in Release into build/release (the binary: build/release/trainctl).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DTRAINCTL_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)"
