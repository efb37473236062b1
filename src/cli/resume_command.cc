// `trainctl resume [RUN|CHECKPOINT|DIR] --dry-run`: the latest valid checkpoint (or the one named)
// and the command that resumes it with the original run's config and arguments. Planning lives
// in src/command; this file registers the flags.
#include "cli/commands.h"
#include "cli/plan_view.h"

namespace trainctl::cli {

Command add_resume_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("resume", "The command that resumes training from the latest valid checkpoint");
  auto flags = std::make_shared<PlanFlags>();
  add_plan_flags(*sub, *flags, "target", "A run (its config's name), a checkpoint, or a folder of checkpoints");
  sub->footer(
      "A checkpoint that cannot be loaded is never chosen: it is listed as skipped, with the reason.\n"
      "Without --dry-run it runs as `trainctl run` does; a run trainctl recorded is resumed with its exact arguments.\n"
      "Exit status: 0 with --dry-run; without it the run's status, 3 refused or not confirmed; 1 when the named\n"
      "checkpoint cannot be loaded or the project has no resume option; 4 when no checkpoint is found.");
  return {sub, [&ctx, flags, sub] { run_plan_command(ctx, "resume", *flags, sub->remaining(), command::plan_resume); }};
}

}  // namespace trainctl::cli
