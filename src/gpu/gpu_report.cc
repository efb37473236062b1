#include "gpu/gpu_report.h"

namespace trainctl::gpu {
namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json or_null(const std::string& value) {
  return value.empty() ? nlohmann::json(nullptr) : nlohmann::json(value);
}

nlohmann::json to_json(const GpuProcess& process) {
  return {
      {"pid", process.pid},
      {"name", process.name},
      {"used_memory_bytes", or_null(process.used_memory_bytes)},
      {"gpu_instance_id", or_null(process.gpu_instance_id)},
      {"compute_instance_id", or_null(process.compute_instance_id)},
  };
}

nlohmann::json to_json(const MigInstance& mig) {
  return {
      {"index", mig.index},
      {"uuid", mig.uuid},
      {"profile", or_null(mig.profile)},
      {"gpu_instance_id", or_null(mig.gpu_instance_id)},
      {"compute_instance_id", or_null(mig.compute_instance_id)},
      {"memory_total_bytes", or_null(mig.memory_total_bytes)},
      {"memory_used_bytes", or_null(mig.memory_used_bytes)},
      {"memory_free_bytes", or_null(mig.memory_free_bytes)},
  };
}

nlohmann::json to_json(const Gpu& gpu) {
  nlohmann::json mig = nlohmann::json::array();
  for (const auto& instance : gpu.mig_instances) mig.push_back(to_json(instance));
  nlohmann::json processes = nlohmann::json::array();
  for (const auto& process : gpu.processes) processes.push_back(to_json(process));
  return {
      {"index", gpu.index},
      {"name", gpu.name},
      {"uuid", gpu.uuid},
      {"pci_bus_id", or_null(gpu.pci_bus_id)},
      {"memory_total_bytes", or_null(gpu.memory_total_bytes)},
      {"memory_used_bytes", or_null(gpu.memory_used_bytes)},
      {"memory_free_bytes", or_null(gpu.memory_free_bytes)},
      {"utilization_percent", or_null(gpu.utilization_percent)},
      {"memory_utilization_percent", or_null(gpu.memory_utilization_percent)},
      {"temperature_c", or_null(gpu.temperature_c)},
      {"power_watts", or_null(gpu.power_watts)},
      {"power_limit_watts", or_null(gpu.power_limit_watts)},
      {"compute_capability", or_null(gpu.compute_capability)},
      {"mig_enabled", gpu.mig_enabled},
      {"mig_instances", std::move(mig)},
      {"processes", std::move(processes)},
  };
}

nlohmann::json to_json(const VisibleDevice& device) {
  return {
      {"cuda_index", device.cuda_index},
      {"gpu_index", device.gpu_index},
      {"uuid", device.uuid},
      {"mig", device.mig},
  };
}

}  // namespace

nlohmann::json to_json(const GpuReport& report) {
  nlohmann::json gpus = nlohmann::json::array();
  for (const auto& gpu : report.gpus) gpus.push_back(to_json(gpu));
  nlohmann::json visible = nlohmann::json::array();
  for (const auto& device : report.visible) visible.push_back(to_json(device));
  return {
      {"usable", report.usable()},
      {"source", report.source},
      {"driver_version", or_null(report.driver_version)},
      {"cuda_version", or_null(report.cuda_version)},
      {"nvml_version", or_null(report.nvml_version)},
      {"gpus", std::move(gpus)},
      {"cuda_visible_devices", or_null(report.cuda_visible_devices)},
      {"visible", std::move(visible)},
      {"no_gpu_reason_code", or_null(report.no_gpu_reason_code)},
      {"no_gpu_reason", or_null(report.no_gpu_reason)},
      {"warnings", report.warnings},
  };
}

}  // namespace trainctl::gpu
