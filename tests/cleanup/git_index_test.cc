#include "cleanup/git_index.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/subprocess.h"
#include "temp_dir.h"

namespace trainctl::cleanup {
namespace {

bool git(const std::filesystem::path& dir, std::vector<std::string> args) {
  core::SubprocessOptions o;
  o.argv = {"git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", dir.string()};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = core::EnvironmentVars::from_process();
  auto r = core::run_subprocess(o);
  return r && r->succeeded();
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class GitIndexTest : public ::testing::TestWithParam<int> {};

// Versions 2, 3 (an intent-to-add entry has the extended flag) and 4 (prefix-compressed paths).
TEST_P(GitIndexTest, ReadsWhatGitTracks) {
  testing::TempDir dir;
  ASSERT_TRUE(git(dir.path(), {"init", "-q"}));
  dir.write("a.py", "x");
  dir.write("data/train.bin", "y");
  dir.write("data/deep/er/file name.txt", "z");
  dir.write("untracked.txt", "u");
  ASSERT_TRUE(git(dir.path(), {"add", "a.py", "data"}));
  if (GetParam() == 3) {
    dir.write("later.py", "l");
    ASSERT_TRUE(git(dir.path(), {"add", "-N", "later.py"}));
  }
  ASSERT_TRUE(git(dir.path(), {"update-index", "--index-version", std::to_string(GetParam())}));
  auto index = read_git_index((dir.path() / "data").string());
  ASSERT_TRUE(index.ok()) << index.error().message;
  ASSERT_TRUE(index->has_value());
  const GitIndex& g = **index;
  EXPECT_EQ(g.top, dir.path().string());
  EXPECT_TRUE(g.tracks("a.py"));
  EXPECT_TRUE(g.tracks("data/deep/er/file name.txt"));
  EXPECT_FALSE(g.tracks("untracked.txt"));
  EXPECT_TRUE(g.tracks_below("data"));
  EXPECT_FALSE(g.tracks_below("dat"));
  EXPECT_EQ(g.tracks("later.py"), GetParam() == 3);
}

INSTANTIATE_TEST_SUITE_P(Versions, GitIndexTest, ::testing::Values(2, 3, 4));

TEST(GitIndex, EveryTruncationIsAnErrorNotACrash) {
  testing::TempDir dir;
  ASSERT_TRUE(git(dir.path(), {"init", "-q"}));
  for (int i = 0; i < 20; ++i) dir.write("dir" + std::to_string(i % 3) + "/file" + std::to_string(i) + ".py", "x");
  ASSERT_TRUE(git(dir.path(), {"add", "."}));
  ASSERT_TRUE(git(dir.path(), {"update-index", "--index-version", "4"}));
  std::string bytes = read(dir.path() / ".git/index");
  ASSERT_TRUE(parse_git_index(bytes).ok());
  EXPECT_EQ(parse_git_index(bytes)->size(), 20u);
  std::size_t successes = 0;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = parse_git_index(std::string_view(bytes).substr(0, n));
    if (n < 12 + 62) {
      EXPECT_FALSE(r.ok()) << n;
    }
    if (r.ok()) {
      ++successes;
      EXPECT_EQ(r->size(), 20u) << n;  // only the trailing extensions and checksum may be missing
    }
  }
  EXPECT_LE(successes, bytes.size() / 2);
  EXPECT_FALSE(parse_git_index(std::string_view("DIRC\0\0\0\x09\0\0\0\0", 12)).ok());
}

TEST(GitIndex, NoRepositoryIsNoIndex) {
  testing::TempDir dir;
  auto index = read_git_index(dir.path().string());
  ASSERT_TRUE(index.ok());
  EXPECT_FALSE(index->has_value());
}

}  // namespace
}  // namespace trainctl::cleanup
