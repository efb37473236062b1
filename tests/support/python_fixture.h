// Runs a fixture generator script with the Python that has torch (TRAINCTL_TEST_PYTHON), so that
// tests read files written by the real torch.save rather than committed blobs.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/environment_vars.h"
#include "core/subprocess.h"

namespace trainctl::testing {

// Runs `script args...`; fails the current test (and returns false) when it does not succeed.
inline bool run_fixture_script(const std::string& script, const std::vector<std::string>& args) {
  core::SubprocessOptions options;
  options.argv = {TRAINCTL_TEST_PYTHON, script};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = core::EnvironmentVars::from_process();
  options.timeout = std::chrono::minutes(5);
  auto result = core::run_subprocess(options);
  if (!result) {
    ADD_FAILURE() << "cannot run " << script << ": " << result.error().message;
    return false;
  }
  if (!result->succeeded()) {
    ADD_FAILURE() << script << " failed (status " << result->exit_code << "):\n" << result->err;
    return false;
  }
  return true;
}

}  // namespace trainctl::testing
