#include "environment/python_interpreters.h"

#include <system_error>

#include "core/subprocess.h"

namespace trainctl::environment {
namespace fs = std::filesystem;

std::vector<InterpreterCandidate> find_python_interpreters(const core::EnvironmentVars& env,
                                                           const fs::path& project_dir) {
  std::vector<InterpreterCandidate> wanted;
  if (auto venv = env.get("VIRTUAL_ENV"); venv && !venv->empty()) {
    wanted.push_back({(fs::path(*venv) / "bin" / "python").string(), "active virtualenv"});
  }
  if (auto conda = env.get("CONDA_PREFIX"); conda && !conda->empty()) {
    wanted.push_back({(fs::path(*conda) / "bin" / "python").string(), "active conda env"});
  }
  for (const char* dir : {".venv", "venv"}) {
    wanted.push_back({(project_dir / dir / "bin" / "python").string(), std::string("project ") + dir});
  }
  const std::string path_var = env.get("PATH").value_or("");
  for (const char* name : {"python", "python3"}) {
    if (auto found = core::find_on_path(name, path_var)) {
      wanted.push_back({fs::absolute(*found).string(), std::string("PATH ") + name});
    }
  }
  wanted.push_back({"/usr/bin/python3", "system"});

  std::vector<InterpreterCandidate> found;
  std::vector<fs::path> seen;
  for (const auto& candidate : wanted) {
    std::error_code ec;
    if (!core::find_on_path(candidate.path, "")) continue;  // absent or not executable
    // A venv's python is a symlink to the base interpreter but behaves differently (its own
    // site-packages), so identity is the path with symlinks resolved only in its directories.
    fs::path resolved_dir = fs::weakly_canonical(fs::path(candidate.path).parent_path(), ec);
    fs::path identity = (ec ? fs::path(candidate.path).parent_path() : resolved_dir) /
                        fs::path(candidate.path).filename();
    bool duplicate = false;
    for (const auto& s : seen) duplicate = duplicate || s == identity;
    if (duplicate) continue;
    seen.push_back(identity);
    found.push_back(candidate);
  }
  return found;
}

}  // namespace trainctl::environment
