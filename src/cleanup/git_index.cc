#include "cleanup/git_index.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace trainctl::cleanup {
namespace {

constexpr std::size_t kEntryFixedBytes = 62;  // times, ids, mode, size, object id, flags

std::uint32_t be32(std::string_view b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

core::Error corrupt(const std::string& what) {
  return core::Error::failure(fmt::format("the git index is malformed ({}); `git status` rewrites it", what));
}

}  // namespace

core::Result<std::vector<std::string>> parse_git_index(std::string_view b) {
  if (b.size() < 12 || b.substr(0, 4) != "DIRC") return corrupt("no DIRC signature");
  std::uint32_t version = be32(b, 4);
  if (version < 2 || version > 4) return corrupt(fmt::format("version {}", version));
  std::uint32_t count = be32(b, 8);
  if (count > kMaxIndexEntries) return corrupt(fmt::format("{} entries, more than {}", count, kMaxIndexEntries));
  std::vector<std::string> paths;
  paths.reserve(std::min<std::size_t>(count, b.size() / kEntryFixedBytes));
  std::size_t at = 12;
  std::string previous;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::size_t start = at;
    if (b.size() - at < kEntryFixedBytes) return corrupt(fmt::format("entry {} is cut short", i));
    std::uint16_t flags = static_cast<std::uint16_t>((static_cast<unsigned char>(b[at + 60]) << 8) |
                                                     static_cast<unsigned char>(b[at + 61]));
    at += kEntryFixedBytes;
    if ((flags & 0x4000) != 0) {
      if (version < 3) return corrupt("extended flags before version 3");
      if (b.size() - at < 2) return corrupt(fmt::format("entry {} is cut short", i));
      at += 2;
    }
    std::string path;
    if (version == 4) {
      std::size_t strip = 0;
      unsigned char c = 0;
      int bytes = 0;
      do {
        if (at >= b.size() || ++bytes > 8) return corrupt(fmt::format("entry {}: bad prefix length", i));
        c = static_cast<unsigned char>(b[at++]);
        if (bytes > 1) strip += 1;
        strip = (strip << (bytes > 1 ? 7 : 0)) + (c & 127);
      } while ((c & 128) != 0);
      if (strip > previous.size()) return corrupt(fmt::format("entry {}: prefix longer than the previous path", i));
      path = previous.substr(0, previous.size() - strip);
    }
    std::size_t end = b.find('\0', at);
    if (end == std::string_view::npos) return corrupt(fmt::format("entry {}: path not terminated", i));
    path.append(b.substr(at, end - at));
    if (path.size() > kMaxIndexPathBytes) return corrupt(fmt::format("entry {}: path over {} bytes", i, kMaxIndexPathBytes));
    at = end + 1;
    if (version != 4) {
      std::size_t length = at - start;
      at = start + ((length + 7) / 8) * 8;  // NUL padding to a multiple of 8
      if (at > b.size()) return corrupt(fmt::format("entry {}: padding cut short", i));
    }
    previous = path;
    // Stages 1-3 (a merge in progress) repeat a path; keep it once.
    if (!paths.empty() && paths.back() == path) continue;
    paths.push_back(std::move(path));
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

bool GitIndex::tracks(std::string_view relative) const {
  return std::binary_search(tracked.begin(), tracked.end(), relative, std::less<>());
}

bool GitIndex::tracks_below(std::string_view folder) const {
  std::string prefix = std::string(folder) + "/";
  auto it = std::lower_bound(tracked.begin(), tracked.end(), prefix);
  return it != tracked.end() && it->rfind(prefix, 0) == 0;
}

core::Result<std::optional<GitIndex>> read_git_index(const std::string& dir) {
  namespace fs = std::filesystem;
  fs::path d(dir);
  for (int i = 0; i < 64; ++i) {
    struct stat st;
    if (::stat((d / ".git").c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return std::optional<GitIndex>();  // a worktree or submodule link: not read
      fs::path index = d / ".git" / "index";
      if (::stat(index.c_str(), &st) != 0) return std::optional<GitIndex>();
      if (static_cast<std::size_t>(st.st_size) > kMaxIndexFileBytes) {
        return core::Error::failure(fmt::format("{} is over {} MiB; not read", index.string(), kMaxIndexFileBytes >> 20));
      }
      std::ifstream in(index, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) return core::Error::failure(fmt::format("cannot read {}", index.string()));
      auto paths = parse_git_index(text.str());
      if (!paths) return core::Error::failure(index.string() + ": " + paths.error().message);
      return std::optional<GitIndex>(GitIndex{d.string(), std::move(*paths)});
    }
    if (!d.has_parent_path() || d.parent_path() == d) break;
    d = d.parent_path();
  }
  return std::optional<GitIndex>();
}

}  // namespace trainctl::cleanup
