#include "project/tree_walk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "temp_dir.h"

namespace trainctl::project {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

bool skipped_as(const ProjectTree& tree, const std::string& path, SkipKind kind) {
  return std::any_of(tree.skipped.begin(), tree.skipped.end(),
                     [&](const SkippedFolder& s) { return s.path == path && s.kind == kind; });
}

TEST(TreeWalk, SkipsWhatNoProjectKeepsAsSource) {
  TempDir dir;
  dir.write("train.py", "");
  dir.write("src/model.py", "");
  dir.write(".git/HEAD", "ref: x\n");
  dir.write("venv/pyvenv.cfg", "home = /usr\n");
  dir.write("env/pyvenv.cfg", "home = /usr\n");  // a virtualenv by its pyvenv.cfg, whatever its name
  dir.write("env/lib/x.py", "");
  dir.write("node_modules/a/index.js", "");
  dir.write("data/train.bin", "");
  dir.write("checkpoints/step_1.pt", "");
  dir.write("out-shakespeare/ckpt.pt", "");
  dir.write("src/__pycache__/model.pyc", "");
  dir.write("datasets/__init__.py", "");  // a package named datasets is source
  dir.write("configs/data/mnist.yaml", "");  // a Hydra config group named data is config
  dir.write("src/checkpoint/reader.py", "");   // source in a folder named like checkpoints
  auto tree = walk_tree(dir.path().string());
  ASSERT_TRUE(tree) << tree.error().message;
  EXPECT_EQ(tree->files, (std::vector<std::string>{"configs/data/mnist.yaml", "datasets/__init__.py",
                                                   "src/checkpoint/reader.py", "src/model.py", "train.py"}));
  EXPECT_TRUE(skipped_as(*tree, "venv", SkipKind::kVirtualenv));
  EXPECT_TRUE(skipped_as(*tree, "env", SkipKind::kVirtualenv));
  EXPECT_TRUE(skipped_as(*tree, "node_modules", SkipKind::kDependencies));
  EXPECT_TRUE(skipped_as(*tree, "data", SkipKind::kData));
  EXPECT_TRUE(skipped_as(*tree, "checkpoints", SkipKind::kCheckpoints));
  EXPECT_TRUE(skipped_as(*tree, "out-shakespeare", SkipKind::kCheckpoints));
  EXPECT_TRUE(tree->has_file("train.py"));
  EXPECT_FALSE(tree->has_file("data/train.bin"));
}

TEST(TreeWalk, FollowsGitignoreFilesAtEveryLevelAndAboveTheRoot) {
  TempDir dir;
  dir.write(".git/info/exclude", "secret.txt\n");
  dir.write(".gitignore", "*.log\nscratch/\n");
  dir.write("proj/.gitignore", "generated_*\n!generated_keep.py\n");
  dir.write("proj/train.py", "");
  dir.write("proj/a.log", "");
  dir.write("proj/secret.txt", "");
  dir.write("proj/generated_x.py", "");
  dir.write("proj/generated_keep.py", "");
  dir.write("proj/scratch/notes.py", "");
  // Walk the subfolder: the repository's own ignore files above it still apply.
  auto tree = walk_tree((dir.path() / "proj").string());
  ASSERT_TRUE(tree) << tree.error().message;
  EXPECT_EQ(tree->files, (std::vector<std::string>{".gitignore", "generated_keep.py", "train.py"}));
  EXPECT_TRUE(skipped_as(*tree, "scratch", SkipKind::kIgnored));
}

TEST(TreeWalk, LimitsStopTheWalkAndSaySo) {
  TempDir dir;
  for (int i = 0; i < 50; ++i) dir.write("f" + std::to_string(i) + ".py", "");
  dir.write("a/b/c/d/e/deep.py", "");
  WalkLimits limits;
  limits.max_files = 10;
  auto tree = walk_tree(dir.path().string(), limits);
  ASSERT_TRUE(tree);
  EXPECT_EQ(tree->files.size(), 10u);
  EXPECT_TRUE(tree->truncated);
  EXPECT_NE(tree->truncated_by.find("max_files"), std::string::npos);
  WalkLimits shallow;
  shallow.max_depth = 2;
  auto cut = walk_tree(dir.path().string(), shallow);
  ASSERT_TRUE(cut);
  EXPECT_FALSE(cut->has_file("a/b/c/d/e/deep.py"));
  EXPECT_TRUE(skipped_as(*cut, "a/b/c", SkipKind::kDepth));
}

TEST(TreeWalk, DoesNotFollowSymlinkedFolders) {
  TempDir dir;
  dir.write("real/x.py", "");
  fs::create_directory_symlink(dir.path() / "real", dir.path() / "link");
  fs::create_directory_symlink(dir.path(), dir.path() / "real" / "loop");
  auto tree = walk_tree(dir.path().string());
  ASSERT_TRUE(tree);
  EXPECT_EQ(tree->files, (std::vector<std::string>{"real/x.py"}));
  EXPECT_TRUE(skipped_as(*tree, "link", SkipKind::kSymlink));
}

TEST(TreeWalk, ANonFolderIsNotFound) {
  TempDir dir;
  auto tree = walk_tree((dir.path() / "missing").string());
  ASSERT_FALSE(tree);
  EXPECT_EQ(tree.error().kind, core::ErrorKind::kNotFound);
}

}  // namespace
}  // namespace trainctl::project
