// The fixture projects of tests/project/fixtures/make_projects.py, written once per test binary
// (real torch.save checkpoints, so it runs with the Python that has torch).
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include "python_fixture.h"
#include "temp_dir.h"

namespace trainctl::testing {

inline const std::filesystem::path& project_fixtures() {
  static TempDir dir;
  static std::once_flag once;
  std::call_once(once, [] {
    run_fixture_script(std::string(TRAINCTL_SOURCE_DIR) + "/tests/project/fixtures/make_projects.py",
                       {dir.path().string()});
  });
  return dir.path();
}

}  // namespace trainctl::testing
