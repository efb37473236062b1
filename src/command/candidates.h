// The ways a project can be trained, as candidates for a request to choose among: each train
// entry point with each config it can take (a --config file, a positional config module, a
// LightningCLI config, a Hydra primary config or config-group option), or with the arguments a
// README/Makefile/script line gives it, or with its defaults. And the choice itself: the best
// score wins; a tie, or words that match nothing, is an Ambiguity — never a silent guess.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "command/command_plan.h"
#include "project/training_project.h"

namespace trainctl::command {

std::vector<Candidate> train_candidates(const project::ProjectScan& scan);

// Ranks the candidates by the request's words (sorted best first, in place) and picks one.
// `pick` (a 0-based index into the ranked list) is the answer of a person who was asked.
std::variant<Candidate, Ambiguity> choose(std::vector<Candidate>& candidates, const project::ProjectScan& scan,
                                          const std::vector<std::string>& request,
                                          std::optional<std::size_t> pick = std::nullopt);

// The candidates that run `config` (absolute); when none does, one per train entry point of the
// project that holds it, with the config passed the way that entry point takes one.
std::vector<Candidate> candidates_for_config(const project::ProjectScan& scan, std::vector<Candidate> all,
                                             const std::string& config);
// `path` made absolute against `working_dir`, normalised.
std::string absolute_path(const std::string& path, const std::string& working_dir);

const project::TrainingProject* project_of(const project::ProjectScan& scan, const std::string& root);
const project::EntryPoint* entry_of(const project::TrainingProject& project, const std::string& path);

// How the entry point is named on the command line: {"train.py"} or {"-m", "pkg.train"}.
std::vector<std::string> entry_target(const project::EntryPoint& entry);
// The subcommand that trains ("fit" for LightningCLI, "train" for a click group), or "".
std::string train_subcommand(const project::EntryPoint& entry);

// The config a candidate runs with, read as the run would see it (Hydra: composed), and its facts.
struct SelectedConfig {
  std::optional<std::string> path;  // absolute
  nlohmann::json values = nlohmann::json::object();
  std::vector<project::ConfigFact> facts;
};
SelectedConfig selected_config(const project::TrainingProject& project, const project::EntryPoint& entry,
                               const Candidate& candidate);

}  // namespace trainctl::command
