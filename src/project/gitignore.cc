#include "project/gitignore.h"

#include <algorithm>
#include <cstdint>

namespace trainctl::project {
namespace {

// [...] at p (p points at '['): whether c is in the class, and where the class ends (npos when
// the class is not closed, in which case '[' is a literal).
std::pair<bool, std::size_t> match_class(std::string_view p, std::size_t i, char c) {
  std::size_t k = i + 1;
  bool negate = k < p.size() && (p[k] == '!' || p[k] == '^');
  if (negate) ++k;
  bool found = false;
  bool first = true;
  while (k < p.size() && (p[k] != ']' || first)) {
    first = false;
    char lo = p[k];
    if (lo == '\\' && k + 1 < p.size()) lo = p[++k];
    char hi = lo;
    if (k + 2 < p.size() && p[k + 1] == '-' && p[k + 2] != ']') {
      hi = p[k + 2];
      if (hi == '\\' && k + 3 < p.size()) {
        hi = p[k + 3];
        ++k;
      }
      k += 2;
    }
    if (c >= lo && c <= hi) found = true;
    ++k;
  }
  if (k >= p.size()) return {false, std::string_view::npos};
  return {found != negate, k + 1};
}

// Matching with backtracking at each star, remembering every (pattern, text) position already
// tried: a pattern of many stars stays polynomial instead of exponential.
class Matcher {
 public:
  Matcher(std::string_view p, std::string_view t) : p_(p), t_(t) {}

  bool run() { return match(0, 0); }

 private:
  bool at(std::size_t pi, std::size_t ti) {
    if (tried_.empty()) tried_.assign((p_.size() + 1) * (t_.size() + 1), 0);  // only patterns with stars get here
    std::uint8_t& memo = tried_[pi * (t_.size() + 1) + ti];
    if (memo) return memo == 2;
    bool result = match(pi, ti);
    memo = result ? 2 : 1;
    return result;
  }

  bool match(std::size_t pi, std::size_t ti) {
    while (pi < p_.size()) {
      char c = p_[pi];
      if (c == '*') {
        bool double_star = pi + 1 < p_.size() && p_[pi + 1] == '*' && (pi == 0 || p_[pi - 1] == '/') &&
                           (pi + 2 == p_.size() || p_[pi + 2] == '/');
        if (double_star) {
          if (pi + 2 == p_.size()) return true;  // trailing /**: everything below
          std::size_t rest = pi + 3;
          if (at(rest, ti)) return true;
          for (std::size_t k = ti; k < t_.size(); ++k) {
            if (t_[k] == '/' && at(rest, k + 1)) return true;
          }
          return false;
        }
        while (pi < p_.size() && p_[pi] == '*') ++pi;
        if (pi == p_.size()) return t_.find('/', ti) == std::string_view::npos;
        for (std::size_t k = ti; k <= t_.size(); ++k) {
          if (at(pi, k)) return true;
          if (k < t_.size() && t_[k] == '/') break;
        }
        return false;
      }
      if (ti >= t_.size()) return false;
      if (c == '?') {
        if (t_[ti] == '/') return false;
        ++pi;
        ++ti;
        continue;
      }
      if (c == '[') {
        auto [in, end] = match_class(p_, pi, t_[ti]);
        if (end != std::string_view::npos) {
          if (!in || t_[ti] == '/') return false;
          pi = end;
          ++ti;
          continue;
        }
      }
      if (c == '\\' && pi + 1 < p_.size()) c = p_[++pi];
      if (c != t_[ti]) return false;
      ++pi;
      ++ti;
    }
    return ti == t_.size();
  }

  std::string_view p_;
  std::string_view t_;
  std::vector<std::uint8_t> tried_;  // 0 not yet, 1 no match, 2 match
};

// Trailing spaces are dropped unless escaped with a backslash.
std::string_view trim_trailing_spaces(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
    std::size_t backslashes = 0;
    for (std::size_t k = line.size() - 1; k > 0 && line[k - 1] == '\\'; --k) ++backslashes;
    if (backslashes % 2 == 1) break;
    line.remove_suffix(1);
  }
  return line;
}

}  // namespace

bool wildmatch(std::string_view pattern, std::string_view text) {
  if (static_cast<std::size_t>(std::count(pattern.begin(), pattern.end(), '*')) > kMaxPatternStars) {
    return pattern == text;
  }
  return Matcher(pattern, text).run();
}

IgnoreFile parse_ignore_file(std::string base, std::string_view text) {
  IgnoreFile file{std::move(base), {}};
  text = text.substr(0, kMaxIgnoreFileBytes);
  std::size_t start = 0;
  while (start < text.size() && file.rules.size() < kMaxIgnoreRules) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = trim_trailing_spaces(line);
    if (line.empty() || line[0] == '#') continue;
    IgnoreRule rule;
    if (line[0] == '!') {
      rule.negated = true;
      line.remove_prefix(1);
    } else if (line[0] == '\\' && line.size() > 1 && (line[1] == '!' || line[1] == '#')) {
      line.remove_prefix(1);
    }
    if (!line.empty() && line.back() == '/') {
      rule.dir_only = true;
      line.remove_suffix(1);
    }
    if (line.find('/') != std::string_view::npos) rule.anchored = true;
    if (!line.empty() && line[0] == '/') line.remove_prefix(1);
    if (line.empty()) continue;
    rule.pattern = std::string(line);
    file.rules.push_back(std::move(rule));
  }
  return file;
}

std::optional<bool> ignore_verdict(const IgnoreFile& file, std::string_view path, bool is_dir) {
  // Below base: base itself is "/" or is followed by a "/" in path.
  bool root = file.base == "/";
  if (path.size() <= file.base.size() + 1 || path.substr(0, file.base.size()) != file.base ||
      (!root && path[file.base.size()] != '/')) {
    return std::nullopt;
  }
  std::string_view rel = path.substr(root ? 1 : file.base.size() + 1);
  std::size_t slash = rel.rfind('/');
  std::string_view name = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
  for (auto it = file.rules.rbegin(); it != file.rules.rend(); ++it) {
    if (it->dir_only && !is_dir) continue;
    bool hit = it->anchored ? wildmatch(it->pattern, rel) : wildmatch(it->pattern, name);
    if (hit) return !it->negated;
  }
  return std::nullopt;
}

bool IgnoreStack::ignored(std::string_view path, bool is_dir) const {
  for (auto it = files_.rbegin(); it != files_.rend(); ++it) {
    if (auto verdict = ignore_verdict(*it, path, is_dir)) return *verdict;
  }
  return false;
}

}  // namespace trainctl::project
