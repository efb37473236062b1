// What `run`, and `train`/`resume`/`eval` without --dry-run, share at the front end: show the
// command, its folder and why it needs a yes; ask on a terminal (or take --yes; refuse with exit
// 3 when there is no terminal); start it (src/exec) and follow its log, or return its id with
// --detach. trainctl's own lines go to stderr, the run's output to stdout (stderr with --json).
#pragma once

#include <string>
#include <vector>

#include "cli/cli_context.h"

namespace trainctl::cli {

struct RunFlags {
  bool yes = false;
  bool detach = false;
};

struct RunSpec {
  std::vector<std::string> argv;
  std::string cwd;                 // absolute
  std::string project_dir;         // absolute: where .trainctl/ is
  std::string kind = "run";
  bool training = false;           // train/resume: a training launch whatever the verdict says
  std::vector<std::string> notes;  // shown before asking
};

// Sets ctx.exit_status: the run's (0, its code, 128+signal), 3 refused, 1/4 on failure.
void start_run(CliContext& ctx, const RunFlags& flags, const RunSpec& spec);

}  // namespace trainctl::cli
