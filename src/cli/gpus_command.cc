// `trainctl gpus`: this machine's NVIDIA GPUs, their processes and MIG devices, and which of them
// a training run started here would see. The report always prints; the exit status says whether
// any GPU is usable.
#include <fmt/format.h>

#include "cli/commands.h"
#include "core/human_units.h"
#include "core/text_table.h"
#include "gpu/gpu_query.h"
#include "safety/guarded_process.h"

namespace trainctl::cli {
namespace {

constexpr const char* kFooter =
    "Exit status: 0 when at least one GPU is usable; 4 when none is (the report still prints,\n"
    "with the reason: no_driver_library, no_device, driver_error or cuda_visible_devices_empty);\n"
    "2 on a usage error.\n"
    "Reads NVML (libnvidia-ml.so.1) and falls back to nvidia-smi. TRAINCTL_NVML_LIBRARY=PATH loads\n"
    "NVML from PATH instead, for tests and unusual installs. Honours CUDA_VISIBLE_DEVICES and\n"
    "CUDA_DEVICE_ORDER the way CUDA does.";

std::string dash_or(const std::optional<std::string>& value) { return value.value_or("-"); }

std::string bytes_or_unknown(const std::optional<std::uint64_t>& bytes) {
  return bytes ? core::format_bytes(*bytes) : "?";
}

std::string memory_cell(const std::optional<std::uint64_t>& used, const std::optional<std::uint64_t>& total) {
  if (!used && !total) return "-";
  return fmt::format("{} / {}", bytes_or_unknown(used), bytes_or_unknown(total));
}

std::string power_cell(const gpu::Gpu& gpu) {
  if (!gpu.power_watts && !gpu.power_limit_watts) return "-";
  const auto watts = [](const std::optional<double>& w) { return w ? fmt::format("{:.0f} W", *w) : "?"; };
  return fmt::format("{} / {}", watts(gpu.power_watts), watts(gpu.power_limit_watts));
}

std::string gpu_table(const gpu::GpuReport& report) {
  using core::Align;
  core::TextTable table({{"GPU", Align::kRight},
                         {"Name"},
                         {"Memory used / total"},
                         {"Util", Align::kRight},
                         {"Temp", Align::kRight},
                         {"Power / limit"},
                         {"CC"},
                         {"MIG"}});
  for (const gpu::Gpu& gpu : report.gpus) {
    table.add_row({std::to_string(gpu.index), gpu.name, memory_cell(gpu.memory_used_bytes, gpu.memory_total_bytes),
                   gpu.utilization_percent ? fmt::format("{} %", *gpu.utilization_percent) : "-",
                   gpu.temperature_c ? fmt::format("{} °C", *gpu.temperature_c) : "-", power_cell(gpu),
                   dash_or(gpu.compute_capability), gpu.mig_enabled ? "on" : ""});
  }
  return table.render();
}

std::string gpu_details(const gpu::Gpu& gpu) {
  std::string out;
  if (!gpu.mig_instances.empty()) {
    core::TextTable table({{"Device", core::Align::kRight}, {"Profile"}, {"UUID"}, {"Memory used / total"}});
    for (const gpu::MigInstance& mig : gpu.mig_instances) {
      table.add_row({std::to_string(mig.index), mig.profile.empty() ? "-" : mig.profile, mig.uuid,
                     memory_cell(mig.memory_used_bytes, mig.memory_total_bytes)});
    }
    out += fmt::format("\nGPU {} MIG devices:\n{}", gpu.index, table.render("  "));
  }
  if (!gpu.processes.empty()) {
    core::TextTable table({{"PID", core::Align::kRight}, {"Name"}, {"Memory", core::Align::kRight}});
    for (const gpu::GpuProcess& process : gpu.processes) {
      table.add_row({std::to_string(process.pid), process.name.empty() ? "?" : process.name,
                     bytes_or_unknown(process.used_memory_bytes)});
    }
    out += fmt::format("\nGPU {} processes:\n{}", gpu.index, table.render("  "));
  }
  return out;
}

std::string describe_visible(const gpu::GpuReport& report, const gpu::VisibleDevice& device) {
  for (const gpu::Gpu& gpu : report.gpus) {
    if (gpu.index != device.gpu_index) continue;
    if (!device.mig) return fmt::format("cuda:{} → GPU {} ({})", device.cuda_index, gpu.index, gpu.name);
    for (const gpu::MigInstance& mig : gpu.mig_instances) {
      if (mig.uuid == device.uuid) {
        return fmt::format("cuda:{} → GPU {} MIG {} ({})", device.cuda_index, gpu.index, mig.profile, mig.uuid);
      }
    }
  }
  return fmt::format("cuda:{} → {}", device.cuda_index, device.uuid);
}

std::string render_text(const gpu::GpuReport& report, const core::TerminalStyle& style) {
  std::string out;
  if (report.source != "none") {
    out += fmt::format("NVIDIA driver {}, CUDA {}, read through {}\n", dash_or(report.driver_version),
                       dash_or(report.cuda_version), report.source == "nvml" ? "NVML" : report.source);
  }
  if (!report.gpus.empty()) {
    out += gpu_table(report);
    for (const gpu::Gpu& gpu : report.gpus) out += gpu_details(gpu);
    out += "\n";
  }
  if (report.usable()) {
    std::string seen;
    for (const gpu::VisibleDevice& device : report.visible) {
      seen += (seen.empty() ? "" : ", ") + describe_visible(report, device);
    }
    out += fmt::format("A training run started here would see: {}\n", seen);
  } else {
    out += style.red(fmt::format("No GPU is usable here: {}.", report.no_gpu_reason.value_or("none was found"))) + "\n";
  }
  for (const std::string& warning : report.warnings) out += style.yellow("warning:") + " " + warning + "\n";
  return out;
}

}  // namespace

Command add_gpus_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("gpus", "Show this machine's GPUs and which a training run would see");
  sub->footer(kFooter);
  return {sub, [&ctx] {
            gpu::GpuQueryOptions options;
            options.env = ctx.env;
            // nvidia-smi, when it is needed, runs only if this directory's policy allows it.
            options.guard = safety::CommandGuard::for_project("", ctx.env);
            const gpu::GpuReport report = gpu::query_gpus(options);
            if (ctx.json) {
              ctx.print_json(gpu::to_json(report));
            } else {
              *ctx.out << render_text(report, ctx.out_style);
            }
            // No usable GPU is an answer, not an error: the report above says why.
            ctx.exit_status = report.usable() ? core::kExitSuccess : core::kExitNotFound;
          }};
}

}  // namespace trainctl::cli
