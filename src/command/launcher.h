// Puts a project's Python command under the launcher it uses for several GPUs or nodes:
// torchrun --nproc_per_node=N, accelerate launch --num_processes=N, deepspeed --num_gpus=N, or
// the project's own device setting (Lightning's --trainer.devices=N, a --gpus flag). One process
// on one node stays plain `python`. A project with no multi-process support is an error, not a
// command that would train N copies side by side.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "project/training_project.h"

namespace trainctl::command {

inline constexpr int kMaxGpusPerNode = 1024;
inline constexpr int kMaxNodes = 4096;
inline constexpr const char* kDefaultRendezvousPort = "29500";

struct LaunchRequest {
  int gpus = 0;                 // per node; 0 when not asked (one process)
  int nodes = 1;
  std::string master_addr;      // the first node's address, for several nodes ($MASTER_ADDR)
  std::string launcher_config;  // an accelerate config file of the project, relative to cwd
};

struct Launch {
  std::vector<std::string> argv;
  std::string launcher;         // what was used: "python", "torchrun", ...
  std::vector<std::string> notes;
};

// `target` is {"train.py"} or {"-m", "pkg.train"}; `args` what follows it.
core::Result<Launch> launch(const project::EntryPoint& entry, const std::vector<std::string>& target,
                            const std::vector<std::string>& args, const LaunchRequest& request);

}  // namespace trainctl::command
