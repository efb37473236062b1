// `trainctl estimate` against the Python tools people use for the same question: one estimate and
// the largest-micro-batch search inside the process (targets: under 1 ms and 5 ms), and the whole
// command (target: under 5 ms) next to the start-up of `python3 -c "import torch"`, which every
// accelerate/DeepSpeed-style estimator pays before its first figure. Prints each and the ratio.
// Usage: bench_estimate [--runs N] [--python /usr/bin/python3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "estimate/estimate.h"
#include "process_timer.h"

namespace {

using trainctl::bench::time_process;
using namespace trainctl::estimate;

template <typename F>
double median_seconds(int runs, F&& f) {
  std::vector<double> s;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    f();
    s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(s.begin(), s.end());
  return s[s.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 20;
  std::string python = "/usr/bin/python3";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::max(1, std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--python") == 0) python = argv[++i];
  }

  EstimateRequest request;
  request.model = *preset("llama-3-8b");
  request.setting.seq = 4096;
  request.setting.precision = Precision::kBf16Mixed;
  request.setting.checkpointing = Checkpointing::kFull;
  request.setting.lora_rank = 16;
  request.gpu = find_gpu("h100-80gb");
  ParamCount params = count_params(request.model);

  std::int64_t sink = 0;
  double one = median_seconds(runs * 50, [&] { sink += estimate_memory(request.model, params, request.setting).peak; });
  double search = median_seconds(runs * 10, [&] {
    sink += largest_micro_batch(request.model, params, request.setting, request.gpu->memory_bytes);
  });
  double whole = median_seconds(runs * 10, [&] { sink += make_estimate(request).memory.peak; });
  std::printf("bench_estimate: llama-3-8b, seq 4096, bf16, full checkpointing, LoRA r=16, on h100-80gb\n");
  std::printf("  in process: one memory estimate        median %8.3f us  (target < 1 ms)\n", one * 1e6);
  std::printf("  in process: largest micro-batch search median %8.3f us  (target < 5 ms)\n", search * 1e6);
  std::printf("  in process: the whole answer           median %8.3f us\n", whole * 1e6);

  auto cli = time_process({TRAINCTL_BINARY, "estimate", "--json", "--model", "llama-3-8b", "--seq", "4096", "--dtype", "bf16",
                           "--grad-checkpointing", "full", "--lora", "16", "--gpu", "h100-80gb"},
                          runs, 0);
  auto torch = time_process({python, "-c", "import torch"}, std::max(3, runs / 4), 0);
  std::printf("  trainctl estimate --json ...           median %8.3f ms (min %.3f, %d runs, %d failed; target < 5 ms)\n",
              cli.median() * 1e3, cli.min() * 1e3, runs, cli.failures);
  std::printf("  %s -c \"import torch\"       median %8.3f ms (%d failed)\n", python.c_str(), torch.median() * 1e3,
              torch.failures);
  std::printf("ratio: trainctl estimate answers %.0fx faster than Python can import torch\n",
              torch.median() / cli.median());
  return sink == 42 ? 1 : 0;
}
