// parse_shell: checks the input limit, runs the Parser over the whole text, turns its first error
// into a ShellSyntaxError with line and column, and puts the here-document bodies (read after
// the command that named them) into their redirects. Also the literal-word helpers.
#include "safety/shell_parser.h"

#include <string>
#include <utility>

#include "safety/shell_parser_state.h"

namespace trainctl::safety {

namespace {

using shell_internal::ParseContext;
using shell_internal::Parser;

// Puts each here-document body into the redirect it belongs to. The walk is as deep as the tree,
// which the parser's nesting limit bounds.
class HeredocFiller {
 public:
  explicit HeredocFiller(std::unordered_map<std::uint32_t, Word>& bodies) : bodies_(bodies) {}

  void script(Script& s) {
    for (ListItem& item : s.items) {
      for (Pipeline& pipeline : item.and_or.pipelines) {
        for (Command& c : pipeline.commands) command(c);
      }
    }
  }

 private:
  void command(Command& c) {
    for (Assignment& a : c.assignments) {
      word(a.value);
      words(a.array_values);
      words(a.subscript_words);
    }
    words(c.words);
    for (Redirect& r : c.redirects) {
      if (r.op == "<<" || r.op == "<<-") {
        auto found = bodies_.find(r.span.begin);
        if (found != bodies_.end()) {
          r.heredoc_body = std::move(found->second);
          bodies_.erase(found);
        }
        word(r.heredoc_body);
      }
      word(r.target);
    }
    for (Script& body : c.bodies) script(body);
    for (CaseItem& item : c.case_items) {
      words(item.patterns);
      for (Script& body : item.body) script(body);
    }
  }
  void words(std::vector<Word>& list) {
    for (Word& w : list) word(w);
  }
  void word(Word& w) {
    for (WordPart& part : w.parts) {
      words(part.args);
      words(part.subscript_words);
      for (Script& body : part.script) script(body);
    }
  }

  std::unordered_map<std::uint32_t, Word>& bodies_;
};

ShellSyntaxError located(ShellSyntaxError error, std::string_view source) {
  error.line = 1;
  error.column = 1;
  for (std::uint32_t i = 0; i < error.offset && i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++error.line;
      error.column = 1;
    } else {
      ++error.column;
    }
  }
  return error;
}

}  // namespace

std::string ShellSyntaxError::describe() const {
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

ShellParse parse_shell(std::string_view source) {
  if (source.size() > kMaxShellInputBytes) {
    ShellSyntaxError error;
    error.offset = static_cast<std::uint32_t>(kMaxShellInputBytes);
    error.message = "the command is " + std::to_string(source.size()) + " bytes; the limit is " +
                    std::to_string(kMaxShellInputBytes) + " bytes";
    return located(std::move(error), source);
  }
  ParseContext context;
  context.source = source;
  Parser parser(context, source, nullptr);
  Script script;
  if (!parser.parse_program(script) || context.failed) return located(context.error, source);
  if (!context.heredoc_bodies.empty()) HeredocFiller(context.heredoc_bodies).script(script);
  return script;
}

bool word_is_literal(const Word& word) {
  for (const WordPart& part : word.parts) {
    if (part.kind != WordPartKind::kLiteral) return false;
  }
  return true;
}

std::string literal_text(const Word& word) {
  std::string text;
  for (const WordPart& part : word.parts) {
    if (part.kind == WordPartKind::kLiteral) text += part.text;
  }
  return text;
}

}  // namespace trainctl::safety
