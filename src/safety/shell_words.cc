// Reading one shell word: where it ends in each context (an argument, a ${...} argument, a
// double-quoted string, a here-document body, an arithmetic expression), quote removal, backslash
// escapes, single, double and $'...' quotes (with bash's escape decoding) and extended globs.
// The pieces it collects are shaped (braces, tildes, globs) in shell_word_shapes.cc.
#include <string>
#include <utility>

#include "safety/shell_parser_state.h"

namespace trainctl::safety::shell_internal {

namespace {

bool is_octal(char c) { return c >= '0' && c <= '7'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// UTF-8 as bash writes it for \u and \U: the original encoding of up to six bytes, so that values
// past U+10FFFF come out as bash's do; values past 0x7FFFFFFF give nothing.
void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
    return;
  }
  if (code > 0x7FFFFFFF) return;
  int continuation = code < 0x800 ? 1 : code < 0x10000 ? 2 : code < 0x200000 ? 3 : code < 0x4000000 ? 4 : 5;
  static constexpr unsigned char kLead[] = {0, 0xC0, 0xE0, 0xF0, 0xF8, 0xFC};
  out.push_back(static_cast<char>(kLead[continuation] | (code >> (6 * continuation))));
  for (int shift = 6 * (continuation - 1); shift >= 0; shift -= 6) {
    out.push_back(static_cast<char>(0x80 | ((code >> shift) & 0x3F)));
  }
}

// Bash's decoding of the text between $' and ': C escapes, \xHH, \uHHHH, \UHHHHHHHH, octal, \cX.
// A NUL ends the string, as in bash; unknown escapes keep their backslash.
std::string decode_ansi_c(std::string_view raw) {
  std::string out;
  std::size_t i = 0;
  auto read_hex = [&](std::size_t max_digits) {
    std::uint32_t value = 0;
    std::size_t digits = 0;
    while (digits < max_digits && i < raw.size() && hex_value(raw[i]) >= 0) {
      value = value * 16 + static_cast<std::uint32_t>(hex_value(raw[i]));
      ++i;
      ++digits;
    }
    return std::pair<std::uint32_t, std::size_t>(value, digits);
  };
  while (i < raw.size()) {
    const char c = raw[i++];
    if (c != '\\' || i >= raw.size()) {
      out.push_back(c);
      continue;
    }
    const char e = raw[i++];
    std::uint32_t value = 0;
    bool is_byte = true;
    switch (e) {
      case 'a': value = 0x07; break;
      case 'b': value = 0x08; break;
      case 'e':
      case 'E': value = 0x1B; break;
      case 'f': value = 0x0C; break;
      case 'n': value = 0x0A; break;
      case 'r': value = 0x0D; break;
      case 't': value = 0x09; break;
      case 'v': value = 0x0B; break;
      case '\\':
      case '\'':
      case '"':
      case '?': value = static_cast<unsigned char>(e); break;
      case 'x':
      case 'u':
      case 'U': {
        const auto [v, digits] = read_hex(e == 'x' ? 2 : e == 'u' ? 4 : 8);
        if (digits == 0) {
          out.push_back('\\');
          out.push_back(e);
          continue;
        }
        value = v;
        is_byte = e == 'x';
        break;
      }
      case 'c': {
        if (i >= raw.size()) {
          out += "\\c";
          continue;
        }
        const char x = raw[i++];
        value = x == '?' ? 0x7F : static_cast<std::uint32_t>(static_cast<unsigned char>(x) & 0x1F);
        break;
      }
      default:
        if (is_octal(e)) {
          value = static_cast<std::uint32_t>(e - '0');
          for (int digits = 1; digits < 3 && i < raw.size() && is_octal(raw[i]); ++digits) {
            value = value * 8 + static_cast<std::uint32_t>(raw[i++] - '0');
          }
          value &= 0xFF;
        } else {
          out.push_back('\\');
          out.push_back(e);
          continue;
        }
    }
    if (value == 0) return out;
    if (is_byte) {
      out.push_back(static_cast<char>(value));
    } else {
      append_utf8(out, value);
    }
  }
  return out;
}

bool quoted_mode(WordMode mode) {
  return mode == WordMode::kDoubleQuoted || mode == WordMode::kParamArgQuoted || mode == WordMode::kHeredoc ||
         mode == WordMode::kArithmetic;
}

// The characters a backslash escapes in a quoted context; others keep the backslash.
bool escapable(WordMode mode, int c) {
  switch (mode) {
    case WordMode::kDoubleQuoted: return c == '$' || c == '`' || c == '"' || c == '\\';
    case WordMode::kParamArgQuoted: return c == '$' || c == '`' || c == '"' || c == '\\' || c == '}';
    case WordMode::kHeredoc:
    case WordMode::kArithmetic: return c == '$' || c == '`' || c == '\\';
    default: return true;
  }
}

}  // namespace

bool Parser::push_part(std::vector<WordPart>& out, WordPart part, std::size_t at) {
  if (!count_node(at)) return false;
  out.push_back(std::move(part));
  return true;
}

void Parser::append_char(std::vector<WordPart>& out, char ch, std::size_t at, bool quoted) {
  const std::uint32_t offset = src(at);
  if (!out.empty() && out.back().kind == WordPartKind::kLiteral && out.back().quoted == quoted &&
      (quoted || out.back().span.end == offset)) {
    WordPart& last = out.back();
    last.text.push_back(ch);
    if (last.span.end < offset + 1) last.span.end = offset + 1;
    return;
  }
  WordPart part;
  part.kind = WordPartKind::kLiteral;
  part.span = Span{offset, offset + 1};
  part.text.assign(1, ch);
  part.quoted = quoted;
  push_part(out, std::move(part), at);
}

void Parser::append_text(std::vector<WordPart>& out, std::string text, Span where, bool quoted) {
  if (quoted && !out.empty() && out.back().kind == WordPartKind::kLiteral && out.back().quoted) {
    WordPart& last = out.back();
    last.text += text;
    if (last.span.end < where.end) last.span.end = where.end;
    return;
  }
  WordPart part;
  part.kind = WordPartKind::kLiteral;
  part.span = where;
  part.text = std::move(text);
  part.quoted = quoted;
  push_part(out, std::move(part), pos_);
}

bool Parser::parse_word(const WordOptions& options, Word& out) {
  const std::size_t begin = pos();
  if (options.mode == WordMode::kCommand && peek() == '#') {  // as in bash, # starting a word is a comment
    skip_comment();
    return fail(pos(), "syntax error: expected a word, found " + describe_here() +
                           " (the # at " + where(begin) + " starts a comment)");
  }
  std::vector<WordPart> pieces;
  if (!scan_pieces(options, pieces)) return false;
  if (pos() == begin && options.mode == WordMode::kCommand) {
    return fail(begin, "syntax error: expected a word, found " + describe_here());
  }
  return finish_word(options, std::move(pieces), begin, out);
}

bool Parser::finish_word(const WordOptions& options, std::vector<WordPart> pieces, std::size_t begin, Word& out) {
  if (options.braces && !expand_braces(pieces, options, begin)) return false;
  if (!mark_tildes(pieces, options, begin)) return false;
  if (options.globs && !mark_globs(pieces, begin)) return false;
  merge_adjacent(pieces);
  out.parts = std::move(pieces);
  out.span = span(begin, pos_);
  return count_node(begin);
}

bool Parser::literal_word(std::string text, std::size_t begin, std::size_t end, Word& out) {
  WordPart part;
  part.kind = WordPartKind::kLiteral;
  part.span = span(begin, end);
  part.text = std::move(text);
  out.span = part.span;
  out.parts.clear();
  out.parts.push_back(std::move(part));
  return count_node(begin, 2);
}

bool Parser::scan_pieces(const WordOptions& options, std::vector<WordPart>& out) {
  const WordMode mode = options.mode;
  const bool quoted = quoted_mode(mode) && mode != WordMode::kArithmetic;
  int parens = 0;  // kRegex, kExtglob: ( ) inside the pattern
  for (;;) {
    if (failed()) return false;
    if (options.strip_tabs) {
      std::size_t at = pos();
      if (at > 0 && text_[at - 1] == '\n') {
        while (at < end_ && text_[at] == '\t') ++at;
        pos_ = at;
      }
    }
    const int c = peek();
    if (c == kEnd) return true;
    const std::size_t at = pos_;
    const int next = peek_at(1);
    // Where the word ends, and the characters that only count in one mode.
    switch (mode) {
      case WordMode::kCommand:
      case WordMode::kAssignment:
        if ((c == '<' || c == '>') && next == '(') {
          if (!parse_command_substitution(out, WordPartKind::kProcessSubstitution, false)) return false;
          continue;
        }
        if (is_metachar(c)) return true;
        break;
      case WordMode::kRegex:
      case WordMode::kExtglob:
        if (c == '(') {
          ++parens;
          append_char(out, '(', at, false);
          advance();
          continue;
        }
        if (c == ')') {
          if (parens == 0) return true;
          --parens;
          append_char(out, ')', at, false);
          advance();
          continue;
        }
        if (is_metachar(c)) {
          if (mode == WordMode::kRegex && parens == 0 && c != '|') return true;
          append_char(out, static_cast<char>(c), at, false);
          advance();
          continue;
        }
        break;
      case WordMode::kParamArg:
      case WordMode::kParamArgQuoted:
        // The first unquoted } ends ${...}: bash does not pair braces inside (${x:-{a}b} is "{ab}").
        if (c == '}' || (options.stop != 0 && c == options.stop)) return true;
        break;
      case WordMode::kDoubleQuoted:
        if (c == '"') return true;
        break;
      case WordMode::kArithmetic:
      case WordMode::kHeredoc:
        break;
    }
    switch (c) {
      case '\\': {
        if (pos_ + 1 >= end_) {
          append_char(out, '\\', at, true);
          advance();
          break;
        }
        const char escaped = text_[pos_ + 1];
        if (quoted_mode(mode) && !escapable(mode, static_cast<unsigned char>(escaped))) {
          append_char(out, '\\', at, quoted);
          advance();
          break;
        }
        pos_ += 2;
        append_text(out, std::string(1, escaped), span(at, pos_), true);
        break;
      }
      case '\'':
        if (!quoted_mode(mode) || (mode == WordMode::kParamArgQuoted && options.single_quotes)) {
          if (!parse_single_quoted(out)) return false;
        } else {
          append_char(out, '\'', at, quoted);
          advance();
        }
        break;
      case '"':
        if (mode == WordMode::kHeredoc) {
          append_char(out, '"', at, quoted);
          advance();
        } else if (!parse_double_quoted(out)) {
          return false;
        }
        break;
      case '$':
        if (!parse_dollar(out, mode)) return false;
        break;
      case '`':
        if (!parse_backquoted(out, quoted)) return false;
        break;
      default:
        if ((c == '@' || c == '!' || c == '+' || c == '*' || c == '?') && next == '(' &&
            (mode == WordMode::kCommand || mode == WordMode::kAssignment || mode == WordMode::kExtglob)) {
          if (!parse_extglob(out)) return false;
          break;
        }
        append_char(out, static_cast<char>(c), at, quoted);
        advance();
        break;
    }
  }
}

bool Parser::parse_single_quoted(std::vector<WordPart>& out) {
  const std::size_t open = pos();
  std::size_t close = open + 1;
  while (close < end_ && text_[close] != '\'') ++close;
  if (close >= end_) {
    return fail(end_, "unterminated single quote opened at " + where(open) + " (expected a closing `'`)");
  }
  append_text(out, std::string(text_.substr(open + 1, close - open - 1)), span(open, close + 1), true);
  pos_ = close + 1;
  return true;
}

bool Parser::parse_ansi_c_quoted(std::vector<WordPart>& out) {
  const std::size_t open = pos();
  advance(2);
  const std::size_t begin = pos_;
  std::size_t close = begin;
  while (close < end_ && text_[close] != '\'') close += text_[close] == '\\' ? 2 : 1;
  if (close >= end_) {
    return fail(end_, "unterminated $' quote opened at " + where(open) + " (expected a closing `'`)");
  }
  append_text(out, decode_ansi_c(text_.substr(begin, close - begin)), span(open, close + 1), true);
  pos_ = close + 1;
  return true;
}

bool Parser::parse_double_quoted(std::vector<WordPart>& out) {
  const std::size_t open = pos();
  DepthGuard guard(*this, open);
  if (!guard.ok()) return false;
  advance();
  const std::size_t parts_before = out.size();
  WordOptions options;
  options.mode = WordMode::kDoubleQuoted;
  if (!scan_pieces(options, out)) return false;
  if (peek() != '"') {
    return fail(pos(), "unterminated double quote opened at " + where(open) + " (expected a closing `\"`)");
  }
  advance();
  if (out.size() == parts_before) append_text(out, std::string(), span(open, pos_), true);
  return true;
}

bool Parser::parse_extglob(std::vector<WordPart>& out) {
  const std::size_t open = pos();
  DepthGuard guard(*this, open);
  if (!guard.ok()) return false;
  const char kind = static_cast<char>(peek());
  advance(2);
  const std::size_t inner_begin = pos_;
  std::vector<WordPart> inner;
  WordOptions options;
  options.mode = WordMode::kExtglob;
  if (!scan_pieces(options, inner)) return false;
  if (peek() != ')') {
    return fail(pos(), std::string("unterminated extended glob ") + kind + "( opened at " + where(open) +
                           " (expected `)`)");
  }
  const std::size_t close = pos_;
  advance();
  WordPart head;
  head.kind = WordPartKind::kGlob;
  head.span = span(open, inner_begin);
  head.text = std::string(1, kind) + "(";
  if (!push_part(out, std::move(head), open)) return false;
  for (WordPart& part : inner) {
    if (part.kind == WordPartKind::kLiteral && !part.quoted) part.kind = WordPartKind::kGlob;
    out.push_back(std::move(part));
  }
  WordPart tail;
  tail.kind = WordPartKind::kGlob;
  tail.span = span(close, pos_);
  tail.text = ")";
  return push_part(out, std::move(tail), close);
}

}  // namespace trainctl::safety::shell_internal
