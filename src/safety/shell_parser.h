// Parses a shell command line into the tree of shell_ast.h. Pure: reads only the text, never
// expands or runs anything. Hostile input hits a named limit and gets a syntax error that says
// where; the parser never crashes, recurses without bound, or runs in more than linear-ish time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "safety/shell_ast.h"

namespace trainctl::safety {

inline constexpr std::size_t kMaxShellInputBytes = 1024 * 1024;   // a command line, a script file
inline constexpr int kMaxShellNestingDepth = 200;                  // substitutions, groups, quotes
inline constexpr std::size_t kMaxShellNodes = 200000;              // words + commands, total

struct ShellSyntaxError {
  std::string message;      // e.g. "unterminated double quote (opened at line 1, column 9)"
  std::uint32_t offset = 0; // byte offset where the problem was found
  std::uint32_t line = 1;   // 1-based
  std::uint32_t column = 1; // 1-based, in bytes

  std::string describe() const;  // "line L, column C: message"
};

// Either the tree or the first syntax error. Incomplete input (an open quote, a missing `fi`,
// a here-document without its delimiter line) is an error, as `bash -n` would say.
// Reading notes (parser): extended globs are always read (as with shopt -s extglob); $'\u...'
// decodes to UTF-8. Stricter than `bash -n`, which leaves these unparsed until the line runs:
// ${...} operators are checked, backquoted bodies, substitutions in here-document bodies and a
// $(( that is really $( ( are parsed, and an empty [[ ]] or [[ a || ]] is an error.
using ShellParse = std::variant<Script, ShellSyntaxError>;

ShellParse parse_shell(std::string_view source);

// Bash's reading of one word when it needs no expansion: the literal text, or nullopt-like empty
// flag when any part is not a literal. Helpers for callers that only need static words.
bool word_is_literal(const Word& word);
std::string literal_text(const Word& word);  // concatenated literal parts (non-literals skipped)

}  // namespace trainctl::safety
