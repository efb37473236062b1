#include "errors/log_scan.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace trainctl::errors {
namespace {

struct RawHit {
  unsigned id;
  std::uint64_t pos;  // chunk offset of the match's last byte
};

struct Collector {
  const char* data = nullptr;
  std::size_t size = 0;
  std::vector<std::uint64_t> line_end;  // per pattern: the end of the line of its last hit
  std::vector<RawHit> hits;
};

// Keeps one hit per pattern and line: Hyperscan reports every end offset of every match.
int on_match(unsigned id, std::uint64_t end, void* context) {
  auto* c = static_cast<Collector*>(context);
  std::uint64_t pos = end - 1;
  std::uint64_t& line_end = c->line_end[id];
  if (pos < line_end) return 0;
  const void* nl = std::memchr(c->data + pos, '\n', c->size - pos);
  line_end = nl ? static_cast<std::uint64_t>(static_cast<const char*>(nl) - c->data) + 1 : c->size;
  c->hits.push_back({id, pos});
  return 0;
}

bool opens_region(MarkerKind kind) {
  return kind == MarkerKind::kTraceback || kind == MarkerKind::kRootCause || kind == MarkerKind::kFailures ||
         kind == MarkerKind::kChainContext || kind == MarkerKind::kChainCause;
}

struct ActiveRegion {
  std::uint64_t start_line = 0;
  std::uint64_t next_line = 0;      // the next line to keep
  std::uint64_t end_line = 0;       // the last line to keep
  std::size_t start_offset = 0;     // in the chunk that opened it
  bool opened_here = false;
  std::size_t bytes = 0;
  std::vector<LogLine> lines;
};

class Scanner {
 public:
  Scanner(const PatternSet& patterns, std::size_t entry_count, const ScanLimits& limits)
      : patterns_(patterns), limits_(limits) {
    scan_.entries.resize(entry_count);
    collector_.line_end.resize(patterns.size());
    markers_first_.resize(16);
    markers_last_.resize(16);
  }

  core::Status chunk(const LogChunk& chunk) {
    std::string_view text = chunk.bytes;
    if (std::memchr(text.data(), '\x1b', text.size())) {
      // Colour codes would split the words patterns look for; without them line breaks stay put.
      cleaned_ = strip_ansi(text);
      text = cleaned_;
      scan_.had_ansi = true;
    }
    chunk_ = &chunk;
    text_ = text;
    collector_.data = text.data();
    collector_.size = text.size();
    collector_.hits.clear();
    std::fill(collector_.line_end.begin(), collector_.line_end.end(), 0);
    auto status = patterns_.scan(text, on_match, &collector_);
    if (!status) return status;

    cursor_pos_ = 0;
    cursor_line_ = chunk.first_line;
    cached_line_start_ = std::string::npos;
    for (const RawHit& hit : collector_.hits) handle(hit);
    walk_regions();
    keep_tail(chunk.bytes, chunk);
    scan_.bytes = chunk.offset + chunk.bytes.size();
    if (!chunk.bytes.empty()) last_byte_ = chunk.bytes.back();
    next_line_ = chunk.first_line + chunk.newlines;
    return core::Ok{};
  }

  LogScan finish() {
    for (auto& region : active_) close(std::move(region));
    active_.clear();
    scan_.ends_with_newline = scan_.bytes == 0 || last_byte_ == '\n';
    scan_.lines = scan_.bytes == 0 ? 0 : (scan_.ends_with_newline ? next_line_ - 1 : next_line_);
    // The tail: the last lines, numbered, blank ones left out.
    std::uint64_t number = tail_first_line_;
    std::vector<LogLine> lines;
    std::size_t start = 0;
    while (start < tail_.size()) {
      std::size_t nl = tail_.find('\n', start);
      std::size_t end = nl == std::string::npos ? tail_.size() : nl;
      NormalizedLine n = normalize_line(std::string_view(tail_).substr(start, end - start));
      if (!n.text.empty()) lines.push_back({number, n.rank, std::move(n.text)});
      ++number;
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    if (lines.size() > limits_.tail_lines) lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(limits_.tail_lines));
    scan_.tail = std::move(lines);
    for (std::size_t k = 0; k < markers_first_.size(); ++k) {
      for (auto& m : markers_first_[k]) scan_.markers.push_back(std::move(m));
      if (markers_last_[k] && (markers_first_[k].empty() || markers_last_[k]->line != scan_.markers.back().line)) {
        scan_.markers.push_back(std::move(*markers_last_[k]));
      }
    }
    std::stable_sort(scan_.markers.begin(), scan_.markers.end(),
                     [](const MarkerHit& a, const MarkerHit& b) { return a.line < b.line; });
    return std::move(scan_);
  }

 private:
  // Bounds of the line holding chunk offset `pos`; a '\n' belongs to the line it ends.
  std::pair<std::size_t, std::size_t> line_bounds(std::size_t pos) const {
    std::size_t start = pos;
    while (start > 0 && text_[start - 1] != '\n') {
      const void* prev = ::memrchr(text_.data(), '\n', start);
      start = prev ? static_cast<std::size_t>(static_cast<const char*>(prev) - text_.data()) + 1 : 0;
      break;
    }
    const void* nl = std::memchr(text_.data() + pos, '\n', text_.size() - pos);
    std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text_.data()) : text_.size();
    return {start, end};
  }

  std::uint64_t line_number(std::size_t line_start) {
    if (line_start > cursor_pos_) {
      cursor_line_ += count_newlines(text_.substr(cursor_pos_, line_start - cursor_pos_));
      cursor_pos_ = line_start;
    }
    return cursor_line_;
  }

  const std::vector<NormalizedLine>& segments(std::size_t start, std::size_t end, std::size_t pos) {
    if (start != cached_line_start_) {
      std::string_view raw = text_.substr(start, end - start);
      if (raw.size() > kMaxLogLineBytes) {
        // A giant line: look at the part around the hit.
        std::size_t from = pos - start > kMaxLogLineBytes / 2 ? pos - start - kMaxLogLineBytes / 2 : 0;
        raw = raw.substr(from, kMaxLogLineBytes);
      }
      cached_segments_ = normalize_segments(raw);
      cached_line_start_ = start;
    }
    return cached_segments_;
  }

  std::vector<std::string> lines_after(std::size_t line_end) const {
    std::vector<std::string> out;
    std::size_t at = line_end + 1;
    while (out.size() < limits_.lines_after_hit && at < text_.size()) {
      const void* nl = std::memchr(text_.data() + at, '\n', text_.size() - at);
      std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text_.data()) : text_.size();
      out.push_back(normalize_line(text_.substr(at, std::min(end - at, kMaxLogLineBytes))).text);
      at = end + 1;
    }
    return out;
  }

  void handle(const RawHit& hit) {
    auto [start, end] = line_bounds(hit.pos);
    std::uint64_t number = line_number(start);
    const PatternRef& ref = patterns_.ref(hit.id);
    if (!ref.is_marker) {
      EntryHits& eh = scan_.entries[ref.index];
      if (eh.count >= limits_.hits_counted || (eh.last && eh.last->line == number)) return;
    }
    const NormalizedLine* matched = nullptr;
    for (const NormalizedLine& seg : segments(start, end, hit.pos)) {
      // An indented line (a log pasted as a code block, a launcher's summary) is tried as written
      // and without its indentation, for patterns anchored at the start of the line.
      std::string_view text = seg.text;
      bool ok = patterns_.confirm(hit.id, text);
      if (!ok && !text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(std::min(text.find_first_not_of(" \t"), text.size()));
        ok = patterns_.confirm(hit.id, text);
      }
      if (ok && (ref.is_marker || !patterns_.excluded(ref.index, text))) {
        matched = &seg;
        break;
      }
    }
    if (!matched) return;
    if (ref.is_marker) {
      marker(structure_markers()[ref.index].kind, number, *matched, start);
      return;
    }
    EntryHits& eh = scan_.entries[ref.index];
    ++eh.count;
    LineHit h{number, matched->rank, matched->text, {}, ref.pattern};
    if (eh.hits.size() < limits_.hits_kept) {
      h.after = lines_after(end);
      eh.hits.push_back(h);
    }
    eh.last = std::move(h);
  }

  void marker(MarkerKind kind, std::uint64_t number, const NormalizedLine& line, std::size_t start) {
    auto k = static_cast<std::size_t>(kind);
    MarkerHit m{kind, number, line.rank, line.text};
    if (markers_first_[k].size() < limits_.markers_kept) markers_first_[k].push_back(m);
    else markers_last_[k] = m;
    if (!opens_region(kind)) return;
    if (!active_.empty() && number <= active_.back().end_line + 1) {
      ActiveRegion& r = active_.back();
      r.end_line = std::min(std::max(r.end_line, number + limits_.region_after), r.start_line + limits_.region_max_lines);
      return;
    }
    ActiveRegion r;
    r.start_line = r.next_line = number;
    r.end_line = number + limits_.region_after;
    r.start_offset = start;
    r.opened_here = true;
    active_.push_back(std::move(r));
  }

  void walk_regions() {
    const LogChunk& chunk = *chunk_;
    // The partial last line of a chunk is read with the next chunk.
    std::size_t limit = text_.size();
    if (chunk.ends_mid_line && !chunk.at_end) {
      std::size_t last = text_.rfind('\n');
      limit = last == std::string_view::npos ? 0 : last + 1;
    }
    std::vector<ActiveRegion> still;
    for (auto& r : active_) {
      std::size_t at = r.opened_here ? r.start_offset : 0;
      r.opened_here = false;
      while (r.next_line <= r.end_line && at < limit && r.bytes < limits_.region_max_bytes) {
        const void* nl = std::memchr(text_.data() + at, '\n', limit - at);
        std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text_.data()) : limit;
        NormalizedLine n = normalize_line(text_.substr(at, std::min(end - at, kMaxLogLineBytes)));
        r.bytes += n.text.size() + 16;
        r.lines.push_back({r.next_line, n.rank, std::move(n.text)});
        ++r.next_line;
        at = end + 1;
      }
      if (r.next_line > r.end_line || r.bytes >= limits_.region_max_bytes) close(std::move(r));
      else still.push_back(std::move(r));
    }
    active_ = std::move(still);
  }

  void close(ActiveRegion region) {
    if (region.lines.empty()) return;
    scan_.regions.push_back(std::move(region.lines));
    // Keep the first quarter (where a failure usually starts) and the most recent ones.
    if (scan_.regions.size() > limits_.regions_kept) {
      scan_.regions.erase(scan_.regions.begin() + static_cast<std::ptrdiff_t>(limits_.regions_kept / 4));
    }
  }

  void keep_tail(std::string_view bytes, const LogChunk& chunk) {
    std::uint64_t after = chunk.first_line + chunk.newlines;  // the number of the line after the chunk
    if (bytes.size() >= limits_.tail_bytes) {
      std::size_t cut = bytes.size() - limits_.tail_bytes;
      std::size_t nl = bytes.find('\n', cut);
      if (nl != std::string_view::npos && nl + 1 < bytes.size()) cut = nl + 1;
      tail_.assign(bytes.substr(cut));
      tail_first_line_ = after - count_newlines(tail_);
      return;
    }
    if (tail_.empty()) tail_first_line_ = chunk.first_line;
    tail_.append(bytes);
    if (tail_.size() > 2 * limits_.tail_bytes) {
      std::size_t cut = tail_.size() - limits_.tail_bytes;
      std::size_t nl = tail_.find('\n', cut);
      if (nl != std::string::npos) cut = nl + 1;
      tail_first_line_ += count_newlines(std::string_view(tail_).substr(0, cut));
      tail_.erase(0, cut);
    }
  }

  const PatternSet& patterns_;
  ScanLimits limits_;
  LogScan scan_;
  Collector collector_;
  std::string cleaned_;
  const LogChunk* chunk_ = nullptr;
  std::string_view text_;
  std::size_t cursor_pos_ = 0;
  std::uint64_t cursor_line_ = 1;
  std::size_t cached_line_start_ = std::string::npos;
  std::vector<NormalizedLine> cached_segments_;
  std::vector<ActiveRegion> active_;
  std::vector<std::vector<MarkerHit>> markers_first_;
  std::vector<std::optional<MarkerHit>> markers_last_;
  std::string tail_;
  std::uint64_t tail_first_line_ = 1;
  std::uint64_t next_line_ = 1;
  char last_byte_ = '\n';
};

}  // namespace

core::Result<LogScan> scan_log(LogReader& reader, const PatternSet& patterns, std::size_t entry_count,
                               const ScanLimits& limits) {
  Scanner scanner(patterns, entry_count, limits);
  while (true) {
    auto chunk = reader.next();
    if (!chunk) return chunk.error();
    if (!*chunk) break;
    auto status = scanner.chunk(**chunk);
    if (!status) return status.error();
  }
  return scanner.finish();
}

}  // namespace trainctl::errors
