// Finds the checkpoints under a folder (files and checkpoint folders, grouped by the run folder
// that holds them) and picks the latest one that will actually load. Bounded: skips .git,
// virtualenvs and caches, descends at most kMaxSearchDepth levels and visits at most
// kMaxSearchEntries entries.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checkpoint/checkpoint_info.h"
#include "checkpoint/torch_file.h"
#include "core/result.h"

namespace trainctl::checkpoint {

inline constexpr std::size_t kMaxSearchDepth = 8;
inline constexpr std::size_t kMaxSearchEntries = 200'000;

struct Candidate {
  std::string path;       // absolute
  std::string run;        // the folder that holds it, relative to the searched root ("." for the root)
  bool folder = false;    // a checkpoint folder (Hugging Face, DeepSpeed, DCP)
  std::optional<std::int64_t> name_step;
  std::optional<std::int64_t> name_epoch;
  double modified_time = 0;
};

// The checkpoints under dir, newest first by the numbers in their names, then by time.
core::Result<std::vector<Candidate>> find_candidates(const std::string& dir);

struct CheckpointRun {
  std::string run;
  std::vector<CheckpointInfo> checkpoints;   // newest first (step, then epoch, then time)
};

struct CheckpointListing {
  std::string root;
  std::vector<CheckpointRun> runs;
};

core::Result<CheckpointListing> list_checkpoints(const std::string& dir, const InspectOptions& options = {});

struct SkippedCheckpoint {
  std::string path;
  std::string reason;
};

struct LatestCheckpoint {
  CheckpointInfo checkpoint;
  std::vector<SkippedCheckpoint> skipped;    // newer ones that were passed over, and why
};

// The newest valid checkpoint by step, then epoch, then modification time; a checkpoint whose
// security verdict is "dangerous" is never chosen. Fails with kNotFound
// when there is none (the message names how many were found and why each was rejected).
core::Result<LatestCheckpoint> latest_checkpoint(const std::string& dir, const InspectOptions& options = {});

// Orders two checkpoints: true when a is newer than b.
bool newer(const CheckpointInfo& a, const CheckpointInfo& b);

nlohmann::json to_json(const CheckpointListing& listing);
nlohmann::json to_json(const LatestCheckpoint& latest);

}  // namespace trainctl::checkpoint
