// Helpers for the gpu tests: the recorded nvidia-smi outputs under tests/gpu/data, a fake
// nvidia-smi script that replays them through the real process-spawning code, and a scoped
// environment variable for the fake NVML's FAKE_NVML_MODE.
#pragma once

#include <stdlib.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/environment_vars.h"
#include "support/temp_dir.h"

namespace trainctl::testing {

inline std::string gpu_data_path(const std::string& relative) {
  return std::string(TRAINCTL_TEST_DATA_DIR) + "/" + relative;
}

inline std::string read_gpu_data(const std::string& relative) {
  std::ifstream in(gpu_data_path(relative), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A directory holding an executable `nvidia-smi` that prints the recordings of one scenario folder
// (query_gpu.csv, compute_apps.csv, list.txt, banner.txt; compute_cap_rejected.txt makes it refuse
// compute_cap like an R470 driver) and logs each call's arguments, one line per call.
class FakeNvidiaSmi {
 public:
  // `script_body` replaces the replaying script (for a hung or failing nvidia-smi).
  explicit FakeNvidiaSmi(const std::string& scenario, const std::string& script_body = "") {
    const std::string data = gpu_data_path(scenario);
    const std::string log = (dir_.path() / "calls.log").string();
    std::string script = "#!/bin/sh\necho \"$*\" >> '" + log + "'\n";
    if (!script_body.empty()) {
      script += script_body + "\n";
    } else {
      script += "D='" + data + "'\n" +
                R"(case "$1" in
  --query-gpu=*)
    case "$1" in *compute_cap*)
      if [ -f "$D/compute_cap_rejected.txt" ]; then cat "$D/compute_cap_rejected.txt"; exit 2; fi ;;
    esac
    cat "$D/query_gpu.csv" ;;
  --query-compute-apps=*) cat "$D/compute_apps.csv" ;;
  -L) cat "$D/list.txt" ;;
  "") cat "$D/banner.txt" ;;
  *) echo "fake nvidia-smi: unexpected arguments: $*" >&2; exit 99 ;;
esac
)";
    }
    program_ = dir_.write("bin/nvidia-smi", script, true).string();
    log_ = log;
  }

  const std::string& program() const { return program_; }
  std::string bin_dir() const { return (dir_.path() / "bin").string(); }

  // An environment whose PATH finds this nvidia-smi first, and then only the basic tools.
  core::EnvironmentVars env() const {
    core::EnvironmentVars env;
    env.set("PATH", bin_dir() + ":/usr/bin:/bin");
    return env;
  }

  std::vector<std::string> calls() const {
    std::vector<std::string> lines;
    std::ifstream in(log_);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

 private:
  TempDir dir_;
  std::string program_;
  std::string log_;
};

// Sets an environment variable of this test process for one scope (the fake NVML reads its mode
// with getenv), restoring what was there before.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace trainctl::testing
