// Decodes one element of a tensor's raw little-endian bytes into a double (for metrics stored as
// 0-dim tensors: nanoGPT's best_val_loss, Lightning's best_model_score).
#pragma once

#include <optional>
#include <span>
#include <string>

namespace trainctl::checkpoint {

std::optional<double> decode_scalar(std::span<const unsigned char> bytes, const std::string& dtype);

}  // namespace trainctl::checkpoint
