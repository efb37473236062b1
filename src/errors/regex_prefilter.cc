#include "errors/regex_prefilter.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace trainctl::errors {
namespace {

// Below this many literal bytes a segment is too unselective to stand for the whole regex.
constexpr int kMinSegmentLiteral = 3;
// A bounded repeat of a wide class at least this long counts as a gap.
constexpr int kGapRepeat = 20;
constexpr int kMaxDepth = 50;

struct Node {
  enum class Kind { kLiteral, kClass, kAny, kAssert, kAnchor, kFlag, kGroup };
  Kind kind = Kind::kLiteral;
  std::string text;                             // source text (group: the opening "(" or "(?:")
  bool negated = false;                         // a [^...] class
  std::vector<std::vector<Node>> alternatives;  // a group's branches
  int min_repeat = 1;                           // from the quantifier
  bool unbounded = false;
  int max_repeat = 1;
  bool has_quantifier = false;
  std::string quantifier;                       // as loosened
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  std::optional<std::vector<std::vector<Node>>> parse() {
    auto alts = alternatives(0);
    if (!alts || pos_ != s_.size()) return std::nullopt;
    return alts;
  }

 private:
  std::optional<std::vector<std::vector<Node>>> alternatives(int depth) {
    if (depth > kMaxDepth) return std::nullopt;
    std::vector<std::vector<Node>> alts(1);
    while (pos_ < s_.size() && s_[pos_] != ')') {
      if (s_[pos_] == '|') {
        ++pos_;
        alts.emplace_back();
        continue;
      }
      auto node = atom(depth);
      if (!node) return std::nullopt;
      if (!quantifier(*node)) return std::nullopt;
      alts.back().push_back(std::move(*node));
    }
    return alts;
  }

  std::optional<Node> atom(int depth) {
    Node n;
    char c = s_[pos_];
    if (c == '\\') {
      if (pos_ + 1 >= s_.size()) return std::nullopt;
      char e = s_[pos_ + 1];
      n.text = std::string(s_.substr(pos_, 2));
      pos_ += 2;
      if (e == 'b' || e == 'B') n.kind = Node::Kind::kAssert;
      else if (std::string_view("dDwWsS").find(e) != std::string_view::npos) n.kind = Node::Kind::kClass;
      else if (e == 'x') {  // \xHH
        if (pos_ + 2 > s_.size()) return std::nullopt;
        n.text += std::string(s_.substr(pos_, 2));
        pos_ += 2;
      } else if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
        if (e != 'n' && e != 't' && e != 'r' && e != 'f' && e != 'v') n.kind = Node::Kind::kClass;  // unknown: not literal
      }
      return n;
    }
    if (c == '[') return char_class();
    if (c == '(') return group(depth);
    if (c == '.') {
      n.kind = Node::Kind::kAny;
      n.text = ".";
      ++pos_;
      return n;
    }
    if (c == '^' || c == '$') {
      n.kind = Node::Kind::kAnchor;
      n.text = std::string(1, c);
      ++pos_;
      return n;
    }
    if (c == '*' || c == '+' || c == '?' || c == '{' || c == '}' || c == ']') return std::nullopt;
    n.text = std::string(1, c);
    ++pos_;
    return n;
  }

  std::optional<Node> char_class() {
    Node n;
    n.kind = Node::Kind::kClass;
    std::size_t start = pos_++;
    if (pos_ < s_.size() && s_[pos_] == '^') {
      n.negated = true;
      ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == ']') ++pos_;  // a literal ] first
    while (pos_ < s_.size() && s_[pos_] != ']') pos_ += s_[pos_] == '\\' ? 2 : 1;
    if (pos_ >= s_.size()) return std::nullopt;
    ++pos_;
    n.text = std::string(s_.substr(start, pos_ - start));
    // Keep a negated class inside one line: Hyperscan scans many lines at once.
    if (n.negated) n.text.insert(n.text.size() - 1, "\\n");
    return n;
  }

  std::optional<Node> group(int depth) {
    Node n;
    n.kind = Node::Kind::kGroup;
    if (s_.substr(pos_, 4) == "(?i)") {
      n.kind = Node::Kind::kFlag;
      n.text = "(?i)";
      pos_ += 4;
      return n;
    }
    if (s_.substr(pos_, 3) == "(?:") {
      n.text = "(?:";
      pos_ += 3;
    } else if (s_.substr(pos_, 2) == "(?") {
      return std::nullopt;  // outside the subset
    } else {
      n.text = "(";
      ++pos_;
    }
    auto alts = alternatives(depth + 1);
    if (!alts || pos_ >= s_.size() || s_[pos_] != ')') return std::nullopt;
    ++pos_;
    n.alternatives = std::move(*alts);
    return n;
  }

  bool quantifier(Node& n) {
    if (pos_ >= s_.size()) return true;
    char c = s_[pos_];
    if (c == '*' || c == '+' || c == '?') {
      n.has_quantifier = true;
      n.min_repeat = c == '+' ? 1 : 0;
      n.unbounded = c != '?';
      n.max_repeat = c == '?' ? 1 : 0;
      n.quantifier = std::string(1, c);
      ++pos_;
    } else if (c == '{') {
      std::size_t close = s_.find('}', pos_);
      if (close == std::string_view::npos) return false;
      std::string_view body = s_.substr(pos_ + 1, close - pos_ - 1);
      std::size_t comma = body.find(',');
      auto number = [](std::string_view digits) -> std::optional<int> {
        if (digits.empty() || digits.size() > 4) return std::nullopt;
        int v = 0;
        for (char d : digits) {
          if (d < '0' || d > '9') return std::nullopt;
          v = v * 10 + (d - '0');
        }
        return v;
      };
      auto lo = number(comma == std::string_view::npos ? body : body.substr(0, comma));
      if (!lo) return false;
      n.has_quantifier = true;
      n.min_repeat = *lo;
      if (comma == std::string_view::npos) {
        n.max_repeat = *lo;
        n.quantifier = "{" + std::to_string(*lo) + "}";
      } else {
        std::string_view hi_text = body.substr(comma + 1);
        auto hi = hi_text.empty() ? std::optional<int>() : number(hi_text);
        if (!hi_text.empty() && !hi) return false;
        n.unbounded = true;  // {n,m} is opened to {n,}: fewer states, and still a superset
        n.max_repeat = hi.value_or(0);
        n.quantifier = "{" + std::to_string(*lo) + ",}";
      }
      pos_ = close + 1;
    } else {
      return true;
    }
    if (pos_ < s_.size() && s_[pos_] == '?') ++pos_;  // lazy: the same matches for a prefilter
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

void emit(const std::vector<Node>& seq, std::string& out);

void emit_node(const Node& n, std::string& out) {
  switch (n.kind) {
    case Node::Kind::kAnchor: return;
    case Node::Kind::kGroup: {
      out += n.text;
      for (std::size_t i = 0; i < n.alternatives.size(); ++i) {
        if (i) out += '|';
        emit(n.alternatives[i], out);
      }
      out += ')';
      break;
    }
    default: out += n.text;
  }
  out += n.quantifier;
}

void emit(const std::vector<Node>& seq, std::string& out) {
  for (const Node& n : seq) emit_node(n, out);
}

bool is_literal(const Node& n) { return n.kind == Node::Kind::kLiteral; }

// The shortest literal text every branch of a group of plain literals matches; nullopt when a
// branch holds anything else.
std::optional<int> literal_group_length(const Node& n) {
  if (n.kind != Node::Kind::kGroup) return std::nullopt;
  std::optional<int> shortest;
  for (const auto& alt : n.alternatives) {
    if (alt.empty()) return std::nullopt;
    int len = 0;
    for (const Node& m : alt) {
      if (!is_literal(m) || m.has_quantifier) return std::nullopt;
      ++len;
    }
    shortest = shortest ? std::min(*shortest, len) : len;
  }
  return shortest;
}

// The longest run of text every match of `seq` must contain, in bytes.
int literal_score(const std::vector<Node>& seq) {
  int best = 0, run = 0;
  for (const Node& n : seq) {
    bool required = !n.has_quantifier || n.min_repeat >= 1;
    if (n.kind == Node::Kind::kAnchor || n.kind == Node::Kind::kAssert || n.kind == Node::Kind::kFlag) continue;
    auto group_len = literal_group_length(n);
    if (required && (is_literal(n) || group_len)) {
      run += group_len.value_or(1);
      best = std::max(best, run);
      if (n.has_quantifier && (n.unbounded || n.max_repeat != 1)) run = 0;
      continue;
    }
    run = 0;
  }
  return best;
}

bool is_gap(const Node& n) {
  bool wide = n.kind == Node::Kind::kAny || (n.kind == Node::Kind::kClass && n.negated);
  return wide && n.has_quantifier && n.min_repeat <= 1 && (n.unbounded && (n.max_repeat == 0 || n.max_repeat >= kGapRepeat));
}

}  // namespace

std::string prefilter_expression(std::string_view regex) {
  auto parsed = Parser(regex).parse();
  if (!parsed) return std::string(regex);
  std::string out;
  const auto& alts = *parsed;
  if (alts.size() == 1) {
    // Split at gaps and keep the segment with the longest required literal (the later on a tie:
    // the specific part of an error message usually comes after a common word).
    const std::vector<Node>& seq = alts.front();
    std::vector<std::vector<Node>> segments(1);
    std::vector<Node> flags;
    for (const Node& n : seq) {
      if (n.kind == Node::Kind::kFlag) flags.push_back(n);
      if (is_gap(n)) segments.emplace_back();
      else segments.back().push_back(n);
    }
    if (segments.size() > 1) {
      int best_score = -1;
      std::size_t best = 0;
      for (std::size_t i = 0; i < segments.size(); ++i) {
        int score = literal_score(segments[i]);
        if (score >= best_score) {
          best_score = score;
          best = i;
        }
      }
      if (best_score >= kMinSegmentLiteral) {
        bool has_flag = std::any_of(segments[best].begin(), segments[best].end(),
                                    [](const Node& n) { return n.kind == Node::Kind::kFlag; });
        if (!has_flag) emit(flags, out);
        emit(segments[best], out);
        return out;
      }
    }
  }
  for (std::size_t i = 0; i < alts.size(); ++i) {
    if (i) out += '|';
    emit(alts[i], out);
  }
  return out.empty() ? std::string(regex) : out;
}

}  // namespace trainctl::errors
