// Following a run's log to a terminal or pipe. A run trainctl just started is followed until its
// reaper has recorded the end, with Ctrl-C passed on through the interrupt ladder; a recorded
// run (`runs logs -f`) is followed until its processes are gone. Output is only copied from the
// log file, so whatever happens to trainctl the log keeps everything.
#pragma once

#include <chrono>

#include "core/result.h"
#include "exec/run_launcher.h"
#include "exec/run_record.h"

namespace trainctl::exec {

inline constexpr std::chrono::milliseconds kFollowBatch{10};    // output is copied at most this late while it flows
inline constexpr std::chrono::milliseconds kFollowIdle{50};     // ... and this late after a quiet spell
inline constexpr int kLivenessEvery = 4;                        // `runs logs -f` checks the processes every 4th poll

// Follows until the run's end is recorded; returns its shell status (exit code, or 128+signal).
// SIGINT to trainctl meanwhile goes to the run's process group (interrupt_ladder.h). Closes
// nothing: run.end_fd stays the caller's.
core::Result<int> follow_started_run(const LaunchedRun& run, int out_fd);

// Copies the log of a recorded run to out_fd; with follow, keeps copying until the run ended.
core::Status copy_run_log(const RunRecord& record, int out_fd, bool follow);

}  // namespace trainctl::exec
