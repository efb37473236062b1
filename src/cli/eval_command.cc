// `trainctl eval [CHECKPOINT] --dry-run`: the project's evaluation command for the latest valid
// checkpoint or the one named. Planning lives in src/command; this file registers the flags.
#include "cli/commands.h"
#include "cli/plan_view.h"

namespace trainctl::cli {

Command add_eval_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("eval", "The command that evaluates the latest (or a named) checkpoint");
  auto flags = std::make_shared<PlanFlags>();
  add_plan_flags(*sub, *flags, "checkpoint", "A checkpoint, a folder of checkpoints, or a run's name");
  sub->footer(
      "Without --dry-run it runs the command as `trainctl run` does (asks first, or --yes; docs/run.md).\n"
      "Exit status: 0 with --dry-run; without it the run's status, 3 refused or not confirmed; 4 when no checkpoint\n"
      "or no evaluation entry point is found.");
  return {sub, [&ctx, flags, sub] { run_plan_command(ctx, "eval", *flags, sub->remaining(), command::plan_eval); }};
}

}  // namespace trainctl::cli
