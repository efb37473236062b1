// `trainctl cleanup [DIR] [--apply [KIND|PATH...]] [--yes] [--undo [ID]] [--empty-trash] [--keep-last N]
// [--keep-best N] [--keep-every STEPS]`: what clutters a training project and, on request, moving it
// to .trainctl/trash/ and back. Scanning and the trash live in src/cleanup; this file parses flags,
// asks, and renders.
#include <unistd.h>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "cleanup/scan.h"
#include "cleanup/trash.h"
#include "cli/commands.h"
#include "core/human_units.h"
#include "core/text_table.h"

namespace trainctl::cli {
namespace {

constexpr const char* kFooter =
    "Nothing is removed without --apply. --apply moves what the scan marks safe (all kinds, or the KINDs\n"
    "named) into DIR/.trainctl/trash/<ID>/, after a question on a terminal or with --yes; --undo puts a batch\n"
    "back byte for byte; --empty-trash deletes the trash for good. Never moved: anything outside DIR or\n"
    "reached through a symlink, the latest valid and the best checkpoint of each run, checkpoints of runs\n"
    "still running, files git tracks (unless you name the path after --apply).\n"
    "Kinds: checkpoints partial duplicate dead_run empty_run cache (movable); git_tracked not_ignored\n"
    "duplicate_config home_path secret (advice).";

struct Options {
  std::string dir = ".";
  std::vector<std::string> apply;
  bool yes = false;
  std::string undo;
  bool empty_trash = false;
  int keep_last = 1;
  int keep_best = 1;
  std::int64_t keep_every = 0;
};

struct KindRow {
  std::size_t count = 0;
  std::uint64_t bytes = 0;
  std::string action;
  bool applicable = false;
};

std::string render_report(const cleanup::CleanupReport& r, const core::TerminalStyle& style) {
  if (r.findings.empty()) return fmt::format("{}: nothing to clean up ({} files, {}).\n", r.root, r.files_seen, core::format_bytes(r.bytes_seen));
  std::map<std::string, KindRow> kinds;
  for (const auto& f : r.findings) {
    auto& k = kinds[f.kind];
    ++k.count;
    k.bytes += f.bytes;
    k.applicable = k.applicable || f.safe_to_apply;
    if (k.action.empty()) k.action = f.action;
  }
  std::vector<std::pair<std::string, KindRow>> rows(kinds.begin(), kinds.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.bytes > b.second.bytes; });
  std::string out = fmt::format("{}  {} files, {}\n\n", style.bold(r.root), r.files_seen, core::format_bytes(r.bytes_seen));
  core::TextTable table({{"KIND"}, {"COUNT", core::Align::kRight}, {"SIZE", core::Align::kRight}, {"ACTION"}});
  for (const auto& [kind, row] : rows) {
    table.add_row({kind, std::to_string(row.count), row.bytes ? core::format_bytes(row.bytes) : "-",
                   cleanup::applicable_kind(kind) ? (row.applicable ? "--apply " + kind : "(protected or tracked)") : "fix by hand"});
  }
  table.add_row({"total", std::to_string(r.findings.size()), core::format_bytes(r.total_bytes), ""});
  out += table.render("  ");
  out += "\n";
  for (const auto& f : r.findings) {
    out += fmt::format("  {} {}{}\n", style.bold(f.kind), f.bytes ? core::format_bytes(f.bytes) + "  " : "", f.reason);
    std::size_t shown = 0;
    for (const auto& p : f.paths) {
      if (++shown > 5) {
        out += fmt::format("      ... and {} more\n", f.paths.size() - 5);
        break;
      }
      out += fmt::format("      {}\n", p);
    }
    out += fmt::format("      -> {}{}\n", f.action, cleanup::applicable_kind(f.kind) && !f.safe_to_apply ? " (not with --apply: tracked, protected or running; name the path to insist)" : "");
  }
  if (!r.protected_paths.empty()) {
    out += "\n  Kept whatever the policy (latest, best, running):\n";
    for (const auto& p : r.protected_paths) out += fmt::format("      {}  ({})\n", p.path, p.reason);
  }
  if (r.truncated) out += style.yellow(fmt::format("\n  The scan stopped at {}: the report covers part of the tree.\n", r.truncated_by));
  return out;
}

std::string render_batch(const cleanup::TrashBatch& b, bool restored) {
  std::string out = fmt::format("{} {} path(s), {} {} {}/.trainctl/trash/{}.\n", restored ? "Restored" : "Moved", b.items.size(),
                                core::format_bytes(b.bytes), restored ? "from" : "to", b.root, b.id);
  for (const auto& s : b.skipped) out += fmt::format("  not moved: {}\n", s);
  return out;
}

bool ask(CliContext& ctx, const std::string& question) {
  *ctx.out << question << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes" || answer == "y";
}

std::string absolute_dir(const std::string& dir) {
  char* real = ::realpath(dir.c_str(), nullptr);
  std::string out = real ? real : dir;
  ::free(real);
  return out;
}

void run(CliContext& ctx, const Options& o, bool apply_given, bool undo_given) {
  bool can_ask = !ctx.json && ::isatty(STDIN_FILENO);
  std::string root = absolute_dir(o.dir);
  if (undo_given) {
    auto batch = cleanup::undo_trash(root, o.undo);
    if (!batch) return ctx.fail(batch.error());
    if (ctx.json) return ctx.print_json({{"restored", batch->to_json()}});
    *ctx.out << render_batch(*batch, true);
    return;
  }
  if (o.empty_trash) {
    auto batches = cleanup::list_trash(root);
    if (!batches) return ctx.fail(batches.error());
    if (batches->empty()) {
      if (ctx.json) return ctx.print_json({{"deleted_batches", 0}, {"deleted_bytes", 0}});
      *ctx.out << "The trash is empty.\n";
      return;
    }
    if (!o.yes) {
      if (!can_ask) return ctx.fail(core::Error::usage("--empty-trash needs --yes when there is no terminal to ask on"));
      std::uint64_t bytes = 0;
      for (const auto& b : *batches) bytes += b.bytes;
      if (!ask(ctx, fmt::format("Delete {} trash batch(es), {}, for good? Type yes: ", batches->size(), core::format_bytes(bytes)))) {
        *ctx.out << "Nothing deleted.\n";
        return;
      }
    }
    auto emptied = cleanup::empty_trash(root);
    if (!emptied) return ctx.fail(emptied.error());
    if (ctx.json) return ctx.print_json({{"deleted_batches", emptied->batches}, {"deleted_bytes", emptied->bytes}});
    *ctx.out << fmt::format("Deleted {} batch(es), {}.\n", emptied->batches, core::format_bytes(emptied->bytes));
    return;
  }

  cleanup::ScanRequest request;
  request.root = o.dir;
  request.policy.keep_last = o.keep_last;
  request.policy.keep_best = o.keep_best;
  if (o.keep_every > 0) request.policy.keep_every = o.keep_every;
  bool progress_shown = false;
  if (::isatty(STDERR_FILENO)) {
    request.progress = [&](std::size_t entries) {
      *ctx.err << fmt::format("\rscanning {}: {} entries", o.dir, entries) << std::flush;
      progress_shown = true;
    };
  }
  auto report = cleanup::scan_project(request);
  if (progress_shown) *ctx.err << "\r\033[K" << std::flush;
  if (!report) return ctx.fail(report.error());
  if (!apply_given) {
    if (ctx.json) return ctx.print_json(report->to_json());
    *ctx.out << render_report(*report, ctx.out_style);
    return;
  }

  cleanup::ApplyRequest apply;
  for (const auto& word : o.apply) {
    if (word.empty()) continue;  // a bare --apply
    const auto& kinds = cleanup::all_kinds();
    if (std::find(kinds.begin(), kinds.end(), word) != kinds.end()) {
      if (!cleanup::applicable_kind(word)) {
        return ctx.fail(core::Error::usage(fmt::format("--apply {}: that kind is advice (nothing to move); fix it by hand", word)));
      }
      apply.kinds.push_back(word);
    } else {
      std::string path = absolute_dir(word.empty() || word[0] == '/' ? word : o.dir + "/" + word);
      if (path.rfind(report->root + "/", 0) != 0) path = absolute_dir(word);
      apply.named.push_back(path);
    }
  }
  auto chosen = cleanup::selected_findings(*report, apply);
  if (chosen.empty()) {
    return ctx.fail(core::Error::usage("--apply: nothing selected is safe to move (run trainctl cleanup without --apply to see "
                                       "the findings; name a path to move one git tracks)"));
  }
  if (!o.yes) {
    if (!can_ask) return ctx.fail(core::Error::usage("--apply needs --yes when there is no terminal to ask on"));
    std::size_t paths = 0;
    std::uint64_t bytes = 0;
    for (const auto* f : chosen) {
      paths += f->paths.size();
      bytes += f->bytes;
    }
    *ctx.out << render_report(*report, ctx.out_style);
    if (!ask(ctx, fmt::format("\nMove {} path(s), {}, to {}/.trainctl/trash/? (trainctl cleanup --undo brings them back) Type yes: ",
                              paths, core::format_bytes(bytes), report->root))) {
      *ctx.out << "Nothing moved.\n";
      return;
    }
  }
  auto batch = cleanup::move_to_trash(*report, apply);
  if (!batch) return ctx.fail(batch.error());
  if (ctx.json) return ctx.print_json({{"report", report->to_json()}, {"moved", batch->to_json()}});
  *ctx.out << render_batch(*batch, false) << fmt::format("Undo: trainctl cleanup {} --undo {}\n", o.dir, batch->id);
}

}  // namespace

Command add_cleanup_command(CLI::App& app, CliContext& ctx) {
  auto* sub = app.add_subcommand("cleanup", "Find what clutters a training project (old checkpoints, dead runs, caches, secrets) and clean it recoverably");
  auto o = std::make_shared<Options>();
  sub->add_option("dir", o->dir, "The project folder")->capture_default_str();
  auto* apply = sub->add_option("--apply", o->apply, "Move the findings marked safe to the trash: all kinds, or the KINDs (or PATHs) named")
                    ->expected(0, -1);
  sub->add_flag("--yes", o->yes, "With --apply or --empty-trash: do not ask");
  auto* undo = sub->add_option("--undo", o->undo, "Put a trash batch back (the newest without ID)")->expected(0, 1);
  sub->add_flag("--empty-trash", o->empty_trash, "Delete the trash for good (asks first)");
  sub->add_option("--keep-last", o->keep_last, "Keep the N newest valid checkpoints of each run (at least the latest)")->capture_default_str();
  sub->add_option("--keep-best", o->keep_best, "Keep the N best checkpoints of each run by its metric (at least the best)")->capture_default_str();
  sub->add_option("--keep-every", o->keep_every, "Also keep every checkpoint whose step is a multiple of STEPS");
  sub->footer(kFooter);
  return {sub, [&ctx, o, apply, undo] { run(ctx, *o, apply->count() > 0, undo->count() > 0); }};
}

}  // namespace trainctl::cli
