// Finds the checkpoint a resume or an evaluation starts from — the latest valid one of the
// project, or the one a run name, checkpoint path or folder names — and the run that wrote it:
// the candidate (entry point, config, arguments) whose output folder holds it, the arguments
// Hydra saved in the run's .hydra/overrides.yaml, the config LightningCLI saved beside it, or the
// config the checkpoint names. Checkpoints are read by src/checkpoint (a file that cannot be read
// is skipped and named); nothing is run.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "checkpoint/checkpoint_info.h"
#include "checkpoint/discovery.h"
#include "command/command_plan.h"
#include "command/plans.h"

namespace trainctl::command {

inline constexpr int kMaxRunFolderClimb = 8;  // levels above a checkpoint searched for the run's saved config

struct RunLookup {
  const project::TrainingProject* project = nullptr;
  checkpoint::CheckpointInfo checkpoint;
  std::vector<checkpoint::SkippedCheckpoint> skipped;
  std::optional<Candidate> run;          // the run that wrote it, when known
  std::string run_dir;                   // absolute: the output folder of that run ("" when unknown)
  std::vector<Candidate> considered;     // the project's train candidates, the run first
  std::vector<std::string> notes;
};

using RunLookupResult = std::variant<RunLookup, Ambiguity, core::Error>;

// request.words holds the target, if any (RUN, CHECKPOINT or DIR); working_dir resolves it.
RunLookupResult find_run(const project::ProjectScan& scan, const PlanRequest& request);

}  // namespace trainctl::command
