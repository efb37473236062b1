// The result of `trainctl cleanup`: findings grouped by kind, each with the paths it covers, the
// bytes it would free, why it matters and the action it suggests. Plain data with the JSON
// contract of docs/cleanup.md; paths are absolute. Nothing here touches the disk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace trainctl::cleanup {

// Kinds, as they appear in JSON and on the command line (`--apply KIND...`).
inline constexpr const char* kKindCheckpoints = "checkpoints";        // beyond the keep policy
inline constexpr const char* kKindPartial = "partial";                // *.tmp, truncated, corrupt, zero-byte
inline constexpr const char* kKindDuplicate = "duplicate";            // byte-identical checkpoint copies
inline constexpr const char* kKindDeadRun = "dead_run";               // no checkpoint, ended in an error or under a minute
inline constexpr const char* kKindEmptyRun = "empty_run";             // lightning version_N, synced wandb, Hydra .hydra-only
inline constexpr const char* kKindCache = "cache";                    // __pycache__, .pytest_cache, dataset caches
inline constexpr const char* kKindGitTracked = "git_tracked";         // artifacts git tracks
inline constexpr const char* kKindNotIgnored = "not_ignored";         // artifacts .gitignore does not cover
inline constexpr const char* kKindDuplicateConfig = "duplicate_config";
inline constexpr const char* kKindHomePath = "home_path";
inline constexpr const char* kKindSecret = "secret";

// The kinds --apply may move to the trash (the others are advice: they free nothing).
bool applicable_kind(const std::string& kind);
const std::vector<std::string>& all_kinds();

struct Finding {
  std::string kind;
  std::vector<std::string> paths;  // absolute; for line findings "path:line"
  std::uint64_t bytes = 0;         // freed by the action (0 for hygiene)
  std::string reason;
  std::string action;
  bool safe_to_apply = false;      // --apply would move it (inside DIR, not protected, not tracked)
  nlohmann::json to_json() const;
};

struct ProtectedPath {
  std::string path;    // absolute
  std::string reason;  // "latest valid checkpoint of runs/a", "best val_loss=1.2 of runs/a", "running run ..."
};

struct CleanupReport {
  std::string root;                  // absolute, normalised
  std::vector<Finding> findings;     // sorted by bytes, largest first
  std::vector<ProtectedPath> protected_paths;
  std::uint64_t total_bytes = 0;     // of the findings
  std::size_t files_seen = 0;
  std::uint64_t bytes_seen = 0;
  bool truncated = false;            // a walk limit stopped the scan
  std::string truncated_by;
  nlohmann::json to_json() const;
};

}  // namespace trainctl::cleanup
