#!/usr/bin/env bash
# The main job, end to end on a fresh Debian 12 machine: install what is needed, build trainctl in
# Release, check the GPUs and the environment, then train the bundled example project with real
# PyTorch through `trainctl train` (which finds its config, checks, shows, runs and records the run),
# estimate its memory on a GPU, find its latest valid checkpoint with trainctl and evaluate it.
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

cd examples/tinystories
step "trainctl train --yes tinystories: find the project and its config, check, show, run and record"
# --yes: the demo confirms the training launch itself (on a terminal, trainctl would ask).
"$trainctl" train --yes tinystories
"$trainctl" runs list

step "trainctl estimate: what the same training needs on a GPU (the vocabulary is read off the checkpoint)"
"$trainctl" estimate --model configs/tinystories.yaml --gpu h100-80gb

step "trainctl ckpt list, then the latest valid checkpoint (read natively, no Python)"
"$trainctl" ckpt list checkpoints
"$trainctl" ckpt latest checkpoints/tinystories

step "evaluate that checkpoint"
latest=$("$trainctl" ckpt latest checkpoints/tinystories --json |
  /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["path"])')
/usr/bin/python3 evaluate.py --checkpoint "$latest"
