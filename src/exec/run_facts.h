// What a run record says about where a run came from: the config file its argv names (and a
// hash of its bytes), the git commit and whether the tree was dirty, the environment variables
// that decide which GPUs and ranks it gets, the host. Git is asked through the safety guard
// (read-only `git rev-parse` / `git status`), bounded by kGitTimeout.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/environment_vars.h"
#include "exec/run_record.h"
#include "safety/guarded_process.h"

namespace trainctl::exec {

inline constexpr std::chrono::milliseconds kGitTimeout{3000};

// The config file argv names (--config X, --config=X, --config-file, --cfg, -c), absolute; nullopt when none exists.
std::optional<std::string> config_in_argv(const std::vector<std::string>& argv, const std::string& cwd);

// "fnv1a64:<16 hex>" of the file's bytes (an identity check, not a security hash); nullopt when unreadable.
std::optional<std::string> file_hash(const std::string& path);

// CUDA_VISIBLE_DEVICES, the launcher variables (MASTER_ADDR, WORLD_SIZE, ...) that are set.
std::map<std::string, std::string> relevant_environment(const core::EnvironmentVars& env);

// Fills git_commit and git_dirty from the repository holding cwd (left empty outside one).
void add_git_facts(RunRecord& record, const safety::CommandGuard& guard, const core::EnvironmentVars& env);

std::string host_name();

}  // namespace trainctl::exec

namespace trainctl::exec {

// The checkpoints under cwd (checkpoint/discovery.h) modified at or after since_ms, newest first.
std::vector<std::string> checkpoints_written(const std::string& cwd, std::int64_t since_ms);

}  // namespace trainctl::exec
