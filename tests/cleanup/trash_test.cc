// --apply then --undo on the messy project: what moves is what was selected, the protected and the
// tracked stay, nothing outside the project changes, and undo restores every file byte for byte
// with its mode and time.
#include "cleanup/trash.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "cleanup/file_hash.h"
#include "cleanup/scan.h"
#include "core/file_times.h"
#include "messy_fixture.h"
#include "temp_dir.h"

namespace trainctl::cleanup {
namespace {

namespace fs = std::filesystem;

struct FileState {
  std::string hash;
  std::uint32_t mode = 0;
  double mtime = 0;
  bool operator==(const FileState&) const = default;
};

// Every regular file and symlink under dir (not following links), except trainctl's own folder.
std::map<std::string, FileState> snapshot(const fs::path& dir) {
  std::map<std::string, FileState> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = it->path().lexically_relative(dir).string();
    if (rel.rfind("messy/.trainctl", 0) == 0) {
      it.disable_recursion_pending();
      continue;
    }
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      out[rel] = {"link:" + fs::read_symlink(it->path()).string(), 0, 0};
    } else if (S_ISREG(st.st_mode)) {
      out[rel] = {file_hash(it->path().string()).value_or("?"), st.st_mode & 07777u, core::modified_time(st)};
    }
  }
  return out;
}

class TrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::copy_messy_fixture(dir_.path()));
    root_ = dir_.path().string() + "/messy";
    auto r = scan_project({root_, {}, {}, nullptr, 0});
    ASSERT_TRUE(r.ok()) << r.error().message;
    report_ = *r;
  }
  testing::TempDir dir_;
  std::string root_;
  CleanupReport report_;
};

TEST_F(TrashTest, ApplyThenUndoRestoresByteIdenticalFiles) {
  auto before = snapshot(dir_.path());
  auto batch = move_to_trash(report_, {});
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_GT(batch->items.size(), 10u);
  EXPECT_GT(batch->bytes, 0u);
  auto during = snapshot(dir_.path());
  EXPECT_FALSE(during.count("messy/checkpoints/run_a/step_100.pt"));
  EXPECT_FALSE(during.count("messy/runs/crashed/train.log"));
  EXPECT_FALSE(during.count("messy/__pycache__/train.cpython-311.pyc"));
  for (const char* stays : {"messy/checkpoints/run_a/step_500.pt", "messy/checkpoints/run_a/step_300.pt",
                            "messy/checkpoints/run_b/epoch_1.pt", "messy/checkpoints/run_b/epoch_2.pt",
                            "messy/checkpoints/run_b/epoch_4.pt", "messy/data/train.bin", "messy/configs/logging.yaml",
                            "messy/checkpoints/run_a/linked.pt", "messy/outside_link"}) {
    ASSERT_TRUE(during.count(stays)) << stays;
    EXPECT_EQ(during[stays], before[stays]) << stays;
  }
  for (const auto& [rel, state] : before) {
    if (rel.rfind("outside/", 0) == 0) {
      EXPECT_EQ(during[rel], state) << rel;
    }
  }
  ASSERT_TRUE(fs::exists(trash_dir(root_) + "/" + batch->id + "/" + kManifestName));

  auto undone = undo_trash(root_);
  ASSERT_TRUE(undone.ok()) << undone.error().message;
  EXPECT_EQ(undone->id, batch->id);
  EXPECT_EQ(snapshot(dir_.path()), before);
  EXPECT_FALSE(fs::exists(trash_dir(root_) + "/" + batch->id));
}

TEST_F(TrashTest, KindsSelectAndNamingMovesATrackedFile) {
  ApplyRequest caches;
  caches.kinds = {kKindCache};
  auto batch = move_to_trash(report_, caches);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  ASSERT_EQ(batch->items.size(), 2u);
  for (const auto& item : batch->items) {
    EXPECT_EQ(item.kind, kKindCache);
  }

  ApplyRequest named;
  named.named = {root_ + "/checkpoints/run_b/epoch_1.pt"};
  auto tracked = move_to_trash(report_, named);
  ASSERT_TRUE(tracked.ok()) << tracked.error().message;
  ASSERT_EQ(tracked->items.size(), 1u);
  EXPECT_EQ(tracked->items[0].original, "checkpoints/run_b/epoch_1.pt");
  EXPECT_TRUE(fs::exists(root_ + "/checkpoints/run_b/epoch_3.pt"));  // not named: stays

  auto listed = list_trash(root_);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
  auto first = undo_trash(root_, batch->id);  // an older batch by id
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(fs::exists(root_ + "/__pycache__/train.cpython-311.pyc"));
  auto emptied = empty_trash(root_);
  ASSERT_TRUE(emptied.ok());
  EXPECT_EQ(emptied->batches, 1u);
  EXPECT_GT(emptied->bytes, 0u);
  EXPECT_FALSE(fs::exists(root_ + "/checkpoints/run_b/epoch_1.pt"));
  EXPECT_TRUE(list_trash(root_)->empty());
}

TEST_F(TrashTest, UndoNeverOverwrites) {
  ApplyRequest caches;
  caches.kinds = {kKindCache};
  auto batch = move_to_trash(report_, caches);
  ASSERT_TRUE(batch.ok());
  std::filesystem::create_directories(root_ + "/__pycache__");
  std::ofstream(root_ + "/__pycache__/new.pyc") << "new";
  auto undone = undo_trash(root_);
  ASSERT_FALSE(undone.ok());
  EXPECT_EQ(undone.error().kind, core::ErrorKind::kRefused);
  EXPECT_TRUE(fs::exists(trash_dir(root_) + "/" + batch->id + "/files/__pycache__/train.cpython-311.pyc"));
}

TEST_F(TrashTest, RefusesPathsOutsideOrThroughSymlinks) {
  CleanupReport forged = report_;
  forged.findings.clear();
  Finding f;
  f.kind = kKindCache;
  f.safe_to_apply = true;
  f.paths = {dir_.path().string() + "/outside/big.pt", root_ + "/outside_link/__pycache__", root_ + "/../outside/big.pt",
             root_ + "/.trainctl"};
  forged.findings.push_back(f);
  auto before = snapshot(dir_.path());
  auto batch = move_to_trash(forged, {});
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_TRUE(batch->items.empty());
  EXPECT_EQ(batch->skipped.size(), 4u);
  auto after = snapshot(dir_.path());
  for (const auto& [rel, state] : before) {
    EXPECT_EQ(after[rel], state) << rel;
  }
}

}  // namespace
}  // namespace trainctl::cleanup
