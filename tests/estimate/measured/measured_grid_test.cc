// The estimator against what PyTorch really holds: tests/estimate/measure_memory.py builds each
// configuration of its grid (GPT-2 and LLaMA style; fp32, bf16 autocast and pure bf16; AdamW, SGD
// with and without momentum; with and without full checkpointing; batch 1 to 16, sequence 64 to
// 1024) and runs real training steps on the CPU. Parameters, weights, gradients and optimizer state
// must be exact; activations (the bytes saved for backward) and the step's peak within 5%.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/environment_vars.h"
#include "core/subprocess.h"
#include "estimate/estimate.h"

namespace trainctl::estimate {
namespace {

// TRAINCTL_MEASURED_GRID names a file of earlier measurements (the script's output) to check
// instead of measuring again, for quick work on the estimator.
std::vector<nlohmann::json> measured_grid() {
  std::vector<nlohmann::json> rows;
  if (const char* saved = std::getenv("TRAINCTL_MEASURED_GRID")) {
    std::ifstream in(saved);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
    }
    return rows;
  }
  core::SubprocessOptions options;
  options.argv = {TRAINCTL_TEST_PYTHON, std::string(TRAINCTL_SOURCE_DIR) + "/tests/estimate/measure_memory.py", "--grid"};
  options.env = core::EnvironmentVars::from_process();
  options.timeout = std::chrono::minutes(9);
  options.max_output_bytes = 1 << 20;
  auto result = core::run_subprocess(options);
  if (!result || !result->succeeded()) {
    ADD_FAILURE() << "measure_memory.py failed: " << (result ? result->err : result.error().message);
    return rows;
  }
  std::istringstream lines(result->out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

// The model and setting a measured row describes, as the estimator takes them.
std::pair<ModelShape, TrainingSetting> described(const nlohmann::json& c) {
  ModelShape s;
  s.name = c["family"];
  s.family = c["family"] == "gpt2" ? Family::kGpt2 : Family::kLlama;
  s.vocab = c["vocab"];
  s.d_model = c["d_model"];
  s.n_layers = c["n_layers"];
  s.n_heads = c["n_heads"];
  s.n_kv_heads = c.value("n_kv_heads", s.n_heads);
  s.d_ff = c["d_ff"];
  s.max_seq = c["seq"];
  s.tied_embeddings = c.value("tied", s.family == Family::kGpt2);
  TrainingSetting t;
  t.micro_batch = c["batch"];
  t.seq = c["seq"];
  std::string p = c["precision"];
  t.precision = p == "fp32" ? Precision::kFp32 : p == "bf16" ? Precision::kBf16Mixed : Precision::kBf16Pure;
  std::string o = c["optimizer"];
  t.optimizer = o == "adamw" ? OptimizerKind::kAdamW : o == "sgd" ? OptimizerKind::kSgd : OptimizerKind::kSgdMomentum;
  t.checkpointing = c["checkpointing"] == "full" ? Checkpointing::kFull : Checkpointing::kNone;
  t.on_gpu = false;  // measured on the CPU: no CUDA context, single-tensor optimizer kernels
  return {s, t};
}

double relative_error(std::int64_t estimate, std::int64_t measured) {
  return std::abs(static_cast<double>(estimate - measured)) / static_cast<double>(measured);
}

TEST(MeasuredGrid, EveryConfigurationMatchesWhatPyTorchHolds) {
  auto rows = measured_grid();
  ASSERT_GE(rows.size(), 20u);
  for (const auto& row : rows) {
    auto [shape, setting] = described(row["config"]);
    SCOPED_TRACE(row["config"].dump());
    ParamCount params = count_params(shape);
    MemoryBreakdown m = estimate_memory(shape, params, setting);
    EXPECT_EQ(params.total, row["params"].get<std::int64_t>());
    EXPECT_EQ(params.tensors, row["param_tensors"].get<std::int64_t>());
    EXPECT_EQ(m.weights, row["weights"].get<std::int64_t>());
    EXPECT_EQ(m.gradients, row["gradients"].get<std::int64_t>());
    EXPECT_EQ(m.optimizer, row["optimizer"].get<std::int64_t>());
    EXPECT_LE(relative_error(m.activations, row["activations"]), 0.05)
        << "activations: estimate " << m.activations << ", measured " << row["activations"];
    EXPECT_LE(relative_error(m.peak, row["peak"]), 0.05)
        << "peak (" << m.peak_phase << "): estimate " << m.peak << ", measured " << row["peak"];
  }
}

}  // namespace
}  // namespace trainctl::estimate
