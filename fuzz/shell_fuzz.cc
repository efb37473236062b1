// libFuzzer target for the shell parser: any input must end in a tree or a syntax error, never a
// crash, hang or leak. A tree must have every span inside the input with begin <= end; an error
// must point inside the input with a 1-based line and column. Any violation aborts.
// Seeds: the command lines of the parser's tests and of tests/safety/corpus/*.jsonl.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "safety/shell_parser.h"

namespace {

using namespace trainctl::safety;

class SpanChecker {
 public:
  explicit SpanChecker(std::size_t size) : size_(size) {}

  void script(const Script& s) {
    span(s.span);
    for (const ListItem& item : s.items) {
      span(item.span);
      span(item.and_or.span);
      if (item.and_or.ops.size() + 1 != item.and_or.pipelines.size()) __builtin_trap();
      for (const Pipeline& pipeline : item.and_or.pipelines) {
        span(pipeline.span);
        if (pipeline.commands.empty() || pipeline.stderr_piped.size() + 1 != pipeline.commands.size()) {
          __builtin_trap();
        }
        for (const Command& c : pipeline.commands) command(c);
      }
    }
  }

 private:
  void span(Span s) const {
    if (s.begin > s.end || s.end > size_) __builtin_trap();
  }
  void command(const Command& c) {
    span(c.span);
    for (const Assignment& a : c.assignments) {
      span(a.span);
      word(a.value);
      words(a.array_values);
      words(a.subscript_words);
    }
    words(c.words);
    for (const Redirect& r : c.redirects) {
      span(r.span);
      word(r.target);
      word(r.heredoc_body);
    }
    for (const Script& body : c.bodies) script(body);
    for (const CaseItem& item : c.case_items) {
      span(item.span);
      words(item.patterns);
      if (item.body.size() != 1) __builtin_trap();
      script(item.body[0]);
    }
  }
  void words(const std::vector<Word>& list) {
    for (const Word& w : list) word(w);
  }
  void word(const Word& w) {
    span(w.span);
    for (const WordPart& part : w.parts) {
      span(part.span);
      words(part.args);
      words(part.subscript_words);
      for (const Script& body : part.script) script(body);
    }
  }

  std::size_t size_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ShellParse parse = parse_shell(text);
  if (const auto* error = std::get_if<ShellSyntaxError>(&parse)) {
    if (error->offset > size || error->line < 1 || error->column < 1 || error->message.empty()) __builtin_trap();
    (void)error->describe();
    return 0;
  }
  SpanChecker(size).script(std::get<Script>(parse));
  return 0;
}
