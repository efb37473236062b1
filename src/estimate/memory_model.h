// GPU memory of one training step, per GPU, by component: weights, gradients, optimizer state,
// the activations saved for backward at the end of the forward pass, the transient peak on top
// of them, and the CUDA runtime's overhead. Activations are counted tensor by tensor as the
// reference models (GPT-2 as nanoGPT writes it, LLaMA as Hugging Face's eager code does) save
// them under each precision; tests/estimate/ checks every figure against a real PyTorch step.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "estimate/model_shape.h"
#include "estimate/param_count.h"

namespace trainctl::estimate {

enum class Precision { kFp32, kBf16Mixed, kFp16Mixed, kBf16Pure };
enum class OptimizerKind { kAdamW, kSgd, kSgdMomentum, kLion, kAdafactor, kAdam8bit };
enum class Checkpointing { kNone, kFull };
enum class AttentionKind { kEager, kFlash };

const char* precision_name(Precision p);
const char* optimizer_name(OptimizerKind o);

struct TrainingSetting {
  std::int64_t micro_batch = 1;
  std::int64_t seq = 0;            // tokens per sequence; 0: the model's max_seq
  std::int64_t grad_accum = 1;
  Precision precision = Precision::kFp32;
  OptimizerKind optimizer = OptimizerKind::kAdamW;
  Checkpointing checkpointing = Checkpointing::kNone;
  AttentionKind attention = AttentionKind::kEager;
  bool fused_loss = false;         // chunked/fused cross-entropy: the full logits are never held
  std::int64_t gpus = 1;           // data parallel
  int zero = 0;                    // ZeRO stage 0..3 (3 = FSDP full shard)
  std::int64_t lora_rank = 0;      // 0: full training; else adapters on every block matmul
  int lora_base_bits = 16;         // the frozen base under LoRA: 16, or 4 (QLoRA)
  bool on_gpu = true;              // add the CUDA runtime's overhead; foreach optimizer kernels
};

struct MemoryBreakdown {
  std::int64_t trainable = 0;      // parameters that get gradients
  std::int64_t weights = 0;
  std::int64_t gradients = 0;
  std::int64_t optimizer = 0;
  std::int64_t activations = 0;
  std::int64_t transient = 0;      // the peak beyond weights, optimizer and the phase's tensors
  std::int64_t overhead = 0;       // CUDA context, cuBLAS workspace, allocator slack (0 off the GPU)
  std::int64_t peak = 0;           // all of it, at the step's highest moment
  std::string peak_phase;          // "backward" (activations live) or "optimizer" (gradients live)
};

MemoryBreakdown estimate_memory(const ModelShape& shape, const ParamCount& params, const TrainingSetting& setting);

nlohmann::json to_json(const MemoryBreakdown& memory);

}  // namespace trainctl::estimate
