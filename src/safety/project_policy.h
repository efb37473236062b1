// A project's own tightening of the command policy, from the [safety] table of its
// trainctl.toml: commands it always denies, commands it always asks about, and rules whose
// verdict it raises. It can never loosen a rule: a file that tries is an error, not ignored.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "safety/verdict.h"

namespace trainctl::safety {

inline constexpr const char* kProjectSettingsFile = "trainctl.toml";
inline constexpr std::size_t kMaxProjectSettingsBytes = 1024 * 1024;

struct ProjectPolicy {
  std::string source;                                 // the file it came from; empty when none
  std::vector<std::vector<std::string>> deny;         // command prefixes: {"git", "push"}
  std::vector<std::vector<std::string>> confirm;
  std::map<std::string, Verdict> raised;              // rule id -> the stricter verdict

  bool empty() const { return deny.empty() && confirm.empty() && raised.empty(); }
};

// Reads <project_root>/trainctl.toml; no file means an empty policy.
core::Result<ProjectPolicy> load_project_policy(const std::string& project_root);
// Parses TOML text (`source` names it in errors).
core::Result<ProjectPolicy> parse_project_policy(const std::string& text, const std::string& source);

}  // namespace trainctl::safety
