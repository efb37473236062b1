// plan_eval: the latest valid checkpoint (or the one named) and the project's way to evaluate it:
// its evaluation script with its checkpoint option, LightningCLI's validate, the configurator's
// eval_only, or the Hugging Face script with --do_eval.
#include <algorithm>

#include <fmt/format.h>

#include "command/candidates.h"
#include "command/plan_support.h"
#include "command/plans.h"
#include "command/run_lookup.h"

namespace trainctl::command {
namespace {

std::vector<std::string> without_option(std::vector<std::string> args, const std::string& flag, bool takes_value) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == flag) {
      if (takes_value) ++i;
      continue;
    }
    if (args[i].starts_with(flag + "=")) continue;
    out.push_back(args[i]);
  }
  return out;
}

}  // namespace

PlanResult plan_eval(const project::ProjectScan& scan, const PlanRequest& request) {
  RunLookupResult found = find_run(scan, request);
  if (auto* e = std::get_if<core::Error>(&found)) return PlanResult::of(*e);
  if (auto* a = std::get_if<Ambiguity>(&found)) return PlanResult::of(std::move(*a));
  RunLookup& lookup = std::get<RunLookup>(found);
  const project::TrainingProject& p = *lookup.project;
  std::string checkpoint_arg = relative_to(lookup.checkpoint.path, p.root);
  const project::EntryPoint* train = lookup.run ? entry_of(p, lookup.run->entry) : nullptr;

  Candidate candidate;
  std::string subcommand;
  std::vector<std::string> more;
  std::vector<std::string> notes = lookup.notes;
  const project::EntryPoint* eval = nullptr;
  for (const auto& e : p.entry_points) {
    if (e.role == project::EntryRole::kEval && !e.checkpoint_flag.empty()) {
      eval = &e;
      break;
    }
  }
  if (eval) {
    candidate.project_root = p.root;
    candidate.project = p.relative;
    candidate.entry = eval->path;
    // The run's config too, when the evaluation script takes one of that kind.
    if (lookup.run && lookup.run->config && !eval->config_flag.empty()) {
      const std::string& config = *lookup.run->config;
      std::string ext = config.substr(config.rfind('.') + 1);
      if (ext == "yml") ext = "yaml";
      if (std::find(eval->config_extensions.begin(), eval->config_extensions.end(), ext) != eval->config_extensions.end()) {
        candidate.config = config;
        candidate.args = option_with_value(*eval, eval->config_flag, config);
      }
    }
    if (eval->cli.framework == project::CliFramework::kHydra && lookup.run && train &&
        train->cli.framework == project::CliFramework::kHydra) {
      candidate.args = lookup.run->args;  // the run's overrides, as its training had them
      candidate.config = lookup.run->config;
    }
    more = option_with_value(*eval, eval->checkpoint_flag, checkpoint_arg);
    subcommand = train_subcommand(*eval);
  } else if (train && train->cli.framework == project::CliFramework::kLightningCli) {
    candidate = *lookup.run;
    subcommand = train->cli.lightning_subcommands ? "validate" : "";
    more = {"--ckpt_path", checkpoint_arg};
  } else if (train && train->cli.framework == project::CliFramework::kConfigurator &&
             train->cli.globals.contains("eval_only") && train->cli.globals.contains("init_from")) {
    candidate = *lookup.run;
    more = {"--init_from=resume", "--eval_only=True"};
    notes.push_back(fmt::format("{} evaluates <out_dir>/ckpt.pt with eval_only: it runs one evaluation and exits",
                                train->path));
  } else if (train && train->cli.framework == project::CliFramework::kHfArgparser && train->cli.find("--do_eval")) {
    candidate = *lookup.run;
    std::vector<std::string> args = candidate.args;
    for (const char* flag : {"--do_train", "--do_eval", "--overwrite_output_dir"}) args = without_option(args, flag, false);
    for (const char* flag : {"--model_name_or_path", "--resume_from_checkpoint"}) args = without_option(args, flag, true);
    candidate.args = {"--model_name_or_path", checkpoint_arg};
    candidate.args.insert(candidate.args.end(), args.begin(), args.end());
    more = {"--do_eval"};
  } else {
    return PlanResult::of(core::Error::not_found(fmt::format(
        "{} has no evaluation entry point: looked for eval*.py/evaluate*.py/validate*.py with a checkpoint option,"
        " LightningCLI (validate), the configurator's eval_only and a Hugging Face script's --do_eval; the checkpoint"
        " to evaluate is {}",
        p.root, lookup.checkpoint.path)));
  }
  auto plan = assemble(scan, candidate, request, "eval", subcommand, more);
  if (!plan) return PlanResult::of(plan.error());
  plan->checkpoint = std::move(lookup.checkpoint);
  plan->skipped = std::move(lookup.skipped);
  plan->candidates = {candidate};
  plan->notes.insert(plan->notes.begin(), notes.begin(), notes.end());
  finish_plan(*plan, request.env);
  return PlanResult::of(std::move(*plan));
}

}  // namespace trainctl::command
