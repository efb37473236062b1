// What `train`, `resume` and `eval` share at the front end: their flags, reading the project,
// asking a person to choose among candidates (only on a terminal), and rendering a plan for
// people or as JSON. The planning itself lives in src/command.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"
#include "command/command_plan.h"
#include "command/plans.h"
#include "project/training_project.h"

namespace trainctl::cli {

struct PlanFlags {
  std::vector<std::string> words;  // positionals; the arguments after `--` are split off at run time
  std::string config;
  std::string project = ".";
  int gpus = 0;
  int nodes = 1;
  bool dry_run = false;
  bool yes = false;                // without --dry-run: confirm without asking
  bool detach = false;             // without --dry-run: start and return the run id
  std::vector<std::string> separator_slot;  // never filled: see add_plan_flags
};

// Registers --config, --project, --gpus, --nodes, --dry-run on `sub` (`positional` names the words),
// and lets arguments after `--` through to the script.
void add_plan_flags(CLI::App& sub, PlanFlags& flags, const std::string& positional, const std::string& positional_help);

using Planner = std::function<command::PlanResult(const project::ProjectScan&, const command::PlanRequest&)>;

// Reads the project, plans, asks on a terminal when the request is ambiguous, renders, and sets
// the exit status: 0 with --dry-run; without it runs the plan the way `trainctl run` does
// (run_view.h: a resume reuses the recorded run's exact arguments); 4 when ambiguous or not found.
// `unparsed` is what CLI11 left over (the subcommand allows extras so that `--` reaches here).
void run_plan_command(CliContext& ctx, const std::string& command_name, const PlanFlags& flags,
                      const std::vector<std::string>& unparsed, const Planner& planner);

}  // namespace trainctl::cli
