// What the train, resume and eval planners share: turning a chosen candidate and the arguments a
// plan adds into a finished CommandPlan (launcher, working folder, config facts, safety check),
// and writing a value the way the entry point's CLI reads it.
#pragma once

#include <string>
#include <vector>

#include "command/candidates.h"
#include "command/command_plan.h"
#include "command/plans.h"

namespace trainctl::command {

// `path` relative to `base` when it is inside it, else as is (absolute).
std::string relative_to(const std::string& path, const std::string& base);

// One option with its value in the CLI's style: {"--flag", "v"}, {"--flag=v"}, {"key=v"} (Hydra,
// quoted for Hydra's grammar when the value needs it).
std::vector<std::string> option_with_value(const project::EntryPoint& entry, const std::string& flag,
                                           const std::string& value);

// The words that resume from `checkpoint_arg` under the entry's convention.
std::vector<std::string> resume_words(const project::EntryPoint& entry, const project::ResumeConvention& resume,
                                      const std::string& checkpoint_arg);

// The finished plan: subcommand (when not empty), candidate.args, `more`, then request.extra,
// under the launcher for request.gpus/nodes.
core::Result<CommandPlan> assemble(const project::ProjectScan& scan, const Candidate& candidate,
                                   const PlanRequest& request, const std::string& kind, const std::string& subcommand,
                                   const std::vector<std::string>& more);

}  // namespace trainctl::command
