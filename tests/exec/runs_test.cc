// Reconciliation against real processes (a record whose processes are gone becomes lost; a live
// one, or one whose pid now belongs to another process's start time, is judged by pid + start),
// and the last logged loss in the formats trainers print.
#include <unistd.h>

#include <gtest/gtest.h>

#include "exec/process_identity.h"
#include "exec/run_facts.h"
#include "exec/runs.h"
#include "temp_dir.h"

namespace trainctl::exec {
namespace {

RunRecord running_record(int pid, std::optional<std::uint64_t> start) {
  RunRecord r;
  r.argv = {"python", "train.py"};
  r.cwd = "/nonexistent";
  r.host = host_name();
  r.started_at_ms = 1'700'000'000'000;
  r.pid = pid;
  r.pid_start = start;
  r.reaper_pid = pid;
  r.reaper_start = start;
  return r;
}

TEST(Reconcile, GoneProcessesAreLostLiveOnesStayRunning) {
  testing::TempDir dir;
  auto store = RunStore::open(dir.path().string());
  ASSERT_TRUE(store.ok());
  int self = static_cast<int>(::getpid());
  auto self_start = process_start_ticks(self);
  ASSERT_TRUE(self_start.has_value());
  RunRecord alive = running_record(self, self_start);
  RunRecord reused = running_record(self, *self_start + 1);  // our pid, another process's start time
  RunRecord gone = running_record(999'999'999, 1u);
  ASSERT_TRUE(store->insert(alive).ok());
  ASSERT_TRUE(store->insert(reused).ok());
  ASSERT_TRUE(store->insert(gone).ok());
  auto lost = reconcile(*store);
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(*lost, 2);
  EXPECT_EQ(store->get(alive.id)->status, RunStatus::kRunning);
  EXPECT_EQ(store->get(reused.id)->status, RunStatus::kLost);
  EXPECT_EQ(store->get(gone.id)->status, RunStatus::kLost);
  EXPECT_TRUE(store->get(gone.id)->ended_at_ms.has_value());
}

TEST(LastLoggedLoss, ReadsTheLastLossInCommonFormats) {
  testing::TempDir dir;
  auto log = dir.write("a.log", "step 10/400 | loss 2.5000 | lr 1e-3\nstep 20/400 | loss 2.0319 | lr 2.6e-03\n");
  EXPECT_DOUBLE_EQ(*last_logged_loss(log.string()), 2.0319);
  auto hf = dir.write("b.log", "{'loss': 1.25, 'learning_rate': 5e-05, 'epoch': 0.5}\n");
  EXPECT_DOUBLE_EQ(*last_logged_loss(hf.string()), 1.25);
  auto eq = dir.write("c.log", "epoch 1 train_loss=0.75 val_loss=0.8\n");
  EXPECT_DOUBLE_EQ(*last_logged_loss(eq.string()), 0.75);
  auto none = dir.write("d.log", "hello\n");
  EXPECT_FALSE(last_logged_loss(none.string()).has_value());
}

}  // namespace
}  // namespace trainctl::exec
