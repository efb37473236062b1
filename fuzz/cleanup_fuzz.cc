// libFuzzer target for what `trainctl cleanup` reads from a project it does not trust: the git
// index (.git/index, versions 2 to 4) and the line checks of configs and scripts (secrets, home
// paths, the comment-free form). Nothing may crash, hang or leak; every parsed path must be
// sorted and unique, and every line number must lie inside the text. Seed: a real index
// (`git update-index --index-version 4` in any repository).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cleanup/git_index.h"
#include "cleanup/text_checks.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto paths = trainctl::cleanup::parse_git_index(input); paths.ok()) {
    check(std::is_sorted(paths->begin(), paths->end()));
    check(std::adjacent_find(paths->begin(), paths->end()) == paths->end());
    for (const auto& p : *paths) check(p.size() <= trainctl::cleanup::kMaxIndexPathBytes);
  }
  std::size_t lines = static_cast<std::size_t>(std::count(input.begin(), input.end(), '\n')) + 1;
  for (const auto& hit : trainctl::cleanup::find_secrets(input)) check(hit.line >= 1 && hit.line <= lines);
  for (const auto& hit : trainctl::cleanup::find_home_paths(input)) check(hit.line >= 1 && hit.line <= lines);
  std::string plain = trainctl::cleanup::config_without_comments(input);
  check(plain.size() <= input.size() + lines);
  return 0;
}
