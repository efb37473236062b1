// What trainctl knows about one checkpoint (a file or a folder): the structured result behind
// `ckpt show`, `ckpt latest`, `resume` and `cleanup`. Sizes in bytes, times in seconds since the
// epoch. to_json gives the stable contract documented in docs/checkpoints.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace trainctl::checkpoint {

struct OptimizerSummary {
  std::string type;                  // "Adam/AdamW", "SGD (momentum)", "unknown", ...
  std::uint64_t state_bytes = 0;     // tensors of its per-parameter state
  std::int64_t param_groups = 0;
  std::optional<double> lr;          // the first group's learning rate
  std::vector<std::string> state_keys;  // per-parameter state names: exp_avg, momentum_buffer...
};

struct SecurityFinding {
  std::string global;                // "module.name"
  std::string reason;
  std::string record;                // the pickle it was in: "archive/data.pkl", "stream"
};

struct SecuritySummary {
  std::string verdict = "unknown";   // "safe", "unknown", "dangerous"
  std::vector<std::string> globals;  // every distinct global named, in order
  std::vector<SecurityFinding> dangerous;
  std::vector<SecurityFinding> unknown;
  std::vector<std::string> pickles;  // the pickles that were scanned
};

struct CheckpointInfo {
  std::string path;                  // absolute
  std::string format;                // container: "pytorch_zip", "pytorch_legacy", "torchscript",
                                     // "safetensors", "hf_trainer", "deepspeed", "torch_dcp"
  std::string framework;             // who wrote it: "pytorch", "lightning", "huggingface",
                                     // "deepspeed", "nanogpt"
  bool valid = false;
  std::optional<std::string> error;  // why it is not valid, for a person
  std::optional<std::int64_t> step;
  std::optional<std::int64_t> epoch;
  nlohmann::json metrics = nlohmann::json::object();
  nlohmann::json config = nullptr;
  std::optional<std::string> config_key;  // where the config came from: "config", "hyper_parameters"
  std::optional<std::uint64_t> param_count;
  std::uint64_t tensor_bytes = 0;    // all tensor payloads in the checkpoint
  std::map<std::string, std::uint64_t> dtypes;  // model tensor bytes by dtype
  std::optional<OptimizerSummary> optimizer;
  SecuritySummary security;
  std::uint64_t file_bytes = 0;      // on disk (a folder: all its files)
  double modified_time = 0;
  std::vector<std::string> warnings;

  // Marks it invalid; the first reason given is the one kept (it is the cause, later ones follow).
  void mark_invalid(std::string why) {
    valid = false;
    if (!error) error = std::move(why);
  }
};

nlohmann::json to_json(const CheckpointInfo& info);

}  // namespace trainctl::checkpoint
