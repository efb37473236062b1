#include "exec/run_record.h"

#include <ctime>

#include <fmt/format.h>

namespace trainctl::exec {

const char* status_name(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning: return "running";
    case RunStatus::kSucceeded: return "succeeded";
    case RunStatus::kFailed: return "failed";
    case RunStatus::kKilled: return "killed";
    case RunStatus::kLost: return "lost";
  }
  return "lost";
}

std::optional<RunStatus> parse_status(const std::string& name) {
  for (RunStatus s : {RunStatus::kRunning, RunStatus::kSucceeded, RunStatus::kFailed, RunStatus::kKilled, RunStatus::kLost}) {
    if (name == status_name(s)) return s;
  }
  return std::nullopt;
}

std::optional<int> RunRecord::shell_status() const {
  if (signal) return 128 + *signal;
  return exit_code;
}

RunStatus ended_status(std::optional<int> exit_code, std::optional<int> signal, bool stop_requested) {
  if (signal) return RunStatus::kKilled;
  if (exit_code && *exit_code == 0) return RunStatus::kSucceeded;
  if (stop_requested) return RunStatus::kKilled;
  return RunStatus::kFailed;
}

std::string iso8601(std::int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
}

nlohmann::json RunRecord::to_json() const {
  auto opt = [](const auto& v) -> nlohmann::json {
    if (v) return *v;
    return nullptr;
  };
  nlohmann::json j;
  j["id"] = id;
  j["kind"] = kind;
  j["status"] = status_name(status);
  j["argv"] = argv;
  j["cwd"] = cwd;
  j["pid"] = opt(pid);
  j["started_at"] = iso8601(started_at_ms);
  j["ended_at"] = ended_at_ms ? nlohmann::json(iso8601(*ended_at_ms)) : nlohmann::json(nullptr);
  j["exit_code"] = opt(exit_code);
  j["signal"] = opt(signal);
  j["log"] = log;
  j["config"] = opt(config_path);
  j["config_hash"] = opt(config_hash);
  j["git_commit"] = opt(git_commit);
  j["git_dirty"] = opt(git_dirty);
  j["env"] = env;
  j["host"] = host;
  j["stop_requested"] = stop_requested;
  j["checkpoints"] = checkpoints;
  return j;
}

}  // namespace trainctl::exec
