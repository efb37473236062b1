// Tells whether a recorded process is still the one trainctl started: a pid alone can be reused
// after the process ends, so a process is identified by its pid and its start time (Linux
// /proc/<pid>/stat, clock ticks since boot). A zombie counts as ended.
#pragma once

#include <cstdint>
#include <optional>

namespace trainctl::exec {

// The start time of pid, nullopt when there is no such process (or it is a zombie).
std::optional<std::uint64_t> process_start_ticks(int pid);

// True when pid runs and started at `start` (any start when `start` is nullopt).
bool same_process_alive(int pid, std::optional<std::uint64_t> start);

// True while any process of the process group exists.
bool process_group_alive(int pgid);

}  // namespace trainctl::exec
