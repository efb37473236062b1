// Runs a helper program (nvidia-smi, a Python probe) to completion and captures its output.
// Guarantees: never waits past the timeout (the child's whole process group is killed), never
// holds more than max_output_bytes of each stream, never inherits our stdin.
// Not for training runs: those are long-lived and followed through a log file (exec/).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/environment_vars.h"
#include "core/result.h"

namespace trainctl::core {

inline constexpr std::size_t kMaxCapturedBytes = 4 * 1024 * 1024;

struct SubprocessOptions {
  std::vector<std::string> argv;             // argv[0] without a '/' is looked up on env's PATH
  std::optional<std::string> cwd;            // working directory; ours when unset
  EnvironmentVars env;                       // the child's whole environment
  std::chrono::milliseconds timeout{10000};
  std::size_t max_output_bytes = kMaxCapturedBytes;
};

struct SubprocessResult {
  int exit_code = -1;        // valid when signal == 0 and !timed_out
  int signal = 0;            // the signal that ended it, 0 if it exited
  bool timed_out = false;    // we killed it at the timeout
  bool output_truncated = false;
  std::string out;
  std::string err;
  double seconds = 0;

  bool succeeded() const { return !timed_out && signal == 0 && exit_code == 0; }
};

// Fails with kNotFound when the program does not exist or cannot be executed.
Result<SubprocessResult> run_subprocess(const SubprocessOptions& options);

// Where argv[0] `name` would be found on `path_var` (a PATH value); nullopt when nowhere.
std::optional<std::string> find_on_path(const std::string& name, const std::string& path_var);

}  // namespace trainctl::core
