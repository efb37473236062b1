#include "checkpoint/pickle_value.h"

namespace trainctl::checkpoint {
namespace {

// numpy type codes as dtype names: 'f4' → "float32".
std::string numpy_dtype_name(const std::string& code) {
  static constexpr std::pair<const char*, const char*> kNames[] = {
      {"b1", "bool"}, {"i1", "int8"}, {"i2", "int16"}, {"i4", "int32"}, {"i8", "int64"},
      {"u1", "uint8"}, {"u2", "uint16"}, {"u4", "uint32"}, {"u8", "uint64"},
      {"f2", "float16"}, {"f4", "float32"}, {"f8", "float64"}, {"c8", "complex64"}, {"c16", "complex128"},
  };
  for (const auto& [from, to] : kNames) {
    if (code == from) return to;
  }
  return code;
}

}  // namespace

std::string_view kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNone: return "None";
    case ValueKind::kBool: return "bool";
    case ValueKind::kInt: return "int";
    case ValueKind::kBigInt: return "int";
    case ValueKind::kFloat: return "float";
    case ValueKind::kString: return "str";
    case ValueKind::kBytes: return "bytes";
    case ValueKind::kList: return "list";
    case ValueKind::kTuple: return "tuple";
    case ValueKind::kDict: return "dict";
    case ValueKind::kSet: return "set";
    case ValueKind::kFrozenSet: return "frozenset";
    case ValueKind::kGlobal: return "global";
    case ValueKind::kPersistentId: return "persistent id";
    case ValueKind::kStorage: return "storage";
    case ValueKind::kTensor: return "tensor";
    case ValueKind::kObject: return "object";
  }
  return "value";
}

PickleDocument::PickleDocument() {
  nodes_.push_back(Node{});  // kNoneNode
  Node no;
  no.kind = ValueKind::kBool;
  nodes_.push_back(no);      // kFalseNode
  Node yes = no;
  yes.integer = 1;
  nodes_.push_back(yes);     // kTrueNode
}

NodeIndex PickleDocument::add(Node node) {
  nodes_.push_back(std::move(node));
  return static_cast<NodeIndex>(nodes_.size() - 1);
}

std::uint32_t PickleDocument::add_storage(StorageRef storage) {
  storages_.push_back(std::move(storage));
  return static_cast<std::uint32_t>(storages_.size() - 1);
}

std::uint32_t PickleDocument::add_tensor(TensorRef tensor) {
  tensors_.push_back(std::move(tensor));
  return static_cast<std::uint32_t>(tensors_.size() - 1);
}

std::optional<NodeIndex> PickleDocument::get(NodeIndex dict, std::string_view key) const {
  if (dict >= nodes_.size()) return std::nullopt;
  const Node& n = nodes_[dict];
  if (n.kind != ValueKind::kDict && n.kind != ValueKind::kObject) return std::nullopt;
  std::optional<NodeIndex> found;
  for (const auto& [k, v] : n.entries) {
    const std::string* text = as_string(k);
    if (text && *text == key) found = v;
  }
  return found;
}

std::optional<NodeIndex> PickleDocument::attribute(NodeIndex object, std::string_view name) const {
  if (object >= nodes_.size()) return std::nullopt;
  NodeIndex state = nodes_[object].state;
  if (state == kNoNode) return std::nullopt;
  // A (dict, slots) pair is how objects with __slots__ pickle their state.
  if (nodes_[state].kind == ValueKind::kTuple && nodes_[state].items.size() == 2) {
    for (NodeIndex part : nodes_[state].items) {
      if (auto found = get(part, name)) return found;
    }
    return std::nullopt;
  }
  return get(state, name);
}

std::optional<std::int64_t> PickleDocument::as_int(NodeIndex index) const {
  if (index >= nodes_.size()) return std::nullopt;
  const Node& n = nodes_[index];
  if (n.kind == ValueKind::kInt || n.kind == ValueKind::kBool) return n.integer;
  return std::nullopt;
}

std::optional<double> PickleDocument::as_float(NodeIndex index) const {
  if (index >= nodes_.size()) return std::nullopt;
  const Node& n = nodes_[index];
  if (n.kind == ValueKind::kFloat) return n.real;
  if (n.kind == ValueKind::kInt) return static_cast<double>(n.integer);
  return std::nullopt;
}

std::optional<bool> PickleDocument::as_bool(NodeIndex index) const {
  if (index >= nodes_.size() || nodes_[index].kind != ValueKind::kBool) return std::nullopt;
  return nodes_[index].integer != 0;
}

const std::string* PickleDocument::as_string(NodeIndex index) const {
  if (index >= nodes_.size() || nodes_[index].kind != ValueKind::kString) return nullptr;
  return &nodes_[index].text;
}

const std::string* PickleDocument::as_bytes(NodeIndex index) const {
  if (index >= nodes_.size() || nodes_[index].kind != ValueKind::kBytes) return nullptr;
  return &nodes_[index].text;
}

const TensorRef* PickleDocument::as_tensor(NodeIndex index) const {
  if (index >= nodes_.size() || nodes_[index].kind != ValueKind::kTensor) return nullptr;
  return &tensors_[nodes_[index].ref];
}

const StorageRef* PickleDocument::as_storage(NodeIndex index) const {
  if (index >= nodes_.size() || nodes_[index].kind != ValueKind::kStorage) return nullptr;
  return &storages_[nodes_[index].ref];
}

const GlobalReference* PickleDocument::as_global(NodeIndex index) const {
  if (index >= nodes_.size() || nodes_[index].kind != ValueKind::kGlobal) return nullptr;
  return &globals_[nodes_[index].ref];
}

std::string PickleDocument::object_type(NodeIndex index) const {
  if (index >= nodes_.size()) return "";
  const GlobalReference* global = as_global(nodes_[index].callable);
  return global ? global->qualified_name() : "";
}

std::optional<NumpyArrayInfo> PickleDocument::numpy_array(NodeIndex index) const {
  if (index >= nodes_.size() || nodes_[index].kind != ValueKind::kObject) return std::nullopt;
  const Node& n = nodes_[index];
  const std::string type = object_type(index);
  NodeIndex shape_node = kNoNode;
  NodeIndex dtype_node = kNoNode;
  if (type == "numpy.ndarray" && n.state != kNoNode && nodes_[n.state].kind == ValueKind::kTuple &&
      nodes_[n.state].items.size() >= 3) {
    shape_node = nodes_[n.state].items[1];  // (version, shape, dtype, is_fortran, data)
    dtype_node = nodes_[n.state].items[2];
  } else if ((type == "numpy.core.numeric._frombuffer" || type == "numpy._core.numeric._frombuffer") &&
             n.args != kNoNode && nodes_[n.args].items.size() >= 3) {
    dtype_node = nodes_[n.args].items[1];
    shape_node = nodes_[n.args].items[2];
  } else {
    return std::nullopt;
  }
  NumpyArrayInfo info;
  const Node& shape = nodes_[shape_node];
  if (shape.kind != ValueKind::kTuple && shape.kind != ValueKind::kList) return std::nullopt;
  for (NodeIndex dim : shape.items) {
    auto value = as_int(dim);
    if (!value) return std::nullopt;
    info.shape.push_back(*value);
  }
  const Node& dtype = nodes_[dtype_node];
  if (object_type(dtype_node) != "numpy.dtype" || dtype.args == kNoNode || nodes_[dtype.args].items.empty()) {
    return std::nullopt;
  }
  const std::string* code = as_string(nodes_[dtype.args].items[0]);
  if (code == nullptr) return std::nullopt;
  info.dtype = numpy_dtype_name(*code);
  return info;
}

}  // namespace trainctl::checkpoint
