// No execution path of trainctl starts a process without the command-safety check: the raw
// spawn is called from one place only, that place refuses what the policy refuses, and each path
// that runs a program (nvidia-smi for `gpus`, the torch probe for `doctor`) is shown to go
// through it: with the project denying the program, its would-be side effect never happens.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "core/subprocess.h"
#include "environment/doctor.h"
#include "gpu/gpu_query.h"
#include "safety/guarded_process.h"
#include "temp_dir.h"

namespace trainctl::safety {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ProcessGate, OnlyTheGuardCallsTheRawSpawn) {
  // Every way C++ code here could start a program; only the two files below may use them.
  const std::regex spawn(R"(\brun_subprocess\s*\(|\bposix_spawnp?\s*\(|\bfork\s*\(|\bvfork\s*\(|\bexecv[pe]*\s*\(|\bexecl[pe]?\s*\(|\bsystem\s*\(|\bpopen\s*\()");
  std::vector<std::string> offenders;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(TRAINCTL_SOURCE_DIR) / "src")) {
    if (!entry.is_regular_file()) continue;
    std::string relative = fs::relative(entry.path(), TRAINCTL_SOURCE_DIR).string();
    // run_launcher.cc starts training runs, and only from a safety::ApprovedCommand, which only
    // safety::approve() makes (the guard's refusal rules; see ApprovedRunsPassTheGuard below).
    if (relative == "src/core/subprocess.cc" || relative == "src/core/subprocess.h" ||
        relative == "src/safety/guarded_process.cc" || relative == "src/exec/run_launcher.cc") {
      continue;
    }
    std::string text = read(entry.path());
    // Comments may name the functions; code may not.
    text = std::regex_replace(text, std::regex(R"(//[^\n]*)"), "");
    if (std::regex_search(text, spawn)) offenders.push_back(relative);
  }
  EXPECT_TRUE(offenders.empty()) << "process spawning outside safety/guarded_process.cc and exec/run_launcher.cc: " << ::testing::PrintToString(offenders);
}

class GuardedProcess : public ::testing::Test {
 protected:
  GuardedProcess() {
    root_ = fs::canonical(dir_.path()).string();
    canary_ = root_ + "/canary";
  }
  core::SubprocessOptions touching(const std::string& extra = "") const {
    core::SubprocessOptions o;
    o.argv = {"/bin/sh", "-c", "touch " + canary_ + extra};
    o.env = core::EnvironmentVars::of({{"PATH", "/usr/bin:/bin"}});
    return o;
  }
  CommandGuard guard() const {
    return CommandGuard::for_project(root_, core::EnvironmentVars::of({{"HOME", "/home/user"}}));
  }
  testing::TempDir dir_;
  testing::TempDir tools_;  // fake programs live outside the project, like installed tools
  std::string root_;
  std::string canary_;
};

TEST_F(GuardedProcess, DenyNeverRunsWhateverTheApproval) {
  core::SubprocessOptions o;
  o.argv = {"/bin/sh", "-c", "touch " + canary_ + "; rm -rf /home/user/x"};
  o.env = core::EnvironmentVars::of({{"PATH", "/usr/bin:/bin"}});
  auto result = run_guarded(guard(), o, Approval::kApproved);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, core::ErrorKind::kRefused);
  EXPECT_NE(result.error().message.find("delete-outside-project"), std::string::npos) << result.error().message;
  EXPECT_FALSE(fs::exists(canary_));
}

TEST_F(GuardedProcess, ApprovalFollowsTheGuard) {
  // The only way to the training launcher: deny never yields an ApprovedCommand, confirm only with a yes.
  auto denied = approve(guard(), {"/bin/sh", "-c", "touch " + canary_ + "; rm -rf /home/user/x"}, root_, Approval::kApproved);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().kind, core::ErrorKind::kRefused);
  auto unconfirmed = approve(guard(), touching().argv, root_, Approval::kNone);
  ASSERT_FALSE(unconfirmed.ok());
  EXPECT_EQ(unconfirmed.error().kind, core::ErrorKind::kRefused);
  auto confirmed = approve(guard(), touching().argv, root_, Approval::kApproved);
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message;
  EXPECT_EQ(confirmed->argv(), touching().argv);
  EXPECT_EQ(confirmed->cwd(), root_);
  EXPECT_FALSE(fs::exists(canary_));
}

TEST_F(GuardedProcess, ConfirmRunsOnlyWithApproval) {
  auto refused = run_guarded(guard(), touching());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("confirmation"), std::string::npos);
  EXPECT_FALSE(fs::exists(canary_));
  auto ran = run_guarded(guard(), touching(), Approval::kApproved);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_TRUE(ran->succeeded());
  EXPECT_TRUE(fs::exists(canary_));
}

TEST_F(GuardedProcess, AllowRunsAtOnce) {
  core::SubprocessOptions o;
  o.argv = {"ls", root_};
  o.env = core::EnvironmentVars::of({{"PATH", "/usr/bin:/bin"}});
  auto ran = run_guarded(guard(), o);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_TRUE(ran->succeeded());
}

TEST_F(GuardedProcess, ABrokenProjectPolicyRefusesEverything) {
  dir_.write("trainctl.toml", "[safety\n");
  core::SubprocessOptions o;
  o.argv = {"ls"};
  o.env = core::EnvironmentVars::of({{"PATH", "/usr/bin:/bin"}});
  auto result = run_guarded(guard(), o);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("trainctl.toml"), std::string::npos);
}

// A fake program that leaves a canary file when it runs.
std::string fake_program(const testing::TempDir& dir, const std::string& name, const std::string& canary,
                         const std::string& output) {
  return dir.write("bin/" + name, "#!/bin/sh\n/usr/bin/touch '" + canary + "'\n" + output + "\n", true).string();
}

TEST_F(GuardedProcess, GpusFallbackToNvidiaSmiGoesThroughTheGuard) {
  fake_program(tools_, "nvidia-smi", canary_, "exit 9");
  gpu::GpuQueryOptions options;
  options.env = core::EnvironmentVars::of({{"PATH", tools_.path().string() + "/bin"}});
  options.nvml_library = root_ + "/no-such-libnvidia-ml.so";
  // The project denies nvidia-smi: the fallback is refused and nothing runs.
  dir_.write("trainctl.toml", "[safety]\ndeny = [\"nvidia-smi\"]\n");
  options.guard = guard();
  gpu::GpuReport denied = gpu::query_gpus(options);
  EXPECT_FALSE(fs::exists(canary_));
  EXPECT_FALSE(denied.usable());
  // Control: without the tightening the same path does run the program.
  fs::remove(root_ + "/trainctl.toml");
  options.guard = guard();
  (void)gpu::query_gpus(options);
  EXPECT_TRUE(fs::exists(canary_));
}

TEST_F(GuardedProcess, DoctorsTorchProbeGoesThroughTheGuard) {
  fake_program(tools_, "python3", canary_, "exit 1");
  environment::DoctorOptions options;
  options.env = core::EnvironmentVars::of({{"PATH", tools_.path().string() + "/bin"}});
  options.project_dir = root_;
  options.probe_timeout = std::chrono::seconds(10);
  dir_.write("trainctl.toml", "[safety]\ndeny = [\"python3\"]\n");
  options.guard = guard();
  ASSERT_TRUE(environment::run_doctor(options).ok());
  EXPECT_FALSE(fs::exists(canary_));
  fs::remove(root_ + "/trainctl.toml");
  options.guard = guard();
  ASSERT_TRUE(environment::run_doctor(options).ok());
  EXPECT_TRUE(fs::exists(canary_));
}

}  // namespace
}  // namespace trainctl::safety
