#include <gtest/gtest.h>

#include "exec/resume_args.h"

namespace trainctl::exec {
namespace {

command::CommandPlan resume_plan() {
  command::CommandPlan plan;
  plan.kind = "resume";
  plan.cwd = "/p";
  plan.config = "/p/configs/default.yaml";
  plan.argv = {"python", "train.py", "--config", "configs/default.yaml", "--resume", "checkpoints/default/step_20.pt"};
  plan.resume = project::ResumeConvention{"--resume", project::ResumeTakes::kOptionalPath, "", ""};
  checkpoint::CheckpointInfo c;
  c.path = "/p/checkpoints/default/step_20.pt";
  plan.checkpoint = c;
  return plan;
}

RunRecord recorded(std::vector<std::string> argv, std::vector<std::string> checkpoints) {
  RunRecord r;
  r.id = "20261125-193012-00000";
  r.argv = std::move(argv);
  r.cwd = "/p";
  r.config_path = "/p/configs/default.yaml";
  r.checkpoints = std::move(checkpoints);
  return r;
}

TEST(ResumeArgs, TheRunThatWroteTheCheckpointGivesItsExactArguments) {
  auto r = recorded({"/usr/bin/python3", "train.py", "--config", "configs/default.yaml", "--max-steps", "20"},
                    {"/p/checkpoints/default/step_20.pt"});
  auto reused = reuse_recorded_arguments({r}, resume_plan(), {"--max-steps", "30"});
  ASSERT_TRUE(reused.has_value());
  EXPECT_EQ(reused->run_id, r.id);
  EXPECT_EQ(reused->argv, (std::vector<std::string>{"/usr/bin/python3", "train.py", "--config", "configs/default.yaml",
                                                    "--resume", "checkpoints/default/step_20.pt", "--max-steps", "30"}));
}

TEST(ResumeArgs, AnEarlierResumeOptionIsReplacedNotRepeated) {
  auto r = recorded({"python3", "train.py", "--config", "configs/default.yaml", "--resume", "old.pt"}, {});
  auto reused = reuse_recorded_arguments({r}, resume_plan(), {});
  ASSERT_TRUE(reused.has_value());  // same folder and config
  EXPECT_EQ(reused->argv, (std::vector<std::string>{"python3", "train.py", "--config", "configs/default.yaml", "--resume",
                                                    "checkpoints/default/step_20.pt"}));
}

TEST(ResumeArgs, NoFittingRecordMeansThePlanStands) {
  auto r = recorded({"python3", "other.py"}, {});
  r.config_path = "/p/configs/other.yaml";
  EXPECT_FALSE(reuse_recorded_arguments({r}, resume_plan(), {}).has_value());
  EXPECT_FALSE(reuse_recorded_arguments(std::vector<RunRecord>{}, resume_plan(), {}).has_value());
}

}  // namespace
}  // namespace trainctl::exec
