// The project's trash: `cleanup --apply` moves paths into .trainctl/trash/<ID>/ (a rename, never a
// copy, never a delete) with a manifest of each file's original path, size, hash, mode and mtime;
// undo moves them back and checks every byte count and hash. Guarantees: nothing outside the
// root is moved, no path reached through a symlink is moved, nothing is overwritten on undo,
// and only empty_trash deletes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cleanup/finding.h"
#include "core/result.h"

namespace trainctl::cleanup {

inline constexpr const char* kManifestName = "manifest.json";
inline constexpr std::size_t kMaxManifestBytes = 64u * 1024 * 1024;

struct TrashFile {
  std::string original;       // relative to the root
  std::uint64_t bytes = 0;
  std::string hash;           // "crc32:..."
  std::uint32_t mode = 0;
  double modified_time = 0;
};

struct TrashItem {
  std::string original;       // relative to the root: what was moved (a file or a folder)
  std::string kind;           // the finding's kind
  std::uint64_t bytes = 0;
  std::vector<TrashFile> files;  // every file it held (itself for a file)
};

struct TrashBatch {
  std::string id;             // "20261125-194512", the folder name under .trainctl/trash/
  std::string root;           // absolute
  double created = 0;
  std::vector<TrashItem> items;
  std::vector<std::string> skipped;  // "path: why" for what was selected but not moved
  std::uint64_t bytes = 0;
  nlohmann::json to_json() const;
};

std::string trash_dir(const std::string& root);

struct ApplyRequest {
  std::vector<std::string> kinds;   // empty: every applicable kind
  std::vector<std::string> named;   // absolute paths the user named: moved even when git tracks them
  double now = 0;                   // 0: the clock
};

// The findings --apply would move: applicable kinds, selected, safe_to_apply (or named).
std::vector<const Finding*> selected_findings(const CleanupReport& report, const ApplyRequest& request);

// Moves what selected_findings picks into a new batch. kUsage when nothing is selected.
core::Result<TrashBatch> move_to_trash(const CleanupReport& report, const ApplyRequest& request);

// Batches in the trash, newest first.
core::Result<std::vector<TrashBatch>> list_trash(const std::string& root);

// Restores batch `id` (the newest when empty) to where it was, byte-identical, with its modes and
// times; the batch folder is removed once empty. Refuses (kRefused) when something now occupies
// an original path, and leaves that item in the trash.
core::Result<TrashBatch> undo_trash(const std::string& root, const std::string& id = "");

struct EmptiedTrash {
  std::size_t batches = 0;
  std::uint64_t bytes = 0;
};

// Deletes every batch in the trash for good.
core::Result<EmptiedTrash> empty_trash(const std::string& root);

}  // namespace trainctl::cleanup
