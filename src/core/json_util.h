// Small helpers for the JSON documents every command prints: unknown values are null, never
// omitted, so that field sets stay stable for agents and scripts.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

namespace trainctl::core {

template <typename T>
nlohmann::json json_or_null(const std::optional<T>& value) {
  if (value) return nlohmann::json(*value);
  return nullptr;
}

}  // namespace trainctl::core
