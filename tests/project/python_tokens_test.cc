#include "project/python_tokens.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace trainctl::project {
namespace {

std::vector<std::string> texts(std::string_view source, const TokenStream& s) {
  std::vector<std::string> out;
  for (const auto& t : s.tokens) {
    if (t.kind == TokenKind::kNewline) out.push_back("NL");
    else if (t.kind != TokenKind::kEnd) out.emplace_back(source.substr(t.begin, t.length));
  }
  return out;
}

TEST(PythonTokens, LogicalLinesIgnoreNewlinesInBracketsAndContinuations) {
  std::string src = "x = f(1,\n      2)  # comment\ny = 1 + \\\n  2\n\n# only a comment\nz = [\n]\n";
  auto s = tokenize_python(src);
  EXPECT_EQ(texts(src, s), (std::vector<std::string>{"x", "=", "f", "(", "1", ",", "2", ")", "NL", "y", "=", "1", "+",
                                                     "2", "NL", "z", "=", "[", "]", "NL"}));
  EXPECT_FALSE(s.truncated);
  EXPECT_EQ(s.match[3], 7u);
  EXPECT_EQ(s.match[7], 3u);
}

TEST(PythonTokens, StringsOfEveryPrefixAndQuoteAreOneToken) {
  std::string src = "a = rb'x\\'y' + f\"{d[\"k\"]}!\" + '''multi\nline''' + u\"\\u00e9\"\n";
  auto s = tokenize_python(src);
  auto t = texts(src, s);
  ASSERT_EQ(t.size(), 10u) << ::testing::PrintToString(t);
  EXPECT_EQ(t[2], "rb'x\\'y'");
  EXPECT_EQ(t[4], "f\"{d[\"k\"]}!\"");
  EXPECT_EQ(t[6], "'''multi\nline'''");
  EXPECT_EQ(python_string_value(t[6]), "multi\nline");
  EXPECT_EQ(python_string_value(t[8]), "\xc3\xa9");
  EXPECT_EQ(python_string_value(t[2]), "x\\'y");  // raw: the backslash stays
  EXPECT_TRUE(is_fstring(t[4]));
  EXPECT_FALSE(is_fstring(t[2]));
}

TEST(PythonTokens, IndentationIsRecordedOnTheFirstTokenOfEachLine) {
  std::string src = "def f():\n    if x:\n\treturn 1\n";
  auto s = tokenize_python(src);
  std::vector<std::uint32_t> starts;
  for (const auto& t : s.tokens) {
    if (t.line_start) starts.push_back(t.indent);
  }
  EXPECT_EQ(starts, (std::vector<std::uint32_t>{0, 4, 8}));
}

TEST(PythonTokens, NumbersWithExponentsAndOperatorsOfSeveralCharacters) {
  std::string src = "lr = 3e-4 ** 2 // 1_000 != 0x1F\n";
  auto s = tokenize_python(src);
  EXPECT_EQ(texts(src, s), (std::vector<std::string>{"lr", "=", "3e-4", "**", "2", "//", "1_000", "!=", "0x1F", "NL"}));
}

TEST(PythonTokens, BrokenCodeStillTokenizesAndEndsCleanly) {
  std::string src = "x = f(\"unterminated\ny = (1, [2\n";
  auto s = tokenize_python(src);
  ASSERT_FALSE(s.tokens.empty());
  EXPECT_EQ(s.tokens.back().kind, TokenKind::kEnd);
  for (std::size_t i = 0; i < s.tokens.size(); ++i) {
    if (s.match[i] != kNoMatch) {
      EXPECT_LT(s.match[i], s.tokens.size());
    }
  }
}

// Found by fuzz/project_fuzz.cc: a comment on the last line without a line break made the lexer
// read one byte past the source and emit a token outside it.
TEST(PythonTokens, ACommentOnTheLastLineWithoutALineBreakEndsTheSource) {
  for (std::string src : {"# @p\"a", "x = 1\n# trailing comment", "  # indented comment"}) {
    // A copy without a terminator behind it, so that a read past the end is caught under ASan.
    std::vector<char> bytes(src.begin(), src.end());
    auto s = tokenize_python(std::string_view(bytes.data(), bytes.size()));
    for (const auto& t : s.tokens) EXPECT_LE(std::size_t{t.begin} + t.length, src.size()) << src;
    std::size_t ops = 0;
    for (const auto& t : s.tokens) ops += t.kind == TokenKind::kOp;
    EXPECT_EQ(ops, src.rfind("x = 1", 0) == 0 ? 1u : 0u) << src;
  }
}

TEST(PythonTokens, HugeInputIsCutAtTheLimit) {
  std::string src(kMaxPythonSourceBytes + 100, 'a');
  auto s = tokenize_python(src);
  EXPECT_TRUE(s.truncated);
  std::string many;
  for (int i = 0; i < 300'000; ++i) many += "a,b\n";
  EXPECT_TRUE(tokenize_python(many).truncated);
}

}  // namespace
}  // namespace trainctl::project
