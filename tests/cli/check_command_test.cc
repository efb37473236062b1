// `trainctl check-command` on the real binary: exit statuses 0/1/3, the JSON contract, the text
// with the reason under the words it is about, the rules table, and a project's trainctl.toml.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "run_trainctl.h"
#include "temp_dir.h"

namespace trainctl::cli {
namespace {

using testing::run_trainctl;

TEST(CheckCommand, ExitStatusIsTheVerdict) {
  testing::TempDir project;
  std::string dir = project.path().string();
  EXPECT_EQ(run_trainctl({"check-command", "--project", dir, "nvidia-smi"}).exit_code, 0);
  EXPECT_EQ(run_trainctl({"check-command", "--project", dir, "python train.py"}).exit_code, 1);
  EXPECT_EQ(run_trainctl({"check-command", "--project", dir, "rm -rf ~"}).exit_code, 3);
  EXPECT_EQ(run_trainctl({"check-command", "--project", dir}).exit_code, 2);
  // Words after -- are quoted for you: this is one argument "; rm -rf ~", not a second command.
  EXPECT_EQ(run_trainctl({"check-command", "--project", dir, "--", "ls", "; rm -rf ~"}).exit_code, 0);
}

TEST(CheckCommand, JsonHasVerdictReasonsAndCommands) {
  testing::TempDir project;
  auto result = run_trainctl({"check-command", "--json", "--project", project.path().string(),
                              "X=rm; $X -rf /etc && nvidia-smi"});
  EXPECT_EQ(result.exit_code, 3);
  auto j = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << result.out;
  EXPECT_EQ(j["verdict"], "deny");
  ASSERT_TRUE(j["reasons"].is_array());
  const auto& first = j["reasons"][0];
  for (const char* key : {"rule", "message", "span", "verdict"}) EXPECT_TRUE(first.contains(key)) << key;
  EXPECT_EQ(first["span"].size(), 2u);
  bool found_rm = false;
  for (const auto& c : j["commands"]) {
    if (c["argv"] == nlohmann::json::array({"rm", "-rf", "/etc"})) found_rm = true;
  }
  EXPECT_TRUE(found_rm) << j["commands"].dump();
}

TEST(CheckCommand, TextUnderlinesTheWordsEachReasonIsAbout) {
  testing::TempDir project;
  auto result = run_trainctl({"check-command", "--project", project.path().string(), "ls && rm -rf /var/tmp"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.out.find("deny: ls && rm -rf /var/tmp"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("delete-outside-project"), std::string::npos);
  EXPECT_NE(result.out.find("                   ^^^^^^^^"), std::string::npos) << result.out;
}

TEST(CheckCommand, RulesAreListed) {
  auto text = run_trainctl({"check-command", "--rules"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("privilege-escalation"), std::string::npos);
  auto json = run_trainctl({"check-command", "--rules", "--json"});
  auto j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(j.is_object());
  EXPECT_GT(j["rules"].size(), 30u);
}

TEST(CheckCommand, ProjectSettingsTightenTheRules) {
  testing::TempDir project;
  project.write("trainctl.toml", "[safety]\ndeny = [\"git push\"]\n");
  EXPECT_EQ(run_trainctl({"check-command", "--project", project.path().string(), "git push"}).exit_code, 3);
  project.write("trainctl.toml", "[safety.rules]\nprivilege-escalation = \"allow\"\n");
  auto loosened = run_trainctl({"check-command", "--project", project.path().string(), "sudo ls"});
  EXPECT_EQ(loosened.exit_code, 2);
  EXPECT_NE(loosened.err.find("loosen"), std::string::npos) << loosened.err;
}

}  // namespace
}  // namespace trainctl::cli
