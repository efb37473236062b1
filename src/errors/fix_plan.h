// Fixes shown against the user's own config: the change a fix makes, as a unified diff of the
// config file that the run used (or as a changed command line when the settings are flags). Only
// proposals: nothing is written here (apply_config_patch in explain.h writes, after the user
// agreed). Out of memory: halve the micro-batch and double gradient accumulation so the effective
// batch stays, turn on gradient checkpointing and bf16 where the config has those switches off.
// NaN loss: a learning rate ten times lower, bf16 instead of fp16.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "errors/config_text.h"

namespace trainctl::errors {

struct ConfigChange {
  std::string key;      // the dotted path
  std::string from;     // "" when added
  std::string to;
  std::string why;
  nlohmann::json to_json() const;
};

struct ConfigPatch {
  std::string file;            // the path read (what --apply writes)
  std::string display;         // the path as the user wrote it
  std::string original;        // the text read
  std::string patched;
  std::string diff;            // unified diff, or the old and new command
  std::vector<ConfigChange> changes;
  std::vector<std::string> notes;  // what the change does not cover, in sentences
  bool is_command = false;     // a changed command line, not a file

  nlohmann::json to_json() const;
};

// Which project code can take a gradient-accumulation setting, and under what name.
struct ProjectCode {
  std::vector<std::string> texts;  // the user's Python sources (bounded), to look for setting names
};

// The accumulation setting the code reads (e.g. "gradient_accumulation_steps"), if any.
std::optional<std::string> accumulation_setting(const ProjectCode& code, const ConfigText& config);

// The out-of-memory change to `config`, or nullopt when it has none of the keys involved.
std::optional<ConfigPatch> plan_memory_patch(const ConfigText& config, const std::string& file,
                                             const std::string& display, const ProjectCode& code);
// The NaN-loss change (learning rate /10; fp16 -> bf16), or nullopt.
std::optional<ConfigPatch> plan_nan_patch(const ConfigText& config, const std::string& file, const std::string& display);
// An embedding smaller than the data's vocabulary: vocab_size raised to what the log reports.
std::optional<ConfigPatch> plan_vocab_patch(const ConfigText& config, const std::string& file, const std::string& display,
                                            long data_vocab);
// The out-of-memory change to a command line's flags (--per_device_train_batch_size 8 ...).
std::optional<ConfigPatch> plan_memory_command(const std::string& command);

// The config files a command line names: --config X, --config-file=X, -c X, --deepspeed X, and
// positional *.yaml / *.yml / *.json / *.toml arguments.
std::vector<std::string> config_paths_in_command(std::string_view command);

// Settings with a name like these hold the micro-batch, the accumulation steps, the learning rate.
bool is_batch_key(std::string_view key);
bool is_accumulation_key(std::string_view key);
bool is_learning_rate_key(std::string_view key);

}  // namespace trainctl::errors
