#include "exec/run_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include <fmt/format.h>

namespace trainctl::exec {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  argv TEXT NOT NULL,
  cwd TEXT NOT NULL,
  config_path TEXT,
  config_hash TEXT,
  git_commit TEXT,
  git_dirty INTEGER,
  env TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER,
  pid_start INTEGER,
  reaper_pid INTEGER,
  reaper_start INTEGER,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  exit_code INTEGER,
  signal INTEGER,
  status TEXT NOT NULL,
  stop_requested INTEGER NOT NULL DEFAULT 0,
  log TEXT NOT NULL,
  checkpoints TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs(started_at);
)";

constexpr const char* kColumns =
    "id, kind, argv, cwd, config_path, config_hash, git_commit, git_dirty, env, host, pid, pid_start, reaper_pid, "
    "reaper_start, started_at, ended_at, exit_code, signal, status, stop_requested, log, checkpoints";

// One prepared statement, finalized on every path.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  void bind(int i, const std::string& v) { sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind_null(int i) { sqlite3_bind_null(stmt_, i); }
  template <typename T>
  void bind_opt(int i, const std::optional<T>& v) {
    if (!v) return bind_null(i);
    if constexpr (std::is_same_v<T, std::string>) {
      bind(i, *v);
    } else {
      bind(i, static_cast<std::int64_t>(*v));
    }
  }
  int step() { return sqlite3_step(stmt_); }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

core::Error db_error(sqlite3* db, const std::string& what) {
  return core::Error::failure(fmt::format("run records: {}: {}", what, sqlite3_errmsg(db)));
}

core::Status exec_sql(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return core::Error::failure(fmt::format("run records: {}", text));
  }
  return core::Ok{};
}

std::string text_column(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}
std::optional<std::string> opt_text(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return text_column(s, i);
}
std::optional<std::int64_t> opt_int(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(s, i);
}
template <typename T>
std::optional<T> narrow(std::optional<std::int64_t> v) {
  if (!v) return std::nullopt;
  return static_cast<T>(*v);
}

// JSON columns written by this file; a damaged one reads as empty rather than failing the list.
nlohmann::json parse_json(const std::string& text, nlohmann::json fallback) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

RunRecord read_row(sqlite3_stmt* s) {
  RunRecord r;
  r.id = text_column(s, 0);
  r.kind = text_column(s, 1);
  auto argv = parse_json(text_column(s, 2), nlohmann::json::array());
  for (const auto& a : argv) {
    if (a.is_string()) r.argv.push_back(a.get<std::string>());
  }
  r.cwd = text_column(s, 3);
  r.config_path = opt_text(s, 4);
  r.config_hash = opt_text(s, 5);
  r.git_commit = opt_text(s, 6);
  if (auto d = opt_int(s, 7)) r.git_dirty = *d != 0;
  auto env = parse_json(text_column(s, 8), nlohmann::json::object());
  for (auto it = env.begin(); it != env.end(); ++it) {
    if (it.value().is_string()) r.env[it.key()] = it.value().get<std::string>();
  }
  r.host = text_column(s, 9);
  r.pid = narrow<int>(opt_int(s, 10));
  r.pid_start = narrow<std::uint64_t>(opt_int(s, 11));
  r.reaper_pid = narrow<int>(opt_int(s, 12));
  r.reaper_start = narrow<std::uint64_t>(opt_int(s, 13));
  r.started_at_ms = sqlite3_column_int64(s, 14);
  r.ended_at_ms = opt_int(s, 15);
  r.exit_code = narrow<int>(opt_int(s, 16));
  r.signal = narrow<int>(opt_int(s, 17));
  r.status = parse_status(text_column(s, 18)).value_or(RunStatus::kLost);
  r.stop_requested = sqlite3_column_int64(s, 19) != 0;
  r.log = text_column(s, 20);
  auto checkpoints = parse_json(text_column(s, 21), nlohmann::json::array());
  for (const auto& c : checkpoints) {
    if (c.is_string()) r.checkpoints.push_back(c.get<std::string>());
  }
  return r;
}

core::Result<RunStore> open_at(const std::string& project_dir, bool create) {
  std::string path = database_path(project_dir);
  if (create) {
    std::error_code ec;
    fs::create_directories(state_dir(project_dir) + "/runs", ec);
    if (ec) return core::Error::failure(fmt::format("cannot create {}/runs: {}", state_dir(project_dir), ec.message()));
  } else if (!fs::exists(path)) {
    return core::Error::not_found(fmt::format("no runs recorded in {} (no {})", project_dir, path));
  }
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    core::Error e = core::Error::failure(fmt::format("cannot open {}: {}", path, db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return e;
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // Every trainctl command opens and closes the database; the last connection's close would
  // checkpoint and delete the WAL each time (two fsyncs on every command). SQLite's automatic
  // checkpoints (every 1000 pages) keep the WAL bounded instead.
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  int persist = 1;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  auto fail = [&](core::Error e) -> core::Result<RunStore> {
    sqlite3_close(db);
    return e;
  };
  if (auto s = exec_sql(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"); !s) return fail(s.error());
  int version = 0;
  {
    Statement st(db, "PRAGMA user_version");
    if (!st.ok() || st.step() != SQLITE_ROW) return fail(db_error(db, "reading the schema version of " + path));
    version = sqlite3_column_int(st.get(), 0);
  }
  if (version > kRunsSchemaVersion) {
    return fail(core::Error::failure(fmt::format(
        "{} has schema version {}, newer than this trainctl's {}: use the trainctl that wrote it", path, version,
        kRunsSchemaVersion)));
  }
  if (version < kRunsSchemaVersion) {
    std::string migrate = fmt::format("BEGIN IMMEDIATE; {} PRAGMA user_version = {}; COMMIT;", kSchema, kRunsSchemaVersion);
    if (auto s = exec_sql(db, migrate.c_str()); !s) {
      (void)exec_sql(db, "ROLLBACK;");
      return fail(s.error());
    }
  }
  return RunStore::adopt(db, project_dir);
}

}  // namespace

std::string state_dir(const std::string& project_dir) { return (fs::path(project_dir) / ".trainctl").string(); }
std::string database_path(const std::string& project_dir) { return state_dir(project_dir) + "/runs.db"; }
std::string run_dir(const std::string& project_dir, const std::string& id) { return state_dir(project_dir) + "/runs/" + id; }

std::string make_run_id(std::int64_t unix_ms, unsigned random) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  return fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}-{:03}{:02x}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000), random & 0xffu);
}

core::Result<RunStore> RunStore::open(const std::string& project_dir) { return open_at(project_dir, true); }
core::Result<RunStore> RunStore::open_existing(const std::string& project_dir) { return open_at(project_dir, false); }

RunStore::RunStore(RunStore&& other) noexcept : db_(other.db_), project_dir_(std::move(other.project_dir_)) {
  other.db_ = nullptr;
}
RunStore& RunStore::operator=(RunStore&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = other.db_;
    project_dir_ = std::move(other.project_dir_);
    other.db_ = nullptr;
  }
  return *this;
}
RunStore::~RunStore() { sqlite3_close(db_); }

core::Status RunStore::insert(RunRecord& record) {
  std::string sql = fmt::format("INSERT INTO runs ({}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", kColumns);
  unsigned random = static_cast<unsigned>(record.started_at_ms) ^ static_cast<unsigned>(::getpid() * 2654435761u);
  for (int attempt = 0; attempt < kMaxIdAttempts; ++attempt) {
    random = random * 1103515245u + 12345u + static_cast<unsigned>(std::clock());
    record.id = make_run_id(record.started_at_ms, random >> 16);
    record.log = run_dir(project_dir_, record.id) + "/output.log";
    Statement st(db_, sql.c_str());
    if (!st.ok()) return db_error(db_, "preparing an insert");
    st.bind(1, record.id);
    st.bind(2, record.kind);
    st.bind(3, nlohmann::json(record.argv).dump());
    st.bind(4, record.cwd);
    st.bind_opt(5, record.config_path);
    st.bind_opt(6, record.config_hash);
    st.bind_opt(7, record.git_commit);
    st.bind_opt(8, record.git_dirty);
    st.bind(9, nlohmann::json(record.env).dump());
    st.bind(10, record.host);
    st.bind_opt(11, record.pid);
    st.bind_opt(12, record.pid_start);
    st.bind_opt(13, record.reaper_pid);
    st.bind_opt(14, record.reaper_start);
    st.bind(15, record.started_at_ms);
    st.bind_opt(16, record.ended_at_ms);
    st.bind_opt(17, record.exit_code);
    st.bind_opt(18, record.signal);
    st.bind(19, std::string(status_name(record.status)));
    st.bind(20, std::int64_t{record.stop_requested ? 1 : 0});
    st.bind(21, record.log);
    st.bind(22, nlohmann::json(record.checkpoints).dump());
    int rc = st.step();
    if (rc == SQLITE_DONE) return core::Ok{};
    if (rc != SQLITE_CONSTRAINT) return db_error(db_, "recording run " + record.id);
  }
  return core::Error::failure("run records: could not find a free run id");
}

namespace {
core::Status expect_done(sqlite3* db, Statement& st, const std::string& what) {
  if (!st.ok()) return db_error(db, what);
  if (st.step() != SQLITE_DONE) return db_error(db, what);
  return core::Ok{};
}
}  // namespace

core::Status RunStore::set_process(const std::string& id, int pid, std::optional<std::uint64_t> pid_start,
                                   int reaper_pid, std::optional<std::uint64_t> reaper_start) {
  Statement st(db_, "UPDATE runs SET pid=?, pid_start=?, reaper_pid=?, reaper_start=? WHERE id=?");
  st.bind(1, std::int64_t{pid});
  st.bind_opt(2, pid_start);
  st.bind(3, std::int64_t{reaper_pid});
  st.bind_opt(4, reaper_start);
  st.bind(5, id);
  return expect_done(db_, st, "recording the process of run " + id);
}

core::Status RunStore::set_facts(const RunRecord& facts) {
  Statement st(db_, "UPDATE runs SET config_path=?, config_hash=?, git_commit=?, git_dirty=? WHERE id=?");
  st.bind_opt(1, facts.config_path);
  st.bind_opt(2, facts.config_hash);
  st.bind_opt(3, facts.git_commit);
  st.bind_opt(4, facts.git_dirty);
  st.bind(5, facts.id);
  return expect_done(db_, st, "recording the config and commit of run " + facts.id);
}

core::Status RunStore::set_stop_requested(const std::string& id) {
  Statement st(db_, "UPDATE runs SET stop_requested=1 WHERE id=?");
  st.bind(1, id);
  return expect_done(db_, st, "recording the stop of run " + id);
}

core::Status RunStore::finish(const std::string& id, const RunEnd& end) {
  Statement st(db_, "UPDATE runs SET ended_at=?, exit_code=?, signal=?, status=?, checkpoints=? WHERE id=?");
  st.bind(1, end.ended_at_ms);
  st.bind_opt(2, end.exit_code);
  st.bind_opt(3, end.signal);
  st.bind(4, std::string(status_name(end.status)));
  st.bind(5, nlohmann::json(end.checkpoints).dump());
  st.bind(6, id);
  return expect_done(db_, st, "recording the end of run " + id);
}

core::Result<RunRecord> RunStore::get(const std::string& id_or_prefix) const {
  if (id_or_prefix.empty()) return core::Error::usage("give a run id (trainctl runs list shows them)");
  std::string sql = fmt::format("SELECT {} FROM runs WHERE id = ?1 OR substr(id, 1, length(?1)) = ?1 ORDER BY id", kColumns);
  Statement st(db_, sql.c_str());
  if (!st.ok()) return db_error(db_, "reading run " + id_or_prefix);
  st.bind(1, id_or_prefix);
  std::vector<RunRecord> found;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    RunRecord r = read_row(st.get());
    if (r.id == id_or_prefix) return r;
    found.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return db_error(db_, "reading run " + id_or_prefix);
  if (found.size() == 1) return std::move(found.front());
  if (found.empty()) {
    return core::Error::not_found(fmt::format("no run {} in {} (trainctl runs list shows them)", id_or_prefix,
                                              database_path(project_dir_)));
  }
  return core::Error::not_found(fmt::format("{} runs start with {}: give more of the id", found.size(), id_or_prefix));
}

core::Result<std::vector<RunRecord>> RunStore::list(std::size_t limit) const {
  std::string sql = fmt::format("SELECT {} FROM runs ORDER BY started_at DESC, id DESC LIMIT ?", kColumns);
  Statement st(db_, sql.c_str());
  if (!st.ok()) return db_error(db_, "listing runs");
  st.bind(1, static_cast<std::int64_t>(limit));
  std::vector<RunRecord> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(read_row(st.get()));
  if (rc != SQLITE_DONE) return db_error(db_, "listing runs");
  return out;
}

}  // namespace trainctl::exec
