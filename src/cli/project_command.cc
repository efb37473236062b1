// `trainctl project [DIR]`: the training projects under DIR, read statically — entry points with
// their CLI, launcher and resume convention, configs with their key facts, the commands the
// project documents, and its checkpoint folders. All reading lives in src/project.
#include <fmt/format.h>

#include "cli/commands.h"
#include "command/plan_support.h"
#include "project/project_scan.h"
#include "safety/argv_quoting.h"

namespace trainctl::cli {
namespace {

std::string number(const nlohmann::json& value) {
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number()) return fmt::format("{:.4g}", value.get<double>());
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string short_facts(const project::ConfigFile& file) {
  std::string out;
  for (const auto& f : file.facts) {
    if (f.value.is_null()) continue;
    std::size_t dot = f.key.rfind('.');
    out += (out.empty() ? "" : ", ") + fmt::format("{} {}", dot == std::string::npos ? f.key : f.key.substr(dot + 1), number(f.value));
  }
  if (out.size() > 140) out = out.substr(0, 137) + "...";
  return out;
}

std::string render_entry(const project::EntryPoint& e) {
  std::string out = fmt::format("  {:<6} {}{}  ({}, launcher {})\n", e.role == project::EntryRole::kTrain ? "train" : "eval",
                                e.module.empty() ? e.path : "python -m " + e.module,
                                e.console_script.empty() ? "" : " [script " + e.console_script + "]",
                                project::cli_framework_name(e.cli.framework), project::launcher_name(e.launcher));
  if (!e.description.empty()) out += fmt::format("           {}\n", e.description);
  if (e.cli.framework == project::CliFramework::kHydra) {
    out += fmt::format("           hydra: config_path {} config_name {}\n", e.hydra_config_dir.empty() ? "." : e.hydra_config_dir,
                       e.cli.hydra_config_name);
  } else if (!e.config_flag.empty()) {
    out += fmt::format("           config: {}{}\n", e.config_flag,
                       e.default_config.empty() ? "" : " (default " + e.default_config + ")");
  }
  if (e.resume) {
    out += fmt::format("           resume: {} takes {}{}\n", e.resume->flag, project::resume_takes_name(e.resume->takes),
                       e.resume->keyword.empty() ? "" : " (" + e.resume->keyword + ")");
  } else if (e.role == project::EntryRole::kTrain) {
    out += "           resume: none found\n";
  }
  if (!e.checkpoint_flag.empty() && e.role == project::EntryRole::kEval) {
    out += fmt::format("           checkpoint: {}\n", e.checkpoint_flag);
  }
  std::size_t shown = 0;
  std::string flags;
  for (const auto& o : e.cli.options) {
    if (o.source == "TrainingArguments" || ++shown > 12) continue;
    flags += (flags.empty() ? "" : " ") + (o.positional ? o.dest : o.flag());
  }
  if (!flags.empty()) out += fmt::format("           flags: {}{}\n", flags, shown > 12 ? " ..." : "");
  return out;
}

std::string render(const project::ProjectScan& scan, const core::TerminalStyle& style) {
  std::string out;
  for (const auto& p : scan.projects) {
    out += fmt::format("{}  {}\n", style.bold(p.name), p.root);
    for (const auto& e : p.entry_points) out += render_entry(e);
    for (std::size_t i = 0; i < p.configs.size(); ++i) {
      const auto& c = p.configs[i];
      std::string role = c.role == project::ConfigRole::kHydraGroup ? " [" + c.hydra_group + "=" + c.hydra_option + "]"
                         : c.role == project::ConfigRole::kLauncher ? " [launcher]"
                                                                     : "";
      std::string facts = c.file.error ? "error: " + *c.file.error : short_facts(c.file);
      out += fmt::format("  {:<6} {}{}  {}\n", i == 0 ? "config" : "", c.path, role, facts);
    }
    for (std::size_t i = 0; i < p.recipes.size(); ++i) {
      // Variables stay as the project wrote them ($@, $CONFIG); everything else is quoted for the shell.
      std::string words;
      for (const auto& w : p.recipes[i].words) {
        words += (words.empty() ? "" : " ") + (w.find('$') != std::string::npos ? w : safety::shell_quote(w));
      }
      out += fmt::format("  {:<6} {}  {}\n", i == 0 ? "docs" : "", p.recipes[i].source, words);
    }
    for (std::size_t i = 0; i < p.checkpoint_dirs.size(); ++i) {
      out += fmt::format("  {:<6} {}\n", i == 0 ? "ckpts" : "", command::relative_to(p.checkpoint_dirs[i], p.root) + "/");
    }
    for (const auto& n : p.notes) out += fmt::format("  note   {}\n", n);
    out += "\n";
  }
  std::string skipped;
  for (const auto& s : scan.skipped) {
    if (s.kind == project::SkipKind::kHidden) continue;
    skipped += (skipped.empty() ? "" : ", ") + fmt::format("{} ({})", s.path, project::skip_kind_name(s.kind));
  }
  if (!skipped.empty()) out += "skipped: " + skipped + "\n";
  out += fmt::format("{} project(s); {} files listed, {} read{}\n", scan.projects.size(), scan.files_listed,
                     scan.files_read, scan.truncated ? "; stopped at " + scan.truncated_by : "");
  return out;
}

}  // namespace

Command add_project_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("project", "The training projects in a folder: entry points, CLI, configs, resume, launcher");
  auto dir = std::make_shared<std::string>(".");
  sub->add_option("dir", *dir, "The folder to read")->capture_default_str();
  sub->footer(
      "Reads the tree statically (no project code runs, no git process): skips .git, virtualenvs, node_modules,\n"
      "data and checkpoint folders and what .gitignore files ignore.\n"
      "Exit status: 0 at least one training project found; 4 none, or DIR is not a folder.");
  return {sub, [&ctx, dir] {
            auto scan = project::scan_projects(*dir);
            if (!scan) return ctx.fail(scan.error());
            if (ctx.json) {
              ctx.print_json(project::to_json(*scan));
            } else {
              *ctx.out << render(*scan, ctx.out_style);
            }
            if (scan->projects.empty()) {
              ctx.exit_status = core::kExitNotFound;
              if (!ctx.json) {
                *ctx.err << ctx.err_style.red("error:") << " no training project under " << scan->root
                         << ": no train*.py, main.py/run_*.py that trains, python -m module, [project.scripts] entry or"
                            " documented launch command\n";
              }
            }
          }};
}

}  // namespace trainctl::cli
