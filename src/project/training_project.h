// What trainctl knows about a training project after reading it: its entry points (with their
// command-line interfaces and launchers), configs (with their key facts), the commands its docs
// and scripts write down, how it resumes, and where its checkpoints are. Plain data with to_json;
// project_scan.h builds it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "project/config_file.h"
#include "project/python_cli.h"
#include "project/recipes.h"
#include "project/tree_walk.h"

namespace trainctl::project {

enum class EntryRole { kTrain, kEval };

// How a project resumes training.
enum class ResumeTakes {
  kPath,          // --resume_from_checkpoint PATH, --ckpt_path PATH, ckpt_path=PATH
  kOptionalPath,  // --resume [PATH]: a path is given anyway, so the choice is explicit
  kBoolean,       // --resume: the script finds its own latest checkpoint
  kKeyword,       // --init_from=resume: a keyword, the script finds the checkpoint in its out_dir
};
const char* resume_takes_name(ResumeTakes takes);

struct ResumeConvention {
  std::string flag;          // "--resume", "--init_from", "--ckpt_path", or a Hydra key "ckpt_path"
  ResumeTakes takes = ResumeTakes::kPath;
  std::string keyword;       // the value for kKeyword ("resume"); "true" for a Hydra boolean
  std::string evidence;      // where it was read, for people
};

struct EntryPoint {
  std::string path;          // relative to the project root, '/'-separated
  std::string module;        // "pkg.train" when it runs with python -m, else ""
  std::string console_script;  // its [project.scripts] name, if any
  EntryRole role = EntryRole::kTrain;
  std::string description;   // the first paragraph of its docstring or parser description
  CliSpec cli;
  Launcher launcher = Launcher::kPython;
  std::string launcher_evidence;
  std::optional<ResumeConvention> resume;  // train entries
  std::string config_flag;   // "--config", "config" (positional), "" when it takes no config file
  std::string checkpoint_flag;  // eval entries: "--checkpoint", "--ckpt_path", ...
  std::vector<std::string> config_extensions;  // what its config flag reads: "yaml", "json", "py"
  std::string default_config;  // the config flag's default, relative to the project root
  std::string hydra_config_dir;  // Hydra: the config folder, relative to the project root
  std::string gpu_flag;      // a flag of its own for the device count (--gpus, --devices), if any
};

enum class ConfigRole {
  kConfig,        // a config an entry point takes (--config, positional, LightningCLI)
  kHydraPrimary,  // a file at the top of a Hydra config folder (--config-name)
  kHydraGroup,    // an option of a Hydra config group (group=option)
  kLauncher,      // an accelerate or DeepSpeed config
};
const char* config_role_name(ConfigRole role);

struct ProjectConfig {
  std::string path;          // relative to the project root
  ConfigRole role = ConfigRole::kConfig;
  std::string hydra_group;   // "data" for configs/data/tinystories.yaml
  std::string hydra_option;  // "tinystories"
  ConfigFile file;
};

struct TrainingProject {
  std::string root;          // absolute
  std::string relative;      // relative to the scanned folder ("." for the folder itself)
  std::string name;          // the folder's name
  std::vector<EntryPoint> entry_points;   // train ones first
  std::vector<ProjectConfig> configs;
  std::vector<Recipe> recipes;
  std::vector<std::string> checkpoint_dirs;  // absolute; folders of checkpoints and run outputs
  std::vector<std::string> notes;          // what a person should know (a limit hit, a parse error)

  const EntryPoint* train_entry() const;   // the first train entry point, if any
  const EntryPoint* eval_entry() const;
  const ProjectConfig* config(const std::string& relative_path) const;
};

struct ProjectScan {
  std::string root;          // absolute: the folder that was read
  std::vector<TrainingProject> projects;
  std::vector<SkippedFolder> skipped;
  std::size_t files_listed = 0;
  std::size_t files_read = 0;
  bool truncated = false;
  std::string truncated_by;
};

nlohmann::json to_json(const EntryPoint& entry);
nlohmann::json to_json(const ProjectConfig& config);
nlohmann::json to_json(const TrainingProject& project);
nlohmann::json to_json(const ProjectScan& scan);

}  // namespace trainctl::project
