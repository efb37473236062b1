// What the evaluator knows about the shell's state while it walks a line: variables assigned so
// far (with every value they may hold), aliases, the working directory, and how spans of nested
// code map back onto the checked line. A value not set in the line is unknown, except HOME and PWD.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "safety/shell_ast.h"

namespace trainctl::safety {

inline constexpr std::size_t kMaxVariableValues = 16;  // possible values followed per variable

struct VarValue {
  std::vector<std::string> values;  // every value it may hold here
  bool unknown = true;              // it may also hold something we cannot know
  std::vector<std::string> producers;  // programs whose output it holds (x=$(curl ...))
};

struct ShellScope {
  std::map<std::string, VarValue> vars;
  std::map<std::string, std::string> aliases;
  std::string cwd;                  // absolute
  bool cwd_unknown = false;
  std::string home;
  bool conditional = false;         // inside a branch or loop: assignments add possibilities

  // The variable's possible values; HOME and PWD come from the context unless set in the line.
  VarValue lookup(const std::string& name) const;
  void assign(const std::string& name, VarValue value);
};

// Maps spans of a nested parse (a `sh -c` string, a file) onto the checked line. Exact when the
// nested text is a verbatim slice of the line; otherwise everything maps to the enclosing word.
struct SpanMap {
  bool exact = true;
  std::uint32_t base = 0;
  Span fallback;

  Span map(Span inner) const {
    if (exact) return {base + inner.begin, base + inner.end};
    return fallback;
  }
};

}  // namespace trainctl::safety
