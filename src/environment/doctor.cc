#include "environment/doctor.h"

#include <thread>

#include <fmt/format.h>

#include "core/human_units.h"
#include "core/json_util.h"
#include "gpu/gpu_query.h"

namespace trainctl::environment {
namespace {

// "12.4" → 12040, the way CUDA numbers its versions; nullopt when it is not "major.minor".
std::optional<int> cuda_version_number(const std::string& version) {
  int major = 0, minor = 0;
  if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) != 2) return std::nullopt;
  return major * 1000 + minor * 10;
}

// The CUDA wheel tag PyTorch publishes for a driver's CUDA version, e.g. "12.4" → "cu124".
std::string wheel_tag(const std::string& cuda_version) {
  std::string tag = "cu";
  for (char c : cuda_version) {
    if (c != '.') tag += c;
  }
  return tag;
}

void add(DoctorReport& report, std::string severity, std::string message, std::string fix) {
  report.problems.push_back({std::move(severity), std::move(message), std::move(fix)});
}

void diagnose_interpreters(DoctorReport& report) {
  if (report.interpreters.empty()) {
    add(report, "error", "no Python interpreter was found (looked for python, python3, a project .venv/venv, "
        "$VIRTUAL_ENV, $CONDA_PREFIX and /usr/bin/python3)", "apt-get install python3 python3-torch");
    return;
  }
  const bool gpus_usable = report.gpus.usable();
  const InterpreterStatus* with_torch = nullptr;
  const InterpreterStatus* with_cuda = nullptr;
  for (const auto& status : report.interpreters) {
    if (status.probe.has_torch() && !with_torch) with_torch = &status;
    if (status.probe.cuda_available.value_or(false) && !with_cuda) with_cuda = &status;
    if (!status.probe.ran) {
      add(report, "warning", fmt::format("{} ({}) could not be checked: {}", status.candidate.path,
                                         status.candidate.origin, status.probe.error.value_or("no answer")),
          fmt::format("{} -c 'import torch; print(torch.__version__)'", status.candidate.path));
    }
  }
  const InterpreterStatus* chosen = gpus_usable && with_cuda ? with_cuda : with_torch;
  if (chosen) report.recommended_interpreter = chosen->candidate.path;

  if (!with_torch) {
    add(report, "error", "no Python interpreter here has PyTorch installed",
        "pip install torch   (or on Debian: apt-get install python3-torch)");
    return;
  }
  const InterpreterStatus& first = report.interpreters.front();
  if (&first != chosen && first.probe.ran && !first.probe.has_torch()) {
    add(report, "warning",
        fmt::format("{} ({}) is the interpreter a plain `python` would use, but it has no torch; {} has torch {}",
                    first.candidate.path, first.candidate.origin, chosen->candidate.path,
                    chosen->probe.torch_version.value_or("?")),
        fmt::format("{} train.py ...   (trainctl uses this interpreter for you)", chosen->candidate.path));
  }
  if (!gpus_usable) return;
  if (with_cuda) return;
  // GPUs are there but no interpreter can use them: say why for the one we would train with.
  const TorchProbe& probe = chosen->probe;
  const std::string driver_cuda = report.gpus.cuda_version.value_or("");
  if (!probe.torch_cuda) {
    add(report, "error",
        fmt::format("torch {} in {} is a CPU-only build, but this machine has {} usable GPU(s)",
                    probe.torch_version.value_or("?"), chosen->candidate.path, report.gpus.visible.size()),
        driver_cuda.empty()
            ? std::string("pip install --force-reinstall torch   (a CUDA build)")
            : fmt::format("pip install --force-reinstall torch --index-url https://download.pytorch.org/whl/{}",
                          wheel_tag(driver_cuda)));
    return;
  }
  auto built = cuda_version_number(*probe.torch_cuda);
  auto supported = cuda_version_number(driver_cuda);
  if (built && supported && *built / 1000 > *supported / 1000) {
    add(report, "error",
        fmt::format("torch {} was built for CUDA {}, but the driver {} supports CUDA {} at most",
                    probe.torch_version.value_or("?"), *probe.torch_cuda,
                    report.gpus.driver_version.value_or("?"), driver_cuda),
        fmt::format("upgrade the NVIDIA driver, or: pip install --force-reinstall torch --index-url "
                    "https://download.pytorch.org/whl/{}", wheel_tag(driver_cuda)));
    return;
  }
  add(report, "error",
      fmt::format("torch {} (CUDA {}) in {} cannot use the GPUs that nvidia-smi shows{}",
                  probe.torch_version.value_or("?"), *probe.torch_cuda, chosen->candidate.path,
                  probe.error ? ": " + *probe.error : std::string()),
      fmt::format("{} -c 'import torch; torch.zeros(1).cuda()'   (shows the CUDA error in full)",
                  chosen->candidate.path));
}

void diagnose_gpus(DoctorReport& report) {
  if (report.gpus.usable()) return;
  const std::string code = report.gpus.no_gpu_reason_code.value_or("");
  std::string fix;
  if (code == "cuda_visible_devices_empty") {
    fix = "unset CUDA_VISIBLE_DEVICES   (or set it to the GPU indices to use, e.g. 0,1)";
  } else if (code == "driver_error") {
    fix = "nvidia-smi   (shows the driver's own error; a reboot after a driver upgrade often fixes it)";
  } else if (code == "no_driver_library") {
    fix = "install the NVIDIA driver, or run on a machine with a GPU";
  }
  add(report, code == "no_driver_library" || code == "no_device" ? "info" : "warning",
      "no usable GPU: " + report.gpus.no_gpu_reason.value_or("none was found") + "; training will run on the CPU",
      fix);
}

void diagnose_disk(DoctorReport& report) {
  if (report.disk_error) {
    add(report, "warning", *report.disk_error, "");
    return;
  }
  if (report.disk && report.disk->available_bytes < kLowDiskBytes) {
    add(report, "warning",
        fmt::format("only {} free on the disk that holds {}: checkpoints may not fit",
                    core::format_bytes(report.disk->available_bytes), report.project_dir),
        fmt::format("du -sh {}/*/ | sort -h   (find what to remove; old checkpoints are the usual culprit)",
                    report.project_dir));
  }
}

}  // namespace

bool DoctorReport::healthy() const {
  for (const auto& problem : problems) {
    if (problem.severity == "error") return false;
  }
  return true;
}

void diagnose(DoctorReport& report) {
  report.problems.clear();
  report.recommended_interpreter.reset();
  diagnose_interpreters(report);
  diagnose_gpus(report);
  diagnose_disk(report);
}

core::Result<DoctorReport> run_doctor(const DoctorOptions& options) {
  DoctorReport report;
  std::error_code ec;
  if (!std::filesystem::is_directory(options.project_dir, ec)) {
    return core::Error::not_found(fmt::format(
        "project directory '{}' does not exist or is not a directory; pass --project DIR",
        options.project_dir.string()));
  }
  std::filesystem::path project = std::filesystem::canonical(options.project_dir, ec);
  report.project_dir = (ec ? options.project_dir : project).string();

  // The GPU query and every probe run at once: the slowest probe (an `import torch`) sets the time.
  for (auto& candidate : find_python_interpreters(options.env, report.project_dir)) {
    report.interpreters.push_back({std::move(candidate), {}});
  }
  std::vector<std::thread> probes;
  for (auto& status : report.interpreters) {
    probes.emplace_back([&status, &options] {
      status.probe = probe_torch(status.candidate.path, options.env, options.probe_timeout, options.guard);
    });
  }
  gpu::GpuQueryOptions gpu_options;
  gpu_options.env = options.env;
  gpu_options.guard = options.guard;
  report.gpus = gpu::query_gpus(gpu_options);
  auto disk = disk_space(report.project_dir);
  if (disk) {
    report.disk = *disk;
  } else {
    report.disk_error = disk.error().message;
  }
  for (auto& thread : probes) thread.join();
  diagnose(report);
  return report;
}

nlohmann::json to_json(const DoctorReport& report) {
  nlohmann::json interpreters = nlohmann::json::array();
  for (const auto& status : report.interpreters) {
    nlohmann::json entry = to_json(status.probe);
    entry["origin"] = status.candidate.origin;
    interpreters.push_back(std::move(entry));
  }
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& problem : report.problems) {
    problems.push_back({{"severity", problem.severity},
                        {"message", problem.message},
                        {"fix", problem.fix.empty() ? nlohmann::json(nullptr) : nlohmann::json(problem.fix)}});
  }
  nlohmann::json disk = nullptr;
  if (report.disk) {
    disk = {{"path", report.disk->path},
            {"total_bytes", report.disk->total_bytes},
            {"available_bytes", report.disk->available_bytes}};
  }
  return {{"healthy", report.healthy()},
          {"project_dir", report.project_dir},
          {"interpreters", std::move(interpreters)},
          {"recommended_interpreter", core::json_or_null(report.recommended_interpreter)},
          {"disk", std::move(disk)},
          {"gpus", gpu::to_json(report.gpus)},
          {"problems", std::move(problems)}};
}

}  // namespace trainctl::environment
