// Every file and folder of a project with its size, for cleanup: unlike project::walk_tree it
// enters checkpoint, output and cache folders (that is where the bytes are). Skips .git, .trainctl,
// virtualenvs and node_modules; never follows a symlink (each is listed, with whether its target
// leaves the project). Reads .gitignore files natively to mark what git ignores. Bounded by
// InventoryLimits: when one is hit the inventory says so and keeps what was read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace trainctl::cleanup {

struct InventoryLimits {
  std::size_t max_entries = 2'000'000;  // directory entries looked at
  std::size_t max_depth = 32;
};

struct InventoryEntry {
  std::string rel;                 // '/'-separated, relative to the root
  bool dir = false;
  std::uint64_t bytes = 0;         // a folder: its files, recursively
  std::uint32_t files = 0;         // a folder: files below it, recursively
  double modified_time = 0;        // a folder: the newest file below it (0 when empty)
  double oldest_time = 0;          // a folder: the oldest file below it
  bool ignored = false;            // a .gitignore rule covers it (or a folder above it)
};

struct InventorySymlink {
  std::string rel;
  std::string target;              // as written
  bool leaves_project = false;     // resolves outside the root (or does not resolve)
};

struct Inventory {
  std::string root;                        // absolute, normalised
  std::vector<InventoryEntry> entries;     // files and folders, sorted by rel
  std::vector<InventorySymlink> symlinks;
  std::size_t entries_seen = 0;
  std::uint64_t total_bytes = 0;
  std::size_t file_count = 0;
  bool truncated = false;
  std::string truncated_by;

  const InventoryEntry* find(const std::string& rel) const;  // binary search
};

// Called every kProgressEvery entries with the count so far (the CLI draws a progress line).
inline constexpr std::size_t kProgressEvery = 20'000;
using ProgressFn = std::function<void(std::size_t entries_seen)>;

// Fails when root is not a readable folder.
core::Result<Inventory> take_inventory(const std::string& root, const InventoryLimits& limits = {},
                                       const ProgressFn& progress = nullptr);

}  // namespace trainctl::cleanup
