#include "cli/run_view.h"

#include <signal.h>
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "exec/launch_check.h"
#include "exec/run_follow.h"
#include "exec/run_launcher.h"
#include "exec/run_store.h"
#include "exec/runs.h"

namespace trainctl::cli {
namespace {

bool ask_yes(CliContext& ctx) {
  *ctx.err << "Start it? [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace

void start_run(CliContext& ctx, const RunFlags& flags, const RunSpec& spec) {
  if (spec.argv.empty()) return ctx.fail(core::Error::usage("nothing to run: trainctl run [--yes] -- COMMAND [ARGS...]"));
  safety::CommandGuard guard = safety::CommandGuard::for_project(spec.project_dir, ctx.env);
  exec::LaunchRequest request;
  request.argv = spec.argv;
  request.cwd = spec.cwd;
  request.env = ctx.env;
  request.training = spec.training;
  exec::LaunchCheck check = exec::check_launch(request, guard);

  std::ostream& say = *ctx.err;
  const core::TerminalStyle& style = ctx.err_style;
  if (!ctx.json) {
    say << fmt::format("{:<9}{}\n{:<9}{}\n", "command", style.bold(check.line), "cwd", check.cwd);
    for (const auto& n : spec.notes) say << fmt::format("{:<9}{}\n", "note", n);
    for (const auto& n : check.notes) say << fmt::format("{:<9}{}\n", "note", n);
    if (!check.refusal) {
      for (const auto& a : check.ask) say << fmt::format("{:<9}{}\n", "asks", a);
    }
  }
  if (check.refusal) return ctx.fail(*check.refusal);

  safety::Approval approval = safety::Approval::kNone;
  if (check.needs_yes()) {
    if (flags.yes) {
      approval = safety::Approval::kApproved;
    } else if (!ctx.json && ::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO)) {
      if (!ask_yes(ctx)) {
        say << "Nothing was started.\n";
        ctx.exit_status = core::kExitRefused;
        return;
      }
      approval = safety::Approval::kApproved;
    } else {
      std::string why;
      for (const auto& a : check.ask) why += "\n  " + a;
      return ctx.fail(core::Error::refused(fmt::format(
          "`{}` needs a yes before it starts and there is no terminal to ask on; pass --yes to confirm it{}",
          check.line, why)));
    }
  } else if (flags.yes) {
    approval = safety::Approval::kApproved;
  }
  auto approved = safety::approve(guard, spec.argv, spec.cwd, approval);
  if (!approved) return ctx.fail(approved.error());

  exec::LaunchOptions options;
  options.project_dir = spec.project_dir;
  options.kind = spec.kind;
  options.env = ctx.env;
  options.guard = guard;
  options.detach = flags.detach;
  auto launched = exec::launch_run(*approved, options);
  if (!launched) return ctx.fail(launched.error());
  const exec::RunRecord& record = launched->record;

  if (flags.detach) {
    ::close(launched->end_fd);
    if (ctx.json) {
      ctx.print_json({{"run", record.to_json()}});
    } else {
      say << fmt::format("started run {} (pid {}), detached; follow it: trainctl runs logs {} -f\n", record.id,
                         launched->pid, record.id);
      *ctx.out << record.id << "\n";
    }
    ctx.exit_status = core::kExitSuccess;
    return;
  }
  if (!ctx.json) {
    say << style.dim(fmt::format("run {} (pid {}), log {}\n", record.id, launched->pid, record.log));
  }
  ctx.out->flush();
  say.flush();
  // SIGPIPE on our stdout (| head) must not stop the following either: the run goes on regardless.
  ::signal(SIGPIPE, SIG_IGN);
  auto status = exec::follow_started_run(*launched, ctx.json ? STDERR_FILENO : STDOUT_FILENO);
  ::close(launched->end_fd);
  if (!status) return ctx.fail(status.error());
  ctx.exit_status = *status;

  if (ctx.json) {
    auto store = exec::RunStore::open_existing(spec.project_dir);
    if (!store) return;
    auto ended = store->get(record.id);
    if (!ended) return;
    ctx.print_json({{"run", ended->to_json()}, {"exit_status", *status}});
    return;
  }
  // The reaper exits with the run's status once the end is recorded: no need to read it back.
  std::string how = *status == 0    ? "succeeded"
                    : *status > 128 ? fmt::format("killed (signal {}: {})", *status - 128, ::strsignal(*status - 128))
                                    : fmt::format("failed (exit {})", *status);
  say << fmt::format("run {} {}; trainctl runs show {}\n", record.id, how, record.id);
  if (*status != 0 && *status <= 128) say << fmt::format("what went wrong: {}\n", exec::explain_command_for(record));
}

}  // namespace trainctl::cli
