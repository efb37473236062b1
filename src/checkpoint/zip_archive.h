// Reads zip archives the way PyTorch writes them (its checkpoint container): the directory from
// the end of the file, then only the records asked for, with pread, so a 10 GB checkpoint costs a
// few kilobytes of I/O. Untrusted input: every size and offset is checked against the file and
// against ZipLimits before use; damage is an error that says what is wrong, never a crash.
//
// Why not libzip: it refuses a damaged archive outright, and trainctl must say how much of an
// interrupted save arrived (scan_local_headers) and where each record's bytes start (PyTorch pads
// records to 64-byte alignment through the local header's extra field).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/read_only_file.h"
#include "core/result.h"

namespace trainctl::checkpoint {

struct ZipLimits {
  std::uint64_t max_entries = 1'000'000;              // a 1M-tensor checkpoint is already absurd
  std::uint64_t max_directory_bytes = 256ULL << 20;   // central directory size
};

struct ZipEntry {
  std::string name;
  std::uint16_t method = 0;          // 0 stored (PyTorch's only), 8 deflate
  std::uint16_t flags = 0;
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint64_t local_header_offset = 0;
};

class ZipArchive {
 public:
  static core::Result<ZipArchive> open(const std::string& path, const ZipLimits& limits = {});

  const std::string& path() const { return file_.path(); }
  std::uint64_t file_size() const { return file_.size(); }
  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(std::string_view name) const;

  // Where the record's bytes start (after its local header); checks they lie inside the file.
  core::Result<std::uint64_t> data_offset(const ZipEntry& entry) const;
  // The whole record (stored records only), refusing records over max_bytes; the CRC-32 is
  // checked when verify_crc is set.
  core::Result<std::vector<std::uint8_t>> read(const ZipEntry& entry, std::uint64_t max_bytes,
                                               bool verify_crc = true) const;
  // Streams the record and compares its CRC-32 without keeping it in memory.
  core::Status verify(const ZipEntry& entry) const;

  // How many bytes of the file this archive has read so far (benchmarks assert it stays small).
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  explicit ZipArchive(core::ReadOnlyFile file) : file_(std::move(file)) {}
  core::Status pread_exact(void* buffer, std::uint64_t size, std::uint64_t offset) const;

  core::ReadOnlyFile file_;
  std::vector<ZipEntry> entries_;
  mutable std::uint64_t bytes_read_ = 0;
};

// Walks the local file headers from the start of a file whose directory is missing (an
// interrupted save): the records that arrived whole, and the one cut short, if any.
struct LocalHeaderScan {
  std::vector<ZipEntry> complete;
  bool cut = false;                     // a record starts but its bytes run past the end
  std::string cut_name;                 // that record's name
  std::uint64_t cut_expected_end = 0;   // where its bytes would have ended
  std::uint64_t file_size = 0;
};
core::Result<LocalHeaderScan> scan_local_headers(const std::string& path, const ZipLimits& limits = {});

// True when the file starts with a zip local header signature ("PK\3\4").
bool starts_like_zip(std::string_view first_bytes);

}  // namespace trainctl::checkpoint
