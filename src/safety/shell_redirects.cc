// Redirections (< > >> >| <> <& >& &> &>> <<< with optional fd or {var}) and here-documents:
// the delimiter (quoted or not), then, after the next newline the parser consumes, each pending
// body in order, read up to its delimiter line (<<- strips leading tabs). A body with an unquoted
// delimiter is read as a word, so the substitutions in it are found.
#include <string>
#include <utility>

#include "safety/shell_parser_state.h"

namespace trainctl::safety::shell_internal {

namespace {

constexpr std::size_t kNotFoundPosition = static_cast<std::size_t>(-1);

bool is_digit(int c) { return c >= '0' && c <= '9'; }

struct Delimiter {
  std::string text;
  bool quoted = false;
};

// Quote removal on the raw delimiter word, as bash does it (no expansion: <<$x ends at "$x").
Delimiter read_delimiter(std::string_view raw) {
  Delimiter out;
  for (std::size_t i = 0; i < raw.size();) {
    const char c = raw[i];
    if (c == '\\') {
      if (i + 1 < raw.size() && raw[i + 1] == '\n') {
        i += 2;
        continue;
      }
      out.quoted = true;
      if (i + 1 < raw.size()) out.text.push_back(raw[i + 1]);
      i += 2;
    } else if (c == '\'') {
      out.quoted = true;
      const std::size_t close = raw.find('\'', i + 1);
      const std::size_t end = close == std::string_view::npos ? raw.size() : close;
      out.text.append(raw.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      out.quoted = true;
      for (++i; i < raw.size() && raw[i] != '"'; ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() &&
            (raw[i + 1] == '$' || raw[i + 1] == '`' || raw[i + 1] == '"' || raw[i + 1] == '\\')) {
          ++i;
        }
        out.text.push_back(raw[i]);
      }
      ++i;
    } else if (c == '$' && i + 1 < raw.size() && (raw[i + 1] == '\'' || raw[i + 1] == '"')) {
      ++i;  // $'...' and $"..." quote like '...' and "..."
    } else {
      out.text.push_back(c);
      ++i;
    }
  }
  return out;
}

}  // namespace

bool Parser::parse_redirect(Redirect& out) {
  const std::size_t begin = pos();
  if (is_digit(peek())) {
    long fd = 0;
    while (is_digit(peek())) {
      fd = fd * 10 + (peek() - '0');
      advance();
    }
    out.fd = static_cast<int>(fd);
  } else if (peek() == '{') {
    advance();
    while (is_name_char(peek())) {
      out.fd_var.push_back(static_cast<char>(peek()));
      advance();
    }
    advance();  // }
  }
  const int c = peek();
  const int next = peek_at(1);
  const int third = peek_at(2);
  if (c == '<') {
    if (next == '<') {
      out.op = third == '<' ? "<<<" : third == '-' ? "<<-" : "<<";
    } else if (next == '>' || next == '&') {
      out.op = std::string("<") + static_cast<char>(next);
    } else {
      out.op = "<";
    }
  } else if (c == '>') {
    out.op = (next == '>' || next == '|' || next == '&') ? std::string(">") + static_cast<char>(next) : ">";
  } else {
    out.op = third == '>' ? "&>>" : "&>";
  }
  const std::size_t op_at = pos();
  advance(out.op.size());
  skip_blanks();
  const int t = peek();
  if (t == kEnd || t == '#' || (is_metachar(t) && !((t == '<' || t == '>') && peek_at(1) == '('))) {
    const char* what = out.op == "<<" || out.op == "<<-" ? "a here-document delimiter"
                       : out.op == "<<<"                   ? "a word"
                                                           : "a file name";
    return fail(pos(), std::string("syntax error: expected ") + what + " after the `" + out.op + "` at " +
                           where(op_at) + ", found " + (t == '#' ? "a comment" : describe_here()));
  }
  // Bash reads 2> or {fd}> here as a redirection, not as the file name; only >& and <& take a
  // bare fd number (>& 1<x is ">&1" then "<x").
  const bool fd_target = (out.op == ">&" || out.op == "<&") && is_digit(t);
  if (!fd_target && redirect_ahead()) {
    std::string redirection;
    for (std::size_t at = pos(); at < end_ && redirection.size() < 12 && !is_blank(text_[at]) && text_[at] != '\n';
         ++at) {
      redirection.push_back(text_[at]);
    }
    return fail(pos(), "syntax error: expected a file name after the `" + out.op + "` at " + where(op_at) +
                           ", found the redirection `" + redirection + "`");
  }
  if (out.op == "<<" || out.op == "<<-") {
    const std::size_t word_begin = pos();
    Word raw;
    if (!parse_word(plain_word(), raw)) return false;
    const Delimiter delimiter = read_delimiter(text_.substr(word_begin, pos_ - word_begin));
    if (!literal_word(delimiter.text, word_begin, pos_, out.target)) return false;
    out.target.parts[0].quoted = delimiter.quoted;
    out.heredoc_quoted = delimiter.quoted;
    PendingHeredoc heredoc;
    heredoc.key = src(begin);
    heredoc.op_at = op_at;
    heredoc.delimiter = delimiter.text;
    heredoc.strip_tabs = out.op == "<<-";
    heredoc.quoted = delimiter.quoted;
    pending_.push_back(std::move(heredoc));
  } else if (!parse_word(argument_word(), out.target)) {
    return false;
  }
  out.span = span(begin, pos_);
  return true;
}

bool Parser::read_pending_heredocs() {
  std::vector<PendingHeredoc> heredocs;
  heredocs.swap(pending_);
  for (const PendingHeredoc& heredoc : heredocs) {
    if (!read_heredoc_body(heredoc)) return false;
  }
  return true;
}

bool Parser::read_heredoc_body(const PendingHeredoc& heredoc) {
  const std::size_t body_begin = pos_;
  std::size_t body_end = kNotFoundPosition;
  std::size_t after = end_;
  auto line_end_from = [&](std::size_t from) {
    const std::size_t found = text_.find('\n', from);
    return found == std::string_view::npos || found > end_ ? end_ : found;
  };
  // A backslash-newline joins lines before the delimiter is looked for, unless the delimiter
  // was quoted; an empty remainder after the last newline is not a line.
  for (std::size_t line = body_begin; line < end_;) {
    std::size_t line_end = line_end_from(line);
    std::size_t content = line;
    if (heredoc.strip_tabs) {
      while (content < line_end && text_[content] == '\t') ++content;
    }
    std::string joined(text_.substr(content, line_end - content));
    while (!heredoc.quoted && line_end < end_ && !joined.empty() && joined.back() == '\\') {
      std::size_t backslashes = 0;
      while (backslashes < joined.size() && joined[joined.size() - 1 - backslashes] == '\\') ++backslashes;
      if (backslashes % 2 == 0) break;
      joined.pop_back();
      const std::size_t next_end = line_end_from(line_end + 1);
      joined.append(text_.substr(line_end + 1, next_end - line_end - 1));
      line_end = next_end;
    }
    if (joined == heredoc.delimiter) {
      body_end = line;
      after = line_end < end_ ? line_end + 1 : line_end;
      break;
    }
    line = line_end + 1;
  }
  if (body_end == kNotFoundPosition) {
    return fail(end_, "unterminated here-document: no line `" + heredoc.delimiter + "` ends the here-document opened at " +
                          where(heredoc.op_at));
  }
  Word body;
  body.span = span(body_begin, body_end);
  if (heredoc.quoted) {
    std::string text;
    if (heredoc.strip_tabs) {
      bool line_start = true;
      for (std::size_t i = body_begin; i < body_end; ++i) {
        if (line_start && text_[i] == '\t') continue;
        line_start = text_[i] == '\n';
        text.push_back(text_[i]);
      }
    } else {
      text.assign(text_.substr(body_begin, body_end - body_begin));
    }
    if (body_end > body_begin && !literal_word(std::move(text), body_begin, body_end, body)) return false;
    if (!body.parts.empty()) body.parts[0].quoted = true;
  } else {
    DepthGuard guard(*this, body_begin);
    if (!guard.ok()) return false;
    TextWindow window(*this, body_begin, body_end, after);
    WordOptions options;
    options.mode = WordMode::kHeredoc;
    options.strip_tabs = heredoc.strip_tabs;
    std::vector<WordPart> pieces;
    if (!scan_pieces(options, pieces) || !finish_word(options, std::move(pieces), body_begin, body)) return false;
    if (!check_no_pending_heredocs()) return false;
  }
  pos_ = after;
  context_.heredoc_bodies[heredoc.key] = std::move(body);
  return true;
}

bool Parser::check_no_pending_heredocs() {
  if (pending_.empty()) return true;
  const PendingHeredoc& first = pending_.front();
  return fail(end_, "unterminated here-document: the `<<" + first.delimiter + "` at " + where(first.op_at) +
                        " needs its body on the lines after the command, ending with a line `" + first.delimiter +
                        "`");
}

}  // namespace trainctl::safety::shell_internal
