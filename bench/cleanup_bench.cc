// Issue 8's benchmark: `trainctl --json cleanup DIR` on a tree of 100,000 files holding 2,000 real
// torch.save checkpoints (20 runs of 100, with val_loss), against `du -s DIR` on the same tree, in
// one run, interleaved so that machine load falls on both alike. Target: no slower than du, while
// reading every checkpoint's metadata (never its tensor payloads).
//
// Usage: bench_cleanup [--runs N] [--trainctl PATH] [--python PATH] [--keep]   (runs default 7)
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "process_timer.h"

namespace fs = std::filesystem;

namespace {

constexpr int kTotalFiles = 100'000;
constexpr int kRuns = 20;
constexpr int kCheckpointsPerRun = 100;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// 2,000 distinct checkpoints: a small model, its optimizer, the step and a val_loss that dips.
const char* kMakeCheckpoints = R"(
import os, sys, torch
root = sys.argv[1]
model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters())
for r in range(int(sys.argv[2])):
    for i in range(1, int(sys.argv[3]) + 1):
        step = i * 100
        with torch.no_grad():
            model.weight.add_(0.001)
        d = os.path.join(root, "checkpoints", f"run_{r}")
        os.makedirs(d, exist_ok=True)
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                    "val_loss": 1.0 + abs(i - 60) / 100.0}, os.path.join(d, f"step_{step}.pt"))
)";

std::string make_tree(const std::string& python) {
  std::string pattern = (fs::temp_directory_path() / "trainctl-bench-cleanup-XXXXXX").string();
  fs::path root = ::mkdtemp(pattern.data());
  write(root / ".gitignore", "data/\ncheckpoints/\n__pycache__/\nruns/\n");
  write(root / "train.py", "import torch\n\n\ndef main():\n    pass\n");
  write(root / "configs/default.yaml", "model:\n  n_layer: 4\ntrain:\n  lr: 0.001\n");
  int files = 3;
  trainctl::bench::time_process(
      {python, "-c", kMakeCheckpoints, root.string(), std::to_string(kRuns), std::to_string(kCheckpointsPerRun)}, 0, 0);
  files += kRuns * kCheckpointsPerRun;
  std::error_code ec;
  if (!fs::exists(root / "checkpoints" / ("run_" + std::to_string(kRuns - 1)) / "step_100.pt", ec)) {
    std::printf("  (writing the checkpoints failed: is torch installed for %s?)\n", python.c_str());
  }
  for (int i = 0; i < 200; ++i, ++files) {
    write(root / "runs" / ("run_" + std::to_string(i)) / "train.log", "step 1 loss 4.2\nstep 2 loss 4.1\n");
  }
  for (int i = 0; i < 2'000; ++i, ++files) {
    write(root / "src" / ("pkg" + std::to_string(i / 100)) / "__pycache__" / ("m" + std::to_string(i) + ".cpython-311.pyc"), "c");
  }
  for (int i = 0; files < kTotalFiles; ++i, ++files) {
    write(root / "data/shards" / std::to_string(i / 1000) / ("shard_" + std::to_string(i) + ".bin"), "d");
  }
  return root.string();
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 7;
  bool keep = false;
  std::string trainctl = TRAINCTL_BINARY;
  std::string python = "/usr/bin/python3";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::max(3, std::atoi(argv[++i]));
    if (std::strcmp(argv[i], "--trainctl") == 0 && i + 1 < argc) trainctl = argv[++i];
    if (std::strcmp(argv[i], "--python") == 0 && i + 1 < argc) python = argv[++i];
    if (std::strcmp(argv[i], "--keep") == 0) keep = true;
  }
  auto started = std::chrono::steady_clock::now();
  std::string root = make_tree(python);
  double setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  trainctl::bench::Timing ours, du;
  // One unmeasured run of each first, so both start from a warm page cache.
  trainctl::bench::time_process({trainctl, "--json", "cleanup", root}, 0, 0);
  trainctl::bench::time_process({"du", "-s", root}, 0, 0);
  for (int i = 0; i < runs; ++i) {
    auto a = trainctl::bench::time_process({trainctl, "--json", "cleanup", root}, 1, 0);
    auto b = trainctl::bench::time_process({"du", "-s", root}, 1, 0);
    ours.seconds.push_back(a.seconds[0]);
    ours.failures += a.failures;
    du.seconds.push_back(b.seconds[0]);
    du.failures += b.failures;
  }
  double ours_ms = ours.median() * 1e3, du_ms = du.median() * 1e3;
  std::printf("bench_cleanup: %d files (%d torch checkpoints in %d runs, 2,000 .pyc, 200 run logs, data shards), made in %.1f s\n",
              kTotalFiles, kRuns * kCheckpointsPerRun, kRuns, setup_s);
  std::printf("  trainctl --json cleanup DIR   median %.1f ms (min %.1f, %d runs, %d failed)\n", ours_ms, ours.min() * 1e3,
              runs, ours.failures);
  std::printf("  du -s DIR                     median %.1f ms (min %.1f, %d failed)\n", du_ms, du.min() * 1e3, du.failures);
  bool no_slower = ours_ms <= du_ms;
  std::printf("  ratio (trainctl / du): %.2f; no slower than du: %s\n", ours_ms / du_ms, no_slower ? "met" : "MISSED");
  if (keep) {
    std::printf("  tree kept at %s\n", root.c_str());
  } else {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  return no_slower && ours.failures == 0 ? 0 : 1;
}
