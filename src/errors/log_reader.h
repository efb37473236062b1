// Reads a log of any size as a sequence of chunks that end at line boundaries, with the number of
// the first line of each: a file through memory-mapped windows (never the whole file at once), a
// pipe or stdin through a buffer of the same size, or text already in memory. Peak memory is one
// window whatever the input's size; a line longer than a window is delivered in pieces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace trainctl::errors {

// How much of the log is mapped (or buffered) at once.
inline constexpr std::size_t kLogWindowBytes = 16 * 1024 * 1024;

struct LogChunk {
  std::string_view bytes;          // valid until the next call to next()
  std::uint64_t offset = 0;        // of bytes[0] in the log
  std::uint64_t first_line = 1;    // the line number of bytes[0]
  std::uint64_t newlines = 0;      // '\n' bytes in `bytes`
  bool starts_mid_line = false;    // bytes[0] continues a line cut at the previous chunk's end
  bool ends_mid_line = false;      // the last line goes on in the next chunk (or the log ends without '\n')
  bool at_end = false;             // no chunk follows
};

class LogReader {
 public:
  // kNotFound when nothing is at path; a failure when it cannot be opened or mapped.
  static core::Result<LogReader> open_file(const std::string& path, std::size_t window_bytes = kLogWindowBytes);
  // Reads a pipe or terminal (stdin: fd 0) to its end; the descriptor stays open.
  static LogReader from_descriptor(int fd, std::size_t window_bytes = kLogWindowBytes);
  static LogReader from_text(std::string text, std::size_t window_bytes = kLogWindowBytes);

  LogReader(LogReader&&) noexcept;
  LogReader& operator=(LogReader&&) noexcept;
  ~LogReader();

  // The next chunk, or nullopt at the end of the log; a failure when reading fails.
  core::Result<std::optional<LogChunk>> next();

  std::uint64_t bytes_read() const;
  // For a file, its size when opened; nullopt for a stream.
  std::optional<std::uint64_t> size() const;

 private:
  struct State;
  explicit LogReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The number of '\n' bytes in `bytes` (vectorised: it runs over every byte of a log).
std::uint64_t count_newlines(std::string_view bytes);

}  // namespace trainctl::errors
