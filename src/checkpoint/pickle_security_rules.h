// Which Python globals a pickle may name: one table of rules, each with its reason, judging a
// (module, name) as safe (allowlisted: modelled or inert), dangerous (can run code or touch the
// system) or unknown (anything else). Names are judged as given and as Python 3 maps them.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace trainctl::checkpoint {

enum class Safety { kSafe, kUnknown, kDangerous };

std::string_view safety_name(Safety safety);  // "safe", "unknown", "dangerous"

struct GlobalRule {
  std::string_view module;  // a module name
  bool module_tree;         // also every submodule (module.*)
  // "*" any name; "prefix*" names starting with prefix; "<Class>" names starting with an
  // uppercase letter (classes by convention); anything else one exact name.
  std::string_view name;
  Safety safety;
  std::string_view rationale;
};

// The table, for documentation (docs/checkpoints.md lists it). The most specific matching rule
// wins (exact module over module tree, exact name over pattern over "*"); on a tie, dangerous.
std::span<const GlobalRule> global_rules();

struct GlobalClassification {
  Safety safety = Safety::kUnknown;
  std::string reason;
};

// Beyond the table: names that are not plain dotted identifiers are dangerous (hand-made
// pickles), and so are dotted names (protocol 4 attribute walks) through dunders or anything
// but nested classes. Unmatched names are unknown.
GlobalClassification classify_global(std::string_view module, std::string_view name);

}  // namespace trainctl::checkpoint
