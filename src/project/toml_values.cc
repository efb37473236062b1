// TOML into JSON for the project readers (pyproject.toml, TOML configs). toml++ is compiled
// header-only, so it lives in as few translation units as possible: this one for src/project,
// with exactly the settings src/safety/project_policy.cc uses, so the inline definitions agree.
#include <sstream>

#include <fmt/format.h>
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include "project/config_file.h"

namespace trainctl::project {
namespace {

nlohmann::json to_json(const toml::node& node, int depth) {
  if (depth > kMaxConfigDepth) return nullptr;
  if (const auto* table = node.as_table()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, value] : *table) out[std::string(key.str())] = to_json(value, depth + 1);
    return out;
  }
  if (const auto* array = node.as_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& value : *array) out.push_back(to_json(value, depth + 1));
    return out;
  }
  if (auto v = node.value_exact<std::string>()) return *v;
  if (auto v = node.value_exact<std::int64_t>()) return *v;
  if (auto v = node.value_exact<double>()) return *v;
  if (auto v = node.value_exact<bool>()) return *v;
  std::ostringstream text;  // dates and times: as TOML writes them
  if (const auto* d = node.as_date()) text << *d;
  if (const auto* t = node.as_time()) text << *t;
  if (const auto* dt = node.as_date_time()) text << *dt;
  return text.str();
}

}  // namespace

core::Result<nlohmann::json> parse_toml(std::string_view text) {
  if (text.size() > kMaxConfigBytes) return core::Error::failure(fmt::format("larger than {} bytes", kMaxConfigBytes));
  toml::parse_result result = toml::parse(text);
  if (!result) {
    const auto& error = result.error();
    return core::Error::failure(fmt::format("TOML error at line {}, column {}: {}", error.source().begin.line,
                                            error.source().begin.column, error.description()));
  }
  return to_json(result.table(), 0);
}

}  // namespace trainctl::project
