// `trainctl cleanup` as a user runs it: the JSON contract, --apply refused without a terminal or
// --yes, the question on a real terminal (yes moves, anything else does not), undo by id.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "messy_fixture.h"
#include "pty_session.h"
#include "run_trainctl.h"
#include "temp_dir.h"

namespace trainctl::cleanup {
namespace {

namespace fs = std::filesystem;

class CleanupCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::copy_messy_fixture(dir_.path()));
    root_ = dir_.path().string() + "/messy";
  }
  testing::TempDir dir_;
  std::string root_;
};

TEST_F(CleanupCommandTest, JsonReportAndTextTable) {
  auto json = testing::run_trainctl({"cleanup", root_, "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto doc = nlohmann::json::parse(json.out);
  ASSERT_TRUE(doc["findings"].is_array());
  EXPECT_GT(doc["total_bytes"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(json.out.find("aBcDeFgHiJkLmNoPqRsTuVwXyZ"), std::string::npos);  // never the secret

  auto text = testing::run_trainctl({"cleanup", root_});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("KIND"), std::string::npos);
  EXPECT_NE(text.out.find("total"), std::string::npos);
  EXPECT_NE(text.out.find("--apply checkpoints"), std::string::npos);
  EXPECT_EQ(text.out.find("aBcDeFgHiJkLmNoPqRsTuVwXyZ"), std::string::npos);
}

TEST_F(CleanupCommandTest, ApplyWithoutTerminalNeedsYes) {
  auto r = testing::run_trainctl({"cleanup", root_, "--apply", "cache"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--yes"), std::string::npos);
  EXPECT_TRUE(fs::exists(root_ + "/__pycache__"));
  auto advice = testing::run_trainctl({"cleanup", root_, "--apply", "secret", "--yes"});
  EXPECT_EQ(advice.exit_code, 2);
}

TEST_F(CleanupCommandTest, AskedOnATerminal) {
  auto no = testing::run_in_pty({"cleanup", root_, "--apply", "cache"}, "no\n");
  EXPECT_EQ(no.exit_code, 0) << no.output;
  EXPECT_NE(no.output.find("Type yes"), std::string::npos) << no.output;
  EXPECT_NE(no.output.find("Nothing moved."), std::string::npos) << no.output;
  EXPECT_TRUE(fs::exists(root_ + "/__pycache__"));

  auto yes = testing::run_in_pty({"cleanup", root_, "--apply", "cache"}, "yes\n");
  EXPECT_EQ(yes.exit_code, 0) << yes.output;
  EXPECT_NE(yes.output.find("Moved 2 path(s)"), std::string::npos) << yes.output;
  EXPECT_FALSE(fs::exists(root_ + "/__pycache__"));
  EXPECT_TRUE(fs::exists(root_ + "/checkpoints/run_a/step_100.pt"));  // only the kind asked for

  auto empty_no = testing::run_in_pty({"cleanup", root_, "--empty-trash"}, "\n");
  EXPECT_NE(empty_no.output.find("Nothing deleted."), std::string::npos) << empty_no.output;
  auto undo = testing::run_trainctl({"cleanup", root_, "--undo"});
  EXPECT_EQ(undo.exit_code, 0) << undo.err;
  EXPECT_TRUE(fs::exists(root_ + "/__pycache__/train.cpython-311.pyc"));
}

TEST_F(CleanupCommandTest, ApplyYesThenUndoById) {
  auto apply = testing::run_trainctl({"cleanup", root_, "--apply", "--yes", "--json"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  auto doc = nlohmann::json::parse(apply.out);
  std::string id = doc["moved"]["id"];
  EXPECT_FALSE(fs::exists(root_ + "/runs/crashed"));
  EXPECT_TRUE(fs::exists(root_ + "/checkpoints/run_a/step_500.pt"));
  auto undo = testing::run_trainctl({"cleanup", root_, "--undo", id});
  ASSERT_EQ(undo.exit_code, 0) << undo.err;
  EXPECT_TRUE(fs::exists(root_ + "/runs/crashed/train.log"));
  auto again = testing::run_trainctl({"cleanup", root_, "--undo", id});
  EXPECT_EQ(again.exit_code, 4);
}

}  // namespace
}  // namespace trainctl::cleanup
