// The train command of every fixture project, word for word.
#include <gtest/gtest.h>

#include "plan_test_support.h"

namespace trainctl::command {
namespace {

using V = std::vector<std::string>;

TEST(TrainPlan, TheExampleProject) {
  EXPECT_EQ(argv_for("tinystories", plan_train, {"tinystories"}),
            (V{"python", "train.py", "--config", "configs/tinystories.yaml"}));
  // No words: the entry point's own default config.
  EXPECT_EQ(argv_for("tinystories", plan_train), (V{"python", "train.py", "--config", "configs/default.yaml"}));
  PlanResult r = plan_in("tinystories", plan_train, request_for("tinystories", {"train", "on", "tinystories"}));
  ASSERT_TRUE(r.plan);
  EXPECT_EQ(r.plan->cwd, fixture("tinystories"));
  EXPECT_EQ(r.plan->config, fixture("tinystories") + "/configs/tinystories.yaml");
  EXPECT_EQ(r.plan->display, "python train.py --config configs/tinystories.yaml");
  EXPECT_EQ(r.plan->safety.verdict, safety::Verdict::kConfirm);
  ASSERT_EQ(r.plan->candidates.size(), 2u);
  EXPECT_EQ(r.plan->candidates[0].config, "configs/tinystories.yaml");
  bool steps = false;
  for (const auto& f : r.plan->facts) steps |= f.key == "train.max_steps" && f.value == 400;
  EXPECT_TRUE(steps);
}

TEST(TrainPlan, EachConventionFamily) {
  struct Case {
    const char* family;
    V words;
    V argv;
  } cases[] = {
      {"argparse_bool", {}, {"python", "train.py", "--config", "configs/base.yaml"}},
      {"argparse_path", {"large"}, {"python", "train.py", "--cfg", "configs/large.yaml"}},
      {"argparse_path", {}, {"python", "train.py", "--cfg", "configs/small.yaml"}},  // DEFAULT_CFG
      {"hf", {"wikitext"},
       {"python", "run_clm.py", "--model_name_or_path", "gpt2", "--dataset_name", "wikitext", "--do_train", "--do_eval",
        "--output_dir", "out/clm"}},
      {"lightning", {"tiny"}, {"python", "main.py", "fit", "--config", "configs/tiny.yaml"}},
      {"hydra", {"the", "custom", "transformer", "on", "tinystories"},
       {"python", "src/train.py", "data=tinystories", "model=custom_transformer"}},
      {"hydra", {}, {"python", "src/train.py"}},
      {"hydra", {"long"}, {"python", "src/train.py", "experiment=long"}},
      {"nanogpt", {"shakespeare"}, {"python", "train.py", "config/train_shakespeare_char.py"}},
      {"nanogpt", {}, {"python", "train.py"}},
      {"accelerate", {}, {"python", "train.py", "--config", "configs/vit_base.yaml"}},
      {"torchrun", {}, {"python", "train.py", "--config", "configs/gpt.yaml"}},
      {"click", {}, {"python", "cli.py", "train", "--config", "configs/unet.yaml"}},
      {"typer", {}, {"python", "train.py", "--config", "configs/ddpm.yaml"}},
      {"absl", {}, {"python", "train.py", "--config=configs/mlp.json"}},
      {"fire", {}, {"python", "finetune.py", "--config=configs/lora.toml"}},
      {"pymodule", {}, {"python", "-m", "speechkit.train", "--config", "configs/conformer.yaml"}},
      {"truncated", {}, {"python", "train.py", "--config", "configs/toy.yaml"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.family) + " " + ::testing::PrintToString(c.words));
    EXPECT_EQ(argv_for(c.family, plan_train, c.words), c.argv);
  }
}

TEST(TrainPlan, MonorepoPicksTheProjectTheWordsName) {
  PlanResult r = plan_in("monorepo", plan_train, request_for("monorepo", {"the custom transformer on tinystories"}));
  ASSERT_TRUE(r.plan) << argv_of(r)[0];
  EXPECT_EQ(r.plan->argv, (V{"python", "train.py", "--config", "configs/tinystories.yaml"}));
  EXPECT_EQ(r.plan->cwd, fixture("monorepo") + "/models/custom_transformer");
  EXPECT_EQ(argv_for("monorepo", plan_train, {"baseline", "lstm"}),
            (V{"python", "train.py", "--config", "configs/tinystories.yaml"}));
  EXPECT_EQ(argv_for("monorepo", plan_train, {"wikitext"}), (V{"python", "train.py", "--config", "configs/wikitext.yaml"}));
}

TEST(TrainPlan, AmbiguityListsTheCandidatesInsteadOfGuessing) {
  PlanResult none = plan_in("monorepo", plan_train, request_for("monorepo"));
  ASSERT_TRUE(none.ambiguity) << argv_of(none)[0];
  EXPECT_EQ(none.ambiguity->candidates.size(), 3u);
  PlanResult tie = plan_in("monorepo", plan_train, request_for("monorepo", {"tinystories"}));
  ASSERT_TRUE(tie.ambiguity);
  EXPECT_FALSE(tie.ambiguity->nothing_matched);
  EXPECT_EQ(tie.ambiguity->candidates[0].score, tie.ambiguity->candidates[1].score);
  PlanResult nothing = plan_in("monorepo", plan_train, request_for("monorepo", {"imagenet"}));
  ASSERT_TRUE(nothing.ambiguity);
  EXPECT_TRUE(nothing.ambiguity->nothing_matched);
  // A person's answer picks from the ranked list.
  PlanRequest picked = request_for("monorepo", {"tinystories"});
  picked.pick = 1;
  PlanResult chosen = plan_in("monorepo", plan_train, picked);
  ASSERT_TRUE(chosen.plan);
  EXPECT_EQ(chosen.plan->cwd, tie.ambiguity->candidates[1].project_root);
}

TEST(TrainPlan, ConfigFlagAndExtraArguments) {
  PlanRequest r = request_for("monorepo");
  r.config = "models/custom_transformer/configs/wikitext.yaml";
  r.extra = {"--seed", "3"};
  EXPECT_EQ(argv_of(plan_in("monorepo", plan_train, r)),
            (V{"python", "train.py", "--config", "configs/wikitext.yaml", "--seed", "3"}));
  PlanRequest missing = request_for("monorepo");
  missing.config = "nope.yaml";
  PlanResult m = plan_in("monorepo", plan_train, missing);
  ASSERT_TRUE(m.error);
  EXPECT_EQ(m.error->kind, core::ErrorKind::kNotFound);
}

TEST(TrainPlan, SeveralGpusGoThroughTheProjectsLauncher) {
  struct Case {
    const char* family;
    V words;
    int gpus;
    V argv;
  } cases[] = {
      {"torchrun", {}, 4, {"torchrun", "--nproc_per_node=4", "train.py", "--config", "configs/gpt.yaml"}},
      {"accelerate", {}, 2,
       {"accelerate", "launch", "--num_processes=2", "train.py", "--config", "configs/vit_base.yaml"}},
      {"nanogpt", {"shakespeare"}, 8, {"torchrun", "--nproc_per_node=8", "train.py", "config/train_shakespeare_char.py"}},
      {"hf", {}, 2,
       {"torchrun", "--nproc_per_node=2", "run_clm.py", "--model_name_or_path", "gpt2", "--dataset_name", "wikitext",
        "--do_train", "--do_eval", "--output_dir", "out/clm"}},
      {"lightning", {}, 2, {"python", "main.py", "fit", "--config", "configs/tiny.yaml", "--trainer.devices=2"}},
      // The primary config already picks data: mnist, so the words ask for the default run.
      {"hydra", {"mnist"}, 2, {"python", "src/train.py", "trainer.devices=2"}},
      {"hydra", {"tinystories"}, 2, {"python", "src/train.py", "data=tinystories", "trainer.devices=2"}},
      {"argparse_path", {}, 2, {"python", "train.py", "--cfg", "configs/small.yaml", "--gpus", "2"}},
      {"tinystories", {"tinystories"}, 1, {"python", "train.py", "--config", "configs/tinystories.yaml"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.family);
    PlanRequest r = request_for(c.family, c.words);
    r.gpus = c.gpus;
    EXPECT_EQ(argv_of(plan_in(c.family, plan_train, r)), c.argv);
  }
}

TEST(TrainPlan, SeveralGpusWithoutDistributedSupportIsAUsageError) {
  PlanRequest r = request_for("tinystories", {"tinystories"});
  r.gpus = 4;
  PlanResult p = plan_in("tinystories", plan_train, r);
  ASSERT_TRUE(p.error) << argv_of(p)[0];
  EXPECT_EQ(p.error->kind, core::ErrorKind::kUsage);
  EXPECT_NE(p.error->message.find("4 separate copies"), std::string::npos) << p.error->message;
}

TEST(TrainPlan, SeveralNodesNeedTheRendezvousAddress) {
  PlanRequest r = request_for("torchrun");
  r.gpus = 8;
  r.nodes = 2;
  PlanResult missing = plan_in("torchrun", plan_train, r);
  ASSERT_TRUE(missing.error);
  EXPECT_NE(missing.error->message.find("MASTER_ADDR"), std::string::npos);
  r.env.set("MASTER_ADDR", "10.0.0.1");
  EXPECT_EQ(argv_of(plan_in("torchrun", plan_train, r)),
            (V{"torchrun", "--nnodes=2", "--nproc_per_node=8", "--rdzv_backend=c10d", "--rdzv_endpoint=10.0.0.1:29500",
               "train.py", "--config", "configs/gpt.yaml"}));
}

}  // namespace
}  // namespace trainctl::command
