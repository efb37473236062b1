// The run records in a real SQLite file: round trip, unique ids when many processes' runs start
// in the same millisecond, prefix lookup, and a database from a newer trainctl refused.
#include <sqlite3.h>

#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "exec/run_store.h"
#include "temp_dir.h"

namespace trainctl::exec {
namespace {

RunRecord sample(std::int64_t at) {
  RunRecord r;
  r.argv = {"python", "train.py", "--config", "c.yaml"};
  r.cwd = "/p";
  r.host = "h";
  r.started_at_ms = at;
  r.env = {{"CUDA_VISIBLE_DEVICES", "0"}};
  return r;
}

TEST(RunStore, RecordsRoundTripThroughTheDatabase) {
  testing::TempDir dir;
  auto store = RunStore::open(dir.path().string());
  ASSERT_TRUE(store.ok()) << store.error().message;
  RunRecord r = sample(1'764'099'012'345);
  ASSERT_TRUE(store->insert(r).ok());
  EXPECT_EQ(r.id.substr(0, 19), "20251125-193012-345");
  EXPECT_EQ(r.log, dir.path().string() + "/.trainctl/runs/" + r.id + "/output.log");
  ASSERT_TRUE(store->set_process(r.id, 123, 456u, 789, 1011u).ok());
  RunEnd end;
  end.ended_at_ms = r.started_at_ms + 5000;
  end.signal = 15;
  end.status = RunStatus::kKilled;
  end.checkpoints = {"/p/ck/step_1.pt"};
  ASSERT_TRUE(store->finish(r.id, end).ok());
  auto back = store->get(r.id);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->argv, r.argv);
  EXPECT_EQ(back->env, r.env);
  EXPECT_EQ(back->pid, 123);
  EXPECT_EQ(back->pid_start, 456u);
  EXPECT_EQ(back->status, RunStatus::kKilled);
  EXPECT_EQ(back->signal, 15);
  EXPECT_FALSE(back->exit_code.has_value());
  EXPECT_EQ(back->shell_status(), 143);
  EXPECT_EQ(back->checkpoints, end.checkpoints);
  auto json = back->to_json();
  EXPECT_EQ(json["status"], "killed");
  EXPECT_EQ(json["started_at"], "2025-11-25T19:30:12.345Z");
  EXPECT_TRUE(json["exit_code"].is_null());
}

TEST(RunStore, ConcurrentWritersGetDistinctIds) {
  testing::TempDir dir;
  ASSERT_TRUE(RunStore::open(dir.path().string()).ok());
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto store = RunStore::open(dir.path().string());  // one connection per writer, like separate processes
      ASSERT_TRUE(store.ok());
      for (int i = 0; i < kEach; ++i) {
        RunRecord r = sample(1'764'099'012'345);  // all in the same millisecond
        auto s = store->insert(r);
        ASSERT_TRUE(s.ok()) << s.error().message;
        ids[t].push_back(r.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> distinct;
  for (const auto& v : ids) distinct.insert(v.begin(), v.end());
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kThreads * kEach));
  auto store = RunStore::open_existing(dir.path().string());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->list()->size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST(RunStore, ListsNewestFirstAndFindsByUniquePrefix) {
  testing::TempDir dir;
  auto store = RunStore::open(dir.path().string());
  RunRecord a = sample(1'700'000'000'000), b = sample(1'700'000'100'000);
  ASSERT_TRUE(store->insert(a).ok());
  ASSERT_TRUE(store->insert(b).ok());
  auto all = store->list();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, b.id);
  EXPECT_EQ(store->get(b.id.substr(0, 15))->id, b.id);
  EXPECT_EQ(store->get("19").error().kind, core::ErrorKind::kNotFound);
}

TEST(RunStore, ANewerSchemaIsRefusedAndNothingIsCreatedForReaders) {
  testing::TempDir dir;
  EXPECT_EQ(RunStore::open_existing(dir.path().string()).error().kind, core::ErrorKind::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / ".trainctl"));
  ASSERT_TRUE(RunStore::open(dir.path().string()).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(database_path(dir.path().string()).c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto refused = RunStore::open(dir.path().string());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("schema version 99"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace trainctl::exec
