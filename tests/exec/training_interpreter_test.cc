// A planned `python` runs with the interpreter that has torch: with a PATH whose `python` cannot
// import torch, the word maps to Debian's /usr/bin/python3 (which has python3-torch); when the word
// already names that interpreter, or the command is not Python, nothing changes. Real probes.
#include "exec/training_interpreter.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace trainctl::exec {
namespace {

core::EnvironmentVars with_path(const std::string& path, const std::string& home) {
  return core::EnvironmentVars::of({{"PATH", path}, {"HOME", home}});
}

TEST(TrainingInterpreter, APythonWithoutTorchOnPathMapsToTheOneWithTorch) {
  testing::TempDir dir;
  // A `python` that is not one: the torch probe gets no answer from it.
  dir.write("bin/python", "#!/bin/sh\nexit 1\n", true);
  auto env = with_path((dir.path() / "bin").string() + ":/usr/bin:/bin", dir.path().string());
  auto choice = choose_training_interpreter({"python", "train.py", "--config", "c.yaml"}, env, dir.path().string());
  ASSERT_TRUE(choice.has_value());
  EXPECT_EQ(choice->argv, (std::vector<std::string>{"/usr/bin/python3", "train.py", "--config", "c.yaml"}));
  EXPECT_NE(choice->note.find("has no torch"), std::string::npos) << choice->note;
}

TEST(TrainingInterpreter, TheRightWordAndOtherProgramsAreLeftAlone) {
  testing::TempDir dir;
  auto env = with_path("/usr/bin:/bin", dir.path().string());
  EXPECT_FALSE(choose_training_interpreter({"python3", "train.py"}, env, dir.path().string()).has_value());
  EXPECT_FALSE(choose_training_interpreter({"torchrun", "--nproc_per_node=2", "train.py"}, env, dir.path().string()));
  EXPECT_FALSE(choose_training_interpreter({"/opt/py/bin/python", "train.py"}, env, dir.path().string()));
  EXPECT_FALSE(choose_training_interpreter({}, env, dir.path().string()));
}

}  // namespace
}  // namespace trainctl::exec
