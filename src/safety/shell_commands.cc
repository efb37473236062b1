// The shell grammar above the word: lists (; & newline), and-or lists (&& ||), pipelines (| |& !
// time), simple commands with their assignments, words and redirections, function definitions
// `name() body`, and compound array assignments (a=(x y), also as arguments of declare & co).
#include <string>
#include <utility>

#include "safety/shell_parser_state.h"

namespace trainctl::safety::shell_internal {

namespace {

bool is_digit(int c) { return c >= '0' && c <= '9'; }

// Reserved words that cannot start a command (`in` included: bash rejects it there too).
bool is_closing_reserved(std::string_view word) {
  return word == "then" || word == "elif" || word == "else" || word == "fi" || word == "do" || word == "done" ||
         word == "esac" || word == "}" || word == "in";
}

// Builtins whose NAME=(...) arguments bash reads as compound array assignments.
bool is_declaration_builtin(std::string_view word) {
  return word == "declare" || word == "typeset" || word == "local" || word == "export" || word == "readonly";
}

// NAME= NAME+= NAME[sub]= as one unquoted literal: an argument that can take a (...) array.
bool is_array_assignment_prefix(const Word& word) {
  if (word.parts.size() != 1 || word.parts[0].kind != WordPartKind::kLiteral || word.parts[0].quoted) return false;
  std::string_view text = word.parts[0].text;
  if (text.empty() || text.back() != '=') return false;
  text.remove_suffix(1);
  if (!text.empty() && text.back() == '+') text.remove_suffix(1);
  const std::size_t bracket = text.find('[');
  if (bracket != std::string_view::npos) {
    if (text.back() != ']') return false;
    text = text.substr(0, bracket);
  }
  return is_valid_name(text);
}

bool is_function_name(const Word& word) {
  if (word.parts.empty()) return false;
  for (const WordPart& part : word.parts) {
    if (part.kind != WordPartKind::kLiteral || part.quoted) return false;
  }
  return true;
}

}  // namespace

WordOptions argument_word() {
  WordOptions options;
  options.braces = true;
  options.globs = true;
  options.tilde = true;
  return options;
}

WordOptions pattern_word() {
  WordOptions options;
  options.globs = true;
  options.tilde = true;
  return options;
}

WordOptions plain_word() { return WordOptions{}; }

Script wrap_in_script(Command command) {
  Pipeline pipeline;
  pipeline.span = command.span;
  pipeline.commands.push_back(std::move(command));
  AndOr and_or;
  and_or.span = pipeline.span;
  and_or.pipelines.push_back(std::move(pipeline));
  ListItem item;
  item.span = and_or.span;
  item.and_or = std::move(and_or);
  Script script;
  script.span = item.span;
  script.items.push_back(std::move(item));
  return script;
}

bool Parser::at_list_end() {
  const int c = peek();
  if (c == kEnd || c == ')') return true;
  if (c == ';' && (peek_at(1) == ';' || peek_at(1) == '&')) return true;
  const PlainWord word = peek_plain_word();
  return word.plain && is_closing_reserved(word.text());
}

bool Parser::parse_list(Script& out) {
  out.span = span(pos(), pos());
  for (;;) {
    if (!skip_linebreaks()) return false;
    if (at_list_end()) break;
    ListItem item;
    const std::size_t begin = pos();
    if (!parse_and_or(item.and_or)) return false;
    skip_blanks();
    if (peek() == '#') skip_comment();
    const int c = peek();
    const int next = peek_at(1);
    bool more = true;
    if (c == '&' && next != '&' && next != '>') {
      item.background = true;
      advance();
    } else if (c == ';' && next != ';' && next != '&') {
      advance();
    } else if (c != '\n') {
      if (!at_list_end()) return fail(pos(), "syntax error: unexpected " + describe_here());
      more = false;
    }
    item.span = span(begin, pos_);
    if (c == '\n' || !more) item.span.end = item.and_or.span.end;
    if (out.items.empty()) out.span.begin = item.span.begin;
    out.span.end = item.span.end;
    out.items.push_back(std::move(item));
    if (!more) break;
  }
  return true;
}

bool Parser::parse_and_or(AndOr& out) {
  const std::size_t begin = pos();
  std::size_t end = begin;
  for (;;) {
    Pipeline pipeline;
    bool found = false;
    if (!parse_pipeline(pipeline, found)) return false;
    if (!found) {
      if (out.pipelines.empty()) return fail(pos(), "syntax error: unexpected " + describe_here());
      const char* op = out.ops.back() == AndOrOp::kAnd ? "&&" : "||";
      return fail(pos(), std::string("syntax error: expected a command after `") + op + "`, found " + describe_here());
    }
    out.pipelines.push_back(std::move(pipeline));
    end = pos_;
    skip_blanks();
    const int c = peek();
    if (!((c == '&' || c == '|') && peek_at(1) == c)) break;
    out.ops.push_back(c == '&' ? AndOrOp::kAnd : AndOrOp::kOr);
    advance(2);
    if (!skip_linebreaks()) return false;
  }
  out.span = span(begin, end);
  return true;
}

bool Parser::parse_pipeline(Pipeline& out, bool& found) {
  found = false;
  const std::size_t begin = pos();
  std::size_t end = begin;
  const char* prefix = nullptr;
  for (;;) {
    skip_blanks();
    const PlainWord word = peek_plain_word();
    if (word.plain && word.text() == "!") {
      out.negated = !out.negated;
      prefix = "!";
    } else if (word.plain && word.text() == "time" && !out.timed) {
      out.timed = true;
      prefix = "time";
    } else if (word.plain && word.text() == "-p" && prefix != nullptr && std::string_view(prefix) == "time") {
      prefix = "time -p";
    } else {
      break;
    }
    consume_plain(word);
  }
  for (;;) {
    Command command;
    bool command_found = false;
    if (!parse_command(command, command_found)) return false;
    if (!command_found) {
      if (!out.commands.empty()) {
        return fail(pos(), std::string("syntax error: expected a command after `") +
                               (out.stderr_piped.back() ? "|&" : "|") + "`, found " + describe_here());
      }
      if (prefix == nullptr) return true;
      const int c = peek();
      if (!(c == kEnd || c == '\n' || c == ';' || c == ')')) {
        return fail(pos(), std::string("syntax error: expected a command after `") + prefix + "`, found " +
                               describe_here());
      }
      // A bare `time` or `!` (bash accepts both): one empty simple command.
      command.kind = CommandKind::kSimple;
      command.span = span(pos(), pos());
      if (!count_node(pos())) return false;
      out.commands.push_back(std::move(command));
      end = pos_;
      break;
    }
    out.commands.push_back(std::move(command));
    end = pos_;
    skip_blanks();
    if (peek() != '|' || peek_at(1) == '|') break;
    const bool with_stderr = peek_at(1) == '&';
    out.stderr_piped.push_back(with_stderr);
    advance(with_stderr ? 2 : 1);
    if (!skip_linebreaks()) return false;
    if (at_reserved("!")) {  // ! negates a whole pipeline, so bash takes it only at the start
      return fail(pos(), std::string("syntax error: unexpected `!` after `") + (with_stderr ? "|&" : "|") +
                             "` (! negates a whole pipeline and goes before its first command)");
    }
  }
  found = true;
  out.span = span(begin, end);
  return true;
}

bool Parser::parse_command(Command& out, bool& found) {
  skip_blanks();
  const std::size_t begin = pos();
  if (compound_ahead(begin)) {
    found = true;
    if (!count_node(begin) || !parse_compound(out) || !parse_trailing_redirects(out)) return false;
    out.span = span(begin, pos_);
    return true;
  }
  const PlainWord word = peek_plain_word();
  if (word.plain && is_closing_reserved(word.text())) {
    found = false;
    return true;
  }
  if (!parse_simple_command(out, found)) return false;
  return !found || count_node(begin);
}

bool Parser::parse_trailing_redirects(Command& out) {
  for (;;) {
    const std::size_t before = pos_;
    skip_blanks();
    if (!redirect_ahead()) {
      pos_ = before;  // the command's span ends at its last redirection, not at trailing blanks
      return true;
    }
    Redirect redirect;
    if (!parse_redirect(redirect)) return false;
    out.redirects.push_back(std::move(redirect));
  }
}

bool Parser::parse_simple_command(Command& out, bool& found) {
  out.kind = CommandKind::kSimple;
  const std::size_t begin = pos();
  std::size_t end = begin;
  bool declaration = false;
  for (;;) {
    skip_blanks();
    const int c = peek();
    if (c == kEnd || c == '\n' || c == ';' || c == '|' || c == ')') break;
    if (c == '&' && peek_at(1) != '>') break;
    if (c == '#') {
      skip_comment();
      continue;
    }
    if (c == '(') {
      if (out.words.size() == 1 && out.assignments.empty() && out.redirects.empty() && is_function_name(out.words[0])) {
        Word name = std::move(out.words[0]);
        out.words.clear();
        found = true;
        if (!parse_function_def(out, std::move(name))) return false;
        out.span = span(begin, pos_);
        return true;
      }
      return fail(pos(), "syntax error: unexpected `(`" +
                             std::string(out.words.empty() ? "" : " (a function is defined as `name() { ...; }`)"));
    }
    if (redirect_ahead()) {
      Redirect redirect;
      if (!parse_redirect(redirect)) return false;
      out.redirects.push_back(std::move(redirect));
      end = pos_;
      continue;
    }
    if (out.words.empty() && !check_command_subscript(pos())) return false;
    if (out.words.empty() && assignment_ahead(pos())) {
      Assignment assignment;
      if (!parse_assignment(assignment)) return false;
      out.assignments.push_back(std::move(assignment));
      end = pos_;
      continue;
    }
    Word word;
    if (!parse_word(argument_word(), word)) return false;
    if (out.words.empty()) {
      declaration = word_is_literal(word) && is_declaration_builtin(literal_text(word));
    } else if (declaration && peek() == '(' && is_array_assignment_prefix(word)) {
      // declare a=(x y): one word, the elements joined by spaces inside the parentheses.
      const std::size_t open = pos();
      advance();
      std::vector<Word> elements;
      if (!parse_array_elements(open, elements)) return false;
      const auto literal = [&](const char* text, Span where) {
        WordPart part;
        part.kind = WordPartKind::kLiteral;
        part.text = text;
        part.span = where;
        word.parts.push_back(std::move(part));
      };
      literal("(", span(open, open + 1));
      for (std::size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) literal(" ", Span{elements[i].span.begin, elements[i].span.begin});
        for (WordPart& part : elements[i].parts) word.parts.push_back(std::move(part));
      }
      literal(")", span(pos_ - 1, pos_));
      if (!count_node(open, elements.size() + 1)) return false;
      word.span.end = src(pos_);
    }
    out.words.push_back(std::move(word));
    end = pos_;
  }
  found = !out.words.empty() || !out.assignments.empty() || !out.redirects.empty();
  out.span = span(begin, end);
  return true;
}

bool Parser::parse_function_def(Command& out, Word name) {
  const std::size_t open = pos();
  const std::string function_name = literal_text(name);
  advance();
  skip_blanks();
  if (peek() != ')') {
    return fail(pos(), "syntax error: expected `)` after `" + function_name + "(` at " + where(open) + ", found " +
                           describe_here());
  }
  advance();
  if (!skip_linebreaks()) return false;
  if (!compound_ahead(pos())) {
    return fail(pos(), "syntax error: expected the body of function `" + function_name +
                           "` (a compound command such as `{ ...; }`), found " + describe_here());
  }
  Command body;
  const std::size_t body_begin = pos();
  if (!count_node(body_begin) || !parse_compound(body) || !parse_trailing_redirects(body)) return false;
  body.span = span(body_begin, pos_);
  out.kind = CommandKind::kFunction;
  out.name = function_name;
  out.bodies.push_back(wrap_in_script(std::move(body)));
  return true;
}

bool Parser::assignment_ahead(std::size_t at) {
  at = skip_continuations(at);
  if (at >= end_ || !is_name_start(static_cast<unsigned char>(text_[at]))) return false;
  while (at < end_ && is_name_char(static_cast<unsigned char>(text_[at]))) at = skip_continuations(at + 1);
  if (at < end_ && text_[at] == '[') {
    // Bash reads an assignment's subscript as a bracketed unit: a[i + 1]=x is one assignment.
    const std::size_t close = find_subscript_close(at, true);
    if (close == kNotFound) return false;
    at = skip_continuations(close + 1);
  }
  if (at < end_ && text_[at] == '+') at = skip_continuations(at + 1);
  return at < end_ && text_[at] == '=';
}

bool Parser::check_command_subscript(std::size_t at) {
  // Bash reads NAME[ at the start of a command as the start of a subscript and looks for its ]
  // to the end of the input; with no ] left, the line is a syntax error.
  if (at >= end_ || !is_name_start(static_cast<unsigned char>(text_[at]))) return true;
  while (at < end_ && is_name_char(static_cast<unsigned char>(text_[at]))) at = skip_continuations(at + 1);
  if (at >= end_ || text_[at] != '[') return true;
  if (closing_bracket_from_ > at || (closing_bracket_at_ != kNotFound && closing_bracket_at_ < at)) {
    const std::size_t found = text_.find(']', at);
    closing_bracket_at_ = found == std::string_view::npos ? kNotFound : found;
    closing_bracket_from_ = at;
  }
  if (closing_bracket_at_ != kNotFound && closing_bracket_at_ < end_) return true;
  return fail(end_, "unterminated subscript `[` opened at " + where(at) + " (expected `]`)");
}

bool Parser::parse_assignment(Assignment& out) {
  const std::size_t begin = pos();
  while (is_name_char(peek())) {
    out.name.push_back(static_cast<char>(peek()));
    advance();
  }
  if (peek() == '[' && !parse_subscript(pos(), out.subscript, out.subscript_words)) return false;
  if (peek() == '+') {
    out.append = true;
    advance();
  }
  advance();  // =
  if (peek() == '(') {
    out.is_array = true;
    const std::size_t open = pos();
    advance();
    if (!parse_array_elements(open, out.array_values)) return false;
  } else {
    WordOptions options;
    options.mode = WordMode::kAssignment;
    options.assignment_tilde = true;
    const std::size_t value_begin = pos();
    std::vector<WordPart> pieces;
    if (!scan_pieces(options, pieces) || !finish_word(options, std::move(pieces), value_begin, out.value)) return false;
  }
  out.span = span(begin, pos_);
  return count_node(begin);
}

bool Parser::parse_array_elements(std::size_t open, std::vector<Word>& out) {
  for (;;) {
    if (!skip_linebreaks()) return false;
    const int c = peek();
    if (c == ')') {
      advance();
      return true;
    }
    if (c == kEnd) return fail(pos(), "unterminated array `(` opened at " + where(open) + " (expected `)`)");
    if (is_metachar(c) && !((c == '<' || c == '>') && peek_at(1) == '(')) {
      return fail(pos(), "syntax error: unexpected " + describe_here() + " in the array `(` opened at " + where(open));
    }
    // [key]=value is a keyed element, not a glob.
    const WordOptions options = c == '[' ? plain_word() : argument_word();
    Word word;
    if (!parse_word(options, word)) return false;
    out.push_back(std::move(word));
  }
}

bool Parser::redirect_ahead() {
  const int c = peek();
  if (c == '<' || c == '>') return peek_at(1) != '(';
  if (c == '&') return peek_at(1) == '>';
  std::size_t at = pos();
  if (is_digit(c)) {
    std::size_t digits = 0;
    while (at < end_ && is_digit(static_cast<unsigned char>(text_[at]))) {
      at = skip_continuations(at + 1);
      if (++digits > 9) return false;  // not an fd bash would take: the digits are a word
    }
  } else if (c == '{') {
    at = skip_continuations(at + 1);
    if (at >= end_ || !is_name_start(static_cast<unsigned char>(text_[at]))) return false;
    while (at < end_ && is_name_char(static_cast<unsigned char>(text_[at]))) at = skip_continuations(at + 1);
    if (at >= end_ || text_[at] != '}') return false;
    at = skip_continuations(at + 1);
  } else {
    return false;
  }
  if (at >= end_ || (text_[at] != '<' && text_[at] != '>')) return false;
  const std::size_t next = skip_continuations(at + 1);
  return next >= end_ || text_[next] != '(';
}

}  // namespace trainctl::safety::shell_internal
