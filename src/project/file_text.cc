#include "project/file_text.h"

#include <algorithm>

#include "core/read_only_file.h"

namespace trainctl::project {

core::Result<FileText> read_file_text(const std::string& path, std::size_t max_bytes) {
  auto file = core::ReadOnlyFile::open(path);
  if (!file) return file.error();
  std::uint64_t want = std::min<std::uint64_t>(file->size(), max_bytes);
  std::vector<unsigned char> bytes = file->read(0, want);
  FileText out;
  out.text.assign(bytes.begin(), bytes.end());
  out.truncated = file->size() > max_bytes;
  return out;
}

}  // namespace trainctl::project
