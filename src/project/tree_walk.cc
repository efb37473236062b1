#include "project/tree_walk.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "project/file_text.h"
#include "project/gitignore.h"

namespace trainctl::project {
namespace {

namespace fs = std::filesystem;

// How far up the walk looks for the repository whose .gitignore files apply.
constexpr int kMaxRepositoryClimb = 64;

const std::set<std::string, std::less<>> kVersionControl = {".git", ".hg", ".svn"};
const std::set<std::string, std::less<>> kVirtualenvNames = {"venv", ".venv", "site-packages", "virtualenv", ".virtualenv"};
const std::set<std::string, std::less<>> kCacheNames = {
    "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox", ".ipynb_checkpoints",
    ".cache",      ".eggs",         "build",       "dist",        ".trainctl", ".hypothesis"};
const std::set<std::string, std::less<>> kDataNames = {"data", "datasets", "dataset", "raw_data", ".data"};
const std::set<std::string, std::less<>> kCheckpointNames = {
    "checkpoints", "checkpoint", "ckpt",    "ckpts",   "chkpt",   "saved_models", "lightning_logs", "wandb",
    "mlruns",      "outputs",    "output",  "multirun", "runs",   "logs",         "out",            "tb_logs"};

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// A folder inside a config folder is a config group (Hydra's configs/data/), never data.
bool in_config_folder(const std::string& relative) {
  static const std::set<std::string, std::less<>> kConfigFolders = {"config", "configs", "conf", "cfg", "cfgs",
                                                                    "hydra_configs"};
  std::size_t start = 0;
  while (true) {
    std::size_t slash = relative.find('/', start);
    if (slash == std::string::npos) return false;
    if (kConfigFolders.count(std::string_view(relative).substr(start, slash - start))) return true;
    start = slash + 1;
  }
}

std::optional<SkipKind> classify_folder(const std::string& name, const std::string& path, const std::string& relative) {
  if (kVersionControl.count(name)) return SkipKind::kVersionControl;
  if (kVirtualenvNames.count(name)) return SkipKind::kVirtualenv;
  if (name == "node_modules") return SkipKind::kDependencies;
  if (kCacheNames.count(name) || (name.size() > 9 && name.substr(name.size() - 9) == ".egg-info")) {
    return SkipKind::kCache;
  }
  if (exists(path + "/pyvenv.cfg") || exists(path + "/conda-meta")) return SkipKind::kVirtualenv;
  if (!name.empty() && name[0] == '.') return SkipKind::kHidden;
  if (in_config_folder(relative)) return std::nullopt;
  if (kDataNames.count(name) && !exists(path + "/__init__.py")) return SkipKind::kData;
  if (is_checkpoint_folder_name(name) && !exists(path + "/__init__.py")) return SkipKind::kCheckpoints;
  return std::nullopt;
}

std::string read_small(const std::string& path) {
  auto file = read_file_text(path, kMaxIgnoreFileBytes);
  return file ? std::move(file->text) : std::string();
}

// Whether a folder holds source files directly (looked at up to kMaxSourceProbeEntries entries).
constexpr std::size_t kMaxSourceProbeEntries = 4096;

bool holds_source(const std::string& path) {
  static const std::set<std::string, std::less<>> kSourceExtensions = {".py", ".cc", ".cpp", ".h", ".hpp", ".c",
                                                                       ".rs", ".go", ".js", ".ts", ".java", ".sh"};
  DIR* d = ::opendir(path.c_str());
  if (!d) return false;
  bool found = false;
  std::size_t seen = 0;
  while (dirent* e = ::readdir(d)) {
    if (++seen > kMaxSourceProbeEntries) break;
    std::string_view name = e->d_name;
    std::size_t dot = name.rfind('.');
    if (dot != std::string_view::npos && dot > 0 && kSourceExtensions.count(name.substr(dot))) {
      found = true;
      break;
    }
  }
  ::closedir(d);
  return found;
}

class Walker {
 public:
  Walker(std::string root, const WalkLimits& limits) : limits_(limits) { tree_.root = std::move(root); }

  ProjectTree run() {
    load_enclosing_ignores();
    walk(tree_.root, "", 0);
    std::sort(tree_.files.begin(), tree_.files.end());
    return std::move(tree_);
  }

 private:
  // The repository's own ignore files above the root: .git/info/exclude and every .gitignore
  // from the repository's top down to the root's parent.
  void load_enclosing_ignores() {
    fs::path dir = fs::path(tree_.root);
    std::vector<fs::path> chain;
    for (int i = 0; i < kMaxRepositoryClimb; ++i) {
      chain.push_back(dir);
      if (exists((dir / ".git").string())) {
        std::string top = dir.string();
        std::string exclude = read_small(top + "/.git/info/exclude");
        if (!exclude.empty()) ignores_.push(parse_ignore_file(top, exclude));
        // chain: root ... top; push from the top down, leaving the root to walk().
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
          if (it->string() == tree_.root) break;
          std::string text = read_small((*it / ".gitignore").string());
          if (!text.empty()) ignores_.push(parse_ignore_file(it->string(), text));
        }
        return;
      }
      if (!dir.has_parent_path() || dir.parent_path() == dir) return;
      dir = dir.parent_path();
    }
  }

  bool budget_left() {
    if (tree_.truncated) return false;
    if (tree_.entries_seen >= limits_.max_entries) {
      tree_.truncated = true;
      tree_.truncated_by = fmt::format("max_entries ({})", limits_.max_entries);
      return false;
    }
    if (tree_.files.size() >= limits_.max_files) {
      tree_.truncated = true;
      tree_.truncated_by = fmt::format("max_files ({})", limits_.max_files);
      return false;
    }
    return true;
  }

  void walk(const std::string& dir, const std::string& rel, std::size_t depth) {
    std::size_t pushed = 0;
    std::string text = read_small(dir + "/.gitignore");
    if (!text.empty()) {
      ignores_.push(parse_ignore_file(dir, text));
      pushed = 1;
    }
    std::vector<std::pair<std::string, unsigned char>> entries;
    if (DIR* d = ::opendir(dir.c_str())) {
      while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        ++tree_.entries_seen;
        entries.emplace_back(std::move(name), e->d_type);
        if (tree_.entries_seen >= limits_.max_entries) break;
      }
      ::closedir(d);
    }
    std::sort(entries.begin(), entries.end());
    for (auto& [name, type] : entries) {
      if (!budget_left()) break;
      std::string path = dir + "/" + name;
      std::string child = rel.empty() ? name : rel + "/" + name;
      bool is_dir = type == DT_DIR;
      bool is_file = type == DT_REG;
      bool is_link = type == DT_LNK;
      if (type == DT_UNKNOWN || is_link) {
        struct stat st;
        if (::stat(path.c_str(), &st) != 0) continue;
        is_dir = S_ISDIR(st.st_mode);
        is_file = S_ISREG(st.st_mode);
      }
      if (is_dir) {
        folder(path, child, name, depth, is_link);
      } else if (is_file && !ignores_.ignored(path, false)) {
        tree_.files.push_back(child);
      }
    }
    for (std::size_t i = 0; i < pushed; ++i) ignores_.pop();
  }

  void folder(const std::string& path, const std::string& child, const std::string& name, std::size_t depth,
              bool is_link) {
    bool ignored = ignores_.ignored(path, true);
    std::optional<SkipKind> kind = classify_folder(name, path, child);
    // A folder named like checkpoints that git tracks and that holds source code is source
    // (src/checkpoint/ of a checkpoint library); an ignored one is output, whatever it holds.
    if (kind == SkipKind::kCheckpoints && !ignored && holds_source(path)) kind.reset();
    if (!kind && is_link) kind = SkipKind::kSymlink;
    if (!kind && ignored) kind = SkipKind::kIgnored;
    if (!kind && depth + 1 > limits_.max_depth) kind = SkipKind::kDepth;
    if (kind) {
      // Caches and version control are noise in a report; everything else is worth naming.
      if (*kind != SkipKind::kCache && *kind != SkipKind::kVersionControl) {
        tree_.skipped.push_back({child, *kind, ignored});
      }
      return;
    }
    walk(path, child, depth + 1);
  }

  WalkLimits limits_;
  ProjectTree tree_;
  IgnoreStack ignores_;
};

}  // namespace

const char* skip_kind_name(SkipKind kind) {
  switch (kind) {
    case SkipKind::kVersionControl: return "version_control";
    case SkipKind::kVirtualenv: return "virtualenv";
    case SkipKind::kDependencies: return "dependencies";
    case SkipKind::kCache: return "cache";
    case SkipKind::kHidden: return "hidden";
    case SkipKind::kData: return "data";
    case SkipKind::kCheckpoints: return "checkpoints";
    case SkipKind::kIgnored: return "gitignored";
    case SkipKind::kDepth: return "depth_limit";
    case SkipKind::kSymlink: return "symlink";
  }
  return "gitignored";
}

bool is_checkpoint_folder_name(const std::string& name) {
  return kCheckpointNames.count(name) > 0 || starts_with(name, "out-") || starts_with(name, "out_") ||
         starts_with(name, "checkpoints_") || starts_with(name, "checkpoints-") || starts_with(name, "ckpt_") ||
         starts_with(name, "ckpt-");
}

bool ProjectTree::has_file(const std::string& relative) const {
  return std::binary_search(files.begin(), files.end(), relative);
}

core::Result<ProjectTree> walk_tree(const std::string& root, const WalkLimits& limits) {
  std::error_code ec;
  fs::path absolute = fs::absolute(root, ec).lexically_normal();
  std::string text = absolute.string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  if (!fs::is_directory(text, ec)) {
    return core::Error::not_found(fmt::format("'{}' is not a directory: give the folder of a training project", root));
  }
  if (::access(text.c_str(), R_OK | X_OK) != 0) {
    return core::Error::failure(fmt::format("cannot read the folder {}: permission denied", text));
  }
  return Walker(text, limits).run();
}

}  // namespace trainctl::project
