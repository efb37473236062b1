#include "cleanup/file_hash.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace trainctl::cleanup {
namespace {

class Fd {
 public:
  explicit Fd(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Fills buffer as far as the file allows; -1 on a read error.
ssize_t read_full(int fd, char* buffer, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, buffer + got, size - got);
    if (n < 0) return -1;
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(got);
}

}  // namespace

std::optional<std::string> file_hash(const std::string& path) {
  Fd fd(path);
  if (fd.get() < 0) return std::nullopt;
  std::vector<char> buffer(kHashBlockBytes);
  uLong crc = ::crc32(0L, Z_NULL, 0);
  for (;;) {
    ssize_t n = read_full(fd.get(), buffer.data(), buffer.size());
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(buffer.data()), static_cast<uInt>(n));
  }
  return fmt::format("crc32:{:08x}", static_cast<std::uint32_t>(crc));
}

std::optional<std::string> sample_hash(const std::string& path, std::uint64_t size) {
  Fd fd(path);
  if (fd.get() < 0) return std::nullopt;
  std::vector<char> buffer(kSampleBytes);
  uLong crc = ::crc32(0L, Z_NULL, 0);
  std::uint64_t tail = size > kSampleBytes ? size - kSampleBytes : 0;
  for (std::uint64_t at : {std::uint64_t{0}, tail}) {
    if (at != 0 && tail == 0) break;  // the first read covered the whole file
    ssize_t n = ::pread(fd.get(), buffer.data(), buffer.size(), static_cast<off_t>(at));
    if (n < 0) return std::nullopt;
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(buffer.data()), static_cast<uInt>(n));
  }
  return fmt::format("sample:{:08x}", static_cast<std::uint32_t>(crc));
}

bool same_bytes(const std::string& a, const std::string& b) {
  Fd fa(a), fb(b);
  if (fa.get() < 0 || fb.get() < 0) return false;
  std::vector<char> x(kHashBlockBytes), y(kHashBlockBytes);
  for (;;) {
    ssize_t n = read_full(fa.get(), x.data(), x.size());
    ssize_t m = read_full(fb.get(), y.data(), y.size());
    if (n < 0 || m < 0 || n != m) return false;
    if (n == 0) return true;
    if (std::memcmp(x.data(), y.data(), static_cast<std::size_t>(n)) != 0) return false;
  }
}

}  // namespace trainctl::cleanup
