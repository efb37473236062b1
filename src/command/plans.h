// The three commands trainctl writes for a project: train (from a request in words, or a config
// file), resume (from the latest valid checkpoint, or a named run, checkpoint or folder, with the
// original run's config and arguments) and eval (of the latest or a named checkpoint). Each works
// on a project scan (project_scan.h) and returns a plan, an ambiguity to ask about, or an error.
// Nothing is run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "command/command_plan.h"
#include "command/launcher.h"
#include "core/environment_vars.h"
#include "project/training_project.h"

namespace trainctl::command {

struct PlanRequest {
  std::vector<std::string> words;      // train: the request; resume/eval: at most one target
  std::string config;                  // train --config FILE
  int gpus = 0;                        // per node; 0: not asked
  int nodes = 1;
  std::vector<std::string> extra;      // the arguments after `--`, appended as given
  std::optional<std::size_t> pick;     // a person's answer to an earlier ambiguity (0-based)
  std::string working_dir;             // absolute: relative paths in words/config are from here
  core::EnvironmentVars env;           // MASTER_ADDR for several nodes; HOME for the safety check
};

PlanResult plan_train(const project::ProjectScan& scan, const PlanRequest& request);
PlanResult plan_resume(const project::ProjectScan& scan, const PlanRequest& request);
PlanResult plan_eval(const project::ProjectScan& scan, const PlanRequest& request);

}  // namespace trainctl::command
