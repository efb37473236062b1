// Issue 3's benchmarks, in one run:
//  1. `trainctl ckpt show` of a ~1 GB checkpoint against
//     `python -c "torch.load(path, map_location='cpu')['step']"`, whole-process wall time:
//     target >= 1000x faster, reading under 1 MB of the file (bytes read measured in-process
//     from /proc/self/io around inspect_checkpoint).
//  2. `trainctl ckpt latest` over a folder of 1,000 checkpoints (the newest five damaged):
//     target < 200 ms.
// Usage: bench_checkpoint [--dir DIR] [--big-mb N] [--runs N] [--python /usr/bin/python3]
// The fixtures are written once into DIR by bench/make_bench_checkpoints.py (real torch.save).
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "checkpoint/inspect.h"
#include "process_timer.h"

namespace {

// Bytes this process has read through read/pread so far (the kernel's rchar).
long long bytes_read_so_far() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long long value = 0;
  while (io >> key >> value) {
    if (key == "rchar:") return value;
  }
  return -1;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/tmp/trainctl-bench-checkpoints";
  std::string python = "/usr/bin/python3";
  std::string big_mb = "1024";
  int runs = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--big-mb")) big_mb = argv[i + 1];
    if (!std::strcmp(argv[i], "--runs")) runs = std::max(3, std::atoi(argv[i + 1]));
    if (!std::strcmp(argv[i], "--python")) python = argv[i + 1];
  }
  const std::string big = dir + "/big.pt";
  if (!exists(big) || !exists(dir + "/many/step_1000.pt")) {
    std::printf("writing fixtures into %s (real torch.save; takes a minute)...\n", dir.c_str());
    std::string command = python + " " + TRAINCTL_SOURCE_DIR "/bench/make_bench_checkpoints.py " + dir + " " + big_mb;
    if (std::system(command.c_str()) != 0) return 2;
  }
  struct stat st {};
  ::stat(big.c_str(), &st);

  using trainctl::bench::time_process;
  auto ours = time_process({TRAINCTL_BINARY, "ckpt", "show", "--json", big}, runs, 0);
  auto peer = time_process({python, "-c", "import sys, torch; print(torch.load(sys.argv[1], map_location='cpu')['step'])", big},
                           std::max(3, runs / 3), 0);
  long long before = bytes_read_so_far();
  trainctl::checkpoint::CheckpointInfo info = trainctl::checkpoint::inspect_checkpoint(big);
  long long read = bytes_read_so_far() - before;
  double ratio = peer.median() / ours.median();
  std::printf("bench_checkpoint: ckpt show of a %.2f GB checkpoint (step %lld, valid %s)\n", static_cast<double>(st.st_size) / 1e9,
              static_cast<long long>(info.step.value_or(-1)), info.valid ? "yes" : "no");
  std::printf("  trainctl ckpt show --json       median %10.3f ms  (%d runs)\n", ours.median() * 1e3, runs);
  std::printf("  python torch.load(...)['step']  median %10.3f ms  (%zu runs)\n", peer.median() * 1e3, peer.seconds.size());
  std::printf("  ratio %.0fx (target >= 1000x: %s); bytes read %lld (target < 1 MB: %s)\n", ratio,
              ratio >= 1000 ? "met" : "MISSED", read, read >= 0 && read < 1'000'000 ? "met" : "MISSED");

  auto latest = time_process({TRAINCTL_BINARY, "ckpt", "latest", "--json", dir + "/many"}, runs, 0);
  auto list_all = time_process({TRAINCTL_BINARY, "ckpt", "list", "--json", dir + "/many"}, 3, 0);
  std::printf("bench_checkpoint: ckpt latest over 1,000 checkpoints (newest five damaged)\n");
  std::printf("  trainctl ckpt latest            median %10.3f ms  (target < 200 ms: %s)\n", latest.median() * 1e3,
              latest.median() < 0.2 ? "met" : "MISSED");
  std::printf("  trainctl ckpt list (reads all)  median %10.3f ms\n", list_all.median() * 1e3);
  bool failed = ours.failures || peer.failures || latest.failures;
  if (failed) std::printf("  (some runs exited with an unexpected status)\n");
  return ratio >= 1000 && read < 1'000'000 && latest.median() < 0.2 && !failed ? 0 : 1;
}
