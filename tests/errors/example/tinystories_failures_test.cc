// The example project's own failures, made for real: fixtures/break_tinystories.py breaks copies
// of examples/tinystories (a vocab_size below the data's, a missing config key, a learning rate of
// 1e4) and runs them with Debian's PyTorch; explain must name each one first, with the user's line
// of code, the facts from the config, and for the NaN the config change as a diff. One fixture run
// (about 20 s) serves every test here; ctest runs this binary as one test, labelled slow.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "errors_test_support.h"
#include "python_fixture.h"
#include "run_trainctl.h"
#include "temp_dir.h"

namespace trainctl::errors {
namespace {

namespace fs = std::filesystem;

class TinystoriesFailures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    ok_ = testing::run_fixture_script(std::string(TRAINCTL_SOURCE_DIR) + "/tests/errors/fixtures/break_tinystories.py",
                                      {out().string()});
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(ok_) << "the fixture did not run"; }

  static fs::path out() { return dir_->path() / "runs"; }

  static Explanation explain_case(const std::string& name, const std::string& project) {
    auto request = testing::file_request((out() / (name + ".log")).string());
    request.project_dir = (out() / project).string();
    return testing::explain_or_fail(request);
  }

  static testing::TempDir* dir_;
  static bool ok_;
};

testing::TempDir* TinystoriesFailures::dir_ = nullptr;
bool TinystoriesFailures::ok_ = false;

TEST_F(TinystoriesFailures, VocabularySmallerThanTheData) {
  Explanation x = explain_case("vocab", "project");
  ASSERT_FALSE(x.findings.empty());
  const Finding& f = x.findings.front();
  EXPECT_EQ(f.id, "index_out_of_range_embedding");
  EXPECT_TRUE(f.root_exception);
  ASSERT_TRUE(f.where);
  EXPECT_EQ(fs::path(f.where->file).filename(), "model.py");
  EXPECT_EQ(f.where->function, "forward");
  ASSERT_TRUE(x.exception);
  EXPECT_EQ(x.exception->type, "IndexError");
  ASSERT_FALSE(f.notes.empty());
  EXPECT_NE(f.notes.front().find("model.vocab_size: 32"), std::string::npos) << f.notes.front();
  EXPECT_EQ(x.ended.state, "failed");
  // The data's vocabulary is in the log ("vocab 44"): the change raises the config to it.
  ASSERT_TRUE(f.patch);
  EXPECT_NE(f.patch->diff.find("-  vocab_size: 32      # characters in the vocabulary (0: from the data)\n"
                               "+  vocab_size: 44      # characters in the vocabulary (0: from the data)\n"),
            std::string::npos)
      << f.patch->diff;
}

TEST_F(TinystoriesFailures, MissingConfigKey) {
  Explanation x = explain_case("missing", "project_missing");
  ASSERT_FALSE(x.findings.empty());
  const Finding& f = x.findings.front();
  EXPECT_EQ(f.id, "config_error");
  EXPECT_EQ(f.values.at("key"), "warmup_steps");
  ASSERT_TRUE(f.where);
  EXPECT_EQ(f.where->function, "lr_at");
  EXPECT_NE(f.where->code.find("warmup_steps"), std::string::npos);
  ASSERT_FALSE(f.notes.empty());
  EXPECT_NE(f.notes.front().find("has no `warmup_steps` setting"), std::string::npos) << f.notes.front();
}

TEST_F(TinystoriesFailures, HugeLearningRateGivesNanAndALowerRateAsADiff) {
  Explanation x = explain_case("nan", "project");
  ASSERT_FALSE(x.findings.empty());
  const Finding& f = x.findings.front();
  EXPECT_EQ(f.id, "nan_loss");
  EXPECT_EQ(f.values.at("step"), "5");
  EXPECT_EQ(x.ended.state, "finished");
  ASSERT_TRUE(f.patch);
  EXPECT_EQ(f.patch->display, "configs/nan.yaml");
  EXPECT_NE(f.patch->diff.find("-  lr: 1.0e+4          # peak learning rate (far too high)\n"
                               "-  min_lr: 1.0e+3\n"
                               "+  lr: 1.0e+3          # peak learning rate (far too high)\n"
                               "+  min_lr: 1.0e+2\n"),
            std::string::npos)
      << f.patch->diff;
}

TEST_F(TinystoriesFailures, TheCommandLineShowsAndAppliesTheChange) {
  fs::path project = out() / "project";
  auto env = testing::test_environment();
  env.set("XDG_CACHE_HOME", testing::errors_cache_dir());
  auto r = testing::run_trainctl({"explain", (out() / "nan.log").string(), "--project", project.string()}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("nan_loss Loss became NaN or infinite", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("--- a/configs/nan.yaml"), std::string::npos) << r.out;
  auto applied = testing::run_trainctl({"explain", (out() / "nan.log").string(), "--project", project.string(), "--apply",
                                        "--yes", "--json"},
                                       env);
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  auto j = nlohmann::json::parse(applied.out);
  EXPECT_EQ(j["applied"]["backup"], (project / "configs/nan.yaml.bak").string());
  std::ifstream config(project / "configs/nan.yaml");
  std::stringstream text;
  text << config.rdbuf();
  EXPECT_NE(text.str().find("  lr: 1.0e+3 "), std::string::npos) << text.str();
}

}  // namespace
}  // namespace trainctl::errors
