#include "core/subprocess.h"

#include <gtest/gtest.h>

#include <csignal>

#include "temp_dir.h"

namespace trainctl::core {
namespace {

SubprocessOptions shell(const std::string& script, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  SubprocessOptions options;
  options.argv = {"sh", "-c", script};
  options.env.set("PATH", "/usr/bin:/bin");
  options.timeout = timeout;
  return options;
}

TEST(Subprocess, CapturesStdoutAndStderrSeparately) {
  auto result = run_subprocess(shell("echo out; echo err >&2; exit 3"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->out, "out\n");
  EXPECT_EQ(result->err, "err\n");
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_FALSE(result->succeeded());
}

TEST(Subprocess, PassesOnlyTheGivenEnvironment) {
  auto options = shell("echo \"[$TRAINCTL_X][$HOME]\"");
  options.env.set("TRAINCTL_X", "a b");
  auto result = run_subprocess(options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->out, "[a b][]\n");
}

TEST(Subprocess, RunsInTheGivenDirectory) {
  testing::TempDir dir;
  auto options = shell("pwd");
  options.cwd = dir.path().string();
  auto result = run_subprocess(options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->out, dir.path().string() + "\n");
}

TEST(Subprocess, KillsTheWholeGroupAtTheTimeout) {
  // The grandchild holds the pipe open: only a group kill ends the wait in time.
  auto started = std::chrono::steady_clock::now();
  auto result = run_subprocess(shell("sleep 30 & sleep 30", std::chrono::milliseconds(300)));
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->timed_out);
  EXPECT_EQ(result->signal, SIGKILL);
  EXPECT_LT(waited, 5.0);
}

TEST(Subprocess, CapsCapturedOutput) {
  auto options = shell("head -c 100000 /dev/zero");
  options.max_output_bytes = 1000;
  auto result = run_subprocess(options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->out.size(), 1000u);
  EXPECT_TRUE(result->output_truncated);
  EXPECT_EQ(result->exit_code, 0);
}

TEST(Subprocess, ReportsSignals) {
  auto result = run_subprocess(shell("kill -SEGV $$"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->signal, SIGSEGV);
}

TEST(Subprocess, StdinIsNotInherited) {
  auto result = run_subprocess(shell("cat; echo done"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->out, "done\n");
}

TEST(Subprocess, MissingProgramIsNotFound) {
  SubprocessOptions options;
  options.argv = {"trainctl-no-such-program"};
  options.env.set("PATH", "/usr/bin:/bin");
  auto result = run_subprocess(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(result.error().message.find("trainctl-no-such-program"), std::string::npos);
}

TEST(FindOnPath, SearchesInOrderAndSkipsNonExecutables) {
  testing::TempDir dir;
  dir.write("a/tool", "#!/bin/sh\n", /*executable=*/false);
  auto second = dir.write("b/tool", "#!/bin/sh\n", /*executable=*/true);
  dir.write("c/tool", "#!/bin/sh\n", /*executable=*/true);
  std::string path = (dir.path() / "a").string() + ":" + (dir.path() / "b").string() + ":" +
                     (dir.path() / "c").string();
  EXPECT_EQ(find_on_path("tool", path), second.string());
  EXPECT_EQ(find_on_path("missing", path), std::nullopt);
  EXPECT_EQ(find_on_path(second.string(), ""), second.string());
  EXPECT_EQ(find_on_path("", path), std::nullopt);
}

TEST(FindOnPath, DirectoriesAreNotPrograms) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "bin" / "tool");
  EXPECT_EQ(find_on_path("tool", (dir.path() / "bin").string()), std::nullopt);
}

}  // namespace
}  // namespace trainctl::core
