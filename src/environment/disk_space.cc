#include "environment/disk_space.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace trainctl::environment {

core::Result<DiskSpace> disk_space(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) {
    return core::Error::failure(fmt::format("cannot read free disk space of {}: {}", path, std::strerror(errno)));
  }
  DiskSpace space;
  space.path = path;
  space.total_bytes = static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize;
  space.available_bytes = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
  return space;
}

}  // namespace trainctl::environment
