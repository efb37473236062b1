#include "estimate/estimate.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace trainctl::estimate {

namespace {

double peak_tflops(const GpuSpec& gpu, Precision precision) {
  switch (precision) {
    case Precision::kFp32: return gpu.fp32_tflops;
    case Precision::kFp16Mixed: return gpu.fp16_tflops;
    case Precision::kBf16Mixed:
    case Precision::kBf16Pure: return gpu.bf16_tflops;
  }
  return gpu.fp32_tflops;
}

std::vector<Suggestion> suggestions_for(const EstimateRequest& request, const ParamCount& params, std::int64_t memory) {
  std::vector<Suggestion> out;
  const TrainingSetting& base = request.setting;
  auto consider = [&](TrainingSetting changed, std::string change, std::string cost, nlohmann::json flags) {
    std::int64_t peak = estimate_memory(request.model, params, changed).peak;
    out.push_back({std::move(change), std::move(cost), peak, peak <= memory, std::move(flags)});
  };
  // In the order of what each costs the run.
  if (base.checkpointing == Checkpointing::kNone) {
    TrainingSetting s = base;
    s.checkpointing = Checkpointing::kFull;
    consider(s, "full activation checkpointing", "about 33% more compute per step (one more forward)",
             {{"grad_checkpointing", "full"}});
  }
  if (base.precision == Precision::kFp32 && request.gpu && request.gpu->bf16_tflops > 0) {
    TrainingSetting s = base;
    s.precision = Precision::kBf16Mixed;
    consider(s, "bf16 mixed precision (autocast, float32 master weights)", "none on this GPU; usually faster",
             {{"dtype", "bf16"}});
  }
  if (!base.fused_loss) {
    TrainingSetting s = base;
    s.fused_loss = true;
    consider(s, "a fused or chunked cross-entropy (no full logits)", "a kernel library (e.g. Liger) or chunked loss code",
             {{"fused_loss", true}});
  }
  if (base.gpus > 1 && base.zero < 3) {
    for (int stage = base.zero + 1; stage <= 3; ++stage) {
      TrainingSetting s = base;
      s.zero = stage;
      consider(s, fmt::format("ZeRO stage {} over {} GPUs", stage, base.gpus),
               stage == 3 ? "weights gathered every layer: about 1.5x the communication" : "more communication",
               {{"zero", stage}});
    }
  }
  if (base.optimizer == OptimizerKind::kAdamW && base.lora_rank == 0) {
    TrainingSetting s = base;
    s.optimizer = OptimizerKind::kAdam8bit;
    consider(s, "8-bit AdamW (bitsandbytes)", "optimizer states quantised; usually the same loss curve",
             {{"optimizer", "adamw-8bit"}});
  }
  if (base.lora_rank == 0) {
    TrainingSetting s = base;
    s.lora_rank = 16;
    consider(s, "LoRA r=16 on every block matmul", "fine-tunes adapters only, not the whole model", {{"lora", 16}});
  }
  if (base.micro_batch > 1) {
    std::int64_t fit = largest_micro_batch(request.model, params, base, memory);
    if (fit > 0 && fit < base.micro_batch) {
      TrainingSetting s = base;
      std::int64_t global = base.micro_batch * base.grad_accum;
      s.micro_batch = fit;
      s.grad_accum = (global + fit - 1) / fit;
      consider(s, fmt::format("micro-batch {} with gradient accumulation {} (same global batch)", fit, s.grad_accum),
               "lower GPU utilisation per step", {{"batch", fit}, {"grad_accum", s.grad_accum}});
    }
  }
  return out;
}

}  // namespace

double training_flops(const ModelShape& shape, const ParamCount& params, const TrainingSetting& setting,
                      std::int64_t tokens) {
  const double matmul_params = static_cast<double>(params.total - params.lookup_only);
  const double seq = static_cast<double>(setting.seq > 0 ? setting.seq : shape.max_seq);
  double per_token = 6.0 * matmul_params + 12.0 * static_cast<double>(shape.n_layers) * seq * static_cast<double>(shape.d_model);
  if (setting.checkpointing == Checkpointing::kFull) per_token *= 4.0 / 3.0;
  return per_token * static_cast<double>(tokens);
}

std::int64_t largest_micro_batch(const ModelShape& shape, const ParamCount& params, TrainingSetting setting,
                                 std::int64_t memory_bytes) {
  auto fits = [&](std::int64_t b) {
    setting.micro_batch = b;
    return estimate_memory(shape, params, setting).peak <= memory_bytes;
  };
  if (!fits(1)) return 0;
  std::int64_t lo = 1, hi = 2;
  while (hi <= kMaxMicroBatch && fits(hi)) {
    lo = hi;
    hi *= 2;
  }
  hi = std::min(hi, kMaxMicroBatch + 1);
  while (hi - lo > 1) {  // fits(lo), !fits(hi)
    std::int64_t mid = lo + (hi - lo) / 2;
    (fits(mid) ? lo : hi) = mid;
  }
  return lo;
}

Estimate make_estimate(const EstimateRequest& request) {
  Estimate e;
  e.model = request.model;
  e.params = count_params(request.model);
  e.setting = request.setting;
  if (e.setting.seq <= 0) e.setting.seq = request.model.max_seq;
  e.memory = estimate_memory(request.model, e.params, e.setting);
  e.gpu = request.gpu;
  e.mfu = request.mfu;
  const std::int64_t gpus = std::max<std::int64_t>(e.setting.gpus, 1);
  e.tokens_per_step = e.setting.micro_batch * e.setting.seq * e.setting.grad_accum * gpus;
  e.flops_per_step = training_flops(request.model, e.params, e.setting, e.tokens_per_step);
  if (e.gpu) {
    e.fits = e.memory.peak <= e.gpu->memory_bytes;
    e.max_micro_batch = largest_micro_batch(request.model, e.params, e.setting, e.gpu->memory_bytes);
    if (*e.max_micro_batch > 0) {
      std::int64_t global = e.setting.micro_batch * e.setting.grad_accum;
      e.grad_accum_for_max = std::max<std::int64_t>(1, (global + *e.max_micro_batch - 1) / *e.max_micro_batch);
    }
    double tflops = peak_tflops(*e.gpu, e.setting.precision);
    if (tflops > 0 && e.mfu > 0) {
      e.seconds_per_step = e.flops_per_step / (static_cast<double>(gpus) * tflops * 1e12 * e.mfu);
      e.tokens_per_second = static_cast<double>(e.tokens_per_step) / *e.seconds_per_step;
      if (request.steps) e.total_seconds = *e.seconds_per_step * static_cast<double>(*request.steps);
    }
    if (!*e.fits) e.suggestions = suggestions_for(request, e.params, e.gpu->memory_bytes);
  }
  return e;
}

nlohmann::json Estimate::to_json() const {
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  nlohmann::json suggestions_json = nlohmann::json::array();
  for (const auto& s : suggestions) {
    suggestions_json.push_back(
        {{"change", s.change}, {"cost", s.cost}, {"peak", s.peak}, {"fits", s.fits}, {"setting", s.setting}});
  }
  nlohmann::json setting_json = {
      {"micro_batch", setting.micro_batch},
      {"seq", setting.seq},
      {"grad_accum", setting.grad_accum},
      {"dtype", precision_name(setting.precision)},
      {"optimizer", optimizer_name(setting.optimizer)},
      {"grad_checkpointing", setting.checkpointing == Checkpointing::kFull ? "full" : "none"},
      {"attention", setting.attention == AttentionKind::kFlash ? "flash" : "eager"},
      {"fused_loss", setting.fused_loss},
      {"gpus", setting.gpus},
      {"zero", setting.zero},
      {"lora_rank", setting.lora_rank},
  };
  nlohmann::json gpu_json = gpu ? nlohmann::json{{"name", gpu->name}, {"label", gpu->label}, {"memory", gpu->memory_bytes}}
                                : nlohmann::json(nullptr);
  return {{"model", estimate::to_json(model)},
          {"params", params.total},
          {"trainable_params", memory.trainable},
          {"breakdown", estimate::to_json(params)},
          {"setting", setting_json},
          {"bytes", estimate::to_json(memory)},
          {"peak_phase", memory.peak_phase},
          {"gpu", gpu_json},
          {"fits", opt(fits)},
          {"max_micro_batch", opt(max_micro_batch)},
          {"grad_accum_for_max", opt(grad_accum_for_max)},
          {"flops_per_step", flops_per_step},
          {"tokens_per_step", tokens_per_step},
          {"mfu", mfu},
          {"seconds_per_step", opt(seconds_per_step)},
          {"tokens_per_second", opt(tokens_per_second)},
          {"total_seconds", opt(total_seconds)},
          {"suggestions", suggestions_json}};
}

}  // namespace trainctl::estimate
