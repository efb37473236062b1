// `trainctl run [--yes] [--detach] [--project DIR] -- COMMAND [ARGS...]`: runs a command the safe
// way — checked, confirmed, recorded, its output in .trainctl/runs/<id>/output.log and followed
// here. Everything but the flags lives in src/exec (see run_view.h for the front-end steps).
#include <filesystem>

#include "cli/commands.h"
#include "cli/run_view.h"

namespace trainctl::cli {
namespace {

struct Options {
  RunFlags flags;
  std::string project;
  std::vector<std::string> words;
};

// The words after `run ... --`; CLI11 would take flags that look like its own out of them.
std::vector<std::string> command_words(const CliContext& ctx, const std::vector<std::string>& positionals) {
  bool seen = false;
  for (std::size_t i = 0; i < ctx.raw_args.size(); ++i) {
    if (!seen) {
      seen = ctx.raw_args[i] == "run";
      continue;
    }
    if (ctx.raw_args[i] == "--") return {ctx.raw_args.begin() + static_cast<std::ptrdiff_t>(i + 1), ctx.raw_args.end()};
  }
  return positionals;
}

}  // namespace

Command add_run_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("run", "Run a command safely: check it, ask, record it, follow its output");
  auto o = std::make_shared<Options>();
  sub->add_flag("--yes,-y", o->flags.yes, "Confirm without asking (needed when there is no terminal)");
  sub->add_flag("--detach,-d", o->flags.detach, "Start it in its own session and print its run id at once");
  sub->add_option("--project", o->project, "Where its record goes (.trainctl/ there); default: the current folder");
  sub->add_option("command", o->words, "The command, after --");
  sub->allow_extras();
  sub->footer(
      "The command is checked first: deny is refused (exit 3); confirm and every training run need a yes (asked on a\n"
      "terminal, or --yes; without either: exit 3). A training run checks the GPUs first. Its output goes to\n"
      ".trainctl/runs/<id>/output.log and is followed here; killing trainctl does not stop it. Ctrl-C reaches the\n"
      "run; again within 2 s sends SIGTERM, a third time SIGKILL. Exit status: the run's (128+signal when signalled).\n"
      "See docs/run.md.");
  return {sub, [&ctx, o, sub] {
            std::error_code ec;
            std::string cwd = std::filesystem::current_path(ec).string();
            RunSpec spec;
            std::vector<std::string> positionals = o->words;
            for (const auto& extra : sub->remaining()) positionals.push_back(extra);
            spec.argv = command_words(ctx, positionals);
            spec.cwd = cwd;
            spec.project_dir = o->project.empty() ? cwd : std::filesystem::absolute(o->project, ec).lexically_normal().string();
            start_run(ctx, o->flags, spec);
          }};
}

}  // namespace trainctl::cli
