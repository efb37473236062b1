// The fixture projects of tests/project/fixtures/make_projects.py (real torch.save checkpoints,
// so it runs with the Python that has torch). ctest runs every test case in its own process, so
// the tree is written once into the build folder, next to the trainctl binary, under a name made
// from a hash of the script and the example project it copies: a changed script writes a new one.
// Written to a temporary name and renamed, so parallel test processes never see half a tree.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "python_fixture.h"

namespace trainctl::testing {

inline std::uint64_t fnv1a(std::uint64_t hash, const std::string& text) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

inline const std::filesystem::path& project_fixtures() {
  namespace fs = std::filesystem;
  static const fs::path dir = [] {
    fs::path source(TRAINCTL_SOURCE_DIR);
    fs::path script = source / "tests/project/fixtures/make_projects.py";
    std::uint64_t hash = 14695981039346656037ULL;
    for (const fs::path& input : {script, source / "examples/tinystories/train.py",
                                  source / "examples/tinystories/evaluate.py",
                                  source / "examples/tinystories/README.md",
                                  source / "examples/tinystories/configs/default.yaml",
                                  source / "examples/tinystories/configs/tinystories.yaml"}) {
      std::ifstream in(input, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      hash = fnv1a(hash, text.str());
    }
    std::ostringstream name;
    name << "projects-" << std::hex << hash;
    fs::path cache = fs::path(TRAINCTL_BINARY).parent_path() / "test-fixtures" / name.str();
    std::error_code ec;
    if (fs::exists(cache / "done", ec)) return cache;
    fs::path staging = cache.string() + ".tmp-" + std::to_string(::getpid());
    fs::remove_all(staging, ec);
    if (run_fixture_script(script.string(), {staging.string()})) {
      fs::rename(staging, cache, ec);  // another test process may have won the race: use its tree
      fs::remove_all(staging, ec);
    }
    return cache;
  }();
  return dir;
}

}  // namespace trainctl::testing
