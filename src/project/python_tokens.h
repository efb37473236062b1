// Splits Python source into the tokens trainctl reads: names, numbers, strings (every prefix,
// triple quotes, f-strings kept whole, nested quotes in f-string fields), operators, and the ends
// of logical lines. Comments, line continuations and newlines inside brackets are dropped, as in
// Python's own tokenizer. Never executes anything; stops at kMaxPythonSourceBytes and
// kMaxPythonTokens (the stream says it was cut), and never fails: broken code still tokenizes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trainctl::project {

inline constexpr std::size_t kMaxPythonSourceBytes = 2 * 1024 * 1024;
inline constexpr std::size_t kMaxPythonTokens = 400'000;

enum class TokenKind { kName, kNumber, kString, kOp, kNewline, kEnd };

// Offsets rather than views, so a token list stays valid when its source string moves.
struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::uint32_t begin = 0;       // byte offset in the source
  std::uint32_t length = 0;
  std::uint32_t line = 1;        // 1-based
  std::uint32_t indent = 0;      // the indentation of the logical line the token starts
  bool line_start = false;       // the first token of a logical line
};

inline constexpr std::size_t kNoMatch = static_cast<std::size_t>(-1);

struct TokenStream {
  std::vector<Token> tokens;     // always ends with kNewline (when non-empty) and one kEnd
  std::vector<std::size_t> match;  // per token: the index of its matching bracket, or kNoMatch
  bool truncated = false;        // a limit cut the source
};

TokenStream tokenize_python(std::string_view source);

// The value of a string token: prefix and quotes removed, escapes decoded unless raw. An
// f-string keeps its {fields} as written.
std::string python_string_value(std::string_view token_text);
bool is_fstring(std::string_view token_text);

}  // namespace trainctl::project
