// `trainctl doctor`: is this machine ready to train? Probes each Python interpreter a user would
// use (in parallel, each with a timeout), the disk that holds the project, and the GPUs, and turns
// what it finds into problems that each come with the line that fixes them.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/environment_vars.h"
#include "core/result.h"
#include "environment/disk_space.h"
#include "environment/python_interpreters.h"
#include "environment/torch_probe.h"
#include "gpu/gpu_report.h"
#include "safety/guarded_process.h"

namespace trainctl::environment {

// Below this much free space in the project, doctor warns: a few checkpoints of a 1B model.
inline constexpr std::uint64_t kLowDiskBytes = 10ULL * 1024 * 1024 * 1024;

struct DoctorOptions {
  core::EnvironmentVars env;
  std::filesystem::path project_dir;
  std::chrono::milliseconds probe_timeout{30000};
  safety::CommandGuard guard;   // checks every probe before it runs (see safety/guarded_process.h)
};

struct InterpreterStatus {
  InterpreterCandidate candidate;
  TorchProbe probe;
};

struct Problem {
  std::string severity;   // "error" (cannot train), "warning" (can, but badly), "info"
  std::string message;
  std::string fix;        // the line to run or change; empty when there is nothing to do
};

struct DoctorReport {
  std::string project_dir;
  std::vector<InterpreterStatus> interpreters;
  std::optional<std::string> recommended_interpreter;   // the one trainctl would train with
  std::optional<DiskSpace> disk;
  std::optional<std::string> disk_error;
  gpu::GpuReport gpus;
  std::vector<Problem> problems;

  bool healthy() const;   // no problem of severity "error"
};

// Fails (kNotFound) only when project_dir is not a directory; every other problem is in the report.
core::Result<DoctorReport> run_doctor(const DoctorOptions& options);

// The judgement part of doctor, separate from the probing so tests can feed it any machine.
// Fills recommended_interpreter and problems from the other fields.
void diagnose(DoctorReport& report);

nlohmann::json to_json(const DoctorReport& report);

}  // namespace trainctl::environment
