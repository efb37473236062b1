#include "gpu/nvml_process_records.h"

#include <cstring>
#include <set>

#include <fmt/format.h>

#include "gpu/nvml_api.h"

namespace trainctl::gpu {
namespace {

// With no total to compare against, a petabyte per process is still clearly a misread.
constexpr std::uint64_t kMaxPlausibleProcessMemory = 1ULL << 50;

template <typename T>
T load(std::span<const unsigned char> bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

bool plausible_memory(std::uint64_t value, std::uint64_t limit) {
  return value == nvml::kValueNotAvailable || value <= limit;
}

bool plausible_instance_id(std::uint32_t id) {
  return id == nvml::kInvalidInstanceId || id < kMaxPlausibleInstanceId;
}

std::optional<std::uint32_t> instance_id(std::uint32_t id) {
  if (id == nvml::kInvalidInstanceId) return std::nullopt;
  return id;
}

// The records read with one record size, or nullopt when any of them is implausible.
std::optional<std::vector<GpuProcess>> decode_with(std::span<const unsigned char> bytes, std::size_t count,
                                                   std::size_t size, std::uint64_t memory_limit) {
  if (count > bytes.size() / size) return std::nullopt;
  std::vector<GpuProcess> processes;
  std::set<std::uint32_t> pids;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t at = i * size;
    GpuProcess process;
    process.pid = load<std::uint32_t>(bytes, at);
    const auto memory = load<std::uint64_t>(bytes, at + 8);
    if (process.pid == 0 || process.pid > kMaxPlausiblePid || !pids.insert(process.pid).second) return std::nullopt;
    if (!plausible_memory(memory, memory_limit)) return std::nullopt;
    if (memory != nvml::kValueNotAvailable) process.used_memory_bytes = memory;
    if (size >= sizeof(nvml::ProcessInfoV2)) {
      const auto gpu_instance = load<std::uint32_t>(bytes, at + 16);
      const auto compute_instance = load<std::uint32_t>(bytes, at + 20);
      if (!plausible_instance_id(gpu_instance) || !plausible_instance_id(compute_instance)) return std::nullopt;
      process.gpu_instance_id = instance_id(gpu_instance);
      process.compute_instance_id = instance_id(compute_instance);
    }
    if (size >= sizeof(nvml::ProcessInfoV3Cc) && !plausible_memory(load<std::uint64_t>(bytes, at + 24), memory_limit)) {
      return std::nullopt;
    }
    processes.push_back(std::move(process));
  }
  return processes;
}

}  // namespace

core::Result<std::vector<GpuProcess>> decode_process_records(std::span<const unsigned char> bytes,
                                                             std::size_t count,
                                                             std::span<const std::size_t> record_sizes,
                                                             std::optional<std::uint64_t> memory_total) {
  const std::uint64_t limit = memory_total.value_or(kMaxPlausibleProcessMemory);
  for (std::size_t size : record_sizes) {
    if (size < sizeof(nvml::ProcessInfoV1)) continue;
    if (auto processes = decode_with(bytes, count, size, limit)) return std::move(*processes);
  }
  return core::Error::failure(fmt::format(
      "NVML listed {} process(es) in a record layout trainctl does not recognise; `nvidia-smi` shows them", count));
}

}  // namespace trainctl::gpu
