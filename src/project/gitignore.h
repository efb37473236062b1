// Reads .gitignore files the way git does (gitignore(5)), without running git: comments, blank
// lines, trailing spaces, `!` negation, `\` escapes, directory-only patterns (`dir/`), anchored
// patterns (a `/` anywhere but the end) and the `*`, `?`, `[...]` and `**` wildcards. A path is
// judged by the files of every directory above it: the deeper file and the later line win.
// Bounded: a file is read up to kMaxIgnoreFileBytes and kMaxIgnoreRules lines.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trainctl::project {

inline constexpr std::size_t kMaxIgnoreFileBytes = 256 * 1024;
inline constexpr std::size_t kMaxIgnoreRules = 10'000;
inline constexpr std::size_t kMaxPatternStars = 32;  // more is not a pattern anyone writes; read as literal

struct IgnoreRule {
  std::string pattern;    // with the leading `/`, `!` and trailing `/` removed
  bool negated = false;   // `!pattern`: re-includes
  bool dir_only = false;  // `pattern/`: directories only
  bool anchored = false;  // has a `/` before its end: matched against the whole relative path
};

// The rules of one ignore file, for the paths below `base` (a directory, absolute).
struct IgnoreFile {
  std::string base;
  std::vector<IgnoreRule> rules;
};

IgnoreFile parse_ignore_file(std::string base, std::string_view text);

// true: ignored, false: re-included by a `!` rule, nullopt: no rule of this file speaks of it.
// `path` is absolute and below file.base.
std::optional<bool> ignore_verdict(const IgnoreFile& file, std::string_view path, bool is_dir);

// Every ignore file that applies, outermost first: a walk pushes a directory's file when it enters
// it and pops it when it leaves.
class IgnoreStack {
 public:
  void push(IgnoreFile file) { files_.push_back(std::move(file)); }
  void pop() { files_.pop_back(); }
  std::size_t size() const { return files_.size(); }
  bool ignored(std::string_view path, bool is_dir) const;

 private:
  std::vector<IgnoreFile> files_;
};

// Git's wildcard match with the pathname rule: `*`, `?` and `[...]` never match `/`; `**/`,
// `/**/` and a trailing `/**` cross directories.
bool wildmatch(std::string_view pattern, std::string_view text);

}  // namespace trainctl::project
