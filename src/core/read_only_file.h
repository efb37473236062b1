// A file opened for reading at offsets (pread), closed when it goes out of scope. The readers of
// untrusted files (zip, safetensors, legacy checkpoints) use it so that each reads only the bytes
// it needs and none repeats the open/stat/partial-read handling.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace trainctl::core {

class ReadOnlyFile {
 public:
  // kNotFound when nothing is at path; a failure when it cannot be opened or is not a regular file.
  static Result<ReadOnlyFile> open(const std::string& path);

  ReadOnlyFile(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile& operator=(ReadOnlyFile&& other) noexcept;
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
  ~ReadOnlyFile();

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return static_cast<std::uint64_t>(stat_.st_size); }
  const struct stat& status() const { return stat_; }

  // Reads up to `size` bytes at `offset` into buffer; returns how many arrived (fewer only at the
  // end of the file or on a read error).
  std::uint64_t read_at(void* buffer, std::uint64_t size, std::uint64_t offset) const;
  // The same, as a vector holding exactly the bytes that arrived.
  std::vector<unsigned char> read(std::uint64_t offset, std::uint64_t size) const;

 private:
  ReadOnlyFile() = default;
  std::string path_;
  int fd_ = -1;
  struct stat stat_ {};
};

}  // namespace trainctl::core
