// `trainctl train [REQUEST...] [--config FILE] [--gpus N] [--nodes N] --dry-run [-- ARGS]`: the
// command that trains what the request names, in the project's own conventions. Planning lives
// in src/command; this file registers the flags.
#include "cli/commands.h"
#include "cli/plan_view.h"

namespace trainctl::cli {

Command add_train_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("train", "The command that trains what you ask for, in the project's conventions");
  auto flags = std::make_shared<PlanFlags>();
  add_plan_flags(*sub, *flags, "request", "What to train, in words: \"the custom transformer on tinystories\"");
  sub->footer(
      "Arguments after -- are passed to the training script as given.\n"
      "Without --dry-run it runs the command as `trainctl run` does (asks first, or --yes; docs/run.md).\n"
      "Exit status: 0 with --dry-run; without it the run's status, 3 refused or not confirmed; 2 on a usage error;\n"
      "4 when nothing matches or several candidates match equally (they are listed).");
  return {sub, [&ctx, flags, sub] { run_plan_command(ctx, "train", *flags, sub->remaining(), command::plan_train); }};
}

}  // namespace trainctl::cli
