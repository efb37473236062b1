#!/usr/bin/env bash
# The main job, end to end on a fresh Debian 12 machine: install what is needed, build trainctl in
# Release, check the GPUs and the environment, then train the bundled example project with real
# PyTorch, find its latest valid checkpoint with trainctl and evaluate it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/install-deps.sh
bash scripts/build.sh
trainctl=$root/build/release/trainctl

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "trainctl gpus"
# No GPU is a normal answer here (exit 4); the demo goes on and trains on the CPU.
"$trainctl" gpus || true

step "trainctl doctor --project examples/tinystories"
"$trainctl" doctor --project examples/tinystories || true

step "train the example project (examples/tinystories, configs/tinystories.yaml)"
cd examples/tinystories
/usr/bin/python3 train.py --config configs/tinystories.yaml

step "trainctl ckpt list, then the latest valid checkpoint (read natively, no Python)"
"$trainctl" ckpt list checkpoints
"$trainctl" ckpt latest checkpoints/tinystories

step "evaluate that checkpoint"
latest=$("$trainctl" ckpt latest checkpoints/tinystories --json |
  /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["path"])')
/usr/bin/python3 evaluate.py --checkpoint "$latest"
