// plan_resume: the latest valid checkpoint (or the one named), the run that wrote it, and that
// run's command with the project's resume option added.
#include <filesystem>

#include <fmt/format.h>

#include "command/candidates.h"
#include "command/plan_support.h"
#include "command/plans.h"
#include "command/run_lookup.h"

namespace trainctl::command {
namespace {

namespace fs = std::filesystem;

// For a script that finds its own checkpoint (a switch or a keyword), the option that points it
// at the checkpoint's folder when the run's config sends output elsewhere.
std::vector<std::string> output_dir_words(const project::EntryPoint& entry, const RunLookup& lookup) {
  std::string folder = fs::path(lookup.checkpoint.path).parent_path().string();
  if (lookup.run_dir == folder) return {};
  for (const char* dest : {"out_dir", "output_dir", "checkpoint_dir", "ckpt_dir", "save_dir"}) {
    if (const project::CliOption* o = entry.cli.find(dest)) {
      return option_with_value(entry, o->flag(), relative_to(folder, lookup.project->root));
    }
  }
  return {};
}

}  // namespace

PlanResult plan_resume(const project::ProjectScan& scan, const PlanRequest& request) {
  RunLookupResult found = find_run(scan, request);
  if (auto* e = std::get_if<core::Error>(&found)) return PlanResult::of(*e);
  if (auto* a = std::get_if<Ambiguity>(&found)) return PlanResult::of(std::move(*a));
  RunLookup& lookup = std::get<RunLookup>(found);
  const project::TrainingProject& p = *lookup.project;
  if (!lookup.run) {
    return PlanResult::of(core::Error::not_found(
        fmt::format("{} has no training entry point to resume {} with", p.root, lookup.checkpoint.path)));
  }
  const project::EntryPoint* entry = entry_of(p, lookup.run->entry);
  if (!entry->resume) {
    return PlanResult::of(core::Error::failure(fmt::format(
        "{} has no resume option (looked for --resume, --resume_from_checkpoint, --ckpt_path, --init_from and"
        " similar); the latest valid checkpoint is {}{}",
        entry->path, lookup.checkpoint.path,
        lookup.checkpoint.step ? fmt::format(" (step {})", *lookup.checkpoint.step) : "")));
  }
  std::string checkpoint_arg = relative_to(lookup.checkpoint.path, p.root);
  std::vector<std::string> more = resume_words(*entry, *entry->resume, checkpoint_arg);
  std::vector<std::string> notes = lookup.notes;
  if (entry->resume->takes == project::ResumeTakes::kBoolean || entry->resume->takes == project::ResumeTakes::kKeyword) {
    std::vector<std::string> dir_words = output_dir_words(*entry, lookup);
    more.insert(more.end(), dir_words.begin(), dir_words.end());
    std::string words;
    for (const auto& w : resume_words(*entry, *entry->resume, checkpoint_arg)) words += (words.empty() ? "" : " ") + w;
    notes.push_back(fmt::format("{} finds the checkpoint itself ({} names no file): it loads the latest one in its"
                                " output folder",
                                entry->path, words));
    if (!lookup.skipped.empty()) {
      notes.push_back(fmt::format("warning: the newest file there, {}, cannot be loaded ({}); check that the script"
                                  " skips it before running",
                                  relative_to(lookup.skipped.front().path, p.root), lookup.skipped.front().reason));
    }
  }
  auto plan = assemble(scan, *lookup.run, request, "resume", train_subcommand(*entry), more);
  if (!plan) return PlanResult::of(plan.error());
  plan->checkpoint = std::move(lookup.checkpoint);
  plan->skipped = std::move(lookup.skipped);
  plan->candidates = std::move(lookup.considered);
  plan->notes.insert(plan->notes.begin(), notes.begin(), notes.end());
  finish_plan(*plan, request.env);
  return PlanResult::of(std::move(*plan));
}

}  // namespace trainctl::command
