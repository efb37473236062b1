#include "errors/unified_diff.h"

#include <gtest/gtest.h>

namespace trainctl::errors {
namespace {

TEST(UnifiedDiff, OneChangedLineWithContext) {
  std::string a = "a\nb\nc\nd\ne\nf\ng\nh\n";
  std::string b = "a\nb\nc\nd\nE\nf\ng\nh\n";
  auto diff = unified_diff(a, b, "a/x.yaml", "b/x.yaml");
  ASSERT_TRUE(diff);
  EXPECT_EQ(*diff, "--- a/x.yaml\n+++ b/x.yaml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n");
}

TEST(UnifiedDiff, InsertionAndSeparateHunks) {
  std::string a;
  for (int i = 1; i <= 30; ++i) a += std::to_string(i) + "\n";
  std::string b = a;
  b.replace(b.find("2\n"), 2, "2\nnew\n");
  b.replace(b.find("25\n"), 3, "twenty-five\n");
  auto diff = unified_diff(a, b, "a", "b", 1);
  ASSERT_TRUE(diff);
  EXPECT_EQ(*diff, "--- a\n+++ b\n@@ -2,2 +2,3 @@\n 2\n+new\n 3\n@@ -24,3 +25,3 @@\n 24\n-25\n+twenty-five\n 26\n");
}

TEST(UnifiedDiff, EqualTextsGiveNothingAndMissingNewlineIsMarked) {
  EXPECT_EQ(*unified_diff("x\n", "x\n", "a", "b"), "");
  auto diff = unified_diff("x", "y", "a", "b");
  ASSERT_TRUE(diff);
  EXPECT_EQ(*diff, "--- a\n+++ b\n@@ -1,1 +1,1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n");
}

}  // namespace
}  // namespace trainctl::errors
