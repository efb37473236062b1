// Copies a run's log to a descriptor as it grows, the way `tail -f` does, without reading the
// bytes into trainctl: inotify says when the file changed, sendfile(2) copies (read/write when
// the destination does not take sendfile). Never holds more than kCopyChunk bytes in flight.
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
  // Readable when the file changed (-1 without inotify: poll on a timeout instead).
  int wake_fd() const { return inotify_fd_; }
  // Empties the wake-up queue.
  void clear_wakeups();

 private:
  LogFollower(int fd, int inotify_fd) : fd_(fd), inotify_fd_(inotify_fd) {}
  int fd_ = -1;
  int inotify_fd_ = -1;
  bool use_sendfile_ = true;
  bool out_closed_ = false;
};

}  // namespace trainctl::exec
