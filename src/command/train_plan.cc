// plan_train: the request's words (or --config) choose a candidate; the plan runs it.
#include <filesystem>

#include <fmt/format.h>

#include "command/plan_support.h"
#include "command/plans.h"

namespace trainctl::command {
namespace {

namespace fs = std::filesystem;

}  // namespace

PlanResult plan_train(const project::ProjectScan& scan, const PlanRequest& request) {
  std::vector<Candidate> candidates = train_candidates(scan);
  if (candidates.empty()) {
    return PlanResult::of(core::Error::not_found(fmt::format(
        "no training entry point under {}: looked for train*.py, main.py/run_*.py that train, python -m modules,"
        " [project.scripts], and the commands in READMEs, Makefiles and shell scripts",
        scan.root)));
  }
  if (!request.config.empty()) {
    std::string config = absolute_path(request.config, request.working_dir);
    std::error_code ec;
    if (!fs::is_regular_file(config, ec)) {
      return PlanResult::of(core::Error::not_found(fmt::format("--config {}: no such file", request.config)));
    }
    candidates = candidates_for_config(scan, std::move(candidates), config);
    if (candidates.empty()) {
      return PlanResult::of(core::Error::not_found(fmt::format(
          "--config {}: no training entry point of a project holding it takes a config file", request.config)));
    }
  }
  auto chosen = choose(candidates, scan, request.words, request.pick);
  if (auto* ambiguity = std::get_if<Ambiguity>(&chosen)) return PlanResult::of(std::move(*ambiguity));
  const Candidate& candidate = std::get<Candidate>(chosen);
  const project::TrainingProject* project = project_of(scan, candidate.project_root);
  const project::EntryPoint* entry = entry_of(*project, candidate.entry);
  auto plan = assemble(scan, candidate, request, "train", train_subcommand(*entry), {});
  if (!plan) return PlanResult::of(plan.error());
  // The chosen candidate first, then the others in rank order.
  plan->candidates.push_back(candidate);
  for (const auto& c : candidates) {
    if (c.project_root != candidate.project_root || c.entry != candidate.entry || c.args != candidate.args) {
      plan->candidates.push_back(c);
    }
  }
  finish_plan(*plan, request.env);
  return PlanResult::of(std::move(*plan));
}

}  // namespace trainctl::command
