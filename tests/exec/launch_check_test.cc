// What is decided before a run starts: deny refused, training launches ask (the CPU named when
// there is no GPU), commands that want more GPUs than are usable refused, busy GPUs named.
#include <gtest/gtest.h>

#include "exec/launch_check.h"
#include "temp_dir.h"

namespace trainctl::exec {
namespace {

gpu::GpuReport no_gpus() {
  gpu::GpuReport r;
  r.source = "none";
  r.no_gpu_reason_code = gpu::kReasonNoDriverLibrary;
  r.no_gpu_reason = "no NVIDIA driver library";
  return r;
}

gpu::GpuReport one_busy_gpu() {
  gpu::GpuReport r;
  r.source = "nvml";
  gpu::Gpu g;
  g.index = 0;
  g.memory_total_bytes = 80ull << 30;
  g.memory_used_bytes = 70ull << 30;
  g.processes.push_back({4242, "python", 70ull << 30, std::nullopt, std::nullopt});
  r.gpus.push_back(g);
  r.visible.push_back({0, 0, "GPU-x", false});
  return r;
}

class LaunchCheckTest : public ::testing::Test {
 protected:
  LaunchCheck check(std::vector<std::string> argv, gpu::GpuReport gpus, core::EnvironmentVars env = {}) {
    dir_.write("train.py", "import torch\n");
    LaunchRequest request;
    request.argv = std::move(argv);
    request.cwd = dir_.path().string();
    request.env = env;
    request.gpus = std::move(gpus);
    auto guard = safety::CommandGuard::for_project(dir_.path().string(), core::EnvironmentVars::of({{"HOME", "/home/u"}}));
    return check_launch(request, guard);
  }
  testing::TempDir dir_;
};

TEST_F(LaunchCheckTest, DenyIsRefusedBeforeAnythingElse) {
  auto c = check({"sh", "-c", "rm -rf /home/u/x"}, no_gpus());
  ASSERT_TRUE(c.refusal.has_value());
  EXPECT_EQ(c.refusal->kind, core::ErrorKind::kRefused);
  EXPECT_FALSE(c.gpus.has_value());
}

TEST_F(LaunchCheckTest, TrainingWithoutAGpuAsksAndSaysTheCpu) {
  auto c = check({"python", "train.py"}, no_gpus());
  EXPECT_FALSE(c.refusal.has_value());
  EXPECT_TRUE(c.training);
  ASSERT_TRUE(c.needs_yes());
  bool cpu = false;
  for (const auto& a : c.ask) cpu = cpu || a.find("training will run on the CPU") != std::string::npos;
  EXPECT_TRUE(cpu) << ::testing::PrintToString(c.ask);
}

TEST_F(LaunchCheckTest, MoreGpusThanUsableIsRefusedSayingWhatIsThere) {
  auto c = check({"torchrun", "--nproc_per_node", "2", "train.py"}, one_busy_gpu());
  ASSERT_TRUE(c.refusal.has_value());
  EXPECT_EQ(c.refusal->kind, core::ErrorKind::kRefused);
  EXPECT_NE(c.refusal->message.find("wants 2 GPUs (--nproc_per_node 2) but only 1 GPU is usable"), std::string::npos)
      << c.refusal->message;
  auto env = check({"python", "train.py"}, no_gpus(), core::EnvironmentVars::of({{"CUDA_VISIBLE_DEVICES", "0,1"}}));
  ASSERT_TRUE(env.refusal.has_value());
  EXPECT_NE(env.refusal->message.find("CUDA_VISIBLE_DEVICES=0,1"), std::string::npos) << env.refusal->message;
}

TEST_F(LaunchCheckTest, ABusyGpuIsNamedWithItsProcesses) {
  auto c = check({"python", "train.py"}, one_busy_gpu());
  EXPECT_FALSE(c.refusal.has_value());
  bool named = false;
  for (const auto& a : c.ask) named = named || a.find("python (pid 4242") != std::string::npos;
  EXPECT_TRUE(named) << ::testing::PrintToString(c.ask);
}

TEST_F(LaunchCheckTest, AReadOnlyCommandStartsWithoutAYes) {
  auto c = check({"ls"}, no_gpus());
  EXPECT_FALSE(c.refusal.has_value());
  EXPECT_FALSE(c.training);
  EXPECT_FALSE(c.needs_yes());
}

TEST(GpusWanted, ReadsTheLauncherFlagsAndAssignments) {
  core::EnvironmentVars none;
  EXPECT_EQ(gpus_wanted({"accelerate", "launch", "--num_processes=4", "t.py"}, none).first, 4);
  EXPECT_EQ(gpus_wanted({"env", "CUDA_VISIBLE_DEVICES=0,1,2", "python", "t.py"}, none).first, 3);
  EXPECT_EQ(gpus_wanted({"python", "t.py", "--gpus", "2"}, none).first, 2);
  EXPECT_EQ(gpus_wanted({"python", "t.py"}, none).first, 0);
  EXPECT_EQ(gpus_wanted({"python", "t.py"}, core::EnvironmentVars::of({{"CUDA_VISIBLE_DEVICES", ""}})).first, 0);
}

}  // namespace
}  // namespace trainctl::exec
