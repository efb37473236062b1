// The example project trained through `trainctl run --yes` with real PyTorch (a short run: the
// smoke config, 20 steps), its record complete, then `trainctl resume --yes` reusing the
// recorded run's exact arguments with the resume option and the extra steps asked for.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "background_trainctl.h"
#include "run_trainctl.h"
#include "temp_dir.h"

namespace trainctl::cli {
namespace {

namespace fs = std::filesystem;

core::SubprocessResult trainctl_in(const std::string& cwd, const std::vector<std::string>& args) {
  core::SubprocessOptions o;
  o.argv = {TRAINCTL_BINARY};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.cwd = cwd;
  o.env = testing::test_environment();
  o.timeout = std::chrono::minutes(5);
  auto r = core::run_subprocess(o);
  return r ? *r : core::SubprocessResult{};
}

TEST(RunExample, TrainsToTheEndIsRecordedAndResumesWithTheRecordedArguments) {
  testing::TempDir dir;
  fs::path project = fs::canonical(dir.path()) / "tinystories";
  fs::path source = fs::path(TRAINCTL_SOURCE_DIR) / "examples" / "tinystories";
  fs::create_directories(project);
  for (const auto& entry : fs::recursive_directory_iterator(source)) {
    fs::path rel = fs::relative(entry.path(), source);
    std::string first = rel.begin()->string();
    if (first == "checkpoints" || first == "__pycache__" || first == ".trainctl" || rel.filename() == "__pycache__") continue;
    if (rel.string().find("__pycache__") != std::string::npos) continue;
    if (entry.is_directory()) fs::create_directories(project / rel);
    else fs::copy_file(entry.path(), project / rel);
  }
  const std::vector<std::string> train = {TRAINCTL_TEST_PYTHON, "train.py", "--config", "configs/default.yaml",
                                          "--max-steps", "20"};
  std::vector<std::string> args = {"run", "--yes", "--"};
  args.insert(args.end(), train.begin(), train.end());
  auto r = trainctl_in(project.string(), args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("done: 20 steps"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("training will run on the CPU"), std::string::npos) << r.err;

  auto list = trainctl_in(project.string(), {"runs", "list", "--json"});
  auto runs = nlohmann::json::parse(list.out)["runs"];
  ASSERT_EQ(runs.size(), 1u);
  auto run = runs[0];
  EXPECT_EQ(run["status"], "succeeded");
  EXPECT_EQ(run["exit_code"], 0);
  EXPECT_EQ(run["argv"], nlohmann::json(train));
  EXPECT_EQ(run["cwd"], project.string());
  EXPECT_EQ(run["config"], (project / "configs/default.yaml").string());
  EXPECT_EQ(run["config_hash"].get<std::string>().rfind("fnv1a64:", 0), 0u);
  EXPECT_TRUE(run["last_loss"].is_number());
  EXPECT_FALSE(run["ended_at"].is_null());
  EXPECT_EQ(run["checkpoints"], nlohmann::json({(project / "checkpoints/default/step_20.pt").string()}));
  EXPECT_EQ(testing::read_text(run["log"].get<std::string>()), r.out);

  auto resumed = trainctl_in(dir.path().string(), {"resume", "--yes", "--project", project.string(), "--", "--max-steps", "30"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.err.find("the arguments of run " + run["id"].get<std::string>()), std::string::npos) << resumed.err;
  auto after = nlohmann::json::parse(trainctl_in(project.string(), {"runs", "list", "--json"}).out)["runs"];
  ASSERT_EQ(after.size(), 2u);
  // The recorded argv, its --max-steps replaced by the one given after --.
  std::vector<std::string> expected = {TRAINCTL_TEST_PYTHON, "train.py", "--config", "configs/default.yaml", "--resume",
                                       "checkpoints/default/step_20.pt", "--max-steps", "30"};
  EXPECT_EQ(after[0]["argv"], nlohmann::json(expected));
  EXPECT_EQ(after[0]["kind"], "resume");
  EXPECT_EQ(after[0]["status"], "succeeded");
  EXPECT_EQ(after[0]["checkpoints"], nlohmann::json({(project / "checkpoints/default/step_30.pt").string()}));
}

}  // namespace
}  // namespace trainctl::cli
