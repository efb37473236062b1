// The policy: judges each command the evaluator found and gives reasons, each under one rule of
// policy_rules.h and pointing at the span of the line it is about. Unknown values are judged as
// the worst they could be. Deny rules cannot be loosened; a project can only add to them
// (project_policy.h).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "safety/evaluated_command.h"
#include "safety/project_paths.h"
#include "safety/verdict.h"

namespace trainctl::safety {

struct Reason {
  std::string rule;
  Verdict verdict = Verdict::kConfirm;
  std::string message;
  Span span;
  int command = -1;   // index into the checked commands, -1 for the line as a whole
};

struct PolicyContext {
  const ProjectPaths* paths = nullptr;
  std::string home;
};

// What earlier commands of the line did that changes how later ones are judged.
struct LineState {
  std::map<std::string, std::string> links;  // symlinks created earlier: absolute link -> target
  std::set<std::string> downloads;           // files curl/wget saved earlier (absolute)
  bool secret_read = false;                  // a command read a credential file
  Span secret_span;
  bool network = false;                      // a command talks to the network
};

// Judges the commands of one line in order, then the line as a whole (finish()).
class CommandPolicy {
 public:
  explicit CommandPolicy(PolicyContext context) : context_(std::move(context)) {}

  std::vector<Reason> judge(const EvaluatedCommand& command, int index);
  // Findings about combinations: a secret read and a network tool in the same line.
  std::vector<Reason> finish() const;

 private:
  PolicyContext context_;
  LineState line_;
};

}  // namespace trainctl::safety
