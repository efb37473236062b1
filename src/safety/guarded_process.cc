#include "safety/guarded_process.h"

#include <unistd.h>

#include <fmt/format.h>

#include "safety/argv_quoting.h"

namespace trainctl::safety {
namespace {

std::string current_directory() {
  char buffer[4096];
  if (::getcwd(buffer, sizeof buffer) != nullptr) return buffer;
  return ".";
}

}  // namespace

CommandGuard CommandGuard::for_project(const std::string& project_root, const core::EnvironmentVars& env) {
  CommandGuard guard;
  guard.project_root = project_root;
  guard.home = env.get("HOME").value_or("");
  auto policy = load_project_policy(project_root.empty() ? current_directory() : project_root);
  if (policy) {
    guard.project = std::move(*policy);
  } else {
    guard.policy_error = policy.error();
  }
  return guard;
}

CheckOptions CommandGuard::options_for(const std::optional<std::string>& cwd) const {
  CheckOptions options;
  options.project_root = project_root.empty() ? current_directory() : project_root;
  options.cwd = cwd.value_or("");
  options.home = home;
  options.project = &project;
  return options;
}

CommandCheck CommandGuard::check(const std::vector<std::string>& argv, const std::optional<std::string>& cwd) const {
  return check_argv(argv, options_for(cwd));
}

std::optional<core::Error> refusal(const CommandCheck& check, Approval approval) {
  if (check.verdict == Verdict::kAllow) return std::nullopt;
  if (check.verdict == Verdict::kConfirm && approval == Approval::kApproved) return std::nullopt;
  std::string why;
  for (const auto& r : check.reasons) {
    if (r.verdict != check.verdict) continue;
    why += fmt::format("\n  {} ({}): {}", verdict_name(r.verdict), r.rule, r.message);
  }
  if (check.verdict == Verdict::kDeny) {
    return core::Error::refused(fmt::format("refused to run `{}`: the command-safety policy denies it{}", check.line, why));
  }
  return core::Error::refused(
      fmt::format("`{}` needs an explicit confirmation before it runs{}", check.line, why));
}

core::Result<core::SubprocessResult> run_guarded(const CommandGuard& guard, const core::SubprocessOptions& options,
                                                 Approval approval) {
  if (guard.policy_error) {
    return core::Error::refused(fmt::format("refused to run `{}`: {}", shell_join(options.argv), guard.policy_error->message));
  }
  CommandCheck check = guard.check(options.argv, options.cwd);
  if (auto refused = refusal(check, approval)) return *refused;
  return core::run_subprocess(options);
}

core::Result<ApprovedCommand> approve(const CommandGuard& guard, const std::vector<std::string>& argv,
                                      const std::string& cwd, Approval approval) {
  if (guard.policy_error) {
    return core::Error::refused(fmt::format("refused to run `{}`: {}", shell_join(argv), guard.policy_error->message));
  }
  if (argv.empty()) return core::Error::usage("no command to run");
  CommandCheck check = guard.check(argv, cwd);
  if (auto refused = refusal(check, approval)) return *refused;
  ApprovedCommand approved;
  approved.argv_ = argv;
  approved.cwd_ = cwd;
  approved.check_ = std::move(check);
  return approved;
}

}  // namespace trainctl::safety
