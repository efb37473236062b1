#include "cleanup/inventory.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "project/gitignore.h"

namespace trainctl::cleanup {
namespace {

namespace fs = std::filesystem;

double seconds(const struct timespec& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9; }

std::string read_small_at(int dir_fd, const char* name) {
  int fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return {};
  std::string text;
  char buffer[8192];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0 && text.size() < project::kMaxIgnoreFileBytes) {
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

bool skipped_folder(const std::string& name, int parent_fd) {
  if (name == ".git" || name == ".hg" || name == ".svn" || name == ".trainctl" || name == "node_modules") return true;
  if (name == "venv" || name == ".venv" || name == "site-packages") return true;
  std::string cfg = name + "/pyvenv.cfg";
  return ::faccessat(parent_fd, cfg.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

class Walker {
 public:
  Walker(std::string root, const InventoryLimits& limits, const ProgressFn& progress)
      : limits_(limits), progress_(progress) {
    inv_.root = std::move(root);
  }

  Inventory run(int root_fd) {
    load_enclosing_ignores();
    InventoryEntry total;
    walk(root_fd, inv_.root, "", 0, false, total);
    inv_.total_bytes = total.bytes;
    std::sort(inv_.entries.begin(), inv_.entries.end(),
              [](const InventoryEntry& a, const InventoryEntry& b) { return a.rel < b.rel; });
    return std::move(inv_);
  }

 private:
  void load_enclosing_ignores() {
    fs::path dir(inv_.root);
    std::vector<fs::path> chain;
    for (int i = 0; i < 64; ++i) {
      chain.push_back(dir);
      std::error_code ec;
      if (fs::exists(dir / ".git", ec)) {
        std::string exclude = read_file(dir / ".git/info/exclude");
        if (!exclude.empty()) ignores_.push(project::parse_ignore_file(dir.string(), exclude));
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
          if (it->string() == inv_.root) break;
          std::string text = read_file(*it / ".gitignore");
          if (!text.empty()) ignores_.push(project::parse_ignore_file(it->string(), text));
        }
        return;
      }
      if (!dir.has_parent_path() || dir.parent_path() == dir) return;
      dir = dir.parent_path();
    }
  }

  static std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    if (s.size() > project::kMaxIgnoreFileBytes) s.resize(project::kMaxIgnoreFileBytes);
    return s;
  }

  bool stop() {
    if (inv_.truncated) return true;
    if (inv_.entries_seen >= limits_.max_entries) {
      inv_.truncated = true;
      inv_.truncated_by = fmt::format("max_entries ({})", limits_.max_entries);
      return true;
    }
    return false;
  }

  void link(int dir_fd, const std::string& name, const std::string& path, const std::string& rel) {
    char target[4096];
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), target, sizeof target - 1);
    InventorySymlink s;
    s.rel = rel;
    if (n > 0) s.target.assign(target, static_cast<std::size_t>(n));
    char* real = ::realpath(path.c_str(), nullptr);
    std::string resolved = real ? real : "";
    ::free(real);
    s.leaves_project = resolved.empty() || !(resolved == inv_.root || resolved.rfind(inv_.root + "/", 0) == 0);
    inv_.symlinks.push_back(std::move(s));
  }

  void walk(int dir_fd, const std::string& dir, const std::string& rel, std::size_t depth, bool ignored,
            InventoryEntry& folder) {
    std::size_t pushed = 0;
    std::string text = read_small_at(dir_fd, ".gitignore");
    if (!text.empty()) {
      ignores_.push(project::parse_ignore_file(dir, text));
      pushed = 1;
    }
    DIR* d = ::fdopendir(dir_fd);
    if (!d) {
      ::close(dir_fd);
      for (std::size_t i = 0; i < pushed; ++i) ignores_.pop();
      return;
    }
    while (dirent* e = ::readdir(d)) {
      const char* cname = e->d_name;
      if (cname[0] == '.' && (cname[1] == 0 || (cname[1] == '.' && cname[2] == 0))) continue;
      if (stop()) break;
      if (++inv_.entries_seen % kProgressEvery == 0 && progress_) progress_(inv_.entries_seen);
      std::string name = cname;
      std::string path = dir + "/" + name;
      std::string child = rel.empty() ? name : rel + "/" + name;
      struct stat st;
      if (::fstatat(dir_fd, cname, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (S_ISLNK(st.st_mode)) {
        link(dir_fd, name, path, child);
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        if (skipped_folder(name, dir_fd) || depth + 1 > limits_.max_depth) continue;
        int fd = ::openat(dir_fd, cname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) continue;
        InventoryEntry sub;
        sub.rel = child;
        sub.dir = true;
        sub.ignored = ignored || ignores_.ignored(path, true);
        std::size_t index = inv_.entries.size();
        inv_.entries.push_back(sub);
        walk(fd, path, child, depth + 1, sub.ignored, sub);
        merge(folder, sub);
        inv_.entries[index] = std::move(sub);
      } else if (S_ISREG(st.st_mode)) {
        InventoryEntry f;
        f.rel = child;
        f.bytes = static_cast<std::uint64_t>(st.st_size);
        f.files = 1;
        f.modified_time = seconds(st.st_mtim);
        f.oldest_time = f.modified_time;
        f.ignored = ignored || ignores_.ignored(path, false);
        ++inv_.file_count;
        merge(folder, f);
        inv_.entries.push_back(std::move(f));
      }
    }
    ::closedir(d);
    for (std::size_t i = 0; i < pushed; ++i) ignores_.pop();
  }

  static void merge(InventoryEntry& into, const InventoryEntry& from) {
    if (from.files == 0) return;
    into.bytes += from.bytes;
    into.files += from.files;
    into.modified_time = std::max(into.modified_time, from.modified_time);
    into.oldest_time = into.oldest_time == 0 ? from.oldest_time : std::min(into.oldest_time, from.oldest_time);
  }

  InventoryLimits limits_;
  const ProgressFn& progress_;
  Inventory inv_;
  project::IgnoreStack ignores_;
};

}  // namespace

const InventoryEntry* Inventory::find(const std::string& rel) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), rel,
                             [](const InventoryEntry& e, const std::string& r) { return e.rel < r; });
  return it != entries.end() && it->rel == rel ? &*it : nullptr;
}

core::Result<Inventory> take_inventory(const std::string& root, const InventoryLimits& limits, const ProgressFn& progress) {
  char* real = ::realpath(root.c_str(), nullptr);
  if (!real) return core::Error::not_found(fmt::format("{}: no such folder; give the project folder to clean", root));
  std::string resolved = real;
  ::free(real);
  int fd = ::open(resolved.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return core::Error::failure(fmt::format("{}: not a readable folder", root));
  Walker walker(resolved, limits, progress);
  return walker.run(fd);
}

}  // namespace trainctl::cleanup
