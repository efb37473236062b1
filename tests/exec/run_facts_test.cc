// The facts a run record keeps about where the run came from, on real files.
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include <gtest/gtest.h>

#include "exec/process_identity.h"
#include "exec/run_facts.h"
#include "temp_dir.h"

namespace trainctl::exec {
namespace {

namespace fs = std::filesystem;

TEST(RunFacts, TheConfigTheArgvNamesAndItsHash) {
  testing::TempDir dir;
  std::string cwd = fs::canonical(dir.path()).string();
  dir.write("configs/a.yaml", "lr: 0.1\n");
  EXPECT_EQ(config_in_argv({"python", "train.py", "--config", "configs/a.yaml"}, cwd), cwd + "/configs/a.yaml");
  EXPECT_EQ(config_in_argv({"python", "train.py", "--config=configs/a.yaml"}, cwd), cwd + "/configs/a.yaml");
  EXPECT_FALSE(config_in_argv({"python", "train.py", "--config", "configs/missing.yaml"}, cwd).has_value());
  EXPECT_FALSE(config_in_argv({"python", "-c", "print(1)"}, cwd).has_value());
  auto h1 = file_hash(cwd + "/configs/a.yaml");
  ASSERT_TRUE(h1.has_value());
  EXPECT_EQ(h1->rfind("fnv1a64:", 0), 0u);
  dir.write("configs/a.yaml", "lr: 0.2\n");
  EXPECT_NE(file_hash(cwd + "/configs/a.yaml"), h1);
  EXPECT_FALSE(file_hash(cwd + "/nope").has_value());
}

TEST(RunFacts, OnlyTheVariablesThatDecideGpusAndRanks) {
  auto env = core::EnvironmentVars::of({{"CUDA_VISIBLE_DEVICES", ""}, {"MASTER_ADDR", "10.0.0.1"}, {"HOME", "/root"}});
  auto kept = relevant_environment(env);
  EXPECT_EQ(kept, (std::map<std::string, std::string>{{"CUDA_VISIBLE_DEVICES", ""}, {"MASTER_ADDR", "10.0.0.1"}}));
}

TEST(RunFacts, CheckpointsWrittenSinceTheStart) {
  testing::TempDir dir;
  dir.write("checkpoints/run/step_10.pt", "old");
  auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(1);
  fs::last_write_time(dir.path() / "checkpoints/run/step_10.pt", old_time);
  auto start = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch() - std::chrono::minutes(1))
                   .count();
  dir.write("checkpoints/run/step_20.pt", "new");
  auto written = checkpoints_written(dir.path().string(), start);
  ASSERT_EQ(written.size(), 1u) << ::testing::PrintToString(written);
  EXPECT_EQ(fs::path(written[0]).filename(), "step_20.pt");
}

TEST(ProcessIdentity, APidIsItsStartTimeToo) {
  int self = static_cast<int>(::getpid());
  auto start = process_start_ticks(self);
  ASSERT_TRUE(start.has_value());
  EXPECT_TRUE(same_process_alive(self, start));
  EXPECT_FALSE(same_process_alive(self, *start + 1));
  EXPECT_FALSE(process_start_ticks(999'999'999).has_value());
  EXPECT_TRUE(process_group_alive(static_cast<int>(::getpgrp())));
}

}  // namespace
}  // namespace trainctl::exec
