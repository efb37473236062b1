#include "project/config_file.h"

#include <cerrno>
#include <cstdlib>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "project/file_text.h"
#include "project/python_module.h"

namespace trainctl::project {
namespace {

struct Limit {
  std::string why;
};

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

// A plain YAML scalar read the way PyYAML and OmegaConf read it: null, booleans, integers and
// floats (with or without a dot before the exponent), else a string.
nlohmann::json plain_scalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  static const std::set<std::string> kTrue = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static const std::set<std::string> kFalse = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
  if (kTrue.count(text)) return true;
  if (kFalse.count(text)) return false;
  std::string digits;
  for (char c : text) {
    if (c != '_') digits += c;
  }
  char first = digits[0];
  if ((first >= '0' && first <= '9') || first == '-' || first == '+' || first == '.') {
    errno = 0;
    char* end = nullptr;
    if (digits.find_first_of(".eE") == std::string::npos || digits.rfind("0x", 0) == 0) {
      long long v = std::strtoll(digits.c_str(), &end, 0);
      if (*end == '\0' && errno == 0) return v;
    }
    double d = std::strtod(digits.c_str(), &end);
    if (*end == '\0' && errno == 0) return d;
  }
  if (text == ".inf" || text == ".Inf") return std::numeric_limits<double>::infinity();
  return text;
}

nlohmann::json convert(const YAML::Node& node, int depth, std::size_t& count) {
  if (++count > kMaxConfigNodes) throw Limit{fmt::format("more than {} values (aliases included)", kMaxConfigNodes)};
  if (depth > kMaxConfigDepth) throw Limit{fmt::format("nested deeper than {} levels", kMaxConfigDepth)};
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags a quoted scalar "!" and a plain one "?": quotes always make a string.
      return node.Tag() == "!" ? nlohmann::json(node.Scalar()) : plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(convert(item, depth + 1, count));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      nlohmann::json merged = nlohmann::json::object();
      for (const auto& item : node) {
        std::string key = item.first.IsScalar() ? item.first.Scalar() : YAML::Dump(item.first);
        nlohmann::json value = convert(item.second, depth + 1, count);
        if (key == "<<" && item.first.Tag() != "!") {  // a merge key: its mappings fill in, never override
          for (const auto& source : value.is_array() ? value : nlohmann::json::array({value})) {
            if (source.is_object()) merged.update(source, false);
          }
          continue;
        }
        out[key] = std::move(value);
      }
      for (auto& [key, value] : merged.items()) {
        if (!out.contains(key)) out[key] = value;
      }
      return out;
    }
  }
  return nullptr;
}

void flatten(const nlohmann::json& value, const std::string& prefix, std::vector<std::pair<std::string, const nlohmann::json*>>& out,
             int depth) {
  if (!value.is_object() || depth > kMaxConfigDepth) return;
  for (const auto& [key, child] : value.items()) {
    std::string path = prefix.empty() ? key : prefix + "." + key;
    out.emplace_back(path, &child);
    flatten(child, path, out, depth + 1);
  }
}

std::string last_component(const std::string& dotted) {
  std::size_t dot = dotted.rfind('.');
  return lower(dot == std::string::npos ? dotted : dotted.substr(dot + 1));
}

std::string parent_component(const std::string& dotted) {
  std::size_t dot = dotted.rfind('.');
  if (dot == std::string::npos) return "";
  std::string parent = dotted.substr(0, dot);
  return last_component(parent);
}

std::optional<FactKind> fact_kind_of(const std::string& dotted) {
  static const std::set<std::string> kDataset = {"dataset", "dataset_name", "dataset_path", "data_path", "train_file",
                                                 "train_data", "data_dir", "data_root", "corpus", "train_path",
                                                 "dataset_config_name", "train_data_path", "data_file"};
  static const std::set<std::string> kModel = {
      "n_layer",  "n_layers",      "num_layers",  "num_hidden_layers", "n_head",      "n_heads",     "num_heads",
      "num_attention_heads",      "d_model",     "n_embd",            "hidden_size", "hidden_dim",  "embed_dim",
      "model_name_or_path",       "model_name",  "model_type",        "block_size",  "context_length",
      "max_seq_len", "seq_len",   "d_ff",        "n_kv_heads"};
  static const std::set<std::string> kBatch = {"batch_size", "train_batch_size", "per_device_train_batch_size",
                                               "micro_batch_size", "global_batch_size", "gradient_accumulation_steps",
                                               "accumulate_grad_batches"};
  static const std::set<std::string> kLr = {"lr", "learning_rate", "max_lr", "base_lr", "peak_lr"};
  static const std::set<std::string> kSteps = {"max_steps", "max_iters", "num_train_steps", "total_steps",
                                               "train_steps", "max_epochs", "num_train_epochs", "epochs", "num_epochs"};
  static const std::set<std::string> kOutput = {"output_dir", "out_dir", "checkpoint_dir", "ckpt_dir", "save_dir",
                                                "default_root_dir", "dirpath", "save_path", "output_path",
                                                "checkpoints_dir", "run_dir"};
  std::string leaf = last_component(dotted);
  std::string parent = parent_component(dotted);
  if (kDataset.count(leaf)) return FactKind::kDataset;
  if ((parent == "data" || parent == "dataset") && (leaf == "path" || leaf == "name" || leaf == "dataset")) {
    return FactKind::kDataset;
  }
  if (kModel.count(leaf) || (parent == "model" && (leaf == "name" || leaf == "dim" || leaf == "depth"))) {
    return FactKind::kModel;
  }
  if (kBatch.count(leaf)) return FactKind::kBatchSize;
  if (kLr.count(leaf)) return FactKind::kLearningRate;
  if (kSteps.count(leaf)) return FactKind::kSteps;
  if (kOutput.count(leaf)) return FactKind::kOutputDir;
  return std::nullopt;
}

}  // namespace

const char* config_format_name(ConfigFormat format) {
  switch (format) {
    case ConfigFormat::kYaml: return "yaml";
    case ConfigFormat::kJson: return "json";
    case ConfigFormat::kToml: return "toml";
    case ConfigFormat::kPython: return "python";
  }
  return "yaml";
}

std::optional<ConfigFormat> config_format_for(const std::string& path) {
  std::string p = lower(path);
  if (ends_with(p, ".yaml") || ends_with(p, ".yml")) return ConfigFormat::kYaml;
  if (ends_with(p, ".json")) return ConfigFormat::kJson;
  if (ends_with(p, ".toml")) return ConfigFormat::kToml;
  if (ends_with(p, ".py")) return ConfigFormat::kPython;
  return std::nullopt;
}

const char* fact_kind_name(FactKind kind) {
  switch (kind) {
    case FactKind::kDataset: return "dataset";
    case FactKind::kModel: return "model";
    case FactKind::kBatchSize: return "batch_size";
    case FactKind::kLearningRate: return "learning_rate";
    case FactKind::kSteps: return "steps";
    case FactKind::kOutputDir: return "output_dir";
  }
  return "model";
}

const ConfigFact* ConfigFile::fact(FactKind kind) const {
  for (const auto& f : facts) {
    if (f.kind == kind) return &f;
  }
  return nullptr;
}

core::Result<nlohmann::json> parse_yaml(std::string_view text) {
  if (text.size() > kMaxConfigBytes) {
    return core::Error::failure(fmt::format("larger than {} bytes", kMaxConfigBytes));
  }
  try {
    // A file of several documents (---) is read as its first; configs are one document.
    YAML::Node node = YAML::Load(std::string(text));
    std::size_t count = 0;
    nlohmann::json out = convert(node, 0, count);
    return out.is_null() ? nlohmann::json::object() : out;
  } catch (const YAML::Exception& e) {
    return core::Error::failure(fmt::format("YAML error at line {}, column {}: {}", e.mark.line + 1, e.mark.column + 1, e.msg));
  } catch (const Limit& limit) {
    return core::Error::failure(limit.why);
  } catch (const std::exception& e) {
    return core::Error::failure(fmt::format("YAML error: {}", e.what()));
  }
}

nlohmann::json python_config_values(std::string source) {
  PythonModule module = read_python(std::move(source));
  nlohmann::json out = nlohmann::json::object();
  for (const PythonAssignment& a : module.assignments) {
    if (a.name.empty() || a.name[0] == '_') continue;
    auto value = module.literal(a.value);
    out[a.name] = value ? *value : nlohmann::json(module.text(a.value));
  }
  return out;
}

ConfigFile parse_config(const std::string& path, ConfigFormat format, std::string_view text) {
  ConfigFile config;
  config.path = path;
  config.format = format;
  core::Result<nlohmann::json> values = nlohmann::json::object();
  switch (format) {
    case ConfigFormat::kYaml: {
      values = parse_yaml(text);
      // Hydra's package header: `# @package _global_` on a line of its own before any value.
      std::size_t at = text.find("# @package");
      if (at != std::string_view::npos && (at == 0 || text[at - 1] == '\n')) {
        std::size_t end = text.find('\n', at);
        std::string header(text.substr(at + 10, end == std::string_view::npos ? std::string_view::npos : end - at - 10));
        while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.erase(0, 1);
        while (!header.empty() && (header.back() == ' ' || header.back() == '\r')) header.pop_back();
        config.hydra_package = header;
      }
      break;
    }
    case ConfigFormat::kJson: {
      auto parsed = nlohmann::json::parse(text, nullptr, false);
      if (parsed.is_discarded()) {
        values = core::Error::failure("not valid JSON");
      } else {
        values = std::move(parsed);
      }
      break;
    }
    case ConfigFormat::kToml: values = parse_toml(text); break;
    case ConfigFormat::kPython: values = python_config_values(std::string(text)); break;
  }
  if (!values) {
    config.error = values.error().message;
    return config;
  }
  config.values = std::move(*values);
  config.facts = config_facts(config.values);
  return config;
}

ConfigFile read_config(const std::string& path) {
  std::optional<ConfigFormat> format = config_format_for(path);
  auto text = read_file_text(path, kMaxConfigBytes);
  if (!format || !text || text->truncated) {
    ConfigFile config;
    config.path = path;
    config.format = format.value_or(ConfigFormat::kYaml);
    config.error = !format ? "not a config format trainctl reads (YAML, JSON, TOML, Python)"
                   : !text ? text.error().message
                           : fmt::format("larger than {} bytes", kMaxConfigBytes);
    return config;
  }
  return parse_config(path, *format, text->text);
}

std::vector<ConfigFact> config_facts(const nlohmann::json& values) {
  std::vector<std::pair<std::string, const nlohmann::json*>> flat;
  flatten(values, "", flat, 0);
  std::vector<ConfigFact> facts;
  for (const auto& [key, value] : flat) {
    if (value->is_object() || value->is_array()) continue;
    if (auto kind = fact_kind_of(key)) facts.push_back({*kind, key, *value});
  }
  std::stable_sort(facts.begin(), facts.end(),
                   [](const ConfigFact& a, const ConfigFact& b) { return static_cast<int>(a.kind) < static_cast<int>(b.kind); });
  return facts;
}

const nlohmann::json* value_at(const nlohmann::json& values, const std::string& dotted) {
  const nlohmann::json* node = &values;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    std::size_t dot = dotted.find('.', start);
    std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
  return nullptr;
}

std::vector<std::string> keys_named(const nlohmann::json& values, const std::vector<std::string>& names) {
  std::vector<std::pair<std::string, const nlohmann::json*>> flat;
  flatten(values, "", flat, 0);
  std::vector<std::string> out;
  for (const auto& [key, value] : flat) {
    std::string leaf = last_component(key);
    for (const auto& name : names) {
      if (leaf == name) out.push_back(key);
    }
  }
  return out;
}

}  // namespace trainctl::project
