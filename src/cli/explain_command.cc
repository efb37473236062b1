// `trainctl explain [FILE|-] [--text TEXT] [--run ID] [--config FILE] [--apply [--yes]]`: names the error in a
// training log, its root cause first, with fixes shown against the run's own config. All reading
// and judging lives in src/errors; this file parses flags and renders.
#include <unistd.h>

#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "errors/explain.h"
#include "exec/runs.h"

namespace trainctl::cli {
namespace {

constexpr const char* kFooter =
    "Reads FILE (any size; '-' or a pipe: stdin), --text, or --run ID (a run trainctl recorded). The finding comes first: what, where, why, the fixes,\n"
    "the log lines that show it, then the change to the run's config as a diff (the config is the one the log\n"
    "names, or --config). Nothing is changed without --apply, which asks first (or takes --yes) and keeps FILE.bak.\n"
    "Exit status: 0 an error was explained or the log is clean (the output says which), 2 usage, 4 no such log\n"
    "file, 1 the log could not be read, 3 --apply refused (the config changed since it was read). See docs/explain.md.";

constexpr std::size_t kWidth = 100;

// Word-wraps `text` to kWidth columns, every line indented by `indent` spaces.
std::string wrap(std::string_view text, std::size_t indent) {
  std::string out, line;
  std::string pad(indent, ' ');
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t space = text.find(' ', i);
    std::string_view word = text.substr(i, space == std::string_view::npos ? std::string_view::npos : space - i);
    i = space == std::string_view::npos ? text.size() : space + 1;
    if (word.empty()) continue;
    if (!line.empty() && pad.size() + line.size() + 1 + word.size() > kWidth) {
      out += pad + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + std::string(word);
  }
  if (!line.empty()) out += pad + line + "\n";
  return out;
}

std::string rank_prefix(int rank) { return rank < 0 ? "" : fmt::format("[rank {}] ", rank); }

std::string shorten(const std::string& text, std::size_t limit) {
  return text.size() <= limit ? text : text.substr(0, limit - 3) + "...";
}

// Fixes shown in full for the first finding; --all shows every one.
constexpr std::size_t kFixesShown = 4;

std::string render_finding(const errors::Finding& f, const core::TerminalStyle& style, bool full, bool all) {
  std::string out = fmt::format("{} {}  {}\n", style.bold(style.red(f.id)), style.bold(f.title),
                                style.dim(fmt::format("(confidence {:.2f})", f.confidence)));
  if (!full) {
    if (!f.evidence.empty()) {
      out += fmt::format("  line {}: {}\n", f.evidence.front().line, shorten(f.evidence.front().text, 140));
    }
    return out;
  }
  if (f.where) {
    out += fmt::format("  where   {}{}:{}{}\n", rank_prefix(f.rank), f.where->file, f.where->file_line,
                       f.where->function.empty() ? "" : " in " + f.where->function);
    if (!f.where->code.empty()) out += fmt::format("          {}\n", f.where->code);
  } else if (f.rank >= 0) {
    out += fmt::format("  where   rank {}\n", f.rank);
  }
  if (!f.cause.empty()) {
    std::string why = wrap(f.cause, 10);
    out += "  why     " + why.substr(10);
  }
  for (std::size_t i = 0; i < f.notes.size(); ++i) {
    std::string note = wrap(f.notes[i], 10);
    out += (i == 0 ? "  facts   " : "          ") + note.substr(10);
  }
  if (!f.fixes.empty()) {
    out += "  fixes\n";
    for (std::size_t i = 0; i < f.fixes.size(); ++i) {
      const auto& fix = f.fixes[i];
      if (!all && i >= kFixesShown && !fix.patched) {
        out += fmt::format("    ... {} more (--all shows them)\n", f.fixes.size() - i);
        break;
      }
      out += fmt::format("    {}. {}{}\n", i + 1, style.bold(fix.title), fix.patched ? style.green("  [shown below]") : "");
      out += wrap(fix.detail, 7);
    }
  }
  out += fmt::format("  evidence ({} matching line{})\n", f.count, f.count == 1 ? "" : "s");
  for (const auto& e : f.evidence) {
    out += fmt::format("    {:>7}  {}{}\n", e.line, rank_prefix(e.rank), shorten(e.text, 200));
  }
  if (f.patch) {
    const auto& p = *f.patch;
    if (p.is_command) {
      out += "  the command with this change:\n";
    } else {
      out += fmt::format("  change to {} ({} writes it, keeping {}.bak):\n", p.display,
                         "`trainctl explain ... --apply`", p.display);
    }
    std::string diff = p.diff;
    std::size_t start = 0;
    while (start < diff.size()) {
      std::size_t nl = diff.find('\n', start);
      std::string line = diff.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      std::string colored = line;
      if (!line.empty() && (line[0] == '+' && line.rfind("+++", 0) != 0)) colored = style.green(line);
      else if (!line.empty() && (line[0] == '-' && line.rfind("---", 0) != 0)) colored = style.red(line);
      out += "    " + colored + "\n";
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    for (const auto& note : p.notes) out += wrap("note: " + note, 4);
  }
  return out;
}

std::string render(const errors::Explanation& x, const core::TerminalStyle& style, bool all) {
  std::string out;
  std::string where = fmt::format("{} ({} line{})", x.source, x.lines, x.lines == 1 ? "" : "s");
  if (x.findings.empty()) {
    out += fmt::format("{} in {}.\n", style.green("No error found"), where);
  } else {
    for (std::size_t i = 0; i < x.findings.size(); ++i) {
      if (i == 0) {
        out += render_finding(x.findings[i], style, true, all);
      } else if (all) {
        out += "\n" + render_finding(x.findings[i], style, true, all);
      } else {
        if (i == 1) out += "\nalso found (less likely the root cause; --all shows each in full):\n";
        if (i > 3) {
          out += fmt::format("  ... and {} more\n", x.findings.size() - i + x.more_findings);
          break;
        }
        out += "  " + render_finding(x.findings[i], style, false, all);
      }
    }
  }
  if (x.first_failing_rank >= 0 && !x.findings.empty()) {
    out += fmt::format("\nfirst failing rank: {}\n", x.first_failing_rank);
  }
  std::string ended = fmt::format("run ended: {}", x.ended.state);
  if (!x.ended.detail.empty()) ended += " (" + x.ended.detail + ")";
  if (x.ended.line) ended += fmt::format(", line {}", *x.ended.line);
  out += (x.findings.empty() ? "" : "\n") + ended + "\n";
  if (!x.ended.text.empty() && x.findings.empty()) out += "  " + shorten(x.ended.text, 200) + "\n";
  return out;
}

struct Options {
  std::string file;
  std::string text;
  std::string run;
  std::string config;
  std::string project = ".";
  bool apply = false;
  bool yes = false;
  bool all = false;
};

std::optional<std::string> env_dir(const core::EnvironmentVars& env, const char* xdg, const char* fallback,
                                   const char* leaf) {
  if (auto v = env.get(xdg); v && !v->empty()) return *v + "/trainctl" + leaf;
  if (auto home = env.get("HOME"); home && !home->empty()) return *home + fallback + "/trainctl" + leaf;
  return std::nullopt;
}

void run(CliContext& ctx, const Options& o) {
  std::string file = o.file;
  if (!o.run.empty()) {
    if (!file.empty() || !o.text.empty()) return ctx.fail(core::Error::usage("give --run ID, a log FILE or --text, not two"));
    auto log = exec::run_log_path(o.project, o.run);
    if (!log) return ctx.fail(log.error());
    file = *log;
  }
  bool has_text = !o.text.empty();
  if (has_text && !file.empty()) {
    ctx.fail(core::Error::usage("give a log FILE or --text, not both"));
    return;
  }
  errors::ExplainRequest request;
  if (has_text) {
    request.input = errors::ExplainRequest::Input::kText;
    request.text = o.text;
  } else if (file == "-" || (file.empty() && !::isatty(STDIN_FILENO))) {
    request.input = errors::ExplainRequest::Input::kDescriptor;
    request.fd = STDIN_FILENO;
  } else if (file.empty()) {
    ctx.fail(core::Error::usage("explain needs a log: trainctl explain train.log (or '-' / a pipe for stdin, or --text)"));
    return;
  } else {
    request.path = file;
  }
  if (!o.config.empty()) request.config_path = o.config;
  request.project_dir = o.project;
  request.kb_sources.user_dir = env_dir(ctx.env, "XDG_CONFIG_HOME", "/.config", "/errors");
  request.kb_sources.project_file = o.project + "/trainctl.toml";
  request.cache_dir = env_dir(ctx.env, "XDG_CACHE_HOME", "/.cache", "");
  request.home = ctx.env.get("HOME");
  auto result = errors::explain(request);
  if (!result) {
    ctx.fail(result.error());
    return;
  }
  const errors::Explanation& x = *result;

  nlohmann::json applied = nullptr;
  std::string apply_text;
  if (o.apply) {
    const errors::ConfigPatch* patch = nullptr;
    for (const auto& f : x.findings) {
      if (f.patch && !f.patch->is_command) {
        patch = &*f.patch;
        break;
      }
    }
    if (!patch) {
      ctx.fail(core::Error::usage("--apply: no config change to apply (the findings above have no patch for a config "
                                  "file; give the config with --config if the log does not name it)"));
      if (!ctx.json) *ctx.out << render(x, ctx.out_style, o.all);
      return;
    }
    bool agreed = o.yes;
    if (!agreed) {
      bool can_ask = request.input != errors::ExplainRequest::Input::kDescriptor && ::isatty(STDIN_FILENO) && !ctx.json;
      if (!can_ask) {
        ctx.fail(core::Error::usage("--apply needs --yes when there is no terminal to ask on"));
        return;
      }
      *ctx.out << render(x, ctx.out_style, o.all);
      *ctx.out << fmt::format("\nApply this change to {}? Type yes to write it (a copy goes to {}.bak): ", patch->display,
                              patch->display)
               << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "yes" && answer != "y") {
        *ctx.out << "Nothing changed.\n";
        return;
      }
    }
    auto written = errors::apply_config_patch(*patch);
    if (!written) {
      ctx.fail(written.error());
      return;
    }
    applied = {{"file", written->file}, {"backup", written->backup}};
    apply_text = fmt::format("Wrote {} (the previous version is in {}).\n", written->file, written->backup);
    if (!o.yes && !ctx.json) {
      *ctx.out << apply_text;
      return;
    }
  }
  if (ctx.json) {
    nlohmann::json doc = x.to_json();
    if (o.apply) doc["applied"] = applied;
    ctx.print_json(doc);
  } else {
    *ctx.out << render(x, ctx.out_style, o.all) << apply_text;
  }
  ctx.exit_status = core::kExitSuccess;
}

}  // namespace

Command add_explain_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("explain", "Explain the error in a training log: root cause, fixes, the config change");
  auto o = std::make_shared<Options>();
  sub->add_option("file", o->file, "The log file ('-' for stdin)");
  sub->add_option("--text", o->text, "The log text itself, instead of a file");
  sub->add_option("--run", o->run, "A recorded run's log, by run id (trainctl runs list)");
  sub->add_option("--config", o->config, "The config the run used, when the log does not name it");
  sub->add_option("--project", o->project, "The project folder (its trainctl.toml may add [[explain.error]] entries)")
      ->capture_default_str();
  sub->add_flag("--apply", o->apply, "Write the proposed config change (asks first; keeps FILE.bak)");
  sub->add_flag("--yes", o->yes, "With --apply: do not ask");
  sub->add_flag("--all", o->all, "Show every finding and every fix in full, not only the first");
  sub->footer(kFooter);
  return {sub, [&ctx, o] { run(ctx, *o); }};
}

}  // namespace trainctl::cli
