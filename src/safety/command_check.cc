#include "safety/command_check.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "safety/command_evaluator.h"
#include "safety/danger_words.h"
#include "safety/policy_rules.h"
#include "safety/argv_quoting.h"

namespace trainctl::safety {
namespace {

bool matches_prefix(const EvaluatedCommand& c, const std::vector<std::string>& prefix) {
  if (prefix.empty() || c.argv.size() < prefix.size()) return false;
  if (c.program() != prefix[0] && !(c.argv[0].known() && c.argv[0].text() == prefix[0])) return false;
  for (std::size_t i = 1; i < prefix.size(); ++i) {
    if (!c.argv[i].known() || c.argv[i].text() != prefix[i]) return false;
  }
  return true;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

void apply_project_policy(const ProjectPolicy& policy, const EvaluatedCommand& c, int index, std::vector<Reason>& reasons) {
  for (auto& r : reasons) {
    if (auto it = policy.raised.find(r.rule); it != policy.raised.end() && it->second > r.verdict) {
      r.verdict = it->second;
      r.message += fmt::format(" ({} raises this rule to {})", kProjectSettingsFile, verdict_name(it->second));
    }
  }
  for (const auto& prefix : policy.deny) {
    if (matches_prefix(c, prefix)) {
      reasons.push_back({"project-deny", Verdict::kDeny,
                         fmt::format("{} denies '{}' in this project", kProjectSettingsFile, joined(prefix)), c.span, index});
    }
  }
  for (const auto& prefix : policy.confirm) {
    if (matches_prefix(c, prefix)) {
      reasons.push_back({"project-confirm", Verdict::kConfirm,
                         fmt::format("{} asks for a confirmation of '{}'", kProjectSettingsFile, joined(prefix)), c.span,
                         index});
    }
  }
}

Span whole(std::string_view line) { return {0, static_cast<std::uint32_t>(line.size())}; }

}  // namespace

CommandCheck check_command(std::string_view line, const CheckOptions& options) {
  CommandCheck check;
  check.line = std::string(line);
  ProjectPaths paths(options.project_root);
  std::string cwd = options.cwd.empty() ? paths.root() : ProjectPaths(options.cwd).root();

  ShellParse parsed = parse_shell(line);
  if (auto* error = std::get_if<ShellSyntaxError>(&parsed)) {
    check.syntax_error = *error;
    std::string word = first_danger_word(line);
    Reason r;
    r.span = {error->offset, static_cast<std::uint32_t>(line.size())};
    if (!word.empty()) {
      r.rule = "unparsable-with-danger";
      r.verdict = Verdict::kDeny;
      r.message = fmt::format("the line does not parse ({}) and mentions '{}'; what it would run cannot be known",
                              error->describe(), word);
    } else {
      r.rule = "unparsable";
      r.verdict = Verdict::kConfirm;
      r.message = fmt::format("the line does not parse: {}", error->describe());
    }
    check.reasons.push_back(r);
    check.verdict = r.verdict;
    return check;
  }

  EvaluationContext context{paths.root(), cwd, options.home};
  Evaluation evaluation = evaluate_script(std::get<Script>(parsed), line, context);
  CommandPolicy policy(PolicyContext{&paths, options.home});

  for (const auto& note : evaluation.notes) {
    const PolicyRule* rule = find_policy_rule(note.rule);
    check.reasons.push_back({note.rule, rule ? rule->verdict : Verdict::kDeny, note.message, note.span, -1});
  }
  for (std::size_t i = 0; i < evaluation.commands.size(); ++i) {
    const EvaluatedCommand& c = evaluation.commands[i];
    int index = static_cast<int>(i);
    std::vector<Reason> reasons = policy.judge(c, index);
    if (options.project) apply_project_policy(*options.project, c, index, reasons);
    CheckedCommand checked;
    for (const auto& a : c.argv) {
      checked.argv.push_back(a.known() && a.values.size() == 1 ? a.text() : a.display);
      checked.known.push_back(a.known() && a.values.size() == 1);
    }
    for (const auto& [name, value] : c.assignments) checked.assignments.push_back(name + "=" + value.display);
    checked.span = c.span;
    checked.via = c.via;
    checked.cwd = c.cwd_unknown ? "" : c.cwd;
    for (const auto& r : reasons) checked.verdict = stricter(checked.verdict, r.verdict);
    check.commands.push_back(std::move(checked));
    for (auto& r : reasons) check.reasons.push_back(std::move(r));
  }
  for (auto& r : policy.finish()) check.reasons.push_back(std::move(r));
  // One reason per (rule, message, span): the same finding reached twice says nothing new.
  std::stable_sort(check.reasons.begin(), check.reasons.end(), [](const Reason& a, const Reason& b) {
    return std::tie(b.verdict, a.span.begin, a.span.end) < std::tie(a.verdict, b.span.begin, b.span.end);
  });
  std::vector<Reason> unique;
  for (auto& r : check.reasons) {
    bool seen = std::any_of(unique.begin(), unique.end(), [&](const Reason& u) {
      return u.rule == r.rule && u.message == r.message && u.span.begin == r.span.begin && u.span.end == r.span.end;
    });
    if (!seen) unique.push_back(std::move(r));
  }
  check.reasons = std::move(unique);
  for (const auto& r : check.reasons) check.verdict = stricter(check.verdict, r.verdict);
  (void)whole;
  return check;
}

CommandCheck check_argv(const std::vector<std::string>& argv, const CheckOptions& options) {
  return check_command(shell_join(argv), options);
}

nlohmann::json CommandCheck::to_json() const {
  nlohmann::json reasons_json = nlohmann::json::array();
  for (const auto& r : reasons) {
    reasons_json.push_back({{"rule", r.rule},
                            {"verdict", verdict_name(r.verdict)},
                            {"message", r.message},
                            {"span", {r.span.begin, r.span.end}},
                            {"text", r.span.end <= line.size() && r.span.begin <= r.span.end
                                         ? line.substr(r.span.begin, r.span.end - r.span.begin)
                                         : std::string()},
                            {"command", r.command >= 0 ? nlohmann::json(r.command) : nlohmann::json(nullptr)}});
  }
  nlohmann::json commands_json = nlohmann::json::array();
  for (const auto& c : commands) {
    nlohmann::json unknown = nlohmann::json::array();
    for (std::size_t i = 0; i < c.known.size(); ++i) {
      if (!c.known[i]) unknown.push_back(i);
    }
    commands_json.push_back({{"argv", c.argv},
                             {"assignments", c.assignments},
                             {"unknown_words", unknown},
                             {"span", {c.span.begin, c.span.end}},
                             {"via", c.via.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.via)},
                             {"cwd", c.cwd.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.cwd)},
                             {"verdict", verdict_name(c.verdict)}});
  }
  nlohmann::json doc = {{"command", line},
                        {"verdict", verdict_name(verdict)},
                        {"reasons", reasons_json},
                        {"commands", commands_json}};
  if (syntax_error) {
    doc["syntax_error"] = {{"message", syntax_error->message},
                           {"offset", syntax_error->offset},
                           {"line", syntax_error->line},
                           {"column", syntax_error->column}};
  } else {
    doc["syntax_error"] = nullptr;
  }
  return doc;
}

}  // namespace trainctl::safety
