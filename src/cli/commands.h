// The subcommands of the trainctl CLI. Each add_*_command registers its flags on the app and
// returns the action that calls one core function and renders the result; no logic lives here.
// Actions run after the whole line is parsed, so global flags (--json, --no-color) apply wherever
// they were written.
#pragma once

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trainctl::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<void()> run;
};

Command add_gpus_command(CLI::App& app, CliContext& ctx);
Command add_doctor_command(CLI::App& app, CliContext& ctx);
Command add_ckpt_command(CLI::App& app, CliContext& ctx);
Command add_check_command(CLI::App& app, CliContext& ctx);
Command add_explain_command(CLI::App& app, CliContext& ctx);
Command add_help_command(CLI::App& app, CliContext& ctx);
Command add_completion_command(CLI::App& app, CliContext& ctx);
Command add_project_command(CLI::App& app, CliContext& ctx);
Command add_train_command(CLI::App& app, CliContext& ctx);
Command add_resume_command(CLI::App& app, CliContext& ctx);
Command add_eval_command(CLI::App& app, CliContext& ctx);
Command add_run_command(CLI::App& app, CliContext& ctx);
Command add_runs_command(CLI::App& app, CliContext& ctx);
Command add_cleanup_command(CLI::App& app, CliContext& ctx);
Command add_estimate_command(CLI::App& app, CliContext& ctx);

// The bash completion script for the command tree under app.
std::string bash_completion_script(const CLI::App& app);

// Builds the whole command tree (used by main and by the completion generator's tests).
std::vector<Command> build_app(CLI::App& app, CliContext& ctx);
// Parses argv and runs the chosen subcommand; returns the process exit status.
int run_cli(int argc, const char* const* argv, CliContext& ctx);

}  // namespace trainctl::cli
