// The queries and actions behind `trainctl runs`: reconciling records whose processes vanished,
// listing with the last logged loss, showing one, stopping one. Every entry point reconciles
// first, so a run is never shown 'running' after its processes are gone.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "exec/run_record.h"
#include "exec/run_store.h"

namespace trainctl::exec {

inline constexpr std::chrono::seconds kStopGrace{10};            // SIGTERM, then this long, then SIGKILL
inline constexpr std::size_t kLossTailBytes = 64 * 1024;          // of the log read for the last loss

// Marks 'lost' every running record of this host whose reaper and training process are both
// gone (pid and start time checked, so a reused pid does not keep a run alive). Returns how many.
core::Result<int> reconcile(RunStore& store);

// The folder whose .trainctl/runs.db holds the runs: `start` or the nearest folder above it that
// has one; `start` itself when none does.
std::string find_runs_project(const std::string& start);

// The last "loss" value the log printed (loss 2.03, loss=2.03, 'loss': 2.03, train_loss ...), if any.
std::optional<double> last_logged_loss(const std::string& log_path);

struct RunRow {
  RunRecord record;
  std::optional<double> last_loss;
  nlohmann::json to_json() const;
};

core::Result<std::vector<RunRow>> list_runs(RunStore& store);

// The log of run id_or_prefix recorded under project (found as find_runs_project does).
core::Result<std::string> run_log_path(const std::string& project, const std::string& id_or_prefix);

// The command that explains a failed run's log.
std::string explain_command_for(const RunRecord& record);

// SIGTERM to the run's process group, SIGKILL after `grace`; recorded (stop_requested, and the
// end when no reaper is left to record it). kUsage when the run already ended.
core::Result<RunRecord> stop_run(RunStore& store, const std::string& id, std::chrono::milliseconds grace = kStopGrace);

}  // namespace trainctl::exec
