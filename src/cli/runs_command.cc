// `trainctl runs list|show ID|logs ID [-f]|stop ID [--project DIR]`: the recorded runs of a
// project. Queries and actions live in src/exec/runs.h; this file parses flags and renders.
#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "cli/commands.h"
#include "core/human_units.h"
#include "core/text_table.h"
#include "exec/run_follow.h"
#include "exec/runs.h"
#include "safety/argv_quoting.h"

namespace trainctl::cli {
namespace {

struct Options {
  std::string project = ".";
  std::string id;
  bool follow = false;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string age(std::int64_t since_ms) {
  double s = static_cast<double>(now_ms() - since_ms) / 1000.0;
  if (s < 60) return fmt::format("{:.0f}s ago", s);
  if (s < 3600) return fmt::format("{:.0f}m ago", s / 60);
  if (s < 86400) return fmt::format("{:.0f}h ago", s / 3600);
  return fmt::format("{:.0f}d ago", s / 86400);
}

std::string duration(const exec::RunRecord& r) {
  std::int64_t end = r.ended_at_ms.value_or(now_ms());
  return core::format_seconds(static_cast<double>(end - r.started_at_ms) / 1000.0);
}

std::string shorten(const std::string& text, std::size_t limit) {
  return text.size() <= limit ? text : text.substr(0, limit - 3) + "...";
}

std::string status_cell(const exec::RunRecord& r, const core::TerminalStyle& style) {
  std::string name = exec::status_name(r.status);
  switch (r.status) {
    case exec::RunStatus::kSucceeded: return style.green(name);
    case exec::RunStatus::kFailed:
    case exec::RunStatus::kLost: return style.red(name);
    default: return name;
  }
}

core::Result<exec::RunStore> open_store(const Options& o) {
  return exec::RunStore::open_existing(exec::find_runs_project(o.project));
}

void list(CliContext& ctx, const Options& o) {
  auto store = open_store(o);
  if (!store) {
    if (store.error().kind != core::ErrorKind::kNotFound) return ctx.fail(store.error());
    if (ctx.json) return ctx.print_json({{"runs", nlohmann::json::array()}});
    *ctx.out << "No runs recorded here yet (trainctl run -- COMMAND starts one).\n";
    return;
  }
  auto rows = exec::list_runs(*store);
  if (!rows) return ctx.fail(rows.error());
  if (ctx.json) {
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& r : *rows) runs.push_back(r.to_json());
    return ctx.print_json({{"runs", runs}});
  }
  core::TextTable table({{"ID"}, {"STATUS"}, {"AGE", core::Align::kRight}, {"DURATION", core::Align::kRight},
                         {"LOSS", core::Align::kRight}, {"COMMAND"}});
  for (const auto& row : *rows) {
    const auto& r = row.record;
    table.add_row({r.id, status_cell(r, ctx.out_style), age(r.started_at_ms), duration(r),
                   row.last_loss ? fmt::format("{:.4g}", *row.last_loss) : "-", shorten(safety::shell_join(r.argv), 70)});
  }
  *ctx.out << table.render();
}

void show(CliContext& ctx, const Options& o) {
  auto store = open_store(o);
  if (!store) return ctx.fail(store.error());
  if (auto r = exec::reconcile(*store); !r) return ctx.fail(r.error());
  auto record = store->get(o.id);
  if (!record) return ctx.fail(record.error());
  const exec::RunRecord& r = *record;
  std::optional<double> loss = exec::last_logged_loss(r.log);
  if (ctx.json) {
    nlohmann::json j = r.to_json();
    j["last_loss"] = loss ? nlohmann::json(*loss) : nlohmann::json(nullptr);
    if (r.status == exec::RunStatus::kFailed) j["explain"] = exec::explain_command_for(r);
    return ctx.print_json(j);
  }
  auto line = [&](const char* label, const std::string& value) { *ctx.out << fmt::format("{:<12}{}\n", label, value); };
  line("run", ctx.out_style.bold(r.id) + "  (" + r.kind + ")");
  line("status", status_cell(r, ctx.out_style) +
                     (r.signal ? fmt::format(" (signal {})", *r.signal)
                               : r.exit_code ? fmt::format(" (exit {})", *r.exit_code) : std::string()) +
                     (r.stop_requested ? ", stopped by trainctl runs stop" : ""));
  line("command", safety::shell_join(r.argv));
  line("cwd", r.cwd);
  if (r.config_path) line("config", *r.config_path + (r.config_hash ? "  " + *r.config_hash : ""));
  if (r.git_commit) line("git", *r.git_commit + (r.git_dirty ? (*r.git_dirty ? " (dirty)" : " (clean)") : ""));
  for (const auto& [k, v] : r.env) line("env", k + "=" + v);
  line("host", r.host);
  line("pid", r.pid ? std::to_string(*r.pid) : "-");
  line("started", exec::iso8601(r.started_at_ms) + "  (" + age(r.started_at_ms) + ")");
  line("ended", r.ended_at_ms ? exec::iso8601(*r.ended_at_ms) + "  (after " + duration(r) + ")" : "-");
  if (loss) line("last loss", fmt::format("{:.4g}", *loss));
  line("log", r.log);
  for (std::size_t i = 0; i < r.checkpoints.size(); ++i) line(i == 0 ? "checkpoints" : "", r.checkpoints[i]);
  if (r.status == exec::RunStatus::kFailed) line("explain", exec::explain_command_for(r));
}

void logs(CliContext& ctx, const Options& o) {
  auto store = open_store(o);
  if (!store) return ctx.fail(store.error());
  if (auto r = exec::reconcile(*store); !r) return ctx.fail(r.error());
  auto record = store->get(o.id);
  if (!record) return ctx.fail(record.error());
  ctx.out->flush();
  if (auto s = exec::copy_run_log(*record, STDOUT_FILENO, o.follow); !s) return ctx.fail(s.error());
}

void stop(CliContext& ctx, const Options& o) {
  auto store = open_store(o);
  if (!store) return ctx.fail(store.error());
  auto record = exec::stop_run(*store, o.id);
  if (!record) return ctx.fail(record.error());
  if (ctx.json) return ctx.print_json({{"run", record->to_json()}});
  *ctx.out << fmt::format("stopped run {}: {}\n", record->id, exec::status_name(record->status));
}

}  // namespace

Command add_runs_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("runs", "The recorded runs: list, show, logs [-f], stop");
  auto o = std::make_shared<Options>();
  sub->add_option("--project", o->project, "Where the runs are recorded (the nearest folder above with .trainctl/runs.db)")
      ->capture_default_str();
  sub->require_subcommand(1);
  sub->footer("Exit status: 0; 4 no such run (or none recorded); 2 `stop` of a run that already ended. See docs/run.md.");
  auto* list_cmd = sub->add_subcommand("list", "Newest first: id, status, age, duration, last logged loss, command");
  auto* show_cmd = sub->add_subcommand("show", "One run's record; a failed run names the explain command for its log");
  show_cmd->add_option("id", o->id, "The run id (or a unique prefix)")->required();
  auto* logs_cmd = sub->add_subcommand("logs", "A run's output; -f follows a live run until it ends");
  logs_cmd->add_option("id", o->id, "The run id (or a unique prefix)")->required();
  logs_cmd->add_flag("-f,--follow", o->follow, "Keep following until the run ends");
  auto* stop_cmd = sub->add_subcommand("stop", "SIGTERM to the run's process group, SIGKILL after 10 s; recorded");
  stop_cmd->add_option("id", o->id, "The run id (or a unique prefix)")->required();
  for (auto* c : {list_cmd, show_cmd, logs_cmd, stop_cmd}) {
    c->fallthrough();
    c->add_option("--project", o->project, "Where the runs are recorded")->capture_default_str();
  }
  return {sub, [&ctx, o, list_cmd, show_cmd, logs_cmd, stop_cmd] {
            if (list_cmd->parsed()) return list(ctx, *o);
            if (show_cmd->parsed()) return show(ctx, *o);
            if (logs_cmd->parsed()) return logs(ctx, *o);
            if (stop_cmd->parsed()) return stop(ctx, *o);
          }};
}

}  // namespace trainctl::cli
