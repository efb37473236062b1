#include "exec/runs.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "exec/process_identity.h"
#include "exec/run_facts.h"

namespace trainctl::exec {
namespace {

namespace fs = std::filesystem;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool processes_alive(const RunRecord& r) {
  if (r.reaper_pid && same_process_alive(*r.reaper_pid, r.reaper_start)) return true;
  return r.pid && same_process_alive(*r.pid, r.pid_start);
}

// Polls until the run's group is gone or the deadline passes; the wait is bounded by `limit`.
bool wait_group_gone(int pgid, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (process_group_alive(pgid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace

core::Result<int> reconcile(RunStore& store) {
  auto runs = store.list();
  if (!runs) return runs.error();
  std::string host = host_name();
  int lost = 0;
  for (const auto& r : *runs) {
    if (r.status != RunStatus::kRunning || r.host != host || processes_alive(r)) continue;
    // Read again: the reaper may have written the end between the list and the check.
    auto fresh = store.get(r.id);
    if (!fresh || fresh->status != RunStatus::kRunning) continue;
    RunEnd end;
    end.ended_at_ms = now_ms();
    end.status = RunStatus::kLost;
    end.checkpoints = checkpoints_written(r.cwd, r.started_at_ms);
    if (auto s = store.finish(r.id, end); !s) return s.error();
    ++lost;
  }
  return lost;
}

std::string find_runs_project(const std::string& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / ".trainctl" / "runs.db", ec)) return p.string();
    if (p == p.parent_path()) break;
  }
  return dir.string();
}

std::optional<double> last_logged_loss(const std::string& log_path) {
  std::ifstream in(log_path, std::ios::binary);
  if (!in) return std::nullopt;
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff from = size > static_cast<std::streamoff>(kLossTailBytes) ? size - static_cast<std::streamoff>(kLossTailBytes) : 0;
  in.seekg(from);
  std::string tail(static_cast<std::size_t>(size - from), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  static const std::regex loss(R"((?:^|[^A-Za-z_])(?:train_)?loss['"]?\s*[:=|]?\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?))",
                               std::regex::icase);
  std::optional<double> last;
  for (auto it = std::sregex_iterator(tail.begin(), tail.end(), loss); it != std::sregex_iterator(); ++it) {
    try {
      last = std::stod((*it)[1].str());
    } catch (const std::exception&) {
    }
  }
  return last;
}

nlohmann::json RunRow::to_json() const {
  nlohmann::json j = record.to_json();
  j["last_loss"] = last_loss ? nlohmann::json(*last_loss) : nlohmann::json(nullptr);
  return j;
}

core::Result<std::vector<RunRow>> list_runs(RunStore& store) {
  if (auto r = reconcile(store); !r) return r.error();
  auto runs = store.list();
  if (!runs) return runs.error();
  std::vector<RunRow> rows;
  for (auto& r : *runs) {
    RunRow row;
    row.last_loss = last_logged_loss(r.log);
    row.record = std::move(r);
    rows.push_back(std::move(row));
  }
  return rows;
}

core::Result<std::string> run_log_path(const std::string& project, const std::string& id_or_prefix) {
  auto store = RunStore::open_existing(find_runs_project(project));
  if (!store) return store.error();
  auto record = store->get(id_or_prefix);
  if (!record) return record.error();
  return record->log;
}

std::string explain_command_for(const RunRecord& record) { return fmt::format("trainctl explain --run {}", record.id); }

core::Result<RunRecord> stop_run(RunStore& store, const std::string& id, std::chrono::milliseconds grace) {
  if (auto r = reconcile(store); !r) return r.error();
  auto record = store.get(id);
  if (!record) return record.error();
  if (record->status != RunStatus::kRunning) {
    return core::Error::usage(fmt::format("run {} already ended ({})", record->id, status_name(record->status)));
  }
  if (record->host != host_name()) {
    return core::Error::usage(fmt::format("run {} runs on {}, not here: stop it there", record->id, record->host));
  }
  if (!record->pid || !same_process_alive(*record->pid, record->pid_start)) {
    return core::Error::failure(fmt::format("run {} has no training process to stop yet; try again", record->id));
  }
  if (auto s = store.set_stop_requested(record->id); !s) return s.error();
  int pgid = *record->pid;
  ::kill(-pgid, SIGTERM);
  if (!wait_group_gone(pgid, grace)) {
    ::kill(-pgid, SIGKILL);
    wait_group_gone(pgid, std::chrono::seconds(5));
  }
  // The reaper records the end; give it a moment, and record it here if there is none.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (true) {
    auto fresh = store.get(record->id);
    if (!fresh) return fresh.error();
    if (fresh->status != RunStatus::kRunning) return *fresh;
    bool reaper = fresh->reaper_pid && same_process_alive(*fresh->reaper_pid, fresh->reaper_start);
    if (!reaper || std::chrono::steady_clock::now() >= deadline) {
      RunEnd end;
      end.ended_at_ms = now_ms();
      end.signal = SIGTERM;
      end.status = RunStatus::kKilled;
      end.checkpoints = checkpoints_written(fresh->cwd, fresh->started_at_ms);
      if (auto s = store.finish(fresh->id, end); !s) return s.error();
      return store.get(fresh->id);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace trainctl::exec
