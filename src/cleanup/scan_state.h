// Internal to scan.cc and its helpers (run_folders.cc, hygiene.cc): what one scan knows while it
// builds its findings. Not part of the public contract.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cleanup/finding.h"
#include "cleanup/git_index.h"
#include "cleanup/inventory.h"

namespace trainctl::cleanup::detail {

struct RunningRun {
  std::string cwd;                       // absolute
  double started = 0;                    // seconds since the epoch
  std::vector<std::string> checkpoints;  // absolute
};

struct ScanState {
  Inventory inv;
  std::optional<GitIndex> git;
  std::string root_in_repo;              // the root relative to the repository top ("" at the top)
  std::vector<RunningRun> running;
  std::set<std::string> pinned;          // relative paths listed in .trainctl/keep
  double now = 0;
  std::set<std::string> claimed;         // relative paths already in a finding (no double counting)
  std::set<std::string> checkpoint_rels; // checkpoint files and folders, relative
  std::vector<Finding> findings;
  std::vector<ProtectedPath> protected_paths;

  std::string abs(const std::string& rel) const { return inv.root + "/" + rel; }
  bool tracked(const std::string& rel) const;         // git tracks the file
  bool tracked_below(const std::string& rel) const;   // git tracks the file or something under the folder
  bool written_by_running_run(const std::string& rel, double modified) const;
};

// The last path component.
std::string base_name(const std::string& rel);
std::string parent_of(const std::string& rel);   // "" at the top
std::string lower(std::string s);                 // ASCII lower case
bool ends_with(const std::string& s, std::string_view suffix);
bool below(const std::string& rel, const std::string& folder);  // rel is folder or inside it

void find_run_folders(ScanState& s);   // dead runs, empty run folders, caches
void find_hygiene(ScanState& s);       // git, configs, home paths, secrets

}  // namespace trainctl::cleanup::detail
