#include "cli/plan_view.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/run_view.h"
#include "command/plan_support.h"
#include "exec/resume_args.h"
#include "exec/training_interpreter.h"
#include "project/project_scan.h"

namespace trainctl::cli {
namespace {

std::string number(const nlohmann::json& value) {
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number()) return fmt::format("{:.4g}", value.get<double>());
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string leaf(const std::string& key) {
  std::size_t dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

// The facts of a config, one line per kind; model sizes by their short names, the rest by their
// keys in the config. Empty (null) values are left out.
std::string render_facts(const std::vector<project::ConfigFact>& facts) {
  std::string out;
  const std::pair<project::FactKind, const char*> kinds[] = {
      {project::FactKind::kDataset, "dataset"},      {project::FactKind::kModel, "model"},
      {project::FactKind::kBatchSize, "batch"},      {project::FactKind::kLearningRate, "lr"},
      {project::FactKind::kSteps, "steps"},          {project::FactKind::kOutputDir, "output"}};
  for (const auto& [kind, label] : kinds) {
    std::string line;
    for (const auto& f : facts) {
      if (f.kind != kind || f.value.is_null()) continue;
      std::string key = kind == project::FactKind::kModel ? leaf(f.key) : f.key;
      line += (line.empty() ? "" : ", ") + fmt::format("{} {}", key, number(f.value));
    }
    if (!line.empty()) out += fmt::format("              {:<8} {}\n", label, line);
  }
  return out;
}

std::string takes_text(const project::ResumeConvention& r) {
  switch (r.takes) {
    case project::ResumeTakes::kPath: return "a path";
    case project::ResumeTakes::kOptionalPath: return "an optional path (given, so the choice is explicit)";
    case project::ResumeTakes::kBoolean: return "no path: the script finds its own latest checkpoint";
    case project::ResumeTakes::kKeyword: return fmt::format("the keyword '{}'", r.keyword);
  }
  return "a path";
}

std::string relative(const std::string& path, const std::string& base) { return command::relative_to(path, base); }

std::string render_plan(const command::CommandPlan& plan, const core::TerminalStyle& style) {
  std::string out;
  auto line = [&out](const char* label, const std::string& text) { out += fmt::format("{:<12}{}\n", label, text); };
  line("project", fmt::format("{}  {}", style.bold(plan.project_name), plan.project_root));
  const project::ResumeConvention* resume = plan.resume ? &*plan.resume : nullptr;
  line("entry", fmt::format("{}  (launcher {})", plan.entry, plan.launcher));
  if (plan.config) {
    line("config", relative(*plan.config, plan.project_root));
    out += render_facts(plan.facts);
  } else {
    line("config", plan.kind == "eval" ? "none (the evaluation script takes no config)" : "none (the entry point's defaults)");
  }
  if (plan.checkpoint) {
    const auto& c = *plan.checkpoint;
    line("checkpoint", relative(c.path, plan.project_root));
    std::string facts = fmt::format("step {}   epoch {}", c.step ? std::to_string(*c.step) : "-",
                                    c.epoch ? std::to_string(*c.epoch) : "-");
    for (auto it = c.metrics.begin(); it != c.metrics.end(); ++it) facts += fmt::format("   {} {}", it.key(), number(it.value()));
    out += fmt::format("              {}\n", facts);
  }
  for (const auto& s : plan.skipped) line("skipped", fmt::format("{}: {}", relative(s.path, plan.project_root), s.reason));
  if (resume && plan.kind == "resume") {
    line("resume", fmt::format("{} takes {}", resume->flag, takes_text(*resume)));
  }
  line("cwd", plan.cwd);
  line("command", style.bold(plan.display));
  std::string verdict(safety::verdict_name(plan.safety.verdict));
  std::string why;
  for (const auto& r : plan.safety.reasons) {
    if (r.verdict == plan.safety.verdict) {
      why = r.message;
      break;
    }
  }
  line("safety", why.empty() ? verdict : fmt::format("{}: {}", verdict, why));
  for (const auto& n : plan.notes) line("note", n);
  if (plan.candidates.size() > 1) {
    line("also", fmt::format("{} other candidate(s):", plan.candidates.size() - 1));
    for (std::size_t i = 1; i < plan.candidates.size() && i <= 5; ++i) {
      out += fmt::format("              {}\n", plan.candidates[i].label());
    }
  }
  return out;
}

std::string render_candidates(const std::vector<command::Candidate>& candidates) {
  std::string out;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& c = candidates[i];
    std::string why;
    for (const auto& m : c.matched) why += (why.empty() ? "" : ", ") + m;
    out += fmt::format("  {}. {}{}\n", i + 1, c.label(), why.empty() ? "" : "   (" + why + ")");
  }
  return out;
}

std::string current_directory() {
  std::error_code ec;
  return std::filesystem::current_path(ec).string();
}

// The arguments after `--` on the command line: CLI11 hands them to the positionals, so they
// are taken back off the end of the words.
std::vector<std::string> arguments_after_separator(const CliContext& ctx, const std::string& command_name) {
  bool seen_command = false;
  for (std::size_t i = 0; i < ctx.raw_args.size(); ++i) {
    if (!seen_command) {
      seen_command = ctx.raw_args[i] == command_name;
      continue;
    }
    if (ctx.raw_args[i] == "--") return {ctx.raw_args.begin() + static_cast<std::ptrdiff_t>(i + 1), ctx.raw_args.end()};
  }
  return {};
}

bool interactive(const CliContext& ctx) { return !ctx.json && ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO); }

}  // namespace

void add_plan_flags(CLI::App& sub, PlanFlags& flags, const std::string& positional, const std::string& positional_help) {
  sub.add_option(positional, flags.words, positional_help);
  sub.add_option("--config", flags.config, "The config file to run with");
  sub.add_option("--project", flags.project, "The folder to read projects from")->capture_default_str();
  sub.add_option("--gpus", flags.gpus, "GPUs per node: launches through the project's launcher (torchrun, accelerate, ...)");
  sub.add_option("--nodes", flags.nodes, "Nodes (needs MASTER_ADDR, the first node's address)")->capture_default_str();
  sub.add_flag("--dry-run", flags.dry_run, "Print the command, its folder and the config's key facts; run nothing");
  sub.add_flag("--yes,-y", flags.yes, "Run it without asking (needed when there is no terminal)");
  sub.add_flag("--detach", flags.detach, "Start it in its own session and print its run id at once");
  // CLI11 keeps the words after `--` in this subcommand only while one of its positionals still
  // expects a value; this hidden one always does, so `--` and what follows reach run_plan_command.
  sub.add_option("separator_slot", flags.separator_slot)->expected(1)->group("");
  sub.allow_extras();
}

void run_plan_command(CliContext& ctx, const std::string& command_name, const PlanFlags& flags,
                      const std::vector<std::string>& unparsed, const Planner& planner) {
  command::PlanRequest request;
  request.extra = arguments_after_separator(ctx, command_name);
  request.words = flags.words;
  // CLI11 hands what follows `--` to the positionals or to its leftovers; take it back from both.
  std::vector<std::string> leftover = unparsed;
  std::size_t from_words = 0;
  while (from_words < request.extra.size() && !leftover.empty() &&
         leftover.back() == request.extra[request.extra.size() - 1 - from_words]) {
    leftover.pop_back();
    ++from_words;
  }
  std::size_t rest = request.extra.size() - from_words;
  if (rest <= request.words.size()) request.words.resize(request.words.size() - rest);
  leftover.erase(std::remove(leftover.begin(), leftover.end(), "--"), leftover.end());
  if (!leftover.empty()) {
    std::string list;
    for (const auto& a : leftover) list += (list.empty() ? "" : " ") + a;
    return ctx.fail(core::Error::usage(fmt::format(
        "unexpected arguments: {}; arguments for the training script go after --, e.g. trainctl {} -- {}", list,
        command_name, list)));
  }
  request.config = flags.config;
  request.gpus = flags.gpus;
  request.nodes = flags.nodes;
  request.working_dir = current_directory();
  request.env = ctx.env;

  auto scan = project::scan_projects(flags.project);
  if (!scan) return ctx.fail(scan.error());
  command::PlanResult result = planner(*scan, request);
  while (result.ambiguity && interactive(ctx) && !result.ambiguity->candidates.empty()) {
    *ctx.out << result.ambiguity->message << "\n" << render_candidates(result.ambiguity->candidates)
             << fmt::format("Which one? [1-{}, Enter to cancel] ", result.ambiguity->candidates.size()) << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer) || answer.empty()) break;
    std::size_t choice = 0;
    try {
      choice = std::stoul(answer);
    } catch (const std::exception&) {
      continue;
    }
    if (choice < 1 || choice > result.ambiguity->candidates.size()) continue;
    request.pick = choice - 1;
    result = planner(*scan, request);
  }
  if (result.error) return ctx.fail(*result.error);
  if (result.ambiguity) {
    ctx.exit_status = core::kExitNotFound;
    if (ctx.json) return ctx.print_json(command::to_json(*result.ambiguity));
    *ctx.err << ctx.err_style.red("error:") << " " << result.ambiguity->message << "\n"
             << render_candidates(result.ambiguity->candidates);
    if (!result.ambiguity->candidates.empty()) {
      *ctx.err << "Name one: a word of its project, config or dataset, or --config FILE.\n";
    }
    return;
  }
  const command::CommandPlan& plan = *result.plan;
  if (flags.dry_run) {
    if (ctx.json) {
      nlohmann::json document = plan.to_json();
      document["dry_run"] = true;
      ctx.print_json(document);
    } else {
      *ctx.out << render_plan(plan, ctx.out_style) << "dry run: nothing was started\n";
    }
    return;
  }
  if (!ctx.json) *ctx.out << render_plan(plan, ctx.out_style) << std::flush;
  RunSpec spec;
  spec.argv = plan.argv;
  spec.cwd = plan.cwd;
  spec.project_dir = plan.project_root;
  spec.kind = command_name;
  spec.training = command_name != "eval";
  if (command_name == "resume") {
    if (auto reused = exec::reuse_recorded_arguments(plan.project_root, plan, request.extra)) {
      spec.argv = reused->argv;
      spec.cwd = reused->cwd;
      spec.notes.push_back(fmt::format("the arguments of run {}, with the resume option for this checkpoint",
                                       reused->run_id));
    }
  }
  // The plan says `python`; the run uses the interpreter here that has torch.
  if (auto choice = exec::choose_training_interpreter(spec.argv, ctx.env, plan.project_root)) {
    spec.argv = choice->argv;
    spec.notes.push_back(choice->note);
  }
  start_run(ctx, RunFlags{flags.yes, flags.detach}, spec);
}

}  // namespace trainctl::cli
