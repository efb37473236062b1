// Pure parsers of what nvidia-smi prints (the CSV queries, `-L`, the banner), for when NVML cannot
// be loaded. Guarantees: nothing is run here; malformed or binary input is an error naming its
// line, never a crash; at most kMaxSmiLines lines of kMaxSmiLineBytes are read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "gpu/gpu_report.h"

namespace trainctl::gpu {

inline constexpr std::size_t kMaxSmiLines = 4096;
inline constexpr std::size_t kMaxSmiLineBytes = 4096;
inline constexpr std::size_t kMaxSmiGpus = 256;

// The --query-gpu fields trainctl asks for, in order. Old drivers reject some of them (compute_cap
// before R510); those are optional and the query is retried without them.
const std::vector<std::string>& query_gpu_fields();
bool is_optional_query_field(std::string_view field);
// The field an old nvidia-smi refused: `Field "compute_cap" is not a valid field to query.`
std::optional<std::string> rejected_query_field(std::string_view output);

struct SmiGpuRows {
  std::vector<Gpu> gpus;                        // no processes or MIG devices yet
  std::optional<std::string> driver_version;
};
// `fields` are the ones queried, in order; they must include index, name and uuid.
// Unknown values ("[N/A]", "N/A", "[Not Supported]", ...) become nulls; MiB become bytes.
core::Result<SmiGpuRows> parse_query_gpu(std::string_view output, const std::vector<std::string>& fields);

// The --query-compute-apps fields trainctl asks for.
inline constexpr const char* kComputeAppsFields = "gpu_uuid,pid,process_name,used_memory";
struct SmiComputeApp {
  std::string gpu_uuid;                         // "GPU-..." (or "MIG-..." on some drivers)
  GpuProcess process;
};
// Empty output and "No running processes found" are no processes.
core::Result<std::vector<SmiComputeApp>> parse_compute_apps(std::string_view output);

struct SmiListedGpu {
  std::uint32_t index = 0;
  std::string name;
  std::string uuid;
  std::vector<MigInstance> mig_instances;       // profile, index and uuid; ids from the old UUID form
};
// `nvidia-smi -L`: "GPU 0: NAME (UUID: GPU-...)" lines, each followed by its indented
// "MIG 1g.5gb Device 0: (UUID: MIG-...)" lines (or the old "MIG-GPU-<uuid>/<gi>/<ci>" form).
core::Result<std::vector<SmiListedGpu>> parse_gpu_list(std::string_view output);

struct SmiBanner {
  std::optional<std::string> driver_version;
  std::optional<std::string> cuda_version;      // "12.4"; nullopt when the banner says N/A
};
// The versions in plain `nvidia-smi`'s banner (any layout) or in `nvidia-smi -q`.
SmiBanner parse_banner(std::string_view output);

}  // namespace trainctl::gpu
