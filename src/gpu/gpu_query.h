// The one call behind `trainctl gpus` and doctor's GPU check: this machine's GPUs (NVML, else
// nvidia-smi) and which a training run started here would see. Guarantees: never fails or throws,
// no GPU is a report with a reason; with neither NVML nor nvidia-smi, no process is started.
#pragma once

#include <chrono>
#include <string>

#include "core/environment_vars.h"
#include "safety/guarded_process.h"
#include "gpu/gpu_report.h"
#include "gpu/nvidia_smi_reader.h"

namespace trainctl::gpu {

// Overrides where NVML is loaded from, for tests and unusual installs (a path or a library name).
inline constexpr const char* kNvmlLibraryVariable = "TRAINCTL_NVML_LIBRARY";

struct GpuQueryOptions {
  core::EnvironmentVars env;                    // PATH, CUDA_VISIBLE_DEVICES, CUDA_DEVICE_ORDER, TRAINCTL_NVML_LIBRARY
  std::string nvml_library;                     // empty: $TRAINCTL_NVML_LIBRARY, else libnvidia-ml.so.1
  std::chrono::milliseconds nvidia_smi_timeout = kNvidiaSmiTimeout;   // per nvidia-smi run
  bool allow_nvidia_smi = true;                 // false: NVML or nothing
  safety::CommandGuard guard;                   // checks nvidia-smi before it runs
};

// NVML first; nvidia-smi only when NVML cannot be loaded (an NVML that loads but fails is a
// driver_error: nvidia-smi, its own client, would fail the same way). Then CUDA_VISIBLE_DEVICES.
GpuReport query_gpus(const GpuQueryOptions& options);

}  // namespace trainctl::gpu
