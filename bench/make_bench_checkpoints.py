"""Writes the checkpoints the checkpoint benchmarks read.

Usage: make_bench_checkpoints.py OUT_DIR [BIG_MB]
  OUT_DIR/big.pt          one checkpoint of about BIG_MB megabytes (default 1024) with a small
                          model-plus-metadata pickle in front, as real checkpoints have
  OUT_DIR/many/step_N.pt  1,000 small checkpoints whose metadata step matches the name; the five
                          newest are damaged (truncated or empty), so `latest` must skip them
"""
import os
import sys

import torch

out = sys.argv[1]
big_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
os.makedirs(os.path.join(out, "many"), exist_ok=True)

torch.manual_seed(0)
layers = 8
per_layer = big_mb * 1024 * 1024 // 4 // layers
state = {f"layers.{i}.weight": torch.empty(per_layer // 1024, 1024) for i in range(layers)}
torch.save({"model": state, "step": 123456, "epoch": 7, "metrics": {"val_loss": 2.25},
            "config": {"n_layer": layers, "lr": 3e-4}}, os.path.join(out, "big.pt"))

small = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(small.parameters())
for step in range(1, 1001):
    path = os.path.join(out, "many", f"step_{step}.pt")
    torch.save({"model": small.state_dict(), "optimizer": opt.state_dict(), "step": step,
                "metrics": {"val_loss": 10.0 / step}}, path)
for step in range(996, 1001):
    path = os.path.join(out, "many", f"step_{step}.pt")
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) // 3] if step % 2 else b"")
