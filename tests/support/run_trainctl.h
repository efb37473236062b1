// Runs the built trainctl binary as a real process, the way a user or an agent would.
#pragma once

#include <string>
#include <vector>

#include "core/environment_vars.h"
#include "core/subprocess.h"

namespace trainctl::testing {

// The test process's environment with colour forced off, so outputs compare byte for byte.
inline core::EnvironmentVars test_environment() {
  core::EnvironmentVars env = core::EnvironmentVars::from_process();
  env.set("NO_COLOR", "1");
  return env;
}

inline core::SubprocessResult run_trainctl(const std::vector<std::string>& args,
                                           const core::EnvironmentVars& env = test_environment()) {
  core::SubprocessOptions options;
  options.argv = {TRAINCTL_BINARY};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = env;
  options.timeout = std::chrono::seconds(120);
  auto result = core::run_subprocess(options);
  if (!result) return core::SubprocessResult{};
  return *result;
}

}  // namespace trainctl::testing
