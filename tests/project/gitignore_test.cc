#include "project/gitignore.h"

#include <gtest/gtest.h>

namespace trainctl::project {
namespace {

TEST(Wildmatch, StarsQuestionMarksAndClassesStopAtSlashes) {
  EXPECT_TRUE(wildmatch("*.pt", "step_1.pt"));
  EXPECT_FALSE(wildmatch("*.pt", "a/step_1.pt"));
  EXPECT_TRUE(wildmatch("step_?.pt", "step_1.pt"));
  EXPECT_FALSE(wildmatch("step_?.pt", "step_10.pt"));
  EXPECT_TRUE(wildmatch("run[0-9]", "run7"));
  EXPECT_FALSE(wildmatch("run[!0-9]", "run7"));
  EXPECT_TRUE(wildmatch("run[!0-9]", "runx"));
  EXPECT_TRUE(wildmatch("\\*literal", "*literal"));
  EXPECT_FALSE(wildmatch("\\*literal", "xliteral"));
  EXPECT_TRUE(wildmatch("[ab", "[ab"));  // an unclosed class is literal
}

TEST(Wildmatch, DoubleStarsCrossFolders) {
  EXPECT_TRUE(wildmatch("**/ckpt", "ckpt"));
  EXPECT_TRUE(wildmatch("**/ckpt", "a/b/ckpt"));
  EXPECT_TRUE(wildmatch("logs/**", "logs/a/b.txt"));
  EXPECT_FALSE(wildmatch("logs/**", "logs"));
  EXPECT_TRUE(wildmatch("a/**/b", "a/b"));
  EXPECT_TRUE(wildmatch("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(wildmatch("a/**/b", "a/x/y/c"));
  EXPECT_TRUE(wildmatch("a**b", "axxb"));  // not next to a slash: an ordinary star
  EXPECT_FALSE(wildmatch("a**b", "ax/xb"));
}

TEST(Wildmatch, ManyStarsDoNotBlowUp) {
  std::string pattern;
  for (int i = 0; i < 40; ++i) pattern += "*a";
  EXPECT_FALSE(wildmatch(pattern, std::string(200, 'a') + "b"));
  std::string twenty;
  for (int i = 0; i < 20; ++i) twenty += "*a";
  EXPECT_FALSE(wildmatch(twenty, std::string(60, 'a') + "b"));
}

TEST(Gitignore, ParsesCommentsNegationDirectoryOnlyAndAnchors) {
  IgnoreFile f = parse_ignore_file("/r", "# comment\n\n*.pt\n!keep.pt\ndata/\n/build\ndocs/*.md\n\\#hash\nspace\\ \ntrail   \r\n");
  ASSERT_EQ(f.rules.size(), 8u);
  EXPECT_TRUE(f.rules[1].negated);
  EXPECT_TRUE(f.rules[2].dir_only);
  EXPECT_FALSE(f.rules[2].anchored);
  EXPECT_TRUE(f.rules[3].anchored);
  EXPECT_EQ(f.rules[3].pattern, "build");
  EXPECT_TRUE(f.rules[4].anchored);
  EXPECT_EQ(f.rules[5].pattern, "#hash");
  EXPECT_EQ(f.rules[6].pattern, "space\\ ");
  EXPECT_EQ(f.rules[7].pattern, "trail");
}

TEST(Gitignore, TheLastMatchingLineWinsAndDirectoryRulesSkipFiles) {
  IgnoreFile f = parse_ignore_file("/r", "*.pt\n!keep.pt\ndata/\n/build\ndocs/*.md\n");
  EXPECT_EQ(ignore_verdict(f, "/r/a/step.pt", false), true);
  EXPECT_EQ(ignore_verdict(f, "/r/a/keep.pt", false), false);
  EXPECT_EQ(ignore_verdict(f, "/r/x/data", true), true);
  EXPECT_EQ(ignore_verdict(f, "/r/x/data", false), std::nullopt);  // a file named data
  EXPECT_EQ(ignore_verdict(f, "/r/build", true), true);
  EXPECT_EQ(ignore_verdict(f, "/r/src/build", true), std::nullopt);  // anchored to /r
  EXPECT_EQ(ignore_verdict(f, "/r/docs/a.md", false), true);
  EXPECT_EQ(ignore_verdict(f, "/r/docs/sub/a.md", false), std::nullopt);
  EXPECT_EQ(ignore_verdict(f, "/rx/step.pt", false), std::nullopt);  // not below /r
}

TEST(Gitignore, DeeperFilesOverrideOuterOnes) {
  IgnoreStack stack;
  stack.push(parse_ignore_file("/r", "*.log\n"));
  stack.push(parse_ignore_file("/r/keep", "!*.log\n"));
  EXPECT_TRUE(stack.ignored("/r/a.log", false));
  EXPECT_FALSE(stack.ignored("/r/keep/a.log", false));
  stack.pop();
  EXPECT_TRUE(stack.ignored("/r/keep/a.log", false));
}

}  // namespace
}  // namespace trainctl::project
