// Reads a project file's text for the readers in this folder, up to a named number of bytes: a
// file larger than its reader's limit is read in part and says so.
#pragma once

#include <cstddef>
#include <string>

#include "core/result.h"

namespace trainctl::project {

struct FileText {
  std::string text;
  bool truncated = false;  // the file is larger than the limit it was read with
};

// kNotFound when nothing is there; a failure when it is not a readable regular file.
core::Result<FileText> read_file_text(const std::string& path, std::size_t max_bytes);

}  // namespace trainctl::project
