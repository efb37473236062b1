// Reads this machine's GPUs through NVML, loaded at run time with dlopen (trainctl needs no NVIDIA
// files to build or run). Guarantees: NVML is shut down and closed before returning; a missing
// optional function or an unsupported query leaves its field null and never fails the read.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "gpu/gpu_report.h"

namespace trainctl::gpu {

inline constexpr const char* kDefaultNvmlLibrary = "libnvidia-ml.so.1";
inline constexpr std::uint32_t kMaxNvmlDevices = 256;
inline constexpr std::uint32_t kMaxProcessesPerGpu = 4096;
inline constexpr std::uint32_t kMaxMigDevicesPerGpu = 64;

struct NvmlReadOptions {
  // A name is looked up the way the dynamic loader does; a path (with '/') is used as is.
  std::string library = kDefaultNvmlLibrary;
};

// A report with source "nvml" (no GPUs when the driver has none; no visibility applied yet).
// Errors: kNotFound when the library cannot be loaded or is not NVML (try nvidia-smi instead);
// kFailure when NVML loads but cannot start, with nvmlErrorString's text (e.g. "Driver Not Loaded").
core::Result<GpuReport> read_nvml(const NvmlReadOptions& options);

}  // namespace trainctl::gpu
