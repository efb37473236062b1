// The shell parser's cursor: characters with line continuations (backslash-newline) removed the way
// bash removes them before it forms tokens, blanks, comments, newlines (which bring in the bodies
// of pending here-documents), plain-word lookahead for reserved words, and the mapping of
// offsets, errors and limits back to the source.
#include <string>

#include "safety/shell_parser_state.h"

namespace trainctl::safety::shell_internal {

namespace {

int as_int(char c) { return static_cast<unsigned char>(c); }

}  // namespace

bool is_name_start(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(int c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_blank(int c) { return c == ' ' || c == '\t'; }
bool is_metachar(int c) {
  return c == '|' || c == '&' || c == ';' || c == '(' || c == ')' || c == '<' || c == '>' || c == ' ' ||
         c == '\t' || c == '\n';
}

bool is_valid_name(std::string_view text) {
  if (text.empty() || !is_name_start(as_int(text[0]))) return false;
  for (char c : text) {
    if (!is_name_char(as_int(c))) return false;
  }
  return true;
}

Parser::Parser(ParseContext& context, std::string_view text, const std::vector<std::uint32_t>* to_source)
    : context_(context), text_(text), to_source_(to_source), end_(text.size()) {}

bool Parser::parse_program(Script& out) {
  if (!parse_list(out)) return false;
  if (!at_end()) return fail(pos(), "syntax error: unexpected " + describe_here());
  return check_no_pending_heredocs();
}

std::size_t Parser::skip_continuations(std::size_t at) const {
  while (at + 1 < end_ && text_[at] == '\\' && text_[at + 1] == '\n') at += 2;
  return at;
}

std::size_t Parser::pos() {
  pos_ = skip_continuations(pos_);
  return pos_;
}

int Parser::peek() {
  pos_ = skip_continuations(pos_);
  return pos_ < end_ ? as_int(text_[pos_]) : kEnd;
}

int Parser::peek_at(std::size_t ahead) {
  std::size_t at = skip_continuations(pos_);
  for (; ahead > 0; --ahead) {
    if (at >= end_) return kEnd;
    at = skip_continuations(at + 1);
  }
  return at < end_ ? as_int(text_[at]) : kEnd;
}

void Parser::advance(std::size_t count) {
  for (; count > 0; --count) {
    pos_ = skip_continuations(pos_);
    if (pos_ < end_) ++pos_;
  }
}

void Parser::skip_blanks() {
  while (is_blank(peek())) advance();
}

void Parser::skip_comment() {
  pos_ = skip_continuations(pos_);
  // Comments are raw: a backslash at the end of a comment does not continue it.
  while (pos_ < end_ && text_[pos_] != '\n') ++pos_;
}

bool Parser::skip_linebreaks() {
  for (;;) {
    skip_blanks();
    const int c = peek();
    if (c == '#') {
      skip_comment();
    } else if (c == '\n') {
      if (!consume_newline()) return false;
    } else {
      return !failed();
    }
  }
}

bool Parser::consume_newline() {
  advance();
  if (pending_.empty()) return true;
  return read_pending_heredocs();
}

PlainWord Parser::peek_plain_word_at(std::size_t at) {
  PlainWord word;
  at = skip_continuations(at);
  while (at < end_) {
    const int c = as_int(text_[at]);
    if (is_metachar(c)) break;
    if (c == '\'' || c == '"' || c == '\\' || c == '$' || c == '`' || word.size >= kMaxPlainWord) {
      word.size = 0;
      return word;
    }
    word.chars[word.size++] = text_[at];
    at = skip_continuations(at + 1);
  }
  word.end = at;
  word.plain = word.size > 0;
  return word;
}

bool Parser::at_reserved(std::string_view word) {
  const PlainWord plain = peek_plain_word();
  return plain.plain && plain.text() == word;
}

std::string Parser::describe_here() {
  const int c = peek();
  if (c == kEnd) return "end of input";
  if (c == '\n') return "newline";
  const PlainWord plain = peek_plain_word();
  if (plain.plain) return "`" + std::string(plain.text()) + "`";
  static constexpr std::string_view kOperators[] = {";;&", ";;", ";&", "&&", "||", "|&", "&>>", "&>", ">>", "<<", ">&",
                                                    "<&", ">|", "<>", ";", "&", "|", "(", ")", "<", ">"};
  for (std::string_view op : kOperators) {
    bool match = true;
    for (std::size_t i = 0; i < op.size(); ++i) {
      if (peek_at(i) != as_int(op[i])) {
        match = false;
        break;
      }
    }
    if (match) return "`" + std::string(op) + "`";
  }
  return "`" + std::string(1, static_cast<char>(c)) + "`";
}

std::uint32_t Parser::src(std::size_t local) const {
  if (to_source_ == nullptr) return static_cast<std::uint32_t>(local);
  if (local >= to_source_->size()) return to_source_->back();
  return (*to_source_)[local];
}

Span Parser::span(std::size_t begin, std::size_t end) const {
  Span s{src(begin), src(end)};
  if (s.end < s.begin) s.end = s.begin;
  return s;
}

std::string Parser::where(std::size_t local) const {
  const std::uint32_t offset = src(local);
  std::uint32_t line = 1;
  std::uint32_t column = 1;
  for (std::uint32_t i = 0; i < offset && i < context_.source.size(); ++i) {
    if (context_.source[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

bool Parser::fail(std::size_t local, std::string message) {
  if (context_.failed) return false;
  context_.failed = true;
  context_.error.offset = src(local);
  context_.error.message = std::move(message);
  return false;
}

bool Parser::enter(std::size_t local) {
  ++context_.depth;
  if (context_.depth <= kMaxShellNestingDepth) return !failed();
  return fail(local, "nesting deeper than " + std::to_string(kMaxShellNestingDepth) +
                         " levels (substitutions, quotes, groups and braces inside each other)");
}

bool Parser::count_node(std::size_t local, std::size_t count) {
  context_.nodes += count;
  if (context_.nodes <= kMaxShellNodes) return !failed();
  return fail(local, "more than " + std::to_string(kMaxShellNodes) + " words, parts and commands");
}

TextWindow::TextWindow(Parser& parser, std::size_t begin, std::size_t end, std::size_t resume_at)
    : parser_(parser), saved_end_(parser.end_), resume_at_(resume_at) {
  parser_.pos_ = begin;
  parser_.end_ = end;
}

TextWindow::~TextWindow() {
  parser_.end_ = saved_end_;
  parser_.pos_ = resume_at_;
}

}  // namespace trainctl::safety::shell_internal
