// Reads this machine's GPUs by running nvidia-smi, the fallback when NVML cannot be loaded.
// Guarantees: each run is killed at the timeout and none starts after one hung (a hung driver hangs
// them all); only the GPU query must succeed, the rest failing becomes warnings.
#pragma once

#include <chrono>
#include <string>

#include "core/environment_vars.h"
#include "core/result.h"
#include "gpu/gpu_report.h"
#include "safety/guarded_process.h"

namespace trainctl::gpu {

inline constexpr std::chrono::milliseconds kNvidiaSmiTimeout{5000};

struct NvidiaSmiOptions {
  std::string program = "nvidia-smi";           // a path, or a name looked up on env's PATH
  core::EnvironmentVars env;                    // nvidia-smi's environment
  std::chrono::milliseconds timeout = kNvidiaSmiTimeout;   // per run
  safety::CommandGuard guard;                   // every run is checked by it first
};

// A report with source "nvidia-smi" (no GPUs when nvidia-smi says "No devices were found"; no
// visibility applied yet). Errors: kNotFound when nvidia-smi cannot be run; kFailure when it runs
// but fails (no driver loaded, timed out, output not understood), with its own first words.
core::Result<GpuReport> read_nvidia_smi(const NvidiaSmiOptions& options);

}  // namespace trainctl::gpu
