// Issue 4's benchmark. (1) In process: check_command on a typical 200-character training line,
// median per call; target under 50 µs. (2) The whole corpus (tests/safety/corpus/*.jsonl), one
// `trainctl check-command` process per line, against `bash -n -c LINE` (bash only parsing the same
// line) as the reference process; target under 5 ms per command, start-up included.
//
// Usage: bench_check_command [--iterations N] [--trainctl PATH]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process_timer.h"
#include "safety/command_check.h"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> corpus_lines() {
  std::vector<std::string> lines;
  for (const char* name : {"deny.jsonl", "allow_confirm.jsonl"}) {
    std::ifstream in(std::string(TRAINCTL_SOURCE_DIR) + "/tests/safety/corpus/" + name);
    for (std::string text; std::getline(in, text);) {
      if (!text.empty()) lines.push_back(nlohmann::json::parse(text)["command"].get<std::string>());
    }
  }
  return lines;
}

// The fixture project the corpus assumes (tests/safety/corpus/README.md), in a temporary folder.
std::string make_project() {
  std::string pattern = (fs::temp_directory_path() / "trainctl-bench-safety-XXXXXX").string();
  std::string root = ::mkdtemp(pattern.data());
  for (const char* file : {"train.py", "evaluate.py", "model.py", "configs/default.yaml", "configs/tinystories.yaml",
                           "data/corpus.txt", "checkpoints/tinystories/step_100.pt",
                           "checkpoints/tinystories/step_200.pt", "logs/train.log", "scripts/train.sh",
                           ".trainctl/.keep", "outputs/.keep"}) {
    fs::create_directories((fs::path(root) / file).parent_path());
    std::ofstream(fs::path(root) / file) << "x\n";
  }
  fs::create_directory_symlink("/etc", fs::path(root) / "data_link");
  fs::create_directory_symlink("checkpoints", fs::path(root) / "ckpt_link");
  return root;
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 20000;
  std::string trainctl = TRAINCTL_BINARY;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--iterations") == 0) iterations = std::max(100, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--trainctl") == 0) trainctl = argv[i + 1];
  }
  std::string root = make_project();

  // (1) In process.
  const std::string line =
      "CUDA_VISIBLE_DEVICES=0,1 torchrun --nproc_per_node=2 train.py --config configs/tinystories.yaml "
      "--resume checkpoints/tinystories/step_200.pt 2>&1 | tee logs/train.log && nvidia-smi --query-gpu=memory.used";
  trainctl::safety::CheckOptions options;
  options.project_root = root;
  options.home = "/home/user";
  std::vector<double> micros;
  trainctl::safety::Verdict verdict = trainctl::safety::Verdict::kAllow;
  for (int i = 0; i < iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    verdict = trainctl::safety::check_command(line, options).verdict;
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(micros.begin(), micros.end());
  double median_us = micros[micros.size() / 2];
  std::printf("bench_check_command\n");
  std::printf("  in process: %zu-character line, %d checks: median %.1f us, p99 %.1f us (verdict %s); target < 50 us: %s\n",
              line.size(), iterations, median_us, micros[micros.size() * 99 / 100],
              std::string(trainctl::safety::verdict_name(verdict)).c_str(), median_us < 50 ? "met" : "MISSED");

  // (2) One process per corpus line, against bash -n on the same line.
  std::vector<std::string> lines = corpus_lines();
  double ours_total = 0, bash_total = 0;
  int failures = 0;
  for (const auto& l : lines) {
    auto ours = trainctl::bench::time_process({trainctl, "check-command", "--project", root, l}, 3,
                                              trainctl::bench::kAnyExitStatus);
    auto bash = trainctl::bench::time_process({"/bin/bash", "-n", "-c", l}, 3, trainctl::bench::kAnyExitStatus);
    ours_total += ours.median();
    bash_total += bash.median();
    failures += ours.failures;
  }
  double ours_ms = ours_total / static_cast<double>(lines.size()) * 1e3;
  double bash_ms = bash_total / static_cast<double>(lines.size()) * 1e3;
  std::printf("  corpus: %zu lines, one process each (median of 3 per line):\n", lines.size());
  std::printf("    trainctl check-command   mean %.3f ms per command\n", ours_ms);
  std::printf("    bash -n -c (parse only)  mean %.3f ms per command\n", bash_ms);
  std::printf("    ratio (trainctl / bash -n): %.2f;  target < 5 ms per command: %s\n", ours_ms / bash_ms,
              ours_ms < 5 ? "met" : "MISSED");
  std::error_code ec;
  fs::remove_all(root, ec);
  return median_us < 50 && ours_ms < 5 && failures == 0 ? 0 : 1;
}
