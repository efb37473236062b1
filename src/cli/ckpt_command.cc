// `trainctl ckpt list|latest|show|scan`: renders the checkpoint domain's results for people or as
// JSON. All reading and judging lives in src/checkpoint.
#include <chrono>

#include <fmt/format.h>

#include "checkpoint/discovery.h"
#include "checkpoint/inspect.h"
#include "checkpoint/pickle_security_rules.h"
#include "cli/commands.h"
#include "core/human_units.h"
#include "core/text_table.h"

namespace trainctl::cli {
namespace {

using checkpoint::CheckpointInfo;

std::string number(const nlohmann::json& value) {
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number()) return fmt::format("{:.4g}", value.get<double>());
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// The metric a person looks at first: validation loss, then any loss, then the first one.
std::string key_metric(const CheckpointInfo& info) {
  const auto& m = info.metrics;
  for (const char* key : {"val_loss", "eval_loss", "best_val_loss", "valid_loss", "loss", "train_loss"}) {
    if (m.contains(key)) return fmt::format("{} {}", key, number(m[key]));
  }
  if (!m.empty()) return fmt::format("{} {}", m.begin().key(), number(m.begin().value()));
  return "-";
}

std::string age(double modified_time) {
  double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return core::format_seconds(now - modified_time) + " ago";
}

std::string or_dash(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : "-"; }

std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string verdict_text(const std::string& verdict, const core::TerminalStyle& style) {
  if (verdict == "safe") return style.green("safe");
  if (verdict == "dangerous") return style.red("DANGEROUS");
  return style.yellow(verdict);
}

std::string render_info(const CheckpointInfo& info, const core::TerminalStyle& style) {
  std::string out = style.bold(info.path) + "\n";
  auto line = [&out](const char* label, const std::string& text) { out += fmt::format("  {:<10} {}\n", label, text); };
  line("valid", info.valid ? style.green("yes") : style.red("no: " + info.error.value_or("?")));
  line("format", fmt::format("{} ({}), {} on disk, {}", info.format, info.framework, core::format_bytes(info.file_bytes),
                             age(info.modified_time)));
  line("step", fmt::format("{}   epoch {}", or_dash(info.step), or_dash(info.epoch)));
  if (!info.metrics.empty()) {
    std::string metrics;
    for (auto it = info.metrics.begin(); it != info.metrics.end(); ++it) {
      metrics += (metrics.empty() ? "" : "  ") + it.key() + " " + number(it.value());
    }
    line("metrics", metrics);
  }
  if (info.param_count) {
    std::string dtypes;
    for (const auto& [dtype, bytes] : info.dtypes) dtypes += (dtypes.empty() ? "" : ", ") + core::format_bytes(bytes) + " " + dtype;
    line("params", fmt::format("{}{}", with_commas(*info.param_count), dtypes.empty() ? "" : " (" + dtypes + ")"));
  }
  if (info.optimizer) {
    const auto& o = *info.optimizer;
    line("optimizer", fmt::format("{}, state {}{}", o.type, core::format_bytes(o.state_bytes),
                                  o.lr ? fmt::format(", lr {:.3g}", *o.lr) : ""));
  }
  line("tensors", core::format_bytes(info.tensor_bytes) + " of tensor data");
  if (!info.config.is_null()) {
    std::string text = info.config.dump();
    if (text.size() > 160) text = text.substr(0, 157) + "...";
    line("config", fmt::format("({}) {}", info.config_key.value_or("?"), text));
  }
  std::string security = verdict_text(info.security.verdict, style);
  if (!info.security.dangerous.empty()) {
    security += ":";
    for (const auto& d : info.security.dangerous) security += " " + d.global;
  } else if (info.security.verdict == "unknown" && !info.security.unknown.empty()) {
    security += ": " + (info.security.unknown.front().global.empty() ? info.security.unknown.front().reason
                                                                      : info.security.unknown.front().global);
  }
  line("security", security);
  for (const auto& w : info.warnings) line("note", w);
  return out;
}

std::string render_listing(const checkpoint::CheckpointListing& listing, const core::TerminalStyle& style) {
  std::string out;
  std::size_t total = 0;
  for (const auto& run : listing.runs) {
    out += style.bold(run.run == "." ? listing.root : run.run) + "\n";
    core::TextTable table({{"NAME"}, {"STEP", core::Align::kRight}, {"EPOCH", core::Align::kRight}, {"METRIC"},
                           {"SIZE", core::Align::kRight}, {"AGE"}, {"VALID"}});
    for (const auto& info : run.checkpoints) {
      ++total;
      std::string name = std::filesystem::path(info.path).filename().string();
      table.add_row({name, or_dash(info.step), or_dash(info.epoch), key_metric(info), core::format_bytes(info.file_bytes),
                     age(info.modified_time),
                     info.valid ? (info.security.verdict == "dangerous" ? style.red("dangerous") : style.green("yes"))
                                : style.red("no: " + info.error.value_or("?"))});
    }
    out += table.render("  ") + "\n";
  }
  out += fmt::format("{} checkpoint(s) in {} run(s) under {}\n", total, listing.runs.size(), listing.root);
  return out;
}

}  // namespace

Command add_ckpt_command(CLI::App& app, CliContext& ctx) {
  auto* ckpt = app.add_subcommand("ckpt", "Find, inspect and security-scan checkpoints (no Python needed)");
  ckpt->require_subcommand(1);
  auto verify = std::make_shared<bool>(false);
  auto dir = std::make_shared<std::string>(".");
  auto paths = std::make_shared<std::vector<std::string>>();
  auto show_path = std::make_shared<std::string>();

  auto* list = ckpt->add_subcommand("list", "Every checkpoint under DIR, grouped by run, with step, metric, validity");
  list->add_option("dir", *dir, "Folder to search")->capture_default_str();
  auto* latest = ckpt->add_subcommand("latest", "The newest checkpoint under DIR that will load, and what was skipped");
  latest->add_option("dir", *dir, "Folder to search")->capture_default_str();
  auto* show = ckpt->add_subcommand("show", "Everything about one checkpoint file or folder");
  show->add_option("path", *show_path, "Checkpoint file or folder")->required();
  auto* scan = ckpt->add_subcommand("scan", "Security verdict of checkpoints' pickles: safe, unknown or dangerous");
  scan->add_option("paths", *paths, "Checkpoint files or folders")->required();
  auto* rules = ckpt->add_subcommand("rules", "The table of Python globals a checkpoint's pickle may name, and why");
  for (auto* sub : {list, latest, show}) sub->add_flag("--verify", *verify, "Also check the CRC-32 of every tensor record");
  for (auto* sub : {list, latest, show, scan, rules}) sub->fallthrough();
  ckpt->footer(
      "Exit status: 0 success; 1 an invalid checkpoint (show) or an unknown verdict (scan); 3 a dangerous\n"
      "pickle (scan); 4 nothing found (latest).");

  return {ckpt, [&ctx, list, latest, show, scan, rules, verify, dir, paths, show_path] {
            checkpoint::InspectOptions options;
            options.verify = *verify;
            if (list->parsed()) {
              auto listing = checkpoint::list_checkpoints(*dir, options);
              if (!listing) return ctx.fail(listing.error());
              if (ctx.json) return ctx.print_json(checkpoint::to_json(*listing));
              *ctx.out << render_listing(*listing, ctx.out_style);
            } else if (latest->parsed()) {
              auto found = checkpoint::latest_checkpoint(*dir, options);
              if (!found) return ctx.fail(found.error());
              if (ctx.json) return ctx.print_json(checkpoint::to_json(*found));
              *ctx.out << render_info(found->checkpoint, ctx.out_style);
              for (const auto& s : found->skipped) {
                *ctx.out << ctx.out_style.yellow("  skipped") << "    " << s.path << ": " << s.reason << "\n";
              }
            } else if (show->parsed()) {
              auto shown = checkpoint::show_checkpoint(*show_path, options);
              if (!shown) return ctx.fail(shown.error());
              const CheckpointInfo& info = *shown;
              if (ctx.json) {
                ctx.print_json(checkpoint::to_json(info));
              } else {
                *ctx.out << render_info(info, ctx.out_style);
              }
              if (!info.valid) ctx.exit_status = core::kExitFailure;
            } else if (rules->parsed()) {
              nlohmann::json table = nlohmann::json::array();
              core::TextTable text({{"VERDICT"}, {"MODULE"}, {"NAME"}, {"WHY"}});
              for (const auto& rule : checkpoint::global_rules()) {
                std::string module = std::string(rule.module) + (rule.module_tree ? "(.*)" : "");
                table.push_back({{"module", rule.module}, {"submodules", rule.module_tree}, {"name", rule.name},
                                 {"verdict", checkpoint::safety_name(rule.safety)}, {"why", rule.rationale}});
                text.add_row({std::string(checkpoint::safety_name(rule.safety)), module, std::string(rule.name),
                              std::string(rule.rationale)});
              }
              if (ctx.json) return ctx.print_json({{"rules", table}});
              *ctx.out << text.render() << "Any global no rule matches is unknown. The most specific rule wins.\n";
            } else if (scan->parsed()) {
              nlohmann::json results = nlohmann::json::array();
              int worst = 0;
              for (const auto& path : *paths) {
                auto scanned = checkpoint::show_checkpoint(path, options);
                if (!scanned) return ctx.fail(scanned.error());
                const CheckpointInfo& info = *scanned;
                const auto& s = info.security;
                worst = std::max(worst, s.verdict == "dangerous" ? 2 : s.verdict == "unknown" ? 1 : 0);
                nlohmann::json security = checkpoint::to_json(info)["security"];
                security["path"] = info.path;
                results.push_back(security);
                if (ctx.json) continue;
                *ctx.out << verdict_text(s.verdict, ctx.out_style) << "  " << info.path << "\n";
                for (const auto& d : s.dangerous) {
                  *ctx.out << "    " << ctx.out_style.red(d.global) << " in " << d.record << ": " << d.reason << "\n";
                }
                for (const auto& u : s.unknown) {
                  *ctx.out << "    " << (u.global.empty() ? "?" : u.global) << " in " << u.record << ": " << u.reason << "\n";
                }
              }
              if (ctx.json) ctx.print_json({{"results", results}});
              ctx.exit_status = worst == 2 ? core::kExitRefused : worst == 1 ? core::kExitFailure : core::kExitSuccess;
            }
          }};
}

}  // namespace trainctl::cli
