// The CLI's conventions, checked on the real binary: version, help, usage errors, --json
// anywhere on the line, exit statuses, colour only on a terminal, bash completion.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run_trainctl.h"
#include "temp_dir.h"
#include "trainctl_version.h"

namespace trainctl::cli {
namespace {

using testing::run_trainctl;
using testing::test_environment;

TEST(Cli, VersionPrintsTheProjectVersion) {
  auto result = run_trainctl({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, std::string("trainctl ") + TRAINCTL_VERSION + "\n");
}

TEST(Cli, NoArgumentsPrintsHelpListingTheCommands) {
  auto result = run_trainctl({});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* command : {"gpus", "doctor", "help", "completion"}) {
    EXPECT_NE(result.out.find(command), std::string::npos) << command;
  }
}

TEST(Cli, HelpCommandShowsTheSubcommandsOwnHelp) {
  auto result = run_trainctl({"help", "doctor"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("--project"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Exit status"), std::string::npos) << result.out;
  auto same = run_trainctl({"doctor", "--help"});
  EXPECT_EQ(same.exit_code, 0);
  EXPECT_EQ(same.out, result.out);
}

TEST(Cli, HelpForAnUnknownCommandIsAUsageError) {
  auto result = run_trainctl({"help", "frobnicate"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("no command named 'frobnicate'"), std::string::npos) << result.err;
}

TEST(Cli, UnknownCommandsAndFlagsExitWithStatus2) {
  EXPECT_EQ(run_trainctl({"frobnicate"}).exit_code, 2);
  auto result = run_trainctl({"doctor", "--no-such-flag"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--no-such-flag"), std::string::npos) << result.err;
  EXPECT_EQ(run_trainctl({"doctor", "--timeout", "-5"}).exit_code, 2);
}

TEST(Cli, NotFoundIsStatus4AndJsonErrorsAreJson) {
  auto result = run_trainctl({"doctor", "--project", "/nonexistent/dir", "--json"});
  EXPECT_EQ(result.exit_code, 4);
  auto j = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << result.out;
  EXPECT_EQ(j["error"]["kind"], "not_found");
  EXPECT_NE(j["error"]["message"].get<std::string>().find("/nonexistent/dir"), std::string::npos);
  EXPECT_TRUE(result.err.empty()) << result.err;
}

TEST(Cli, JsonFlagWorksBeforeAndAfterTheCommand) {
  testing::TempDir project;
  for (auto args : {std::vector<std::string>{"--json", "doctor", "--project", project.path().string()},
                    std::vector<std::string>{"doctor", "--project", project.path().string(), "--json"}}) {
    auto result = run_trainctl(args);
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    auto j = nlohmann::json::parse(result.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << result.out;
    EXPECT_EQ(j["healthy"], true);
    EXPECT_EQ(j["project_dir"], project.path().string());
  }
}

TEST(Cli, DoctorTextNamesTheInterpreterItWouldTrainWith) {
  testing::TempDir project;
  auto result = run_trainctl({"doctor", "--project", project.path().string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find(std::string("trainctl trains with: ") + TRAINCTL_TEST_PYTHON), std::string::npos)
      << result.out;
  EXPECT_EQ(result.out.find("\x1b["), std::string::npos) << "colour on a pipe";
}

// Runs trainctl under a pseudo-terminal (util-linux `script`), the way a person sees it.
core::SubprocessResult run_on_a_terminal(const std::string& args, bool no_color) {
  core::SubprocessOptions options;
  options.argv = {"script", "-qec", std::string(TRAINCTL_BINARY) + " " + args, "/dev/null"};
  options.env = core::EnvironmentVars::from_process();
  options.env.unset("NO_COLOR");
  options.env.set("TERM", "xterm");
  if (no_color) options.env.set("NO_COLOR", "1");
  options.timeout = std::chrono::seconds(120);
  auto result = core::run_subprocess(options);
  return result ? *result : core::SubprocessResult{};
}

TEST(Cli, ColourOnATerminalUnlessNoColorOrTheFlag) {
  testing::TempDir project;
  std::string args = "doctor --project " + project.path().string();
  auto coloured = run_on_a_terminal(args, false);
  EXPECT_NE(coloured.out.find("\x1b["), std::string::npos) << coloured.out;
  auto env_off = run_on_a_terminal(args, true);
  EXPECT_FALSE(env_off.out.empty());
  EXPECT_EQ(env_off.out.find("\x1b["), std::string::npos) << env_off.out;
  auto flag_off = run_on_a_terminal(args + " --no-color", false);
  EXPECT_FALSE(flag_off.out.empty());
  EXPECT_EQ(flag_off.out.find("\x1b["), std::string::npos) << flag_off.out;
}

TEST(Cli, BashCompletionIsValidBashAndCompletesCommandsAndFlags) {
  auto result = run_trainctl({"completion", "bash"});
  ASSERT_EQ(result.exit_code, 0);
  testing::TempDir dir;
  auto script = dir.write("trainctl.bash", result.out);
  // Source it in a real bash and ask it to complete, as bash would at a prompt.
  auto complete = [&](const std::string& line_words, int cword) {
    core::SubprocessOptions options;
    options.argv = {"bash", "-c",
                    "source " + script.string() + "; COMP_WORDS=(" + line_words + "); COMP_CWORD=" +
                        std::to_string(cword) + "; _trainctl; printf '%s\\n' \"${COMPREPLY[@]}\""};
    options.env.set("PATH", "/usr/bin:/bin");
    auto r = core::run_subprocess(options);
    return r ? r->out : std::string("spawn failed");
  };
  EXPECT_EQ(complete("trainctl do", 1), "doctor\n");
  std::string flags = complete("trainctl doctor --p", 2);
  EXPECT_EQ(flags, "--project\n");
  std::string global = complete("trainctl gpus --js", 2);
  EXPECT_EQ(global, "--json\n");
  EXPECT_EQ(complete("trainctl help gp", 2), "gpus\n");
}

TEST(Cli, CompletionRejectsUnknownShells) {
  EXPECT_EQ(run_trainctl({"completion", "tcsh"}).exit_code, 2);
}

}  // namespace
}  // namespace trainctl::cli
