// Matches a request in words ("the custom transformer on tinystories") against the ways a
// project can be run: each content word scores the best field it appears in — a config's name
// or Hydra option (6), the project's folder (5), the entry point's file or module and the
// dataset a config names (4), a Makefile target or README line (3), the entry point's
// description (2), any other value in the config (1). Words like "train", "the", "model" carry
// no weight.
#pragma once

#include <string>
#include <vector>

#include "command/command_plan.h"
#include "project/training_project.h"

namespace trainctl::command {

inline constexpr double kWeightConfigName = 6;
inline constexpr double kWeightProject = 5;
inline constexpr double kWeightEntry = 4;
inline constexpr double kWeightDataset = 4;
inline constexpr double kWeightRecipe = 3;
inline constexpr double kWeightDescription = 2;
inline constexpr double kWeightConfigValue = 1;

// The words that carry meaning, lowercased: stop words dropped, split at anything not a letter
// or digit.
std::vector<std::string> content_words(const std::vector<std::string>& request);

// Scores `candidate` (filling score and matched); `project` is the one it belongs to.
void score_candidate(Candidate& candidate, const project::TrainingProject& project,
                     const std::vector<std::string>& words);

}  // namespace trainctl::command
