// Findings that free no disk but hurt: artifacts git tracks or does not ignore, configs that are
// copies of each other, home-directory paths and secrets in the project's own text. Part of
// scan.cc. Text files are read up to kMaxCheckedTextBytes.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "cleanup/scan.h"
#include "cleanup/scan_state.h"
#include "cleanup/text_checks.h"

namespace trainctl::cleanup::detail {
namespace {

std::string extension(const std::string& rel) {
  std::string name = base_name(rel);
  std::size_t dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? "" : lower(name.substr(dot));
}

std::string top_folder(const std::string& rel) {
  std::size_t slash = rel.find('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}

bool is_output_top(const std::string& name) {
  static const std::set<std::string> names = {"runs", "outputs", "multirun", "logs", "experiments", "exp", "results",
                                              "out", "output", "wandb", "lightning_logs", "checkpoints", "ckpt",
                                              "ckpts", "checkpoint", "mlruns", "tb_logs", "tensorboard"};
  return names.count(lower(name)) > 0;
}

bool is_data_top(const std::string& name) {
  std::string n = lower(name);
  return n == "data" || n == "datasets" || n == "dataset";
}

bool inside_checkpoint_folder(const ScanState& s, const std::string& rel) {
  for (std::string r = parent_of(rel); !r.empty(); r = parent_of(r)) {
    if (s.checkpoint_rels.count(r)) return true;
  }
  return false;
}

// What an artifact is, or "" for source.
std::string artifact_kind(const ScanState& s, const InventoryEntry& e) {
  const std::string name = lower(base_name(e.rel));
  if (s.checkpoint_rels.count(e.rel)) return "checkpoint";
  for (std::string r = parent_of(e.rel); !r.empty(); r = parent_of(r)) {
    if (s.checkpoint_rels.count(r)) return "checkpoint";
  }
  if (ends_with(name, ".log") || name.rfind("events.out.tfevents", 0) == 0) return "log";
  if (is_data_top(top_folder(e.rel))) {
    static const std::set<std::string> data_ext = {".csv", ".tsv", ".parquet", ".arrow", ".npy", ".npz", ".bin",
                                                   ".jsonl", ".txt", ".h5", ".hdf5", ".tar", ".zip", ".gz", ".pkl"};
    if (data_ext.count(extension(e.rel)) || e.bytes >= (1u << 20)) return "dataset";
  }
  return "";
}

// The .gitignore line that covers an artifact: its output or data folder, or its extension.
std::string ignore_line(const std::string& rel) {
  std::string top = top_folder(rel);
  if (!top.empty() && (is_output_top(top) || is_data_top(top))) return "/" + top + "/";
  std::string ext = extension(rel);
  return ext.empty() ? "/" + rel : "*" + ext;
}

bool is_text_to_check(const std::string& rel) {
  static const std::set<std::string> exts = {".py", ".sh", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".env", ".json", ".bash", ".zsh"};
  std::string name = lower(base_name(rel));
  return exts.count(extension(rel)) > 0 || name == ".env" || name == ".netrc";
}

bool is_config(const std::string& rel) {
  std::string ext = extension(rel);
  return ext == ".yaml" || ext == ".yml" || ext == ".toml" || ext == ".json";
}

// Own text: not inside an output, data, cache or hidden folder (those hold copies the runs wrote).
bool own_text(const std::string& rel) {
  for (std::string r = parent_of(rel); !r.empty(); r = parent_of(r)) {
    std::string name = base_name(r);
    if (is_output_top(name) || is_data_top(name) || name[0] == '.' || name == "__pycache__" ||
        name == "site-packages") {
      return false;
    }
  }
  return true;
}

std::string read_text(const std::string& path, std::uint64_t size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return {};
  std::string text(std::min<std::uint64_t>(size, kMaxCheckedTextBytes), '\0');
  std::size_t got = 0;
  ssize_t n = 0;
  while (got < text.size() && (n = ::read(fd, text.data() + got, text.size() - got)) > 0) got += static_cast<std::size_t>(n);
  ::close(fd);
  text.resize(got);
  return text;
}

void git_findings(ScanState& s) {
  if (!s.git) return;
  std::map<std::string, std::vector<std::string>> tracked, unignored;  // artifact kind -> rels
  for (const auto& e : s.inv.entries) {
    if (e.dir) {
      // A checkpoint folder (HF checkpoint-N) is one artifact.
      if (!s.checkpoint_rels.count(e.rel)) continue;
    } else if (inside_checkpoint_folder(s, e.rel)) {
      continue;
    }
    std::string kind = artifact_kind(s, e);
    if (kind.empty()) continue;
    if (e.dir ? s.tracked_below(e.rel) : s.tracked(e.rel)) {
      tracked[kind].push_back(e.rel);
    } else if (!e.ignored) {
      unignored[kind].push_back(e.rel);
    }
  }
  auto lines = [](const std::set<std::string>& set) {
    std::string out;
    for (const auto& l : set) out += (out.empty() ? "" : ", ") + l;
    return out;
  };
  for (auto& [kind, rels] : tracked) {
    Finding f;
    f.kind = kKindGitTracked;
    for (const auto& r : rels) f.paths.push_back(s.abs(r));
    std::set<std::string> own;
    for (const auto& r : rels) own.insert(ignore_line(r));
    f.reason = fmt::format("{} {} file(s) tracked by git: every clone carries them", rels.size(), kind);
    f.action = fmt::format("git rm --cached the files, then add to .gitignore: {}", lines(own));
    s.findings.push_back(std::move(f));
  }
  for (auto& [kind, rels] : unignored) {
    Finding f;
    f.kind = kKindNotIgnored;
    for (const auto& r : rels) f.paths.push_back(s.abs(r));
    std::set<std::string> own;
    for (const auto& r : rels) own.insert(ignore_line(r));
    f.reason = fmt::format("{} {} file(s) not covered by .gitignore: one `git add .` commits them", rels.size(), kind);
    f.action = fmt::format("add to .gitignore: {}", lines(own));
    s.findings.push_back(std::move(f));
  }
}

void text_findings(ScanState& s) {
  std::map<std::string, std::vector<std::string>> identical, uncommented;  // content -> rels
  for (const auto& e : s.inv.entries) {
    if (e.dir || e.bytes > kMaxCheckedTextBytes || !is_text_to_check(e.rel) || !own_text(e.rel)) continue;
    std::string text = read_text(s.abs(e.rel), e.bytes);
    for (const auto& hit : find_secrets(text)) {
      Finding f;
      f.kind = kKindSecret;
      f.paths = {fmt::format("{}:{}", s.abs(e.rel), hit.line)};
      f.reason = fmt::format("{} in {} line {}{}", hit.what, e.rel, hit.line,
                             s.tracked(e.rel) ? " (and git tracks the file: it is in the history)" : "");
      f.action = "revoke the key, then read it from the environment (or a git-ignored .env) instead of the file";
      s.findings.push_back(std::move(f));
    }
    if (extension(e.rel) != ".json") {
      auto homes = find_home_paths(text);
      if (!homes.empty()) {
        Finding f;
        f.kind = kKindHomePath;
        for (const auto& h : homes) f.paths.push_back(fmt::format("{}:{}", s.abs(e.rel), h.line));
        f.reason = fmt::format("{} absolute home-directory path(s) ({}) in {}: the file breaks on any other machine",
                               homes.size(), homes.front().what, e.rel);
        f.action = "use a path relative to the project, or ${oc.env:HOME}/os.path.expanduser('~')";
        s.findings.push_back(std::move(f));
      }
    }
    if (is_config(e.rel) && !text.empty()) {
      identical[text].push_back(e.rel);
      uncommented[config_without_comments(text)].push_back(e.rel);
    }
  }
  std::set<std::vector<std::string>> same_bytes;
  for (auto& [text, rels] : identical) {
    if (rels.size() < 2) continue;
    same_bytes.insert(rels);
    Finding f;
    f.kind = kKindDuplicateConfig;
    for (const auto& r : rels) f.paths.push_back(s.abs(r));
    f.reason = fmt::format("{} configs are identical", rels.size());
    f.action = "keep one (Hydra defaults or YAML anchors can share the rest)";
    s.findings.push_back(std::move(f));
  }
  for (auto& [text, rels] : uncommented) {
    if (rels.size() < 2 || same_bytes.count(rels) || text.empty()) continue;
    Finding f;
    f.kind = kKindDuplicateConfig;
    for (const auto& r : rels) f.paths.push_back(s.abs(r));
    f.reason = fmt::format("{} configs differ only in comments", rels.size());
    f.action = "keep one, and move the comments into it";
    s.findings.push_back(std::move(f));
  }
}

}  // namespace

void find_hygiene(ScanState& s) {
  git_findings(s);
  text_findings(s);
}

}  // namespace trainctl::cleanup::detail
