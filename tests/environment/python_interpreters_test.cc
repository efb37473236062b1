#include "environment/python_interpreters.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace trainctl::environment {
namespace {

std::vector<std::string> paths_of(const std::vector<InterpreterCandidate>& found) {
  std::vector<std::string> paths;
  for (const auto& c : found) paths.push_back(c.path);
  return paths;
}

TEST(PythonInterpreters, OrderIsActiveEnvThenProjectThenPathThenSystem) {
  testing::TempDir dir;
  auto venv = dir.write("env/venv-active/bin/python", "#!/bin/sh\n", true);
  auto conda = dir.write("env/conda/bin/python", "#!/bin/sh\n", true);
  auto project_venv = dir.write("project/.venv/bin/python", "#!/bin/sh\n", true);
  auto path_python = dir.write("pathbin/python", "#!/bin/sh\n", true);
  auto path_python3 = dir.write("pathbin/python3", "#!/bin/sh\n", true);
  auto env = core::EnvironmentVars::of({{"VIRTUAL_ENV", (dir.path() / "env/venv-active").string()},
                             {"CONDA_PREFIX", (dir.path() / "env/conda").string()},
                             {"PATH", (dir.path() / "pathbin").string()}});
  auto found = find_python_interpreters(env, dir.path() / "project");
  std::vector<std::string> expected = {venv.string(), conda.string(), project_venv.string(),
                                       path_python.string(), path_python3.string()};
  if (std::filesystem::exists("/usr/bin/python3")) expected.push_back("/usr/bin/python3");
  EXPECT_EQ(paths_of(found), expected);
  ASSERT_GE(found.size(), 3u);
  EXPECT_EQ(found[0].origin, "active virtualenv");
  EXPECT_EQ(found[2].origin, "project .venv");
}

TEST(PythonInterpreters, SkipsMissingAndNonExecutableAndDuplicates) {
  testing::TempDir dir;
  dir.write("project/venv/bin/python", "not executable\n", false);
  auto env = core::EnvironmentVars::of({{"PATH", "/usr/bin:/usr/bin"}, {"VIRTUAL_ENV", ""}});
  auto found = find_python_interpreters(env, dir.path() / "project");
  int system_count = 0;
  for (const auto& c : found) {
    EXPECT_EQ(c.path.find(dir.path().string()), std::string::npos) << c.path;
    if (c.path == "/usr/bin/python3") ++system_count;
  }
  // /usr/bin/python3 reached through PATH and as "system" is one interpreter.
  if (std::filesystem::exists("/usr/bin/python3")) {
    EXPECT_EQ(system_count, 1);
  }
}

TEST(PythonInterpreters, AVenvPythonSymlinkedToTheBaseIsItsOwnInterpreter) {
  testing::TempDir dir;
  auto base = dir.write("base/bin/python3", "#!/bin/sh\n", true);
  std::filesystem::create_directories(dir.path() / "project/.venv/bin");
  std::filesystem::create_symlink(base, dir.path() / "project/.venv/bin/python");
  auto env = core::EnvironmentVars::of({{"PATH", (dir.path() / "base/bin").string()}});
  auto paths = paths_of(find_python_interpreters(env, dir.path() / "project"));
  EXPECT_NE(std::find(paths.begin(), paths.end(), (dir.path() / "project/.venv/bin/python").string()), paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), base.string()), paths.end());
}

}  // namespace
}  // namespace trainctl::environment
