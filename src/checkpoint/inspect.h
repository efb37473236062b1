// One entry point for any checkpoint, file or folder: PyTorch files (zip, legacy, TorchScript,
// Lightning .ckpt, nanoGPT), safetensors, Hugging Face Trainer folders (checkpoint-N/), DeepSpeed
// folders (latest + global_stepN/) and torch.distributed.checkpoint folders (.metadata + *.distcp).
// Never fails: what cannot be read is reported as invalid with the reason.
#pragma once

#include <optional>
#include <string>

#include "checkpoint/checkpoint_info.h"
#include "checkpoint/torch_file.h"
#include "core/result.h"

namespace trainctl::checkpoint {

CheckpointInfo inspect_checkpoint(const std::string& path, const InspectOptions& options = {});

// inspect_checkpoint for a path a user named: kNotFound when nothing is there at all.
core::Result<CheckpointInfo> show_checkpoint(const std::string& path, const InspectOptions& options = {});

// The step or epoch a checkpoint's name carries ("step_400.pt", "checkpoint-500",
// "epoch=3-step=1200.ckpt", "global_step1000", "ckpt_e7.pt").
struct NameNumbers {
  std::optional<std::int64_t> step;
  std::optional<std::int64_t> epoch;
};
NameNumbers numbers_from_name(const std::string& name);

}  // namespace trainctl::checkpoint
