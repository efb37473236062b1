#include "gpu/nvml_reader.h"

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "gpu/nvml_api.h"
#include "gpu/nvml_process_records.h"

namespace trainctl::gpu {
namespace {

struct LibraryCloser {
  void operator()(void* library) const { ::dlclose(library); }
};
using LibraryHandle = std::unique_ptr<void, LibraryCloser>;

template <typename Fn>
Fn lookup(void* library, const char* name) {
  return reinterpret_cast<Fn>(::dlsym(library, name));
}

// NVML's functions as this driver provides them; a null pointer means the driver is too old (or
// too new) to have it, and the field it would fill stays unknown.
struct Api {
  nvml::InitFn init = nullptr;
  nvml::ShutdownFn shutdown = nullptr;
  nvml::ErrorStringFn error_string = nullptr;
  nvml::SystemStringFn driver_version = nullptr;
  nvml::SystemStringFn nvml_version = nullptr;
  nvml::CudaDriverVersionFn cuda_driver_version = nullptr;
  nvml::ProcessNameFn process_name = nullptr;
  nvml::DeviceCountFn device_count = nullptr;
  nvml::HandleByIndexFn handle_by_index = nullptr;
  nvml::DeviceStringFn name = nullptr;
  nvml::DeviceStringFn uuid = nullptr;
  nvml::PciInfoFn pci_info = nullptr;
  nvml::MemoryInfoFn memory_info = nullptr;
  nvml::UtilizationFn utilization = nullptr;
  nvml::TemperatureFn temperature = nullptr;
  nvml::DeviceUintFn power_usage = nullptr;
  nvml::DeviceUintFn power_limit = nullptr;
  nvml::ComputeCapabilityFn compute_capability = nullptr;
  nvml::MigModeFn mig_mode = nullptr;
  nvml::DeviceUintFn max_mig_devices = nullptr;
  nvml::MigHandleFn mig_handle = nullptr;
  nvml::DeviceUintFn gpu_instance_id = nullptr;
  nvml::DeviceUintFn compute_instance_id = nullptr;
  nvml::RunningProcessesFn processes_v3 = nullptr;
  nvml::RunningProcessesFn processes_v2 = nullptr;
  nvml::RunningProcessesFn processes_v1 = nullptr;

  static Api load(void* library) {
    Api api;
    api.init = lookup<nvml::InitFn>(library, "nvmlInit_v2");
    api.shutdown = lookup<nvml::ShutdownFn>(library, "nvmlShutdown");
    api.error_string = lookup<nvml::ErrorStringFn>(library, "nvmlErrorString");
    api.driver_version = lookup<nvml::SystemStringFn>(library, "nvmlSystemGetDriverVersion");
    api.nvml_version = lookup<nvml::SystemStringFn>(library, "nvmlSystemGetNVMLVersion");
    api.cuda_driver_version = lookup<nvml::CudaDriverVersionFn>(library, "nvmlSystemGetCudaDriverVersion");
    api.process_name = lookup<nvml::ProcessNameFn>(library, "nvmlSystemGetProcessName");
    api.device_count = lookup<nvml::DeviceCountFn>(library, "nvmlDeviceGetCount_v2");
    api.handle_by_index = lookup<nvml::HandleByIndexFn>(library, "nvmlDeviceGetHandleByIndex_v2");
    api.name = lookup<nvml::DeviceStringFn>(library, "nvmlDeviceGetName");
    api.uuid = lookup<nvml::DeviceStringFn>(library, "nvmlDeviceGetUUID");
    api.pci_info = lookup<nvml::PciInfoFn>(library, "nvmlDeviceGetPciInfo_v3");
    api.memory_info = lookup<nvml::MemoryInfoFn>(library, "nvmlDeviceGetMemoryInfo");
    api.utilization = lookup<nvml::UtilizationFn>(library, "nvmlDeviceGetUtilizationRates");
    api.temperature = lookup<nvml::TemperatureFn>(library, "nvmlDeviceGetTemperature");
    api.power_usage = lookup<nvml::DeviceUintFn>(library, "nvmlDeviceGetPowerUsage");
    api.power_limit = lookup<nvml::DeviceUintFn>(library, "nvmlDeviceGetEnforcedPowerLimit");
    api.compute_capability = lookup<nvml::ComputeCapabilityFn>(library, "nvmlDeviceGetCudaComputeCapability");
    api.mig_mode = lookup<nvml::MigModeFn>(library, "nvmlDeviceGetMigMode");
    api.max_mig_devices = lookup<nvml::DeviceUintFn>(library, "nvmlDeviceGetMaxMigDeviceCount");
    api.mig_handle = lookup<nvml::MigHandleFn>(library, "nvmlDeviceGetMigDeviceHandleByIndex");
    api.gpu_instance_id = lookup<nvml::DeviceUintFn>(library, "nvmlDeviceGetGpuInstanceId");
    api.compute_instance_id = lookup<nvml::DeviceUintFn>(library, "nvmlDeviceGetComputeInstanceId");
    api.processes_v3 = lookup<nvml::RunningProcessesFn>(library, "nvmlDeviceGetComputeRunningProcesses_v3");
    api.processes_v2 = lookup<nvml::RunningProcessesFn>(library, "nvmlDeviceGetComputeRunningProcesses_v2");
    api.processes_v1 = lookup<nvml::RunningProcessesFn>(library, "nvmlDeviceGetComputeRunningProcesses");
    return api;
  }

  std::string error_text(nvml::Return rc) const {
    const char* text = error_string != nullptr ? error_string(rc) : nullptr;
    return text != nullptr ? std::string(text) : fmt::format("NVML error {}", rc);
  }
};

// nvmlShutdown must run once for the nvmlInit that succeeded, before the library is closed.
struct ShutdownGuard {
  explicit ShutdownGuard(nvml::ShutdownFn fn) : shutdown(fn) {}
  nvml::ShutdownFn shutdown;
  ShutdownGuard(const ShutdownGuard&) = delete;
  ShutdownGuard& operator=(const ShutdownGuard&) = delete;
  ~ShutdownGuard() {
    if (shutdown != nullptr) shutdown();
  }
};

// Calls `fill(buffer, size)`; the text up to the first NUL, or nullopt when it failed or is empty.
template <typename Fill>
std::optional<std::string> read_string(Fill&& fill) {
  std::array<char, nvml::kStringBufferBytes> buffer{};
  if (fill(buffer.data(), static_cast<unsigned int>(buffer.size())) != nvml::kSuccess) return std::nullopt;
  buffer.back() = '\0';
  std::string text(buffer.data(), ::strnlen(buffer.data(), buffer.size()));
  if (text.empty()) return std::nullopt;
  return text;
}

std::optional<std::uint32_t> read_uint(nvml::DeviceUintFn fn, nvml::Device device) {
  unsigned int value = 0;
  if (fn == nullptr || fn(device, &value) != nvml::kSuccess) return std::nullopt;
  return value;
}

struct MemoryFields {
  std::optional<std::uint64_t> total, used, free;
};

MemoryFields read_memory(const Api& api, nvml::Device device) {
  MemoryFields fields;
  nvml::Memory memory{};
  if (api.memory_info == nullptr || api.memory_info(device, &memory) != nvml::kSuccess) return fields;
  auto known = [](unsigned long long v) {
    return v == nvml::kValueNotAvailable ? std::nullopt : std::optional<std::uint64_t>(v);
  };
  return {known(memory.total), known(memory.used), known(memory.free)};
}

// The processes on one device (a GPU, or a MIG device for per-instance figures); nullopt when
// this NVML cannot say. Processes may start between the count and the read, hence the retries.
std::optional<std::vector<GpuProcess>> read_processes(const Api& api, nvml::Device device,
                                                      std::optional<std::uint64_t> memory_total,
                                                      std::vector<std::string>& warnings, const std::string& what) {
  nvml::RunningProcessesFn fn = nullptr;
  std::span<const std::size_t> sizes;
  static constexpr std::size_t kV2Size[] = {sizeof(nvml::ProcessInfoV2)};
  static constexpr std::size_t kV1Size[] = {sizeof(nvml::ProcessInfoV1)};
  if (api.processes_v3 != nullptr) {
    fn = api.processes_v3;
    sizes = kProcessRecordSizesV3;
  } else if (api.processes_v2 != nullptr) {
    fn = api.processes_v2;
    sizes = kV2Size;
  } else if (api.processes_v1 != nullptr) {
    fn = api.processes_v1;
    sizes = kV1Size;
  } else {
    return std::nullopt;
  }
  constexpr int kAttempts = 3;
  constexpr unsigned int kSlack = 8;
  unsigned int capacity = 0;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    // Room for `capacity` records of the largest size any driver writes.
    std::vector<std::uint64_t> storage(capacity * sizeof(nvml::ProcessInfoV3Cc) / sizeof(std::uint64_t));
    unsigned int count = capacity;
    const nvml::Return rc = fn(device, &count, capacity == 0 ? nullptr : storage.data());
    if (rc == nvml::kSuccess) {
      count = std::min(count, capacity);
      if (count == 0) return std::vector<GpuProcess>{};
      std::span<const unsigned char> bytes(reinterpret_cast<const unsigned char*>(storage.data()),
                                           storage.size() * sizeof(std::uint64_t));
      auto decoded = decode_process_records(bytes, count, sizes, memory_total);
      if (!decoded) {
        warnings.push_back(fmt::format("{}: {}", what, decoded.error().message));
        return std::nullopt;
      }
      for (GpuProcess& process : *decoded) {
        if (api.process_name == nullptr) break;
        process.name = read_string([&](char* buffer, unsigned int size) {
                         return api.process_name(process.pid, buffer, size);
                       }).value_or("");
      }
      return std::move(*decoded);
    }
    if (rc != nvml::kErrorInsufficientSize || capacity >= kMaxProcessesPerGpu) break;
    capacity = std::min(std::max(count, capacity) + kSlack, kMaxProcessesPerGpu);
  }
  if (capacity >= kMaxProcessesPerGpu) {
    warnings.push_back(fmt::format("{}: more than {} processes; not listed", what, kMaxProcessesPerGpu));
  }
  return std::nullopt;
}

// "NVIDIA A100-SXM4-40GB MIG 1g.5gb" → "1g.5gb".
std::string mig_profile_from_name(const std::string& name) {
  const auto at = name.rfind("MIG ");
  return at == std::string::npos ? name : name.substr(at + 4);
}

void read_mig_devices(const Api& api, nvml::Device parent, Gpu& gpu, std::vector<std::string>& warnings) {
  if (api.max_mig_devices == nullptr || api.mig_handle == nullptr) return;
  const std::uint32_t slots = std::min(read_uint(api.max_mig_devices, parent).value_or(0), kMaxMigDevicesPerGpu);
  for (std::uint32_t slot = 0; slot < slots; ++slot) {
    nvml::Device mig = nullptr;
    // Slots without a MIG device answer NOT_FOUND: instances need not be numbered densely.
    if (api.mig_handle(parent, slot, &mig) != nvml::kSuccess || mig == nullptr) continue;
    MigInstance instance;
    instance.index = slot;
    if (api.uuid != nullptr) {
      instance.uuid = read_string([&](char* b, unsigned int n) { return api.uuid(mig, b, n); }).value_or("");
    }
    if (api.name != nullptr) {
      auto name = read_string([&](char* b, unsigned int n) { return api.name(mig, b, n); });
      if (name) instance.profile = mig_profile_from_name(*name);
    }
    instance.gpu_instance_id = read_uint(api.gpu_instance_id, mig);
    instance.compute_instance_id = read_uint(api.compute_instance_id, mig);
    const MemoryFields memory = read_memory(api, mig);
    instance.memory_total_bytes = memory.total;
    instance.memory_used_bytes = memory.used;
    instance.memory_free_bytes = memory.free;
    // Per-instance process figures need the MIG handle; the parent gives them only to root.
    auto processes = read_processes(api, mig, memory.total, warnings,
                                    fmt::format("GPU {} MIG device {}", gpu.index, slot));
    for (GpuProcess& process : processes.value_or(std::vector<GpuProcess>{})) {
      if (!process.gpu_instance_id) process.gpu_instance_id = instance.gpu_instance_id;
      if (!process.compute_instance_id) process.compute_instance_id = instance.compute_instance_id;
      gpu.processes.push_back(std::move(process));
    }
    gpu.mig_instances.push_back(std::move(instance));
  }
}

Gpu read_device(const Api& api, nvml::Device device, std::uint32_t index, std::vector<std::string>& warnings) {
  Gpu gpu;
  gpu.index = index;
  if (api.name != nullptr) {
    gpu.name = read_string([&](char* b, unsigned int n) { return api.name(device, b, n); }).value_or("");
  }
  if (api.uuid != nullptr) {
    gpu.uuid = read_string([&](char* b, unsigned int n) { return api.uuid(device, b, n); }).value_or("");
  }
  nvml::PciInfo pci{};
  if (api.pci_info != nullptr && api.pci_info(device, &pci) == nvml::kSuccess) {
    gpu.pci_bus_id.assign(pci.bus_id, ::strnlen(pci.bus_id, sizeof(pci.bus_id)));
  }
  const MemoryFields memory = read_memory(api, device);
  gpu.memory_total_bytes = memory.total;
  gpu.memory_used_bytes = memory.used;
  gpu.memory_free_bytes = memory.free;
  nvml::Utilization utilization{};
  if (api.utilization != nullptr && api.utilization(device, &utilization) == nvml::kSuccess) {
    gpu.utilization_percent = utilization.gpu;
    gpu.memory_utilization_percent = utilization.memory;
  }
  unsigned int celsius = 0;
  if (api.temperature != nullptr && api.temperature(device, nvml::kTemperatureSensorGpu, &celsius) == nvml::kSuccess) {
    gpu.temperature_c = celsius;
  }
  if (auto milliwatts = read_uint(api.power_usage, device)) gpu.power_watts = *milliwatts / 1000.0;
  if (auto milliwatts = read_uint(api.power_limit, device)) gpu.power_limit_watts = *milliwatts / 1000.0;
  int major = 0;
  int minor = 0;
  if (api.compute_capability != nullptr && api.compute_capability(device, &major, &minor) == nvml::kSuccess) {
    gpu.compute_capability = fmt::format("{}.{}", major, minor);
  }
  unsigned int current_mig = 0;
  unsigned int pending_mig = 0;
  if (api.mig_mode != nullptr && api.mig_mode(device, &current_mig, &pending_mig) == nvml::kSuccess) {
    gpu.mig_enabled = current_mig == nvml::kMigModeEnabled;
  }
  if (gpu.mig_enabled) {
    read_mig_devices(api, device, gpu, warnings);
  } else {
    auto processes = read_processes(api, device, memory.total, warnings, fmt::format("GPU {}", index));
    if (processes) gpu.processes = std::move(*processes);
  }
  return gpu;
}

std::string init_hint(nvml::Return rc) {
  if (rc == nvml::kErrorDriverNotLoaded) {
    return "; the NVIDIA kernel module is not loaded (check `lsmod | grep nvidia`; after installing a driver, "
           "reboot)";
  }
  if (rc == nvml::kErrorLibRmVersionMismatch) {
    return "; the driver's library and kernel module are different versions, usually after an upgrade "
           "without a reboot";
  }
  return "";
}

}  // namespace

core::Result<GpuReport> read_nvml(const NvmlReadOptions& options) {
  ::dlerror();
  LibraryHandle library(::dlopen(options.library.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!library) {
    const char* why = ::dlerror();
    return core::Error::not_found(
        fmt::format("cannot load NVML ({}): {}", options.library, why != nullptr ? why : "unknown reason"));
  }
  const Api api = Api::load(library.get());
  if (api.init == nullptr || api.device_count == nullptr || api.handle_by_index == nullptr) {
    return core::Error::not_found(fmt::format(
        "'{}' loaded but is not NVML: it lacks nvmlInit_v2, nvmlDeviceGetCount_v2 or nvmlDeviceGetHandleByIndex_v2",
        options.library));
  }
  const nvml::Return init = api.init();
  if (init != nvml::kSuccess) {
    return core::Error::failure(
        fmt::format("NVML could not start: {} (nvmlInit_v2 returned {}){}", api.error_text(init), init, init_hint(init)));
  }
  const ShutdownGuard shutdown{api.shutdown};

  GpuReport report;
  report.source = "nvml";
  if (api.driver_version != nullptr) report.driver_version = read_string(api.driver_version);
  if (api.nvml_version != nullptr) report.nvml_version = read_string(api.nvml_version);
  int cuda = 0;
  if (api.cuda_driver_version != nullptr && api.cuda_driver_version(&cuda) == nvml::kSuccess && cuda > 0) {
    report.cuda_version = fmt::format("{}.{}", cuda / 1000, (cuda % 1000) / 10);  // 12040 → "12.4"
  }
  unsigned int count = 0;
  const nvml::Return counted = api.device_count(&count);
  if (counted != nvml::kSuccess) {
    return core::Error::failure(fmt::format("NVML could not count the GPUs: {} (nvmlDeviceGetCount_v2 returned {})",
                                            api.error_text(counted), counted));
  }
  if (count > kMaxNvmlDevices) {
    report.warnings.push_back(fmt::format("NVML reports {} GPUs; only the first {} are read", count, kMaxNvmlDevices));
    count = kMaxNvmlDevices;
  }
  for (unsigned int index = 0; index < count; ++index) {
    nvml::Device device = nullptr;
    const nvml::Return opened = api.handle_by_index(index, &device);
    if (opened != nvml::kSuccess || device == nullptr) {
      // A GPU the driver lists but cannot open (lost, or not ours in this container) is skipped.
      report.warnings.push_back(fmt::format("GPU {}: NVML cannot open it: {}", index, api.error_text(opened)));
      continue;
    }
    report.gpus.push_back(read_device(api, device, index, report.warnings));
  }
  return report;
}

}  // namespace trainctl::gpu
