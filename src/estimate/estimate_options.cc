#include "estimate/estimate_options.h"

#include <fmt/format.h>

namespace trainctl::estimate {

namespace {

core::Result<Precision> precision_from(const std::string& word) {
  if (word == "fp32" || word == "float32") return Precision::kFp32;
  if (word == "bf16" || word == "bf16-mixed") return Precision::kBf16Mixed;
  if (word == "fp16" || word == "fp16-mixed" || word == "16-mixed") return Precision::kFp16Mixed;
  if (word == "bf16-pure" || word == "bf16-true") return Precision::kBf16Pure;
  return core::Error::usage(fmt::format("--dtype {}: use fp32, fp16, bf16 (autocast) or bf16-pure", word));
}

core::Result<OptimizerKind> optimizer_from(const std::string& word) {
  if (word == "adamw" || word == "adam") return OptimizerKind::kAdamW;
  if (word == "sgd") return OptimizerKind::kSgd;
  if (word == "sgd-momentum" || word == "momentum") return OptimizerKind::kSgdMomentum;
  if (word == "lion") return OptimizerKind::kLion;
  if (word == "adafactor") return OptimizerKind::kAdafactor;
  if (word == "adamw-8bit" || word == "adam8bit" || word == "8bit-adam" || word == "adamw8bit") return OptimizerKind::kAdam8bit;
  return core::Error::usage(
      fmt::format("--optimizer {}: use adamw, sgd, sgd-momentum, lion, adafactor or adamw-8bit", word));
}

}  // namespace

core::Result<EstimateAnswer> run_estimate(const EstimateOptions& o) {
  auto precision = precision_from(o.dtype);
  if (!precision) return precision.error();
  auto optimizer = optimizer_from(o.optimizer);
  if (!optimizer) return optimizer.error();
  if (o.checkpointing != "none" && o.checkpointing != "full") {
    return core::Error::usage(fmt::format("--grad-checkpointing {}: use none or full", o.checkpointing));
  }
  if (o.attention != "eager" && o.attention != "flash" && o.attention != "sdpa") {
    return core::Error::usage(fmt::format("--attention {}: use eager or flash", o.attention));
  }
  if (o.zero < 0 || o.zero > 3) return core::Error::usage(fmt::format("--zero {}: a stage from 0 to 3", o.zero));
  if (o.gpus < 1 || o.grad_accum < 1 || (o.batch && *o.batch < 1) || (o.seq && *o.seq < 1) || o.lora_rank < 0) {
    return core::Error::usage("--gpus, --grad-accum, --batch and --seq must be positive, --lora at least 0");
  }
  if (!(o.mfu > 0 && o.mfu <= 1)) return core::Error::usage(fmt::format("--mfu {}: a fraction in (0, 1]", o.mfu));

  EstimateRequest request;
  ModelRequest model_request = o.model;
  if (o.seq && !model_request.max_seq) model_request.max_seq = *o.seq;
  auto model = resolve_model(model_request);
  if (!model) return model.error();
  request.model = model->shape;
  if (!o.gpu.empty()) {
    request.gpu = find_gpu(o.gpu);
    if (!request.gpu) {
      std::string names;
      for (const auto& g : gpu_table()) names += (names.empty() ? "" : ", ") + g.name;
      return core::Error::usage(fmt::format("--gpu {}: not in the GPU table ({})", o.gpu, names));
    }
  }
  TrainingSetting& s = request.setting;
  s.micro_batch = o.batch.value_or(model->batch.value_or(1));
  s.seq = o.seq.value_or(model->shape.max_seq);
  s.grad_accum = o.grad_accum;
  s.precision = *precision;
  s.optimizer = *optimizer;
  s.checkpointing = o.checkpointing == "full" ? Checkpointing::kFull : Checkpointing::kNone;
  s.attention = o.attention == "eager" ? AttentionKind::kEager : AttentionKind::kFlash;
  s.fused_loss = o.fused_loss;
  s.gpus = o.gpus;
  s.zero = o.zero;
  s.lora_rank = o.lora_rank;
  s.lora_base_bits = o.qlora ? 4 : 16;
  s.on_gpu = o.on_gpu;
  request.mfu = o.mfu;
  request.steps = o.steps ? o.steps : model->steps;
  EstimateAnswer answer;
  answer.model = *model;
  answer.estimate = make_estimate(request);
  return answer;
}

nlohmann::json EstimateAnswer::to_json() const {
  nlohmann::json doc = estimate.to_json();
  doc["source"] = model.source;
  doc["vocab_from"] = model.vocab_from ? nlohmann::json(*model.vocab_from) : nlohmann::json(nullptr);
  doc["source_note"] = model.note ? nlohmann::json(*model.note) : nlohmann::json(nullptr);
  doc["checkpoint_params"] = model.checkpoint_params ? nlohmann::json(*model.checkpoint_params) : nlohmann::json(nullptr);
  return doc;
}

}  // namespace trainctl::estimate
