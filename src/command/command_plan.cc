#include "command/command_plan.h"

#include <fmt/format.h>

#include "safety/argv_quoting.h"
#include "safety/guarded_process.h"

namespace trainctl::command {

std::string Candidate::label() const {
  std::string words;
  for (const auto& a : args) words += " " + safety::shell_quote(a);
  std::string where = project == "." || project.empty() ? "" : project + ": ";
  return fmt::format("{}{}{}{}", where, entry, words, recipe.empty() ? "" : " (" + recipe + ")");
}

nlohmann::json to_json(const Candidate& c) {
  return {{"project", {{"root", c.project_root}}},
          {"entry", c.entry},
          {"config", c.config ? nlohmann::json(c.project_root + "/" + *c.config) : nlohmann::json(nullptr)},
          {"args", c.args},
          {"recipe", c.recipe.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.recipe)},
          {"default", c.is_default},
          {"score", c.score},
          {"matched", c.matched},
          {"label", c.label()}};
}

nlohmann::json to_json(const Ambiguity& a) {
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& c : a.candidates) candidates.push_back(to_json(c));
  return {{"error", {{"kind", "not_found"}, {"message", a.message}}},
          {"ambiguous", !a.nothing_matched},
          {"candidates", std::move(candidates)}};
}

nlohmann::json CommandPlan::to_json() const {
  nlohmann::json facts_json = nlohmann::json::array();
  for (const auto& f : facts) {
    facts_json.push_back({{"kind", project::fact_kind_name(f.kind)}, {"key", f.key}, {"value", f.value}});
  }
  nlohmann::json candidates_json = nlohmann::json::array();
  for (const auto& c : candidates) candidates_json.push_back(command::to_json(c));
  nlohmann::json reasons = nlohmann::json::array();
  for (const auto& r : safety.reasons) {
    reasons.push_back({{"rule", r.rule}, {"verdict", safety::verdict_name(r.verdict)}, {"message", r.message}});
  }
  nlohmann::json out = {{"kind", kind},
                        {"project", {{"root", project_root}, {"name", project_name}}},
                        {"cwd", cwd},
                        {"argv", argv},
                        {"display", display},
                        {"config", config ? nlohmann::json(*config) : nlohmann::json(nullptr)},
                        {"facts", std::move(facts_json)},
                        {"entry", entry},
                        {"launcher", launcher},
                        {"candidates", std::move(candidates_json)},
                        {"notes", notes},
                        {"safety", {{"verdict", safety::verdict_name(safety.verdict)}, {"reasons", std::move(reasons)}}}};
  if (resume) {
    out["resume"] = {{"flag", resume->flag},
                     {"takes", project::resume_takes_name(resume->takes)},
                     {"value", resume->keyword.empty() ? nlohmann::json(nullptr) : nlohmann::json(resume->keyword)}};
  }
  if (kind == "resume" || kind == "eval") {
    nlohmann::json ckpt = nullptr;
    if (checkpoint) {
      ckpt = {{"path", checkpoint->path},
              {"step", checkpoint->step ? nlohmann::json(*checkpoint->step) : nlohmann::json(nullptr)},
              {"epoch", checkpoint->epoch ? nlohmann::json(*checkpoint->epoch) : nlohmann::json(nullptr)},
              {"metrics", checkpoint->metrics},
              {"format", checkpoint->format},
              {"framework", checkpoint->framework}};
    }
    out["checkpoint"] = std::move(ckpt);
    nlohmann::json skipped_json = nlohmann::json::array();
    for (const auto& s : skipped) skipped_json.push_back({{"path", s.path}, {"reason", s.reason}});
    out["skipped"] = std::move(skipped_json);
  }
  return out;
}

void finish_plan(CommandPlan& plan, const core::EnvironmentVars& env) {
  plan.display = safety::shell_join(plan.argv);
  safety::CommandGuard guard = safety::CommandGuard::for_project(plan.project_root, env);
  plan.safety = guard.check(plan.argv, plan.cwd);
  if (guard.policy_error) {
    plan.safety.verdict = safety::Verdict::kDeny;
    plan.safety.reasons.insert(plan.safety.reasons.begin(),
                               safety::Reason{"project-policy", safety::Verdict::kDeny, guard.policy_error->message, {}, -1});
  }
}

}  // namespace trainctl::command
