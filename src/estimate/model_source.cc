#include "estimate/model_source.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "checkpoint/discovery.h"
#include "checkpoint/inspect.h"
#include "command/plans.h"
#include "estimate/param_count.h"
#include "project/config_file.h"
#include "project/project_scan.h"

namespace trainctl::estimate {

namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxConfigJsonBytes = 4 * 1024 * 1024;

std::optional<std::int64_t> config_integer(const project::ConfigFile& config, project::FactKind kind) {
  const project::ConfigFact* fact = config.fact(kind);
  if (fact && fact->value.is_number_integer()) return fact->value.get<std::int64_t>();
  return std::nullopt;
}

core::Result<nlohmann::json> read_json(const fs::path& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return core::Error::not_found(fmt::format("{}: cannot be read ({})", path.string(), ec.message()));
  if (size > kMaxConfigJsonBytes) return core::Error::usage(fmt::format("{}: larger than 4 MiB; not a model config", path.string()));
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_discarded()) return core::Error::usage(fmt::format("{}: not valid JSON", path.string()));
  return json;
}

bool is_hf_config(const nlohmann::json& json) {
  return json.is_object() && (json.contains("model_type") || json.contains("n_embd") || json.contains("num_hidden_layers"));
}

bool looks_like_checkpoint(const fs::path& path) {
  static const std::vector<std::string> kExtensions = {".pt", ".pth", ".ckpt", ".bin", ".safetensors", ".tar"};
  std::string ext = path.extension().string();
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

// Fills an unknown vocabulary from the project's checkpoints: the first valid one (those of the
// run named like the config first, newest first) whose exact parameter count this shape gives
// with a whole vocabulary.
void solve_vocab_from_project(ResolvedModel& model, const project::TrainingProject& project, const std::string& config_stem) {
  std::vector<checkpoint::CheckpointInfo> candidates;
  for (const auto& dir : project.checkpoint_dirs) {
    auto listing = checkpoint::list_checkpoints(dir);
    if (!listing) continue;
    for (const auto& run : listing->runs) {
      bool named = fs::path(run.run).filename().string() == config_stem;
      for (const auto& c : run.checkpoints) {
        if (c.valid && c.param_count) candidates.insert(named ? candidates.begin() : candidates.end(), c);
      }
    }
  }
  for (const auto& c : candidates) {
    if (auto vocab = vocab_for_param_count(model.shape, *c.param_count)) {
      model.shape.vocab = *vocab;
      model.checkpoint_params = c.param_count;
      model.vocab_from = fmt::format("solved from the exact parameter count of {} ({})",
                                     fs::relative(c.path, project.root).string(), *c.param_count);
      return;
    }
  }
}

// The shape a training config describes, with the request's overrides; the vocabulary, if the
// config leaves it to the data, from the project's checkpoints.
core::Result<ResolvedModel> from_config(const project::ConfigFile& config, std::string source, const ModelRequest& request,
                                        const project::TrainingProject* project) {
  if (config.error) return core::Error::usage(fmt::format("{}: {}", source, *config.error));
  auto shape = shape_from_config_values(config.values);
  if (!shape) return core::Error::usage(fmt::format("{}: {}", source, shape.error().message));
  ResolvedModel out;
  out.shape = *shape;
  out.shape.name = source;
  out.source = std::move(source);
  out.batch = config_integer(config, project::FactKind::kBatchSize);
  out.steps = config_integer(config, project::FactKind::kSteps);
  if (request.vocab) out.shape.vocab = *request.vocab;
  if (request.max_seq && out.shape.max_seq <= 0) out.shape.max_seq = *request.max_seq;
  if (out.shape.vocab <= 0 && project) solve_vocab_from_project(out, *project, fs::path(out.source).stem().string());
  auto valid = validated(out.shape);
  if (!valid) return valid.error();
  out.shape = *valid;
  return out;
}

core::Result<ResolvedModel> from_checkpoint(const fs::path& path, const ModelRequest& request) {
  auto info = checkpoint::show_checkpoint(path.string());
  if (!info) return info.error();
  if (!info->config.is_object()) {
    return core::Error::usage(fmt::format("{}: the checkpoint saves no config to read the model's sizes from; give "
                                          "--model with the training config or a config.json",
                                          path.string()));
  }
  project::ConfigFile config;
  config.values = info->config;
  config.facts = project::config_facts(config.values);
  auto out = from_config(config, path.filename().string(), request, nullptr);
  if (!out) return out.error();
  if (info->param_count) {
    out->checkpoint_params = info->param_count;
    if (out->shape.vocab <= 0 || !request.vocab) {
      if (auto vocab = vocab_for_param_count(out->shape, *info->param_count); vocab && *vocab != out->shape.vocab) {
        out->shape.vocab = *vocab;
        out->vocab_from = fmt::format("solved from the checkpoint's exact parameter count ({})", *info->param_count);
      }
    }
  }
  return out;
}

core::Result<ResolvedModel> from_project(const ModelRequest& request) {
  auto scan = project::scan_projects(request.project_dir);
  if (!scan) return scan.error();
  command::PlanRequest plan_request;
  std::error_code ec;
  plan_request.working_dir = fs::absolute(request.project_dir, ec).string();
  plan_request.env = core::EnvironmentVars::from_process();
  command::PlanResult plan = command::plan_train(*scan, plan_request);
  std::string root;
  std::optional<std::string> config_path;
  std::optional<std::string> note;
  if (plan.plan) {
    root = plan.plan->project_root;
    config_path = plan.plan->config;
  } else if (plan.ambiguity && !plan.ambiguity->candidates.empty()) {
    const auto& first = plan.ambiguity->candidates.front();
    root = first.project_root;
    if (first.config) config_path = (fs::path(first.project_root) / *first.config).string();
    note = fmt::format("the first of {} training configs `train` would ask about; --model names another",
                       plan.ambiguity->candidates.size());
  }
  const project::TrainingProject* project = nullptr;
  for (const auto& p : scan->projects) {
    if (p.root == root) project = &p;
  }
  if (!project || !config_path) {
    return core::Error::not_found(fmt::format(
        "no training config with model sizes was found under {}; give --model (a preset such as gpt2, a "
        "config.json, a training config or a checkpoint)",
        request.project_dir));
  }
  project::ConfigFile config = project::read_config(*config_path);
  auto out = from_config(config, fs::relative(*config_path, root, ec).string(), request, project);
  if (out) out->note = note;
  return out;
}

// A shape that needs nothing from a project: the request's vocabulary, its context length when
// the source has none, then the checks.
core::Result<ResolvedModel> with_overrides(ModelShape shape, std::string source, const ModelRequest& request) {
  if (request.vocab) shape.vocab = *request.vocab;
  if (request.max_seq && shape.max_seq <= 0) shape.max_seq = *request.max_seq;
  auto valid = validated(std::move(shape));
  if (!valid) return valid.error();
  ResolvedModel out;
  out.shape = *valid;
  out.source = std::move(source);
  return out;
}

}  // namespace

core::Result<ResolvedModel> resolve_model(const ModelRequest& request) {
  if (request.model.empty()) return from_project(request);
  if (auto p = preset(request.model)) {
    return with_overrides(*p, "preset " + p->name, request);
  }
  fs::path path(request.model);
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    if (fs::is_regular_file(path / "config.json", ec)) {
      path /= "config.json";
    } else {
      return from_checkpoint(path, request);  // a Trainer or DeepSpeed checkpoint folder
    }
  }
  if (!fs::exists(path, ec)) {
    std::string names;
    for (const auto& n : preset_names()) names += (names.empty() ? "" : ", ") + n;
    return core::Error::not_found(
        fmt::format("--model {}: no such file, folder or preset (presets: {})", request.model, names));
  }
  if (looks_like_checkpoint(path)) return from_checkpoint(path, request);
  if (path.extension() == ".json") {
    auto json = read_json(path);
    if (!json) return json.error();
    if (is_hf_config(*json)) {
      auto shape = shape_from_hf_config(*json);
      if (!shape) return core::Error::usage(fmt::format("{}: {}", path.string(), shape.error().message));
      return with_overrides(*shape, path.string(), request);
    }
  }
  // A training config inside a project: the project's checkpoints can tell an unknown vocabulary.
  auto scan = project::scan_projects(request.project_dir);
  const project::TrainingProject* owner = nullptr;
  std::string absolute = fs::weakly_canonical(fs::absolute(path, ec), ec).string();
  if (scan) {
    for (const auto& p : scan->projects) {
      if (absolute.rfind(p.root + "/", 0) == 0 && (!owner || p.root.size() > owner->root.size())) owner = &p;
    }
  }
  return from_config(project::read_config(path.string()), path.string(), request, owner);
}

std::optional<std::int64_t> vocab_for_param_count(ModelShape shape, std::uint64_t params) {
  shape.vocab = 1;
  const std::int64_t with_one = count_params(shape).total;
  const std::int64_t per_token = shape.d_model * (shape.tied_embeddings ? 1 : 2);
  const std::int64_t rest = static_cast<std::int64_t>(params) - (with_one - per_token);
  if (per_token <= 0 || rest <= 0 || rest % per_token != 0) return std::nullopt;
  return rest / per_token;
}

}  // namespace trainctl::estimate
