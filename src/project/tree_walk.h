// Lists the files of a project the way an engineer looks at it: everything git would track, minus
// what no training project keeps as source. Skips version-control folders, virtualenvs,
// node_modules, caches, data folders, checkpoint and run-output folders, and whatever the
// .gitignore files say (read natively, including those of the enclosing repository and
// .git/info/exclude; no git process). Never follows a symlinked folder. Bounded by WalkLimits:
// when a limit is hit the tree says so and holds what was read until then.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace trainctl::project {

struct WalkLimits {
  std::size_t max_entries = 200'000;  // directory entries looked at, in all
  std::size_t max_depth = 16;         // folders below the root
  std::size_t max_files = 20'000;     // files kept
};

// Why a folder was not entered. The kinds a training project cares about are named.
enum class SkipKind {
  kVersionControl,  // .git, .hg, .svn
  kVirtualenv,      // a pyvenv.cfg inside, or venv/.venv/site-packages
  kDependencies,    // node_modules
  kCache,           // __pycache__, .pytest_cache, .ipynb_checkpoints, ...
  kHidden,          // any other folder whose name starts with a dot
  kData,            // data/, datasets/ (unless a Python package)
  kCheckpoints,     // checkpoints/, ckpt/, outputs/, runs/, lightning_logs/, wandb/, out*/ ...
  kIgnored,         // a .gitignore rule (and none of the above)
  kDepth,           // deeper than max_depth
  kSymlink,         // a symlink to a folder
};

const char* skip_kind_name(SkipKind kind);

struct SkippedFolder {
  std::string path;     // relative to the root, with '/'
  SkipKind kind = SkipKind::kIgnored;
  bool ignored = false; // a .gitignore rule also names it
};

struct ProjectTree {
  std::string root;                     // absolute, normalised
  std::vector<std::string> files;       // relative, '/'-separated, sorted
  std::vector<SkippedFolder> skipped;   // in walk order
  std::size_t entries_seen = 0;
  bool truncated = false;               // a limit stopped the walk
  std::string truncated_by;             // which limit

  bool has_file(const std::string& relative) const;  // binary search over files
};

// Fails only when root is not a readable directory (kNotFound / kFailure).
core::Result<ProjectTree> walk_tree(const std::string& root, const WalkLimits& limits = {});

// Whether a folder's name marks it as one that holds checkpoints or run outputs.
bool is_checkpoint_folder_name(const std::string& name);

}  // namespace trainctl::project
