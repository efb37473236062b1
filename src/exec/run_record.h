// One training run as trainctl recorded it in .trainctl/runs.db: what ran, where, from which
// code and config, and how it ended. Plain data with its JSON form (the `runs --json` contract).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace trainctl::exec {

// "running" until the reaper writes the end; "lost" when the process vanished without one.
enum class RunStatus { kRunning, kSucceeded, kFailed, kKilled, kLost };

const char* status_name(RunStatus status);
std::optional<RunStatus> parse_status(const std::string& name);

struct RunRecord {
  std::string id;                         // sortable by start time: 20261125-193012-123a4
  std::string kind = "run";               // "run", "train", "resume" or "eval": the subcommand that started it
  std::vector<std::string> argv;
  std::string cwd;                        // absolute
  std::optional<std::string> config_path;  // absolute, when the argv names a config file
  std::optional<std::string> config_hash;  // "fnv1a64:..." of the config's bytes at the start
  std::optional<std::string> git_commit;
  std::optional<bool> git_dirty;
  std::map<std::string, std::string> env;  // CUDA_VISIBLE_DEVICES and launcher variables, as set
  std::string host;
  std::optional<int> pid;                  // the training process, leader of its process group
  std::optional<std::uint64_t> pid_start;  // its start time in clock ticks since boot (pid reuse check)
  std::optional<int> reaper_pid;           // trainctl's process that waits for it and records the end
  std::optional<std::uint64_t> reaper_start;
  std::int64_t started_at_ms = 0;          // Unix time
  std::optional<std::int64_t> ended_at_ms;
  std::optional<int> exit_code;
  std::optional<int> signal;
  RunStatus status = RunStatus::kRunning;
  bool stop_requested = false;             // `runs stop` asked it to end
  std::string log;                         // absolute: .trainctl/runs/<id>/output.log
  std::vector<std::string> checkpoints;    // absolute: written under the project during the run

  // The exit status a shell would report for it: the code, or 128+signal; nullopt while running/lost.
  std::optional<int> shell_status() const;
  nlohmann::json to_json() const;
};

// The status an ended process gets: exit 0 succeeded, a signal (or a stop) killed, else failed.
RunStatus ended_status(std::optional<int> exit_code, std::optional<int> signal, bool stop_requested);

// "2026-11-25T19:30:12.123Z".
std::string iso8601(std::int64_t unix_ms);

}  // namespace trainctl::exec
