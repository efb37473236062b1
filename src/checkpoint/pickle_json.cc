#include "checkpoint/pickle_json.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "checkpoint/pickle_limits.h"

namespace trainctl::checkpoint {
namespace {

using nlohmann::json;

constexpr const char* kEllipsis = "\xE2\x80\xA6";  // "…"

std::string cut_text(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + kEllipsis + fmt::format(" ({} bytes)", text.size());
}

json float_json(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

class Renderer {
 public:
  Renderer(const PickleDocument& doc, const PickleJsonLimits& limits)
      : doc_(doc), limits_(limits), on_path_(doc.node_count(), false) {}

  json render(NodeIndex index, std::size_t depth) {
    if (index == kNoNode || index >= doc_.node_count()) return nullptr;
    if (depth >= std::min(limits_.max_depth, kMaxPickleDepth) || rendered_ >= limits_.max_values) return kEllipsis;
    ++rendered_;
    const Node& n = doc_.node(index);
    switch (n.kind) {
      case ValueKind::kNone: return nullptr;
      case ValueKind::kBool: return n.integer != 0;
      case ValueKind::kInt: return n.integer;
      case ValueKind::kBigInt: return json{{"int", cut_text(n.text, limits_.max_string_bytes)}};
      case ValueKind::kFloat: return float_json(n.real);
      case ValueKind::kString: return cut_text(n.text, limits_.max_string_bytes);
      case ValueKind::kBytes: return bytes_json(n.text);
      case ValueKind::kGlobal: return json{{"global", doc_.as_global(index)->qualified_name()}};
      case ValueKind::kStorage: return storage_json(*doc_.as_storage(index));
      case ValueKind::kTensor: return tensor_json(*doc_.as_tensor(index));
      default: break;
    }
    if (on_path_[index]) return json{{"cycle", std::string(kind_name(n.kind))}};
    on_path_[index] = true;
    json out = container(index, n, depth);
    on_path_[index] = false;
    return out;
  }

 private:
  json container(NodeIndex index, const Node& n, std::size_t depth) {
    switch (n.kind) {
      case ValueKind::kList:
      case ValueKind::kTuple: return items(n.items, depth);
      case ValueKind::kSet:
      case ValueKind::kFrozenSet: return json{{std::string(kind_name(n.kind)), items(n.items, depth)}};
      case ValueKind::kDict: return entries(n.entries, depth);
      case ValueKind::kPersistentId: return json{{"persistent_id", render(n.args, depth + 1)}};
      case ValueKind::kObject: return object(index, n, depth);
      default: return nullptr;
    }
  }

  json bytes_json(const std::string& bytes) {
    std::string hex;
    for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), 32); ++i) {
      hex += fmt::format("{:02x}", static_cast<unsigned char>(bytes[i]));
    }
    if (bytes.size() > 32) hex += kEllipsis;
    return json{{"bytes", bytes.size()}, {"hex", hex}};
  }

  json storage_json(const StorageRef& s) {
    return json{{"storage", {{"key", s.key}, {"dtype", s.dtype}, {"numel", s.numel ? json(*s.numel) : json(nullptr)},
                             {"location", s.location}, {"type", s.storage_type}}}};
  }

  json tensor_json(const TensorRef& t) {
    json body{{"dtype", t.dtype},
              {"shape", t.shape},
              {"stride", t.stride},
              {"storage_offset", t.storage_offset},
              {"storage_key", t.storage ? json(t.storage_key) : json(nullptr)},
              {"location", t.location},
              {"requires_grad", t.requires_grad}};
    if (t.is_parameter) body["parameter"] = true;
    if (t.quantized) body["quantized"] = true;
    if (!t.subclass.empty()) body["subclass"] = t.subclass;
    return json{{"tensor", body}};
  }

  json items(const std::vector<NodeIndex>& values, std::size_t depth) {
    json out = json::array();
    std::size_t shown = std::min(values.size(), limits_.max_items);
    for (std::size_t i = 0; i < shown; ++i) out.push_back(render(values[i], depth + 1));
    if (shown < values.size()) out.push_back(fmt::format("{} {} more", kEllipsis, values.size() - shown));
    return out;
  }

  // A dict whose keys all print as strings is a JSON object; any other is a list of pairs.
  std::optional<std::string> key_text(NodeIndex key) {
    const Node& k = doc_.node(key);
    switch (k.kind) {
      case ValueKind::kString: return cut_text(k.text, limits_.max_string_bytes);
      case ValueKind::kInt: return std::to_string(k.integer);
      case ValueKind::kBigInt: return k.text;
      case ValueKind::kBool: return k.integer ? "True" : "False";
      case ValueKind::kNone: return "None";
      default: return std::nullopt;
    }
  }

  json entries(const std::vector<std::pair<NodeIndex, NodeIndex>>& pairs, std::size_t depth) {
    std::size_t shown = std::min(pairs.size(), limits_.max_items);
    bool plain = true;
    for (std::size_t i = 0; i < shown && plain; ++i) plain = key_text(pairs[i].first).has_value();
    json out = plain ? json::object() : json::array();
    for (std::size_t i = 0; i < shown; ++i) {
      if (plain) {
        out[*key_text(pairs[i].first)] = render(pairs[i].second, depth + 1);
      } else {
        out.push_back(json::array({render(pairs[i].first, depth + 1), render(pairs[i].second, depth + 1)}));
      }
    }
    if (shown < pairs.size()) {
      std::string more = fmt::format("{} {} more", kEllipsis, pairs.size() - shown);
      if (plain) out[kEllipsis] = more;
      else out.push_back(more);
    }
    return plain ? out : json{{"dict", out}};
  }

  json object(NodeIndex index, const Node& n, std::size_t depth) {
    if (auto array = doc_.numpy_array(index)) {
      return json{{"ndarray", {{"shape", array->shape}, {"dtype", array->dtype}}}};
    }
    std::string type = doc_.object_type(index);
    json out;
    out["object"] = type.empty() ? render(n.callable, depth + 1) : json(type);
    if (n.args != kNoNode && !doc_.node(n.args).items.empty()) out["args"] = render(n.args, depth + 1);
    if (n.keywords != kNoNode) out["kwargs"] = render(n.keywords, depth + 1);
    if (n.state != kNoNode) out["state"] = render(n.state, depth + 1);
    if (!n.items.empty()) out["items"] = items(n.items, depth);
    if (!n.entries.empty()) out["entries"] = entries(n.entries, depth);
    return out;
  }

  const PickleDocument& doc_;
  const PickleJsonLimits& limits_;
  std::vector<bool> on_path_;
  std::size_t rendered_ = 0;
};

}  // namespace

json to_json(const PickleDocument& doc, NodeIndex index, const PickleJsonLimits& limits) {
  Renderer renderer(doc, limits);
  return renderer.render(index, 0);
}

}  // namespace trainctl::checkpoint
