// A snapshot of environment variables, passed explicitly instead of read from the process, so
// that tests can give their own and no module reads global mutable state.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace trainctl::core {

class EnvironmentVars {
 public:
  EnvironmentVars() = default;
  explicit EnvironmentVars(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}

  // From a literal: EnvironmentVars::of({{"PATH", "/usr/bin"}}).
  static EnvironmentVars of(std::map<std::string, std::string> vars) { return EnvironmentVars(std::move(vars)); }
  // The current process's environment (called once, in main).
  static EnvironmentVars from_process();

  std::optional<std::string> get(const std::string& name) const;
  // Unset and empty are different for some variables (CUDA_VISIBLE_DEVICES): this says "set".
  bool has(const std::string& name) const { return vars_.count(name) != 0; }
  void set(const std::string& name, std::string value) { vars_[name] = std::move(value); }
  void unset(const std::string& name) { vars_.erase(name); }
  const std::map<std::string, std::string>& all() const { return vars_; }

 private:
  std::map<std::string, std::string> vars_;
};

}  // namespace trainctl::core
