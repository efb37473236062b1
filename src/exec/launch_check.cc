#include "exec/launch_check.h"

#include <fmt/format.h>

#include "core/human_units.h"
#include "gpu/gpu_query.h"
#include "safety/argv_quoting.h"

namespace trainctl::exec {
namespace {

std::optional<int> positive(const std::string& text) {
  try {
    std::size_t used = 0;
    int n = std::stoi(text, &used);
    if (used == text.size() && n > 0) return n;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// "0,1,3" -> 3; "" -> 0.
int device_count(const std::string& list) {
  int n = 0;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) ++n;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return n;
}

}  // namespace

std::pair<int, std::string> gpus_wanted(const std::vector<std::string>& argv, const core::EnvironmentVars& env) {
  static const char* kFlags[] = {"--nproc_per_node", "--nproc-per-node", "--num_processes", "--num-processes",
                                 "--gpus", "--num_gpus", "--num-gpus", "--devices"};
  int wanted = 0;
  std::string by;
  auto consider = [&](int n, std::string words) {
    if (n > wanted) {
      wanted = n;
      by = std::move(words);
    }
  };
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    for (const char* flag : kFlags) {
      std::string f = flag;
      if (a == f && i + 1 < argv.size()) {
        if (auto n = positive(argv[i + 1])) consider(*n, f + " " + argv[i + 1]);
      } else if (a.rfind(f + "=", 0) == 0) {
        if (auto n = positive(a.substr(f.size() + 1))) consider(*n, a);
      }
    }
    if (a.rfind("CUDA_VISIBLE_DEVICES=", 0) == 0) consider(device_count(a.substr(21)), a);
  }
  if (auto v = env.get("CUDA_VISIBLE_DEVICES")) consider(device_count(*v), "CUDA_VISIBLE_DEVICES=" + *v);
  return {wanted, by};
}

LaunchCheck check_launch(const LaunchRequest& request, const safety::CommandGuard& guard) {
  LaunchCheck out;
  out.line = safety::shell_join(request.argv);
  out.cwd = request.cwd;
  if (guard.policy_error) {
    out.refusal = core::Error::refused(fmt::format("refused to run `{}`: {}", out.line, guard.policy_error->message));
    return out;
  }
  out.safety = guard.check(request.argv, request.cwd);
  if (auto refused = safety::refusal(out.safety, safety::Approval::kApproved)) {
    out.refusal = *refused;
    return out;
  }
  for (const auto& r : out.safety.reasons) {
    if (r.rule == "training-launch") out.training = true;
    if (r.verdict == safety::Verdict::kConfirm) out.ask.push_back(fmt::format("{}: {}", r.rule, r.message));
  }
  out.training = out.training || request.training;
  if (!out.training) return out;
  if (out.ask.empty()) out.ask.push_back("training-launch: trainctl asks before every training run");

  std::tie(out.gpus_wanted, out.gpus_wanted_by) = gpus_wanted(request.argv, request.env);
  if (request.gpus) {
    out.gpus = *request.gpus;
  } else {
    gpu::GpuQueryOptions options;
    options.env = request.env;
    options.guard = guard;
    out.gpus = gpu::query_gpus(options);
  }
  const gpu::GpuReport& report = *out.gpus;
  int usable = static_cast<int>(report.visible.size());
  if (out.gpus_wanted > usable) {
    std::string there = usable == 0 ? fmt::format("no GPU is usable here ({})", report.no_gpu_reason.value_or("none found"))
                                    : fmt::format("only {} GPU{} usable here", usable, usable == 1 ? " is" : "s are");
    out.refusal = core::Error::refused(fmt::format(
        "refused to run `{}`: it wants {} GPU{} ({}) but {}; `trainctl gpus` shows them", out.line, out.gpus_wanted,
        out.gpus_wanted == 1 ? "" : "s", out.gpus_wanted_by, there));
    return out;
  }
  if (usable == 0) {
    out.ask.push_back(fmt::format("no GPU: {}; training will run on the CPU",
                                  report.no_gpu_reason.value_or("no GPU is usable here")));
  }
  for (const auto& v : report.visible) {
    for (const auto& g : report.gpus) {
      if (g.index != v.gpu_index || !g.memory_total_bytes || !g.memory_used_bytes || *g.memory_total_bytes == 0) continue;
      double held = static_cast<double>(*g.memory_used_bytes) / static_cast<double>(*g.memory_total_bytes);
      if (held <= kBusyGpuFraction) continue;
      std::string who;
      for (const auto& p : g.processes) {
        who += fmt::format("{}{} (pid {}{})", who.empty() ? "" : ", ", p.name.empty() ? "?" : p.name, p.pid,
                           p.used_memory_bytes ? ", " + core::format_bytes(*p.used_memory_bytes) : "");
      }
      out.ask.push_back(fmt::format("GPU {} busy: {} of {} in use{}", g.index, core::format_bytes(*g.memory_used_bytes),
                                    core::format_bytes(*g.memory_total_bytes), who.empty() ? "" : " by " + who));
    }
  }
  return out;
}

nlohmann::json LaunchCheck::to_json() const {
  nlohmann::json j;
  j["command"] = line;
  j["cwd"] = cwd;
  j["verdict"] = std::string(safety::verdict_name(safety.verdict));
  j["training"] = training;
  j["gpus_wanted"] = gpus_wanted;
  j["gpus_usable"] = gpus ? nlohmann::json(gpus->visible.size()) : nlohmann::json(nullptr);
  j["ask"] = ask;
  j["notes"] = notes;
  j["refused"] = refusal ? nlohmann::json(refusal->message) : nlohmann::json(nullptr);
  return j;
}

}  // namespace trainctl::exec
