// The run records of one project, kept in <project>/.trainctl/runs.db: SQLite in WAL mode so
// that several trainctl processes (concurrent runs, their reapers, `runs list`) read and write
// at once; a busy database is waited on for up to kBusyTimeoutMs. The schema carries a version
// (PRAGMA user_version): a database from a newer trainctl is refused, never rewritten.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "exec/run_record.h"

struct sqlite3;

namespace trainctl::exec {

inline constexpr int kRunsSchemaVersion = 1;
inline constexpr int kBusyTimeoutMs = 10'000;
inline constexpr int kMaxIdAttempts = 32;     // fresh random suffixes tried when an id is taken
inline constexpr std::size_t kMaxListedRuns = 10'000;

// <project>/.trainctl and what lives in it.
std::string state_dir(const std::string& project_dir);
std::string database_path(const std::string& project_dir);
std::string run_dir(const std::string& project_dir, const std::string& id);

// A run id for a start at unix_ms: "YYYYMMDD-HHMMSS-mmmXX" (UTC, milliseconds, two random hex
// digits). Ids sort by start time; the database's primary key makes them unique.
std::string make_run_id(std::int64_t unix_ms, unsigned random);

// How a run ended, as its reaper (or `runs stop`, or reconciliation) saw it.
struct RunEnd {
  std::int64_t ended_at_ms = 0;
  std::optional<int> exit_code;
  std::optional<int> signal;
  RunStatus status = RunStatus::kFailed;
  std::vector<std::string> checkpoints;
};

class RunStore {
 public:
  // Opens (creating .trainctl/ and the database when missing) the records of project_dir.
  static core::Result<RunStore> open(const std::string& project_dir);
  // Opens an existing database only: kNotFound when project_dir has no runs yet.
  static core::Result<RunStore> open_existing(const std::string& project_dir);

  // Takes ownership of an open, migrated handle (used by open()).
  static RunStore adopt(sqlite3* db, std::string project_dir) { return RunStore(db, std::move(project_dir)); }

  RunStore(RunStore&&) noexcept;
  RunStore& operator=(RunStore&&) noexcept;
  ~RunStore();

  const std::string& project_dir() const { return project_dir_; }

  // Inserts a new record, giving it a fresh id (record.id is set) and its log path.
  core::Status insert(RunRecord& record);
  core::Status set_process(const std::string& id, int pid, std::optional<std::uint64_t> pid_start, int reaper_pid,
                           std::optional<std::uint64_t> reaper_start);
  core::Status set_facts(const RunRecord& facts);  // config path/hash, git commit/dirty
  core::Status set_stop_requested(const std::string& id);
  core::Status finish(const std::string& id, const RunEnd& end);

  // The run with this id, or the only one whose id starts with it (kNotFound otherwise).
  core::Result<RunRecord> get(const std::string& id_or_prefix) const;
  // Newest first.
  core::Result<std::vector<RunRecord>> list(std::size_t limit = kMaxListedRuns) const;

 private:
  RunStore(sqlite3* db, std::string project_dir) : db_(db), project_dir_(std::move(project_dir)) {}
  sqlite3* db_ = nullptr;
  std::string project_dir_;
};

}  // namespace trainctl::exec
