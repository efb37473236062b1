#include "checkpoint/state_metadata.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string_view>
#include <tuple>

#include "checkpoint/pickle_json.h"
#include "checkpoint/safetensors_header.h"

namespace trainctl::checkpoint {
namespace {

using nlohmann::json;

// Names under which real training code stores each fact, most specific first.
constexpr std::array kStepKeys = {"global_step", "step", "iter_num", "iteration", "iter", "steps", "num_updates",
                                  "train_step", "total_steps", "updates", "n_iter", "global_steps", "it"};
constexpr std::array kEpochKeys = {"epoch", "current_epoch", "epochs", "ep"};
constexpr std::array kConfigKeys = {"config", "hyper_parameters", "hparams", "cfg", "args", "opt", "options",
                                    "training_args", "train_config", "conf", "model_args", "model_config"};
constexpr std::array kModelKeys = {"model", "state_dict", "model_state_dict", "model_state", "module", "net",
                                   "network", "model_states", "ema", "ema_model", "params", "weights", "generator"};
constexpr std::array kOptimizerKeys = {"optimizer", "optimizer_state_dict", "optimizer_state", "optim",
                                       "opt_state", "optimizer_states", "optimizers"};
constexpr std::array kMetricContainers = {"metrics", "metric", "eval_metrics", "val_metrics", "train_metrics",
                                          "scores", "results", "stats", "best_metrics", "eval_results"};
// Substrings that make a scalar's key a metric.
constexpr std::array kMetricWords = {"loss", "acc", "perplexity", "ppl", "score", "f1", "bleu", "rouge", "lr",
                                     "learning_rate", "auc", "map", "wer", "cer", "error", "metric", "precision",
                                     "recall", "reward", "bpc", "bpb", "top1", "top5", "best", "iou", "dice"};
constexpr std::size_t kMaxMetricDepth = 3;
constexpr std::size_t kMaxMetrics = 200;
constexpr std::size_t kMaxPlainDepth = 32;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The (key, value) pairs of a dict, or of an object's BUILD state dict (Namespace, modules).
const std::vector<std::pair<NodeIndex, NodeIndex>>* entries_of(const PickleDocument& doc, NodeIndex index) {
  if (index == kNoNode || index >= doc.node_count()) return nullptr;
  const Node& n = doc.node(index);
  if (n.kind == ValueKind::kDict) return &n.entries;
  if (n.kind == ValueKind::kObject) {
    if (!n.entries.empty()) return &n.entries;
    if (n.state != kNoNode && doc.node(n.state).kind == ValueKind::kDict) return &doc.node(n.state).entries;
  }
  return nullptr;
}

std::optional<NodeIndex> lookup(const PickleDocument& doc, NodeIndex dict, std::string_view key) {
  const auto* entries = entries_of(doc, dict);
  if (!entries) return std::nullopt;
  std::optional<NodeIndex> found;
  for (const auto& [k, v] : *entries) {
    const std::string* s = doc.as_string(k);
    if (s && *s == key) found = v;  // the last entry wins, as in Python
  }
  return found;
}

template <std::size_t N>
std::optional<std::pair<std::string, NodeIndex>> first_key(const PickleDocument& doc, NodeIndex dict,
                                                           const std::array<const char*, N>& keys) {
  for (const char* key : keys) {
    if (auto v = lookup(doc, dict, key)) return std::make_pair(std::string(key), *v);
  }
  return std::nullopt;
}

std::optional<double> scalar(const PickleDocument& doc, NodeIndex index, const ScalarReader& read_scalar) {
  if (index == kNoNode) return std::nullopt;
  const Node& n = doc.node(index);
  if (n.kind == ValueKind::kInt) return static_cast<double>(n.integer);
  if (n.kind == ValueKind::kFloat) return n.real;
  if (n.kind == ValueKind::kTensor) {
    const TensorRef* t = doc.as_tensor(index);
    if (t && tensor_numel(*t) == 1 && read_scalar) return read_scalar(*t);
  }
  return std::nullopt;
}

std::optional<std::int64_t> integral(const PickleDocument& doc, NodeIndex index, const ScalarReader& read_scalar) {
  auto value = scalar(doc, index, read_scalar);
  if (!value || !std::isfinite(*value) || *value != std::floor(*value) || std::fabs(*value) > 9e15) return std::nullopt;
  return static_cast<std::int64_t>(*value);
}

json metric_json(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

bool is_metric_name(const std::string& key) {
  std::string k = lower(key);
  for (const char* word : kMetricWords) {
    if (k.find(word) != std::string::npos) return true;
  }
  return false;
}

// Every numeric scalar below `index`, with dotted names, up to kMaxMetricDepth levels.
void collect_metrics(const PickleDocument& doc, NodeIndex index, const std::string& prefix, std::size_t depth,
                     const ScalarReader& read_scalar, json& out) {
  const auto* entries = entries_of(doc, index);
  if (!entries || depth > kMaxMetricDepth) return;
  for (const auto& [k, v] : *entries) {
    if (out.size() >= kMaxMetrics) return;
    const std::string* key = doc.as_string(k);
    if (!key) continue;
    std::string name = prefix.empty() ? *key : prefix + "." + *key;
    if (doc.node(v).kind == ValueKind::kBool) continue;
    if (auto value = scalar(doc, v, read_scalar)) {
      out[name] = metric_json(*value);
    } else {
      collect_metrics(doc, v, name, depth + 1, read_scalar, out);
    }
  }
}

// Tensors reachable from `index` (cycle-safe), each once.
std::vector<const TensorRef*> tensors_under(const PickleDocument& doc, NodeIndex index) {
  std::vector<const TensorRef*> found;
  if (index == kNoNode) return found;
  std::vector<bool> seen(doc.node_count(), false);
  std::vector<NodeIndex> stack{index};
  auto push = [&](NodeIndex i) {
    if (i != kNoNode && i < doc.node_count() && !seen[i]) stack.push_back(i);
  };
  while (!stack.empty()) {
    NodeIndex i = stack.back();
    stack.pop_back();
    if (seen[i]) continue;
    seen[i] = true;
    const Node& n = doc.node(i);
    if (n.kind == ValueKind::kTensor) {
      if (const TensorRef* t = doc.as_tensor(i)) found.push_back(t);
      continue;
    }
    for (NodeIndex item : n.items) push(item);
    for (const auto& [k, v] : n.entries) {
      push(k);
      push(v);
    }
    push(n.args);
    push(n.state);
    push(n.keywords);
  }
  return found;
}

// Tied weights (one storage, one view) count once, as they do in model.parameters().
std::vector<const TensorRef*> distinct(const std::vector<const TensorRef*>& tensors) {
  std::set<std::tuple<std::uint32_t, std::string, std::int64_t, std::vector<std::int64_t>, std::vector<std::int64_t>>> seen;
  std::vector<const TensorRef*> out;
  for (const TensorRef* t : tensors) {
    if (!t->storage) {
      out.push_back(t);
      continue;
    }
    if (seen.insert({*t->storage, t->dtype, t->storage_offset, t->shape, t->stride}).second) out.push_back(t);
  }
  return out;
}

std::uint64_t tensor_bytes_of(const TensorRef& t) { return tensor_numel(t) * dtype_size(t.dtype); }

std::string optimizer_type(const std::set<std::string>& keys, const PickleDocument& doc, NodeIndex groups) {
  auto has = [&](const char* k) { return keys.count(k) != 0; };
  if (has("state1") || has("state2")) return "8-bit optimizer (bitsandbytes)";
  if (has("exp_avg_sq_row") || has("exp_avg_sq_col")) return "Adafactor";
  if (has("exp_avg") && has("exp_avg_sq")) {
    NodeIndex first_group = groups == kNoNode || doc.node(groups).items.empty() ? kNoNode : doc.node(groups).items[0];
    if (auto first = entries_of(doc, first_group)) {
      for (const auto& [k, v] : *first) {
        const std::string* key = doc.as_string(k);
        if (key && *key == "decoupled_weight_decay" && doc.as_bool(v).value_or(false)) return "AdamW";
      }
    }
    return has("max_exp_avg_sq") ? "Adam/AdamW (amsgrad)" : "Adam/AdamW";
  }
  if (has("exp_avg")) return "Lion";
  if (has("momentum_buffer")) return "SGD (momentum)";
  if (has("square_avg")) return has("acc_delta") ? "Adadelta" : "RMSprop";
  if (has("sum")) return "Adagrad";
  // An SGD without momentum keeps no per-parameter state; its groups name momentum.
  if (groups != kNoNode) {
    const auto& items = doc.node(groups).items;
    if (!items.empty() && lookup(doc, items[0], "momentum") && !lookup(doc, items[0], "betas")) return "SGD";
    if (!items.empty() && lookup(doc, items[0], "betas")) return "Adam/AdamW";
  }
  return "unknown";
}

std::optional<OptimizerSummary> optimizer_summary(const PickleDocument& doc, NodeIndex index,
                                                  const ScalarReader& read_scalar) {
  // Lightning keeps a list of optimizer state dicts; the first is the one that matters.
  const Node& n = doc.node(index);
  if ((n.kind == ValueKind::kList || n.kind == ValueKind::kTuple) && !n.items.empty()) index = n.items[0];
  auto state = lookup(doc, index, "state");
  auto groups = lookup(doc, index, "param_groups");
  if (!state && !groups) return std::nullopt;
  OptimizerSummary summary;
  std::set<std::string> keys;
  if (state) {
    if (const auto* per_param = entries_of(doc, *state)) {
      for (const auto& [param, param_state] : *per_param) {
        if (const auto* fields = entries_of(doc, param_state)) {
          for (const auto& [k, v] : *fields) {
            if (const std::string* key = doc.as_string(k)) keys.insert(*key);
          }
        }
      }
    }
  }
  summary.state_keys.assign(keys.begin(), keys.end());
  if (groups) {
    summary.param_groups = static_cast<std::int64_t>(doc.node(*groups).items.size());
    if (!doc.node(*groups).items.empty()) {
      if (auto lr = lookup(doc, doc.node(*groups).items[0], "lr")) summary.lr = scalar(doc, *lr, read_scalar);
    }
  }
  summary.type = optimizer_type(keys, doc, groups.value_or(kNoNode));
  for (const TensorRef* t : distinct(tensors_under(doc, index))) summary.state_bytes += tensor_bytes_of(*t);
  return summary;
}

// The subtree that holds the model's weights.
NodeIndex model_subtree(const PickleDocument& doc, NodeIndex root) {
  for (const char* key : kModelKeys) {
    if (auto v = lookup(doc, root, key); v && !tensors_under(doc, *v).empty()) return *v;
  }
  // A bare state_dict: a dict whose values are mostly tensors.
  if (const auto* entries = entries_of(doc, root)) {
    std::size_t tensors = 0;
    for (const auto& [k, v] : *entries) tensors += doc.node(v).kind == ValueKind::kTensor;
    if (tensors > 0 && tensors * 2 >= entries->size()) return root;
    return kNoNode;
  }
  return root;  // a whole pickled nn.Module, or a single tensor
}

void add_lightning_metrics(const PickleDocument& doc, NodeIndex root, const ScalarReader& read_scalar, json& metrics) {
  auto callbacks = lookup(doc, root, "callbacks");
  if (!callbacks) return;
  const auto* entries = entries_of(doc, *callbacks);
  if (!entries) return;
  for (const auto& [k, v] : *entries) {
    const std::string* key = doc.as_string(k);
    // Keys are "ModelCheckpoint" or, since Lightning 1.5, "ModelCheckpoint{'monitor': ...}".
    if (!key || key->rfind("ModelCheckpoint", 0) != 0) continue;
    std::string monitor;
    if (auto m = lookup(doc, v, "monitor"); m && doc.as_string(*m)) monitor = *doc.as_string(*m);
    if (auto best = lookup(doc, v, "best_model_score")) {
      if (auto value = scalar(doc, *best, read_scalar)) {
        metrics[monitor.empty() ? "best_model_score" : "best_" + monitor] = metric_json(*value);
      }
    }
    if (auto current = lookup(doc, v, "current_score")) {
      if (auto value = scalar(doc, *current, read_scalar); value && !monitor.empty()) metrics[monitor] = metric_json(*value);
    }
  }
}

std::string framework_of(const PickleDocument& doc, NodeIndex root) {
  if (lookup(doc, root, "pytorch-lightning_version") || lookup(doc, root, "lightning_version")) return "lightning";
  if (lookup(doc, root, "ds_version") || lookup(doc, root, "ds_config") ||
      (lookup(doc, root, "module") && lookup(doc, root, "buffer_names"))) {
    return "deepspeed";
  }
  if (lookup(doc, root, "iter_num") && lookup(doc, root, "model_args")) return "nanogpt";
  return "pytorch";
}

json plain(const PickleDocument& doc, NodeIndex index, const ScalarReader& read_scalar, std::size_t depth,
           std::vector<bool>& on_path) {
  if (index == kNoNode || index >= doc.node_count()) return nullptr;
  const Node& n = doc.node(index);
  if (depth > kMaxPlainDepth || on_path[index]) return to_json(doc, index);
  switch (n.kind) {
    case ValueKind::kNone: return nullptr;
    case ValueKind::kBool: return n.integer != 0;
    case ValueKind::kInt: return n.integer;
    case ValueKind::kFloat: return metric_json(n.real);
    case ValueKind::kString: return n.text;
    case ValueKind::kTensor: {
      if (auto v = scalar(doc, index, read_scalar)) return metric_json(*v);
      return to_json(doc, index);
    }
    default: break;
  }
  on_path[index] = true;
  json out;
  if (n.kind == ValueKind::kList || n.kind == ValueKind::kTuple || n.kind == ValueKind::kSet ||
      n.kind == ValueKind::kFrozenSet) {
    out = json::array();
    for (NodeIndex item : n.items) out.push_back(plain(doc, item, read_scalar, depth + 1, on_path));
  } else if (n.kind == ValueKind::kObject && n.state != kNoNode && (lookup(doc, n.state, "_content") || lookup(doc, n.state, "_val"))) {
    // omegaconf: DictConfig/ListConfig keep their values in _content, value nodes in _val.
    auto inner = lookup(doc, n.state, "_content");
    if (!inner) inner = lookup(doc, n.state, "_val");
    out = plain(doc, *inner, read_scalar, depth + 1, on_path);
  } else if (const auto* entries = entries_of(doc, index)) {
    out = json::object();
    for (const auto& [k, v] : *entries) {
      const Node& key = doc.node(k);
      std::string name = key.kind == ValueKind::kString ? key.text
                         : key.kind == ValueKind::kInt  ? std::to_string(key.integer)
                                                        : to_json(doc, k).dump();
      out[name] = plain(doc, v, read_scalar, depth + 1, on_path);
    }
  } else {
    out = to_json(doc, index);
  }
  on_path[index] = false;
  return out;
}

}  // namespace

std::uint64_t tensor_numel(const TensorRef& tensor) {
  std::uint64_t numel = 1;
  for (std::int64_t d : tensor.shape) numel *= static_cast<std::uint64_t>(std::max<std::int64_t>(d, 0));
  return numel;
}

json plain_json(const PickleDocument& doc, NodeIndex index, const ScalarReader& read_scalar) {
  std::vector<bool> on_path(doc.node_count(), false);
  return plain(doc, index, read_scalar, 0, on_path);
}

void extract_state_metadata(const PickleDocument& doc, const ScalarReader& read_scalar, CheckpointInfo& info) {
  const NodeIndex root = doc.root();
  info.framework = framework_of(doc, root);

  if (auto step = first_key(doc, root, kStepKeys)) info.step = integral(doc, step->second, read_scalar);
  if (auto epoch = first_key(doc, root, kEpochKeys)) info.epoch = integral(doc, epoch->second, read_scalar);

  json metrics = json::object();
  for (const char* container : kMetricContainers) {
    if (auto v = lookup(doc, root, container)) collect_metrics(doc, *v, "", 1, read_scalar, metrics);
  }
  if (const auto* entries = entries_of(doc, root)) {
    for (const auto& [k, v] : *entries) {
      const std::string* key = doc.as_string(k);
      if (!key || !is_metric_name(*key) || metrics.contains(*key) || doc.node(v).kind == ValueKind::kBool) continue;
      if (auto value = scalar(doc, v, read_scalar)) metrics[*key] = metric_json(*value);
    }
  }
  add_lightning_metrics(doc, root, read_scalar, metrics);
  info.metrics = std::move(metrics);

  if (auto config = first_key(doc, root, kConfigKeys)) {
    info.config_key = config->first;
    info.config = plain_json(doc, config->second, read_scalar);
  }

  NodeIndex optimizer_node = kNoNode;
  if (auto optimizer = first_key(doc, root, kOptimizerKeys)) {
    optimizer_node = optimizer->second;
    info.optimizer = optimizer_summary(doc, optimizer_node, read_scalar);
  }

  NodeIndex model = model_subtree(doc, root);
  if (model != kNoNode) {
    std::uint64_t params = 0;
    for (const TensorRef* t : distinct(tensors_under(doc, model))) {
      params += tensor_numel(*t);
      info.dtypes[t->dtype.empty() ? "unknown" : t->dtype] += tensor_bytes_of(*t);
    }
    info.param_count = params;
  }

  info.tensor_bytes = 0;
  for (const StorageRef& storage : doc.storages()) {
    info.tensor_bytes += static_cast<std::uint64_t>(std::max<std::int64_t>(storage.numel.value_or(0), 0)) *
                         std::max<std::uint64_t>(dtype_size(storage.dtype), 1);
  }
}

}  // namespace trainctl::checkpoint
