#include "safety/project_paths.h"

#include <filesystem>
#include <system_error>

namespace trainctl::safety {
namespace fs = std::filesystem;

namespace {

bool is_under(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

std::string canonical_or_lexical(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  if (ec) return p.lexically_normal().string();
  std::string s = c.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::string lexically_absolute(const std::string& cwd, const std::string& path) {
  fs::path p(path);
  if (p.is_relative()) p = fs::path(cwd) / p;
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  // lexically_normal keeps a leading "/..": at the root, .. is the root itself.
  while (s.rfind("/..", 0) == 0) s = s.size() == 3 ? "/" : s.substr(3);
  return s.empty() ? "/" : s;
}

ProjectPaths::ProjectPaths(std::string project_root) {
  // A relative root is relative to the current directory, as everywhere else.
  std::error_code ec;
  fs::path absolute = project_root.empty() ? fs::current_path(ec) : fs::absolute(project_root, ec);
  if (ec) absolute = fs::path(lexically_absolute("/", project_root));
  root_ = canonical_or_lexical(absolute.lexically_normal());
}

PathPlace ProjectPaths::place_of(const std::string& p) const {
  if (p == "/dev/null" || p == "/dev/stdout" || p == "/dev/stderr" || p == "/dev/tty" || p == "/dev/stdin" ||
      p.rfind("/dev/fd/", 0) == 0 || p.rfind("/proc/self/fd/", 0) == 0) {
    return PathPlace::kNullDevice;
  }
  if (p == "/dev" || is_under(p, "/dev")) return PathPlace::kDevice;
  if (p == root_) return PathPlace::kProjectRoot;
  if (is_under(p, root_)) {
    std::string trainctl = root_ + "/.trainctl";
    if (p == trainctl || is_under(p, trainctl)) return PathPlace::kTrainctlDir;
    return PathPlace::kInsideProject;
  }
  return PathPlace::kOutside;
}

PathJudgement ProjectPaths::judge(const std::string& cwd, const std::string& path, bool follow_last) const {
  PathJudgement j;
  bool trailing_slash = !path.empty() && path.back() == '/';
  std::string lexical = lexically_absolute(cwd, path);
  std::string resolved;
  if (follow_last || trailing_slash || lexical == "/") {
    resolved = canonical_or_lexical(fs::path(lexical));
  } else {
    fs::path p(lexical);
    std::string parent = canonical_or_lexical(p.parent_path());
    resolved = (parent == "/" ? "" : parent) + "/" + p.filename().string();
  }
  j.resolved = resolved;
  j.place = place_of(resolved);
  // The project root reached through a symlink still counts as the root; only leaving matters.
  PathPlace lexical_place = place_of(lexical);
  j.left_through_symlink = (lexical_place == PathPlace::kInsideProject || lexical_place == PathPlace::kTrainctlDir ||
                            lexical_place == PathPlace::kProjectRoot) &&
                           (j.place == PathPlace::kOutside || j.place == PathPlace::kDevice);
  return j;
}

}  // namespace trainctl::safety
