// Reads a training config — YAML, JSON, TOML, or a Python module of assignments (nanoGPT's
// config/*.py) — into JSON, and picks out the facts a person checks before launching a run: the
// dataset, the model's size fields, batch size, learning rate, steps or epochs, and where
// checkpoints go. Never runs Python. Bounded: kMaxConfigBytes per file, kMaxConfigNodes values
// (YAML aliases included) and kMaxConfigDepth levels; a file past a limit is an error, not a crash.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace trainctl::project {

inline constexpr std::size_t kMaxConfigBytes = 1024 * 1024;
inline constexpr std::size_t kMaxConfigNodes = 100'000;
inline constexpr int kMaxConfigDepth = 64;

enum class ConfigFormat { kYaml, kJson, kToml, kPython };
const char* config_format_name(ConfigFormat format);
// By extension: .yaml/.yml, .json, .toml, .py; nullopt for anything else.
std::optional<ConfigFormat> config_format_for(const std::string& path);

enum class FactKind { kDataset, kModel, kBatchSize, kLearningRate, kSteps, kOutputDir };
const char* fact_kind_name(FactKind kind);

struct ConfigFact {
  FactKind kind = FactKind::kModel;
  std::string key;           // dotted path in the config: "train.lr", "model.n_layer"
  nlohmann::json value;
};

struct ConfigFile {
  std::string path;          // absolute
  ConfigFormat format = ConfigFormat::kYaml;
  nlohmann::json values = nlohmann::json::object();
  std::vector<ConfigFact> facts;
  std::optional<std::string> error;  // why it could not be read; values are then empty
  std::string hydra_package;         // a Hydra `# @package X` header, "" when none

  // The first fact of a kind, if any.
  const ConfigFact* fact(FactKind kind) const;
};

// Reads and parses one file (format by extension). Never fails: errors are kept in `error`.
ConfigFile read_config(const std::string& path);
// The same from text already read (tests, and configs found inside other files).
ConfigFile parse_config(const std::string& path, ConfigFormat format, std::string_view text);

core::Result<nlohmann::json> parse_yaml(std::string_view text);
core::Result<nlohmann::json> parse_toml(std::string_view text);  // toml_values.cc
// A Python config module's module-level assignments: literals as values, anything else as its
// source text.
nlohmann::json python_config_values(std::string source);

std::vector<ConfigFact> config_facts(const nlohmann::json& values);

// The value at a dotted path ("train.lr"), or nullptr when absent.
const nlohmann::json* value_at(const nlohmann::json& values, const std::string& dotted);
// Every dotted path whose last component is one of `names` (keys sorted at each level).
std::vector<std::string> keys_named(const nlohmann::json& values, const std::vector<std::string>& names);

}  // namespace trainctl::project
