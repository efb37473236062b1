// The evaluation command of the fixture projects that have one, word for word.
#include <gtest/gtest.h>

#include "plan_test_support.h"

namespace trainctl::command {
namespace {

using V = std::vector<std::string>;

TEST(EvalPlan, EachWayOfEvaluating) {
  struct Case {
    const char* family;
    V words;
    V argv;
  } cases[] = {
      {"tinystories", {}, {"python", "evaluate.py", "--checkpoint", "checkpoints/tinystories/step_400.pt"}},
      {"tinystories", {"checkpoints/default/step_100.pt"},
       {"python", "evaluate.py", "--checkpoint", "checkpoints/default/step_100.pt"}},
      {"lightning", {},
       {"python", "main.py", "validate", "--config", "logs/lightning_logs/version_0/config.yaml", "--ckpt_path",
        "logs/lightning_logs/version_0/checkpoints/epoch=2-step=300.ckpt"}},
      {"hydra", {},
       {"python", "src/eval.py", "data=tinystories", "model=custom_transformer",
        "ckpt_path='logs/train/runs/2024-05-01_12-00-00/checkpoints/epoch=3-step=400.ckpt'"}},
      {"nanogpt", {}, {"python", "train.py", "config/train_shakespeare_char.py", "--init_from=resume", "--eval_only=True"}},
      {"hf", {},
       {"python", "run_clm.py", "--model_name_or_path", "out/clm/checkpoint-1000", "--dataset_name", "wikitext",
        "--output_dir", "out/clm", "--do_eval"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.family);
    EXPECT_EQ(argv_for(c.family, plan_eval, c.words), c.argv);
  }
}

TEST(EvalPlan, NoEvaluationEntryPointIsNotFound) {
  PlanResult r = plan_in("argparse_bool", plan_eval, request_for("argparse_bool"));
  ASSERT_TRUE(r.error) << argv_of(r)[0];
  EXPECT_EQ(r.error->kind, core::ErrorKind::kNotFound);
  EXPECT_NE(r.error->message.find("runs/base/step_200.pt"), std::string::npos) << r.error->message;
}

TEST(EvalPlan, CarriesTheCheckpointAndItsMetrics) {
  PlanResult r = plan_in("tinystories", plan_eval, request_for("tinystories"));
  ASSERT_TRUE(r.plan);
  ASSERT_TRUE(r.plan->checkpoint);
  EXPECT_EQ(r.plan->checkpoint->step, 400);
  nlohmann::json j = r.plan->to_json();
  EXPECT_EQ(j["kind"], "eval");
  EXPECT_EQ(j["checkpoint"]["path"], fixture("tinystories") + "/checkpoints/tinystories/step_400.pt");
  EXPECT_TRUE(j["skipped"].is_array());
}

}  // namespace
}  // namespace trainctl::command
