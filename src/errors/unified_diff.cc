#include "errors/unified_diff.h"

#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace trainctl::errors {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start + 1));  // with its newline
    start = nl + 1;
  }
  return lines;
}

enum class Op { kKeep, kRemove, kAdd };

// Myers' greedy diff; returns the edit script from a to b, or nothing past kMaxEdits edits.
constexpr long kMaxEdits = 4000;

std::optional<std::vector<Op>> myers(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  const auto n = static_cast<long>(a.size());
  const auto m = static_cast<long>(b.size());
  const long max = n + m;
  std::vector<long> v(static_cast<std::size_t>(2 * max + 2), 0);
  std::vector<std::vector<long>> trace;
  auto at = [&](long k) -> long& { return v[static_cast<std::size_t>(k + max + 1)]; };
  long d_end = -1;
  for (long d = 0; d <= std::min(max, kMaxEdits); ++d) {
    trace.push_back(v);
    bool done = false;
    for (long k = -d; k <= d; k += 2) {
      long x = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? at(k + 1) : at(k - 1) + 1;
      long y = x - k;
      while (x < n && y < m && a[static_cast<std::size_t>(x)] == b[static_cast<std::size_t>(y)]) {
        ++x;
        ++y;
      }
      at(k) = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
    if (done) {
      d_end = d;
      break;
    }
  }
  if (d_end < 0) return std::nullopt;
  std::vector<Op> ops;
  long x = n, y = m;
  for (long d = d_end; d > 0; --d) {
    const std::vector<long>& pv = trace[static_cast<std::size_t>(d)];
    auto pat = [&](long k) { return pv[static_cast<std::size_t>(k + max + 1)]; };
    long k = x - y;
    long prev_k = (k == -d || (k != d && pat(k - 1) < pat(k + 1))) ? k + 1 : k - 1;
    long prev_x = pat(prev_k);
    long prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      ops.push_back(Op::kKeep);
      --x;
      --y;
    }
    ops.push_back(x == prev_x ? Op::kAdd : Op::kRemove);
    x = prev_x;
    y = prev_y;
  }
  while (x > 0 && y > 0) {
    ops.push_back(Op::kKeep);
    --x;
    --y;
  }
  std::reverse(ops.begin(), ops.end());
  return ops;
}

void append_line(std::string& out, char mark, std::string_view line) {
  out += mark;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::optional<std::string> unified_diff(std::string_view old_text, std::string_view new_text,
                                        const std::string& old_name, const std::string& new_name,
                                        std::size_t context) {
  if (old_text == new_text) return std::string();
  auto a = split_lines(old_text);
  auto b = split_lines(new_text);
  if (a.size() > kMaxDiffLines || b.size() > kMaxDiffLines) return std::nullopt;
  auto script = myers(a, b);
  if (!script) return std::nullopt;
  const std::vector<Op>& ops = *script;

  // Positions of each op in a and b.
  struct Step {
    Op op;
    std::size_t ai, bi;
  };
  std::vector<Step> steps;
  std::size_t ai = 0, bi = 0;
  for (Op op : ops) {
    steps.push_back({op, ai, bi});
    if (op != Op::kAdd) ++ai;
    if (op != Op::kRemove) ++bi;
  }
  std::string out = fmt::format("--- {}\n+++ {}\n", old_name, new_name);
  std::size_t i = 0;
  while (i < steps.size()) {
    if (steps[i].op == Op::kKeep) {
      ++i;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is within 2 * context of the previous one.
    std::size_t begin = i >= context ? i - context : 0;
    while (begin < i && steps[begin].op != Op::kKeep) ++begin;
    std::size_t end = i;
    std::size_t last_change = i;
    for (std::size_t j = i; j < steps.size(); ++j) {
      if (steps[j].op != Op::kKeep) last_change = j;
      else if (j - last_change > 2 * context) break;
    }
    end = std::min(steps.size(), last_change + context + 1);
    std::size_t a_count = 0, b_count = 0;
    for (std::size_t j = begin; j < end; ++j) {
      if (steps[j].op != Op::kAdd) ++a_count;
      if (steps[j].op != Op::kRemove) ++b_count;
    }
    std::size_t a_start = a_count ? steps[begin].ai + 1 : steps[begin].ai;
    std::size_t b_start = b_count ? steps[begin].bi + 1 : steps[begin].bi;
    out += fmt::format("@@ -{},{} +{},{} @@\n", a_start, a_count, b_start, b_count);
    for (std::size_t j = begin; j < end; ++j) {
      const Step& s = steps[j];
      if (s.op == Op::kKeep) append_line(out, ' ', a[s.ai]);
      else if (s.op == Op::kRemove) append_line(out, '-', a[s.ai]);
      else append_line(out, '+', b[s.bi]);
    }
    i = end;
  }
  return out;
}

}  // namespace trainctl::errors
