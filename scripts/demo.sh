#!/usr/bin/env bash
# The main job, end to end on a fresh Debian 12 machine: install what is needed, build trainctl in
# Release, check the GPUs and the environment, then train the bundled example project with real
# PyTorch and evaluate its last checkpoint.
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

step "evaluate its latest checkpoint"
latest=$(ls checkpoints/tinystories/step_*.pt | sort -t_ -k2 -n | tail -n 1)
/usr/bin/python3 evaluate.py --checkpoint "$latest"
