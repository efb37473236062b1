// The messy project of tests/cleanup/fixtures/make_messy_project.py, written once per build next to
// the trainctl binary (a hashed name: a changed script writes a new one), and a private copy of it
// per test (cp -a keeps times, modes and the relative symlinks), since cleanup --apply moves files.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/subprocess.h"
#include "python_fixture.h"
#include "temp_dir.h"

namespace trainctl::testing {

inline const std::filesystem::path& messy_fixture() {
  namespace fs = std::filesystem;
  static const fs::path dir = [] {
    fs::path script = fs::path(TRAINCTL_SOURCE_DIR) / "tests/cleanup/fixtures/make_messy_project.py";
    std::ifstream in(script, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    std::uint64_t hash = 14695981039346656037ULL;
    for (unsigned char c : text.str()) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
    std::ostringstream name;
    name << "messy-" << std::hex << hash;
    fs::path cache = fs::path(TRAINCTL_BINARY).parent_path() / "test-fixtures" / name.str();
    std::error_code ec;
    if (fs::exists(cache / "messy", ec)) return cache;
    fs::path staging = cache.string() + ".tmp-" + std::to_string(::getpid());
    fs::remove_all(staging, ec);
    fs::create_directories(staging, ec);
    if (run_fixture_script(script.string(), {staging.string()})) {
      fs::create_directories(cache.parent_path(), ec);
      fs::rename(staging, cache, ec);  // another test process may have won the race: use its tree
      fs::remove_all(staging, ec);
    }
    return cache;
  }();
  return dir;
}

// A copy of the fixture (messy/ and outside/) inside dir.
inline bool copy_messy_fixture(const std::filesystem::path& dir) {
  core::SubprocessOptions options;
  options.argv = {"cp", "-a", (messy_fixture() / "messy").string(), (messy_fixture() / "outside").string(), dir.string()};
  options.env = core::EnvironmentVars::from_process();
  auto result = core::run_subprocess(options);
  return result && result->succeeded();
}

}  // namespace trainctl::testing
