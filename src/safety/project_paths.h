// Where a path lands relative to the project: inside it, its root, trainctl's own .trainctl/
// folder, outside it, or a device. Paths are resolved the way the kernel would at run time:
// relative to the command's directory, `..` applied, symlinks followed (except, on request, the
// last component, for commands that act on a link itself). Reads the file system; never writes.
#pragma once

#include <string>

namespace trainctl::safety {

enum class PathPlace {
  kProjectRoot,    // the project folder itself
  kTrainctlDir,    // .trainctl/ or anything under it
  kInsideProject,  // a file or folder under the root
  kOutside,        // anywhere else: home, /, system paths, other projects
  kNullDevice,     // /dev/null, /dev/stdout, /dev/stderr, /dev/tty, /dev/fd/N: harmless sinks
  kDevice,         // any other /dev entry: disks, memory
};

struct PathJudgement {
  PathPlace place = PathPlace::kOutside;
  std::string resolved;       // absolute, normalised, symlinks followed as asked
  bool left_through_symlink = false;  // lexically inside, outside once symlinks are followed
};

// `cwd` + `path` made absolute and normalised without touching the file system.
std::string lexically_absolute(const std::string& cwd, const std::string& path);

class ProjectPaths {
 public:
  explicit ProjectPaths(std::string project_root);  // made absolute (from the current directory) and canonical

  const std::string& root() const { return root_; }

  // follow_last: false for operations on a name itself (rm link, mv link), true otherwise.
  PathJudgement judge(const std::string& cwd, const std::string& path, bool follow_last = true) const;
  PathPlace place_of(const std::string& absolute_resolved) const;

 private:
  std::string root_;
};

}  // namespace trainctl::safety
