// Issue 5's benchmark: `trainctl --json train --dry-run tinystories` in a repository of 100,000
// files — 50 source files beside a large data folder, a virtualenv and thousands of checkpoints,
// all three git-ignored — against `git ls-files | wc -l` on the same tree. Targets: under 100 ms,
// and no slower than git listing its index. Also the same work in process (scan + plan).
//
// Usage: bench_project [--runs N] [--trainctl PATH] [--keep]   (runs default 40, interleaved)
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "command/plans.h"
#include "process_timer.h"
#include "project/project_scan.h"

namespace fs = std::filesystem;

namespace {

constexpr int kTotalFiles = 100'000;
constexpr int kCheckpoints = 4'000;
constexpr int kVenvFiles = 30'000;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// 50 source files laid out like a real small LM project.
int write_sources(const fs::path& root) {
  int n = 0;
  auto put = [&](const std::string& rel, const std::string& text) {
    write(root / rel, text);
    ++n;
  };
  put(".gitignore", "data/\n.venv/\ncheckpoints/\n__pycache__/\n*.pyc\n");
  put("README.md",
      "# tinylm\n\n```bash\npython train.py --config configs/tinystories.yaml\n"
      "python evaluate.py --checkpoint checkpoints/tinystories/step_400.pt\n```\n");
  put("pyproject.toml", "[project]\nname = \"tinylm\"\nversion = \"0.1.0\"\ndependencies = [\"torch\", \"pyyaml\"]\n");
  put("Makefile", "PYTHON ?= python\n\ntrain:\n\t$(PYTHON) train.py --config configs/tinystories.yaml\n");
  put("train.py",
      "\"\"\"Trains the tiny language model.\"\"\"\nimport argparse\n\nimport torch\n\nfrom tinylm.model import GPT\n"
      "from tinylm.data import batches\n\n\ndef main():\n    parser = argparse.ArgumentParser(description=\"Train tinylm.\")\n"
      "    parser.add_argument(\"--config\", default=\"configs/default.yaml\", help=\"YAML config\")\n"
      "    parser.add_argument(\"--resume\", default=None, help=\"checkpoint to resume from\")\n"
      "    parser.add_argument(\"--max-steps\", type=int, default=None)\n    args = parser.parse_args()\n"
      "    model = GPT()\n    opt = torch.optim.AdamW(model.parameters())\n    for x, y in batches():\n"
      "        loss = model(x, y)\n        loss.backward()\n        opt.step()\n\n\nif __name__ == \"__main__\":\n    main()\n");
  put("evaluate.py",
      "import argparse\n\nimport torch\n\n\ndef main():\n    p = argparse.ArgumentParser(description=\"Evaluate a checkpoint.\")\n"
      "    p.add_argument(\"--checkpoint\", required=True)\n    p.parse_args()\n\n\nif __name__ == \"__main__\":\n    main()\n");
  for (const char* name : {"default", "tinystories", "wikitext", "small", "large"}) {
    put(std::string("configs/") + name + ".yaml",
        std::string("model:\n  n_layer: 4\n  n_head: 4\n  d_model: 256\ndata:\n  dataset: ") + name +
            "\ntrain:\n  batch_size: 32\n  lr: 3.0e-4\n  max_steps: 2000\noutput:\n  checkpoint_dir: checkpoints/" + name +
            "\n");
  }
  put("scripts/train.sh", "#!/usr/bin/env bash\nset -e\npython train.py --config configs/tinystories.yaml \"$@\"\n");
  put("scripts/eval.sh", "#!/usr/bin/env bash\npython evaluate.py --checkpoint \"$1\"\n");
  put("tinylm/__init__.py", "");
  for (int i = 0; n < 40; ++i) {
    put("tinylm/module_" + std::to_string(i) + ".py",
        "import torch\n\n\nclass Block" + std::to_string(i) + "(torch.nn.Module):\n    def forward(self, x):\n        return x\n");
  }
  put("tinylm/model.py", "import torch\n\n\nclass GPT(torch.nn.Module):\n    pass\n");
  put("tinylm/data.py", "def batches():\n    yield None, None\n");
  for (int i = 0; n < 50; ++i) put("tests/test_" + std::to_string(i) + ".py", "def test_it():\n    assert True\n");
  return n;
}

std::string make_tree() {
  std::string pattern = (fs::temp_directory_path() / "trainctl-bench-project-XXXXXX").string();
  fs::path root = ::mkdtemp(pattern.data());
  int files = write_sources(root);
  write(root / ".venv/pyvenv.cfg", "home = /usr/bin\n");
  ++files;
  for (int i = 1; i < kVenvFiles; ++i, ++files) {
    write(root / ".venv/lib/python3.11/site-packages" / ("pkg" + std::to_string(i / 100)) / ("m" + std::to_string(i) + ".py"), "x = 1\n");
  }
  for (int i = 0; i < kCheckpoints; ++i, ++files) {
    write(root / "checkpoints" / ("run_" + std::to_string(i / 500)) / ("step_" + std::to_string(i * 100) + ".pt"), "PK");
  }
  for (int i = 0; files < kTotalFiles; ++i, ++files) {
    write(root / "data/shards" / std::to_string(i / 1000) / ("shard_" + std::to_string(i) + ".bin"), "d");
  }
  std::string git = "git -C '" + root.string() + "' ";
  std::string setup = git + "init -q && " + git + "add . && " + git + "-c user.email=b@b -c user.name=bench commit -qm x";
  trainctl::bench::time_process({"/bin/sh", "-c", setup}, 0, trainctl::bench::kAnyExitStatus);
  return root.string();
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 40;
  bool keep = false;
  std::string trainctl = TRAINCTL_BINARY;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::max(3, std::atoi(argv[++i]));
    if (std::strcmp(argv[i], "--trainctl") == 0 && i + 1 < argc) trainctl = argv[++i];
    if (std::strcmp(argv[i], "--keep") == 0) keep = true;
  }
  auto made = std::chrono::steady_clock::now();
  std::string root = make_tree();
  double setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - made).count();

  // In process: the scan and the plan, what the command does after start-up.
  std::vector<double> in_process;
  std::string argv_line;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto scan = trainctl::project::scan_projects(root);
    trainctl::command::PlanRequest request;
    request.words = {"tinystories"};
    request.working_dir = root;
    auto plan = scan ? trainctl::command::plan_train(*scan, request) : trainctl::command::PlanResult{};
    in_process.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (plan.plan) argv_line = plan.plan->display;
  }
  std::sort(in_process.begin(), in_process.end());

  // Interleaved, one run of each at a time, so that load from other processes on the machine
  // falls on both alike.
  trainctl::bench::Timing ours, git;
  for (int i = 0; i < runs; ++i) {
    auto a = trainctl::bench::time_process({trainctl, "--json", "train", "--dry-run", "--project", root, "tinystories"},
                                           1, 0);
    auto b = trainctl::bench::time_process({"/bin/sh", "-c", "git -C '" + root + "' ls-files | wc -l"}, 1, 0);
    ours.seconds.push_back(a.seconds[0]);
    ours.failures += a.failures;
    git.seconds.push_back(b.seconds[0]);
  }
  double ours_ms = ours.median() * 1e3, git_ms = git.median() * 1e3;
  std::printf("bench_project: %d files (50 sources; data/, .venv/ and %d checkpoints git-ignored), made in %.1f s\n",
              kTotalFiles, kCheckpoints, setup_s);
  std::printf("  command: %s\n", argv_line.empty() ? "(no plan!)" : argv_line.c_str());
  std::printf("  in process (scan + plan):                       median %.3f ms\n", in_process[in_process.size() / 2]);
  std::printf("  trainctl --json train --dry-run tinystories     median %.3f ms (min %.3f, %d runs, %d failed)\n", ours_ms,
              ours.min() * 1e3, runs, ours.failures);
  std::printf("  git ls-files | wc -l                            median %.3f ms (min %.3f)\n", git_ms, git.min() * 1e3);
  bool fast = ours_ms < 100, no_slower = ours_ms <= git_ms;
  std::printf("  ratio (trainctl / git ls-files): %.2f; under 100 ms: %s; no slower than git: %s\n", ours_ms / git_ms,
              fast ? "met" : "MISSED", no_slower ? "met" : "MISSED");
  if (keep) {
    std::printf("  tree kept at %s\n", root.c_str());
  } else {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  return fast && no_slower && ours.failures == 0 && !argv_line.empty() ? 0 : 1;
}
