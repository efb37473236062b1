// The one pass over a log: every chunk is scanned once by the pattern set (pattern_set.h), each
// candidate line is normalised (log_line.h) and confirmed, and what the later steps need is kept:
// the hits of every knowledge-base entry (the first few with their text, and how many), the
// structure markers, the lines around tracebacks and torchrun summaries (regions), and the last
// lines of the log. Memory is bounded by the limits below, whatever the log's size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "errors/log_line.h"
#include "errors/log_reader.h"
#include "errors/pattern_set.h"

namespace trainctl::errors {

struct ScanLimits {
  std::size_t hits_kept = 24;              // per entry, the first hits kept with their text
  std::uint64_t hits_counted = 1000000;    // per entry; beyond this the rest of its hits are skipped
  std::size_t lines_after_hit = 3;         // kept with each kept hit, for `extract`
  std::uint64_t region_after = 1000;       // lines kept after a traceback or summary marker
  std::uint64_t region_max_lines = 6000;
  std::size_t region_max_bytes = 1 << 20;
  std::size_t regions_kept = 32;           // the first quarter and the most recent ones
  std::size_t markers_kept = 16;           // per kind: the first ones, and always the last
  std::size_t tail_bytes = 64 * 1024;
  std::size_t tail_lines = 200;
};

struct LineHit {
  std::uint64_t line = 0;
  int rank = -1;
  std::string text;                 // the normalised line (the segment that matched)
  std::vector<std::string> after;   // the normalised lines after it (kept hits only)
  std::size_t pattern = 0;          // within the entry
};

struct EntryHits {
  std::vector<LineHit> hits;        // the first ScanLimits::hits_kept
  std::uint64_t count = 0;          // lines that matched
  std::optional<LineHit> last;
};

struct MarkerHit {
  MarkerKind kind = MarkerKind::kTraceback;
  std::uint64_t line = 0;
  int rank = -1;
  std::string text;
};

struct LogScan {
  std::uint64_t bytes = 0;
  std::uint64_t lines = 0;
  bool ends_with_newline = true;
  std::vector<EntryHits> entries;                 // indexed like the knowledge base's entries
  std::vector<MarkerHit> markers;                 // in log order
  std::vector<std::vector<LogLine>> regions;      // in log order
  std::vector<LogLine> tail;                      // the last lines (blank ones left out)
  bool had_ansi = false;
};

// Reads the whole log once. `entry_count` is the knowledge base's size.
core::Result<LogScan> scan_log(LogReader& reader, const PatternSet& patterns, std::size_t entry_count,
                               const ScanLimits& limits = {});

}  // namespace trainctl::errors
