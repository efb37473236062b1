#include "command/launcher.h"

#include <gtest/gtest.h>

namespace trainctl::command {
namespace {

using V = std::vector<std::string>;

project::EntryPoint entry(project::Launcher launcher) {
  project::EntryPoint e;
  e.path = "train.py";
  e.launcher = launcher;
  return e;
}

TEST(Launcher, OneProcessIsPlainPython) {
  auto l = launch(entry(project::Launcher::kTorchrun), {"train.py"}, {"--x"}, {});
  ASSERT_TRUE(l);
  EXPECT_EQ(l->argv, (V{"python", "train.py", "--x"}));
  EXPECT_EQ(l->launcher, "python");
}

TEST(Launcher, ModulesUseEachLaunchersModuleSwitch) {
  LaunchRequest r;
  r.gpus = 2;
  EXPECT_EQ(launch(entry(project::Launcher::kTorchrun), {"-m", "pkg.train"}, {}, r)->argv,
            (V{"torchrun", "--nproc_per_node=2", "-m", "pkg.train"}));
  EXPECT_EQ(launch(entry(project::Launcher::kAccelerate), {"-m", "pkg.train"}, {}, r)->argv,
            (V{"accelerate", "launch", "--num_processes=2", "-m", "pkg.train"}));
  EXPECT_EQ(launch(entry(project::Launcher::kDeepspeed), {"-m", "pkg.train"}, {}, r)->argv,
            (V{"deepspeed", "--num_gpus=2", "--module", "pkg.train"}));
}

TEST(Launcher, AccelerateAcrossNodesCountsAllProcessesAndUsesTheProjectsConfig) {
  LaunchRequest r;
  r.gpus = 4;
  r.nodes = 2;
  r.master_addr = "10.1.1.1";
  r.launcher_config = "configs/accelerate.yaml";
  auto l = launch(entry(project::Launcher::kAccelerate), {"train.py"}, {"--lr", "1"}, r);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->argv, (V{"accelerate", "launch", "--config_file", "configs/accelerate.yaml", "--num_processes=8",
                        "--num_machines=2", "--machine_rank=0", "--main_process_ip=10.1.1.1", "--main_process_port=29500",
                        "train.py", "--lr", "1"}));
  EXPECT_FALSE(l->notes.empty());
}

TEST(Launcher, LightningWithoutADeviceOptionRunsUnderTorchrun) {
  LaunchRequest r;
  r.gpus = 2;
  auto l = launch(entry(project::Launcher::kLightning), {"train.py"}, {}, r);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->argv, (V{"torchrun", "--nproc_per_node=2", "train.py"}));
}

TEST(Launcher, BoundsAreChecked) {
  LaunchRequest r;
  r.gpus = -1;
  EXPECT_EQ(launch(entry(project::Launcher::kTorchrun), {"train.py"}, {}, r).error().kind, core::ErrorKind::kUsage);
  r.gpus = 1;
  r.nodes = 0;
  EXPECT_FALSE(launch(entry(project::Launcher::kTorchrun), {"train.py"}, {}, r));
}

}  // namespace
}  // namespace trainctl::command
