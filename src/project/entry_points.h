// Recognises a project's entry points the way an engineer skims a repository: which Python files
// run as scripts and train (or evaluate), how they are launched (plain python, torchrun,
// accelerate, deepspeed, Lightning's own launcher), how they take a config, and how they resume.
// Works on source already read (python_module.h); reads no file itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "project/python_module.h"
#include "project/training_project.h"

namespace trainctl::project {

// A file whose name says it may be an entry point (train*.py, main.py, run_*.py, eval*.py, ...);
// files in test folders and test_*.py are not. Cheap: decides which files are read at all.
bool is_entry_candidate_name(const std::string& relative_path);
// Under tests/, test/, docs/, benchmarks/: never an entry point, even when a script launches it.
bool in_test_folder(const std::string& relative_path);

// Whether the module runs as a script: a __main__ guard, or code at module level that does the
// work (nanoGPT's train.py, a bare main() call, LightningCLI(...)).
bool runs_as_script(const PythonModule& module);
// Whether the module (or a helper it imports) trains: a backward pass, an optimizer step, a
// Trainer, fit(), LightningCLI. (A sampling script that shares the configurator does not.)
bool trains(const PythonModule& module, const std::vector<const PythonModule*>& helpers);

// The role of a file, or nullopt when it is no entry point. `console_script` names a
// [project.scripts] entry that points at it.
std::optional<EntryRole> classify_entry(const std::string& relative_path, const PythonModule& module,
                                        const std::vector<const PythonModule*>& helpers,
                                        const std::string& console_script = "");

// The launcher its code asks for, with the evidence.
Launcher detect_launcher(const PythonModule& module, const std::vector<const PythonModule*>& helpers,
                         std::string* evidence);

// Fills config_flag, config_extensions, checkpoint_flag, gpu_flag and (for train entries)
// resume from the entry's CLI. `hydra_primary` is the composed primary Hydra config, when any.
void read_conventions(EntryPoint& entry, const nlohmann::json& hydra_primary);

// The first paragraph of a docstring or description, on one line.
std::string first_paragraph(const std::string& text);

}  // namespace trainctl::project
