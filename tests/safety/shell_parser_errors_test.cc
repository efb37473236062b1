// The shell parser's syntax errors (message, offset, line, column: what was expected and where the
// construct opened) and its limits on hostile input (size, nesting, node count, time).
#include <chrono>
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "safety/shell_parser.h"

namespace trainctl::safety {
namespace {

ShellSyntaxError parse_error(std::string_view text) {
  ShellParse result = parse_shell(text);
  if (std::holds_alternative<Script>(result)) {
    ADD_FAILURE() << "`" << text.substr(0, 80) << "` parsed but should not";
    return {};
  }
  return std::get<ShellSyntaxError>(std::move(result));
}

// --- errors ----------------------------------------------------------------------------------

struct ErrorCase {
  const char* text;
  const char* message_part;
  std::uint32_t line;
  std::uint32_t column;
};

TEST(ShellParserErrors, SayWhatWasExpectedAndWhereItOpened) {
  const ErrorCase cases[] = {
      {"echo \"abc", "unterminated double quote opened at line 1, column 6", 1, 10},
      {"echo 'abc", "unterminated single quote opened at line 1, column 6", 1, 10},
      {"echo $'abc", "unterminated $' quote opened at line 1, column 6", 1, 11},
      {"echo $(ls", "unterminated $( opened at line 1, column 6", 1, 10},
      {"echo `ls", "unterminated backquote opened at line 1, column 6", 1, 9},
      {"echo ${x", "unterminated ${ opened at line 1, column 6", 1, 9},
      {"echo $((1+", "unterminated $(( opened at line 1, column 6", 1, 11},
      {"diff <(ls", "unterminated <( opened at line 1, column 6", 1, 10},
      {"echo @(a", "unterminated extended glob @( opened at line 1, column 6", 1, 9},
      {"a=(x", "unterminated array `(` opened at line 1, column 3", 1, 5},
      {"cat <<EOF\nabc\n", "no line `EOF` ends the here-document opened at line 1, column 5", 3, 1},
      {"cat <<EOF", "the `<<EOF` at line 1, column 5 needs its body", 1, 10},
      {"fi", "unexpected `fi`", 1, 1},
      {"echo a\n)", "unexpected `)`", 2, 1},
      {"a |", "expected a command after `|`, found end of input", 1, 4},
      {"a | | b", "expected a command after `|`, found `|`", 1, 5},
      {"a &&", "expected a command after `&&`, found end of input", 1, 5},
      {"a ||\n;", "expected a command after `||`, found `;`", 2, 1},
      {"if a; then b", "expected `fi` for the `if` opened at line 1, column 1, found end of input", 1, 13},
      {"if a; b; fi", "expected `then` for the `if` opened at line 1, column 1, found `fi`", 1, 10},
      {"while a; do b", "expected `done` for the `while` opened at line 1, column 1", 1, 14},
      {"for x in a b\necho", "expected `do` for the `for` opened at line 1, column 1, found `echo`", 2, 1},
      {"case x in a) b;;", "expected `esac` for the `case` opened at line 1, column 1", 1, 17},
      {"case x a) b;; esac", "expected `in` for the `case` opened at line 1, column 1, found `a`", 1, 8},
      {"{ a", "expected `}` for the `{` opened at line 1, column 1, found end of input", 1, 4},
      {"x; (a; b", "unterminated `(` opened at line 1, column 4", 1, 9},
      {"( )", "expected a command after the `(` at line 1, column 1, found `)`", 1, 3},
      {"if then a; fi", "expected a command after the `if` at line 1, column 1, found `then`", 1, 4},
      {"echo ${}", "bad substitution: expected a parameter name", 1, 8},
      {"echo ${x!}", "bad substitution: unexpected", 1, 9},
      {"echo ${x:-y", "unterminated ${ opened at line 1, column 6", 1, 12},
      {"f() echo", "expected the body of function `f`", 1, 5},
      {"echo a (b)", "unexpected `(`", 1, 8},
      {"echo a;; b", "unexpected `;;`", 1, 7},
      {"[[ a", "expected `]]` for the `[[` opened at line 1, column 1", 1, 5},
      {"for 1 in a; do b; done", "expected a variable name after the `for`", 1, 5},
      {"for ((i=0; i<3)); do a; done", "needs three expressions", 1, 7},
      {"a >", "expected a file name after the `>` at line 1, column 3, found end of input", 1, 4},
      {"cat <<", "expected a here-document delimiter after the `<<`", 1, 7},
      {"{ a; } b", "unexpected `b`", 1, 8},
      {"echo a\n  echo \"b\n", "unterminated double quote opened at line 2, column 8", 3, 1},
      {"a >>2>&- x", "found the redirection `2>&-`", 1, 5},
      {"(b[)", "unterminated subscript `[` opened at line 1, column 3", 1, 5},
      {"[[ a b ]]", "expected a binary operator (such as == or -eq), found `b`", 1, 6},
      {"[[ -f ]]", "expected an operand after the unary operator, found `]]`", 1, 7},
      {"[[ ( a ]]", "expected `)`, found `]]`", 1, 8},
      {"[[ a\n&& b ]]", "found newline", 1, 5},
      {"! &", "expected a command after `!`, found `&`", 1, 3},
      {"a | ! b", "unexpected `!` after `|`", 1, 5},
      {"in x", "unexpected `in`", 1, 1},
      {"! fi", "expected a command after `!`, found `fi`", 1, 3},
      {"case #x in a) b;; esac", "expected a word, found end of input (the # at line 1, column 6 starts a comment)",
       1, 23},
      {"a > #file", "expected a file name after the `>`", 1, 5},
      {"cat <<''\nE\n", "no line `` ends the here-document", 3, 1},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.text);
    const ShellSyntaxError error = parse_error(c.text);
    EXPECT_NE(error.message.find(c.message_part), std::string::npos) << error.message;
    EXPECT_EQ(error.line, c.line) << error.describe();
    EXPECT_EQ(error.column, c.column) << error.describe();
  }
}

TEST(ShellParserErrors, OffsetAndDescribe) {
  const ShellSyntaxError error = parse_error("ls\necho $(a");
  EXPECT_EQ(error.offset, 11u);
  EXPECT_EQ(error.line, 2u);
  EXPECT_EQ(error.column, 9u);
  EXPECT_EQ(error.describe(), "line 2, column 9: unterminated $( opened at line 2, column 6 (expected `)`)");
}

// --- limits ----------------------------------------------------------------------------------

std::string repeat(std::string_view text, std::size_t count) {
  std::string out;
  out.reserve(text.size() * count);
  for (std::size_t i = 0; i < count; ++i) out += text;
  return out;
}

TEST(ShellParserLimits, InputSize) {
  const std::string big(kMaxShellInputBytes + 1, 'a');
  const ShellSyntaxError error = parse_error(big);
  EXPECT_NE(error.message.find("limit"), std::string::npos);
  EXPECT_EQ(error.offset, kMaxShellInputBytes);
}

TEST(ShellParserLimits, NestingUpToTheLimitParsesAndBeyondFails) {
  const int depth = kMaxShellNestingDepth;
  EXPECT_TRUE(std::holds_alternative<Script>(parse_shell("echo " + repeat("$(", depth) + repeat(")", depth))));
  const ShellSyntaxError error = parse_error("echo " + repeat("$(", depth + 1) + repeat(")", depth + 1));
  EXPECT_NE(error.message.find("nesting deeper than 200"), std::string::npos) << error.message;
  EXPECT_EQ(error.offset, 5u + 2u * static_cast<unsigned>(depth));
  // Every kind of nesting counts.
  const std::size_t n = 10'000;
  const std::string deep_inputs[] = {
      "echo " + repeat("\"$(", n),
      "echo " + repeat("${x:-", n),
      "echo \"" + repeat("${x:-\"", n),
      repeat("( ", n),
      repeat("{ ", n),
      repeat("if a; then ", n),
      repeat("while ", n),
      repeat("case x in a) ", n),
      repeat("f() { ", n),
      repeat("coproc ", n),
      "echo " + repeat("{a,", n) + repeat("}", n),
      "echo " + repeat("@(", n),
      "echo " + repeat("$((", n) + repeat("))", n),
      "cat " + repeat("<(", n),
      "a=" + repeat("$[", n) + repeat("]", n),
      "echo " + repeat("${a[", n) + repeat("]}", n),
  };
  for (const std::string& input : deep_inputs) {
    SCOPED_TRACE(input.substr(0, 24));
    const ShellSyntaxError deep = parse_error(input);
    EXPECT_NE(deep.message.find("nesting deeper than"), std::string::npos) << deep.message;
  }
}

TEST(ShellParserLimits, NodeCount) {
  const ShellSyntaxError words = parse_error(repeat("a ", kMaxShellNodes + 10));
  EXPECT_NE(words.message.find("more than 200000"), std::string::npos) << words.message;
  const ShellSyntaxError parts = parse_error("echo " + repeat("$x", kMaxShellNodes + 10));
  EXPECT_NE(parts.message.find("more than 200000"), std::string::npos) << parts.message;
  const ShellSyntaxError tildes = parse_error("PATH=" + repeat("~:", kMaxShellNodes));
  EXPECT_NE(tildes.message.find("more than 200000"), std::string::npos) << tildes.message;
}

TEST(ShellParserLimits, HostileInputIsFast) {
  const std::string inputs[] = {
      repeat("$(", 100'000),
      repeat("{", 100'000),
      "echo " + repeat("{a,", 50'000) + repeat("}", 50'000),
      "echo " + repeat("[", 200'000) + "]",
      "echo " + repeat("[[:", 100'000),
      "echo " + repeat("$(( (", 50'000),
      repeat("a[", 200'000),
      "echo {" + repeat(",", 200'000) + "}",
      "cat" + repeat(" <<E", 20'000) + "\n" + repeat("E\n", 20'000),
      repeat("\\\n", 200'000) + "x",
      "echo " + repeat("\\`", 100'000),
      repeat("'", 200'001),
      "x" + repeat("\"$x\"", 50'000),
  };
  for (const std::string& input : inputs) {
    const auto start = std::chrono::steady_clock::now();
    (void)parse_shell(input);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 5.0) << input.substr(0, 20);
  }
}

}  // namespace
}  // namespace trainctl::safety
