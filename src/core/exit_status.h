// The exit statuses every trainctl command uses, documented in docs/cli.md.
// 0 success, 1 failure, 2 usage error, 3 refused (safety), 4 not found.
#pragma once

#include "core/result.h"

namespace trainctl::core {

enum ExitStatus : int {
  kExitSuccess = 0,
  kExitFailure = 1,
  kExitUsage = 2,
  kExitRefused = 3,
  kExitNotFound = 4,
};

inline int exit_status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kFailure: return kExitFailure;
    case ErrorKind::kUsage: return kExitUsage;
    case ErrorKind::kRefused: return kExitRefused;
    case ErrorKind::kNotFound: return kExitNotFound;
  }
  return kExitFailure;
}

}  // namespace trainctl::core
