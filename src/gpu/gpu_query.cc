#include "gpu/gpu_query.h"

#include <fmt/format.h>

#include "core/subprocess.h"
#include "gpu/nvml_reader.h"
#include "gpu/visible_devices.h"

namespace trainctl::gpu {
namespace {

// run_subprocess's own default, so the lookup here finds what it would run.
constexpr const char* kDefaultPath = "/usr/bin:/bin";

std::string nvml_library_for(const GpuQueryOptions& options) {
  if (!options.nvml_library.empty()) return options.nvml_library;
  auto from_env = options.env.get(kNvmlLibraryVariable);
  if (from_env && !from_env->empty()) return *from_env;
  return kDefaultNvmlLibrary;
}

GpuReport no_gpu(const char* code, std::string reason, std::vector<std::string> warnings = {}) {
  GpuReport report;
  report.source = "none";
  report.no_gpu_reason_code = code;
  report.no_gpu_reason = std::move(reason);
  report.warnings = std::move(warnings);
  return report;
}

GpuReport read_gpus(const GpuQueryOptions& options) {
  const std::string library = nvml_library_for(options);
  auto nvml = read_nvml({library});
  if (nvml) return std::move(*nvml);
  if (nvml.error().kind != core::ErrorKind::kNotFound) {
    return no_gpu(kReasonDriverError, nvml.error().message);
  }
  const std::string nvml_problem = nvml.error().message;
  const std::string path = options.env.get("PATH").value_or(kDefaultPath);
  const auto program = options.allow_nvidia_smi ? core::find_on_path("nvidia-smi", path) : std::nullopt;
  if (!program) {
    // The loader's words only when they say more than "not there" (a broken or 32-bit library).
    std::vector<std::string> warnings;
    if (nvml_problem.find("No such file or directory") == std::string::npos) warnings.push_back(nvml_problem);
    return no_gpu(kReasonNoDriverLibrary,
                  fmt::format("neither {} nor nvidia-smi was found, so no NVIDIA driver is installed here{}", library,
                              options.allow_nvidia_smi ? "" : " (nvidia-smi was not tried)"),
                  std::move(warnings));
  }
  auto smi = read_nvidia_smi({*program, options.env, options.nvidia_smi_timeout, options.guard});
  if (!smi) {
    const char* code = smi.error().kind == core::ErrorKind::kNotFound ? kReasonNoDriverLibrary : kReasonDriverError;
    return no_gpu(code, smi.error().message, {nvml_problem});
  }
  smi->warnings.insert(smi->warnings.begin(), fmt::format("read through nvidia-smi because {}", nvml_problem));
  return std::move(*smi);
}

}  // namespace

GpuReport query_gpus(const GpuQueryOptions& options) try {
  GpuReport report = read_gpus(options);
  report.cuda_visible_devices = options.env.get("CUDA_VISIBLE_DEVICES");
  if (report.no_gpu_reason_code) return report;
  Visibility visibility =
      resolve_visible_devices(report.gpus, report.cuda_visible_devices, options.env.get("CUDA_DEVICE_ORDER"));
  report.visible = std::move(visibility.visible);
  report.warnings.insert(report.warnings.end(), visibility.warnings.begin(), visibility.warnings.end());
  report.no_gpu_reason_code = visibility.no_gpu_reason_code;
  report.no_gpu_reason = visibility.no_gpu_reason;
  return report;
} catch (const std::exception& e) {
  // Only memory exhaustion should get here; the promise is still a report.
  return no_gpu(kReasonDriverError, fmt::format("reading the GPUs failed: {}", e.what()));
}

}  // namespace trainctl::gpu
