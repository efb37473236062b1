#include "checkpoint/discovery.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "checkpoint/inspect.h"
#include "checkpoint/zip_archive.h"
#include "core/file_times.h"

namespace trainctl::checkpoint {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> kSkippedFolders = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv",
                                               "site-packages", ".mypy_cache", ".pytest_cache", ".tox", ".trainctl",
                                               "wandb", ".cache"};
const std::set<std::string> kCheckpointExtensions = {".pt", ".pth", ".ckpt", ".bin", ".safetensors", ".tar", ".tmp",
                                                     ".pkl", ".partial"};

// A folder that is one checkpoint, not a folder of checkpoints.
bool is_checkpoint_folder(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir / "trainer_state.json", ec) || fs::exists(dir / ".metadata", ec)) return true;
  std::string name = dir.filename().string();
  if (name.rfind("global_step", 0) == 0) return true;  // DeepSpeed
  if (name.rfind("checkpoint-", 0) == 0 &&
      (fs::exists(dir / "model.safetensors", ec) || fs::exists(dir / "pytorch_model.bin", ec) ||
       fs::exists(dir / "adapter_model.safetensors", ec) || fs::exists(dir / "model.safetensors.index.json", ec))) {
    return true;
  }
  return false;
}

// A .bin or .pkl is only a checkpoint candidate when it is a zip or a pickle.
bool looks_like_checkpoint_file(const fs::path& file) {
  std::string name = file.filename().string();
  std::string ext = file.extension().string();
  if (!kCheckpointExtensions.count(ext)) return false;
  if (ext == ".tmp" || ext == ".partial") {
    std::string stem = file.stem().string();
    return kCheckpointExtensions.count(fs::path(stem).extension().string()) > 0;
  }
  if (ext == ".bin" || ext == ".pkl" || ext == ".tar") {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) return false;
    char head[4] = {0, 0, 0, 0};
    std::size_t n = std::fread(head, 1, 4, f);
    std::fclose(f);
    return starts_like_zip(std::string_view(head, n)) || (n > 0 && static_cast<unsigned char>(head[0]) == 0x80);
  }
  return true;
}

std::string run_of(const fs::path& root, const fs::path& parent) {
  std::string rel = parent.lexically_relative(root).string();
  return rel.empty() ? "." : rel;
}

// Sort key: step (from the metadata or the name), epoch, then time.
bool newer_candidate(const Candidate& a, const Candidate& b) {
  if (a.name_step != b.name_step) return a.name_step.value_or(-1) > b.name_step.value_or(-1);
  if (a.name_epoch != b.name_epoch) return a.name_epoch.value_or(-1) > b.name_epoch.value_or(-1);
  return a.modified_time > b.modified_time;
}

}  // namespace

bool newer(const CheckpointInfo& a, const CheckpointInfo& b) {
  if (a.step != b.step) return a.step.value_or(-1) > b.step.value_or(-1);
  if (a.epoch != b.epoch) return a.epoch.value_or(-1) > b.epoch.value_or(-1);
  return a.modified_time > b.modified_time;
}

core::Result<std::vector<Candidate>> find_candidates(const std::string& dir) {
  std::error_code ec;
  fs::path root = fs::absolute(dir, ec).lexically_normal();
  if (!root.empty() && root.filename().empty()) root = root.parent_path();
  if (!fs::is_directory(root, ec)) {
    return core::Error::not_found(fmt::format("'{}' is not a directory", dir));
  }
  std::vector<Candidate> found;
  std::size_t visited = 0;
  auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return core::Error::failure(fmt::format("cannot read {}: {}", root.string(), ec.message()));
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec || ++visited > kMaxSearchEntries) break;
    const fs::path& path = it->path();
    std::string name = path.filename().string();
    bool is_dir = it->is_directory(ec);
    if (is_dir) {
      if (kSkippedFolders.count(name) || static_cast<std::size_t>(it.depth()) + 1 >= kMaxSearchDepth) {
        it.disable_recursion_pending();
        continue;
      }
      if (is_checkpoint_folder(path)) {
        it.disable_recursion_pending();
        NameNumbers numbers = numbers_from_name(name);
        found.push_back({path.string(), run_of(root, path.parent_path()), true, numbers.step, numbers.epoch, core::modified_time(path)});
      }
      continue;
    }
    if (!it->is_regular_file(ec) || !looks_like_checkpoint_file(path)) continue;
    NameNumbers numbers = numbers_from_name(name);
    found.push_back({path.string(), run_of(root, path.parent_path()), false, numbers.step, numbers.epoch, core::modified_time(path)});
  }
  std::sort(found.begin(), found.end(), newer_candidate);
  return found;
}

core::Result<CheckpointListing> list_checkpoints(const std::string& dir, const InspectOptions& options) {
  auto candidates = find_candidates(dir);
  if (!candidates) return candidates.error();
  CheckpointListing listing;
  std::error_code ec;
  listing.root = fs::absolute(dir, ec).lexically_normal().string();
  std::map<std::string, std::vector<CheckpointInfo>> by_run;
  for (const Candidate& c : *candidates) by_run[c.run].push_back(inspect_checkpoint(c.path, options));
  for (auto& [run, infos] : by_run) {
    std::stable_sort(infos.begin(), infos.end(), newer);
    listing.runs.push_back({run, std::move(infos)});
  }
  return listing;
}

core::Result<LatestCheckpoint> latest_checkpoint(const std::string& dir, const InspectOptions& options) {
  auto candidates = find_candidates(dir);
  if (!candidates) return candidates.error();
  // Candidates are ordered by the numbers in their names; the metadata has the final word, so
  // keep reading until no unread candidate could be newer than the best valid one.
  std::optional<CheckpointInfo> best;
  std::vector<CheckpointInfo> rejected;
  for (const Candidate& c : *candidates) {
    if (best && c.name_step && best->step && *c.name_step < *best->step) break;
    CheckpointInfo info = inspect_checkpoint(c.path, options);
    if (info.valid && info.security.verdict == "dangerous") {
      info.valid = false;
      info.error = "its pickle names globals that can run code: " +
                   (info.security.dangerous.empty() ? std::string("?") : info.security.dangerous.front().global) +
                   " (trainctl ckpt scan shows them all)";
    }
    if (!info.valid) {
      rejected.push_back(std::move(info));
      continue;
    }
    if (!best || newer(info, *best)) best = std::move(info);
  }
  if (!best) {
    std::string why;
    for (const auto& r : rejected) why += fmt::format("\n  {}: {}", r.path, r.error.value_or("invalid"));
    return core::Error::not_found(candidates->empty()
                                      ? fmt::format("no checkpoint found under {}", dir)
                                      : fmt::format("none of the {} checkpoints under {} can be loaded:{}",
                                                    candidates->size(), dir, why));
  }
  LatestCheckpoint latest{std::move(*best), {}};
  for (const auto& r : rejected) {
    if (newer(r, latest.checkpoint)) latest.skipped.push_back({r.path, r.error.value_or("invalid")});
  }
  return latest;
}

nlohmann::json to_json(const CheckpointListing& listing) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& run : listing.runs) {
    nlohmann::json checkpoints = nlohmann::json::array();
    for (const auto& info : run.checkpoints) checkpoints.push_back(to_json(info));
    runs.push_back({{"run", run.run}, {"checkpoints", std::move(checkpoints)}});
  }
  return {{"root", listing.root}, {"runs", std::move(runs)}};
}

nlohmann::json to_json(const LatestCheckpoint& latest) {
  nlohmann::json out = to_json(latest.checkpoint);
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& s : latest.skipped) skipped.push_back({{"path", s.path}, {"reason", s.reason}});
  out["skipped"] = std::move(skipped);
  return out;
}

}  // namespace trainctl::checkpoint
