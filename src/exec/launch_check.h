// Everything decided before a run starts, without starting anything: the command-safety verdict
// (deny is refused whatever the caller says), whether it is a training launch, the GPU check
// for one (a command that wants more GPUs than are usable here is refused; no GPU means the CPU,
// which needs a yes; GPUs mostly held by other processes are named), and why a yes is needed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/environment_vars.h"
#include "core/result.h"
#include "gpu/gpu_report.h"
#include "safety/guarded_process.h"

namespace trainctl::exec {

inline constexpr double kBusyGpuFraction = 0.5;  // other processes holding more than this of a GPU's memory are named

struct LaunchRequest {
  std::vector<std::string> argv;
  std::string cwd;                     // absolute
  core::EnvironmentVars env;           // the run's environment (CUDA_VISIBLE_DEVICES, ...)
  bool training = false;               // train/resume: a training launch whatever the verdict says
  std::optional<gpu::GpuReport> gpus;  // for tests; queried (gpu_query.h) when a training launch needs it
};

struct LaunchCheck {
  std::string line;                    // the command, shell-quoted
  std::string cwd;
  safety::CommandCheck safety;
  bool training = false;
  int gpus_wanted = 0;                 // 0: the command asks for no particular number
  std::string gpus_wanted_by;          // "--nproc_per_node 2"
  std::optional<gpu::GpuReport> gpus;  // queried for training launches
  std::vector<std::string> ask;        // why a yes is needed (empty: it may start at once)
  std::vector<std::string> notes;      // what a person should know first
  std::optional<core::Error> refusal;  // kRefused: never starts

  bool needs_yes() const { return !ask.empty(); }
  nlohmann::json to_json() const;
};

// The number of GPUs argv (or CUDA_VISIBLE_DEVICES in env or as an assignment in argv) asks for,
// and the words that ask; {0, ""} when it does not say.
std::pair<int, std::string> gpus_wanted(const std::vector<std::string>& argv, const core::EnvironmentVars& env);

LaunchCheck check_launch(const LaunchRequest& request, const safety::CommandGuard& guard);

}  // namespace trainctl::exec
