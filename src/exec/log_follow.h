// Copies a run's log to a descriptor as it grows, the way `tail -f` does, without reading the
// bytes into trainctl: sendfile(2) copies (read/write when the destination does not take
// sendfile). Never holds more than kCopyChunk bytes in flight. The caller polls on a timer: an
// inotify watch would tax every write of the run (a Python run writes each line separately),
// which measured at 40% of a 200,000-line run's time (bench/run_bench.cc).
#pragma once

#include <cstddef>
#include <string>

#include "core/result.h"

namespace trainctl::exec {

inline constexpr std::size_t kCopyChunk = 1 << 20;

class LogFollower {
 public:
  static core::Result<LogFollower> open(const std::string& path);
  LogFollower(LogFollower&&) noexcept;
  LogFollower& operator=(LogFollower&&) = delete;
  ~LogFollower();

  // Copies what was appended since the last call to out_fd; returns the bytes copied. A
  // destination that is gone (EPIPE) stops the copying, not the run.
  core::Result<std::size_t> pump(int out_fd);

 private:
  explicit LogFollower(int fd) : fd_(fd) {}
  int fd_ = -1;
  bool use_sendfile_ = true;
  bool out_closed_ = false;
};

}  // namespace trainctl::exec
