// On a terminal, `trainctl run` shows the command and why it needs a yes, and asks: "y" starts
// it, anything else starts nothing (its canary file never appears) and exits 3.
#include <filesystem>

#include <gtest/gtest.h>

#include "pty_session.h"
#include "temp_dir.h"

namespace trainctl::cli {
namespace {

namespace fs = std::filesystem;

TEST(RunPrompt, AYesOnTheTerminalStartsItAnythingElseDoesNot) {
  testing::TempDir dir;
  std::string root = fs::canonical(dir.path()).string();
  std::string canary = root + "/canary";
  auto no = testing::run_in_pty({"run", "--project", root, "--", "sh", "-c", "touch " + canary}, "n\n");
  EXPECT_EQ(no.exit_code, 3) << no.output;
  EXPECT_NE(no.output.find("Start it? [y/N]"), std::string::npos) << no.output;
  EXPECT_NE(no.output.find("Nothing was started."), std::string::npos) << no.output;
  EXPECT_FALSE(fs::exists(canary));
  auto yes = testing::run_in_pty({"run", "--project", root, "--", "sh", "-c", "touch " + canary}, "y\n");
  EXPECT_EQ(yes.exit_code, 0) << yes.output;
  EXPECT_NE(yes.output.find("asks     write-in-project"), std::string::npos) << yes.output;
  EXPECT_TRUE(fs::exists(canary));
}

}  // namespace
}  // namespace trainctl::cli
