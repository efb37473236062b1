// Starts a training run that outlives trainctl: the only place trainctl starts a long-lived
// process, and it takes only a command the safety guard approved (safety::ApprovedCommand).
//
// trainctl forks a small reaper that calls setsid() (so neither the terminal nor the death of
// trainctl, even by SIGKILL, reaches it); the reaper starts the command in its own process group
// in the command's folder, stdout and stderr both appended to .trainctl/runs/<id>/output.log and
// stdin from /dev/null, waits for it and writes the end (exit code or signal, end time, the
// checkpoints it wrote) into the run record. trainctl itself only follows the log (run_follow.h).
#pragma once

#include <optional>
#include <string>

#include "core/environment_vars.h"
#include "core/result.h"
#include "exec/run_record.h"
#include "safety/guarded_process.h"

namespace trainctl::exec {

struct LaunchOptions {
  std::string project_dir;         // absolute: where .trainctl/ lives
  std::string kind = "run";        // the subcommand that started it
  core::EnvironmentVars env;       // the run's environment; PYTHONUNBUFFERED=1 is added
  safety::CommandGuard guard;      // for the reaper's read-only `git` probes
  bool detach = false;             // the caller exits at once: record the pids before returning
};

struct LaunchedRun {
  RunRecord record;                // as inserted, with pid
  int pid = 0;                     // the training process, leader of its own process group
  int reaper_pid = 0;              // our child
  int end_fd = -1;                 // readable once the end is recorded: the run's shell status (an int), then EOF
};

// Records the run, starts it and returns once its pid is known. The caller owns end_fd (with
// --detach it closes it at once; the reaper carries on). Fails with kNotFound when the
// program is not on the environment's PATH (nothing is recorded or started then).
core::Result<LaunchedRun> launch_run(const safety::ApprovedCommand& command, const LaunchOptions& options);

}  // namespace trainctl::exec
