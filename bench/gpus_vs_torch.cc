// Issue 2's benchmark: `trainctl gpus --json` against the brief's GPU check,
// `python -c "import torch; print(torch.cuda.is_available())"`, whole-process wall time, median
// of N runs each, in one run. Targets: trainctl >= 100x faster and under 5 ms median.
//
// Usage: bench_gpus [--runs N] [--python /usr/bin/python3] [--trainctl PATH]
#include <cstdio>
#include <cstring>
#include <string>

#include "process_timer.h"

int main(int argc, char** argv) {
  int runs = 20;
  std::string python = "/usr/bin/python3";
  std::string trainctl = TRAINCTL_BINARY;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::max(10, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--python") == 0) python = argv[i + 1];
    if (std::strcmp(argv[i], "--trainctl") == 0) trainctl = argv[i + 1];
  }
  using trainctl::bench::time_process;
  // `gpus` exits 4 on a machine without a usable GPU and 0 with one; either is a correct answer.
  auto ours = time_process({trainctl, "gpus", "--json"}, runs, 0);
  if (ours.failures == runs) ours = time_process({trainctl, "gpus", "--json"}, runs, 4);
  auto peer = time_process({python, "-c", "import torch; print(torch.cuda.is_available())"}, runs, 0);

  double ratio = peer.median() / ours.median();
  std::printf("bench_gpus: %d runs each, whole-process wall time\n", runs);
  std::printf("  trainctl gpus --json                                 median %8.3f ms  min %8.3f ms%s\n",
              ours.median() * 1e3, ours.min() * 1e3, ours.failures ? "  (unexpected exit status)" : "");
  std::printf("  python -c 'import torch; torch.cuda.is_available()'  median %8.3f ms  min %8.3f ms%s\n",
              peer.median() * 1e3, peer.min() * 1e3, peer.failures ? "  (failed: is torch installed?)" : "");
  std::printf("  ratio (python / trainctl): %.0fx   target >= 100x: %s;  trainctl < 5 ms: %s\n", ratio,
              ratio >= 100 ? "met" : "MISSED", ours.median() < 0.005 ? "met" : "MISSED");
  return ratio >= 100 && ours.median() < 0.005 && !peer.failures ? 0 : 1;
}
