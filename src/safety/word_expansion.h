// Expands a shell word the way the shell would, as far as the check-time state allows: quotes
// removed, known variables and ~ substituted, brace alternatives made separate words. Anything
// unknown stays marked unknown, with the literal text before it kept for path judgement.
// Substitutions inside the word are handed to a callback so the evaluator judges their commands.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "safety/evaluated_command.h"
#include "safety/evaluation_scope.h"

namespace trainctl::safety {

inline constexpr std::size_t kMaxWordValues = 16;      // combinations of alternatives per word
inline constexpr std::size_t kMaxBraceWords = 64;      // words one brace expansion may produce
inline constexpr std::size_t kMaxValueBytes = 64 * 1024;  // a longer expanded value is judged unknown

// Evaluates a $(...) / <(...) body; returns the programs it runs (for ArgValue::produced_by).
using SubstitutionHandler = std::function<std::vector<std::string>(const Script&, Span)>;

struct ExpansionContext {
  const ShellScope& scope;
  const SpanMap& spans;
  std::string_view source;              // the text the word was parsed from (for display)
  const SubstitutionHandler& substitution;
};

// One word -> zero or more arguments (brace expansion and splitting of known values can make
// several; an unquoted empty expansion makes none).
std::vector<ArgValue> expand_word(const Word& word, const ExpansionContext& ctx);

// One word -> one value, without splitting or brace expansion (assignments, here-documents,
// redirection targets).
ArgValue expand_word_single(const Word& word, const ExpansionContext& ctx);

}  // namespace trainctl::safety
