// A command trainctl would run for a training project — train, resume or evaluate — written in
// the project's own conventions: the argv (starting with `python` or the project's launcher,
// never a machine-specific interpreter path), the folder it runs in, the config and its key
// facts, the checkpoint it starts from, the candidates it was chosen among, and the safety
// guard's verdict on it. Plain data; nothing here runs anything.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checkpoint/checkpoint_info.h"
#include "checkpoint/discovery.h"
#include "core/environment_vars.h"
#include "project/config_file.h"
#include "project/training_project.h"
#include "safety/command_check.h"

namespace trainctl::command {

// One way to run a project's training that the request could mean.
struct Candidate {
  std::string project_root;         // absolute
  std::string project;              // the project's folder relative to the scanned one
  std::string entry;                // the entry point, relative to the project root
  std::optional<std::string> config;  // relative to the project root
  std::vector<std::string> args;    // the words that select it: {"--config", "configs/x.yaml"}, {"data=x"}
  std::string recipe;               // "README.md:12" when the words come from the project's docs
  bool is_default = false;          // what the entry point runs with no arguments
  double score = 0;
  std::vector<std::string> matched; // "tinystories: config name", for people

  std::string label() const;        // "models/custom_transformer: train.py --config configs/x.yaml"
};

struct CommandPlan {
  std::string kind;                 // "train", "resume", "eval"
  std::string project_root;         // absolute
  std::string project_name;
  std::string cwd;                  // absolute: where argv runs
  std::vector<std::string> argv;    // exactly what would run, paths relative to cwd
  std::string display;              // argv as one shell-quoted line
  std::optional<std::string> config;  // absolute
  std::vector<project::ConfigFact> facts;
  std::string entry;                // relative to the project root
  std::string launcher;             // "python", "torchrun", "accelerate", "deepspeed", "lightning"
  std::optional<project::ResumeConvention> resume;
  std::optional<checkpoint::CheckpointInfo> checkpoint;
  std::vector<checkpoint::SkippedCheckpoint> skipped;
  std::vector<Candidate> candidates;  // ranked, the chosen one first
  std::vector<std::string> notes;   // what a person should know before running it
  safety::CommandCheck safety;

  nlohmann::json to_json() const;
};

// When the request fits several candidates equally (or none), the ranked candidates and why.
struct Ambiguity {
  std::string message;
  std::vector<Candidate> candidates;
  bool nothing_matched = false;     // no candidate matched any word (as opposed to a tie)
};

// What planning gives: a plan, or an ambiguity to show and ask about, or an error.
struct PlanResult {
  std::optional<CommandPlan> plan;
  std::optional<Ambiguity> ambiguity;
  std::optional<core::Error> error;

  static PlanResult of(CommandPlan p) { return {std::move(p), std::nullopt, std::nullopt}; }
  static PlanResult of(Ambiguity a) { return {std::nullopt, std::move(a), std::nullopt}; }
  static PlanResult of(core::Error e) { return {std::nullopt, std::nullopt, std::move(e)}; }
};

nlohmann::json to_json(const Candidate& candidate);
nlohmann::json to_json(const Ambiguity& ambiguity);

// Fills display and safety from argv, cwd and the project's trainctl.toml.
void finish_plan(CommandPlan& plan, const core::EnvironmentVars& env);

}  // namespace trainctl::command
