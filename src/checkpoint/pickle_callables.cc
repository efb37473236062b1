#include "checkpoint/pickle_callables.h"

#include "checkpoint/pickle_names.h"
#include "checkpoint/pickle_text_codecs.h"

namespace trainctl::checkpoint {
namespace {

// Text of a persistent-id field that Python 2 era files may hold as bytes (decoded as latin-1,
// so that any bytes make valid UTF-8).
std::optional<std::string> text_of(const PickleDocument& doc, NodeIndex index) {
  const Node& n = doc.node(index);
  if (n.kind == ValueKind::kString) return n.text;
  if (n.kind == ValueKind::kBytes) return utf8_from_latin1(n.text);
  if (n.kind == ValueKind::kInt) return std::to_string(n.integer);
  if (n.kind == ValueKind::kBigInt) return n.text;
  return std::nullopt;
}

}  // namespace

core::Result<NodeIndex> add_folded(PickleBuilder& builder, Node node, const CallSite& site) {
  node.from_call = true;
  node.callable = site.callable;
  return builder.add(std::move(node));
}

std::optional<std::vector<std::int64_t>> int_sequence(const PickleDocument& doc, NodeIndex index,
                                                      std::size_t max_items) {
  const Node& n = doc.node(index);
  if (n.kind != ValueKind::kTuple && n.kind != ValueKind::kList) return std::nullopt;
  if (n.items.size() > max_items) return std::nullopt;
  std::vector<std::int64_t> values;
  values.reserve(n.items.size());
  for (NodeIndex item : n.items) {
    const Node& v = doc.node(item);
    if (v.kind != ValueKind::kInt) return std::nullopt;
    values.push_back(v.integer);
  }
  return values;
}

std::optional<bool> truthy(const PickleDocument& doc, NodeIndex index) {
  const Node& n = doc.node(index);
  if (n.kind == ValueKind::kBool || n.kind == ValueKind::kInt) return n.integer != 0;
  if (n.kind == ValueKind::kNone) return false;
  return std::nullopt;
}

ModelResult model_call(PickleBuilder& builder, NodeIndex callable, NodeIndex args) {
  const PickleDocument& doc = builder.doc();
  const GlobalReference* global = doc.as_global(callable);
  if (global == nullptr || global->built_at_load_time) return std::optional<NodeIndex>{};
  auto [module, name] = python3_global(global->module, global->name);
  CallModel model = nullptr;
  for (auto table : {python_models(), torch_models()}) {
    for (const ModelEntry& entry : table) {
      if (model == nullptr && entry.module == module && entry.name == name) model = entry.model;
    }
  }
  if (model == nullptr) return std::optional<NodeIndex>{};
  const Node& arguments = doc.node(args);
  if (arguments.kind != ValueKind::kTuple || arguments.items.size() > kMaxModelledArguments) {
    return std::optional<NodeIndex>{};
  }
  CallSite site{callable, std::move(module), std::move(name), args, arguments.items};
  if (!builder.enter_model()) {
    builder.leave_model();
    return std::optional<NodeIndex>{};
  }
  ModelResult result = model(builder, site);
  builder.leave_model();
  return result;
}

std::optional<std::string> model_global_constant(std::string_view module, std::string_view name) {
  return torch_constant(module, name);
}

core::Result<NodeIndex> model_persistent_id(PickleBuilder& builder, NodeIndex pid) {
  const PickleDocument& doc = builder.doc();
  auto opaque = [&]() -> core::Result<NodeIndex> {
    Node node;
    node.kind = ValueKind::kPersistentId;
    node.args = pid;
    return builder.add(std::move(node));
  };
  const Node& payload = doc.node(pid);
  if ((payload.kind != ValueKind::kTuple && payload.kind != ValueKind::kList) ||
      (payload.items.size() != 5 && payload.items.size() != 6)) {
    return opaque();
  }
  std::vector<NodeIndex> fields = payload.items;
  auto tag = text_of(doc, fields[0]);
  auto key = text_of(doc, fields[2]);
  auto location = text_of(doc, fields[3]);
  if (!tag || *tag != "storage" || !key || !location) return opaque();

  StorageRef storage;
  storage.key = *key;
  storage.location = *location;
  if (doc.node(fields[4]).kind == ValueKind::kInt) storage.numel = doc.node(fields[4]).integer;
  if (const GlobalReference* type = doc.as_global(fields[1])) {
    storage.storage_type = type->qualified_name();
    storage.dtype = torch_storage_dtype(type->name).value_or("");
  }

  // Legacy (pre-1.6) files could name a view into a storage: (view_key, offset, view_numel).
  std::string node_key = storage.key;
  std::int64_t view_offset = 0;
  if (fields.size() == 6 && doc.node(fields[5]).kind == ValueKind::kTuple) {
    const std::vector<NodeIndex>& view = doc.node(fields[5]).items;
    auto view_key = view.size() == 3 ? text_of(doc, view[0]) : std::nullopt;
    if (!view_key || doc.node(view[1]).kind != ValueKind::kInt) return opaque();
    view_offset = doc.node(view[1]).integer;
    node_key = "view:" + *view_key;
  }

  auto& nodes = builder.storage_nodes();
  if (auto found = nodes.find(node_key); found != nodes.end()) return found->second;
  // The storage record is shared by a storage and all its views.
  std::uint32_t ref = 0;
  auto root = nodes.find(storage.key);
  const bool known = root != nodes.end();
  if (known) {
    ref = doc.node(root->second).ref;
  } else {
    if (auto status = builder.charge_text(storage.key.size() + storage.location.size()); !status) return status.error();
    ref = builder.doc().add_storage(std::move(storage));
  }
  Node node;
  node.kind = ValueKind::kStorage;
  node.ref = ref;
  node.integer = view_offset;
  node.args = pid;
  auto added = builder.add(std::move(node));
  if (!added) return added;
  nodes.emplace(node_key, *added);
  if (!known && node_key != builder.doc().storages()[ref].key) {
    // A view seen before its root: later plain references to the root share the record.
    Node whole;
    whole.kind = ValueKind::kStorage;
    whole.ref = ref;
    whole.args = pid;
    auto root_added = builder.add(std::move(whole));
    if (!root_added) return root_added;
    nodes.emplace(builder.doc().storages()[ref].key, *root_added);
  }
  return added;
}

}  // namespace trainctl::checkpoint
