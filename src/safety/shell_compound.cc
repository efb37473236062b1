// Compound commands: ( ) and { } groups, if/elif/else, while/until, for (word list and the
// arithmetic ((;;)) form), select, case (with ;; ;& ;;&), [[ ]] (its operators kept as literal
// words), (( )), coproc and `function name`. Reserved words count only in command position.
#include <string>
#include <utility>

#include "safety/shell_parser_state.h"

namespace trainctl::safety::shell_internal {

namespace {

bool starts_compound(std::string_view word) {
  return word == "if" || word == "while" || word == "until" || word == "for" || word == "select" || word == "case" ||
         word == "function" || word == "{" || word == "[[" || word == "coproc";
}

}  // namespace

bool Parser::compound_ahead(std::size_t at) {
  at = skip_continuations(at);
  if (at < end_ && text_[at] == '(') return true;
  const PlainWord word = peek_plain_word_at(at);
  return word.plain && starts_compound(word.text());
}

bool Parser::parse_compound(Command& out) {
  const std::size_t begin = pos();
  DepthGuard guard(*this, begin);
  if (!guard.ok()) return false;
  if (peek() == '(') {
    if (peek_at(1) == '(') {
      advance(2);
      const std::size_t close = find_arithmetic_close(pos(), ')');
      pos_ = begin;
      if (close == kRanOff) return fail(end_, "unterminated (( opened at " + where(begin) + " (expected `))`)");
      if (close != kNotFound) return parse_arithmetic_command(out, close);
    }
    return parse_group(out, '(');
  }
  const PlainWord plain = peek_plain_word();
  const std::string_view word = plain.text();
  if (word == "{") return parse_group(out, '{');
  if (word == "if") return parse_if(out);
  if (word == "while") return parse_loop(out, CommandKind::kWhile);
  if (word == "until") return parse_loop(out, CommandKind::kUntil);
  if (word == "for") return parse_for(out, CommandKind::kFor);
  if (word == "select") return parse_for(out, CommandKind::kSelect);
  if (word == "case") return parse_case(out);
  if (word == "[[") return parse_conditional(out);
  if (word == "coproc") return parse_coproc(out);
  return parse_function_keyword(out);
}

bool Parser::expect_reserved(const char* word, std::size_t opened, const char* opener) {
  const PlainWord plain = peek_plain_word();
  if (plain.plain && plain.text() == word) {
    consume_plain(plain);
    return true;
  }
  return fail(pos(), std::string("syntax error: expected `") + word + "` for the `" + opener + "` opened at " +
                         where(opened) + ", found " + describe_here());
}

bool Parser::parse_compound_list(Script& out, std::size_t keyword_at, const char* keyword) {
  if (!parse_list(out)) return false;
  if (!out.items.empty()) return true;
  return fail(pos(), std::string("syntax error: expected a command after the `") + keyword + "` at " +
                         where(keyword_at) + ", found " + describe_here());
}

bool Parser::parse_group(Command& out, char open_char) {
  const std::size_t open = pos();
  const char* opener = open_char == '(' ? "(" : "{";
  out.kind = open_char == '(' ? CommandKind::kSubshell : CommandKind::kBraceGroup;
  advance();
  out.bodies.emplace_back();
  if (!parse_compound_list(out.bodies.back(), open, opener)) return false;
  if (open_char == '{') return expect_reserved("}", open, "{");
  if (peek() == ')') {
    advance();
    return true;
  }
  if (peek() == kEnd) return fail(pos(), "unterminated `(` opened at " + where(open) + " (expected `)`)");
  return fail(pos(), "syntax error: expected `)` for the `(` opened at " + where(open) + ", found " + describe_here());
}

bool Parser::parse_if(Command& out) {
  const std::size_t open = pos();
  out.kind = CommandKind::kIf;
  advance(2);
  std::size_t keyword_at = open;
  const char* keyword = "if";
  for (;;) {
    out.bodies.emplace_back();
    if (!parse_compound_list(out.bodies.back(), keyword_at, keyword)) return false;
    const std::size_t then_at = pos();
    if (!expect_reserved("then", keyword_at, keyword)) return false;
    out.bodies.emplace_back();
    if (!parse_compound_list(out.bodies.back(), then_at, "then")) return false;
    if (!at_reserved("elif")) break;
    keyword_at = pos();
    keyword = "elif";
    advance(4);
  }
  if (at_reserved("else")) {
    const std::size_t else_at = pos();
    advance(4);
    out.has_else = true;
    out.bodies.emplace_back();
    if (!parse_compound_list(out.bodies.back(), else_at, "else")) return false;
  }
  return expect_reserved("fi", open, "if");
}

bool Parser::parse_loop(Command& out, CommandKind kind) {
  const std::size_t open = pos();
  const char* keyword = kind == CommandKind::kWhile ? "while" : "until";
  out.kind = kind;
  consume_plain(peek_plain_word());
  out.bodies.emplace_back();
  if (!parse_compound_list(out.bodies.back(), open, keyword)) return false;
  const std::size_t do_at = pos();
  if (!expect_reserved("do", open, keyword)) return false;
  out.bodies.emplace_back();
  if (!parse_compound_list(out.bodies.back(), do_at, "do")) return false;
  return expect_reserved("done", open, keyword);
}

bool Parser::parse_loop_body(Command& out, std::size_t opened, const char* keyword) {
  const std::size_t at = pos();
  const bool braces = at_reserved("{");
  if (!braces && !at_reserved("do")) {
    return fail(pos(), std::string("syntax error: expected `do` for the `") + keyword + "` opened at " +
                           where(opened) + ", found " + describe_here());
  }
  consume_plain(peek_plain_word());
  out.bodies.emplace_back();
  if (!parse_compound_list(out.bodies.back(), at, braces ? "{" : "do")) return false;
  return braces ? expect_reserved("}", at, "{") : expect_reserved("done", opened, keyword);
}

bool Parser::parse_for(Command& out, CommandKind kind) {
  const std::size_t open = pos();
  const char* keyword = kind == CommandKind::kFor ? "for" : "select";
  out.kind = kind;
  consume_plain(peek_plain_word());
  skip_blanks();
  if (kind == CommandKind::kFor && peek() == '(' && peek_at(1) == '(') {
    advance(2);
    const std::size_t inner = pos();
    const std::size_t close = find_arithmetic_close(inner, ')');
    if (close == kNotFound || close == kRanOff) {
      return fail(end_, "unterminated `for ((` opened at " + where(open) + " (expected `))`)");
    }
    // The three expressions, split at the semicolons outside parentheses and quotes.
    std::vector<std::size_t> bounds{inner};
    int depth = 0;
    for (std::size_t i = inner; i < close; ++i) {
      const char c = text_[i];
      if (c == '\\') {
        ++i;
      } else if (c == '\'' || c == '"' || c == '`') {
        for (++i; i < close && text_[i] != c; ++i) {
          if (text_[i] == '\\' && c != '\'') ++i;
        }
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        --depth;
      } else if (c == ';' && depth == 0) {
        bounds.push_back(i + 1);
      }
    }
    if (bounds.size() != 3) {
      return fail(inner, "syntax error: `for ((` at " + where(open) + " needs three expressions separated by `;`");
    }
    bounds.push_back(close + 1);
    for (std::size_t k = 0; k < 3; ++k) {
      out.words.emplace_back();
      if (!parse_arithmetic_word(bounds[k], bounds[k + 1] - 1, bounds[k + 1], out.words.back())) return false;
    }
    pos_ = skip_continuations(close + 1) + 1;
    out.arithmetic_for = true;
    skip_blanks();
    if (peek() == ';') advance();
    if (!skip_linebreaks()) return false;
    return parse_loop_body(out, open, keyword);
  }
  const PlainWord name = peek_plain_word();
  if (!name.plain || !is_valid_name(name.text())) {
    return fail(pos(), std::string("syntax error: expected a variable name after the `") + keyword + "` at " +
                           where(open) + ", found " + describe_here());
  }
  out.name = std::string(name.text());
  consume_plain(name);
  skip_blanks();
  if (peek() == ';') {
    advance();
  } else {
    if (!skip_linebreaks()) return false;
    if (at_reserved("in")) {
      out.in_list = true;
      consume_plain(peek_plain_word());
      for (;;) {
        skip_blanks();
        const int c = peek();
        if (c == ';') {
          advance();
          break;
        }
        if (c == '\n' || c == kEnd) break;
        if (c == '#') {
          skip_comment();
          continue;
        }
        if (is_metachar(c) && !((c == '<' || c == '>') && peek_at(1) == '(')) {
          return fail(pos(), "syntax error: unexpected " + describe_here() + " in the word list of the `" + keyword +
                                 "` opened at " + where(open));
        }
        out.words.emplace_back();
        if (!parse_word(argument_word(), out.words.back())) return false;
      }
    }
  }
  if (!skip_linebreaks()) return false;
  return parse_loop_body(out, open, keyword);
}

bool Parser::parse_case(Command& out) {
  const std::size_t open = pos();
  out.kind = CommandKind::kCase;
  advance(4);
  skip_blanks();
  const int c = peek();
  if (c == kEnd || (is_metachar(c) && !((c == '<' || c == '>') && peek_at(1) == '('))) {
    return fail(pos(), "syntax error: expected a word after the `case` at " + where(open) + ", found " +
                           describe_here());
  }
  out.words.emplace_back();
  if (!parse_word(plain_word(), out.words.back())) return false;
  if (!skip_linebreaks()) return false;
  if (!expect_reserved("in", open, "case")) return false;
  for (;;) {
    if (!skip_linebreaks()) return false;
    if (at_reserved("esac")) {
      advance(4);
      return true;
    }
    CaseItem item;
    if (!parse_case_item(item, open)) return false;
    out.case_items.push_back(std::move(item));
  }
}

bool Parser::parse_case_item(CaseItem& out, std::size_t opened) {
  const std::size_t begin = pos();
  if (peek() == kEnd) return expect_reserved("esac", opened, "case");
  if (peek() == '(') advance();
  for (;;) {
    skip_blanks();
    const int c = peek();
    if (c == kEnd || (is_metachar(c) && !((c == '<' || c == '>') && peek_at(1) == '('))) {
      return fail(pos(), "syntax error: expected a pattern in the `case` opened at " + where(opened) + ", found " +
                             describe_here());
    }
    out.patterns.emplace_back();
    if (!parse_word(pattern_word(), out.patterns.back())) return false;
    skip_blanks();
    if (peek() != '|' || peek_at(1) == '|') break;
    advance();
  }
  if (peek() != ')') {
    return fail(pos(), "syntax error: expected `)` after the pattern in the `case` opened at " + where(opened) +
                           ", found " + describe_here());
  }
  advance();
  out.body.emplace_back();
  if (!parse_list(out.body.back())) return false;
  const int c = peek();
  const int next = peek_at(1);
  if (c == ';' && next == ';' && peek_at(2) == '&') {
    out.terminator = ";;&";
  } else if (c == ';' && (next == ';' || next == '&')) {
    out.terminator = next == ';' ? ";;" : ";&";
  } else if (!at_reserved("esac")) {
    return expect_reserved("esac", opened, "case");
  }
  advance(out.terminator.size());
  out.span = span(begin, pos_);
  return true;
}

// [[ ]] is read with bash's grammar for it (|| of && of terms: ( expr ), ! term, -op word,
// word op word, word); its words and operators are kept in order as words of the command.
CondToken Parser::cond_peek() {
  skip_blanks();
  const int c = peek();
  const int next = peek_at(1);
  if (c == kEnd) return CondToken::kEndOfInput;
  if (c == '\n') return CondToken::kNewline;
  if (c == '&' && next == '&') return CondToken::kAnd;
  if (c == '|' && next == '|') return CondToken::kOr;
  if (c == '(') return CondToken::kOpen;
  if (c == ')') return CondToken::kClose;
  if ((c == '<' || c == '>') && next != '(') return CondToken::kCompare;
  if (c == ';' || c == '&' || c == '|') return CondToken::kBad;
  if (at_reserved("]]")) return CondToken::kClosing;
  return CondToken::kWord;
}

bool Parser::cond_operator(Command& out, std::size_t length) {
  const std::size_t at = pos();
  std::string text;
  for (std::size_t i = 0; i < length; ++i) text.push_back(static_cast<char>(peek_at(i)));
  advance(length);
  out.words.emplace_back();
  return literal_word(std::move(text), at, pos_, out.words.back());
}

bool Parser::cond_word(Command& out, bool regex) {
  WordOptions options = pattern_word();
  if (regex) options = WordOptions{WordMode::kRegex};
  out.words.emplace_back();
  return parse_word(options, out.words.back());
}

bool Parser::cond_unexpected(CondToken token, std::size_t opened, const char* what) {
  if (token == CondToken::kEndOfInput) return expect_reserved("]]", opened, "[[");
  return fail(pos(), std::string("syntax error in the `[[` opened at ") + where(opened) + ": " + what + ", found " +
                         describe_here());
}

bool Parser::cond_or(Command& out, std::size_t opened) {
  if (!cond_and(out, opened)) return false;
  while (cond_peek() == CondToken::kOr) {
    if (!cond_operator(out, 2) || !cond_and(out, opened)) return false;
  }
  return true;
}

bool Parser::cond_and(Command& out, std::size_t opened) {
  if (!cond_term(out, opened)) return false;
  while (cond_peek() == CondToken::kAnd) {
    if (!cond_operator(out, 2) || !cond_term(out, opened)) return false;
  }
  return true;
}

bool Parser::cond_term(Command& out, std::size_t opened) {
  DepthGuard guard(*this, pos());
  if (!guard.ok()) return false;
  CondToken token = cond_peek();
  while (token == CondToken::kNewline) {
    if (!consume_newline()) return false;
    token = cond_peek();
  }
  if (token == CondToken::kOpen) {
    if (!cond_operator(out, 1) || !cond_or(out, opened)) return false;
    if (cond_peek() != CondToken::kClose) return cond_unexpected(cond_peek(), opened, "expected `)`");
    return cond_operator(out, 1);
  }
  if (token != CondToken::kWord) return cond_unexpected(token, opened, "expected an expression");
  const PlainWord first = peek_plain_word();
  static constexpr std::string_view kUnary = "abcdefghklnoprstuvwxzGLNORS";
  const bool unary = first.plain && first.text().size() == 2 && first.text()[0] == '-' &&
                     kUnary.find(first.text()[1]) != std::string_view::npos;
  if (!cond_word(out, false)) return false;
  CondToken next = cond_peek();
  const bool ends_term = next == CondToken::kAnd || next == CondToken::kOr || next == CondToken::kClose ||
                         next == CondToken::kClosing;
  if (first.plain && first.text() == "!" && !ends_term) return cond_term(out, opened);
  if (unary) {
    if (next != CondToken::kWord) return cond_unexpected(next, opened, "expected an operand after the unary operator");
    return cond_word(out, false);
  }
  if (ends_term) return true;
  bool regex = false;
  if (next == CondToken::kCompare) {
    if (!cond_operator(out, 1)) return false;
  } else {
    const PlainWord op = peek_plain_word();
    static constexpr std::string_view kBinary[] = {"==", "=", "!=", "=~", "-eq", "-ne", "-lt",
                                                   "-le", "-gt", "-ge", "-nt", "-ot", "-ef"};
    bool binary = false;
    for (std::string_view candidate : kBinary) binary = binary || (op.plain && op.text() == candidate);
    if (next != CondToken::kWord || !binary) {
      return cond_unexpected(next, opened, "expected a binary operator (such as == or -eq)");
    }
    regex = op.text() == "=~";
    if (!cond_word(out, false)) return false;
  }
  next = cond_peek();
  // The right side of =~ is a regular expression: ( and | in it are not operators.
  if (next == CondToken::kWord || (regex && next != CondToken::kEndOfInput && next != CondToken::kNewline &&
                                   next != CondToken::kClosing && next != CondToken::kAnd && next != CondToken::kOr)) {
    return cond_word(out, regex);
  }
  return cond_unexpected(next, opened, "expected an operand after the binary operator");
}

bool Parser::parse_conditional(Command& out) {
  const std::size_t open = pos();
  out.kind = CommandKind::kConditional;
  advance(2);
  CondToken token = cond_peek();
  while (token == CondToken::kNewline) {
    if (!consume_newline()) return false;
    token = cond_peek();
  }
  if (token == CondToken::kClosing) {
    return fail(pos(), "syntax error: expected an expression inside the `[[` at " + where(open));
  }
  if (!cond_or(out, open)) return false;
  return expect_reserved("]]", open, "[[");
}

bool Parser::parse_arithmetic_command(Command& out, std::size_t close) {
  out.kind = CommandKind::kArithmetic;
  advance(2);
  out.words.emplace_back();
  return parse_arithmetic_word(pos(), close, skip_continuations(close + 1) + 1, out.words.back());
}

bool Parser::parse_coproc(Command& out) {
  const std::size_t open = pos();
  out.kind = CommandKind::kCoproc;
  advance(6);
  skip_blanks();
  const PlainWord name = peek_plain_word();
  if (name.plain && is_valid_name(name.text()) && !starts_compound(name.text())) {
    std::size_t after = name.end;
    while (after < end_ && (text_[after] == ' ' || text_[after] == '\t')) after = skip_continuations(after + 1);
    if (compound_ahead(after)) {
      out.name = std::string(name.text());
      consume_plain(name);
      skip_blanks();
    }
  }
  Command body;
  bool found = false;
  if (!parse_command(body, found)) return false;
  if (!found) {
    return fail(pos(), "syntax error: expected a command after the `coproc` at " + where(open) + ", found " +
                           describe_here());
  }
  out.bodies.push_back(wrap_in_script(std::move(body)));
  return true;
}

bool Parser::parse_function_keyword(Command& out) {
  const std::size_t open = pos();
  out.kind = CommandKind::kFunction;
  advance(8);
  skip_blanks();
  const int c = peek();
  Word name;
  if (c == kEnd || is_metachar(c) || !parse_word(plain_word(), name) || !word_is_literal(name)) {
    return fail(pos(), "syntax error: expected a function name after the `function` at " + where(open) + ", found " +
                           describe_here());
  }
  out.name = literal_text(name);
  skip_blanks();
  if (peek() == '(') {
    advance();
    skip_blanks();
    if (peek() != ')') {
      return fail(pos(), "syntax error: expected `)` after `function " + out.name + "(`, found " + describe_here());
    }
    advance();
  }
  if (!skip_linebreaks()) return false;
  if (!compound_ahead(pos())) {
    return fail(pos(), "syntax error: expected the body of function `" + out.name +
                           "` (a compound command such as `{ ...; }`), found " + describe_here());
  }
  Command body;
  const std::size_t body_begin = pos();
  if (!count_node(body_begin) || !parse_compound(body) || !parse_trailing_redirects(body)) return false;
  body.span = span(body_begin, pos_);
  out.bodies.push_back(wrap_in_script(std::move(body)));
  return true;
}

}  // namespace trainctl::safety::shell_internal
