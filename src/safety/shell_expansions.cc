// Reading the expansions inside a word: $name and the special parameters, ${...} with every bash
// operator (arguments read as words), $(...) and <(...) / >(...) (bodies parsed as scripts),
// $((...)) and $[...] (expressions read as words, so substitutions inside are found) and
// backquotes (decoded as bash does, then parsed by a nested Parser whose offsets map back).
#include <string>
#include <utility>

#include "safety/shell_parser_state.h"

namespace trainctl::safety::shell_internal {

namespace {

bool is_digit(int c) { return c >= '0' && c <= '9'; }
bool is_special_parameter(int c) {
  return c == '@' || c == '*' || c == '#' || c == '?' || c == '$' || c == '!' || c == '-';
}

}  // namespace

std::size_t Parser::find_arithmetic_close(std::size_t from, char close) const {
  const char open = close == ')' ? '(' : '[';
  int depth = 0;
  std::size_t i = from;
  while (i < end_) {
    const char c = text_[i];
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      ++i;
      while (i < end_ && text_[i] != c) i += (text_[i] == '\\' && c != '\'') ? 2 : 1;
      if (i >= end_) return kRanOff;
      ++i;
      continue;
    }
    if (c == open) {
      ++depth;
    } else if (c == close) {
      if (depth == 0) {
        if (close == ']') return i;
        const std::size_t next = skip_continuations(i + 1);
        return next < end_ && text_[next] == ')' ? i : kNotFound;
      }
      --depth;
    }
    ++i;
  }
  return kRanOff;
}

bool Parser::parse_dollar(std::vector<WordPart>& out, WordMode mode) {
  const std::size_t at = pos();
  const int next = peek_at(1);
  const bool quoted = mode == WordMode::kDoubleQuoted || mode == WordMode::kParamArgQuoted || mode == WordMode::kHeredoc;
  const bool unquoted = !quoted && mode != WordMode::kArithmetic;
  if (next == '\'' && unquoted) return parse_ansi_c_quoted(out);
  if (next == '"' && unquoted) {  // $"..." (translated string): a double-quoted string
    advance();
    return parse_double_quoted(out);
  }
  if (next == '{') return parse_braced_parameter(out, quoted);
  if (next == '(') {
    if (peek_at(2) == '(') {
      const std::size_t saved = pos_;
      advance(3);
      const std::size_t close = find_arithmetic_close(pos(), ')');
      pos_ = saved;
      if (close == kRanOff) return fail(end_, "unterminated $(( opened at " + where(at) + " (expected `))`)");
      if (close != kNotFound) return parse_arithmetic_expansion(out, quoted, close);
    }
    return parse_command_substitution(out, WordPartKind::kCommandSubstitution, quoted);
  }
  if (next == '[') {
    const std::size_t saved = pos_;
    advance(2);
    const std::size_t close = find_arithmetic_close(pos(), ']');
    pos_ = saved;
    if (close == kNotFound || close == kRanOff) {
      return fail(end_, "unterminated $[ opened at " + where(at) + " (expected `]`)");
    }
    return parse_arithmetic_expansion(out, quoted, close);
  }
  WordPart part;
  part.kind = WordPartKind::kParameter;
  part.quoted = quoted;
  if (is_name_start(next)) {
    advance();
    while (is_name_char(peek())) {
      part.name.push_back(static_cast<char>(peek()));
      advance();
    }
  } else if (is_digit(next) || is_special_parameter(next)) {
    advance();
    part.name.assign(1, static_cast<char>(peek()));
    advance();
  } else {
    append_char(out, '$', at, quoted);
    advance();
    return true;
  }
  part.span = span(at, pos_);
  return push_part(out, std::move(part), at);
}

bool Parser::parse_braced_parameter(std::vector<WordPart>& out, bool quoted) {
  const std::size_t open = pos();
  DepthGuard guard(*this, open);
  if (!guard.ok()) return false;
  advance(2);
  WordPart part;
  part.kind = WordPartKind::kParameter;
  part.quoted = quoted;
  auto read_name = [&]() {
    std::string name;
    const int c = peek();
    if (is_name_start(c)) {
      while (is_name_char(peek())) {
        name.push_back(static_cast<char>(peek()));
        advance();
      }
    } else if (is_digit(c)) {
      while (is_digit(peek())) {
        name.push_back(static_cast<char>(peek()));
        advance();
      }
    } else if (is_special_parameter(c)) {
      name.assign(1, static_cast<char>(c));
      advance();
    }
    return name;
  };
  const int first = peek();
  if (first == '#' && peek_at(1) != '}') {
    // ${#x} is the length of x; ${#} and ${#-word} and the like are $# with an operator.
    const std::size_t saved = pos_;
    advance();
    const std::string name = read_name();
    if (!name.empty() && (peek() == '}' || (peek() == '[' && is_name_start(name[0])))) {
      part.name = name;
      part.op = "length";
    } else {
      pos_ = saved;
    }
  } else if (first == '!' && peek_at(1) != '}' && (is_name_start(peek_at(1)) || is_digit(peek_at(1)) ||
                                                     is_special_parameter(peek_at(1)))) {
    advance();
    part.name = read_name();
    part.indirect = true;
  }
  if (part.name.empty()) part.name = read_name();
  if (part.name.empty()) {
    if (peek() == kEnd) return fail(pos(), "unterminated ${ opened at " + where(open) + " (expected a name and `}`)");
    return fail(pos(), "bad substitution: expected a parameter name after the `${` at " + where(open) + ", found " +
                           describe_here());
  }
  if (peek() == '[' && is_name_start(part.name[0])) {
    if (!parse_subscript(pos(), part.subscript, part.subscript_words)) return false;
  }
  if (part.indirect) {
    const int c = peek();
    if ((c == '*' || c == '@') && peek_at(1) == '}' && part.subscript_words.empty()) {
      part.op = "prefix";
      part.text.assign(1, static_cast<char>(c));
      advance();
    } else if (c == '}' && (part.subscript == "@" || part.subscript == "*")) {
      part.op = "keys";
    } else if (c == '}') {
      part.op = "indirect";
    }
  }
  if (part.op.empty() && peek() != '}') {
    if (!parse_parameter_operator(part, quoted)) return false;
  }
  if (peek() != '}') {
    if (peek() == kEnd) return fail(pos(), "unterminated ${ opened at " + where(open) + " (expected `}`)");
    return fail(pos(), "bad substitution: unexpected " + describe_here() + " in the ${" + part.name +
                           " opened at " + where(open));
  }
  advance();
  part.span = span(open, pos_);
  return push_part(out, std::move(part), open);
}

bool Parser::parse_parameter_operator(WordPart& part, bool quoted) {
  const int c = peek();
  const int next = peek_at(1);
  auto take = [&](std::string op, std::size_t length) {
    part.op = std::move(op);
    advance(length);
  };
  if (c == ':' && (next == '-' || next == '=' || next == '?' || next == '+')) {
    take(std::string(1, ':') + static_cast<char>(next), 2);
    return parse_parameter_arg(part, quoted, 0, false);
  }
  if (c == ':') {  // ${x:offset} and ${x:offset:length}
    take(":", 1);
    if (!parse_parameter_arg(part, quoted, ':', false)) return false;
    if (peek() != ':') return true;
    advance();
    return parse_parameter_arg(part, quoted, 0, false);
  }
  if (c == '-' || c == '=' || c == '?' || c == '+') {
    take(std::string(1, static_cast<char>(c)), 1);
    return parse_parameter_arg(part, quoted, 0, false);
  }
  if (c == '#' || c == '%' || c == '^' || c == ',') {
    if (next == c) {
      take(std::string(2, static_cast<char>(c)), 2);
    } else {
      take(std::string(1, static_cast<char>(c)), 1);
    }
    return parse_parameter_arg(part, quoted, 0, true);
  }
  if (c == '/') {
    if (next == '/' || next == '#' || next == '%') {
      take(std::string(1, '/') + static_cast<char>(next), 2);
    } else {
      take("/", 1);
    }
    if (!parse_parameter_arg(part, quoted, '/', true)) return false;
    if (peek() == '/') {
      advance();
      return parse_parameter_arg(part, quoted, 0, false);
    }
    Word empty;
    empty.span = span(pos(), pos());
    part.args.push_back(std::move(empty));
    return true;
  }
  if (c == '@') {
    const int letter = peek_at(1);
    if ((letter >= 'a' && letter <= 'z') || (letter >= 'A' && letter <= 'Z')) {
      take("@", 2);
      part.text.assign(1, static_cast<char>(letter));
      return true;
    }
  }
  if (c == kEnd) return true;  // the caller reports the missing }
  return fail(pos(), "bad substitution: unexpected " + describe_here() + " after ${" + part.name);
}

bool Parser::parse_parameter_arg(WordPart& part, bool quoted, char stop, bool pattern) {
  WordOptions options;
  options.mode = quoted ? WordMode::kParamArgQuoted : WordMode::kParamArg;
  options.stop = stop;
  options.single_quotes = pattern;
  options.globs = !quoted;
  options.tilde = !quoted && !pattern && stop == 0;
  Word word;
  if (!parse_word(options, word)) return false;
  part.args.push_back(std::move(word));
  return true;
}

std::size_t Parser::find_subscript_close(std::size_t open, bool in_assignment) const {
  int brackets = 0;
  int parens = 0;
  for (std::size_t i = open; i < end_; ++i) {
    const char c = text_[i];
    if (c == '\\') {
      ++i;
    } else if (c == '\'' || c == '"' || c == '`') {
      for (++i; i < end_ && text_[i] != c; ++i) {
        if (text_[i] == '\\' && c != '\'') ++i;
      }
      if (i >= end_) return kNotFound;
    } else if (c == '(') {
      ++parens;
    } else if (c == ')') {
      if (parens == 0 && in_assignment) return kNotFound;
      if (parens > 0) --parens;
    } else if (c == '[') {
      ++brackets;
    } else if (c == ']') {
      if (--brackets == 0) return i;
    } else if (in_assignment && parens == 0 && (c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>')) {
      return kNotFound;
    }
  }
  return kNotFound;
}

bool Parser::parse_subscript(std::size_t open, std::string& text, std::vector<Word>& word) {
  const std::size_t close = find_subscript_close(open, false);
  if (close == kNotFound) return fail(end_, "unterminated subscript `[` opened at " + where(open) + " (expected `]`)");
  text.assign(text_.substr(open + 1, close - open - 1));
  word.emplace_back();
  return parse_arithmetic_word(open + 1, close, close + 1, word.back());
}

bool Parser::parse_arithmetic_word(std::size_t begin, std::size_t end, std::size_t resume, Word& out) {
  DepthGuard guard(*this, begin);
  if (!guard.ok()) return false;
  TextWindow window(*this, begin, end, resume);
  WordOptions options;
  options.mode = WordMode::kArithmetic;
  std::vector<WordPart> pieces;
  if (!scan_pieces(options, pieces)) return false;
  return finish_word(options, std::move(pieces), begin, out);
}

bool Parser::parse_command_substitution(std::vector<WordPart>& out, WordPartKind kind, bool quoted) {
  const std::size_t open = pos();
  DepthGuard guard(*this, open);
  if (!guard.ok()) return false;
  const char opener = static_cast<char>(peek());
  advance(2);
  WordPart part;
  part.kind = kind;
  part.quoted = quoted;
  if (kind == WordPartKind::kProcessSubstitution) part.text.assign(1, opener);
  part.script.emplace_back();
  if (!parse_list(part.script.back())) return false;
  if (peek() != ')') {
    const std::string what = std::string(1, opener) + "(";
    if (peek() == kEnd) return fail(pos(), "unterminated " + what + " opened at " + where(open) + " (expected `)`)");
    return fail(pos(), "syntax error: unexpected " + describe_here() + " inside the " + what + " opened at " +
                           where(open));
  }
  advance();
  part.span = span(open, pos_);
  return push_part(out, std::move(part), open);
}

bool Parser::parse_arithmetic_expansion(std::vector<WordPart>& out, bool quoted, std::size_t close) {
  const std::size_t open = pos();
  const bool brackets = peek_at(1) == '[';
  advance(brackets ? 2 : 3);
  WordPart part;
  part.kind = WordPartKind::kArithmetic;
  part.quoted = quoted;
  part.args.emplace_back();
  const std::size_t resume = brackets ? close + 1 : skip_continuations(close + 1) + 1;
  if (!parse_arithmetic_word(pos(), close, resume, part.args.back())) return false;
  part.span = span(open, pos_);
  return push_part(out, std::move(part), open);
}

bool Parser::parse_backquoted(std::vector<WordPart>& out, bool quoted) {
  const std::size_t open = pos();
  DepthGuard guard(*this, open);
  if (!guard.ok()) return false;
  // Bash reads up to the next unescaped backquote, then removes the backslashes that quote a
  // dollar, a backquote or a backslash (and " inside double quotes) before it parses the text.
  std::string body;
  std::vector<std::uint32_t> to_source;
  std::size_t i = open + 1;
  for (;;) {
    if (i >= end_) return fail(end_, "unterminated backquote opened at " + where(open) + " (expected a closing `)");
    const char c = text_[i];
    if (c == '`') break;
    if (c == '\\' && i + 1 < end_) {
      const char next = text_[i + 1];
      if (next == '\n') {
        i += 2;
        continue;
      }
      if (next == '$' || next == '`' || next == '\\' || (quoted && next == '"')) {
        body.push_back(next);
        to_source.push_back(src(i + 1));
        i += 2;
        continue;
      }
    }
    body.push_back(c);
    to_source.push_back(src(i));
    ++i;
  }
  to_source.push_back(src(i));
  pos_ = i + 1;
  WordPart part;
  part.kind = WordPartKind::kCommandSubstitution;
  part.quoted = quoted;
  part.script.emplace_back();
  Parser nested(context_, body, &to_source);
  if (!nested.parse_program(part.script.back())) return false;
  part.span = span(open, pos_);
  return push_part(out, std::move(part), open);
}

}  // namespace trainctl::safety::shell_internal
