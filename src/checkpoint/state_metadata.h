// Reads what a training checkpoint's pickled object says about its run: step, epoch, metrics,
// config, the model's parameter count and bytes by dtype, the optimizer and who wrote it. Works
// on the value tree alone, whatever the container (zip, legacy stream); never reads payloads
// except, through read_scalar, single-element tensors that hold a metric (nanoGPT's best_val_loss).
#pragma once

#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "checkpoint/checkpoint_info.h"
#include "checkpoint/pickle_value.h"

namespace trainctl::checkpoint {

// Reads the value of a one-element tensor from the checkpoint's payload; nullopt when it cannot.
using ScalarReader = std::function<std::optional<double>(const TensorRef&)>;

// Fills step, epoch, metrics, config, param_count, dtypes, tensor_bytes, optimizer, framework.
void extract_state_metadata(const PickleDocument& doc, const ScalarReader& read_scalar, CheckpointInfo& info);

// A config-like value as plain JSON: dicts, Namespaces and omegaconf containers become objects,
// lists and tuples arrays; anything else is rendered as pickle_json does.
nlohmann::json plain_json(const PickleDocument& doc, NodeIndex index, const ScalarReader& read_scalar);

// Elements of a tensor (1 for a 0-dim tensor).
std::uint64_t tensor_numel(const TensorRef& tensor);

}  // namespace trainctl::checkpoint
