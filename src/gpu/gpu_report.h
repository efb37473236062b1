// What trainctl knows about this machine's NVIDIA GPUs: the plain structs that `trainctl gpus`
// prints, `doctor` summarises and a training launch checks against. Sizes are bytes, power watts.
// A machine without GPUs is a report with no GPUs and a reason, never an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace trainctl::gpu {

struct GpuProcess {
  std::uint32_t pid = 0;
  std::string name;                                  // executable path or name; may be empty
  std::optional<std::uint64_t> used_memory_bytes;    // unknown under MIG or without permission
  std::optional<std::uint32_t> gpu_instance_id;      // MIG: which instance it runs on
  std::optional<std::uint32_t> compute_instance_id;
};

struct MigInstance {
  std::uint32_t index = 0;                           // MIG device index within its GPU
  std::string uuid;                                  // "MIG-..."
  std::string profile;                               // e.g. "1g.10gb"
  std::optional<std::uint32_t> gpu_instance_id;
  std::optional<std::uint32_t> compute_instance_id;
  std::optional<std::uint64_t> memory_total_bytes;
  std::optional<std::uint64_t> memory_used_bytes;
  std::optional<std::uint64_t> memory_free_bytes;
};

struct Gpu {
  std::uint32_t index = 0;                           // nvidia-smi's index (PCI bus order)
  std::string name;
  std::string uuid;                                  // "GPU-..."
  std::string pci_bus_id;
  std::optional<std::uint64_t> memory_total_bytes;
  std::optional<std::uint64_t> memory_used_bytes;
  std::optional<std::uint64_t> memory_free_bytes;
  std::optional<std::uint32_t> utilization_percent;
  std::optional<std::uint32_t> memory_utilization_percent;
  std::optional<std::uint32_t> temperature_c;
  std::optional<double> power_watts;
  std::optional<double> power_limit_watts;
  std::optional<std::string> compute_capability;     // "9.0"
  bool mig_enabled = false;
  std::vector<MigInstance> mig_instances;
  std::vector<GpuProcess> processes;
};

// One device a CUDA program started from here would see, in CUDA's numbering.
struct VisibleDevice {
  std::uint32_t cuda_index = 0;
  std::uint32_t gpu_index = 0;                       // index into GpuReport::gpus' physical index
  std::string uuid;                                  // the GPU's, or the MIG instance's
  bool mig = false;
};

struct GpuReport {
  std::string source;                                // "nvml", "nvidia-smi" or "none"
  std::optional<std::string> driver_version;
  std::optional<std::string> cuda_version;           // the driver's CUDA version, "12.4"
  std::optional<std::string> nvml_version;
  std::vector<Gpu> gpus;
  // CUDA_VISIBLE_DEVICES as found (nullopt when unset) and what a training run would see.
  std::optional<std::string> cuda_visible_devices;
  std::vector<VisibleDevice> visible;
  // When no GPU is usable: a stable code (the kReason* constants below) and a sentence.
  std::optional<std::string> no_gpu_reason_code;
  std::optional<std::string> no_gpu_reason;
  std::vector<std::string> warnings;                 // e.g. a CUDA_VISIBLE_DEVICES entry that matches nothing

  bool usable() const { return !visible.empty(); }
};

// The codes of GpuReport::no_gpu_reason_code.
inline constexpr const char* kReasonNoDriverLibrary = "no_driver_library";    // neither NVML nor nvidia-smi
inline constexpr const char* kReasonNoDevice = "no_device";                   // the driver sees no usable GPU
inline constexpr const char* kReasonDriverError = "driver_error";             // NVML/nvidia-smi present but failing
// CUDA_VISIBLE_DEVICES leaves CUDA nothing: set to "", or its first entry matches no GPU ("-1").
inline constexpr const char* kReasonCudaVisibleDevicesEmpty = "cuda_visible_devices_empty";

// snake_case keys, sizes in bytes, power in watts, null for whatever is unknown.
nlohmann::json to_json(const GpuReport& report);

}  // namespace trainctl::gpu
