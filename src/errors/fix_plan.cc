#include "errors/fix_plan.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>

#include "errors/unified_diff.h"

namespace trainctl::errors {
namespace {

// In the order they are preferred when a config has several.
constexpr std::array<std::string_view, 7> kBatchKeys = {
    "per_device_train_batch_size", "train_micro_batch_size_per_gpu", "micro_batch_size", "batch_size_per_gpu",
    "train_batch_size_per_device", "batch_size", "train_batch_size"};
constexpr std::array<std::string_view, 7> kAccumulationKeys = {
    "gradient_accumulation_steps", "accumulate_grad_batches", "grad_accum_steps", "gradient_accumulation",
    "accumulation_steps", "accum_steps", "grad_accum"};
constexpr std::array<std::string_view, 5> kLearningRateKeys = {"learning_rate", "lr", "max_lr", "base_lr", "peak_lr"};

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

std::string strip_quotes(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) return std::string(v.substr(1, v.size() - 2));
  return std::string(v);
}

std::optional<long> as_int(std::string_view v) {
  std::string s = strip_quotes(v);
  if (s.empty() || s.size() > 12) return std::nullopt;
  long out = 0;
  for (char c : s) {
    if (c == '_') continue;
    if (c < '0' || c > '9') return std::nullopt;
    out = out * 10 + (c - '0');
  }
  return out;
}

// A learning rate divided by ten, written the way the config wrote it: "1.0e+4" becomes "1.0e+3"
// (the exponent lowered, so the mantissa, sign and digits stay as the user wrote them), "0.001"
// becomes "0.0001".
std::string tenth(std::string_view written, double value) {
  std::string w = strip_quotes(written);
  std::size_t e = w.find_first_of("eE");
  if (e != std::string::npos) {
    std::string mantissa = w.substr(0, e + 1);
    std::string exp = w.substr(e + 1);
    bool plus = !exp.empty() && exp[0] == '+';
    std::size_t digits_at = (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) ? 1 : 0;
    std::size_t width = exp.size() - digits_at;
    char* end = nullptr;
    long n = std::strtol(exp.c_str(), &end, 10);
    if (end && *end == '\0' && width > 0) {
      long lowered = n - 1;
      std::string digits = std::to_string(lowered < 0 ? -lowered : lowered);
      while (digits.size() < width) digits.insert(digits.begin(), '0');
      std::string sign = lowered < 0 ? "-" : (plus ? "+" : "");
      return mantissa + sign + digits;
    }
  }
  return fmt::format("{:g}", value / 10);
}

// The config value for `keys` in preference order: a full match of the last component.
const ConfigValue* first_of(const ConfigText& config, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) {
    for (const auto& v : config.values()) {
      if (v.key == k) return &v;
    }
  }
  return nullptr;
}

template <std::size_t N>
const ConfigValue* first_of(const ConfigText& config, const std::array<std::string_view, N>& keys,
                            bool (*extra)(std::string_view) = nullptr) {
  for (std::string_view k : keys) {
    for (const auto& v : config.values()) {
      if (v.key == k) return &v;
    }
  }
  if (extra) {
    for (const auto& v : config.values()) {
      if (extra(v.key)) return &v;
    }
  }
  return nullptr;
}

std::optional<ConfigPatch> finish_patch(const ConfigText& config, const std::string& file, const std::string& display,
                                        const std::vector<ValueEdit>& edits, const std::vector<LineInsert>& inserts,
                                        std::vector<ConfigChange> changes, std::vector<std::string> notes) {
  if (edits.empty() && inserts.empty()) return std::nullopt;
  ConfigPatch p;
  p.file = file;
  p.display = display;
  p.original = config.text();
  p.patched = config.with(edits, inserts);
  auto diff = unified_diff(p.original, p.patched, "a/" + display, "b/" + display);
  if (!diff || diff->empty()) return std::nullopt;
  p.diff = *diff;
  p.changes = std::move(changes);
  p.notes = std::move(notes);
  return p;
}

}  // namespace

bool is_batch_key(std::string_view key) {
  if (std::find(kBatchKeys.begin(), kBatchKeys.end(), key) != kBatchKeys.end()) return true;
  if (!contains(key, "batch_size")) return false;
  for (std::string_view not_train : {"eval", "val", "test", "predict", "infer", "global", "max_", "min_", "auto"}) {
    if (contains(key, not_train)) return false;
  }
  return true;
}

bool is_accumulation_key(std::string_view key) {
  return std::find(kAccumulationKeys.begin(), kAccumulationKeys.end(), key) != kAccumulationKeys.end();
}

bool is_learning_rate_key(std::string_view key) {
  return std::find(kLearningRateKeys.begin(), kLearningRateKeys.end(), key) != kLearningRateKeys.end();
}

nlohmann::json ConfigChange::to_json() const {
  return {{"key", key}, {"from", from.empty() ? nlohmann::json(nullptr) : nlohmann::json(from)}, {"to", to}, {"why", why}};
}

nlohmann::json ConfigPatch::to_json() const {
  nlohmann::json changes_json = nlohmann::json::array();
  for (const auto& c : changes) changes_json.push_back(c.to_json());
  return {{"file", display}, {"kind", is_command ? "command" : "config"}, {"diff", diff}, {"changes", changes_json},
          {"notes", notes}};
}

std::optional<std::string> accumulation_setting(const ProjectCode& code, const ConfigText& config) {
  // A DeepSpeed config takes gradient_accumulation_steps itself.
  if (config.find("zero_optimization.stage") || first_of(config, {"train_micro_batch_size_per_gpu"})) {
    return std::string("gradient_accumulation_steps");
  }
  for (const std::string& text : code.texts) {
    for (std::string_view key : kAccumulationKeys) {
      if (contains(text, key)) return std::string(key);
    }
    // The Hugging Face Trainer reads it from its arguments; Lightning's Trainer takes the other name.
    if (contains(text, "TrainingArguments") || contains(text, "HfArgumentParser") || contains(text, "SFTConfig")) {
      return std::string("gradient_accumulation_steps");
    }
    if (contains(text, "lightning") && contains(text, "Trainer(")) return std::string("accumulate_grad_batches");
  }
  return std::nullopt;
}

std::optional<ConfigPatch> plan_memory_patch(const ConfigText& config, const std::string& file,
                                             const std::string& display, const ProjectCode& code) {
  std::vector<ValueEdit> edits;
  std::vector<LineInsert> inserts;
  std::vector<ConfigChange> changes;
  std::vector<std::string> notes;

  const ConfigValue* batch = first_of(config, kBatchKeys, is_batch_key);
  const ConfigValue* accum = first_of(config, kAccumulationKeys);
  auto micro = batch ? as_int(batch->text) : std::nullopt;
  if (batch && micro && *micro >= 2) {
    long half = *micro / 2;
    edits.push_back({batch->line, batch->begin, batch->end, std::to_string(half)});
    changes.push_back({batch->path, batch->text, std::to_string(half), "half the micro-batch: half the activation memory"});
    auto steps = accum ? as_int(accum->text) : std::nullopt;
    if (accum && steps && *steps >= 1) {
      edits.push_back({accum->line, accum->begin, accum->end, std::to_string(*steps * 2)});
      changes.push_back({accum->path, accum->text, std::to_string(*steps * 2),
                         fmt::format("twice the accumulation: the effective batch stays {} per GPU", *micro * *steps)});
      if (*micro % 2) {
        notes.push_back(fmt::format("{} is odd: the effective batch per GPU becomes {} instead of {}.", batch->path,
                                    half * *steps * 2, *micro * *steps));
      }
    } else if (auto name = accumulation_setting(code, config)) {
      inserts.push_back({batch->line, config.line_like(*batch, *name, "2")});
      changes.push_back({*name, "", "2", fmt::format("accumulate 2 micro-batches: the effective batch stays {} per GPU", *micro)});
    } else {
      notes.push_back(fmt::format(
          "This project has no gradient-accumulation setting, so halving {} also halves the effective batch ({} -> {}); "
          "add accumulation to the training loop, or lower the learning rate with the batch.",
          batch->path, *micro, half));
    }
  } else if (batch && micro && *micro == 1) {
    notes.push_back(fmt::format("{} is already 1; the other changes below, or a smaller sequence length, are left.", batch->path));
  }
  // Switches that are off and save memory when on.
  for (std::string_view key : {"gradient_checkpointing", "activation_checkpointing", "use_gradient_checkpointing"}) {
    const ConfigValue* v = first_of(config, {key});
    if (v && config_bool(v->text) == false) {
      std::string on = v->text == "False" ? "True" : "true";
      edits.push_back({v->line, v->begin, v->end, on});
      changes.push_back({v->path, v->text, on, "recompute activations in backward: 30-60% less activation memory"});
      break;
    }
  }
  const ConfigValue* bf16 = first_of(config, {"bf16"});
  const ConfigValue* fp16 = first_of(config, {"fp16"});
  if (bf16 && config_bool(bf16->text) == false && !(fp16 && config_bool(fp16->text) == true)) {
    std::string on = bf16->text == "False" ? "True" : "true";
    edits.push_back({bf16->line, bf16->begin, bf16->end, on});
    changes.push_back({bf16->path, bf16->text, on, "bf16 mixed precision halves activation memory (Ampere or newer)"});
  } else if (const ConfigValue* mp = first_of(config, {"mixed_precision"}); mp && (strip_quotes(mp->text) == "no" || strip_quotes(mp->text) == "fp32")) {
    std::string quoted = mp->text.front() == '"' ? "\"bf16\"" : (mp->text.front() == '\'' ? "'bf16'" : "bf16");
    edits.push_back({mp->line, mp->begin, mp->end, quoted});
    changes.push_back({mp->path, mp->text, quoted, "bf16 mixed precision halves activation memory (Ampere or newer)"});
  } else if (const ConfigValue* pr = first_of(config, {"precision"}); pr && (strip_quotes(pr->text) == "32" || strip_quotes(pr->text) == "32-true")) {
    std::string value = "\"bf16-mixed\"";
    edits.push_back({pr->line, pr->begin, pr->end, value});
    changes.push_back({pr->path, pr->text, value, "bf16 mixed precision halves activation memory (Ampere or newer)"});
  }
  return finish_patch(config, file, display, edits, inserts, std::move(changes), std::move(notes));
}

std::optional<ConfigPatch> plan_nan_patch(const ConfigText& config, const std::string& file, const std::string& display) {
  std::vector<ValueEdit> edits;
  std::vector<ConfigChange> changes;
  std::vector<std::string> notes;
  const ConfigValue* lr = first_of(config, kLearningRateKeys);
  if (lr) {
    if (auto v = config_number(lr->text); v && *v > 0) {
      std::string lower = tenth(lr->text, *v);
      edits.push_back({lr->line, lr->begin, lr->end, lower});
      changes.push_back({lr->path, lr->text, lower, "a learning rate ten times lower"});
      // A floor above the new peak would be rejected by schedules that decay to it.
      for (std::string_view floor_key : {"min_lr", "min_learning_rate", "lr_min", "final_lr"}) {
        const ConfigValue* floor = first_of(config, {floor_key});
        auto fv = floor ? config_number(floor->text) : std::nullopt;
        if (floor && fv && *fv >= *v / 10) {
          std::string f = tenth(floor->text, *fv);
          edits.push_back({floor->line, floor->begin, floor->end, f});
          changes.push_back({floor->path, floor->text, f, "keep the floor below the new peak"});
        }
      }
    }
  }
  const ConfigValue* fp16 = first_of(config, {"fp16"});
  const ConfigValue* bf16 = first_of(config, {"bf16"});
  if (fp16 && config_bool(fp16->text) == true && bf16 && config_bool(bf16->text) == false) {
    std::string off = fp16->text == "True" ? "False" : "false";
    std::string on = bf16->text == "False" ? "True" : "true";
    edits.push_back({fp16->line, fp16->begin, fp16->end, off});
    edits.push_back({bf16->line, bf16->begin, bf16->end, on});
    changes.push_back({fp16->path, fp16->text, off, "fp16 overflows above 65504"});
    changes.push_back({bf16->path, bf16->text, on, "bf16 has fp32's range (Ampere or newer)"});
  }
  const ConfigValue* warmup = first_of(config, {"warmup_steps", "warmup_iters", "warmup_ratio"});
  if (warmup && config_number(warmup->text) == 0.0) {
    notes.push_back(fmt::format("{} is 0: a warmup of a few hundred steps also steadies the first steps.", warmup->path));
  }
  return finish_patch(config, file, display, edits, {}, std::move(changes), std::move(notes));
}

std::optional<ConfigPatch> plan_vocab_patch(const ConfigText& config, const std::string& file, const std::string& display,
                                            long data_vocab) {
  const ConfigValue* v = first_of(config, {"vocab_size", "n_vocab", "num_tokens"});
  auto current = v ? as_int(v->text) : std::nullopt;
  if (!v || !current || *current == 0 || *current >= data_vocab) return std::nullopt;
  std::string to = std::to_string(data_vocab);
  return finish_patch(config, file, display, {{v->line, v->begin, v->end, to}}, {},
                      {{v->path, v->text, to, "the embedding needs a row for every token id the data has"}}, {});
}

std::vector<std::string> config_paths_in_command(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  for (char c : command) {
    if (quote) {
      if (c == quote) quote = 0;
      else word += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ' ' || c == '\t' || c == ',' || c == '[' || c == ']') {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(word);
  auto is_config_file = [](std::string_view w) {
    for (std::string_view ext : {".yaml", ".yml", ".json", ".toml"}) {
      if (w.size() > ext.size() && w.substr(w.size() - ext.size()) == ext) return true;
    }
    return false;
  };
  std::vector<std::string> out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string_view w = words[i];
    std::size_t eq = w.find('=');
    std::string_view flag = w.substr(0, eq);
    bool config_flag = flag == "--config" || flag == "-c" || flag == "--config-file" || flag == "--config_file" ||
                       flag == "--cfg" || flag == "--deepspeed" || flag == "--config_path" || flag == "--config-path";
    if (config_flag && eq != std::string_view::npos) out.emplace_back(w.substr(eq + 1));
    else if (config_flag && i + 1 < words.size()) out.push_back(words[++i]);
    else if (w.front() != '-' && is_config_file(w)) out.emplace_back(w);
  }
  return out;
}

std::optional<ConfigPatch> plan_memory_command(const std::string& command) {
  // Flags as words: --name VALUE or --name=VALUE.
  std::vector<std::string> words;
  std::istringstream in(command);
  for (std::string w; in >> w;) words.push_back(w);
  auto flag_name = [](const std::string& w) -> std::string {
    if (w.rfind("--", 0) != 0) return "";
    std::string name = w.substr(2, w.find('=') == std::string::npos ? std::string::npos : w.find('=') - 2);
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
  };
  std::optional<std::size_t> batch_at, accum_at;
  std::string batch_name;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string name = flag_name(words[i]);
    if (name.empty()) continue;
    if (!batch_at && is_batch_key(name)) {
      batch_at = i;
      batch_name = name;
    }
    if (!accum_at && is_accumulation_key(name)) accum_at = i;
  }
  if (!batch_at) return std::nullopt;
  auto value_of = [&](std::size_t i) -> std::pair<std::size_t, std::optional<long>> {
    std::size_t eq = words[i].find('=');
    if (eq != std::string::npos) return {i, as_int(words[i].substr(eq + 1))};
    if (i + 1 < words.size()) return {i + 1, as_int(words[i + 1])};
    return {i, std::nullopt};
  };
  auto set_value = [&](std::size_t flag, std::size_t at, long v) {
    std::size_t eq = words[flag].find('=');
    if (eq != std::string::npos) words[flag] = words[flag].substr(0, eq + 1) + std::to_string(v);
    else words[at] = std::to_string(v);
  };
  auto [batch_value_at, micro] = value_of(*batch_at);
  if (!micro || *micro < 2) return std::nullopt;
  ConfigPatch p;
  p.is_command = true;
  p.display = "command";
  p.original = command;
  set_value(*batch_at, batch_value_at, *micro / 2);
  p.changes.push_back({batch_name, std::to_string(*micro), std::to_string(*micro / 2), "half the micro-batch"});
  long steps = 1;
  if (accum_at) {
    auto [accum_value_at, current] = value_of(*accum_at);
    if (current) {
      steps = *current;
      set_value(*accum_at, accum_value_at, steps * 2);
      p.changes.push_back({flag_name(words[*accum_at]), std::to_string(steps), std::to_string(steps * 2),
                           fmt::format("the effective batch stays {} per GPU", *micro * steps)});
    }
  } else {
    std::string dash = words[*batch_at].find('-', 2) != std::string::npos && words[*batch_at].find('_') == std::string::npos
                           ? "--gradient-accumulation-steps"
                           : "--gradient_accumulation_steps";
    words.insert(words.begin() + static_cast<std::ptrdiff_t>(batch_value_at) + 1, {dash, "2"});
    p.changes.push_back({"gradient_accumulation_steps", "", "2", fmt::format("the effective batch stays {} per GPU", *micro)});
    p.notes.push_back("The script must accept --gradient_accumulation_steps (Hugging Face TrainingArguments do).");
  }
  std::string patched;
  for (const auto& w : words) patched += (patched.empty() ? "" : " ") + w;
  p.patched = patched;
  p.diff = "- " + command + "\n+ " + patched + "\n";
  return p;
}

}  // namespace trainctl::errors
