#include "project/config_file.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace trainctl::project {
namespace {

TEST(ConfigFile, YamlScalarsAreTypedTheWayPyYamlAndOmegaConfReadThem) {
  auto v = parse_yaml("a: 3.0e-3\nb: 3e-4\nc: 12\nd: true\ne: null\nf: ~\ng: '12'\nh: \"true\"\ni: hello\nj: 1_000\nk: no\n");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ((*v)["a"], 3.0e-3);
  EXPECT_EQ((*v)["b"], 3e-4);
  EXPECT_EQ((*v)["c"], 12);
  EXPECT_EQ((*v)["d"], true);
  EXPECT_TRUE((*v)["e"].is_null());
  EXPECT_TRUE((*v)["f"].is_null());
  EXPECT_EQ((*v)["g"], "12");
  EXPECT_EQ((*v)["h"], "true");
  EXPECT_EQ((*v)["i"], "hello");
  EXPECT_EQ((*v)["j"], 1000);
  EXPECT_EQ((*v)["k"], false);
}

TEST(ConfigFile, MergeKeysFillInWithoutOverriding) {
  auto v = parse_yaml("base: &b {lr: 0.1, steps: 10}\nrun:\n  <<: *b\n  lr: 0.2\n");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ((*v)["run"]["lr"], 0.2);
  EXPECT_EQ((*v)["run"]["steps"], 10);
}

TEST(ConfigFile, BrokenYamlIsAnErrorWithALine) {
  auto v = parse_yaml("a: 1\nb: [1, 2\nc: 3\n");
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("line"), std::string::npos) << v.error().message;
}

TEST(ConfigFile, AliasExpansionHitsTheValueLimit) {
  // Nine levels of nine aliases each: 387 million values if expanded.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (char level = 'b'; level <= 'i'; ++level) {
    std::string name(1, level);
    bomb += name + ": &" + name + " [";
    for (int i = 0; i < 9; ++i) bomb += (i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = name;
  }
  auto v = parse_yaml(bomb);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("values"), std::string::npos) << v.error().message;
}

TEST(ConfigFile, FactsNameTheDatasetModelBatchLrStepsAndOutput) {
  ConfigFile c = parse_config("/x/c.yaml", ConfigFormat::kYaml,
                              "model: {n_layer: 2, d_model: 64}\ndata: {path: stories.txt}\n"
                              "train: {batch_size: 16, lr: 3.0e-3, max_steps: 400}\noutput: {checkpoint_dir: checkpoints}\n"
                              "seed: 1\n");
  ASSERT_FALSE(c.error) << *c.error;
  ASSERT_NE(c.fact(FactKind::kDataset), nullptr);
  EXPECT_EQ(c.fact(FactKind::kDataset)->key, "data.path");
  EXPECT_EQ(c.fact(FactKind::kModel)->key, "model.d_model");
  EXPECT_EQ(c.fact(FactKind::kBatchSize)->value, 16);
  EXPECT_EQ(c.fact(FactKind::kLearningRate)->key, "train.lr");
  EXPECT_EQ(c.fact(FactKind::kSteps)->value, 400);
  EXPECT_EQ(c.fact(FactKind::kOutputDir)->value, "checkpoints");
  EXPECT_EQ(c.facts.size(), 7u);
}

TEST(ConfigFile, JsonTomlAndPythonModulesToo) {
  ConfigFile j = parse_config("/x/c.json", ConfigFormat::kJson, R"({"learning_rate": 5e-5, "output_dir": "out"})");
  EXPECT_EQ(j.fact(FactKind::kLearningRate)->value, 5e-5);
  ConfigFile bad = parse_config("/x/c.json", ConfigFormat::kJson, "{nope");
  EXPECT_TRUE(bad.error);
  ConfigFile t = parse_config("/x/c.toml", ConfigFormat::kToml, "[train]\nlr = 0.001\nname = \"x\"\n");
  ASSERT_FALSE(t.error) << *t.error;
  EXPECT_EQ(t.values["train"]["lr"], 0.001);
  ConfigFile badt = parse_config("/x/c.toml", ConfigFormat::kToml, "[train\n");
  ASSERT_TRUE(badt.error);
  EXPECT_NE(badt.error->find("TOML error at line 1"), std::string::npos) << *badt.error;
  ConfigFile py = parse_config("/x/c.py", ConfigFormat::kPython,
                               "# nanoGPT style\nout_dir = 'out-x'\nbatch_size = 64 # comment\naccum = 5 * 8\n_private = 1\n");
  EXPECT_EQ(py.values["out_dir"], "out-x");
  EXPECT_EQ(py.values["batch_size"], 64);
  EXPECT_EQ(py.values["accum"], "5 * 8");
  EXPECT_FALSE(py.values.contains("_private"));
  EXPECT_EQ(py.fact(FactKind::kOutputDir)->value, "out-x");
}

TEST(ConfigFile, HydraPackageHeaderIsKept) {
  ConfigFile c = parse_config("/x/e.yaml", ConfigFormat::kYaml, "# @package _global_\ntrainer: {max_epochs: 3}\n");
  EXPECT_EQ(c.hydra_package, "_global_");
}

TEST(ConfigFile, ReadConfigReportsMissingAndOversizedFiles) {
  testing::TempDir dir;
  ConfigFile missing = read_config((dir.path() / "nope.yaml").string());
  EXPECT_TRUE(missing.error);
  dir.write("big.yaml", "a: '" + std::string(kMaxConfigBytes, 'x') + "'\n");
  ConfigFile big = read_config((dir.path() / "big.yaml").string());
  ASSERT_TRUE(big.error);
  EXPECT_NE(big.error->find("larger than"), std::string::npos);
}

TEST(ConfigFile, ValueAtAndKeysNamed) {
  nlohmann::json v = nlohmann::json::parse(R"({"a": {"b": {"ckpt_path": null}}, "ckpt_path": "x"})");
  ASSERT_NE(value_at(v, "a.b.ckpt_path"), nullptr);
  EXPECT_EQ(value_at(v, "a.c"), nullptr);
  EXPECT_EQ(keys_named(v, {"ckpt_path"}), (std::vector<std::string>{"a.b.ckpt_path", "ckpt_path"}));
}

}  // namespace
}  // namespace trainctl::project
