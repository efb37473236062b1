// `trainctl ckpt` on the real binary: exit statuses, the JSON contract, and the text a person sees,
// over checkpoints written by the real torch.save (tests/checkpoint/fixtures/make_checkpoints.py).
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include <nlohmann/json.hpp>

#include "python_fixture.h"
#include "run_trainctl.h"
#include "temp_dir.h"

namespace trainctl::cli {
namespace {

namespace fs = std::filesystem;
using testing::run_trainctl;

const fs::path& fixtures() {
  static testing::TempDir dir;
  static std::once_flag once;
  std::call_once(once, [] {
    testing::run_fixture_script(std::string(TRAINCTL_SOURCE_DIR) + "/tests/checkpoint/fixtures/make_checkpoints.py",
                                {dir.path().string()});
  });
  return dir.path();
}

nlohmann::json parse(const core::SubprocessResult& result) {
  return nlohmann::json::parse(result.out, nullptr, false);
}

TEST(CkptCommand, ShowPrintsTheJsonContract) {
  auto result = run_trainctl({"ckpt", "show", "--json", (fixtures() / "runs/a/step_1200.pt").string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  auto j = parse(result);
  ASSERT_TRUE(j.is_object()) << result.out;
  for (const char* key : {"path", "format", "valid", "error", "step", "epoch", "metrics", "config", "param_count",
                          "tensor_bytes", "dtypes", "optimizer", "security"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["path"], (fixtures() / "runs/a/step_1200.pt").string());
  EXPECT_EQ(j["valid"], true);
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_EQ(j["step"], 1200);
  EXPECT_EQ(j["metrics"]["val_loss"], 1.5);
  EXPECT_EQ(j["security"]["verdict"], "safe");
  EXPECT_TRUE(j["security"]["globals"].is_array());
  EXPECT_TRUE(j["security"]["dangerous"].is_array());
}

TEST(CkptCommand, ShowOfAnInvalidCheckpointExits1AndOfNothing4) {
  auto cut = run_trainctl({"ckpt", "show", (fixtures() / "runs/a/step_1500.pt").string()});
  EXPECT_EQ(cut.exit_code, 1);
  EXPECT_NE(cut.out.find("no: truncated: "), std::string::npos) << cut.out;
  auto missing = run_trainctl({"ckpt", "show", (fixtures() / "nope.pt").string()});
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.err.find("no such file or folder"), std::string::npos) << missing.err;
}

TEST(CkptCommand, LatestNamesWhatItSkipped) {
  auto result = run_trainctl({"ckpt", "latest", "--json", (fixtures() / "runs/a").string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  auto j = parse(result);
  ASSERT_TRUE(j.is_object()) << result.out;
  EXPECT_EQ(fs::path(j["path"].get<std::string>()).filename(), "step_1200.pt");
  ASSERT_TRUE(j["skipped"].is_array());
  EXPECT_EQ(j["skipped"].size(), 3u);
  for (const auto& s : j["skipped"]) EXPECT_FALSE(s["reason"].get<std::string>().empty());
  auto text = run_trainctl({"ckpt", "latest", (fixtures() / "runs/a").string()});
  EXPECT_NE(text.out.find("skipped"), std::string::npos);
  EXPECT_NE(text.out.find("step_1500.pt: truncated"), std::string::npos) << text.out;
}

TEST(CkptCommand, LatestWithNothingValidExits4) {
  testing::TempDir empty;
  auto result = run_trainctl({"ckpt", "latest", empty.path().string()});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_NE(result.err.find("no checkpoint found"), std::string::npos) << result.err;
}

TEST(CkptCommand, ListGroupsRunsInJsonAndText) {
  auto result = run_trainctl({"ckpt", "list", "--json", fixtures().string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  auto j = parse(result);
  ASSERT_TRUE(j["runs"].is_array());
  bool found_hf = false;
  for (const auto& run : j["runs"]) {
    if (run["run"] == "hf_run") {
      found_hf = true;
      EXPECT_EQ(run["checkpoints"].size(), 2u);
    }
  }
  EXPECT_TRUE(found_hf);
  auto text = run_trainctl({"ckpt", "list", fixtures().string()});
  EXPECT_NE(text.out.find("checkpoint(s) in"), std::string::npos);
  EXPECT_NE(text.out.find("epoch=4-step=2500.ckpt"), std::string::npos);
}

TEST(CkptCommand, ScanExitStatusFollowsTheWorstVerdict) {
  auto safe = run_trainctl({"ckpt", "scan", (fixtures() / "runs/a/step_1200.pt").string()});
  EXPECT_EQ(safe.exit_code, 0);
  EXPECT_EQ(safe.out.rfind("safe", 0), 0u) << safe.out;
  auto unknown = run_trainctl({"ckpt", "scan", (fixtures() / "hostile/custom_class.pt").string()});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.out.find("__main__.Config"), std::string::npos);
  auto dangerous = run_trainctl({"ckpt", "scan", "--json", (fixtures() / "runs/a/step_1200.pt").string(),
                                 (fixtures() / "hostile/evil.pt").string()});
  EXPECT_EQ(dangerous.exit_code, 3);
  auto j = parse(dangerous);
  ASSERT_EQ(j["results"].size(), 2u);
  EXPECT_EQ(j["results"][1]["verdict"], "dangerous");
  EXPECT_EQ(j["results"][1]["dangerous"][0]["global"], "os.system");
}

TEST(CkptCommand, LatestNeverPicksADangerousCheckpoint) {
  testing::TempDir dir;
  fs::copy_file(fixtures() / "runs/a/step_1200.pt", dir.path() / "step_100.pt");
  // Named newer than the good one (whose metadata says step 1200).
  fs::copy_file(fixtures() / "hostile/evil.pt", dir.path() / "step_2000.pt");
  auto result = run_trainctl({"ckpt", "latest", "--json", dir.path().string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  auto j = parse(result);
  EXPECT_EQ(fs::path(j["path"].get<std::string>()).filename(), "step_100.pt");
  ASSERT_EQ(j["skipped"].size(), 1u);
  EXPECT_NE(j["skipped"][0]["reason"].get<std::string>().find("os.system"), std::string::npos);
}

TEST(CkptCommand, RulesListTheTable) {
  auto result = run_trainctl({"ckpt", "rules", "--json"});
  EXPECT_EQ(result.exit_code, 0);
  auto j = parse(result);
  ASSERT_TRUE(j["rules"].is_array());
  EXPECT_GT(j["rules"].size(), 50u);
  bool os_rule = false;
  for (const auto& rule : j["rules"]) os_rule = os_rule || (rule["module"] == "os" && rule["verdict"] == "dangerous");
  EXPECT_TRUE(os_rule);
}

}  // namespace
}  // namespace trainctl::cli
