#include "errors/regex_prefilter.h"

#include <gtest/gtest.h>

namespace trainctl::errors {
namespace {

TEST(RegexPrefilter, DropsAnchorsOutsideClasses) {
  EXPECT_EQ(prefilter_expression(R"(^Killed\s*$)"), R"(Killed\s*)");
  EXPECT_EQ(prefilter_expression(R"((^|\s)Killed\s+(python|srun)(\s|$))"), R"((|\s)Killed\s+(python|srun)(\s|))");
  EXPECT_EQ(prefilter_expression(R"(a[$^]b\$)"), R"(a[$^]b\$)");
}

TEST(RegexPrefilter, OpensBoundedRepeats) {
  EXPECT_EQ(prefilter_expression(R"(x[0-9]{1,3}y)"), R"(x[0-9]{1,}y)");
  EXPECT_EQ(prefilter_expression(R"(x[0-9]{4}y)"), R"(x[0-9]{4}y)");
}

TEST(RegexPrefilter, KeepsNegatedClassesOnOneLine) {
  EXPECT_EQ(prefilter_expression(R"(file '[^']{2,8}' missing)"), R"(file '[^'\n]{2,}' missing)");
}

TEST(RegexPrefilter, KeepsTheMostLiteralSideOfAWideGap) {
  // "loss" is on every progress line; the side after the gap is what makes the line an error.
  EXPECT_EQ(prefilter_expression(R"(\bloss\b[^\n]{0,40}\bis (nan|inf|non-finite)\b)"), R"(\bis (nan|inf|non-finite)\b)");
  EXPECT_EQ(prefilter_expression(R"(OutOfMemoryError: .*out of memory)"), R"(OutOfMemoryError: )");
  // Gaps with too little literal on every side leave the expression whole (but loosened).
  EXPECT_EQ(prefilter_expression(R"(a.*b)"), R"(a.*b)");
}

TEST(RegexPrefilter, LeavesWhatItCannotParse) {
  EXPECT_EQ(prefilter_expression("(unclosed"), "(unclosed");
  EXPECT_EQ(prefilter_expression("(?=look)x"), "(?=look)x");
}

}  // namespace
}  // namespace trainctl::errors
