// `trainctl estimate`: the model (a config.json, a project config, a preset), the training
// setting, and the answer — memory per GPU by component, whether it fits a GPU, the largest
// micro-batch that does (with the gradient accumulation that keeps the global batch), what to
// change when it does not, and the step's FLOPs and time at a stated model-FLOPs utilisation.
// Pure arithmetic once the model is read: no Python, no GPU needed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "estimate/gpu_specs.h"
#include "estimate/memory_model.h"
#include "estimate/model_shape.h"
#include "estimate/param_count.h"

namespace trainctl::estimate {

inline constexpr std::int64_t kMaxMicroBatch = 1 << 16;  // the search's upper bound
inline constexpr double kDefaultMfu = 0.40;              // a well-tuned dense transformer on one node

struct EstimateRequest {
  ModelShape model;
  TrainingSetting setting;
  std::optional<GpuSpec> gpu;        // nullopt: fit and time are not judged
  double mfu = kDefaultMfu;
  std::optional<std::int64_t> steps; // the run's optimizer steps, for the total time
};

struct Suggestion {
  std::string change;                // "full activation checkpointing"
  std::string cost;                  // "about 33% more compute per step"
  std::int64_t peak = 0;             // the peak per GPU with the change
  bool fits = false;
  nlohmann::json setting;            // the flags that make it: {"grad_checkpointing": "full"}
};

struct Estimate {
  ModelShape model;
  ParamCount params;
  TrainingSetting setting;
  MemoryBreakdown memory;
  std::optional<GpuSpec> gpu;
  std::optional<bool> fits;
  std::optional<std::int64_t> max_micro_batch;  // the largest that fits (0: not even 1)
  std::optional<std::int64_t> grad_accum_for_max;
  double flops_per_step = 0;         // the whole step, all GPUs, gradient accumulation included
  std::int64_t tokens_per_step = 0;
  std::optional<double> seconds_per_step;
  std::optional<double> tokens_per_second;
  std::optional<double> total_seconds;
  double mfu = kDefaultMfu;
  std::vector<Suggestion> suggestions;

  nlohmann::json to_json() const;
};

Estimate make_estimate(const EstimateRequest& request);

// Training FLOPs of one micro-batch sequence set: 6 x matmul parameters x tokens plus attention's
// 12 x layers x seq x d_model per token, x 4/3 with full checkpointing (one more forward).
double training_flops(const ModelShape& shape, const ParamCount& params, const TrainingSetting& setting,
                      std::int64_t tokens);

// The largest micro-batch whose peak fits `memory_bytes`; 0 when even one does not.
std::int64_t largest_micro_batch(const ModelShape& shape, const ParamCount& params, TrainingSetting setting,
                                 std::int64_t memory_bytes);

}  // namespace trainctl::estimate
