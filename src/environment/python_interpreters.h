// Finds the Python interpreters a user would train with, in the order a user would reach for
// them: the active virtualenv or conda env, the project's own venv, `python`/`python3` on PATH,
// then the system's /usr/bin/python3. Only looks at the filesystem; runs nothing.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/environment_vars.h"

namespace trainctl::environment {

struct InterpreterCandidate {
  std::string path;     // as a user would type it (absolute)
  std::string origin;   // "virtualenv", "conda", "project .venv", "PATH python", "system", ...
};

// Candidates that exist and are executable, without duplicates (same resolved file).
std::vector<InterpreterCandidate> find_python_interpreters(const core::EnvironmentVars& env,
                                                           const std::filesystem::path& project_dir);

}  // namespace trainctl::environment
