#include "errors/log_line.h"

#include <algorithm>
#include <cstring>

namespace trainctl::errors {
namespace {

constexpr char kEsc = '\x1b';

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

// Parses up to 6 digits at s[i]; returns -1 when there are none (or too many: not a rank).
int parse_rank(std::string_view s, std::size_t& i) {
  std::size_t start = i;
  int value = 0;
  while (i < s.size() && is_digit(s[i]) && i - start < 7) value = value * 10 + (s[i++] - '0');
  if (i == start || i - start > 6) return -1;
  return value;
}

// Length of the escape sequence starting at s[i] (s[i] == ESC), at least 1.
std::size_t escape_length(std::string_view s, std::size_t i) {
  std::size_t j = i + 1;
  if (j >= s.size()) return 1;
  if (s[j] == '[') {  // CSI: parameters and intermediates, then one final byte 0x40-0x7e
    ++j;
    while (j < s.size() && static_cast<unsigned char>(s[j]) >= 0x20 && static_cast<unsigned char>(s[j]) < 0x40) ++j;
    if (j < s.size() && static_cast<unsigned char>(s[j]) >= 0x40 && static_cast<unsigned char>(s[j]) <= 0x7e) ++j;
    return j - i;
  }
  if (s[j] == ']') {  // OSC: up to BEL or ESC backslash, never past the line
    ++j;
    while (j < s.size() && s[j] != '\a' && s[j] != '\n' && s[j] != kEsc) ++j;
    if (j < s.size() && s[j] == '\a') return j + 1 - i;
    if (j + 1 < s.size() && s[j] == kEsc && s[j + 1] == '\\') return j + 2 - i;
    return j - i;
  }
  return 2;  // ESC and one character (ESC ( B, ESC =, ...)
}

// Appends `segment` without escapes and control bytes (tab kept).
void append_clean(std::string& out, std::string_view segment) {
  for (std::size_t i = 0; i < segment.size();) {
    char c = segment[i];
    if (c == kEsc) {
      i += escape_length(segment, i);
      continue;
    }
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      ++i;
      continue;
    }
    out.push_back(c);
    ++i;
  }
}

NormalizedLine finish(std::string_view segment) {
  NormalizedLine line;
  std::string clean;
  clean.reserve(std::min(segment.size(), kMaxLogLineBytes));
  append_clean(clean, segment.substr(0, kMaxLogLineBytes));
  std::string_view view(clean);
  for (int n = 0; n < kMaxRankPrefixes; ++n) {
    int rank = take_rank_prefix(view);
    if (rank < 0) break;
    line.rank = rank;
  }
  while (!view.empty() && (view.back() == ' ' || view.back() == '\t')) view.remove_suffix(1);
  line.text.assign(view);
  return line;
}

// Splits on '\r' (a trailing '\n' is not part of the line), keeping non-blank segments.
std::vector<std::string_view> cr_segments(std::string_view raw) {
  if (!raw.empty() && raw.back() == '\n') raw.remove_suffix(1);
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= raw.size()) {
    std::size_t cr = raw.find('\r', start);
    std::size_t end = cr == std::string_view::npos ? raw.size() : cr;
    std::string_view piece = raw.substr(start, end - start);
    if (!is_blank(piece)) out.push_back(piece);
    if (cr == std::string_view::npos) break;
    start = cr + 1;
  }
  return out;
}

}  // namespace

int take_rank_prefix(std::string_view& line) {
  std::string_view s = line;
  std::size_t i = 0;
  int rank = -1;
  if (!s.empty() && s[0] == '[') {
    // [rank3]: / [default3]: / [trainer3]: (torchrun --tee, role name then local rank), [rank: 3]
    // (Lightning), [1,3]<stderr>: (OpenMPI --tag-output: job, rank).
    i = 1;
    while (i < s.size() && (is_alpha(s[i]) || s[i] == '_')) ++i;
    bool named = i > 1;
    if (named && i + 1 < s.size() && s[i] == ':' && s[i + 1] == ' ') i += 2;  // "[rank: 3]"
    if (!named && i < s.size() && is_digit(s[i])) {
      std::size_t j = i;
      if (parse_rank(s, j) >= 0 && j < s.size() && s[j] == ',') i = j + 1;  // OpenMPI "[1,3]"
      else return -1;
    }
    rank = parse_rank(s, i);
    if (rank < 0 || i >= s.size() || s[i] != ']') return -1;
    ++i;
    if (s.substr(i, 8) == "<stdout>" || s.substr(i, 8) == "<stderr>") i += 8;
    if (i < s.size() && s[i] == ':') {
      ++i;
    } else if (!(named && s.substr(1, 4) == "rank")) {
      return -1;  // "[rank: 1] message" has no colon; anything else without one is not a prefix
    }
  } else {
    // Slurm's srun --label and torchrun's --tee without roles: "3: message".
    while (i < s.size() && s[i] == ' ') ++i;
    rank = parse_rank(s, i);
    if (rank < 0 || i + 1 >= s.size() || s[i] != ':' || s[i + 1] != ' ') return -1;
    ++i;
  }
  if (i < s.size() && s[i] == ' ') ++i;
  line.remove_prefix(i);
  return rank;
}

std::string strip_ansi(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  std::size_t i = 0;
  while (i < raw.size()) {
    const void* hit = std::memchr(raw.data() + i, kEsc, raw.size() - i);
    std::size_t esc = hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - raw.data()) : raw.size();
    out.append(raw.data() + i, esc - i);
    if (esc == raw.size()) break;
    // A sequence never swallows a newline: escape_length stops at one for OSC, and CSI stops at
    // any byte below 0x20.
    i = esc + escape_length(raw, esc);
  }
  return out;
}

NormalizedLine normalize_line(std::string_view raw) {
  std::vector<std::string_view> segments = cr_segments(raw);
  if (segments.empty()) return {};
  // The last redraw is what the terminal showed; a blank one after it (CRLF endings) is skipped.
  // Launchers prefix a line once, before its first redraw, so the rank comes from the first.
  for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
    NormalizedLine line = finish(*it);
    if (line.text.empty()) continue;
    if (line.rank < 0 && it + 1 != segments.rend()) line.rank = finish(segments.front()).rank;
    return line;
  }
  return {};
}

std::vector<NormalizedLine> normalize_segments(std::string_view raw) {
  std::vector<NormalizedLine> out;
  for (std::string_view segment : cr_segments(raw)) {
    NormalizedLine line = finish(segment);
    if (!line.text.empty()) out.push_back(std::move(line));
  }
  return out;
}

}  // namespace trainctl::errors
