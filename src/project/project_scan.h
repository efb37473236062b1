// Reads the training projects under a folder, statically and within named limits: walks the tree
// (tree_walk.h), reads the README, Makefile and shell scripts for launch commands, reads the
// Python files that can be entry points (and the local modules they import), groups entry
// points into projects by the folder that holds their README/configs/pyproject, and reads each
// project's configs. Never runs project code, never starts a process.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "project/training_project.h"
#include "project/tree_walk.h"

namespace trainctl::project {

struct ScanLimits {
  WalkLimits walk;
  std::size_t max_python_files = 2'000;   // entry candidates and the modules they import
  std::size_t max_helpers_per_entry = 16;
  std::size_t max_config_files = 1'000;
  std::size_t max_recipe_files = 200;     // READMEs, Makefiles, shell scripts
};

// Fails only when dir is not a readable folder. A folder with no training project is a scan with
// no projects (the CLI turns that into "not found").
core::Result<ProjectScan> scan_projects(const std::string& dir, const ScanLimits& limits = {});

// Hydra: the config `config_name` of the entry's config folder composed with its defaults list,
// with `overrides` applied ("data=tinystories", "+experiment=x", "trainer.devices=2").
// Config groups are read one level deep; interpolations (${...}) stay as written.
nlohmann::json compose_hydra(const TrainingProject& project, const EntryPoint& entry, const std::string& config_name,
                             const std::vector<std::string>& overrides);

// The folder a config sends checkpoints to, absolute, when it names one: its output-dir fact,
// relative paths taken from the project root. Hydra's ${...} values are not resolved (nullopt).
std::optional<std::string> config_output_dir(const TrainingProject& project, const nlohmann::json& values);

}  // namespace trainctl::project
