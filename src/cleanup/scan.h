// `trainctl cleanup` without --apply: reads the project and reports what clutters it. Removes
// nothing. Guarantees: every path reported lies inside the root and is reached without following
// a symlink; the latest valid and the best checkpoint of every run, checkpoints written by a run
// that is still running (.trainctl/runs.db), checkpoints pinned in .trainctl/keep and files git
// tracks are never marked safe_to_apply.
// Checkpoints are read for their metadata only (no tensor payloads).
#pragma once

#include <string>

#include "cleanup/finding.h"
#include "cleanup/inventory.h"
#include "cleanup/keep_policy.h"
#include "core/result.h"

namespace trainctl::cleanup {

inline constexpr double kShortRunSeconds = 60;     // a run folder written over less than this died early
inline constexpr double kSettledSeconds = 600;      // ...if nothing was written to it for this long
inline constexpr std::size_t kLogTailBytes = 16 * 1024;
inline constexpr std::size_t kInspectThreads = 4;   // checkpoints read at once
// Checkpoints the user pins, one path a line: never suggested by the keep policy.
inline constexpr const char* kPinFile = ".trainctl/keep";
inline constexpr std::size_t kMaxPins = 100'000;

struct ScanRequest {
  std::string root;
  KeepPolicy policy;
  InventoryLimits limits;
  ProgressFn progress;     // may be empty
  double now = 0;          // seconds since the epoch; 0: the clock
};

core::Result<CleanupReport> scan_project(const ScanRequest& request);

// Whether a file name is a checkpoint's (".pt", ".pth", ".ckpt", ".safetensors", ".bin" in a
// checkpoint folder) and whether it is a half-written save ("*.pt.tmp", "*.partial", ...).
bool is_checkpoint_file(const std::string& rel);
bool is_partial_save(const std::string& rel);

}  // namespace trainctl::cleanup
