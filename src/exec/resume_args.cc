#include "exec/resume_args.h"

#include <algorithm>

namespace trainctl::exec {
namespace {

bool takes_value(const project::ResumeConvention& r) { return r.takes != project::ResumeTakes::kBoolean; }

bool is_resume_word(const std::string& word, const std::string& flag) {
  return word == flag || word.rfind(flag + "=", 0) == 0;
}

// The plan's resume words: the flag and, when it takes one, its value.
std::vector<std::string> resume_words(const command::CommandPlan& plan) {
  const std::string& flag = plan.resume->flag;
  for (std::size_t i = 0; i < plan.argv.size(); ++i) {
    if (plan.argv[i].rfind(flag + "=", 0) == 0) return {plan.argv[i]};
    if (plan.argv[i] != flag) continue;
    if (takes_value(*plan.resume) && i + 1 < plan.argv.size() && plan.argv[i + 1].rfind("-", 0) != 0) {
      return {plan.argv[i], plan.argv[i + 1]};
    }
    return {plan.argv[i]};
  }
  return {};
}

const RunRecord* pick(const std::vector<RunRecord>& runs, const command::CommandPlan& plan) {
  if (plan.checkpoint) {
    for (const auto& r : runs) {
      if (!r.argv.empty() && std::find(r.checkpoints.begin(), r.checkpoints.end(), plan.checkpoint->path) != r.checkpoints.end()) {
        return &r;
      }
    }
  }
  if (!plan.config) return nullptr;
  for (const auto& r : runs) {
    if (r.argv.empty() || r.kind == "eval" || r.cwd != plan.cwd) continue;
    if (r.config_path && *r.config_path == *plan.config) return &r;
  }
  return nullptr;
}

}  // namespace

std::optional<ReusedArguments> reuse_recorded_arguments(const std::vector<RunRecord>& runs,
                                                        const command::CommandPlan& plan,
                                                        const std::vector<std::string>& extra) {
  if (!plan.resume) return std::nullopt;
  const RunRecord* run = pick(runs, plan);
  if (!run) return std::nullopt;
  std::vector<std::string> words = resume_words(plan);
  if (words.empty()) return std::nullopt;
  ReusedArguments out;
  out.run_id = run->id;
  out.cwd = run->cwd;
  const std::string& flag = plan.resume->flag;
  // Options given after `--` replace the run's own (`--max-steps 80` instead of its `--max-steps 60`).
  std::vector<std::string> replaced;
  for (const auto& e : extra) {
    if (e.rfind("--", 0) == 0 && e.size() > 2) replaced.push_back(e.substr(0, e.find('=')));
  }
  auto is_replaced = [&replaced](const std::string& w) {
    return std::find(replaced.begin(), replaced.end(), w.substr(0, w.find('='))) != replaced.end();
  };
  for (std::size_t i = 0; i < run->argv.size(); ++i) {
    const std::string& w = run->argv[i];
    bool resume_word = is_resume_word(w, flag);
    if (resume_word || (w.rfind("--", 0) == 0 && is_replaced(w))) {
      // Drop the option and its value (the word after it, unless that is an option itself).
      bool has_value = w.find('=') == std::string::npos && (!resume_word || takes_value(*plan.resume));
      if (has_value && i + 1 < run->argv.size() && run->argv[i + 1].rfind("-", 0) != 0) ++i;
      continue;
    }
    out.argv.push_back(w);
  }
  out.argv.insert(out.argv.end(), words.begin(), words.end());
  out.argv.insert(out.argv.end(), extra.begin(), extra.end());
  return out;
}

}  // namespace trainctl::exec

#include "exec/run_store.h"

namespace trainctl::exec {

std::optional<ReusedArguments> reuse_recorded_arguments(const std::string& project_dir, const command::CommandPlan& plan,
                                                        const std::vector<std::string>& extra) {
  auto store = RunStore::open_existing(project_dir);
  if (!store) return std::nullopt;
  auto runs = store->list();
  if (!runs) return std::nullopt;
  return reuse_recorded_arguments(*runs, plan, extra);
}

}  // namespace trainctl::exec
