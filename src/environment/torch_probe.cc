#include "environment/torch_probe.h"

#include <fmt/format.h>

#include "core/json_util.h"
#include "safety/guarded_process.h"

namespace trainctl::environment {
namespace {

// Prints one JSON line whatever happens, so that a broken torch is reported, not a traceback.
constexpr const char* kProbeScript = R"PY(
import json, platform, sys
r = {"python_version": platform.python_version(), "executable": sys.executable}
try:
    import torch
    r["torch_version"] = str(torch.__version__)
    r["torch_cuda"] = torch.version.cuda
    try:
        r["cuda_available"] = bool(torch.cuda.is_available())
        r["device_count"] = int(torch.cuda.device_count()) if r["cuda_available"] else 0
    except Exception as e:
        r["cuda_error"] = "%s: %s" % (type(e).__name__, e)
except Exception as e:
    r["torch_error"] = "%s: %s" % (type(e).__name__, e)
print("TRAINCTL_PROBE " + json.dumps(r))
)PY";

constexpr const char* kMarker = "TRAINCTL_PROBE ";

std::optional<std::string> string_field(const nlohmann::json& j, const char* key) {
  if (j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return std::nullopt;
}

std::string last_line(const std::string& text) {
  std::size_t end = text.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return "";
  std::size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start == std::string::npos ? 0 : start + 1));
}

}  // namespace

const char* torch_probe_script() { return kProbeScript; }

bool parse_torch_probe_output(const std::string& output, TorchProbe& probe) {
  // Site customisations may print before us; our line is the one with the marker.
  std::size_t at = output.rfind(kMarker);
  if (at == std::string::npos) return false;
  std::size_t end = output.find('\n', at);
  std::string payload = output.substr(at + std::string(kMarker).size(),
                                      end == std::string::npos ? std::string::npos : end - at - std::string(kMarker).size());
  nlohmann::json j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  probe.ran = true;
  probe.python_version = string_field(j, "python_version");
  probe.executable = string_field(j, "executable");
  probe.torch_version = string_field(j, "torch_version");
  probe.torch_cuda = string_field(j, "torch_cuda");
  if (j.contains("cuda_available") && j["cuda_available"].is_boolean()) probe.cuda_available = j["cuda_available"].get<bool>();
  if (j.contains("device_count") && j["device_count"].is_number_integer()) probe.device_count = j["device_count"].get<int>();
  if (auto e = string_field(j, "torch_error")) probe.error = "torch does not import: " + *e;
  if (auto e = string_field(j, "cuda_error")) probe.error = "torch.cuda failed: " + *e;
  return true;
}

TorchProbe probe_torch(const std::string& interpreter, const core::EnvironmentVars& env,
                       std::chrono::milliseconds timeout, const safety::CommandGuard& guard) {
  TorchProbe probe;
  probe.interpreter = interpreter;
  core::SubprocessOptions options;
  options.argv = {interpreter, "-c", kProbeScript};
  options.env = env;
  options.env.unset("PYTHONSTARTUP");
  options.timeout = timeout;
  options.max_output_bytes = 256 * 1024;
  auto result = safety::run_guarded(guard, options);
  if (!result) {
    probe.error = result.error().message;
    return probe;
  }
  probe.seconds = result->seconds;
  if (result->timed_out) {
    probe.error = fmt::format("did not answer within {:.0f} s (importing torch hangs?)",
                              std::chrono::duration<double>(timeout).count());
    return probe;
  }
  if (!parse_torch_probe_output(result->out, probe)) {
    std::string why = last_line(result->err);
    if (why.empty()) why = last_line(result->out);
    probe.error = result->signal != 0
                      ? fmt::format("the interpreter was killed by signal {}", result->signal)
                      : fmt::format("the interpreter exited with status {}{}{}", result->exit_code,
                                    why.empty() ? "" : ": ", why);
  }
  return probe;
}

nlohmann::json to_json(const TorchProbe& probe) {
  using core::json_or_null;
  return {{"path", probe.interpreter},
          {"ran", probe.ran},
          {"error", json_or_null(probe.error)},
          {"python_version", json_or_null(probe.python_version)},
          {"executable", json_or_null(probe.executable)},
          {"has_torch", probe.has_torch()},
          {"torch_version", json_or_null(probe.torch_version)},
          {"torch_cuda", json_or_null(probe.torch_cuda)},
          {"cuda_available", json_or_null(probe.cuda_available)},
          {"device_count", json_or_null(probe.device_count)},
          {"seconds", probe.seconds}};
}

}  // namespace trainctl::environment
