// Finds every simple command a shell line can run, with its words expanded as far as check time
// allows: top level, pipelines, lists, subshells, groups, loops, branches, function bodies (as if
// called), substitutions, here-documents fed to a shell, and the code strings of sh -c, eval,
// ssh, su -c, watch and the wrappers that command_unwrap.h knows. It tracks assignments, aliases
// and `cd` within the line. It judges nothing: the policy does (command_policy.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "safety/evaluated_command.h"
#include "safety/shell_ast.h"

namespace trainctl::safety {

inline constexpr int kMaxCodeNesting = 12;                 // sh -c inside sh -c inside ...
inline constexpr std::size_t kMaxEvaluatedCommands = 4096;
inline constexpr std::size_t kMaxCodeFileBytes = 256 * 1024;  // project scripts read for `bash FILE`

struct EvaluationContext {
  std::string project_root;   // absolute, normalised
  std::string cwd;            // absolute: where the line would run
  std::string home;           // $HOME and ~
};

// `source` is the text `script` was parsed from (spans index into it).
Evaluation evaluate_script(const Script& script, std::string_view source, const EvaluationContext& context);

}  // namespace trainctl::safety
