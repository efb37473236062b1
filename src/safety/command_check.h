// The command-safety guard's one entry point: a shell line (or an argv) in, a verdict out —
// allow, confirm or deny — with the reasons, each naming its rule and the span of the line it is
// about, and the simple commands the line would run. Every process trainctl starts is checked
// here first (guarded_process.h). Never runs anything; reads the file system only to resolve
// paths and symlinks and to read scripts the line would run.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "safety/command_policy.h"
#include "safety/project_policy.h"
#include "safety/shell_parser.h"
#include "safety/verdict.h"

namespace trainctl::safety {

struct CheckOptions {
  std::string project_root;            // absolute; the project the command belongs to
  std::string cwd;                     // where it would run; the project root when empty
  std::string home;                    // $HOME
  const ProjectPolicy* project = nullptr;  // trainctl.toml tightening, if any
};

struct CheckedCommand {
  std::vector<std::string> argv;       // expanded words; unknown ones as written ("$X")
  std::vector<bool> known;             // per word: known at check time
  std::vector<std::string> assignments;  // NAME=value written before it (or alone)
  Span span;
  std::string via;                     // how the line reaches it ("" directly, "sh -c", "xargs", ...)
  std::string cwd;                     // where it would run ("" when unknown)
  Verdict verdict = Verdict::kAllow;
};

struct CommandCheck {
  std::string line;
  Verdict verdict = Verdict::kAllow;
  std::vector<Reason> reasons;         // strictest first, then by position
  std::vector<CheckedCommand> commands;
  std::optional<ShellSyntaxError> syntax_error;

  nlohmann::json to_json() const;
};

CommandCheck check_command(std::string_view line, const CheckOptions& options);
CommandCheck check_argv(const std::vector<std::string>& argv, const CheckOptions& options);

}  // namespace trainctl::safety
