#include "checkpoint/inspect.h"

#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <cctype>

#include <fmt/format.h>

#include "checkpoint/merge_security.h"
#include "checkpoint/safetensors_header.h"
#include "core/file_times.h"

namespace trainctl::checkpoint {
namespace {

namespace fs = std::filesystem;
using core::modified_time;
using nlohmann::json;

constexpr std::uint64_t kMaxJsonFileBytes = 64ULL << 20;

std::optional<json> read_json_file(const fs::path& path, std::string& error) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec || size > kMaxJsonFileBytes) {
    error = fmt::format("{}: {}", path.string(), ec ? ec.message() : "too large to be a metadata file");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    error = fmt::format("{} is not valid JSON (cut short?)", path.filename().string());
    return std::nullopt;
  }
  return j;
}

// Bytes of every file below a folder, and its newest modification time.
void folder_size(const fs::path& dir, CheckpointInfo& info) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file(ec)) {
      info.file_bytes += it->file_size(ec);
      info.modified_time = std::max(info.modified_time, modified_time(it->path()));
    }
  }
}

CheckpointInfo base_info(const fs::path& path, const std::string& format, const std::string& framework) {
  CheckpointInfo info;
  std::error_code ec;
  info.path = fs::absolute(path, ec).lexically_normal().string();
  if (!info.path.empty() && info.path.back() == '/') info.path.pop_back();
  info.format = format;
  info.framework = framework;
  info.valid = true;
  return info;
}

// Adds one safetensors file's tensors to info (folders may hold several shards).
void add_safetensors(const fs::path& file, CheckpointInfo& info) {
  auto header = read_safetensors_header(file.string());
  if (!header) {
    info.mark_invalid(fmt::format("{}: {}", file.filename().string(), header.error().message));
    return;
  }
  std::uint64_t params = info.param_count.value_or(0);
  for (const auto& t : header->tensors) {
    std::uint64_t numel = 1;
    for (auto d : t.shape) numel *= static_cast<std::uint64_t>(d);
    params += numel;
    info.dtypes[t.dtype] += t.end - t.begin;
    info.tensor_bytes += t.end - t.begin;
  }
  info.param_count = params;
}

CheckpointInfo inspect_safetensors(const fs::path& path) {
  CheckpointInfo info = base_info(path, "safetensors", "safetensors");
  std::error_code ec;
  info.file_bytes = fs::file_size(path, ec);
  info.modified_time = modified_time(path);
  add_safetensors(path, info);
  info.security.verdict = "safe";  // safetensors holds no code: a header and raw bytes
  return info;
}

// Merges a torch file's facts (model or optimizer) into a folder's info.
void absorb(const CheckpointInfo& part, const std::string& name, CheckpointInfo& info, bool model) {
  merge_summary(part.security, name, info.security);
  if (!part.valid) info.mark_invalid(fmt::format("{}: {}", name, part.error.value_or("invalid")));
  if (model) {
    if (part.param_count) info.param_count = info.param_count.value_or(0) + *part.param_count;
    for (const auto& [dtype, bytes] : part.dtypes) info.dtypes[dtype] += bytes;
    if (!info.step) info.step = part.step;
    if (!info.epoch) info.epoch = part.epoch;
    for (auto it = part.metrics.begin(); it != part.metrics.end(); ++it) {
      if (!info.metrics.contains(it.key())) info.metrics[it.key()] = it.value();
    }
    if (info.config.is_null() && !part.config.is_null()) {
      info.config = part.config;
      info.config_key = part.config_key;
    }
  }
  if (part.optimizer && !info.optimizer) info.optimizer = part.optimizer;
  info.tensor_bytes += part.tensor_bytes;
}

// A Hugging Face Trainer checkpoint-N/ folder.
CheckpointInfo inspect_hf_folder(const fs::path& dir, const InspectOptions& options) {
  CheckpointInfo info = base_info(dir, "hf_trainer", "huggingface");
  folder_size(dir, info);
  std::string error;
  if (fs::exists(dir / "trainer_state.json")) {
    if (auto state = read_json_file(dir / "trainer_state.json", error)) {
      if ((*state)["global_step"].is_number_integer()) info.step = (*state)["global_step"].get<std::int64_t>();
      if ((*state)["epoch"].is_number()) {
        double epoch = (*state)["epoch"].get<double>();
        info.epoch = static_cast<std::int64_t>(std::floor(epoch));
        info.metrics["epoch"] = epoch;
      }
      if ((*state)["best_metric"].is_number()) info.metrics["best_metric"] = (*state)["best_metric"];
      // The newest log entry of each kind: training loss and eval metrics are logged separately.
      if ((*state)["log_history"].is_array()) {
        for (const auto& entry : (*state)["log_history"]) {
          if (!entry.is_object()) continue;
          for (auto it = entry.begin(); it != entry.end(); ++it) {
            if (it.value().is_number() && it.key() != "step" && it.key() != "epoch" && it.key() != "total_flos") {
              info.metrics[it.key()] = it.value();
            }
          }
        }
      }
    } else {
      info.mark_invalid(error);
    }
  }
  if (fs::exists(dir / "config.json")) {
    if (auto config = read_json_file(dir / "config.json", error)) {
      info.config = *config;
      info.config_key = "config.json";
    }
  }
  // Weights: single or sharded safetensors, PEFT adapters, or pickled .bin files.
  bool weights = false;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::string name = file.filename().string();
    bool model_file = name.rfind("model", 0) == 0 || name.rfind("pytorch_model", 0) == 0 || name.rfind("adapter_model", 0) == 0;
    if (name.ends_with(".safetensors") && model_file) {
      weights = true;
      add_safetensors(file, info);
    } else if (name.ends_with(".bin") && model_file) {
      weights = true;
      absorb(inspect_torch_file(file.string(), options), name, info, true);
    } else if (name.ends_with(".pt") || name.ends_with(".pth") || name.ends_with(".bin")) {
      // optimizer.pt, scheduler.pt, rng_state*.pth, training_args.bin: pickles too, so scanned.
      absorb(inspect_torch_file(file.string(), options), name, info, false);
    }
  }
  if (!weights) info.mark_invalid("the folder has no model weights (model*.safetensors or pytorch_model*.bin): the save did not finish");
  if (info.security.pickles.empty()) info.security.verdict = "safe";
  return info;
}

// A DeepSpeed global_stepN/ folder (or the run folder holding `latest`, resolved to its tag).
CheckpointInfo inspect_deepspeed_folder(fs::path dir, const InspectOptions& options) {
  if (fs::exists(dir / "latest")) {
    std::ifstream in(dir / "latest");
    std::string tag;
    std::getline(in, tag);
    if (!tag.empty() && tag.find('/') == std::string::npos && fs::is_directory(dir / tag)) dir /= tag;
  }
  CheckpointInfo info = base_info(dir, "deepspeed", "deepspeed");
  folder_size(dir, info);
  bool model = false;
  std::size_t optimizer_shards = 0;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::string name = file.filename().string();
    if (!name.ends_with(".pt")) continue;
    bool is_model = name.find("model_states") != std::string::npos;
    if (name.find("optim_states") != std::string::npos) ++optimizer_shards;
    // Optimizer shards are large pickles of flat fp32 partitions: scan them, read no metadata.
    CheckpointInfo part = inspect_torch_file(file.string(), options);
    absorb(part, name, info, is_model);
    model = model || is_model;
  }
  if (!model) info.mark_invalid("no mp_rank_*_model_states.pt: the DeepSpeed save did not finish");
  if (!info.step) info.step = numbers_from_name(dir.filename().string()).step;
  if (optimizer_shards > 0) info.warnings.push_back(fmt::format("{} ZeRO optimizer shard(s)", optimizer_shards));
  return info;
}

// torch.distributed.checkpoint: a .metadata pickle and one .distcp file per rank.
CheckpointInfo inspect_dcp_folder(const fs::path& dir, const InspectOptions& options) {
  CheckpointInfo info = base_info(dir, "torch_dcp", "pytorch");
  folder_size(dir, info);
  CheckpointInfo metadata = inspect_torch_file((dir / ".metadata").string(), options);
  absorb(metadata, ".metadata", info, false);
  std::size_t shards = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) shards += entry.path().string().ends_with(".distcp");
  if (shards == 0) info.mark_invalid("no .distcp shard files beside .metadata");
  info.step = numbers_from_name(dir.filename().string()).step;
  return info;
}

}  // namespace

namespace {

// The number after the leftmost keyword that starts a word ("step_400" but not "substep400"),
// optionally followed by one of "-_=". A small scanner rather than std::regex: compiling the
// equivalent regex took more than half of `ckpt show`'s run time.
std::optional<std::int64_t> number_after(const std::string& lowered, std::initializer_list<std::string_view> keywords) {
  for (std::size_t at = 0; at < lowered.size(); ++at) {
    if (at > 0 && std::isalpha(static_cast<unsigned char>(lowered[at - 1]))) continue;
    for (std::string_view keyword : keywords) {  // longest first, so "steps" wins over "step"
      if (lowered.compare(at, keyword.size(), keyword) != 0) continue;
      std::size_t digits = at + keyword.size();
      if (digits < lowered.size() && (lowered[digits] == '-' || lowered[digits] == '_' || lowered[digits] == '=')) ++digits;
      std::size_t end = digits;
      while (end < lowered.size() && end - digits < 17 && std::isdigit(static_cast<unsigned char>(lowered[end]))) ++end;
      if (end > digits) return std::stoll(lowered.substr(digits, end - digits));
    }
  }
  return std::nullopt;
}

}  // namespace

NameNumbers numbers_from_name(const std::string& name) {
  std::string lowered = name;
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  NameNumbers numbers;
  numbers.step = number_after(lowered, {"global_step", "checkpoint", "iteration", "steps", "step", "iter", "ckpt", "it"});
  numbers.epoch = number_after(lowered, {"epoch", "ep", "e"});
  return numbers;
}

CheckpointInfo inspect_checkpoint(const std::string& path, const InspectOptions& options) {
  std::error_code ec;
  fs::path p(path);
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / "trainer_state.json") || fs::exists(p / "model.safetensors") ||
        fs::exists(p / "pytorch_model.bin") || fs::exists(p / "model.safetensors.index.json") ||
        fs::exists(p / "adapter_model.safetensors")) {
      return inspect_hf_folder(p, options);
    }
    if (fs::exists(p / ".metadata")) return inspect_dcp_folder(p, options);
    bool deepspeed = fs::exists(p / "latest");
    for (const auto& entry : fs::directory_iterator(p, ec)) {
      deepspeed = deepspeed || entry.path().filename().string().find("model_states.pt") != std::string::npos;
    }
    if (deepspeed) return inspect_deepspeed_folder(p, options);
    CheckpointInfo info = base_info(p, "unknown", "unknown");
    info.mark_invalid("a folder that is no checkpoint format trainctl knows (Hugging Face, DeepSpeed, torch.distributed.checkpoint)");
    return info;
  }
  if (path.ends_with(".safetensors")) return inspect_safetensors(p);
  CheckpointInfo info = inspect_torch_file(path, options);
  if (info.format == "pytorch_zip" && info.framework == "pytorch" && path.ends_with(".ckpt")) info.framework = "lightning";
  NameNumbers numbers = numbers_from_name(p.filename().string());
  if (!info.step && numbers.step && info.valid) info.warnings.push_back("step taken from the file name");
  if (!info.step) info.step = numbers.step;
  if (!info.epoch) info.epoch = numbers.epoch;
  return info;
}

core::Result<CheckpointInfo> show_checkpoint(const std::string& path, const InspectOptions& options) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec)) || ec) {
    return core::Error::not_found(fmt::format("no checkpoint at '{}': no such file or folder", path));
  }
  return inspect_checkpoint(path, options);
}

}  // namespace trainctl::checkpoint
