// A file's modification time as seconds since the epoch (with nanoseconds), the form every
// JSON document uses. 0 when the file cannot be stat'ed.
#pragma once

#include <sys/stat.h>

#include <filesystem>

namespace trainctl::core {

inline double modified_time(const struct stat& st) {
  return static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) * 1e-9;
}

inline double modified_time(const std::filesystem::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? modified_time(st) : 0;
}

}  // namespace trainctl::core
