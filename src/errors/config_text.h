// A training config read as text: YAML, JSON, TOML and Python `key = value` files (nanoGPT-style
// configs), line by line. It finds keys with their dotted paths and the exact bytes of their
// values, and rewrites only those bytes, so comments, order and formatting survive a change. It is
// not a full parser of any of these formats: flow mappings, multi-line strings and anchors are
// left alone (their keys are simply not found). Limits: kMaxConfigBytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trainctl::errors {

inline constexpr std::size_t kMaxConfigBytes = 4 * 1024 * 1024;

enum class ConfigFormat { kYaml, kJson, kToml, kPython };

struct ConfigValue {
  std::string path;           // "train.batch_size"
  std::string key;            // "batch_size"
  std::size_t line = 0;       // 0-based
  std::size_t begin = 0;      // the value's bytes within the line
  std::size_t end = 0;
  std::string text;           // the value as written ("16", "3.0e-3", "true", "\"bf16\"")
  std::size_t indent = 0;     // of the key
};

struct ValueEdit {
  std::size_t line = 0;
  std::size_t begin = 0, end = 0;
  std::string text;
};

struct LineInsert {
  std::size_t after_line = 0;  // 0-based; the new line goes after it
  std::string text;            // without the newline
};

class ConfigText {
 public:
  // The format from the file name (.yaml/.yml, .json, .toml, .py); YAML otherwise.
  static ConfigText parse(std::string text, std::string_view file_name);

  ConfigFormat format() const { return format_; }
  const std::string& text() const { return text_; }
  const std::vector<ConfigValue>& values() const { return values_; }

  // The value at `key`: a full dotted path ("train.lr"), or a last component ("lr") when only one
  // value has it. nullopt when absent or ambiguous.
  const ConfigValue* find(std::string_view key) const;
  // A new line setting `key` (the last component) to `value`, written like `sibling`'s line.
  std::string line_like(const ConfigValue& sibling, std::string_view key, std::string_view value) const;
  // The text with the edits applied (edits on distinct lines or disjoint ranges).
  std::string with(const std::vector<ValueEdit>& edits, const std::vector<LineInsert>& inserts) const;

 private:
  ConfigFormat format_ = ConfigFormat::kYaml;
  std::string text_;
  std::vector<std::string_view> lines_;  // without newlines, into text_
  std::vector<ConfigValue> values_;
};

// Parses a config scalar: integers, decimals and exponents ("3.0e-3", "1e6").
std::optional<double> config_number(std::string_view text);
// "true"/"false" in any case; nullopt otherwise.
std::optional<bool> config_bool(std::string_view text);

}  // namespace trainctl::errors
