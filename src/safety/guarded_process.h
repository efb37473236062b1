// The only way trainctl starts a process: the argv is checked by the command-safety guard first
// (check_command.h). A `deny` never runs, whatever the caller says; a `confirm` runs only when
// the caller passes the user's explicit approval of exactly this command; an `allow` runs.
// core::run_subprocess is called from here and nowhere else (a test enforces it).
#pragma once

#include <optional>
#include <string>

#include "core/environment_vars.h"
#include "core/result.h"
#include "core/subprocess.h"
#include "safety/command_check.h"
#include "safety/project_policy.h"

namespace trainctl::safety {

// Where commands run and which project policy applies. Default: the current directory, no
// project tightening.
struct CommandGuard {
  std::string project_root;             // empty: the current directory
  std::string home;                     // $HOME
  ProjectPolicy project;
  std::optional<core::Error> policy_error;  // trainctl.toml could not be read: everything is refused

  // The guard for a project folder: reads its trainctl.toml (a broken file refuses everything
  // rather than being ignored).
  static CommandGuard for_project(const std::string& project_root, const core::EnvironmentVars& env);

  CheckOptions options_for(const std::optional<std::string>& cwd) const;
  CommandCheck check(const std::vector<std::string>& argv, const std::optional<std::string>& cwd = std::nullopt) const;
};

enum class Approval {
  kNone,       // nobody was asked: only `allow` commands run
  kApproved,   // the user said yes to exactly this command: `confirm` commands run too
};

// Checks, then runs to completion (see core::run_subprocess). Refused (ErrorKind::kRefused) when
// the verdict is deny, or confirm without approval; the message names the rules and how to go on.
core::Result<core::SubprocessResult> run_guarded(const CommandGuard& guard, const core::SubprocessOptions& options,
                                                 Approval approval = Approval::kNone);

// The refusal message for a check whose verdict needs more than `approval` gives, or nullopt.
std::optional<core::Error> refusal(const CommandCheck& check, Approval approval);

// A command that passed the guard with the approval its verdict needs. Only approve() makes one,
// so a function that takes it (exec/run_launcher.h starts long-lived training runs) cannot start
// anything the guard would refuse.
class ApprovedCommand {
 public:
  const std::vector<std::string>& argv() const { return argv_; }
  const std::string& cwd() const { return cwd_; }       // absolute
  const CommandCheck& check() const { return check_; }

 private:
  friend core::Result<ApprovedCommand> approve(const CommandGuard&, const std::vector<std::string>&,
                                               const std::string&, Approval);
  ApprovedCommand() = default;
  std::vector<std::string> argv_;
  std::string cwd_;
  CommandCheck check_;
};

// Checks argv as it would run in cwd; refused exactly when run_guarded would refuse it.
core::Result<ApprovedCommand> approve(const CommandGuard& guard, const std::vector<std::string>& argv,
                                      const std::string& cwd, Approval approval);

}  // namespace trainctl::safety
