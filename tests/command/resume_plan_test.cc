// The resume command of every fixture project: the latest valid checkpoint, the run that wrote
// it, and the project's resume option, word for word.
#include <gtest/gtest.h>

#include "plan_test_support.h"

namespace trainctl::command {
namespace {

using V = std::vector<std::string>;

TEST(ResumePlan, TheExampleProjectKeepsTheRunsConfig) {
  PlanResult r = plan_in("tinystories", plan_resume, request_for("tinystories"));
  ASSERT_TRUE(r.plan) << argv_of(r)[0];
  EXPECT_EQ(r.plan->argv, (V{"python", "train.py", "--config", "configs/tinystories.yaml", "--resume",
                             "checkpoints/tinystories/step_400.pt"}));
  ASSERT_TRUE(r.plan->checkpoint);
  EXPECT_EQ(r.plan->checkpoint->path, fixture("tinystories") + "/checkpoints/tinystories/step_400.pt");
  EXPECT_EQ(r.plan->checkpoint->step, 400);
  EXPECT_EQ(r.plan->checkpoint->metrics["val_loss"], 1.7);
  EXPECT_TRUE(r.plan->skipped.empty());
  // The older run, by name.
  EXPECT_EQ(argv_for("tinystories", plan_resume, {"default"}),
            (V{"python", "train.py", "--config", "configs/default.yaml", "--resume", "checkpoints/default/step_200.pt"}));
  // A checkpoint by path keeps the config of the run that wrote it.
  EXPECT_EQ(argv_for("tinystories", plan_resume, {"checkpoints/tinystories/step_200.pt"}),
            (V{"python", "train.py", "--config", "configs/tinystories.yaml", "--resume",
               "checkpoints/tinystories/step_200.pt"}));
}

TEST(ResumePlan, ConfigFlagNamesTheRunExplicitly) {
  PlanRequest r = request_for("tinystories");
  r.config = "configs/default.yaml";
  EXPECT_EQ(argv_of(plan_in("tinystories", plan_resume, r)),
            (V{"python", "train.py", "--config", "configs/default.yaml", "--resume", "checkpoints/tinystories/step_400.pt"}));
}

TEST(ResumePlan, EachConventionFamily) {
  struct Case {
    const char* family;
    V argv;
  } cases[] = {
      {"argparse_bool", {"python", "train.py", "--config", "configs/base.yaml", "--resume"}},
      {"argparse_path", {"python", "train.py", "--cfg", "configs/small.yaml", "--resume-from", "out/small/epoch_3.pt"}},
      {"hf",
       {"python", "run_clm.py", "--model_name_or_path", "gpt2", "--dataset_name", "wikitext", "--do_train", "--do_eval",
        "--output_dir", "out/clm", "--resume_from_checkpoint", "out/clm/checkpoint-1000"}},
      {"lightning",
       {"python", "main.py", "fit", "--config", "logs/lightning_logs/version_0/config.yaml", "--ckpt_path",
        "logs/lightning_logs/version_0/checkpoints/epoch=2-step=300.ckpt"}},
      {"hydra",
       {"python", "src/train.py", "data=tinystories", "model=custom_transformer",
        "ckpt_path='logs/train/runs/2024-05-01_12-00-00/checkpoints/epoch=3-step=400.ckpt'"}},
      {"nanogpt", {"python", "train.py", "config/train_shakespeare_char.py", "--init_from=resume"}},
      {"accelerate",
       {"python", "train.py", "--config", "configs/vit_base.yaml", "--resume_from_checkpoint", "output/vit_base/step_500.pt"}},
      {"torchrun", {"python", "train.py", "--config", "configs/gpt.yaml", "--resume", "checkpoints/gpt/step_1000.pt"}},
      {"click", {"python", "cli.py", "train", "--config", "configs/unet.yaml", "--resume"}},
      {"typer", {"python", "train.py", "--config", "configs/ddpm.yaml", "--resume-from", "results/ddpm/model-7.pt"}},
      {"absl", {"python", "train.py", "--config=configs/mlp.json", "--restore_from=runs/mlp/checkpoint_3000.pt"}},
      {"fire", {"python", "finetune.py", "--config=configs/lora.toml", "--resume=True"}},
      {"monorepo", {"python", "train.py", "--config", "configs/tinystories.yaml", "--resume",
                    "checkpoints/tinystories/step_300.pt"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.family);
    EXPECT_EQ(argv_for(c.family, plan_resume), c.argv);
  }
}

TEST(ResumePlan, NeverPicksACheckpointThatCannotBeRead) {
  PlanResult r = plan_in("truncated", plan_resume, request_for("truncated"));
  ASSERT_TRUE(r.plan) << argv_of(r)[0];
  EXPECT_EQ(r.plan->argv, (V{"python", "train.py", "--config", "configs/toy.yaml", "--resume", "checkpoints/step_200.pt"}));
  ASSERT_EQ(r.plan->skipped.size(), 1u);
  EXPECT_EQ(r.plan->skipped[0].path, fixture("truncated") + "/checkpoints/step_300.pt");
  EXPECT_NE(r.plan->skipped[0].reason.find("truncated"), std::string::npos) << r.plan->skipped[0].reason;
  // Named directly, the broken one is refused with the reason.
  PlanResult named = plan_in("truncated", plan_resume, request_for("truncated", {"checkpoints/step_300.pt"}));
  ASSERT_TRUE(named.error);
  EXPECT_EQ(named.error->kind, core::ErrorKind::kFailure);
  EXPECT_NE(named.error->message.find("truncated"), std::string::npos) << named.error->message;
}

TEST(ResumePlan, NothingToResumeIsNotFound) {
  PlanResult r = plan_in("pymodule", plan_resume, request_for("pymodule"));
  ASSERT_TRUE(r.error) << argv_of(r)[0];
  EXPECT_EQ(r.error->kind, core::ErrorKind::kNotFound);
  EXPECT_NE(r.error->message.find("no checkpoint folder"), std::string::npos) << r.error->message;
}

TEST(ResumePlan, SeveralProjectsWithCheckpointsAskWhichOne) {
  auto scan = project::scan_projects(testing::project_fixtures().string());
  ASSERT_TRUE(scan);
  PlanRequest r = request_for(".");
  r.working_dir = testing::project_fixtures().string();
  PlanResult p = plan_resume(*scan, r);
  ASSERT_TRUE(p.ambiguity) << argv_of(p)[0];
  EXPECT_GT(p.ambiguity->candidates.size(), 5u);
}

TEST(ResumePlan, UsesSeveralGpusLikeTraining) {
  PlanRequest r = request_for("torchrun");
  r.gpus = 8;
  EXPECT_EQ(argv_of(plan_in("torchrun", plan_resume, r)),
            (V{"torchrun", "--nproc_per_node=8", "train.py", "--config", "configs/gpt.yaml", "--resume",
               "checkpoints/gpt/step_1000.pt"}));
}

}  // namespace
}  // namespace trainctl::command
