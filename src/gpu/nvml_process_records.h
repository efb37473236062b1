// Decodes the process array NVML's nvmlDeviceGetComputeRunningProcesses* calls fill in, whose
// record size the _v3 call does not state and drivers disagree on (24, 32 on some R535, 16).
// Guarantees: an array that no candidate size explains plausibly is an error, never garbage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "gpu/gpu_report.h"

namespace trainctl::gpu {

// Linux's largest possible pid (PID_MAX_LIMIT on 64-bit): a larger one means a misread record.
inline constexpr std::uint32_t kMaxPlausiblePid = 4194304;
// MIG has at most 8 GPU instances and 8 compute instances per GPU; ids stay far below this.
inline constexpr std::uint32_t kMaxPlausibleInstanceId = 64;
// Record sizes to try for the _v3 call, most common first.
inline constexpr std::size_t kProcessRecordSizesV3[] = {24, 32, 16};

// `bytes` holds `count` records of one of `record_sizes`; memory_total (when known) bounds a
// plausible per-process memory. Names are left empty: NVML gives them through another call.
core::Result<std::vector<GpuProcess>> decode_process_records(std::span<const unsigned char> bytes,
                                                             std::size_t count,
                                                             std::span<const std::size_t> record_sizes,
                                                             std::optional<std::uint64_t> memory_total);

}  // namespace trainctl::gpu
