// One line of a training log as the knowledge base sees it: ANSI colour codes removed, the last
// redraw of a carriage-return progress bar kept, launcher rank prefixes (`[rank3]:`,
// `[default3]:`, Slurm's `3: `, OpenMPI's `[1,3]<stderr>:`) taken off and remembered, control
// bytes dropped. Total on any bytes: never reads outside its input, output never longer than it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trainctl::errors {

// Lines longer than this are cut here wherever a line is kept (evidence, tracebacks); matching
// still sees the whole line.
inline constexpr std::size_t kMaxLogLineBytes = 64 * 1024;
// Prefixes taken off one line at most (`0: [rank0]: ...` is two).
inline constexpr int kMaxRankPrefixes = 3;

struct LogLine {
  std::uint64_t number = 0;  // 1-based line number in the log
  int rank = -1;             // from a rank prefix; -1 when the line has none
  std::string text;          // normalised
};

struct NormalizedLine {
  std::string text;
  int rank = -1;
};

// The line as patterns see it: the last non-blank carriage-return segment, normalised.
NormalizedLine normalize_line(std::string_view raw);

// Every non-blank carriage-return segment, normalised, last one last. A pattern hit on a line
// that a progress bar redrew is confirmed against each segment.
std::vector<NormalizedLine> normalize_segments(std::string_view raw);

// `raw` without ANSI escape sequences (CSI, OSC and two-byte escapes); newlines are kept, so line
// numbers do not change.
std::string strip_ansi(std::string_view raw);

// Takes one rank prefix off the front of `line`; returns the rank, or -1 (line unchanged).
int take_rank_prefix(std::string_view& line);

}  // namespace trainctl::errors
