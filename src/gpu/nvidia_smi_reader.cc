#include "gpu/nvidia_smi_reader.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "safety/guarded_process.h"
#include "gpu/nvidia_smi_parser.h"

namespace trainctl::gpu {
namespace {

// nvidia-smi's output for hundreds of GPUs and processes stays far below this.
constexpr std::size_t kMaxNvidiaSmiOutputBytes = 1024 * 1024;
constexpr std::size_t kMaxQuotedChars = 300;

// One nvidia-smi run; a timeout or a failure to start is an error, a non-zero exit is not.
class NvidiaSmi {
 public:
  explicit NvidiaSmi(const NvidiaSmiOptions& options) : options_(options) {}

  bool hung() const { return hung_; }

  core::Result<core::SubprocessResult> run(std::vector<std::string> args) {
    core::SubprocessOptions run;
    run.argv.push_back(options_.program);
    run.argv.insert(run.argv.end(), args.begin(), args.end());
    run.env = options_.env;
    run.timeout = options_.timeout;
    run.max_output_bytes = kMaxNvidiaSmiOutputBytes;
    auto result = safety::run_guarded(options_.guard, run);
    if (!result) return result.error();
    if (result->timed_out) {
      hung_ = true;
      return core::Error::failure(fmt::format(
          "`{} {}` did not finish within {} ms and was killed; the NVIDIA driver may be hung (check `dmesg` for "
          "Xid errors)",
          options_.program, fmt::join(args, " "), options_.timeout.count()));
    }
    return result;
  }

 private:
  const NvidiaSmiOptions& options_;
  bool hung_ = false;
};

// What nvidia-smi said, trimmed, for an error message.
std::string said(const core::SubprocessResult& result) {
  std::string text = result.out + (result.out.empty() || result.err.empty() ? "" : "\n") + result.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
  while (!text.empty() && (text.front() == '\n' || text.front() == ' ')) text.erase(text.begin());
  if (text.size() > kMaxQuotedChars) text = text.substr(0, kMaxQuotedChars) + "...";
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text.empty() ? "no output" : text;
}

std::string exit_description(const core::SubprocessResult& result) {
  if (result.signal != 0) return fmt::format("was killed by signal {}", result.signal);
  return fmt::format("exited with status {}", result.exit_code);
}

// --query-gpu, retried without each optional field an older driver rejects.
core::Result<SmiGpuRows> query_gpus(NvidiaSmi& smi) {
  std::vector<std::string> fields = query_gpu_fields();
  for (std::size_t attempt = 0; attempt <= query_gpu_fields().size(); ++attempt) {
    auto result = smi.run({fmt::format("--query-gpu={}", fmt::join(fields, ",")), "--format=csv,noheader,nounits"});
    if (!result) return result.error();
    if (result->succeeded()) return parse_query_gpu(result->out, fields);
    const std::string all = result->out + result->err;
    if (auto rejected = rejected_query_field(all)) {
      auto it = std::find(fields.begin(), fields.end(), *rejected);
      if (it != fields.end() && is_optional_query_field(*rejected)) {
        fields.erase(it);
        continue;
      }
    }
    // "No devices were found" (exit 6): a driver without GPUs is a report, not a failure.
    if (all.find("No devices were found") != std::string::npos) return SmiGpuRows{};
    return core::Error::failure(fmt::format("nvidia-smi {}: {}", exit_description(*result), said(*result)));
  }
  return core::Error::failure("nvidia-smi rejected every optional --query-gpu field; not understood");
}

Gpu* gpu_owning(std::vector<Gpu>& gpus, const std::string& uuid) {
  for (Gpu& gpu : gpus) {
    if (gpu.uuid == uuid) return &gpu;
    for (const MigInstance& mig : gpu.mig_instances) {
      if (mig.uuid == uuid) return &gpu;
    }
  }
  return nullptr;
}

void add_mig_instances(NvidiaSmi& smi, GpuReport& report) {
  auto result = smi.run({"-L"});
  if (!result) {
    report.warnings.push_back(fmt::format("MIG devices not listed: {}", result.error().message));
    return;
  }
  if (!result->succeeded()) {
    report.warnings.push_back(
        fmt::format("MIG devices not listed: `nvidia-smi -L` {}: {}", exit_description(*result), said(*result)));
    return;
  }
  auto listed = parse_gpu_list(result->out);
  if (!listed) {
    report.warnings.push_back(fmt::format("MIG devices not listed: {}", listed.error().message));
    return;
  }
  for (SmiListedGpu& entry : *listed) {
    for (Gpu& gpu : report.gpus) {
      if (gpu.uuid == entry.uuid && gpu.mig_enabled) gpu.mig_instances = std::move(entry.mig_instances);
    }
  }
}

void add_processes(NvidiaSmi& smi, GpuReport& report) {
  auto result = smi.run({fmt::format("--query-compute-apps={}", kComputeAppsFields), "--format=csv,noheader,nounits"});
  if (!result) {
    report.warnings.push_back(fmt::format("GPU processes not listed: {}", result.error().message));
    return;
  }
  if (!result->succeeded()) {
    report.warnings.push_back(fmt::format("GPU processes not listed: nvidia-smi {}: {}", exit_description(*result),
                                          said(*result)));
    return;
  }
  auto apps = parse_compute_apps(result->out);
  if (!apps) {
    report.warnings.push_back(fmt::format("GPU processes not listed: {}", apps.error().message));
    return;
  }
  for (SmiComputeApp& app : *apps) {
    if (Gpu* gpu = gpu_owning(report.gpus, app.gpu_uuid)) gpu->processes.push_back(std::move(app.process));
  }
}

void add_versions(NvidiaSmi& smi, GpuReport& report) {
  // Only the banner of plain `nvidia-smi` gives the driver's CUDA version on every driver.
  auto result = smi.run({});
  if (!result) {
    report.warnings.push_back(fmt::format("the driver's CUDA version is unknown: {}", result.error().message));
    return;
  }
  if (!result->succeeded()) {
    report.warnings.push_back(fmt::format("the driver's CUDA version is unknown: plain `nvidia-smi` {}: {}",
                                          exit_description(*result), said(*result)));
    return;
  }
  const SmiBanner banner = parse_banner(result->out);
  report.cuda_version = banner.cuda_version;
  if (!report.driver_version) report.driver_version = banner.driver_version;
}

}  // namespace

core::Result<GpuReport> read_nvidia_smi(const NvidiaSmiOptions& options) {
  NvidiaSmi smi(options);
  auto rows = query_gpus(smi);
  if (!rows) return rows.error();
  GpuReport report;
  report.source = "nvidia-smi";
  report.driver_version = rows->driver_version;
  report.gpus = std::move(rows->gpus);
  std::sort(report.gpus.begin(), report.gpus.end(), [](const Gpu& a, const Gpu& b) { return a.index < b.index; });
  if (report.gpus.empty()) return report;
  const bool any_mig = std::any_of(report.gpus.begin(), report.gpus.end(), [](const Gpu& g) { return g.mig_enabled; });
  // MIG devices first, so that processes reported against a MIG UUID find their GPU.
  if (any_mig) add_mig_instances(smi, report);
  if (!smi.hung()) add_processes(smi, report);
  if (!smi.hung()) add_versions(smi, report);
  return report;
}

}  // namespace trainctl::gpu
