// Exact parameter counts of a ModelShape, tensor by tensor, as the reference PyTorch models hold
// them (tests/estimate/measure_memory.py builds the same models): the totals match
// sum(p.numel() for p in model.parameters()) and the number of parameter tensors, which the
// optimizer's per-tensor state depends on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "estimate/model_shape.h"

namespace trainctl::estimate {

struct ParamTensor {
  std::string name;          // "layers.*.q_proj.weight"
  std::int64_t rows = 0;
  std::int64_t cols = 1;     // 1 for vectors (biases, norms)
  std::int64_t repeat = 1;   // one per layer: n_layers
  bool linear_weight = false;  // a matmul weight inside a block (LoRA adapts these)

  std::int64_t elements() const { return rows * cols; }
};

struct ParamGroup {
  std::string name;          // "embedding", "layers (x32)", "final norm", "output layer"
  std::int64_t count = 0;    // parameters, all repetitions included
  std::int64_t tensors = 0;
};

struct ParamCount {
  std::int64_t total = 0;
  std::int64_t tensors = 0;
  std::int64_t largest_tensor = 0;   // elements of the largest single tensor
  std::int64_t lookup_only = 0;      // tables only looked up (no matmul FLOPs): untied token, positions
  std::vector<ParamTensor> list;
  std::vector<ParamGroup> groups;
};

ParamCount count_params(const ModelShape& shape);

nlohmann::json to_json(const ParamCount& count);

}  // namespace trainctl::estimate
