#include "cleanup/scan.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>
#include <chrono>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "checkpoint/inspect.h"
#include "cleanup/file_hash.h"
#include "cleanup/scan_state.h"
#include "core/human_units.h"
#include "exec/run_store.h"
#include "exec/runs.h"

namespace trainctl::cleanup {
namespace detail {

std::string base_name(const std::string& rel) {
  std::size_t slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

std::string parent_of(const std::string& rel) {
  std::size_t slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}

bool below(const std::string& rel, const std::string& folder) {
  if (folder.empty()) return true;
  return rel == folder || (rel.size() > folder.size() && rel.compare(0, folder.size(), folder) == 0 && rel[folder.size()] == '/');
}

bool ScanState::tracked(const std::string& rel) const {
  return git && git->tracks(root_in_repo.empty() ? rel : root_in_repo + "/" + rel);
}

bool ScanState::tracked_below(const std::string& rel) const {
  if (!git) return false;
  std::string r = root_in_repo.empty() ? rel : root_in_repo + "/" + rel;
  return git->tracks(r) || git->tracks_below(r);
}

bool ScanState::written_by_running_run(const std::string& rel, double modified) const {
  std::string path = abs(rel);
  for (const auto& run : running) {
    for (const auto& c : run.checkpoints) {
      if (below(path, c)) return true;
    }
    // A running run may write anywhere under its folder: whatever changed since it started is its.
    if (below(path, run.cwd) && modified + 5 >= run.started) return true;
  }
  return false;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace detail

namespace {

using detail::base_name;
using detail::ends_with;
using detail::lower;
using detail::ScanState;

bool in_checkpoint_folder(const std::string& rel) {
  for (std::string r = detail::parent_of(rel); !r.empty(); r = detail::parent_of(r)) {
    std::string name = lower(detail::base_name(r));
    if (name.find("ckpt") != std::string::npos || name.find("checkpoint") != std::string::npos) return true;
  }
  return false;
}

bool is_cache_name(const std::string& name) {
  return name == "__pycache__" || name == ".pytest_cache" || name == ".ipynb_checkpoints" || name == ".mypy_cache" ||
         name == ".ruff_cache" || name == ".cache";
}

// HF Trainer checkpoint-N/ and DeepSpeed global_stepN/ folders are one checkpoint each.
bool is_checkpoint_folder(const std::string& rel) {
  std::string name = detail::base_name(rel);
  for (std::string_view prefix : {"checkpoint-", "global_step"}) {
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
        std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
      return true;
    }
  }
  return false;
}

double clock_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void load_running_runs(ScanState& s) {
  auto store = exec::RunStore::open_existing(s.inv.root);
  if (!store) return;  // no runs recorded here: nothing is running under trainctl
  (void)exec::reconcile(*store);
  auto runs = store->list();
  if (!runs) return;
  for (const auto& r : *runs) {
    if (r.status != exec::RunStatus::kRunning) continue;
    s.running.push_back({r.cwd, static_cast<double>(r.started_at_ms) / 1000.0, r.checkpoints});
  }
}

// .trainctl/keep: one path a line (relative to the root, or absolute inside it), '#' comments.
void load_pins(ScanState& s) {
  std::ifstream in(s.inv.root + "/" + kPinFile);
  std::string line;
  for (std::size_t n = 0; n < kMaxPins && std::getline(in, line); ++n) {
    if (std::size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.erase(0, 1);
    if (line.rfind(s.inv.root + "/", 0) == 0) line = line.substr(s.inv.root.size() + 1);
    while (line.rfind("./", 0) == 0) line = line.substr(2);
    if (!line.empty() && line[0] != '/') s.pinned.insert(line);
  }
}

std::map<std::string, double> numeric_metrics(const nlohmann::json& metrics) {
  std::map<std::string, double> out;
  if (!metrics.is_object()) return out;
  for (auto it = metrics.begin(); it != metrics.end(); ++it) {
    if (it.value().is_number()) out[it.key()] = it.value().get<double>();
  }
  return out;
}

std::string run_label(const std::string& run) { return run.empty() ? "." : run; }

struct Unit {  // one checkpoint: a file or a folder
  std::string rel;
  const InventoryEntry* entry = nullptr;
  checkpoint::CheckpointInfo info;
};

void add(ScanState& s, Finding f, const std::vector<std::string>& rels) {
  for (const auto& r : rels) s.claimed.insert(r);
  s.findings.push_back(std::move(f));
}

// Reads the metadata of every non-empty checkpoint, on up to kInspectThreads threads: each
// inspection is independent (no shared state) and waits on its own file reads.
void inspect_all(const ScanState& s, std::vector<Unit>& units) {
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < units.size(); i = next++) {
      if (units[i].entry->bytes > 0) units[i].info = checkpoint::inspect_checkpoint(s.abs(units[i].rel));
    }
  };
  std::size_t threads = std::min<std::size_t>({kInspectThreads, std::max(1u, std::thread::hardware_concurrency()), units.size() / 16 + 1});
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

void find_checkpoints(ScanState& s, const KeepPolicy& policy) {
  std::vector<Unit> units;
  std::vector<std::string> partial;
  // Entries are sorted, so a folder comes before what it holds: its flag is known for them.
  std::unordered_map<std::string, bool> skip_below;  // folder -> inside a cache or a checkpoint folder
  for (const auto& e : s.inv.entries) {
    auto parent = skip_below.find(detail::parent_of(e.rel));
    bool skipped = parent != skip_below.end() && parent->second;
    if (e.dir) {
      bool unit = !skipped && is_checkpoint_folder(e.rel) && e.files > 0;
      if (unit) units.push_back({e.rel, &e, {}});
      skip_below[e.rel] = skipped || unit || is_cache_name(detail::base_name(e.rel));
      continue;
    }
    if (skipped) continue;
    if (is_partial_save(e.rel)) {
      partial.push_back(e.rel);
    } else if (is_checkpoint_file(e.rel)) {
      units.push_back({e.rel, &e, {}});
    }
  }
  for (const auto& u : units) s.checkpoint_rels.insert(u.rel);
  for (const auto& p : partial) s.checkpoint_rels.insert(p);

  // Partial saves, zero-byte and unreadable checkpoints.
  std::vector<std::pair<std::string, std::string>> broken;  // rel, why
  for (const auto& p : partial) broken.emplace_back(p, "an unfinished save (temporary name)");
  inspect_all(s, units);
  std::map<std::string, std::vector<Unit*>> runs;
  for (auto& u : units) {
    if (u.entry->bytes == 0) {
      broken.emplace_back(u.rel, "zero bytes");
      continue;
    }
    if (!u.info.valid) {
      broken.emplace_back(u.rel, u.info.error.value_or("does not load"));
      continue;
    }
    runs[detail::parent_of(u.rel)].push_back(&u);
  }
  for (const auto& [rel, why] : broken) {
    const InventoryEntry* e = s.inv.find(rel);
    Finding f;
    f.kind = kKindPartial;
    f.paths = {s.abs(rel)};
    f.bytes = e ? e->bytes : 0;
    f.reason = fmt::format("broken checkpoint: {}", why);
    f.action = "move to the trash (it cannot be loaded)";
    f.safe_to_apply = !s.tracked_below(rel) && !s.written_by_running_run(rel, e ? e->modified_time : 0);
    add(s, std::move(f), {rel});
  }

  // Byte-identical copies: only checkpoints of the same size are compared, by a sample of their
  // bytes first, and a sample match is confirmed byte by byte.
  // Checkpoints whose metadata differ (step, epoch, metrics) differ in bytes too: only those that
  // agree on size and metadata are read.
  std::map<std::pair<std::uint64_t, std::string>, std::vector<Unit*>> by_size;
  for (auto& [run, list] : runs) {
    for (Unit* u : list) {
      if (u->entry->dir) continue;
      std::string meta = fmt::format("{}|{}|{}", u->info.step.value_or(-1), u->info.epoch.value_or(-1), u->info.metrics.dump());
      by_size[{u->entry->bytes, meta}].push_back(u);
    }
  }
  std::set<std::string> copies;
  for (auto& [key, group] : by_size) {
    std::uint64_t size = key.first;
    if (group.size() < 2) continue;
    std::map<std::string, std::vector<Unit*>> by_hash;
    for (Unit* u : group) {
      if (auto h = sample_hash(s.abs(u->rel), size)) by_hash[*h].push_back(u);
    }
    for (auto& [hash, same] : by_hash) {
      if (same.size() < 2) continue;
      // The original is the oldest (a copy gets a new time); then the first name.
      std::sort(same.begin(), same.end(), [](const Unit* a, const Unit* b) {
        if (a->entry->modified_time != b->entry->modified_time) return a->entry->modified_time < b->entry->modified_time;
        return a->rel < b->rel;
      });
      for (std::size_t i = 1; i < same.size(); ++i) {
        const Unit* u = same[i];
        if (!same_bytes(s.abs(same[0]->rel), s.abs(u->rel))) continue;
        copies.insert(u->rel);
        Finding f;
        f.kind = kKindDuplicate;
        f.paths = {s.abs(u->rel)};
        f.bytes = u->entry->bytes;
        f.reason = fmt::format("byte-identical copy of {}", s.abs(same[0]->rel));
        f.action = "move to the trash (the original stays, unless the keep policy drops it too)";
        f.safe_to_apply = !s.tracked(u->rel) && !s.written_by_running_run(u->rel, u->entry->modified_time);
        add(s, std::move(f), {u->rel});
      }
    }
  }

  // The keep policy, per run folder, over the valid checkpoints that are not copies.
  for (auto& [run, list] : runs) {
    std::vector<RunCheckpoint> pool;
    std::map<std::string, const Unit*> by_path;
    for (const Unit* u : list) {
      if (copies.count(u->rel)) continue;
      pool.push_back({u->rel, u->info.step, u->info.epoch, u->entry->modified_time, numeric_metrics(u->info.metrics)});
      if (!pool.back().step) pool.back().step = checkpoint::numbers_from_name(detail::base_name(u->rel)).step;
      by_path[u->rel] = u;
    }
    KeepDecision d = decide(pool, policy);
    for (const auto& kept : d.keep) {
      const std::string& rel = kept.first;
      std::string best;
      if (rel == d.best && d.metric) {
        best = fmt::format("{}={:.6g}", d.metric->name, by_path[rel]->info.metrics.value(d.metric->name, 0.0));
      }
      if (rel == d.latest) {
        s.protected_paths.push_back({s.abs(rel), fmt::format("latest valid{} checkpoint of {}", best.empty() ? "" : " and best (" + best + ")", run_label(run))});
      } else if (!best.empty()) {
        s.protected_paths.push_back({s.abs(rel), fmt::format("best checkpoint of {} by {}", run_label(run), best)});
      }
    }
    std::vector<std::string> drop;
    std::uint64_t bytes = 0;
    for (const auto& rel : d.drop) {
      const Unit* u = by_path[rel];
      if (s.written_by_running_run(rel, u->entry->modified_time)) {
        s.protected_paths.push_back({s.abs(rel), "written by a run that is still running"});
        continue;
      }
      if (s.pinned.count(rel)) {
        s.protected_paths.push_back({s.abs(rel), fmt::format("pinned in {}", kPinFile)});
        continue;
      }
      drop.push_back(rel);
      bytes += u->entry->bytes;
    }
    if (drop.empty()) continue;
    Finding f;
    f.kind = kKindCheckpoints;
    for (const auto& r : drop) f.paths.push_back(s.abs(r));
    f.bytes = bytes;
    std::string metric = d.metric ? fmt::format("best by {} ({} is better)", d.metric->name,
                                                d.metric->lower_is_better ? "lower" : "higher")
                                  : "no metric recorded: no best";
    std::string kept = d.best.empty()      ? fmt::format("the latest, {} ({})", base_name(d.latest), metric)
                       : d.best == d.latest ? fmt::format("the latest, {}, also the {}", base_name(d.latest), metric)
                                            : fmt::format("the latest, {}, and the {}, {}", base_name(d.latest), metric, base_name(d.best));
    f.reason = fmt::format("{} of {} checkpoints in {} are beyond the keep policy, which keeps {}", drop.size(), pool.size(),
                           run_label(run), kept);
    f.action = "move to the trash";
    f.safe_to_apply = std::none_of(drop.begin(), drop.end(), [&](const std::string& r) { return s.tracked(r); });
    add(s, std::move(f), drop);
  }
}

}  // namespace

namespace {

// The lower-cased text from the last dot of the name ("" when the name has none or it is long):
// short enough to stay in the string's own buffer, so most files cost no allocation.
std::string lower_extension(const std::string& rel, std::size_t longest) {
  std::size_t dot = rel.rfind('.');
  if (dot == std::string::npos || rel.size() - dot > longest || rel.find('/', dot) != std::string::npos) return "";
  return lower(rel.substr(dot));
}

}  // namespace

bool is_checkpoint_file(const std::string& rel) {
  std::string ext = lower_extension(rel, 12);
  if (ext == ".pt" || ext == ".pth" || ext == ".ckpt" || ext == ".safetensors") return true;
  if (ext == ".gz") return ends_with(lower(detail::base_name(rel)), ".pkl.gz");
  return ext == ".bin" && in_checkpoint_folder(rel);
}

bool is_partial_save(const std::string& rel) {
  std::string ext = lower_extension(rel, 11);
  if (ext != ".tmp" && ext != ".partial" && ext != ".incomplete" && ext != ".part") return false;
  std::string stem = rel.substr(0, rel.size() - ext.size());
  return is_checkpoint_file(stem) || in_checkpoint_folder(rel);
}

core::Result<CleanupReport> scan_project(const ScanRequest& request) {
  auto inv = take_inventory(request.root, request.limits, request.progress);
  if (!inv) return inv.error();
  ScanState s;
  s.inv = std::move(*inv);
  s.now = request.now > 0 ? request.now : clock_now();
  if (auto git = read_git_index(s.inv.root); git && *git) {
    s.git = std::move(**git);
    std::string top = s.git->top;
    if (s.inv.root != top) s.root_in_repo = s.inv.root.substr(top.size() + 1);
  }
  load_running_runs(s);
  load_pins(s);
  find_checkpoints(s, request.policy);
  detail::find_run_folders(s);
  detail::find_hygiene(s);

  CleanupReport report;
  report.root = s.inv.root;
  report.files_seen = s.inv.file_count;
  report.bytes_seen = s.inv.total_bytes;
  report.truncated = s.inv.truncated;
  report.truncated_by = s.inv.truncated_by;
  report.findings = std::move(s.findings);
  report.protected_paths = std::move(s.protected_paths);
  std::stable_sort(report.findings.begin(), report.findings.end(), [](const Finding& a, const Finding& b) {
    if (a.bytes != b.bytes) return a.bytes > b.bytes;
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.paths < b.paths;
  });
  for (const auto& f : report.findings) report.total_bytes += f.bytes;
  return report;
}

}  // namespace trainctl::cleanup
