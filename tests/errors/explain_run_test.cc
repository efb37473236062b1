// `trainctl explain --run ID`: the log of a run trainctl recorded is explained like a file. The run
// is real: a Python script that fails the way a training script does, started through
// `trainctl run --yes`.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_trainctl.h"
#include "temp_dir.h"

namespace trainctl::errors {
namespace {

namespace fs = std::filesystem;
using testing::run_trainctl;

TEST(ExplainRun, ARecordedRunsLogIsExplainedByItsId) {
  testing::TempDir dir;
  std::string root = fs::canonical(dir.path()).string();
  dir.write("train.py",
            "import sys\n"
            "print('step 1 | loss 2.31', flush=True)\n"
            "raise RuntimeError('CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.15 GiB total capacity; "
            "77.80 GiB already allocated; 1.02 GiB free; 78.00 GiB reserved in total by PyTorch)')\n");
  // `run` starts the command in the current folder and records it under --project.
  auto run = run_trainctl({"run", "--yes", "--project", root, "--", TRAINCTL_TEST_PYTHON, root + "/train.py"});
  ASSERT_EQ(run.exit_code, 1) << run.err << run.out;
  auto list = run_trainctl({"runs", "list", "--json", "--project", root});
  auto runs = nlohmann::json::parse(list.out, nullptr, false)["runs"];
  ASSERT_EQ(runs.size(), 1u) << list.out;
  std::string id = runs[0]["id"];

  auto explained = run_trainctl({"explain", "--json", "--run", id, "--project", root});
  ASSERT_EQ(explained.exit_code, 0) << explained.err;
  auto doc = nlohmann::json::parse(explained.out, nullptr, false);
  ASSERT_FALSE(doc["findings"].empty()) << explained.out;
  EXPECT_EQ(doc["findings"][0]["id"], "cuda_oom");
  const auto& evidence = doc["findings"][0]["evidence"];
  ASSERT_FALSE(evidence.empty());
  EXPECT_NE(evidence[0]["text"].get<std::string>().find("Tried to allocate 2.00 GiB"), std::string::npos) << explained.out;

  auto unknown = run_trainctl({"explain", "--run", "19700101-000000-000aa", "--project", root});
  EXPECT_EQ(unknown.exit_code, 4) << unknown.err;
}

}  // namespace
}  // namespace trainctl::errors
