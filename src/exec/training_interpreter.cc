#include "exec/training_interpreter.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/subprocess.h"
#include "environment/python_interpreters.h"
#include "environment/torch_probe.h"
#include "safety/guarded_process.h"

namespace trainctl::exec {

namespace {

namespace fs = std::filesystem;

std::string resolved(const std::string& path) {
  std::error_code ec;
  fs::path canonical = fs::canonical(path, ec);
  return ec ? path : canonical.string();
}

}  // namespace

std::optional<InterpreterChoice> choose_training_interpreter(const std::vector<std::string>& argv,
                                                             const core::EnvironmentVars& env,
                                                             const std::string& project_dir) {
  if (argv.empty() || (argv[0] != "python" && argv[0] != "python3")) return std::nullopt;
  const safety::CommandGuard guard = safety::CommandGuard::for_project(project_dir, env);
  std::optional<std::string> on_path = core::find_on_path(argv[0], env.get("PATH").value_or(""));
  for (const auto& candidate : environment::find_python_interpreters(env, project_dir)) {
    environment::TorchProbe probe = environment::probe_torch(candidate.path, env, kInterpreterProbeTimeout, guard);
    if (!probe.has_torch()) continue;
    if (on_path && resolved(*on_path) == resolved(candidate.path)) return std::nullopt;  // the word is right
    InterpreterChoice choice;
    choice.argv = argv;
    choice.argv[0] = candidate.path;
    choice.note = fmt::format("{} is {} ({}, torch {}): {}", argv[0], candidate.path, candidate.origin,
                              probe.torch_version.value_or("?"),
                              on_path ? fmt::format("{} on PATH has no torch (see trainctl doctor)", *on_path)
                                      : std::string("there is none on PATH"));
    return choice;
  }
  return std::nullopt;
}

}  // namespace trainctl::exec
