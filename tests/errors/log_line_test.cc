#include "errors/log_line.h"

#include <gtest/gtest.h>

namespace trainctl::errors {
namespace {

TEST(LogLine, StripsAnsiColourCodes) {
  auto line = normalize_line("\x1b[31mRuntimeError\x1b[0m: CUDA out of memory\n");
  EXPECT_EQ(line.text, "RuntimeError: CUDA out of memory");
  EXPECT_EQ(line.rank, -1);
}

TEST(LogLine, StripsOscAndKeepsText) {
  EXPECT_EQ(strip_ansi("a\x1b]0;title\x07" "b\n\x1b[1;32mc"), "ab\nc");
  EXPECT_EQ(strip_ansi("x\x1b"), "x");
}

TEST(LogLine, KeepsTheLastProgressBarRedraw) {
  auto line = normalize_line(" 10%|#         | 1/10\r 50%|#####     | 5/10\r100%|##########| 10/10\n");
  EXPECT_EQ(line.text, "100%|##########| 10/10");
}

TEST(LogLine, SkipsABlankLastRedrawAndCrlf) {
  EXPECT_EQ(normalize_line("Killed\r\n").text, "Killed");
  EXPECT_EQ(normalize_line(" 40%|####\rTraceback (most recent call last):\r   \n").text,
            "Traceback (most recent call last):");
}

TEST(LogLine, GivesEverySegmentForConfirmingAHit) {
  auto segments = normalize_segments("RuntimeError: boom\r 20%|##\n");
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[0].text, "RuntimeError: boom");
  EXPECT_EQ(segments[1].text, " 20%|##");  // leading space kept: tracebacks are read by indentation
}

TEST(LogLine, TakesRankPrefixes) {
  struct Case {
    const char* raw;
    int rank;
    const char* text;
  } cases[] = {
      {"[rank3]: Traceback (most recent call last):", 3, "Traceback (most recent call last):"},
      {"[default7]:  File \"train.py\", line 3", 7, " File \"train.py\", line 3"},
      {"3: RuntimeError: x", 3, "RuntimeError: x"},
      {"  12: Killed", 12, "Killed"},
      {"[1,5]<stderr>:KeyError: 'a'", 5, "KeyError: 'a'"},
      {"[rank: 1] Received SIGTERM: 15", 1, "Received SIGTERM: 15"},
      {"0: [rank0]: RuntimeError: y", 0, "RuntimeError: y"},
      {"[E321 02:07:08.408 ProcessGroupNCCL.cpp:607] [Rank 0] Watchdog", -1,
       "[E321 02:07:08.408 ProcessGroupNCCL.cpp:607] [Rank 0] Watchdog"},
      {"12:30:01 training", -1, "12:30:01 training"},
      {"RuntimeError: 3: bad", -1, "RuntimeError: 3: bad"},
  };
  for (const auto& c : cases) {
    auto line = normalize_line(c.raw);
    EXPECT_EQ(line.rank, c.rank) << c.raw;
    EXPECT_EQ(line.text, c.text) << c.raw;
  }
}

TEST(LogLine, RankOfARedrawnLineComesFromItsFirstSegment) {
  auto line = normalize_line("[default2]: 10%|#  | 1/10\r 20%|## | 2/10\n");
  EXPECT_EQ(line.rank, 2);
  EXPECT_EQ(line.text, " 20%|## | 2/10");
}

TEST(LogLine, DropsBinaryJunkAndCutsLongLines) {
  std::string junk("ab\0c\x01\x7f" "d\te", 9);
  EXPECT_EQ(normalize_line(junk).text, "abcd\te");
  std::string huge(kMaxLogLineBytes * 3, 'x');
  EXPECT_EQ(normalize_line(huge).text.size(), kMaxLogLineBytes);
}

}  // namespace
}  // namespace trainctl::errors
