// `trainctl doctor`: renders environment::run_doctor for people or as JSON.
#include <unistd.h>

#include <fmt/format.h>

#include "cli/commands.h"
#include "core/human_units.h"
#include "core/text_table.h"
#include "environment/doctor.h"
#include "safety/guarded_process.h"

namespace trainctl::cli {
namespace {

std::string or_dash(const std::optional<std::string>& value) { return value ? *value : "-"; }

std::string render_doctor(const environment::DoctorReport& report, const core::TerminalStyle& style) {
  std::string out = style.bold("Python interpreters") + "\n";
  core::TextTable table({{"PATH"}, {"ORIGIN"}, {"PYTHON"}, {"TORCH"}, {"CUDA BUILD"}, {"CUDA USABLE"}});
  for (const auto& status : report.interpreters) {
    const auto& probe = status.probe;
    std::string cuda_build = probe.has_torch() ? probe.torch_cuda.value_or("cpu-only") : "-";
    std::string usable = "-";
    if (probe.cuda_available) usable = *probe.cuda_available ? style.green("yes") : "no";
    std::string torch = probe.has_torch() ? *probe.torch_version
                                          : (probe.ran ? style.yellow("not installed") : style.red("not checked"));
    table.add_row({status.candidate.path, status.candidate.origin, or_dash(probe.python_version), torch,
                   cuda_build, usable});
  }
  if (report.interpreters.empty()) {
    out += "  none found\n";
  } else {
    out += table.render("  ");
  }
  out += fmt::format("  trainctl trains with: {}\n\n",
                     report.recommended_interpreter ? style.bold(*report.recommended_interpreter)
                                                    : style.red("no interpreter with torch"));

  if (report.disk) {
    out += fmt::format("{}   {} free of {} on the disk that holds {}\n", style.bold("Disk"),
                       core::format_bytes(report.disk->available_bytes),
                       core::format_bytes(report.disk->total_bytes), report.project_dir);
  }
  const auto& gpus = report.gpus;
  if (gpus.usable()) {
    std::string names;
    for (const auto& gpu : gpus.gpus) names += (names.empty() ? "" : ", ") + gpu.name;
    out += fmt::format("{}   {} visible to a training run ({}); driver {}, CUDA {}\n", style.bold("GPUs"),
                       gpus.visible.size(), names, or_dash(gpus.driver_version), or_dash(gpus.cuda_version));
  } else {
    out += fmt::format("{}   none usable: {}\n", style.bold("GPUs"), gpus.no_gpu_reason.value_or("none found"));
  }

  out += "\n";
  if (report.problems.empty()) {
    out += style.green("Ready to train: no problems found.") + "\n";
    return out;
  }
  out += style.bold("Problems") + "\n";
  for (const auto& problem : report.problems) {
    std::string label = problem.severity == "error"     ? style.red("error  ")
                        : problem.severity == "warning" ? style.yellow("warning")
                                                        : style.dim("info   ");
    out += fmt::format("  {}  {}\n", label, problem.message);
    if (!problem.fix.empty()) out += fmt::format("           fix: {}\n", problem.fix);
  }
  out += report.healthy() ? style.green("Ready to train.") + "\n"
                          : style.red("Not ready to train: fix the errors above.") + "\n";
  return out;
}

}  // namespace

Command add_doctor_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("doctor", "Check the Python interpreters, torch, disk space and GPUs");
  auto project = std::make_shared<std::string>(".");
  auto timeout = std::make_shared<double>(30.0);
  sub->add_option("--project", *project, "The training project's directory")->capture_default_str();
  sub->add_option("--timeout", *timeout, "Seconds to wait for each interpreter's answer")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  sub->footer("Exit status: 0 ready to train (warnings allowed), 1 a problem of severity error.");
  return {sub, [&ctx, project, timeout] {
            environment::DoctorOptions options;
            options.env = ctx.env;
            options.project_dir = *project;
            options.guard = safety::CommandGuard::for_project(*project, ctx.env);
            options.probe_timeout = std::chrono::milliseconds(static_cast<long long>(*timeout * 1000));
            auto result = environment::run_doctor(options);
            if (!result) {
              ctx.fail(result.error());
              return;
            }
            const environment::DoctorReport& report = *result;
            if (ctx.json) {
              ctx.print_json(environment::to_json(report));
            } else {
              *ctx.out << render_doctor(report, ctx.out_style);
            }
            ctx.exit_status = report.healthy() ? core::kExitSuccess : core::kExitFailure;
          }};
}

}  // namespace trainctl::cli
