#include "safety/evaluation_scope.h"

#include <algorithm>

namespace trainctl::safety {

VarValue ShellScope::lookup(const std::string& name) const {
  if (auto it = vars.find(name); it != vars.end()) return it->second;
  if (name == "HOME" && !home.empty()) return {{home}, false, {}};
  if (name == "PWD" && !cwd_unknown) return {{cwd}, false, {}};
  return {};
}

void ShellScope::assign(const std::string& name, VarValue value) {
  if (!conditional) {
    vars[name] = std::move(value);
    return;
  }
  // In a branch the old value may survive: the variable may hold either.
  VarValue merged = lookup(name);
  merged.unknown = merged.unknown || value.unknown;
  merged.producers.insert(merged.producers.end(), value.producers.begin(), value.producers.end());
  for (auto& v : value.values) {
    if (std::find(merged.values.begin(), merged.values.end(), v) == merged.values.end()) merged.values.push_back(std::move(v));
  }
  if (merged.values.size() > kMaxVariableValues) {
    merged.values.clear();  // too many possibilities to follow: unknown
    merged.unknown = true;
  }
  vars[name] = std::move(merged);
}

}  // namespace trainctl::safety
