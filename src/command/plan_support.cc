#include "command/plan_support.h"

#include <filesystem>

#include <fmt/format.h>

namespace trainctl::command {
namespace {

namespace fs = std::filesystem;

// Characters Hydra's override grammar reads in an unquoted value.
bool hydra_plain(const std::string& value) {
  if (value.empty()) return false;
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("_/-+.@%:").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::string hydra_quote(const std::string& value) {
  if (hydra_plain(value)) return value;
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string relative_to(const std::string& path, const std::string& base) {
  if (path.size() > base.size() && path.starts_with(base) && path[base.size()] == '/') {
    return path.substr(base.size() + 1);
  }
  return path;
}

std::vector<std::string> option_with_value(const project::EntryPoint& entry, const std::string& flag,
                                           const std::string& value) {
  if (entry.cli.framework == project::CliFramework::kHydra) return {flag + "=" + hydra_quote(value)};
  if (entry.cli.style == project::ValueStyle::kEquals) return {flag + "=" + value};
  return {flag, value};
}

std::vector<std::string> resume_words(const project::EntryPoint& entry, const project::ResumeConvention& resume,
                                      const std::string& checkpoint_arg) {
  switch (resume.takes) {
    case project::ResumeTakes::kPath:
    case project::ResumeTakes::kOptionalPath:
      return option_with_value(entry, resume.flag, checkpoint_arg);
    case project::ResumeTakes::kBoolean:
      if (entry.cli.framework == project::CliFramework::kHydra) return {resume.flag + "=true"};
      if (resume.keyword.empty()) return {resume.flag};
      return option_with_value(entry, resume.flag, resume.keyword);
    case project::ResumeTakes::kKeyword:
      return option_with_value(entry, resume.flag, resume.keyword);
  }
  return {};
}

core::Result<CommandPlan> assemble(const project::ProjectScan& scan, const Candidate& candidate,
                                   const PlanRequest& request, const std::string& kind, const std::string& subcommand,
                                   const std::vector<std::string>& more) {
  const project::TrainingProject* project = project_of(scan, candidate.project_root);
  const project::EntryPoint* entry = project ? entry_of(*project, candidate.entry) : nullptr;
  if (!project || !entry) return core::Error::failure("internal: the chosen entry point is not in the scan");
  std::vector<std::string> args;
  if (!subcommand.empty()) args.push_back(subcommand);
  args.insert(args.end(), candidate.args.begin(), candidate.args.end());
  args.insert(args.end(), more.begin(), more.end());
  args.insert(args.end(), request.extra.begin(), request.extra.end());

  LaunchRequest launch_request;
  launch_request.gpus = request.gpus;
  launch_request.nodes = request.nodes;
  launch_request.master_addr = request.env.get("MASTER_ADDR").value_or("");
  if (entry->launcher == project::Launcher::kAccelerate) {
    for (const auto& c : project->configs) {
      if (c.role == project::ConfigRole::kLauncher && c.file.values.contains("compute_environment")) {
        launch_request.launcher_config = c.path;
        break;
      }
    }
  }
  auto launched = launch(*entry, entry_target(*entry), args, launch_request);
  if (!launched) return launched.error();

  CommandPlan plan;
  plan.kind = kind;
  plan.project_root = project->root;
  plan.project_name = project->name;
  plan.cwd = project->root;
  plan.argv = std::move(launched->argv);
  plan.launcher = launched->launcher;
  plan.notes = std::move(launched->notes);
  plan.entry = entry->path;
  SelectedConfig selected = selected_config(*project, *entry, candidate);
  plan.config = selected.path;
  plan.facts = std::move(selected.facts);
  if (entry->role == project::EntryRole::kTrain) plan.resume = entry->resume;
  return plan;
}

}  // namespace trainctl::command
