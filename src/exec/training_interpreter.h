// The Python a planned command runs with. Plans write `python` (a project's convention, and the
// same on every machine); on this machine that word may name an interpreter without PyTorch (a
// pyenv shim, a bare venv) while another one has it. Before a train/resume/eval launch, `python`
// and `python3` are mapped to the first interpreter, in the order `doctor` reads them, that imports
// torch. Every probe goes through the command guard; nothing else is run.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/environment_vars.h"

namespace trainctl::exec {

inline constexpr std::chrono::milliseconds kInterpreterProbeTimeout{30000};

struct InterpreterChoice {
  std::vector<std::string> argv;   // with argv[0] replaced
  std::string note;                // for people: which interpreter, and why
};

// nullopt: argv does not start with `python`/`python3`, the word already names an interpreter with
// torch, or no interpreter here has torch (the run then fails the way it would without trainctl).
std::optional<InterpreterChoice> choose_training_interpreter(const std::vector<std::string>& argv,
                                                             const core::EnvironmentVars& env,
                                                             const std::string& project_dir);

}  // namespace trainctl::exec
