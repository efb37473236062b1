#include "project/python_tokens.h"

#include <algorithm>
#include <array>

namespace trainctl::project {
namespace {

bool is_name_start(unsigned char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }
bool is_name_char(unsigned char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// Letters that may precede a quote to make a string: r, b, u, f and their two-letter mixes.
bool is_string_prefix(std::string_view word) {
  if (word.empty() || word.size() > 2) return false;
  std::string lower;
  for (char c : word) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (const char* p : {"r", "b", "u", "f", "br", "rb", "fr", "rf"}) {
    if (lower == p) return true;
  }
  return false;
}

constexpr std::array<std::string_view, 23> kLongOps = {"**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "==",
                                                       "!=",  "<=",  ">=",  "<<",  ">>",  "+=", "-=", "*=", "/=", "%=",
                                                       "&=",  "|=",  "^="};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source.substr(0, kMaxPythonSourceBytes)) {
    out_.truncated = source.size() > kMaxPythonSourceBytes;
  }

  TokenStream run() {
    while (pos_ < src_.size()) {
      if (out_.tokens.size() >= kMaxPythonTokens) {
        out_.truncated = true;
        break;
      }
      if (at_line_start_ && depth_ == 0) {
        if (!read_indentation()) continue;
      }
      unsigned char c = static_cast<unsigned char>(src_[pos_]);
      if (c == '\n' || c == '\r') {
        newline();
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\f') {
        ++pos_;
        continue;
      }
      if (c == '#') {
        while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
        continue;
      }
      if (c == '\\' && pos_ + 1 < src_.size() && (src_[pos_ + 1] == '\n' || src_[pos_ + 1] == '\r')) {
        pos_ += 2;
        if (src_[pos_ - 1] == '\r' && pos_ < src_.size() && src_[pos_] == '\n') ++pos_;
        ++line_;
        continue;
      }
      if (is_name_start(c)) {
        std::size_t start = pos_;
        while (pos_ < src_.size() && is_name_char(static_cast<unsigned char>(src_[pos_]))) ++pos_;
        if (pos_ < src_.size() && (src_[pos_] == '"' || src_[pos_] == '\'') &&
            is_string_prefix(src_.substr(start, pos_ - start))) {
          std::uint32_t first_line = line_;
          read_string(is_fstring(src_.substr(start, pos_ - start + 1)));
          emit(TokenKind::kString, start, first_line);
        } else {
          emit(TokenKind::kName, start, line_);
        }
        continue;
      }
      if (c == '"' || c == '\'') {
        std::size_t start = pos_;
        std::uint32_t first_line = line_;
        read_string(false);
        emit(TokenKind::kString, start, first_line);
        continue;
      }
      if (is_digit(c) || (c == '.' && pos_ + 1 < src_.size() && is_digit(static_cast<unsigned char>(src_[pos_ + 1])))) {
        std::size_t start = pos_;
        read_number();
        emit(TokenKind::kNumber, start, line_);
        continue;
      }
      read_operator();
    }
    if (!out_.tokens.empty() && out_.tokens.back().kind != TokenKind::kNewline) {
      push({TokenKind::kNewline, static_cast<std::uint32_t>(pos_), 0, line_, indent_, false});
    }
    push({TokenKind::kEnd, static_cast<std::uint32_t>(pos_), 0, line_, 0, false});
    close_all_brackets();
    return std::move(out_);
  }

 private:
  // Measures the indentation of a new line; false when the line is blank or only a comment
  // (those lines end no logical line and set no indentation).
  bool read_indentation() {
    std::uint32_t column = 0;
    std::size_t p = pos_;
    while (p < src_.size() && (src_[p] == ' ' || src_[p] == '\t' || src_[p] == '\f')) {
      column = src_[p] == '\t' ? (column / 8 + 1) * 8 : column + 1;
      ++p;
    }
    if (p >= src_.size()) {
      pos_ = p;
      return false;
    }
    if (src_[p] == '#') {
      while (p < src_.size() && src_[p] != '\n' && src_[p] != '\r') ++p;
      if (p >= src_.size()) {  // a comment on the file's last line, without a line break
        pos_ = p;
        return false;
      }
    }
    if (p < src_.size() && (src_[p] == '\n' || src_[p] == '\r')) {
      pos_ = p;
      consume_line_break();
      return false;
    }
    pos_ = p;
    indent_ = column;
    at_line_start_ = false;
    pending_line_start_ = true;
    return true;
  }

  void consume_line_break() {
    if (src_[pos_] == '\r' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  void newline() {
    consume_line_break();
    if (depth_ > 0) return;  // inside brackets a newline is only white space
    if (!out_.tokens.empty() && out_.tokens.back().kind != TokenKind::kNewline && !pending_line_start_) {
      push({TokenKind::kNewline, static_cast<std::uint32_t>(pos_ - 1), 0, line_ - 1, indent_, false});
    }
    at_line_start_ = true;
  }

  void emit(TokenKind kind, std::size_t start, std::uint32_t first_line) {
    Token t{kind, static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(pos_ - start), first_line, indent_,
            pending_line_start_};
    pending_line_start_ = false;
    push(t);
  }

  void push(const Token& t) {
    out_.tokens.push_back(t);
    out_.match.push_back(kNoMatch);
  }

  // pos_ is at the opening quote. Ends after the closing quote, or at the end of the line for an
  // unterminated one-line string (as Python reports it, but without stopping).
  void read_string(bool fstring) {
    char quote = src_[pos_];
    bool triple = pos_ + 2 < src_.size() && src_[pos_ + 1] == quote && src_[pos_ + 2] == quote;
    pos_ += triple ? 3 : 1;
    int field_depth = 0;  // inside {...} of an f-string
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == '\\') {
        pos_ += 2;
        if (pos_ <= src_.size() && src_[pos_ - 1] == '\n') ++line_;
        continue;
      }
      if (fstring && c == '{') {
        if (field_depth == 0 && pos_ + 1 < src_.size() && src_[pos_ + 1] == '{') {
          pos_ += 2;
          continue;
        }
        ++field_depth;
        ++pos_;
        continue;
      }
      if (fstring && c == '}' && field_depth > 0) {
        --field_depth;
        ++pos_;
        continue;
      }
      if (field_depth > 0 && (c == '"' || c == '\'') && c != quote) {
        // A string nested in a field with the other quote: skip it whole.
        std::size_t end = src_.find(c, pos_ + 1);
        pos_ = end == std::string_view::npos ? src_.size() : end + 1;
        continue;
      }
      if (c == '\n') {
        if (!triple && field_depth == 0) return;  // unterminated: the token ends here
        ++line_;
        ++pos_;
        continue;
      }
      if (c == quote) {
        if (!triple) {
          ++pos_;
          if (field_depth == 0) return;
          continue;  // Python 3.12: the same quote reused inside a field
        }
        if (pos_ + 2 < src_.size() && src_[pos_ + 1] == quote && src_[pos_ + 2] == quote) {
          pos_ += 3;
          return;
        }
      }
      ++pos_;
    }
  }

  void read_number() {
    while (pos_ < src_.size()) {
      unsigned char c = static_cast<unsigned char>(src_[pos_]);
      if (is_name_char(c) || c == '.') {
        bool exponent = (c == 'e' || c == 'E') && pos_ + 1 < src_.size() &&
                        (src_[pos_ + 1] == '+' || src_[pos_ + 1] == '-') && !is_hex_literal();
        pos_ += exponent ? 2 : 1;
        continue;
      }
      break;
    }
  }

  bool is_hex_literal() const {
    // Walk back over the number being read to see whether it began with 0x.
    std::size_t p = pos_;
    while (p > 0 && (is_name_char(static_cast<unsigned char>(src_[p - 1])) || src_[p - 1] == '.')) --p;
    return pos_ - p >= 2 && src_[p] == '0' && (src_[p + 1] == 'x' || src_[p + 1] == 'X');
  }

  void read_operator() {
    std::size_t start = pos_;
    std::size_t length = 1;
    for (std::string_view op : kLongOps) {
      if (src_.substr(pos_, op.size()) == op) {
        length = op.size();
        break;
      }
    }
    pos_ += length;
    char c = src_[start];
    emit(TokenKind::kOp, start, line_);
    if (length != 1) return;
    if (c == '(' || c == '[' || c == '{') {
      open_.push_back(out_.tokens.size() - 1);
      ++depth_;
    } else if (c == ')' || c == ']' || c == '}') {
      char want = c == ')' ? '(' : c == ']' ? '[' : '{';
      // Tolerate mismatches: close the nearest bracket of the right kind, dropping any left open inside it.
      auto it = std::find_if(open_.rbegin(), open_.rend(),
                             [&](std::size_t i) { return src_[out_.tokens[i].begin] == want; });
      if (it != open_.rend()) {
        std::size_t opener = *it;
        out_.match[opener] = out_.tokens.size() - 1;
        out_.match[out_.tokens.size() - 1] = opener;
        std::size_t keep = static_cast<std::size_t>(open_.rend() - it) - 1;
        open_.resize(keep);
        depth_ = static_cast<int>(open_.size());
      }
    }
  }

  // Brackets still open at the end of the file match the end, so scans over them stop there.
  void close_all_brackets() {
    for (std::size_t i : open_) out_.match[i] = out_.tokens.size() - 1;
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t indent_ = 0;
  int depth_ = 0;
  bool at_line_start_ = true;
  bool pending_line_start_ = false;
  std::vector<std::size_t> open_;
  TokenStream out_;
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

TokenStream tokenize_python(std::string_view source) { return Lexer(source).run(); }

bool is_fstring(std::string_view token_text) {
  for (char c : token_text) {
    if (c == '"' || c == '\'') return false;
    if (c == 'f' || c == 'F') return true;
  }
  return false;
}

std::string python_string_value(std::string_view text) {
  std::size_t q = text.find_first_of("\"'");
  if (q == std::string_view::npos) return std::string(text);
  bool raw = text.substr(0, q).find_first_of("rR") != std::string_view::npos;
  char quote = text[q];
  bool triple = text.size() >= q + 6 && text[q + 1] == quote && text[q + 2] == quote;
  std::size_t open = triple ? 3 : 1;
  std::string_view body = text.substr(q + open);
  if (body.size() >= open && body.substr(body.size() - open) == std::string(open, quote)) {
    body.remove_suffix(open);
  }
  if (raw) return std::string(body);
  std::string out;
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out += c;
      continue;
    }
    char e = body[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case '\n': break;  // a line continuation inside the string
      case 'x':
      case 'u':
      case 'U': {
        std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        std::uint32_t cp = 0;
        std::size_t k = 0;
        for (; k < digits && i + 1 + k < body.size() && hex_value(body[i + 1 + k]) >= 0; ++k) {
          cp = cp * 16 + static_cast<std::uint32_t>(hex_value(body[i + 1 + k]));
        }
        if (k == digits) {
          append_utf8(out, cp);
          i += digits;
        } else {
          out += '\\';
          out += e;
        }
        break;
      }
      default:
        out += '\\';
        out += e;
    }
  }
  return out;
}

}  // namespace trainctl::project
