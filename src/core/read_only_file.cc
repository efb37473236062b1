#include "core/read_only_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace trainctl::core {

Result<ReadOnlyFile> ReadOnlyFile::open(const std::string& path) {
  ReadOnlyFile file;
  file.path_ = path;
  file.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file.fd_ < 0) {
    int err = errno;
    if (err == ENOENT) return Error::not_found(fmt::format("{}: no such file", path));
    return Error::failure(fmt::format("cannot open {}: {}", path, std::strerror(err)));
  }
  if (::fstat(file.fd_, &file.stat_) != 0 || !S_ISREG(file.stat_.st_mode)) {
    return Error::failure(fmt::format("{}: not a regular file", path));
  }
  return file;
}

ReadOnlyFile::ReadOnlyFile(ReadOnlyFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), stat_(other.stat_) {}

ReadOnlyFile& ReadOnlyFile::operator=(ReadOnlyFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    stat_ = other.stat_;
  }
  return *this;
}

ReadOnlyFile::~ReadOnlyFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t ReadOnlyFile::read_at(void* buffer, std::uint64_t size, std::uint64_t offset) const {
  auto* out = static_cast<unsigned char*>(buffer);
  std::uint64_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd_, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::uint64_t>(n);
  }
  return done;
}

std::vector<unsigned char> ReadOnlyFile::read(std::uint64_t offset, std::uint64_t size) const {
  std::vector<unsigned char> out(size);
  out.resize(read_at(out.data(), size, offset));
  return out;
}

}  // namespace trainctl::core
