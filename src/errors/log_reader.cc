#include "errors/log_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace trainctl::errors {

std::uint64_t count_newlines(std::string_view bytes) {
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  std::uint64_t count = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  // Each match adds 1 to a byte lane (cmpeq gives -1; subtracting it adds 1); lanes are summed with
  // SAD every 255 blocks, before a lane can overflow. No popcount: baseline x86-64 lacks POPCNT.
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i zero = _mm_setzero_si128();
  while (i + 16 <= n) {
    std::size_t blocks = std::min<std::size_t>((n - i) / 16, 255);
    __m128i lanes = _mm_setzero_si128();
    for (std::size_t b = 0; b < blocks; ++b, i += 16) {
      __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(block, newline));
    }
    __m128i sums = _mm_sad_epu8(lanes, zero);
    count += static_cast<std::uint64_t>(_mm_cvtsi128_si64(sums)) + static_cast<std::uint64_t>(_mm_extract_epi16(sums, 4));
  }
#endif
  for (; i < n; ++i) count += p[i] == '\n';
  return count;
}

struct LogReader::State {
  enum class Kind { kFile, kStream, kText } kind = Kind::kText;
  std::size_t window = kLogWindowBytes;
  std::uint64_t line = 1;       // number of the next chunk's first line
  std::uint64_t offset = 0;     // log offset of the next chunk
  bool mid_line = false;        // the next chunk continues a cut line
  // kFile
  int fd = -1;
  bool owns_fd = false;         // opened here (a file or a FIFO given by path), closed here
  std::uint64_t file_size = 0;
  void* map = nullptr;
  std::size_t map_length = 0;
  // kStream
  std::string buffer;           // bytes read but not yet delivered sit at its front
  bool stream_done = false;
  // kText
  std::string text;

  ~State() {
    if (map) ::munmap(map, map_length);
    if (owns_fd && fd >= 0) ::close(fd);
  }

  void unmap() {
    if (map) ::munmap(map, map_length);
    map = nullptr;
    map_length = 0;
  }

  // Cuts `bytes` (starting at log offset `offset`) at its last newline unless the log ends with
  // it, and advances the position.
  LogChunk deliver(std::string_view bytes, bool at_end) {
    const std::size_t original_size = bytes.size();
    LogChunk chunk;
    chunk.offset = offset;
    chunk.first_line = line;
    chunk.starts_mid_line = mid_line;
    if (!at_end) {
      std::size_t last = bytes.rfind('\n');
      if (last != std::string_view::npos) bytes = bytes.substr(0, last + 1);
    }
    chunk.bytes = bytes;
    chunk.newlines = count_newlines(bytes);
    chunk.ends_mid_line = bytes.empty() || bytes.back() != '\n';
    chunk.at_end = at_end && bytes.size() == original_size;
    mid_line = chunk.ends_mid_line;
    offset += bytes.size();
    line += chunk.newlines;
    return chunk;
  }

  core::Result<std::optional<LogChunk>> next_file() {
    unmap();
    if (offset >= file_size) return std::optional<LogChunk>();
    static const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    std::uint64_t base = offset / page * page;
    std::uint64_t length = std::min<std::uint64_t>(file_size - base, window + (offset - base));
    // MAP_POPULATE maps the whole window in one call instead of one fault per page.
    void* m = ::mmap(nullptr, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, static_cast<off_t>(base));
    if (m == MAP_FAILED) {
      return core::Error::failure(fmt::format("cannot map the log at offset {}: {}", base, std::strerror(errno)));
    }
    ::madvise(m, length, MADV_SEQUENTIAL);
    map = m;
    map_length = length;
    std::string_view bytes(static_cast<const char*>(m) + (offset - base), length - (offset - base));
    return std::optional<LogChunk>(deliver(bytes, base + length >= file_size));
  }

  core::Result<std::optional<LogChunk>> next_stream() {
    // The previous chunk's bytes were delivered from the front of the buffer: drop them.
    if (delivered > 0) {
      buffer.erase(0, delivered);
      delivered = 0;
    }
    while (!stream_done && buffer.size() < window) {
      std::size_t have = buffer.size();
      buffer.resize(window);
      ssize_t n = ::read(fd, buffer.data() + have, window - have);
      if (n < 0 && errno == EINTR) {
        buffer.resize(have);
        continue;
      }
      if (n < 0) {
        buffer.resize(have);
        return core::Error::failure(fmt::format("cannot read the log: {}", std::strerror(errno)));
      }
      buffer.resize(have + static_cast<std::size_t>(n));
      if (n == 0) stream_done = true;
      // A pipe delivers what it has; wait for a newline before handing a chunk over, so that
      // chunks stay whole lines unless the buffer is full.
      if (buffer.find('\n', have) != std::string::npos && buffer.size() >= window / 2) break;
    }
    if (buffer.empty()) return std::optional<LogChunk>();
    LogChunk chunk = deliver(buffer, stream_done);
    delivered = chunk.bytes.size();
    return std::optional<LogChunk>(chunk);
  }

  core::Result<std::optional<LogChunk>> next_text() {
    if (offset >= text.size()) return std::optional<LogChunk>();
    std::string_view rest = std::string_view(text).substr(offset);
    bool at_end = rest.size() <= window;
    return std::optional<LogChunk>(deliver(rest.substr(0, window), at_end));
  }

  std::size_t delivered = 0;
};

LogReader::LogReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
LogReader::LogReader(LogReader&&) noexcept = default;
LogReader& LogReader::operator=(LogReader&&) noexcept = default;
LogReader::~LogReader() = default;

core::Result<LogReader> LogReader::open_file(const std::string& path, std::size_t window_bytes) {
  auto state = std::make_unique<State>();
  state->kind = State::Kind::kFile;
  state->window = window_bytes;
  state->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  state->owns_fd = state->fd >= 0;
  if (state->fd < 0) {
    int err = errno;
    if (err == ENOENT) return core::Error::not_found(fmt::format("{}: no such file", path));
    return core::Error::failure(fmt::format("cannot open {}: {}", path, std::strerror(err)));
  }
  struct stat st {};
  if (::fstat(state->fd, &st) != 0) {
    return core::Error::failure(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) return core::Error::failure(fmt::format("{} is a directory, not a log file", path));
  if (!S_ISREG(st.st_mode)) {
    // A FIFO or a character device (/dev/stdin): read it as a stream.
    state->kind = State::Kind::kStream;
    return LogReader(std::move(state));
  }
  state->file_size = static_cast<std::uint64_t>(st.st_size);
  return LogReader(std::move(state));
}

LogReader LogReader::from_descriptor(int fd, std::size_t window_bytes) {
  auto state = std::make_unique<State>();
  state->kind = State::Kind::kStream;
  state->fd = fd;
  state->window = window_bytes;
  return LogReader(std::move(state));
}

LogReader LogReader::from_text(std::string text, std::size_t window_bytes) {
  auto state = std::make_unique<State>();
  state->kind = State::Kind::kText;
  state->text = std::move(text);
  state->window = window_bytes;
  return LogReader(std::move(state));
}

core::Result<std::optional<LogChunk>> LogReader::next() {
  switch (state_->kind) {
    case State::Kind::kFile: return state_->next_file();
    case State::Kind::kStream: return state_->next_stream();
    case State::Kind::kText: return state_->next_text();
  }
  return std::optional<LogChunk>();
}

std::uint64_t LogReader::bytes_read() const { return state_->offset; }

std::optional<std::uint64_t> LogReader::size() const {
  if (state_->kind == State::Kind::kFile) return state_->file_size;
  if (state_->kind == State::Kind::kText) return state_->text.size();
  return std::nullopt;
}

}  // namespace trainctl::errors
