// `trainctl check-command "LINE"`: the command-safety guard's verdict on a shell line — allow,
// confirm or deny — with each reason under its rule, pointing at the words it is about, and the
// simple commands the line would run. Runs nothing.
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "core/text_table.h"
#include "safety/argv_quoting.h"
#include "safety/command_check.h"
#include "safety/guarded_process.h"
#include "safety/policy_rules.h"

namespace trainctl::cli {
namespace {

constexpr const char* kFooter =
    "Give the line as one argument (quoted), or its words after `--` (they are quoted for you).\n"
    "Exit status: 0 allow (read-only, may run at once), 1 confirm (runs only after an explicit yes),\n"
    "3 deny (never runs), 2 on a usage error. A project tightens the rules in its trainctl.toml\n"
    "([safety] deny / confirm / rules); `--rules` lists them. See docs/safety.md.";

std::string verdict_label(safety::Verdict v, const core::TerminalStyle& style) {
  std::string name(safety::verdict_name(v));
  switch (v) {
    case safety::Verdict::kAllow: return style.green(name);
    case safety::Verdict::kConfirm: return style.yellow(name);
    case safety::Verdict::kDeny: return style.red(name);
  }
  return name;
}

// The source line holding `span`, and a caret line under the span's part of it.
std::string underline(const std::string& text, safety::Span span) {
  if (span.begin > text.size() || span.end < span.begin) return "";
  std::size_t start = text.rfind('\n', span.begin == 0 ? 0 : span.begin - 1);
  start = (start == std::string::npos || span.begin == 0) ? 0 : start + 1;
  if (span.begin > 0 && text[span.begin - 1] == '\n') start = span.begin;
  std::size_t end = text.find('\n', span.begin);
  if (end == std::string::npos) end = text.size();
  std::size_t to = std::min<std::size_t>(span.end, end);
  std::string line = text.substr(start, end - start);
  if (line.size() > 160) return "";  // a caret under a very long line helps nobody
  std::string marks(span.begin - start, ' ');
  marks += std::string(std::max<std::size_t>(1, to - span.begin), '^');
  return fmt::format("      {}\n      {}\n", line, marks);
}

std::string render(const safety::CommandCheck& check, const core::TerminalStyle& style) {
  std::string out = fmt::format("{}: {}\n", verdict_label(check.verdict, style), check.line);
  for (const auto& r : check.reasons) {
    out += fmt::format("  {} {}: {}\n", verdict_label(r.verdict, style), style.bold(r.rule), r.message);
    out += underline(check.line, r.span);
  }
  if (!check.commands.empty()) {
    core::TextTable table({{"#", core::Align::kRight}, {"Command"}, {"Via"}, {"Verdict"}});
    for (std::size_t i = 0; i < check.commands.size(); ++i) {
      const auto& c = check.commands[i];
      std::string words;
      for (const auto& a : c.assignments) words += (words.empty() ? "" : " ") + a;
      for (std::size_t k = 0; k < c.argv.size(); ++k) {
        if (!words.empty()) words += " ";
        words += c.known[k] ? safety::shell_quote(c.argv[k]) : c.argv[k] + "(?)";
      }
      if (words.empty()) words = "(redirections only)";
      if (words.size() > 90) words = words.substr(0, 87) + "...";
      table.add_row({std::to_string(i + 1), words, c.via.empty() ? "-" : c.via, std::string(safety::verdict_name(c.verdict))});
    }
    out += "Commands it would run:\n" + table.render("  ");
  }
  return out;
}

std::string render_rules() {
  core::TextTable table({{"Rule"}, {"Verdict"}, {"Why"}});
  for (const auto& rule : safety::policy_rules()) {
    table.add_row({std::string(rule.id), std::string(safety::verdict_name(rule.verdict)), std::string(rule.rationale)});
  }
  return table.render();
}

nlohmann::json rules_json() {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& rule : safety::policy_rules()) {
    rules.push_back({{"id", rule.id}, {"verdict", safety::verdict_name(rule.verdict)}, {"rationale", rule.rationale},
                     {"example", rule.example}});
  }
  return {{"rules", rules}};
}

}  // namespace

Command add_check_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("check-command", "Judge a shell command: allow, confirm or deny, and why");
  auto words = std::make_shared<std::vector<std::string>>();
  auto project = std::make_shared<std::string>(".");
  auto cwd = std::make_shared<std::string>();
  auto rules = std::make_shared<bool>(false);
  sub->add_option("command", *words, "The command line (one quoted argument), or its words after --");
  sub->add_option("--project", *project, "The project the command belongs to")->capture_default_str();
  sub->add_option("--cwd", *cwd, "Where the command would run (default: the project)");
  sub->add_flag("--rules", *rules, "List the policy's rules instead");
  sub->footer(kFooter);
  return {sub, [&ctx, words, project, cwd, rules] {
            if (*rules) {
              if (ctx.json) ctx.print_json(rules_json());
              else *ctx.out << render_rules();
              return;
            }
            if (words->empty()) {
              ctx.fail(core::Error::usage("check-command needs the command to judge, e.g. trainctl check-command \"rm -rf "
                                          "checkpoints/old\""));
              return;
            }
            std::string line = words->size() == 1 ? words->front() : safety::shell_join(*words);
            safety::CommandGuard guard = safety::CommandGuard::for_project(*project, ctx.env);
            if (guard.policy_error) {
              ctx.fail(*guard.policy_error);
              return;
            }
            safety::CheckOptions options = guard.options_for(cwd->empty() ? std::nullopt : std::optional<std::string>(*cwd));
            safety::CommandCheck check = safety::check_command(line, options);
            if (ctx.json) ctx.print_json(check.to_json());
            else *ctx.out << render(check, ctx.out_style);
            ctx.exit_status = check.verdict == safety::Verdict::kAllow     ? core::kExitSuccess
                              : check.verdict == safety::Verdict::kConfirm ? core::kExitFailure
                                                                           : core::kExitRefused;
          }};
}

}  // namespace trainctl::cli
