// Renders a pickle value as JSON for people and agents: tensors as {"tensor": {...}}, opaque
// objects as {"object": "module.name", ...}. Safe on any document: cycles print as {"cycle": ...},
// and depth, values, items per container and string length are capped.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "checkpoint/pickle_value.h"

namespace trainctl::checkpoint {

struct PickleJsonLimits {
  std::size_t max_depth = 32;           // deeper values print as "…"
  std::size_t max_values = 10'000;      // values rendered in all; shared values count each time
  std::size_t max_items = 100;          // items shown per container, then "… N more"
  std::size_t max_string_bytes = 1024;  // longer strings are cut (at a character boundary)
};

nlohmann::json to_json(const PickleDocument& doc, NodeIndex index, const PickleJsonLimits& limits = {});

}  // namespace trainctl::checkpoint
