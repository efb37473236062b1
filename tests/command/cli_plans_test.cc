// `trainctl project/train/resume/eval` on the real binary: the JSON contract, exit statuses,
// the text a person sees, and `--` arguments.
#include <filesystem>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "project/project_fixtures.h"
#include "run_trainctl.h"

namespace trainctl::command {
namespace {

using testing::run_trainctl;
using V = std::vector<std::string>;

std::string fixture(const std::string& family) { return (testing::project_fixtures() / family).string(); }

nlohmann::json parse(const core::SubprocessResult& r) { return nlohmann::json::parse(r.out, nullptr, false); }

TEST(CliPlans, TrainJsonContract) {
  auto r = run_trainctl({"train", "--dry-run", "--json", "--project", fixture("tinystories"), "tinystories"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto j = parse(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["project"]["root"], fixture("tinystories"));
  EXPECT_EQ(j["cwd"], fixture("tinystories"));
  EXPECT_EQ(j["argv"], nlohmann::json(V{"python", "train.py", "--config", "configs/tinystories.yaml"}));
  EXPECT_EQ(j["display"], "python train.py --config configs/tinystories.yaml");
  EXPECT_EQ(j["config"], fixture("tinystories") + "/configs/tinystories.yaml");
  ASSERT_TRUE(j["candidates"].is_array());
  EXPECT_EQ(j["candidates"].size(), 2u);
  EXPECT_EQ(j["safety"]["verdict"], "confirm");
  EXPECT_TRUE(j["safety"]["reasons"].is_array());
  EXPECT_EQ(j["dry_run"], true);
  EXPECT_FALSE(j.contains("checkpoint"));
}

TEST(CliPlans, ResumeAndEvalJsonContract) {
  auto r = run_trainctl({"resume", "--dry-run", "--json", "--project", fixture("truncated")});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto j = parse(r);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["argv"], nlohmann::json(V{"python", "train.py", "--config", "configs/toy.yaml", "--resume",
                                        "checkpoints/step_200.pt"}));
  EXPECT_EQ(j["checkpoint"]["path"], fixture("truncated") + "/checkpoints/step_200.pt");
  EXPECT_EQ(j["checkpoint"]["step"], 200);
  EXPECT_EQ(j["checkpoint"]["epoch"], 2);
  EXPECT_EQ(j["checkpoint"]["metrics"]["val_loss"], 2.8);
  ASSERT_EQ(j["skipped"].size(), 1u);
  EXPECT_EQ(j["skipped"][0]["path"], fixture("truncated") + "/checkpoints/step_300.pt");
  EXPECT_NE(j["skipped"][0]["reason"].get<std::string>().find("truncated"), std::string::npos);
  EXPECT_EQ(j["safety"]["verdict"], "confirm");

  auto e = run_trainctl({"eval", "--dry-run", "--json", "--project", fixture("tinystories")});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  auto ej = parse(e);
  EXPECT_EQ(ej["argv"], nlohmann::json(V{"python", "evaluate.py", "--checkpoint", "checkpoints/tinystories/step_400.pt"}));
  EXPECT_EQ(ej["checkpoint"]["step"], 400);
  EXPECT_TRUE(ej["skipped"].is_array());
}

TEST(CliPlans, ArgumentsAfterTheSeparatorGoToTheScript) {
  auto r = run_trainctl({"train", "--dry-run", "--json", "--project", fixture("tinystories"), "tinystories", "--",
                         "--max-steps", "600", "tinystories"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse(r)["argv"], nlohmann::json(V{"python", "train.py", "--config", "configs/tinystories.yaml",
                                               "--max-steps", "600", "tinystories"}));
}

TEST(CliPlans, TextShowsTheCommandFolderAndFacts) {
  auto r = run_trainctl({"resume", "--dry-run", "--project", fixture("truncated")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("command     python train.py --config configs/toy.yaml --resume checkpoints/step_200.pt"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("cwd         " + fixture("truncated")), std::string::npos);
  EXPECT_NE(r.out.find("skipped     checkpoints/step_300.pt: truncated"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("step 200"), std::string::npos);
  EXPECT_NE(r.out.find("dry run: nothing was started"), std::string::npos);
}

TEST(CliPlans, WithoutDryRunOrYesAndNoTerminalItRefusesAndExits3) {
  auto r = run_trainctl({"train", "--project", fixture("tinystories"), "tinystories"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("python train.py --config configs/tinystories.yaml"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("pass --yes"), std::string::npos) << r.err;
  auto j = run_trainctl({"train", "--json", "--project", fixture("tinystories"), "tinystories"});
  EXPECT_EQ(j.exit_code, 3);
  EXPECT_EQ(parse(j)["error"]["kind"], "refused");
  EXPECT_FALSE(std::filesystem::exists(fixture("tinystories") + "/.trainctl/runs.db"));
}

TEST(CliPlans, AmbiguousOrUnknownRequestsExit4NamingTheCandidates) {
  auto r = run_trainctl({"train", "--dry-run", "--project", fixture("monorepo"), "tinystories"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("models/baseline_lstm: train.py --config configs/tinystories.yaml"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("models/custom_transformer: train.py --config configs/tinystories.yaml"), std::string::npos);
  auto j = run_trainctl({"train", "--dry-run", "--json", "--project", fixture("monorepo")});
  EXPECT_EQ(j.exit_code, 4);
  auto doc = parse(j);
  EXPECT_EQ(doc["error"]["kind"], "not_found");
  EXPECT_EQ(doc["candidates"].size(), 3u);
  EXPECT_EQ(doc["ambiguous"], true);
  auto none = run_trainctl({"resume", "--dry-run", "--project", fixture("pymodule")});
  EXPECT_EQ(none.exit_code, 4);
  EXPECT_NE(none.err.find("no checkpoint folder"), std::string::npos);
}

TEST(CliPlans, ProjectListsEntryPointsConfigsAndConventions) {
  auto r = run_trainctl({"project", "--json", fixture("tinystories")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = parse(r);
  ASSERT_EQ(j["projects"].size(), 1u);
  const auto& p = j["projects"][0];
  EXPECT_EQ(p["root"], fixture("tinystories"));
  EXPECT_EQ(p["entry_points"][0]["path"], "train.py");
  EXPECT_EQ(p["entry_points"][0]["cli"]["framework"], "argparse");
  EXPECT_EQ(p["resume"]["flag"], "--resume");
  EXPECT_EQ(p["resume"]["takes"], "optional_path");
  EXPECT_EQ(p["launcher"], "python");
  EXPECT_EQ(p["eval"], "evaluate.py");
  EXPECT_EQ(p["configs"].size(), 2u);
  auto text = run_trainctl({"project", fixture("hydra")});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("configs/data/tinystories.yaml [data=tinystories]"), std::string::npos) << text.out;
  auto empty = run_trainctl({"project", fixture("hf") + "/out"});
  EXPECT_EQ(empty.exit_code, 4);
}

}  // namespace
}  // namespace trainctl::command
