#include "checkpoint/zip_archive.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace trainctl::checkpoint {
namespace {

constexpr std::uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr std::uint32_t kEndSignature = 0x06054b50;
constexpr std::uint32_t kZip64EndSignature = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::uint64_t kLocalHeaderSize = 30;
constexpr std::uint64_t kCentralHeaderSize = 46;
constexpr std::uint64_t kEndSize = 22;
constexpr std::uint64_t kZip64EndSize = 56;
constexpr std::uint64_t kZip64LocatorSize = 20;
constexpr std::uint64_t kMaxCommentSize = 0xFFFF;
constexpr std::uint16_t kZip64ExtraId = 0x0001;
constexpr std::uint64_t kStreamChunk = 1 << 20;

// Little-endian field readers over a bounded buffer; callers check sizes first.
std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t le64(const std::uint8_t* p) {
  return static_cast<std::uint64_t>(le32(p)) | (static_cast<std::uint64_t>(le32(p + 4)) << 32);
}

// Reads the zip64 extended-information extra field: the 64-bit values replace, in this order,
// the 32-bit fields that were saturated (0xFFFFFFFF) in the fixed header.
core::Status apply_zip64_extra(const std::uint8_t* extra, std::size_t size, ZipEntry& entry, bool usize_full,
                               bool csize_full, bool offset_full) {
  std::size_t pos = 0;
  while (pos + 4 <= size) {
    std::uint16_t id = le16(extra + pos);
    std::uint16_t len = le16(extra + pos + 2);
    if (pos + 4 + len > size) break;
    if (id == kZip64ExtraId) {
      const std::uint8_t* field = extra + pos + 4;
      std::size_t used = 0;
      auto take = [&](std::uint64_t& out) -> bool {
        if (used + 8 > len) return false;
        out = le64(field + used);
        used += 8;
        return true;
      };
      if ((usize_full && !take(entry.uncompressed_size)) || (csize_full && !take(entry.compressed_size)) ||
          (offset_full && !take(entry.local_header_offset))) {
        return core::Error::failure(fmt::format("zip64 extra field of '{}' is too short", entry.name));
      }
      return core::Ok{};
    }
    pos += 4 + len;
  }
  if (usize_full || csize_full || offset_full) {
    return core::Error::failure(fmt::format("'{}' needs a zip64 extra field but has none", entry.name));
  }
  return core::Ok{};
}

}  // namespace

bool starts_like_zip(std::string_view first_bytes) {
  return first_bytes.size() >= 4 && first_bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4);
}

core::Status ZipArchive::pread_exact(void* buffer, std::uint64_t size, std::uint64_t offset) const {
  if (offset > file_size() || size > file_size() - offset) {
    return core::Error::failure(fmt::format("{}: read of {} bytes at offset {} runs past the end of the file ({} bytes)",
                                            path(), size, offset, file_size()));
  }
  if (std::uint64_t done = file_.read_at(buffer, size, offset); done < size) {
    return core::Error::failure(fmt::format("{}: cannot read at offset {}: unexpected end of file or read error",
                                            path(), offset + done));
  }
  bytes_read_ += size;
  return core::Ok{};
}

core::Result<ZipArchive> ZipArchive::open(const std::string& path, const ZipLimits& limits) {
  auto file = core::ReadOnlyFile::open(path);
  if (!file) return file.error();
  ZipArchive archive(std::move(*file));
  if (archive.file_size() < kEndSize) {
    return core::Error::failure(fmt::format("{}: {} bytes is too small to be a zip archive", path, archive.file_size()));
  }

  // The end record sits in the last 22 bytes plus an optional comment of up to 64 KiB.
  std::uint64_t tail_size = std::min<std::uint64_t>(archive.file_size(), kEndSize + kMaxCommentSize);
  std::vector<std::uint8_t> tail(tail_size);
  if (auto s = archive.pread_exact(tail.data(), tail_size, archive.file_size() - tail_size); !s) return s.error();
  std::int64_t end_at = -1;
  for (std::int64_t i = static_cast<std::int64_t>(tail_size - kEndSize); i >= 0; --i) {
    const std::uint8_t* p = tail.data() + i;
    if (le32(p) == kEndSignature && i + static_cast<std::int64_t>(kEndSize + le16(p + 20)) <= static_cast<std::int64_t>(tail_size)) {
      end_at = i;
      break;
    }
  }
  if (end_at < 0) {
    return core::Error::failure(fmt::format(
        "{}: no zip end-of-central-directory record: the file is truncated or is not a zip archive", path));
  }
  const std::uint8_t* end = tail.data() + end_at;
  const std::uint64_t end_offset = archive.file_size() - tail_size + static_cast<std::uint64_t>(end_at);
  std::uint64_t entry_count = le16(end + 10);
  std::uint64_t directory_size = le32(end + 12);
  std::uint64_t directory_offset = le32(end + 16);

  if (entry_count == 0xFFFF || directory_size == 0xFFFFFFFF || directory_offset == 0xFFFFFFFF) {
    if (end_offset < kZip64LocatorSize) {
      return core::Error::failure(fmt::format("{}: zip64 archive without its zip64 locator", path));
    }
    std::uint8_t locator[kZip64LocatorSize];
    if (auto s = archive.pread_exact(locator, kZip64LocatorSize, end_offset - kZip64LocatorSize); !s) return s.error();
    if (le32(locator) != kZip64LocatorSignature) {
      return core::Error::failure(fmt::format("{}: zip64 locator is missing or damaged", path));
    }
    std::uint64_t end64_offset = le64(locator + 8);
    std::uint8_t end64[kZip64EndSize];
    if (auto s = archive.pread_exact(end64, kZip64EndSize, end64_offset); !s) {
      return core::Error::failure(fmt::format("{}: zip64 end record points outside the file", path));
    }
    if (le32(end64) != kZip64EndSignature) {
      return core::Error::failure(fmt::format("{}: zip64 end record is damaged", path));
    }
    entry_count = le64(end64 + 32);
    directory_size = le64(end64 + 40);
    directory_offset = le64(end64 + 48);
  }

  if (entry_count > limits.max_entries) {
    return core::Error::failure(fmt::format("{}: {} entries exceed the limit of {}", path, entry_count, limits.max_entries));
  }
  if (directory_size > limits.max_directory_bytes) {
    return core::Error::failure(fmt::format("{}: central directory of {} bytes exceeds the limit of {}", path,
                                            directory_size, limits.max_directory_bytes));
  }
  if (directory_offset > end_offset || directory_size > end_offset - directory_offset) {
    return core::Error::failure(fmt::format(
        "{}: the central directory (offset {}, {} bytes) lies outside the file: the archive is damaged",
        path, directory_offset, directory_size));
  }
  std::vector<std::uint8_t> directory(directory_size);
  if (auto s = archive.pread_exact(directory.data(), directory_size, directory_offset); !s) return s.error();

  std::uint64_t pos = 0;
  archive.entries_.reserve(entry_count);
  for (std::uint64_t i = 0; i < entry_count; ++i) {
    if (pos + kCentralHeaderSize > directory_size || le32(directory.data() + pos) != kCentralHeaderSignature) {
      return core::Error::failure(fmt::format("{}: central directory entry {} of {} is damaged", path, i + 1, entry_count));
    }
    const std::uint8_t* h = directory.data() + pos;
    ZipEntry entry;
    entry.flags = le16(h + 8);
    entry.method = le16(h + 10);
    entry.crc32 = le32(h + 16);
    entry.compressed_size = le32(h + 20);
    entry.uncompressed_size = le32(h + 24);
    std::uint64_t name_len = le16(h + 28), extra_len = le16(h + 30), comment_len = le16(h + 32);
    entry.local_header_offset = le32(h + 42);
    if (pos + kCentralHeaderSize + name_len + extra_len + comment_len > directory_size) {
      return core::Error::failure(fmt::format("{}: central directory entry {} runs past the directory", path, i + 1));
    }
    entry.name.assign(reinterpret_cast<const char*>(h + kCentralHeaderSize), name_len);
    bool usize_full = entry.uncompressed_size == 0xFFFFFFFF;
    bool csize_full = entry.compressed_size == 0xFFFFFFFF;
    bool offset_full = entry.local_header_offset == 0xFFFFFFFF;
    if (auto s = apply_zip64_extra(h + kCentralHeaderSize + name_len, extra_len, entry, usize_full, csize_full, offset_full); !s) {
      return core::Error::failure(path + ": " + s.error().message);
    }
    if (entry.local_header_offset > directory_offset) {
      return core::Error::failure(fmt::format("{}: record '{}' starts at offset {}, past the directory", path,
                                              entry.name, entry.local_header_offset));
    }
    archive.entries_.push_back(std::move(entry));
    pos += kCentralHeaderSize + name_len + extra_len + comment_len;
  }
  return archive;
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  for (const auto& entry : entries_) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

core::Result<std::uint64_t> ZipArchive::data_offset(const ZipEntry& entry) const {
  std::uint8_t header[kLocalHeaderSize];
  if (auto s = pread_exact(header, kLocalHeaderSize, entry.local_header_offset); !s) return s.error();
  if (le32(header) != kLocalHeaderSignature) {
    return core::Error::failure(fmt::format("{}: local header of '{}' at offset {} is damaged", path(), entry.name,
                                            entry.local_header_offset));
  }
  std::uint64_t start = entry.local_header_offset + kLocalHeaderSize + le16(header + 26) + le16(header + 28);
  if (start > file_size() || entry.compressed_size > file_size() - start) {
    return core::Error::failure(fmt::format(
        "{}: record '{}' needs {} bytes at offset {} but the file ends at {}: the file is truncated", path(),
        entry.name, entry.compressed_size, start, file_size()));
  }
  return start;
}

core::Result<std::vector<std::uint8_t>> ZipArchive::read(const ZipEntry& entry, std::uint64_t max_bytes,
                                                         bool verify_crc) const {
  if (entry.method != 0) {
    return core::Error::failure(fmt::format("{}: record '{}' is compressed (method {}); PyTorch writes records "
                                            "uncompressed, so this file was rewritten by another tool",
                                            path(), entry.name, entry.method));
  }
  if (entry.uncompressed_size > max_bytes) {
    return core::Error::failure(fmt::format("{}: record '{}' is {} bytes, over the limit of {}", path(), entry.name,
                                            entry.uncompressed_size, max_bytes));
  }
  auto start = data_offset(entry);
  if (!start) return start.error();
  std::vector<std::uint8_t> data(entry.uncompressed_size);
  if (auto s = pread_exact(data.data(), data.size(), *start); !s) return s.error();
  if (verify_crc) {
    uLong crc = ::crc32_z(0L, data.data(), data.size());
    if (crc != entry.crc32) {
      return core::Error::failure(fmt::format("{}: record '{}' is corrupt (CRC-32 {:08x}, expected {:08x})", path(),
                                              entry.name, crc, entry.crc32));
    }
  }
  return data;
}

core::Status ZipArchive::verify(const ZipEntry& entry) const {
  if (entry.method != 0) return core::Error::failure(fmt::format("{}: record '{}' is compressed", path(), entry.name));
  auto start = data_offset(entry);
  if (!start) return start.error();
  std::vector<std::uint8_t> chunk(std::min<std::uint64_t>(kStreamChunk, entry.compressed_size));
  uLong crc = ::crc32_z(0L, nullptr, 0);
  for (std::uint64_t done = 0; done < entry.compressed_size;) {
    std::uint64_t n = std::min<std::uint64_t>(chunk.size(), entry.compressed_size - done);
    if (auto s = pread_exact(chunk.data(), n, *start + done); !s) return s.error();
    crc = ::crc32_z(crc, chunk.data(), n);
    done += n;
  }
  if (crc != entry.crc32) {
    return core::Error::failure(fmt::format("{}: record '{}' is corrupt (CRC-32 {:08x}, expected {:08x})", path(),
                                            entry.name, crc, entry.crc32));
  }
  return core::Ok{};
}

core::Result<LocalHeaderScan> scan_local_headers(const std::string& path, const ZipLimits& limits) {
  auto file = core::ReadOnlyFile::open(path);
  if (!file) return file.error();
  LocalHeaderScan scan;
  scan.file_size = file->size();
  std::uint64_t offset = 0;
  std::vector<char> name;
  while (scan.complete.size() < limits.max_entries && offset + kLocalHeaderSize <= scan.file_size) {
    std::uint8_t h[kLocalHeaderSize];
    if (file->read_at(h, kLocalHeaderSize, offset) != kLocalHeaderSize) break;
    if (le32(h) != kLocalHeaderSignature) break;
    ZipEntry entry;
    entry.flags = le16(h + 6);
    entry.method = le16(h + 8);
    entry.crc32 = le32(h + 14);
    entry.compressed_size = le32(h + 18);
    entry.uncompressed_size = le32(h + 22);
    entry.local_header_offset = offset;
    std::uint64_t name_len = le16(h + 26), extra_len = le16(h + 28);
    name.resize(name_len);
    if (file->read_at(name.data(), name_len, offset + kLocalHeaderSize) != name_len) break;
    entry.name.assign(name.data(), name_len);
    if (entry.flags & 0x8) break;  // sizes follow the data in a descriptor: cannot walk further
    if (entry.compressed_size == 0xFFFFFFFF || entry.uncompressed_size == 0xFFFFFFFF) {
      std::vector<std::uint8_t> extra(extra_len);
      if (file->read_at(extra.data(), extra_len, offset + kLocalHeaderSize + name_len) != extra_len) break;
      // In a local header both sizes are present in the zip64 field whenever it is used.
      if (!apply_zip64_extra(extra.data(), extra.size(), entry, true, true, false)) break;
    }
    std::uint64_t data_end = offset + kLocalHeaderSize + name_len + extra_len + entry.compressed_size;
    if (data_end > scan.file_size) {
      scan.cut = true;
      scan.cut_name = entry.name;
      scan.cut_expected_end = data_end;
      break;
    }
    scan.complete.push_back(std::move(entry));
    offset = data_end;
  }
  return scan;
}

}  // namespace trainctl::checkpoint
