// Content identity of files for duplicate detection (a sample first, then every byte) and for checking a restore from the trash:
// CRC-32 (zlib) of the bytes, and an exact byte comparison to confirm a match. Reads files in
// kHashBlockBytes blocks; never loads a whole file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace trainctl::cleanup {

inline constexpr std::size_t kHashBlockBytes = 1 << 20;

// "crc32:xxxxxxxx"; nullopt when the file cannot be read.
std::optional<std::string> file_hash(const std::string& path);

// CRC-32 of the first and last kSampleBytes only: files of one size whose samples differ are not
// copies, which spares reading whole checkpoints (all checkpoints of a run have one size).
inline constexpr std::size_t kSampleBytes = 64 * 1024;
std::optional<std::string> sample_hash(const std::string& path, std::uint64_t size);

// Whether two files hold the same bytes (false when either cannot be read).
bool same_bytes(const std::string& a, const std::string& b);

}  // namespace trainctl::cleanup
