// The fixture project the command-safety corpus assumes (tests/safety/corpus/README.md): a small
// training project in a temporary folder, with a symlink that leaves it and one that stays.
#pragma once

#include <filesystem>
#include <string>

#include "safety/command_check.h"
#include "temp_dir.h"

namespace trainctl::testing {

class SafetyProject {
 public:
  SafetyProject() {
    for (const char* file : {"train.py", "evaluate.py", "model.py", "configs/default.yaml", "configs/tinystories.yaml",
                             "data/corpus.txt", "checkpoints/tinystories/step_100.pt",
                             "checkpoints/tinystories/step_200.pt", "logs/train.log", ".trainctl/.keep",
                             "outputs/.keep"}) {
      dir_.write(file, "x\n");
    }
    dir_.write("scripts/train.sh", "#!/bin/sh\npython train.py --config configs/tinystories.yaml\n", true);
    std::filesystem::create_directory_symlink("/etc", dir_.path() / "data_link");
    std::filesystem::create_directory_symlink("checkpoints", dir_.path() / "ckpt_link");
    root_ = std::filesystem::canonical(dir_.path()).string();
  }

  const std::string& root() const { return root_; }

  safety::CheckOptions options() const {
    safety::CheckOptions o;
    o.project_root = root_;
    o.cwd = root_;
    o.home = "/home/user";
    return o;
  }

  safety::CommandCheck check(const std::string& line) const { return safety::check_command(line, options()); }

  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::string root_;
};

}  // namespace trainctl::testing
