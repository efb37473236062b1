// The rule table of the command-safety policy: every reason the guard gives names one of these
// rules. One table, readable top to bottom, documented in docs/safety.md (`trainctl
// check-command --rules` prints it). A project may raise a rule's verdict, never lower a deny.
#pragma once

#include <string_view>
#include <vector>

#include "safety/verdict.h"

namespace trainctl::safety {

struct PolicyRule {
  std::string_view id;         // stable, kebab-case; used in JSON reasons and trainctl.toml
  Verdict verdict;             // the verdict a reason under this rule carries
  std::string_view rationale;  // one line: why the rule exists
  std::string_view example;    // one command it catches
};

// All rules, deny rules first.
const std::vector<PolicyRule>& policy_rules();

// The rule with this id, or nullptr.
const PolicyRule* find_policy_rule(std::string_view id);

}  // namespace trainctl::safety
