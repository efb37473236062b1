#include "exec/log_follow.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace trainctl::exec {

core::Result<LogFollower> LogFollower::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return core::Error::not_found(fmt::format("no log at {}", path));
    return core::Error::failure(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  return LogFollower(fd);
}

LogFollower::LogFollower(LogFollower&& other) noexcept
    : fd_(other.fd_), use_sendfile_(other.use_sendfile_), out_closed_(other.out_closed_) {
  other.fd_ = -1;
}

LogFollower::~LogFollower() {
  if (fd_ >= 0) ::close(fd_);
}

core::Result<std::size_t> LogFollower::pump(int out_fd) {
  std::size_t total = 0;
  std::vector<char> buffer;
  while (true) {
    ssize_t n;
    if (out_closed_) {
      // Keep the position moving so that a later reader is not confused; the bytes are in the log.
      off_t end = ::lseek(fd_, 0, SEEK_END);
      (void)end;
      return total;
    }
    if (use_sendfile_) {
      n = ::sendfile(out_fd, fd_, nullptr, kCopyChunk);
      if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
        use_sendfile_ = false;
        continue;
      }
    } else {
      if (buffer.empty()) buffer.resize(64 * 1024);
      n = ::read(fd_, buffer.data(), buffer.size());
      if (n > 0) {
        const char* p = buffer.data();
        std::size_t left = static_cast<std::size_t>(n);
        while (left > 0) {
          ssize_t w = ::write(out_fd, p, left);
          if (w < 0 && errno == EINTR) continue;
          if (w < 0) {
            if (errno == EPIPE) {
              out_closed_ = true;
              return total;
            }
            return core::Error::failure(fmt::format("writing the log: {}", std::strerror(errno)));
          }
          p += w;
          left -= static_cast<std::size_t>(w);
        }
      }
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) continue;
    if (n < 0 && errno == EPIPE) {
      out_closed_ = true;
      return total;
    }
    if (n < 0) return core::Error::failure(fmt::format("copying the log: {}", std::strerror(errno)));
    if (n == 0) return total;
    total += static_cast<std::size_t>(n);
  }
}

}  // namespace trainctl::exec
