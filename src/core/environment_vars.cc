#include "core/environment_vars.h"

#include <cstring>

extern char** environ;  // NOLINT: POSIX provides no declaration in a header we include.

namespace trainctl::core {

EnvironmentVars EnvironmentVars::from_process() {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const char* eq = std::strchr(*entry, '=');
    if (eq == nullptr) continue;
    vars.emplace(std::string(*entry, static_cast<std::size_t>(eq - *entry)), std::string(eq + 1));
  }
  return EnvironmentVars(std::move(vars));
}

std::optional<std::string> EnvironmentVars::get(const std::string& name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

}  // namespace trainctl::core
