// Free space on the filesystem that holds a path (checkpoints fill disks; doctor warns early).
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace trainctl::environment {

struct DiskSpace {
  std::string path;
  std::uint64_t total_bytes = 0;
  std::uint64_t available_bytes = 0;   // what an unprivileged user may still write
};

core::Result<DiskSpace> disk_space(const std::string& path);

}  // namespace trainctl::environment
