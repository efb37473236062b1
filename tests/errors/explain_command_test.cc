// `trainctl explain` as a user or an agent runs it: a real process, its output and exit status.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "errors_test_support.h"
#include "run_trainctl.h"
#include "temp_dir.h"

namespace trainctl {
namespace {

constexpr const char* kOomLog =
    "step 1/100 | loss 3.2 | lr 1e-4\n"
    "Traceback (most recent call last):\n"
    "  File \"/w/train.py\", line 9, in <module>\n"
    "    loss = model(x)\n"
    "RuntimeError: CUDA out of memory. Tried to allocate 264.00 MiB (GPU 0; 10.76 GiB total capacity; 9.12 GiB already "
    "allocated; 145.93 MiB free; 9.35 GiB reserved in total by PyTorch)\n";

class ExplainCommand : public ::testing::Test {
 protected:
  core::EnvironmentVars env() const {
    core::EnvironmentVars e = testing::test_environment();
    e.set("XDG_CACHE_HOME", testing::errors_cache_dir());  // compiled patterns shared by the suite
    e.set("XDG_CONFIG_HOME", (dir_.path() / "config").string());
    e.set("HOME", dir_.path().string());
    return e;
  }
  core::SubprocessResult run(const std::vector<std::string>& args) const { return testing::run_trainctl(args, env()); }

  testing::TempDir dir_;
};

TEST_F(ExplainCommand, ExplainsAFileForPeople) {
  auto log = dir_.write("train.log", kOomLog);
  auto r = run({"explain", log.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("cuda_oom GPU out of memory", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("  where   /w/train.py:9 in <module>\n          loss = model(x)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("The step asked for 264.00 MiB more."), std::string::npos);
  EXPECT_NE(r.out.find("        5  RuntimeError: CUDA out of memory."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run ended: failed"), std::string::npos);
}

TEST_F(ExplainCommand, JsonForAgents) {
  auto log = dir_.write("train.log", kOomLog);
  auto r = run({"explain", "--json", log.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["findings"][0]["id"], "cuda_oom");
  EXPECT_EQ(j["findings"][0]["evidence"][0]["line"], 5);
  EXPECT_EQ(j["findings"][0]["values"]["requested"], "264.00 MiB");
  EXPECT_EQ(j["exception"]["type"], "RuntimeError");
  EXPECT_EQ(j["frames"][0]["file"], "/w/train.py");
  EXPECT_EQ(j["ended"]["state"], "failed");
}

TEST_F(ExplainCommand, CleanLogSaysSoAndSucceeds) {
  auto r = run({"explain", "--text", "step 1/2 | loss 3.2\nstep 2/2 | loss 2.9\n"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("No error found in --text (2 lines).", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("run ended: finished"), std::string::npos) << r.out;
  auto j = run({"explain", "--json", "--text", "step 1/2 | loss 3.2\n"});
  EXPECT_TRUE(nlohmann::json::parse(j.out)["findings"].empty());
}

TEST_F(ExplainCommand, ReadsStdin) {
  auto log = dir_.write("train.log", kOomLog);
  core::SubprocessOptions options;
  options.argv = {"/bin/sh", "-c", std::string("cat '") + log.string() + "' | '" + TRAINCTL_BINARY + "' explain --json -"};
  options.env = env();
  auto r = core::run_subprocess(options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->err;
  auto j = nlohmann::json::parse(r->out);
  EXPECT_EQ(j["source"]["name"], "-");
  EXPECT_EQ(j["findings"][0]["id"], "cuda_oom");
}

TEST_F(ExplainCommand, ExitStatuses) {
  auto missing = run({"explain", (dir_.path() / "nope.log").string()});
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_NE(missing.err.find("no such file"), std::string::npos) << missing.err;
  auto run_flag = run({"explain", "--run", "7", "--project", dir_.path().string()});
  EXPECT_EQ(run_flag.exit_code, 4);
  EXPECT_NE(run_flag.err.find("no runs recorded"), std::string::npos) << run_flag.err;
  auto both = run({"explain", "x.log", "--text", "boom"});
  EXPECT_EQ(both.exit_code, 2);
  auto directory = run({"explain", dir_.path().string()});
  EXPECT_EQ(directory.exit_code, 1);
  auto bad_config = run({"explain", "--text", kOomLog, "--config", (dir_.path() / "none.yaml").string()});
  EXPECT_EQ(bad_config.exit_code, 4);
  auto json_error = run({"explain", "--json", "--run", "7", "--project", dir_.path().string()});
  EXPECT_EQ(json_error.exit_code, 4);
  EXPECT_EQ(nlohmann::json::parse(json_error.out)["error"]["kind"], "not_found");
  auto both_run = run({"explain", "x.log", "--run", "7"});
  EXPECT_EQ(both_run.exit_code, 2);
}

TEST_F(ExplainCommand, ApplyWritesTheConfigWithABackup) {
  auto config = dir_.write("proj/configs/run.yaml", "train:\n  batch_size: 32\n  gradient_accumulation_steps: 1\n");
  auto log = dir_.write("train.log", std::string("+ python train.py --config configs/run.yaml\n") + kOomLog);
  auto without_yes = run({"explain", log.string(), "--project", (dir_.path() / "proj").string(), "--apply"});
  EXPECT_EQ(without_yes.exit_code, 2) << without_yes.out;
  auto r = run({"explain", log.string(), "--project", (dir_.path() / "proj").string(), "--apply", "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("-  batch_size: 32\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Wrote "), std::string::npos) << r.out;
  std::ifstream now(config), backup(config.string() + ".bak");
  std::stringstream a, b;
  a << now.rdbuf();
  b << backup.rdbuf();
  EXPECT_EQ(a.str(), "train:\n  batch_size: 16\n  gradient_accumulation_steps: 2\n");
  EXPECT_EQ(b.str(), "train:\n  batch_size: 32\n  gradient_accumulation_steps: 1\n");
  auto nothing = run({"explain", "--text", "step 1/2 | loss 3\n", "--apply", "--yes"});
  EXPECT_EQ(nothing.exit_code, 2);
}

TEST_F(ExplainCommand, ProjectEntriesTeachItNewErrors) {
  dir_.write("proj/trainctl.toml", R"(
[[explain.error]]
id = "dataset_lock_held"
title = "Our dataset lock is held by another job"
priority = 80
patterns = ['''DatasetLockError: lock held by''']
extract = ['''lock held by (?P<holder>\S+)''']
cause = "Another job holds the shared dataset lock. It is held by {holder}."
[[explain.error.fixes]]
title = "Wait for the other job or remove its stale lock"
detail = "ls /shared/locks"
action = "info"
)");
  auto r = run({"explain", "--json", "--project", (dir_.path() / "proj").string(), "--text",
                "step 1\nDatasetLockError: lock held by job-4411\n"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["findings"][0]["id"], "dataset_lock_held");
  EXPECT_EQ(j["findings"][0]["cause"], "Another job holds the shared dataset lock. It is held by job-4411.");
  dir_.write("proj/trainctl.toml", "[[explain.error]]\nid = \"x\"\n");
  auto broken = run({"explain", "--project", (dir_.path() / "proj").string(), "--text", "x\n"});
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("trainctl.toml"), std::string::npos) << broken.err;
}

}  // namespace
}  // namespace trainctl
