// The shapes bash gives a word's unquoted characters after it is read: brace expansion ({a,b}
// and {1..9}), tilde prefixes (~, ~user, and after = and : in assignments) and glob patterns
// (* ? [...]). Each pass is linear in the word: brace pairs are matched once with a stack, and
// bracket expressions are looked for only where a closing ] exists.
#include <algorithm>
#include <string>
#include <utility>

#include "safety/shell_parser_state.h"

namespace trainctl::safety::shell_internal {

namespace {

bool is_raw(const WordPart& part) { return part.kind == WordPartKind::kLiteral && !part.quoted; }

bool is_integer(std::string_view text) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  if (text.empty() || text.size() > 19) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool is_letter(std::string_view text) {
  return text.size() == 1 && ((text[0] >= 'a' && text[0] <= 'z') || (text[0] >= 'A' && text[0] <= 'Z'));
}

// {1..9}, {a..z}, {1..10..2}: the text between the braces.
bool is_sequence(std::string_view text) {
  const std::size_t first = text.find("..");
  if (first == std::string_view::npos) return false;
  const std::string_view from = text.substr(0, first);
  std::string_view rest = text.substr(first + 2);
  std::string_view step;
  const std::size_t second = rest.find("..");
  if (second != std::string_view::npos) {
    step = rest.substr(second + 2);
    rest = rest.substr(0, second);
    if (!is_integer(step)) return false;
  }
  return (is_integer(from) && is_integer(rest)) || (is_letter(from) && is_letter(rest));
}

// The user-name characters bash accepts after ~ (and ~+ ~- ~N).
bool is_tilde_prefix(std::string_view text) {
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.' || c == '+';
    if (!ok) return false;
  }
  return true;
}

WordPart make_part(WordPartKind kind, std::string text, std::uint32_t begin, std::uint32_t end) {
  WordPart part;
  part.kind = kind;
  part.text = std::move(text);
  part.span = Span{begin, end};
  return part;
}

// Brace expansion over the word's units: each unquoted character is a unit, each other part one
// opaque unit. Pairs are matched once; a pair is an expansion when a comma belongs to it
// directly or when its text is a sequence.
class BraceExpander {
 public:
  BraceExpander(Parser& parser, std::vector<WordPart>& parts, const WordOptions& options, std::size_t at)
      : parser_(parser), parts_(parts), options_(options), at_(at) {
    for (std::uint32_t i = 0; i < parts_.size(); ++i) {
      if (is_raw(parts_[i])) {
        for (std::uint32_t j = 0; j < parts_[i].text.size(); ++j) units_.push_back(Unit{i, j});
      } else {
        units_.push_back(Unit{i, kOpaque});
      }
    }
    const std::size_t n = units_.size();
    match_.assign(n, -1);
    first_comma_.assign(n, -1);
    last_comma_.assign(n, -1);
    next_comma_.assign(n, -1);
    std::vector<int> open;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = char_at(k);
      const int index = static_cast<int>(k);
      if (c == '{') {
        open.push_back(index);
      } else if (c == ',' && !open.empty()) {
        const int owner = open.back();
        if (last_comma_[owner] < 0) {
          first_comma_[owner] = index;
        } else {
          next_comma_[last_comma_[owner]] = index;
        }
        last_comma_[owner] = index;
      } else if (c == '}' && !open.empty()) {
        match_[open.back()] = index;
        open.pop_back();
      }
    }
  }

  bool run() {
    std::vector<WordPart> result;
    if (!build(0, static_cast<int>(units_.size()), result)) return false;
    parts_ = std::move(result);
    return true;
  }

 private:
  static constexpr std::uint32_t kOpaque = 0xFFFFFFFFu;
  struct Unit {
    std::uint32_t part;
    std::uint32_t index;
  };

  char char_at(std::size_t k) const {
    const Unit& u = units_[k];
    return u.index == kOpaque ? '\0' : parts_[u.part].text[u.index];
  }
  std::uint32_t begin_of(std::size_t k) const {
    const Unit& u = units_[k];
    return parts_[u.part].span.begin + (u.index == kOpaque ? 0 : u.index);
  }
  std::uint32_t end_of(std::size_t k) const {
    const Unit& u = units_[k];
    return u.index == kOpaque ? parts_[u.part].span.end : parts_[u.part].span.begin + u.index + 1;
  }

  // The text between braces k and match_[k] when it is a sequence; empty otherwise.
  std::string sequence_text(int k) const {
    std::string text;
    for (int i = k + 1; i < match_[k]; ++i) {
      const char c = char_at(static_cast<std::size_t>(i));
      const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
                      c == '-' || c == '+';
      if (!ok || text.size() > 64) return {};
      text.push_back(c);
    }
    return is_sequence(text) ? text : std::string();
  }

  bool emit_unit(int k, std::vector<WordPart>& out) {
    const Unit& u = units_[static_cast<std::size_t>(k)];
    if (u.index == kOpaque) {
      out.push_back(std::move(parts_[u.part]));
      return true;
    }
    const std::uint32_t at = begin_of(static_cast<std::size_t>(k));
    if (!out.empty() && is_raw(out.back()) && out.back().span.end == at) {
      out.back().text.push_back(char_at(static_cast<std::size_t>(k)));
      out.back().span.end = at + 1;
      return true;
    }
    out.push_back(make_part(WordPartKind::kLiteral, std::string(1, char_at(static_cast<std::size_t>(k))), at, at + 1));
    return parser_.count_node(at_);
  }

  bool build(int from, int to, std::vector<WordPart>& out) {
    for (int k = from; k < to;) {
      const int close = match_[k];
      if (char_at(static_cast<std::size_t>(k)) == '{' && close > k && close < to) {
        std::string sequence;
        if (first_comma_[k] >= 0 || !(sequence = sequence_text(k)).empty()) {
          if (!expansion(k, close, std::move(sequence), out)) return false;
          k = close + 1;
          continue;
        }
      }
      if (!emit_unit(k, out)) return false;
      ++k;
    }
    return true;
  }

  bool expansion(int open, int close, std::string sequence, std::vector<WordPart>& out) {
    DepthGuard guard(parser_, at_);
    if (!guard.ok()) return false;
    const bool at_word_start = out.empty();
    WordPart brace = make_part(WordPartKind::kBrace, std::move(sequence), begin_of(static_cast<std::size_t>(open)),
                               end_of(static_cast<std::size_t>(close)));
    if (first_comma_[open] >= 0) {
      int begin = open + 1;
      for (int comma = first_comma_[open];; comma = next_comma_[comma]) {
        const int end = comma >= 0 ? comma : close;
        Word alternative;
        alternative.span = begin < end ? Span{begin_of(static_cast<std::size_t>(begin)),
                                              end_of(static_cast<std::size_t>(end - 1))}
                                       : Span{begin_of(static_cast<std::size_t>(end)),
                                              begin_of(static_cast<std::size_t>(end))};
        if (!build(begin, end, alternative.parts)) return false;
        WordOptions shape = options_;
        shape.tilde = options_.tilde && at_word_start;
        if (!parser_.mark_tildes(alternative.parts, shape, at_)) return false;
        if (options_.globs && !parser_.mark_globs(alternative.parts, at_)) return false;
        Parser::merge_adjacent(alternative.parts);
        brace.args.push_back(std::move(alternative));
        if (!parser_.count_node(at_)) return false;
        if (comma < 0) break;
        begin = comma + 1;
      }
    }
    out.push_back(std::move(brace));
    return parser_.count_node(at_);
  }

  Parser& parser_;
  std::vector<WordPart>& parts_;
  const WordOptions& options_;
  std::size_t at_;  // the word's local offset, for errors
  std::vector<Unit> units_;
  std::vector<int> match_, first_comma_, last_comma_, next_comma_;
};

// The end of a bracket expression that starts at text[open] == '[', or npos.
std::size_t bracket_end(std::string_view text, std::size_t open) {
  std::size_t k = open + 1;
  if (k < text.size() && (text[k] == '!' || text[k] == '^')) ++k;
  if (k < text.size() && text[k] == ']') ++k;
  while (k < text.size()) {
    if (text[k] == '[' && k + 1 < text.size() && (text[k + 1] == ':' || text[k + 1] == '.' || text[k + 1] == '=')) {
      // [:class:] [.coll.] [=equiv=]: looked for within a short distance only, to stay linear.
      const char kind = text[k + 1];
      const std::size_t limit = std::min(text.size(), k + 24);
      std::size_t j = k + 2;
      while (j + 1 < limit && !(text[j] == kind && text[j + 1] == ']')) ++j;
      if (j + 1 < limit) {
        k = j + 2;
        continue;
      }
    }
    if (text[k] == ']') return k;
    ++k;
  }
  return std::string_view::npos;
}

}  // namespace

bool Parser::expand_braces(std::vector<WordPart>& parts, const WordOptions& options, std::size_t at) {
  bool any = false;
  for (const WordPart& part : parts) {
    if (is_raw(part) && part.text.find('{') != std::string::npos) any = true;
  }
  if (!any) return true;
  BraceExpander expander(*this, parts, options, at);
  return expander.run();
}

bool Parser::mark_tildes(std::vector<WordPart>& parts, const WordOptions& options, std::size_t at) {
  if (!options.tilde && !options.assignment_tilde) return true;
  if (parts.empty() || !is_raw(parts[0])) return true;
  // NAME=value arguments (export PATH=~/bin) get the assignment rules too, as bash gives them.
  bool assignment = options.assignment_tilde;
  bool seen_equals = options.assignment_tilde;
  if (!assignment) {
    const std::string& first = parts[0].text;
    const std::size_t equals = first.find('=');
    assignment = equals != std::string::npos && is_valid_name(std::string_view(first).substr(0, equals));
  }
  std::vector<WordPart> result;
  bool candidate = true;  // the next character may start a tilde prefix
  for (std::size_t i = 0; i < parts.size(); ++i) {
    WordPart& part = parts[i];
    if (!is_raw(part)) {
      result.push_back(std::move(part));
      candidate = false;
      continue;
    }
    const std::string& text = part.text;
    const std::uint32_t base = part.span.begin;
    std::size_t segment = 0;
    for (std::size_t j = 0; j < text.size();) {
      if (candidate && text[j] == '~') {
        std::size_t end = j + 1;
        while (end < text.size() && text[end] != '/' && !(assignment && text[end] == ':')) ++end;
        const bool word_continues = end == text.size() && i + 1 < parts.size();
        const std::string_view user = std::string_view(text).substr(j + 1, end - j - 1);
        if (!word_continues && is_tilde_prefix(user)) {
          if (j > segment) {
            result.push_back(make_part(WordPartKind::kLiteral, text.substr(segment, j - segment),
                                       base + static_cast<std::uint32_t>(segment), base + static_cast<std::uint32_t>(j)));
          }
          result.push_back(make_part(WordPartKind::kTilde, std::string(user), base + static_cast<std::uint32_t>(j),
                                     base + static_cast<std::uint32_t>(end)));
          segment = end;
          j = end;
          candidate = false;
          continue;
        }
      }
      const char c = text[j];
      candidate = assignment && (c == ':' || (c == '=' && !seen_equals));
      if (c == '=') seen_equals = true;
      ++j;
    }
    if (segment < text.size()) {
      if (segment == 0) {
        result.push_back(std::move(part));
      } else {
        result.push_back(make_part(WordPartKind::kLiteral, text.substr(segment), base + static_cast<std::uint32_t>(segment),
                                   part.span.end));
      }
    }
  }
  const std::size_t added = result.size() > parts.size() ? result.size() - parts.size() : 0;
  parts = std::move(result);
  return count_node(at, added);
}

bool Parser::mark_globs(std::vector<WordPart>& parts, std::size_t at) {
  bool any = false;
  for (const WordPart& part : parts) {
    if (is_raw(part) && part.text.find_first_of("*?[") != std::string::npos) any = true;
  }
  if (!any) return true;
  // A [ whose ] lies in a later unquoted piece (["a"]) is still a bracket expression.
  std::vector<bool> close_later(parts.size(), false);
  bool seen_close = false;
  for (std::size_t i = parts.size(); i-- > 0;) {
    close_later[i] = seen_close;
    if (is_raw(parts[i]) && parts[i].text.find(']') != std::string::npos) seen_close = true;
  }
  std::vector<WordPart> result;
  bool pending_close = false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    WordPart& part = parts[i];
    if (!is_raw(part)) {
      result.push_back(std::move(part));
      continue;
    }
    const std::string& text = part.text;
    const std::uint32_t base = part.span.begin;
    const std::size_t last_close = text.rfind(']');
    std::size_t segment = 0;
    auto flush = [&](std::size_t upto) {
      if (upto > segment) {
        result.push_back(make_part(WordPartKind::kLiteral, text.substr(segment, upto - segment),
                                   base + static_cast<std::uint32_t>(segment), base + static_cast<std::uint32_t>(upto)));
      }
    };
    auto glob = [&](std::size_t from, std::size_t to) {
      flush(from);
      result.push_back(make_part(WordPartKind::kGlob, text.substr(from, to - from), base + static_cast<std::uint32_t>(from),
                                 base + static_cast<std::uint32_t>(to)));
      segment = to;
    };
    for (std::size_t j = 0; j < text.size();) {
      const char c = text[j];
      if (pending_close && c == ']') {
        glob(j, j + 1);
        pending_close = false;
        ++j;
      } else if (c == '*' || c == '?') {
        glob(j, j + 1);
        ++j;
      } else if (c == '[') {
        const std::size_t end = last_close != std::string::npos && last_close > j ? bracket_end(text, j)
                                                                                  : std::string::npos;
        if (end != std::string::npos) {
          glob(j, end + 1);
          j = end + 1;
        } else if (close_later[i]) {
          glob(j, j + 1);
          pending_close = true;
          ++j;
        } else {
          ++j;
        }
      } else {
        ++j;
      }
    }
    flush(text.size());
  }
  const std::size_t added = result.size() > parts.size() ? result.size() - parts.size() : 0;
  parts = std::move(result);
  return count_node(at, added);
}

void Parser::merge_adjacent(std::vector<WordPart>& parts) {
  std::size_t out = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (out > 0) {
      WordPart& last = parts[out - 1];
      WordPart& part = parts[i];
      const bool same_literal = last.kind == WordPartKind::kLiteral && part.kind == WordPartKind::kLiteral &&
                                last.quoted == part.quoted;
      const bool both_globs = last.kind == WordPartKind::kGlob && part.kind == WordPartKind::kGlob;
      if (same_literal || both_globs) {
        last.text += part.text;
        if (part.span.end > last.span.end) last.span.end = part.span.end;
        continue;
      }
    }
    if (out != i) parts[out] = std::move(parts[i]);
    ++out;
  }
  parts.resize(out);
}

}  // namespace trainctl::safety::shell_internal
