// Where an estimate's model comes from: a preset name, a Hugging Face config.json (or a model
// folder holding one), a training config (YAML, JSON, TOML, Python), a checkpoint (its saved
// config and exact parameter count), or, with none named, the project's own config. A vocabulary
// the config leaves to the data (vocab_size 0 or absent) is solved from a checkpoint's exact
// parameter count when the project has one. Reads files only; runs nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "estimate/model_shape.h"

namespace trainctl::estimate {

struct ModelRequest {
  std::string model;                     // preset, file or folder; "" = the project's config
  std::string project_dir = ".";
  std::optional<std::int64_t> vocab;     // overrides what the source says
  std::optional<std::int64_t> max_seq;   // when the source gives no context length
};

struct ResolvedModel {
  ModelShape shape;
  std::string source;                    // "preset gpt2", "configs/tinystories.yaml", ...
  std::optional<std::int64_t> batch;     // the training config's micro-batch, when it has one
  std::optional<std::int64_t> steps;     // and its number of optimizer steps
  std::optional<std::string> vocab_from; // how an unknown vocabulary was found
  std::optional<std::uint64_t> checkpoint_params;  // a checkpoint's exact count, to check against
  std::optional<std::string> note;       // how the project's config was chosen, when it was a choice
};

core::Result<ResolvedModel> resolve_model(const ModelRequest& request);

// The vocabulary that makes `shape` hold exactly `params` parameters, if one does.
std::optional<std::int64_t> vocab_for_param_count(ModelShape shape, std::uint64_t params);

}  // namespace trainctl::estimate
