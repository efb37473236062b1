// The pickle fixtures written by tests/checkpoint/fixtures/make_pickles.py with the real
// pickle.dumps and torch.save, generated once per test binary into a temporary directory.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "python_fixture.h"
#include "temp_dir.h"

namespace trainctl::checkpoint::testing {

inline const std::filesystem::path& pickle_fixtures() {
  static trainctl::testing::TempDir dir;
  static std::once_flag once;
  std::call_once(once, [] {
    trainctl::testing::run_fixture_script(
        std::string(TRAINCTL_SOURCE_DIR) + "/tests/checkpoint/fixtures/make_pickles.py", {dir.path().string()});
  });
  return dir.path();
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// The cases make_pickles.py wrote: [{"name", "format": "pickle"|"legacy", "verdict"}].
inline nlohmann::json pickle_manifest() { return read_json(pickle_fixtures() / "manifest.json"); }

}  // namespace trainctl::checkpoint::testing
