// A resume reuses the exact arguments of the recorded run it continues: the run that wrote the
// checkpoint (its record lists it), else the newest run in the same folder with the same config.
// Its argv is kept word for word (interpreter, launcher flags, overrides); only the resume option
// is replaced by the plan's, and the arguments given after `--` are appended, each option among
// them replacing the run's own (with its value).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "command/command_plan.h"
#include "exec/run_record.h"

namespace trainctl::exec {

struct ReusedArguments {
  std::string run_id;                  // the record the arguments come from
  std::vector<std::string> argv;
  std::string cwd;
};

// runs: newest first (RunStore::list). nullopt when no record fits the plan.
std::optional<ReusedArguments> reuse_recorded_arguments(const std::vector<RunRecord>& runs,
                                                        const command::CommandPlan& plan,
                                                        const std::vector<std::string>& extra);

}  // namespace trainctl::exec

namespace trainctl::exec {

// The same, reading the records of project_dir (none recorded: nullopt).
std::optional<ReusedArguments> reuse_recorded_arguments(const std::string& project_dir, const command::CommandPlan& plan,
                                                        const std::vector<std::string>& extra);

}  // namespace trainctl::exec
