// Checkpoints of every layout, written by the real torch.save (fixtures/make_checkpoints.py),
// read natively and compared with what torch.load itself says of the same files.
#include "checkpoint/inspect.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <mutex>

#include "checkpoint/discovery.h"
#include "python_fixture.h"
#include "temp_dir.h"

namespace trainctl::checkpoint {
namespace {

namespace fs = std::filesystem;

struct Fixtures {
  testing::TempDir dir;
  nlohmann::json expected;
};

const Fixtures& fixtures() {
  static Fixtures f;
  static std::once_flag once;
  std::call_once(once, [] {
    testing::run_fixture_script(std::string(TRAINCTL_SOURCE_DIR) + "/tests/checkpoint/fixtures/make_checkpoints.py",
                                {f.dir.path().string()});
    std::ifstream in(f.dir.path() / "expected.json");
    f.expected = nlohmann::json::parse(in, nullptr, false);
  });
  return f;
}

class InspectCase : public ::testing::TestWithParam<std::string> {};

TEST_P(InspectCase, MatchesWhatTorchLoadSays) {
  const auto& want = fixtures().expected.at(GetParam());
  CheckpointInfo info = inspect_checkpoint(want["path"].get<std::string>());
  EXPECT_TRUE(info.valid) << info.error.value_or("");
  EXPECT_EQ(info.format, want["format"]);
  EXPECT_EQ(info.framework, want["framework"]);
  EXPECT_EQ(info.security.verdict, "safe");
  if (want["step"].is_null()) {
    EXPECT_FALSE(info.step) << *info.step;
  } else {
    EXPECT_EQ(info.step, want["step"].get<std::int64_t>());
  }
  if (want["epoch"].is_null()) {
    EXPECT_FALSE(info.epoch);
  } else {
    EXPECT_EQ(info.epoch, want["epoch"].get<std::int64_t>());
  }
  for (auto it = want["metrics"].begin(); it != want["metrics"].end(); ++it) {
    ASSERT_TRUE(info.metrics.contains(it.key())) << it.key() << " in " << info.metrics.dump();
    EXPECT_NEAR(info.metrics[it.key()].get<double>(), it.value().get<double>(), 1e-6) << it.key();
  }
  ASSERT_TRUE(info.param_count);
  EXPECT_EQ(*info.param_count, want["param_count"].get<std::uint64_t>());
  std::map<std::string, std::uint64_t> dtypes = want["dtypes"];
  EXPECT_EQ(info.dtypes, dtypes);
}

INSTANTIATE_TEST_SUITE_P(RealCheckpoints, InspectCase,
                         ::testing::Values("plain", "protocol4", "protocol5", "legacy", "state_dict", "nanogpt",
                                           "namespace", "lightning", "hf", "deepspeed"));

TEST(Inspect, ReadsConfigOptimizerAndTensorBytes) {
  CheckpointInfo info = inspect_checkpoint(fixtures().expected["plain"]["path"].get<std::string>());
  EXPECT_EQ(info.config_key, "config");
  EXPECT_EQ(info.config["name"], "tinystories");
  EXPECT_EQ(info.config["model"]["n_layer"], 2);
  ASSERT_TRUE(info.optimizer);
  EXPECT_EQ(info.optimizer->type, "Adam/AdamW");
  // exp_avg and exp_avg_sq per element, plus torch 1.13's 0-dim float32 `step` per parameter tensor (5).
  EXPECT_EQ(info.optimizer->state_bytes, 2u * 4 * 2994 + 5 * 4);
  ASSERT_TRUE(info.optimizer->lr);
  EXPECT_DOUBLE_EQ(*info.optimizer->lr, 3e-4);
  EXPECT_GE(info.tensor_bytes, 3u * 4 * 2994);
  EXPECT_LT(info.tensor_bytes, info.file_bytes);
}

TEST(Inspect, ArgparseNamespaceBecomesAPlainConfig) {
  CheckpointInfo info = inspect_checkpoint(fixtures().expected["namespace"]["path"].get<std::string>());
  EXPECT_EQ(info.config_key, "args");
  EXPECT_EQ(info.config["arch"], "resnet18");
  EXPECT_EQ(info.config["batch_size"], 32);
  EXPECT_EQ(info.config["data"], "/data/imagenet");
  ASSERT_TRUE(info.optimizer);
  EXPECT_EQ(info.optimizer->type, "SGD (momentum)");
}

TEST(Inspect, TruncatedEmptyAndTemporaryFilesAreInvalidWithReasons) {
  const fs::path runs = fs::path(fixtures().expected["plain"]["path"].get<std::string>()).parent_path();
  CheckpointInfo cut = inspect_checkpoint((runs / "step_1500.pt").string());
  EXPECT_FALSE(cut.valid);
  ASSERT_TRUE(cut.error);
  EXPECT_EQ(cut.error->rfind("truncated: ", 0), 0u) << *cut.error;
  EXPECT_NE(cut.error->find("interrupted"), std::string::npos);
  CheckpointInfo tmp = inspect_checkpoint((runs / "step_1800.pt.tmp").string());
  EXPECT_FALSE(tmp.valid);
  EXPECT_NE(tmp.error->find("temporary"), std::string::npos);
  CheckpointInfo empty = inspect_checkpoint((runs / "step_2000.pt").string());
  EXPECT_FALSE(empty.valid);
  EXPECT_NE(empty.error->find("empty file"), std::string::npos);
}

TEST(Inspect, EveryTruncationOfARealCheckpointIsInvalidNeverACrash) {
  std::ifstream in(fixtures().expected["plain"]["path"].get<std::string>(), std::ios::binary);
  std::string whole((std::istreambuf_iterator<char>(in)), {});
  testing::TempDir dir;
  for (std::size_t size = 1; size < whole.size(); size += 61) {
    auto path = dir.write("cut.pt", whole.substr(0, size));
    CheckpointInfo info = inspect_checkpoint(path.string());
    EXPECT_FALSE(info.valid) << "truncated to " << size << " bytes";
    EXPECT_TRUE(info.error) << size;
  }
}

TEST(Inspect, CorruptionsAreNeverValidAndNeverCrash) {
  std::ifstream in(fixtures().expected["plain"]["path"].get<std::string>(), std::ios::binary);
  std::string whole((std::istreambuf_iterator<char>(in)), {});
  testing::TempDir dir;
  std::uint32_t seed = 12345;
  int invalid = 0;
  for (int i = 0; i < 300; ++i) {
    seed = seed * 1103515245u + 12345u;
    std::string bytes = whole;
    std::size_t at = (seed >> 8) % bytes.size();
    bytes[at] = static_cast<char>(bytes[at] ^ (1 << (seed % 8)));
    auto path = dir.write("flip.pt", bytes);
    CheckpointInfo info = inspect_checkpoint(path.string(), InspectOptions{true});
    invalid += !info.valid;
  }
  // With --verify every record's CRC is checked, so almost every flip is caught (a flip in a
  // field no reader uses, like a timestamp, is harmless and stays valid).
  EXPECT_GT(invalid, 250);
}

TEST(Inspect, AnOptimizerStateWithoutParamGroupsIsStillRead) {
  fs::path path = fixtures().dir.path() / "odd" / "no_groups.pt";
  CheckpointInfo info = inspect_checkpoint(path.string());
  EXPECT_TRUE(info.valid) << info.error.value_or("");
  ASSERT_TRUE(info.optimizer);
  EXPECT_EQ(info.optimizer->type, "Adam/AdamW");
  EXPECT_EQ(info.optimizer->param_groups, 0);
  EXPECT_EQ(info.optimizer->state_bytes, 24u);
}

TEST(Inspect, TorchScriptArchivesAreReportedAsSuch) {
  CheckpointInfo info = inspect_checkpoint((fixtures().dir.path() / "torchscript" / "model_scripted.pt").string());
  EXPECT_TRUE(info.valid) << info.error.value_or("");
  EXPECT_EQ(info.format, "torchscript");
  EXPECT_EQ(info.framework, "torchscript");
  // Its constants.pkl and data.pkl are both scanned.
  EXPECT_GE(info.security.pickles.size(), 2u);
}

TEST(Inspect, DistributedCheckpointFolders) {
  CheckpointInfo info = inspect_checkpoint((fixtures().dir.path() / "dcp_run" / "step_700").string());
  EXPECT_TRUE(info.valid) << info.error.value_or("");
  EXPECT_EQ(info.format, "torch_dcp");
  EXPECT_EQ(info.step, 700);
  EXPECT_EQ(info.security.verdict, "safe");
  EXPECT_EQ(info.security.pickles.size(), 1u);
}

TEST(Inspect, AHuggingFaceFolderWithoutWeightsIsInvalid) {
  fs::path hf = fs::path(fixtures().expected["hf"]["path"].get<std::string>()).parent_path() / "checkpoint-1000";
  CheckpointInfo info = inspect_checkpoint(hf.string());
  EXPECT_FALSE(info.valid);
  EXPECT_NE(info.error->find("no model weights"), std::string::npos);
  EXPECT_EQ(info.step, 1000);
}

TEST(Inspect, NotACheckpoint) {
  testing::TempDir dir;
  auto text = dir.write("notes.pt", "step 1 | loss 2\n");
  CheckpointInfo info = inspect_checkpoint(text.string());
  EXPECT_FALSE(info.valid);
  EXPECT_NE(info.error->find("not a PyTorch checkpoint"), std::string::npos);
  CheckpointInfo folder = inspect_checkpoint(dir.path().string());
  EXPECT_FALSE(folder.valid);
}

TEST(Latest, PicksTheNewestValidOneAndNamesWhatItSkipped) {
  const fs::path runs = fs::path(fixtures().expected["plain"]["path"].get<std::string>()).parent_path();
  auto latest = latest_checkpoint(runs.string());
  ASSERT_TRUE(latest.ok()) << latest.error().message;
  EXPECT_EQ(fs::path(latest->checkpoint.path).filename(), "step_1200.pt");
  std::set<std::string> skipped;
  for (const auto& s : latest->skipped) skipped.insert(fs::path(s.path).filename().string());
  EXPECT_EQ(skipped, (std::set<std::string>{"step_1500.pt", "step_1800.pt.tmp", "step_2000.pt"}));
}

TEST(Latest, NothingValidIsNotFoundWithEveryReason) {
  testing::TempDir dir;
  dir.write("step_1.pt", "");
  dir.write("step_2.pt", "garbage");
  auto latest = latest_checkpoint(dir.path().string());
  ASSERT_FALSE(latest.ok());
  EXPECT_EQ(latest.error().kind, core::ErrorKind::kNotFound);
  EXPECT_NE(latest.error().message.find("step_1.pt"), std::string::npos);
  EXPECT_NE(latest.error().message.find("step_2.pt"), std::string::npos);
  auto none = latest_checkpoint((dir.path() / "missing").string());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind, core::ErrorKind::kNotFound);
}

TEST(List, GroupsByRunAndOrdersNewestFirst) {
  auto listing = list_checkpoints(fixtures().dir.path().string());
  ASSERT_TRUE(listing.ok()) << listing.error().message;
  std::map<std::string, std::vector<std::string>> runs;
  for (const auto& run : listing->runs) {
    for (const auto& c : run.checkpoints) runs[run.run].push_back(fs::path(c.path).filename().string());
  }
  EXPECT_EQ(runs["hf_run"], (std::vector<std::string>{"checkpoint-1000", "checkpoint-500"}));
  EXPECT_EQ(runs["ds_run"], (std::vector<std::string>{"global_step300"}));
  EXPECT_EQ(runs["protocols"], (std::vector<std::string>{"p5.pt", "p4.pt"}));
  // optimizer.pt and friends belong to their Hugging Face folder, not listed on their own.
  for (const auto& [run, names] : runs) EXPECT_EQ(run.find("checkpoint-500"), std::string::npos) << run;
}

TEST(NumbersFromName, ReadsTheUsualNamingSchemes) {
  EXPECT_EQ(numbers_from_name("step_400.pt").step, 400);
  EXPECT_EQ(numbers_from_name("checkpoint-500").step, 500);
  EXPECT_EQ(numbers_from_name("global_step1000").step, 1000);
  auto lightning = numbers_from_name("epoch=3-step=1200.ckpt");
  EXPECT_EQ(lightning.step, 1200);
  EXPECT_EQ(lightning.epoch, 3);
  EXPECT_EQ(numbers_from_name("ckpt_e7.pt").epoch, 7);
  EXPECT_FALSE(numbers_from_name("model_best.pth.tar").step);
  EXPECT_FALSE(numbers_from_name("substep400.pt").step);  // a keyword must start a word
  EXPECT_FALSE(numbers_from_name("model-00001-of-00002.safetensors").step);
  EXPECT_EQ(numbers_from_name("Steps=30.PT").step, 30);
  EXPECT_EQ(numbers_from_name("iter_000120.pt").step, 120);
}

}  // namespace
}  // namespace trainctl::checkpoint
