#include "exec/run_facts.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace trainctl::exec {
namespace {
namespace fs = std::filesystem;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

std::optional<std::string> config_in_argv(const std::vector<std::string>& argv, const std::string& cwd) {
  static const char* kFlags[] = {"--config", "--config-file", "--config_file", "--cfg", "-c"};
  for (std::size_t i = 1; i < argv.size(); ++i) {
    std::optional<std::string> value;
    for (const char* flag : kFlags) {
      std::string f = flag;
      if (argv[i] == f && i + 1 < argv.size()) value = argv[i + 1];
      if (argv[i].rfind(f + "=", 0) == 0) value = argv[i].substr(f.size() + 1);
    }
    // `python -c CODE` is code, not a config.
    if (argv[i] == "-c" && i == 1) continue;
    if (!value) continue;
    fs::path p(*value);
    if (p.is_relative()) p = fs::path(cwd) / p;
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return fs::weakly_canonical(p, ec).string();
  }
  return std::nullopt;
}

std::optional<std::string> file_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::uint64_t h = 0xcbf29ce484222325ull;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(buffer[i]);
      h *= 0x100000001b3ull;
    }
  }
  return fmt::format("fnv1a64:{:016x}", h);
}

std::map<std::string, std::string> relevant_environment(const core::EnvironmentVars& env) {
  static const char* kNames[] = {"CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "MASTER_ADDR", "MASTER_PORT", "WORLD_SIZE",
                                 "RANK", "LOCAL_RANK", "NODE_RANK", "LOCAL_WORLD_SIZE", "OMP_NUM_THREADS",
                                 "NCCL_DEBUG", "PYTORCH_CUDA_ALLOC_CONF", "ACCELERATE_CONFIG_FILE"};
  std::map<std::string, std::string> out;
  for (const char* name : kNames) {
    if (auto v = env.get(name)) out[name] = *v;
  }
  return out;
}

void add_git_facts(RunRecord& record, const safety::CommandGuard& guard, const core::EnvironmentVars& env) {
  core::SubprocessOptions o;
  o.cwd = record.cwd;
  o.env = env;
  o.timeout = kGitTimeout;
  o.argv = {"git", "rev-parse", "HEAD"};
  auto head = safety::run_guarded(guard, o);
  if (!head || !head->succeeded()) return;
  record.git_commit = trim(head->out);
  o.argv = {"git", "status", "--porcelain", "--untracked-files=no"};
  auto status = safety::run_guarded(guard, o);
  if (status && status->succeeded()) record.git_dirty = !trim(status->out).empty();
}

std::string host_name() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return "";
  return buffer;
}

}  // namespace trainctl::exec

#include "checkpoint/discovery.h"

namespace trainctl::exec {

std::vector<std::string> checkpoints_written(const std::string& cwd, std::int64_t since_ms) {
  std::vector<std::string> out;
  auto found = checkpoint::find_candidates(cwd);
  if (!found) return out;
  // Modification times have sub-second precision here (ext4, tmpfs, xfs); a checkpoint the run
  // wrote comes long after its start (the interpreter's start-up alone takes longer).
  double since = static_cast<double>(since_ms) / 1000.0;
  for (const auto& c : *found) {
    if (c.modified_time >= since) out.push_back(c.path);
  }
  return out;
}

}  // namespace trainctl::exec
