// The scan on the generated messy project: every finding expected, nothing more, nothing outside
// the project, and the latest and best checkpoints of every run kept under every policy.
#include "cleanup/scan.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "exec/process_identity.h"
#include "exec/run_store.h"
#include "messy_fixture.h"
#include "temp_dir.h"

namespace trainctl::cleanup {
namespace {

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::copy_messy_fixture(dir_.path()));
    root_ = dir_.path().string() + "/messy";
  }
  CleanupReport scan(KeepPolicy policy = {}) {
    ScanRequest r;
    r.root = root_;
    r.policy = policy;
    auto report = scan_project(r);
    EXPECT_TRUE(report.ok()) << report.error().message;
    return report.ok() ? *report : CleanupReport{};
  }
  std::string abs(const std::string& rel) const { return root_ + "/" + rel; }

  // kind -> the sorted paths of all its findings, relative to the root.
  std::map<std::string, std::set<std::string>> by_kind(const CleanupReport& r) const {
    std::map<std::string, std::set<std::string>> out;
    for (const auto& f : r.findings) {
      for (const auto& p : f.paths) {
        EXPECT_EQ(p.rfind(root_ + "/", 0), 0u) << p;
        out[f.kind].insert(p.substr(root_.size() + 1));
      }
    }
    return out;
  }

  testing::TempDir dir_;
  std::string root_;
};

using Set = std::set<std::string>;

TEST_F(ScanTest, EveryFindingIsExpected) {
  auto report = scan();
  auto kinds = by_kind(report);
  EXPECT_EQ(kinds["checkpoints"], (Set{"checkpoints/run_a/step_100.pt", "checkpoints/run_a/step_200.pt",
                                       "checkpoints/run_a/step_400.pt", "checkpoints/run_b/epoch_1.pt",
                                       "checkpoints/run_b/epoch_3.pt"}));
  EXPECT_EQ(kinds["partial"], (Set{"checkpoints/run_a/step_600.pt.tmp", "checkpoints/run_a/step_700.pt",
                                   "checkpoints/run_a/step_800.pt"}));
  EXPECT_EQ(kinds["duplicate"], (Set{"checkpoints/run_a/step_200_copy.pt"}));
  EXPECT_EQ(kinds["dead_run"], (Set{"runs/crashed", "runs/short"}));
  EXPECT_EQ(kinds["empty_run"], (Set{"lightning_logs/version_0", "wandb/run-20261120_100000-abc123",
                                     "outputs/2026-11-20/10-00-00", "multirun/2026-11-21/09-00-00/0"}));
  EXPECT_EQ(kinds["cache"], (Set{"__pycache__", ".pytest_cache"}));
  EXPECT_EQ(kinds["git_tracked"], (Set{"data/train.bin", "logs/old.log", "checkpoints/run_b/epoch_1.pt"}));
  EXPECT_TRUE(kinds["not_ignored"].count("checkpoints/run_a/step_500.pt"));
  EXPECT_FALSE(kinds["not_ignored"].count("runs/healthy/model.pt"));  // runs/ is ignored
  EXPECT_EQ(kinds["duplicate_config"], (Set{"configs/base.yaml", "configs/base_copy.yaml", "configs/base_commented.yaml"}));
  EXPECT_EQ(kinds["home_path"], (Set{"train.py:3"}));
  EXPECT_EQ(kinds["secret"], (Set{"configs/logging.yaml:3", "configs/logging.yaml:5", "scripts/upload.sh:2"}));
  std::set<std::string> known = {"checkpoints", "partial", "duplicate", "dead_run", "empty_run", "cache",
                                 "git_tracked", "not_ignored", "duplicate_config", "home_path", "secret"};
  for (const auto& [kind, paths] : kinds) {
    EXPECT_TRUE(known.count(kind)) << kind;
  }
}

TEST_F(ScanTest, NothingThroughASymlinkNorOutside) {
  auto report = scan();
  for (const auto& f : report.findings) {
    for (const auto& p : f.paths) {
      EXPECT_EQ(p.find("outside"), std::string::npos) << p;
      EXPECT_EQ(p.find("linked.pt"), std::string::npos) << p;
    }
  }
}

TEST_F(ScanTest, TrackedAndProtectedAreNotSafeToApply) {
  auto report = scan();
  for (const auto& f : report.findings) {
    bool tracked = std::any_of(f.paths.begin(), f.paths.end(), [&](const std::string& p) { return p == abs("checkpoints/run_b/epoch_1.pt"); });
    if (tracked) {
      EXPECT_FALSE(f.safe_to_apply) << f.kind;
    }
    if (!applicable_kind(f.kind)) {
      EXPECT_FALSE(f.safe_to_apply) << f.kind;
    }
    if (f.kind == "checkpoints" && !tracked) {
      EXPECT_TRUE(f.safe_to_apply);
    }
    if (f.kind == "secret") {
      EXPECT_EQ(f.reason.find("hf_aBc"), std::string::npos);
    }
  }
}

TEST_F(ScanTest, LatestAndBestSurviveEveryPolicy) {
  std::set<std::string> must_stay = {"checkpoints/run_a/step_500.pt", "checkpoints/run_a/step_300.pt",
                                     "checkpoints/run_b/epoch_4.pt", "checkpoints/run_b/epoch_2.pt",
                                     "runs/healthy/model.pt", "lightning_logs/version_1/checkpoints/epoch=0-step=10.ckpt"};
  for (int last : {0, 1, 3}) {
    for (int best : {0, 1, 2}) {
      for (std::int64_t every : {0, 200}) {
        KeepPolicy policy{last, best, every ? std::optional<std::int64_t>(every) : std::nullopt};
        auto report = scan(policy);
        auto kinds = by_kind(report);
        for (const auto& kind : {"checkpoints", "partial", "duplicate", "dead_run", "empty_run", "cache"}) {
          for (const auto& p : kinds[kind]) {
            for (const auto& keep : must_stay) {
              EXPECT_FALSE(keep.rfind(p, 0) == 0) << kind << " " << p;
            }
          }
        }
        std::set<std::string> protected_paths;
        for (const auto& p : report.protected_paths) protected_paths.insert(p.path.substr(root_.size() + 1));
        for (const auto& keep : must_stay) {
          EXPECT_TRUE(protected_paths.count(keep)) << keep;
        }
      }
    }
  }
  auto kinds = by_kind(scan({3, 1, std::nullopt}));
  EXPECT_EQ(kinds["checkpoints"], (Set{"checkpoints/run_a/step_100.pt", "checkpoints/run_a/step_200.pt",
                                       "checkpoints/run_b/epoch_1.pt"}));
}

TEST_F(ScanTest, CheckpointsOfARunningRunAreProtected) {
  auto store = exec::RunStore::open(root_);
  ASSERT_TRUE(store.ok()) << store.error().message;
  exec::RunRecord record;
  record.argv = {"python", "train.py"};
  record.cwd = root_;
  record.host = "test";
  record.started_at_ms = 1;  // long before every file: all of them are its
  ASSERT_TRUE(store->insert(record).ok());
  int pid = static_cast<int>(::getpid());
  ASSERT_TRUE(store->set_process(record.id, pid, exec::process_start_ticks(pid), pid, exec::process_start_ticks(pid)).ok());
  auto report = scan();
  auto kinds = by_kind(report);
  EXPECT_TRUE(kinds["checkpoints"].empty());
  for (const auto& f : report.findings) {
    if (f.kind == "partial" || f.kind == "duplicate" || f.kind == "dead_run") {
      EXPECT_FALSE(f.safe_to_apply) << f.paths[0];
    }
  }
}

TEST_F(ScanTest, PinnedCheckpointsAreKept) {
  std::filesystem::create_directories(root_ + "/.trainctl");
  std::ofstream(root_ + "/.trainctl/keep") << "# the paper's numbers\ncheckpoints/run_a/step_100.pt\n" << root_ << "/checkpoints/run_b/epoch_3.pt  \n";
  auto kinds = by_kind(scan());
  EXPECT_EQ(kinds["checkpoints"], (Set{"checkpoints/run_a/step_200.pt", "checkpoints/run_a/step_400.pt",
                                       "checkpoints/run_b/epoch_1.pt"}));
}

TEST_F(ScanTest, JsonContract) {
  auto json = scan().to_json();
  ASSERT_TRUE(json["findings"].is_array());
  std::uint64_t total = 0;
  for (const auto& f : json["findings"]) {
    for (const char* key : {"kind", "paths", "bytes", "reason", "action", "safe_to_apply"}) {
      EXPECT_TRUE(f.contains(key)) << key;
    }
    total += f["bytes"].get<std::uint64_t>();
  }
  EXPECT_EQ(json["total_bytes"].get<std::uint64_t>(), total);
  EXPECT_GT(total, 0u);
}

}  // namespace
}  // namespace trainctl::cleanup
