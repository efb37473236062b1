#include <fmt/format.h>

#include "cli/commands.h"
#include "trainctl_version.h"

namespace trainctl::cli {

std::vector<Command> build_app(CLI::App& app, CliContext& ctx) {
  app.description(
      "trainctl: a training assistant for PyTorch projects.\n"
      "Checks GPUs and the Python environment, reads checkpoints without Python;\n"
      "every command takes --json.");
  app.name("trainctl");
  app.set_version_flag("--version", std::string("trainctl ") + TRAINCTL_VERSION);
  app.add_flag("--json", ctx.json, "Print one JSON document on stdout instead of text");
  app.add_flag("--no-color", ctx.no_color, "Never colour the output (NO_COLOR does the same)");
  app.require_subcommand(0, 1);

  std::vector<Command> commands;
  commands.push_back(add_gpus_command(app, ctx));
  commands.push_back(add_doctor_command(app, ctx));
  commands.push_back(add_ckpt_command(app, ctx));
  commands.push_back(add_check_command(app, ctx));
  commands.push_back(add_explain_command(app, ctx));
  commands.push_back(add_help_command(app, ctx));
  commands.push_back(add_completion_command(app, ctx));
  commands.push_back(add_project_command(app, ctx));
  commands.push_back(add_train_command(app, ctx));
  commands.push_back(add_resume_command(app, ctx));
  commands.push_back(add_eval_command(app, ctx));
  commands.push_back(add_run_command(app, ctx));
  commands.push_back(add_runs_command(app, ctx));
  commands.push_back(add_cleanup_command(app, ctx));
  commands.push_back(add_estimate_command(app, ctx));
  // Global flags are accepted after the subcommand too: `trainctl gpus --json`.
  for (const Command& command : commands) command.app->fallthrough();
  return commands;
}

int run_cli(int argc, const char* const* argv, CliContext& ctx) {
  CLI::App app;
  std::vector<Command> commands = build_app(app, ctx);
  ctx.raw_args.assign(argv + (argc > 0 ? 1 : 0), argv + argc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    *ctx.out << app.help();
    return core::kExitSuccess;
  } catch (const CLI::CallForAllHelp&) {
    *ctx.out << app.help("", CLI::AppFormatMode::All);
    return core::kExitSuccess;
  } catch (const CLI::CallForVersion&) {
    *ctx.out << app.version() << "\n";
    return core::kExitSuccess;
  } catch (const CLI::ParseError& e) {
    *ctx.err << ctx.err_style.red("error:") << " " << e.what() << "\n"
             << "Run 'trainctl --help' or 'trainctl help COMMAND' for usage.\n";
    return core::kExitUsage;
  }
  if (ctx.no_color) {
    ctx.out_style = core::TerminalStyle(false);
    ctx.err_style = core::TerminalStyle(false);
  }
  for (const Command& command : commands) {
    if (command.app->parsed()) {
      command.run();
      return ctx.exit_status;
    }
  }
  *ctx.out << app.help();
  return core::kExitSuccess;
}

}  // namespace trainctl::cli
