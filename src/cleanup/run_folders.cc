// Run folders that hold nothing worth keeping (dead runs, empty Lightning versions, synced W&B
// runs, Hydra folders with only their .hydra/ files) and caches. Part of scan.cc.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "cleanup/scan.h"
#include "cleanup/scan_state.h"
#include "core/human_units.h"

namespace trainctl::cleanup::detail {
namespace {

bool is_cache_name(const std::string& name) {
  return name == "__pycache__" || name == ".pytest_cache" || name == ".ipynb_checkpoints" || name == ".mypy_cache" ||
         name == ".ruff_cache" || name == ".cache";
}

bool is_output_folder_name(const std::string& name) {
  static const std::array<const char*, 9> names = {"runs", "outputs", "multirun", "logs", "experiments", "exp", "results", "out", "output"};
  std::string n = lower(name);
  return std::any_of(names.begin(), names.end(), [&](const char* x) { return n == x; });
}

bool has_output_ancestor(const std::string& rel) {
  for (std::string r = parent_of(rel); !r.empty(); r = parent_of(r)) {
    if (is_output_folder_name(base_name(r))) return true;
  }
  return false;
}

bool is_log_name(const std::string& name) {
  std::string n = lower(name);
  return ends_with(n, ".log") || ends_with(n, ".out") || ends_with(n, ".err") || n == "stdout" || n == "stderr";
}

std::string read_tail(const std::string& path, std::size_t bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return {};
  off_t size = ::lseek(fd, 0, SEEK_END);
  off_t from = size > static_cast<off_t>(bytes) ? size - static_cast<off_t>(bytes) : 0;
  std::string text(static_cast<std::size_t>(size - from), '\0');
  ssize_t n = ::pread(fd, text.data(), text.size(), from);
  ::close(fd);
  text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return text;
}

// The last error-looking line among the log's last 20 non-empty lines, or "".
std::string error_ending(const std::string& tail) {
  std::vector<std::string> lines;
  std::size_t end = tail.size();
  while (end > 0 && lines.size() < 20) {
    std::size_t start = tail.rfind('\n', end - 1);
    std::size_t from = start == std::string::npos ? 0 : start + 1;
    std::string line = tail.substr(from, end - from);
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
    if (start == std::string::npos) break;
    end = start;
  }
  static const std::regex error(
      R"((Traceback \(most recent call last\)|^[\w.]*(Error|Exception)\b|^(error|fatal)\b|CUDA out of memory|^Killed|Segmentation fault|exited with (code|status) [1-9]))",
      std::regex::icase);
  for (const auto& line : lines) {
    if (std::regex_search(line, error)) return line.size() > 120 ? line.substr(0, 117) + "..." : line;
  }
  return {};
}

// Every file below folder (entries are sorted by rel, so they follow it).
std::vector<const InventoryEntry*> files_below(const Inventory& inv, const std::string& folder) {
  std::vector<const InventoryEntry*> out;
  std::string prefix = folder + "/";
  auto it = std::lower_bound(inv.entries.begin(), inv.entries.end(), prefix,
                             [](const InventoryEntry& e, const std::string& p) { return e.rel < p; });
  for (; it != inv.entries.end() && it->rel.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (!it->dir) out.push_back(&*it);
  }
  return out;
}

bool holds_checkpoint(const ScanState& s, const std::string& folder) {
  auto it = s.checkpoint_rels.lower_bound(folder + "/");
  return it != s.checkpoint_rels.end() && below(*it, folder);
}

void add_folder(ScanState& s, const InventoryEntry& e, const char* kind, std::string reason, std::string action) {
  Finding f;
  f.kind = kind;
  f.paths = {s.abs(e.rel)};
  f.bytes = e.bytes;
  f.reason = std::move(reason);
  f.action = std::move(action);
  f.safe_to_apply = !s.tracked_below(e.rel) && !s.written_by_running_run(e.rel, e.modified_time);
  s.claimed.insert(e.rel);
  s.findings.push_back(std::move(f));
}

// Lightning's version_N with nothing but hparams.yaml; W&B run folders already synced; Hydra
// run folders holding only .hydra/ (and empty logs).
bool empty_run(ScanState& s, const InventoryEntry& e) {
  std::string name = base_name(e.rel);
  std::string parent = base_name(parent_of(e.rel));
  if (parent == "lightning_logs" && name.rfind("version_", 0) == 0) {
    auto files = files_below(s.inv, e.rel);
    bool empty = std::all_of(files.begin(), files.end(), [](const InventoryEntry* f) {
      return base_name(f->rel) == "hparams.yaml" || f->bytes == 0;
    });
    if (!empty || holds_checkpoint(s, e.rel)) return false;
    add_folder(s, e, kKindEmptyRun, "Lightning run folder with no checkpoint, metrics or events (only hparams.yaml)",
               "move to the trash");
    return true;
  }
  if (parent == "wandb" && (name.rfind("run-", 0) == 0 || name.rfind("offline-run-", 0) == 0)) {
    bool offline = name.rfind("offline-", 0) == 0;
    bool synced = !offline;
    if (offline) {
      auto files = files_below(s.inv, e.rel);
      synced = std::any_of(files.begin(), files.end(), [](const InventoryEntry* f) { return ends_with(f->rel, ".wandb.synced"); });
    }
    if (!synced || holds_checkpoint(s, e.rel)) return false;
    add_folder(s, e, kKindEmptyRun,
               offline ? "W&B offline run already synced (a .wandb.synced marker): the server has it"
                       : "W&B online run: streamed to the server while it ran, the local copy is redundant",
               "move to the trash (the run stays on wandb.ai)");
    return true;
  }
  if (s.inv.find(e.rel + "/.hydra") && has_output_ancestor(e.rel)) {
    auto files = files_below(s.inv, e.rel);
    std::string hydra = e.rel + "/.hydra";
    bool only_hydra = std::all_of(files.begin(), files.end(), [&](const InventoryEntry* f) {
      return below(f->rel, hydra) || (is_log_name(base_name(f->rel)) && f->bytes == 0);
    });
    if (!only_hydra) return false;
    add_folder(s, e, kKindEmptyRun, "Hydra run folder with nothing but its .hydra/ files (the job wrote no output)",
               "move to the trash");
    return true;
  }
  return false;
}

// A folder under an output folder that directly holds a log, has no checkpoint, and whose log
// ends in an error or whose files were all written within kShortRunSeconds.
bool dead_run(ScanState& s, const InventoryEntry& e) {
  if (!has_output_ancestor(e.rel) && !is_output_folder_name(base_name(parent_of(e.rel)))) return false;
  if (holds_checkpoint(s, e.rel)) return false;
  const InventoryEntry* log = nullptr;
  for (const InventoryEntry* f : files_below(s.inv, e.rel)) {
    if (parent_of(f->rel) == e.rel && is_log_name(base_name(f->rel))) {
      if (!log || f->modified_time > log->modified_time) log = f;
    }
  }
  if (!log) return false;
  std::string error = error_ending(read_tail(s.abs(log->rel), kLogTailBytes));
  std::string reason;
  if (!error.empty()) {
    reason = fmt::format("run with no checkpoint whose log ends in an error: {}", error);
  } else if (e.modified_time - e.oldest_time < kShortRunSeconds && s.now - e.modified_time > kSettledSeconds) {
    reason = fmt::format("run with no checkpoint that lasted {} (its files were written within a minute)",
                         core::format_seconds(e.modified_time - e.oldest_time));
  } else {
    return false;
  }
  add_folder(s, e, kKindDeadRun, std::move(reason), "move to the trash (trainctl explain LOG first, if the error matters)");
  return true;
}

}  // namespace

// Skips what is claimed and everything below a claimed folder. Entries are sorted, so a folder's
// contents follow it: one prefix remembered stands for all the claimed folders above.
class ClaimedSkipper {
 public:
  explicit ClaimedSkipper(const ScanState& s) : s_(s) {}
  bool skip(const InventoryEntry& e) {
    if (!prefix_.empty() && below(e.rel, prefix_)) return true;
    if (!s_.claimed.count(e.rel)) return false;
    if (e.dir) prefix_ = e.rel;
    return true;
  }
  void claimed_folder(const std::string& rel) { prefix_ = rel; }

 private:
  const ScanState& s_;
  std::string prefix_;
};

void find_run_folders(ScanState& s) {
  ClaimedSkipper first(s);
  for (const auto& e : s.inv.entries) {
    if (first.skip(e)) continue;
    std::string name = base_name(e.rel);
    if (e.dir && is_cache_name(name)) {
      if (e.files == 0) continue;
      add_folder(s, e, kKindCache, fmt::format("{} cache: rebuilt on demand", name), "move to the trash");
      first.claimed_folder(e.rel);
      continue;
    }
    if (!e.dir && name.rfind("cache-", 0) == 0 && ends_with(name, ".arrow")) {
      add_folder(s, e, kKindCache, "Hugging Face datasets cache file: rebuilt on demand", "move to the trash");
      continue;
    }
    if (!e.dir || e.files == 0) continue;
    if (empty_run(s, e)) first.claimed_folder(e.rel);
  }
  // Dead runs after the empty ones, deepest first is not needed: a folder that directly holds the
  // log is the run, and its parents hold no log of their own.
  ClaimedSkipper second(s);
  for (const auto& e : s.inv.entries) {
    if (second.skip(e) || !e.dir || e.files == 0) continue;
    if (dead_run(s, e)) second.claimed_folder(e.rel);
  }
}

}  // namespace trainctl::cleanup::detail
