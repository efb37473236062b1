#include "errors/config_text.h"

#include <gtest/gtest.h>

#include "errors/fix_plan.h"

namespace trainctl::errors {
namespace {

constexpr const char* kYaml = R"(# training config
model:
  name: gpt2   # the base model
  vocab_size: 50257
train:
  batch_size: 16      # sequences per step
  lr: 3.0e-4
  schedule:
    warmup_steps: 100
  bf16: false
output:
  dir: "runs/x # not a comment"
)";

TEST(ConfigText, YamlPathsValuesAndComments) {
  ConfigText c = ConfigText::parse(kYaml, "x.yaml");
  ASSERT_NE(c.find("train.batch_size"), nullptr);
  EXPECT_EQ(c.find("train.batch_size")->text, "16");
  EXPECT_EQ(c.find("batch_size")->path, "train.batch_size");
  EXPECT_EQ(c.find("warmup_steps")->path, "train.schedule.warmup_steps");
  EXPECT_EQ(c.find("schedule.warmup_steps")->text, "100");
  EXPECT_EQ(c.find("lr")->text, "3.0e-4");
  EXPECT_EQ(c.find("dir")->text, "\"runs/x # not a comment\"");
  EXPECT_EQ(c.find("name")->text, "gpt2");
  EXPECT_EQ(c.find("nope"), nullptr);
}

TEST(ConfigText, EditsKeepEverythingElse) {
  ConfigText c = ConfigText::parse(kYaml, "x.yaml");
  const ConfigValue* b = c.find("batch_size");
  std::string out = c.with({{b->line, b->begin, b->end, "8"}}, {{b->line, c.line_like(*b, "gradient_accumulation_steps", "2")}});
  EXPECT_NE(out.find("  batch_size: 8      # sequences per step\n  gradient_accumulation_steps: 2\n  lr: 3.0e-4\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.size(), std::string(kYaml).size() - 1 + std::string("  gradient_accumulation_steps: 2\n").size());
}

TEST(ConfigText, JsonTomlAndPython) {
  ConfigText json = ConfigText::parse("{\n  \"train_micro_batch_size_per_gpu\": 8,\n  \"zero_optimization\": {\n    \"stage\": 2\n  },\n  \"gradient_accumulation_steps\": 4\n}\n", "ds.json");
  EXPECT_EQ(json.find("train_micro_batch_size_per_gpu")->text, "8");
  EXPECT_EQ(json.find("zero_optimization.stage")->text, "2");
  EXPECT_EQ(json.find("gradient_accumulation_steps")->path, "gradient_accumulation_steps");
  ConfigText toml = ConfigText::parse("[train]\nbatch_size = 32 # per GPU\n[optim]\nlr = 1e-3\n", "c.toml");
  EXPECT_EQ(toml.find("train.batch_size")->text, "32");
  EXPECT_EQ(toml.find("optim.lr")->text, "1e-3");
  ConfigText py = ConfigText::parse("batch_size = 12\nlearning_rate = 6e-4 # max\nif x:\n    batch_size = 1\n", "train_shakespeare.py");
  EXPECT_EQ(py.find("batch_size")->text, "12");
  EXPECT_EQ(py.find("learning_rate")->text, "6e-4");
}

TEST(ConfigText, AmbiguousShortKeyIsNotGuessed) {
  ConfigText c = ConfigText::parse("a:\n  lr: 1\nb:\n  lr: 2\n", "x.yaml");
  EXPECT_EQ(c.find("lr"), nullptr);
  EXPECT_EQ(c.find("b.lr")->text, "2");
}

TEST(ConfigText, Scalars) {
  EXPECT_EQ(config_number("3.0e-4"), 3.0e-4);
  EXPECT_EQ(config_number("1_000"), 1000.0);
  EXPECT_EQ(config_number("\"16\""), 16.0);
  EXPECT_FALSE(config_number("abc"));
  EXPECT_FALSE(config_number("nan"));
  EXPECT_EQ(config_bool("False"), false);
  EXPECT_EQ(config_bool("true"), true);
  EXPECT_FALSE(config_bool("yes"));
}

TEST(FixPlan, MemoryPatchHalvesBatchAndDoublesAccumulation) {
  std::string text = "train:\n  per_device_train_batch_size: 8\n  gradient_accumulation_steps: 2\n  gradient_checkpointing: false\n  bf16: false\n";
  ConfigText c = ConfigText::parse(text, "sft.yaml");
  auto p = plan_memory_patch(c, "/p/sft.yaml", "configs/sft.yaml", {});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->patched, "train:\n  per_device_train_batch_size: 4\n  gradient_accumulation_steps: 4\n  gradient_checkpointing: true\n  bf16: true\n");
  ASSERT_EQ(p->changes.size(), 4u);
  EXPECT_EQ(p->changes[1].why, "twice the accumulation: the effective batch stays 16 per GPU");
  EXPECT_NE(p->diff.find("--- a/configs/sft.yaml\n+++ b/configs/sft.yaml\n"), std::string::npos);
}

TEST(FixPlan, MemoryPatchAddsAccumulationOnlyWhenTheCodeReadsIt) {
  std::string text = "train:\n  batch_size: 16   # per step\n  lr: 1.0e-3\n";
  ConfigText c = ConfigText::parse(text, "c.yaml");
  auto without = plan_memory_patch(c, "c.yaml", "c.yaml", {});
  ASSERT_TRUE(without);
  EXPECT_EQ(without->patched, "train:\n  batch_size: 8   # per step\n  lr: 1.0e-3\n");
  ASSERT_EQ(without->notes.size(), 1u);
  EXPECT_NE(without->notes[0].find("no gradient-accumulation setting"), std::string::npos);
  ProjectCode code{{"for step in range(n):\n    if (step + 1) % cfg['train']['grad_accum_steps'] == 0:\n"}};
  auto with = plan_memory_patch(c, "c.yaml", "c.yaml", code);
  ASSERT_TRUE(with);
  EXPECT_EQ(with->patched, "train:\n  batch_size: 8   # per step\n  grad_accum_steps: 2\n  lr: 1.0e-3\n");
}

TEST(FixPlan, NanPatchLowersTheLearningRate) {
  ConfigText c = ConfigText::parse("train:\n  lr: 1.0e+4          # peak\n  min_lr: 1.0e+3\n  warmup_steps: 0\n", "nan.yaml");
  auto p = plan_nan_patch(c, "nan.yaml", "nan.yaml");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->patched, "train:\n  lr: 1.0e+3          # peak\n  min_lr: 1.0e+2\n  warmup_steps: 0\n");
  ConfigText d = ConfigText::parse("learning_rate = 0.001\nlr_floor: 3.0e-05\n", "c.py");
  EXPECT_EQ(plan_nan_patch(d, "c.py", "c.py")->patched, "learning_rate = 0.0001\nlr_floor: 3.0e-05\n");
  ASSERT_EQ(p->notes.size(), 1u);
}

TEST(FixPlan, CommandLineMemoryChange) {
  auto p = plan_memory_command("torchrun --nproc_per_node 8 train.py --per_device_train_batch_size 8 --gradient_accumulation_steps=2");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->patched, "torchrun --nproc_per_node 8 train.py --per_device_train_batch_size 4 --gradient_accumulation_steps=4");
  auto q = plan_memory_command("python train.py --batch-size 32");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->patched, "python train.py --batch-size 16 --gradient-accumulation-steps 2");
  EXPECT_FALSE(plan_memory_command("python train.py --eval_batch_size 32"));
}

TEST(FixPlan, ConfigPathsInCommands) {
  EXPECT_EQ(config_paths_in_command("python train.py --config configs/x.yaml --lr 3"), std::vector<std::string>{"configs/x.yaml"});
  EXPECT_EQ(config_paths_in_command("accelerate launch sft.py recipes/sft.yaml --deepspeed=ds.json"),
            (std::vector<std::string>{"recipes/sft.yaml", "ds.json"}));
  EXPECT_EQ(config_paths_in_command("['/usr/bin/python', '-u', 'train.py', '--cfg', 'a.toml']"), std::vector<std::string>{"a.toml"});
}

}  // namespace
}  // namespace trainctl::errors
