// Asks one Python interpreter what it can train with: its version, whether torch imports, torch's
// CUDA build and whether CUDA is usable. One subprocess, killed at the timeout; never hangs.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/environment_vars.h"
#include "safety/guarded_process.h"

namespace trainctl::environment {

struct TorchProbe {
  std::string interpreter;
  bool ran = false;                            // the probe script ran and answered
  std::optional<std::string> error;            // why it did not, or why torch did not import
  std::optional<std::string> python_version;
  std::optional<std::string> executable;       // sys.executable
  std::optional<std::string> torch_version;
  std::optional<std::string> torch_cuda;       // torch.version.cuda; null for a CPU-only build
  std::optional<bool> cuda_available;
  std::optional<int> device_count;
  double seconds = 0;

  bool has_torch() const { return torch_version.has_value(); }
};

// The Python source the probe runs with `-c` (exposed so tests can read what it asks).
const char* torch_probe_script();

// The probe runs through `guard` (a project that denies the interpreter gets an error, no process).
TorchProbe probe_torch(const std::string& interpreter, const core::EnvironmentVars& env,
                       std::chrono::milliseconds timeout, const safety::CommandGuard& guard = {});

// Reads the probe's one line of JSON output into `probe`; false when it is not that JSON.
bool parse_torch_probe_output(const std::string& output, TorchProbe& probe);

nlohmann::json to_json(const TorchProbe& probe);

}  // namespace trainctl::environment
