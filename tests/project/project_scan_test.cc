// scan_projects over the fixture projects (tests/project/fixtures/make_projects.py): what each
// convention family's entry points, CLIs, launchers, resume conventions and configs read as.
#include "project/project_scan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "project/project_fixtures.h"
#include "temp_dir.h"

namespace trainctl::project {
namespace {

namespace fs = std::filesystem;

ProjectScan scan(const std::string& family) {
  auto result = scan_projects((testing::project_fixtures() / family).string());
  EXPECT_TRUE(result) << (result ? "" : result.error().message);
  return result ? std::move(*result) : ProjectScan{};
}

const EntryPoint& train_entry(const ProjectScan& s) {
  static const EntryPoint none;
  if (s.projects.empty() || !s.projects[0].train_entry()) {
    ADD_FAILURE() << "no train entry point";
    return none;
  }
  return *s.projects[0].train_entry();
}

TEST(ProjectScan, ExampleProjectReadsAsItsReadmeSays) {
  ProjectScan s = scan("tinystories");
  ASSERT_EQ(s.projects.size(), 1u);
  const TrainingProject& p = s.projects[0];
  EXPECT_EQ(p.root, (testing::project_fixtures() / "tinystories").string());
  const EntryPoint& train = train_entry(s);
  EXPECT_EQ(train.path, "train.py");
  EXPECT_EQ(train.cli.framework, CliFramework::kArgparse);
  EXPECT_EQ(train.config_flag, "--config");
  EXPECT_EQ(train.default_config, "configs/default.yaml");
  ASSERT_TRUE(train.resume);
  EXPECT_EQ(train.resume->flag, "--resume");
  EXPECT_EQ(train.resume->takes, ResumeTakes::kOptionalPath);
  EXPECT_EQ(train.launcher, Launcher::kPython);
  const EntryPoint* eval = p.eval_entry();
  ASSERT_NE(eval, nullptr);
  EXPECT_EQ(eval->path, "evaluate.py");
  EXPECT_EQ(eval->checkpoint_flag, "--checkpoint");
  ASSERT_EQ(p.configs.size(), 2u);
  EXPECT_EQ(p.configs[1].path, "configs/tinystories.yaml");
  EXPECT_EQ(p.configs[1].file.fact(FactKind::kModel)->key, "model.block_size");
  EXPECT_EQ(p.checkpoint_dirs, (std::vector<std::string>{p.root + "/checkpoints"}));
  EXPECT_EQ(p.recipes.size(), 3u);
  // config.py and model.py are modules, not entry points or configs.
  EXPECT_EQ(p.entry_points.size(), 2u);
}

TEST(ProjectScan, ResumeConventionsOfEachFamily) {
  struct Case {
    const char* family;
    CliFramework framework;
    const char* flag;
    ResumeTakes takes;
    Launcher launcher;
  } cases[] = {
      {"argparse_bool", CliFramework::kArgparse, "--resume", ResumeTakes::kBoolean, Launcher::kPython},
      {"argparse_path", CliFramework::kArgparse, "--resume-from", ResumeTakes::kPath, Launcher::kPython},
      {"hf", CliFramework::kHfArgparser, "--resume_from_checkpoint", ResumeTakes::kPath, Launcher::kTorchrun},
      {"lightning", CliFramework::kLightningCli, "--ckpt_path", ResumeTakes::kPath, Launcher::kLightning},
      {"hydra", CliFramework::kHydra, "ckpt_path", ResumeTakes::kPath, Launcher::kPython},
      {"nanogpt", CliFramework::kConfigurator, "--init_from", ResumeTakes::kKeyword, Launcher::kTorchrun},
      {"accelerate", CliFramework::kArgparse, "--resume_from_checkpoint", ResumeTakes::kPath, Launcher::kAccelerate},
      {"torchrun", CliFramework::kArgparse, "--resume", ResumeTakes::kPath, Launcher::kTorchrun},
      {"click", CliFramework::kClick, "--resume", ResumeTakes::kBoolean, Launcher::kPython},
      {"typer", CliFramework::kTyper, "--resume-from", ResumeTakes::kPath, Launcher::kPython},
      {"absl", CliFramework::kAbsl, "--restore_from", ResumeTakes::kPath, Launcher::kPython},
      {"fire", CliFramework::kFire, "--resume", ResumeTakes::kBoolean, Launcher::kPython},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.family);
    ProjectScan s = scan(c.family);
    ASSERT_EQ(s.projects.size(), 1u);
    const EntryPoint& e = train_entry(s);
    EXPECT_EQ(e.cli.framework, c.framework) << cli_framework_name(e.cli.framework);
    ASSERT_TRUE(e.resume);
    EXPECT_EQ(e.resume->flag, c.flag);
    EXPECT_EQ(e.resume->takes, c.takes) << resume_takes_name(e.resume->takes);
    EXPECT_EQ(e.launcher, c.launcher) << launcher_name(e.launcher) << ": " << e.launcher_evidence;
  }
}

TEST(ProjectScan, HydraConfigGroupsAndTheRunFolder) {
  ProjectScan s = scan("hydra");
  ASSERT_EQ(s.projects.size(), 1u);
  const TrainingProject& p = s.projects[0];
  EXPECT_EQ(p.root, (testing::project_fixtures() / "hydra").string());  // src/ is no project of its own
  const EntryPoint& e = train_entry(s);
  EXPECT_EQ(e.path, "src/train.py");
  EXPECT_EQ(e.module, "");  // the README runs it by path
  EXPECT_EQ(e.hydra_config_dir, "configs");
  EXPECT_EQ(e.gpu_flag, "trainer.devices");
  const ProjectConfig* data = p.config("configs/data/tinystories.yaml");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->role, ConfigRole::kHydraGroup);
  EXPECT_EQ(data->hydra_group, "data");
  EXPECT_EQ(data->hydra_option, "tinystories");
  EXPECT_EQ(p.config("configs/train.yaml")->role, ConfigRole::kHydraPrimary);
  nlohmann::json composed = compose_hydra(p, e, "train", {"data=tinystories", "trainer.max_epochs=3"});
  EXPECT_EQ(composed["data"]["dataset_name"], "roneneldan/TinyStories");
  EXPECT_EQ(composed["model"]["hidden_size"], 64);
  EXPECT_EQ(composed["trainer"]["max_epochs"], 3);
  EXPECT_FALSE(composed.contains("defaults"));
  nlohmann::json global = compose_hydra(p, e, "train", {"+experiment=long"});
  EXPECT_EQ(global["trainer"]["max_epochs"], 100);  // a _global_ package merges at the top
  EXPECT_EQ(p.checkpoint_dirs, (std::vector<std::string>{p.root + "/logs"}));
  ASSERT_NE(p.eval_entry(), nullptr);
  EXPECT_EQ(p.eval_entry()->checkpoint_flag, "ckpt_path");
}

TEST(ProjectScan, NanoGptConfigModulesAndGlobals) {
  ProjectScan s = scan("nanogpt");
  const TrainingProject& p = s.projects[0];
  const EntryPoint& e = train_entry(s);
  EXPECT_EQ(e.config_flag, "config");
  EXPECT_EQ(e.cli.globals["out_dir"], "out");
  EXPECT_EQ(e.cli.globals["eval_only"], false);
  const ProjectConfig* config = p.config("config/train_shakespeare_char.py");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->file.values["out_dir"], "out-shakespeare-char");
  EXPECT_EQ(p.checkpoint_dirs, (std::vector<std::string>{p.root + "/out-shakespeare-char"}));
  // configurator.py is a module the script runs, not an entry point.
  EXPECT_EQ(p.entry_points.size(), 1u);
}

TEST(ProjectScan, PythonModuleEntryAndConsoleScript) {
  ProjectScan s = scan("pymodule");
  ASSERT_EQ(s.projects.size(), 1u);
  const EntryPoint& e = train_entry(s);
  EXPECT_EQ(e.module, "speechkit.train");
  EXPECT_EQ(e.path, "speechkit/train.py");
  EXPECT_EQ(e.console_script, "speechkit-train");
  EXPECT_EQ(s.projects[0].root, (testing::project_fixtures() / "pymodule").string());
}

TEST(ProjectScan, MonorepoHoldsTwoProjects) {
  ProjectScan s = scan("monorepo");
  ASSERT_EQ(s.projects.size(), 2u);
  EXPECT_EQ(s.projects[0].relative, "models/baseline_lstm");
  EXPECT_EQ(s.projects[1].relative, "models/custom_transformer");
  EXPECT_EQ(s.projects[1].configs.size(), 2u);
  EXPECT_EQ(s.projects[0].configs.size(), 1u);
  EXPECT_EQ(s.projects[1].entry_points[0].description, "Train the custom transformer language model.");
  EXPECT_EQ(s.projects[1].checkpoint_dirs, (std::vector<std::string>{s.projects[1].root + "/checkpoints"}));
}

TEST(ProjectScan, EveryFixtureAtOnce) {
  auto all = scan_projects(testing::project_fixtures().string());
  ASSERT_TRUE(all);
  EXPECT_EQ(all->projects.size(), 17u);
  EXPECT_FALSE(all->truncated);
}

TEST(ProjectScan, NoProjectIsAnEmptyScanAndLimitsAreReported) {
  testing::TempDir dir;
  dir.write("notes.md", "nothing here\n");
  dir.write("lib/trainer.py", "class Trainer:\n    def fit(self):\n        pass\n");  // a library, not a script
  auto empty = scan_projects(dir.path().string());
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->projects.empty());
  ScanLimits limits;
  limits.max_python_files = 1;
  dir.write("a/train.py", "import torch\nif __name__ == '__main__':\n    loss.backward()\n");
  dir.write("b/train.py", "import torch\nif __name__ == '__main__':\n    loss.backward()\n");
  auto limited = scan_projects(dir.path().string(), limits);
  ASSERT_TRUE(limited);
  EXPECT_TRUE(limited->truncated);
  EXPECT_NE(limited->truncated_by.find("max_python_files"), std::string::npos);
}

}  // namespace
}  // namespace trainctl::project
