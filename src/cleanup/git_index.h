// The paths git tracks, read from the repository's index file (.git/index, versions 2 to 4)
// without running git. The index is untrusted bytes: a malformed one is an error, never a crash;
// at most kMaxIndexEntries entries and kMaxIndexPathBytes per path are read.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace trainctl::cleanup {

inline constexpr std::size_t kMaxIndexEntries = 2'000'000;
inline constexpr std::size_t kMaxIndexPathBytes = 4096;
inline constexpr std::size_t kMaxIndexFileBytes = 512u * 1024 * 1024;

// The tracked paths ('/'-separated, relative to the repository's top), sorted.
core::Result<std::vector<std::string>> parse_git_index(std::string_view bytes);

struct GitIndex {
  std::string top;                     // the repository's work tree, absolute
  std::vector<std::string> tracked;    // relative to top, sorted
  bool tracks(std::string_view relative_to_top) const;          // the file itself
  bool tracks_below(std::string_view folder_relative_to_top) const;  // anything under the folder
};

// The index of the repository that holds dir (climbing at most 64 folders); nullopt outside a
// repository or when it has no index yet. Fails when the index cannot be read or parsed.
core::Result<std::optional<GitIndex>> read_git_index(const std::string& dir);

}  // namespace trainctl::cleanup
