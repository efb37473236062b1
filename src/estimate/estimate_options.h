// The estimate as both fronts ask for it (CLI flags, MCP tool arguments): words and optional
// numbers in, one checked Estimate out. Unset values come from the model's config (micro-batch,
// steps) or the defaults (fp32... as the user's training would run unless told otherwise).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "estimate/estimate.h"
#include "estimate/model_source.h"

namespace trainctl::estimate {

struct EstimateOptions {
  ModelRequest model;
  std::optional<std::int64_t> batch;        // micro-batch per GPU
  std::optional<std::int64_t> seq;
  std::int64_t grad_accum = 1;
  std::string dtype = "fp32";               // fp32 | fp16 | bf16 | bf16-pure
  std::string optimizer = "adamw";          // adamw | adam | sgd | sgd-momentum | lion | adafactor | adamw-8bit
  std::string checkpointing = "none";       // none | full
  std::string attention = "eager";          // eager | flash (sdpa)
  bool fused_loss = false;
  std::int64_t gpus = 1;
  int zero = 0;                             // 0..3; fsdp = 3
  std::int64_t lora_rank = 0;
  bool qlora = false;                       // with lora_rank: a 4-bit base
  std::string gpu;                          // a name from the GPU table ("" = none)
  double mfu = kDefaultMfu;
  std::optional<std::int64_t> steps;
  bool on_gpu = true;
};

struct EstimateAnswer {
  ResolvedModel model;
  Estimate estimate;
  nlohmann::json to_json() const;
};

core::Result<EstimateAnswer> run_estimate(const EstimateOptions& options);

}  // namespace trainctl::estimate
