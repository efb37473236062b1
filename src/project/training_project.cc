#include "project/training_project.h"

namespace trainctl::project {
namespace {

nlohmann::json or_null(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

}  // namespace

const char* resume_takes_name(ResumeTakes takes) {
  switch (takes) {
    case ResumeTakes::kPath: return "path";
    case ResumeTakes::kOptionalPath: return "optional_path";
    case ResumeTakes::kBoolean: return "boolean";
    case ResumeTakes::kKeyword: return "keyword";
  }
  return "path";
}

const char* config_role_name(ConfigRole role) {
  switch (role) {
    case ConfigRole::kConfig: return "config";
    case ConfigRole::kHydraPrimary: return "hydra_primary";
    case ConfigRole::kHydraGroup: return "hydra_group";
    case ConfigRole::kLauncher: return "launcher";
  }
  return "config";
}

const EntryPoint* TrainingProject::train_entry() const {
  for (const auto& e : entry_points) {
    if (e.role == EntryRole::kTrain) return &e;
  }
  return nullptr;
}

const EntryPoint* TrainingProject::eval_entry() const {
  for (const auto& e : entry_points) {
    if (e.role == EntryRole::kEval) return &e;
  }
  return nullptr;
}

const ProjectConfig* TrainingProject::config(const std::string& relative_path) const {
  for (const auto& c : configs) {
    if (c.path == relative_path) return &c;
  }
  return nullptr;
}

nlohmann::json to_json(const EntryPoint& e) {
  nlohmann::json options = nlohmann::json::array();
  for (const auto& o : e.cli.options) options.push_back(to_json(o));
  nlohmann::json resume = nullptr;
  if (e.resume) {
    resume = {{"flag", e.resume->flag},
              {"takes", resume_takes_name(e.resume->takes)},
              {"value", or_null(e.resume->keyword)},
              {"evidence", e.resume->evidence}};
  }
  nlohmann::json cli = {{"framework", cli_framework_name(e.cli.framework)},
                        {"subcommands", e.cli.subcommands},
                        {"options", std::move(options)}};
  if (e.cli.framework == CliFramework::kHydra) {
    cli["hydra"] = {{"config_path", e.cli.hydra_config_path},
                    {"config_name", e.cli.hydra_config_name},
                    {"config_dir", e.hydra_config_dir}};
  }
  if (e.cli.framework == CliFramework::kConfigurator) cli["globals"] = e.cli.globals;
  return {{"path", e.path},
          {"module", or_null(e.module)},
          {"console_script", or_null(e.console_script)},
          {"role", e.role == EntryRole::kTrain ? "train" : "eval"},
          {"description", e.description},
          {"launcher", launcher_name(e.launcher)},
          {"launcher_evidence", e.launcher_evidence},
          {"config_flag", or_null(e.config_flag)},
          {"default_config", or_null(e.default_config)},
          {"checkpoint_flag", or_null(e.checkpoint_flag)},
          {"gpu_flag", or_null(e.gpu_flag)},
          {"resume", std::move(resume)},
          {"cli", std::move(cli)}};
}

nlohmann::json to_json(const ProjectConfig& c) {
  nlohmann::json facts = nlohmann::json::array();
  for (const auto& f : c.file.facts) facts.push_back({{"kind", fact_kind_name(f.kind)}, {"key", f.key}, {"value", f.value}});
  nlohmann::json out = {{"path", c.path},
                        {"format", config_format_name(c.file.format)},
                        {"role", config_role_name(c.role)},
                        {"facts", std::move(facts)},
                        {"error", c.file.error ? nlohmann::json(*c.file.error) : nlohmann::json(nullptr)}};
  if (c.role == ConfigRole::kHydraGroup || c.role == ConfigRole::kHydraPrimary) {
    out["hydra"] = {{"group", or_null(c.hydra_group)}, {"option", c.hydra_option}};
  }
  return out;
}

nlohmann::json to_json(const TrainingProject& p) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : p.entry_points) entries.push_back(to_json(e));
  nlohmann::json configs = nlohmann::json::array();
  for (const auto& c : p.configs) configs.push_back(to_json(c));
  nlohmann::json recipes = nlohmann::json::array();
  for (const auto& r : p.recipes) recipes.push_back(to_json(r));
  const EntryPoint* train = p.train_entry();
  const EntryPoint* eval = p.eval_entry();
  return {{"root", p.root},
          {"relative", p.relative},
          {"name", p.name},
          {"entry_points", std::move(entries)},
          {"configs", std::move(configs)},
          {"recipes", std::move(recipes)},
          {"launcher", train ? nlohmann::json(launcher_name(train->launcher)) : nlohmann::json(nullptr)},
          {"resume", train && train->resume ? to_json(*train)["resume"] : nlohmann::json(nullptr)},
          {"eval", eval ? nlohmann::json(eval->path) : nlohmann::json(nullptr)},
          {"checkpoint_dirs", p.checkpoint_dirs},
          {"notes", p.notes}};
}

nlohmann::json to_json(const ProjectScan& scan) {
  nlohmann::json projects = nlohmann::json::array();
  for (const auto& p : scan.projects) projects.push_back(to_json(p));
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& s : scan.skipped) {
    skipped.push_back({{"path", s.path}, {"kind", skip_kind_name(s.kind)}, {"gitignored", s.ignored}});
  }
  return {{"root", scan.root},
          {"projects", std::move(projects)},
          {"skipped", std::move(skipped)},
          {"files_listed", scan.files_listed},
          {"files_read", scan.files_read},
          {"truncated", scan.truncated},
          {"truncated_by", or_null(scan.truncated_by)}};
}

}  // namespace trainctl::project
