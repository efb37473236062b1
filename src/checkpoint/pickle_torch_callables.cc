// Models of the torch callables and constants torch.save pickles: the tensor rebuild functions
// (→ TensorRef), torch.Size, torch.device, dtype/layout/qscheme constants and storage classes.
#include "checkpoint/pickle_callables.h"

namespace trainctl::checkpoint {
namespace {

ModelResult not_modelled() { return std::optional<NodeIndex>{}; }

struct NamePair {
  std::string_view torch_name;
  std::string_view value;
};

// torch attributes that are dtype objects, by canonical name (str(torch.half) is "torch.float16").
constexpr NamePair kDtypes[] = {
    {"float32", "float32"}, {"float", "float32"}, {"float64", "float64"}, {"double", "float64"},
    {"float16", "float16"}, {"half", "float16"}, {"bfloat16", "bfloat16"},
    {"complex32", "complex32"}, {"chalf", "complex32"}, {"complex64", "complex64"}, {"cfloat", "complex64"},
    {"complex128", "complex128"}, {"cdouble", "complex128"},
    {"uint8", "uint8"}, {"int8", "int8"}, {"int16", "int16"}, {"short", "int16"},
    {"int32", "int32"}, {"int", "int32"}, {"int64", "int64"}, {"long", "int64"}, {"bool", "bool"},
    {"uint16", "uint16"}, {"uint32", "uint32"}, {"uint64", "uint64"},
    {"qint8", "qint8"}, {"quint8", "quint8"}, {"qint32", "qint32"}, {"quint4x2", "quint4x2"},
    {"quint2x4", "quint2x4"}, {"float8_e4m3fn", "float8_e4m3fn"}, {"float8_e5m2", "float8_e5m2"},
    {"float8_e4m3fnuz", "float8_e4m3fnuz"}, {"float8_e5m2fnuz", "float8_e5m2fnuz"},
    // Layouts, quantization schemes and memory formats: also plain constants.
    {"strided", "strided"}, {"sparse_coo", "sparse_coo"}, {"sparse_csr", "sparse_csr"},
    {"sparse_csc", "sparse_csc"}, {"sparse_bsr", "sparse_bsr"}, {"sparse_bsc", "sparse_bsc"},
    {"_mkldnn", "_mkldnn"}, {"jagged", "jagged"},
    {"per_tensor_affine", "per_tensor_affine"}, {"per_channel_affine", "per_channel_affine"},
    {"per_tensor_symmetric", "per_tensor_symmetric"}, {"per_channel_symmetric", "per_channel_symmetric"},
    {"per_channel_affine_float_qparams", "per_channel_affine_float_qparams"},
    {"contiguous_format", "contiguous_format"}, {"channels_last", "channels_last"},
    {"channels_last_3d", "channels_last_3d"}, {"preserve_format", "preserve_format"},
};

constexpr NamePair kStorageDtypes[] = {
    {"FloatStorage", "float32"}, {"DoubleStorage", "float64"}, {"HalfStorage", "float16"},
    {"BFloat16Storage", "bfloat16"}, {"LongStorage", "int64"}, {"IntStorage", "int32"},
    {"ShortStorage", "int16"}, {"CharStorage", "int8"}, {"ByteStorage", "uint8"}, {"BoolStorage", "bool"},
    {"ComplexFloatStorage", "complex64"}, {"ComplexDoubleStorage", "complex128"},
    {"QInt8Storage", "qint8"}, {"QUInt8Storage", "quint8"}, {"QInt32Storage", "qint32"},
    {"QUInt4x2Storage", "quint4x2"}, {"QUInt2x4Storage", "quint2x4"},
    // Untyped storages count bytes; _rebuild_tensor_v3 then gives the tensor's dtype.
    {"UntypedStorage", "uint8"}, {"_UntypedStorage", "uint8"}, {"ByteStorageBase", "uint8"},
};

ModelResult make_tensor(PickleBuilder& b, TensorRef tensor, const CallSite& site, NodeIndex state = kNoNode) {
  tensor.rebuilt_by = site.module + "." + site.name;
  Node node;
  node.kind = ValueKind::kTensor;
  node.state = state;
  node.args = site.args_node;
  if (auto status = b.charge_text(tensor.dtype.size() + tensor.storage_key.size() + tensor.location.size());
      !status) {
    return status.error();
  }
  if (auto status = b.charge_items(tensor.shape.size() + tensor.stride.size()); !status) return status.error();
  node.ref = b.doc().add_tensor(std::move(tensor));
  auto added = add_folded(b, std::move(node), site);
  if (!added) return added.error();
  return std::optional<NodeIndex>{*added};
}

// The storage, offset, size and stride arguments every storage-backed rebuild starts with.
std::optional<TensorRef> tensor_on_storage(const PickleDocument& doc, const std::vector<NodeIndex>& args) {
  if (args.size() < 4) return std::nullopt;
  const Node& storage_node = doc.node(args[0]);
  const StorageRef* storage = doc.as_storage(args[0]);
  auto offset = doc.as_int(args[1]);
  auto shape = int_sequence(doc, args[2], kMaxTensorDims);
  auto stride = int_sequence(doc, args[3], kMaxTensorDims);
  if (storage == nullptr || !offset || !shape || !stride || shape->size() != stride->size()) return std::nullopt;
  TensorRef tensor;
  tensor.dtype = storage->dtype;
  tensor.shape = std::move(*shape);
  tensor.stride = std::move(*stride);
  tensor.storage_offset = *offset;
  tensor.storage_view_offset = storage_node.integer;
  tensor.storage = storage_node.ref;
  tensor.storage_key = storage->key;
  tensor.location = storage->location;
  tensor.storage_numel = storage->numel;
  return tensor;
}

// _rebuild_tensor(storage, offset, size, stride)
// _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])
ModelResult model_rebuild_tensor(PickleBuilder& b, const CallSite& site) {
  const bool v2 = site.name == "_rebuild_tensor_v2";
  if (site.args.size() != (v2 ? 6u : 4u) && !(v2 && site.args.size() == 7)) return not_modelled();
  auto tensor = tensor_on_storage(b.doc(), site.args);
  if (!tensor) return not_modelled();
  if (v2) tensor->requires_grad = truthy(b.doc(), site.args[4]).value_or(false);
  return make_tensor(b, std::move(*tensor), site);
}

// _rebuild_tensor_v3(storage, offset, size, stride, requires_grad, backward_hooks, dtype[, metadata]):
// for dtypes without a typed storage class, the storage is untyped bytes.
ModelResult model_rebuild_tensor_v3(PickleBuilder& b, const CallSite& site) {
  if (site.args.size() != 7 && site.args.size() != 8) return not_modelled();
  auto tensor = tensor_on_storage(b.doc(), site.args);
  const std::string* dtype = b.doc().as_string(site.args[6]);
  if (!tensor || dtype == nullptr) return not_modelled();
  tensor->dtype = *dtype;
  tensor->requires_grad = truthy(b.doc(), site.args[4]).value_or(false);
  return make_tensor(b, std::move(*tensor), site);
}

// _rebuild_qtensor(storage, offset, size, stride, quantizer_params, requires_grad, backward_hooks)
ModelResult model_rebuild_qtensor(PickleBuilder& b, const CallSite& site) {
  if (site.args.size() != 7) return not_modelled();
  auto tensor = tensor_on_storage(b.doc(), site.args);
  if (!tensor) return not_modelled();
  tensor->quantized = true;
  tensor->requires_grad = truthy(b.doc(), site.args[5]).value_or(false);
  return make_tensor(b, std::move(*tensor), site);
}

// _rebuild_parameter(data, requires_grad, hooks), _rebuild_parameter_with_state(..., state) and
// Parameter(data[, requires_grad]): the tensor, marked as a parameter.
ModelResult model_parameter(PickleBuilder& b, const CallSite& site) {
  const bool class_call = site.name == "Parameter";
  const bool with_state = site.name == "_rebuild_parameter_with_state";
  std::size_t expected = with_state ? 4 : 3;
  if (class_call ? (site.args.empty() || site.args.size() > 2) : site.args.size() != expected) {
    return not_modelled();
  }
  const TensorRef* data = b.doc().as_tensor(site.args[0]);
  if (data == nullptr) return not_modelled();
  TensorRef tensor = *data;
  tensor.is_parameter = true;
  tensor.requires_grad = site.args.size() >= 2 ? truthy(b.doc(), site.args[1]).value_or(true) : true;
  return make_tensor(b, std::move(tensor), site, with_state ? site.args[3] : kNoNode);
}

// _rebuild_meta_tensor_no_storage(dtype, size, stride, requires_grad)
ModelResult model_meta_tensor(PickleBuilder& b, const CallSite& site) {
  if (site.args.size() != 4) return not_modelled();
  const PickleDocument& doc = b.doc();
  const std::string* dtype = doc.as_string(site.args[0]);
  auto shape = int_sequence(doc, site.args[1], kMaxTensorDims);
  auto stride = int_sequence(doc, site.args[2], kMaxTensorDims);
  if (dtype == nullptr || !shape || !stride) return not_modelled();
  TensorRef tensor;
  tensor.dtype = *dtype;
  tensor.shape = std::move(*shape);
  tensor.stride = std::move(*stride);
  tensor.location = "meta";
  tensor.requires_grad = truthy(doc, site.args[3]).value_or(false);
  return make_tensor(b, std::move(tensor), site);
}

// _rebuild_wrapper_subclass(cls, dtype, size, stride, storage_offset, layout, device, requires_grad)
ModelResult model_wrapper_subclass(PickleBuilder& b, const CallSite& site) {
  if (site.args.size() != 8) return not_modelled();
  const PickleDocument& doc = b.doc();
  const std::string* dtype = doc.as_string(site.args[1]);
  auto shape = int_sequence(doc, site.args[2], kMaxTensorDims);
  auto stride = int_sequence(doc, site.args[3], kMaxTensorDims);
  auto offset = doc.as_int(site.args[4]);
  const std::string* device = doc.as_string(site.args[6]);
  if (dtype == nullptr || !shape || !stride || !offset) return not_modelled();
  TensorRef tensor;
  tensor.dtype = *dtype;
  tensor.shape = std::move(*shape);
  tensor.stride = std::move(*stride);
  tensor.storage_offset = *offset;
  tensor.location = device ? *device : "";
  tensor.requires_grad = truthy(doc, site.args[7]).value_or(false);
  if (const GlobalReference* cls = doc.as_global(site.args[0])) tensor.subclass = cls->qualified_name();
  return make_tensor(b, std::move(tensor), site);
}

bool is_plain_tensor_class(const GlobalReference& cls) {
  return cls.name == "Tensor" && (cls.module == "torch" || cls.module == "torch._tensor");
}

// _rebuild_from_type_v2(func, new_type, args, state): func(*args) viewed as new_type. Only tensor
// rebuilds are followed as func, and not _rebuild_from_type_v2 itself, so this never recurses.
ModelResult model_from_type(PickleBuilder& b, const CallSite& site) {
  if (site.args.size() != 4) return not_modelled();
  const GlobalReference* func = b.doc().as_global(site.args[0]);
  const GlobalReference* type = b.doc().as_global(site.args[1]);
  if (func == nullptr || type == nullptr || func->name.rfind("_rebuild_from_type", 0) == 0) return not_modelled();
  const bool plain = is_plain_tensor_class(*type);
  const bool parameter = type->module == "torch.nn.parameter" && type->name == "Parameter";
  const std::string subclass = type->qualified_name();
  auto inner = model_call(b, site.args[0], site.args[2]);
  if (!inner || !*inner) return inner;
  const TensorRef* base = b.doc().as_tensor(**inner);
  if (base == nullptr) return not_modelled();
  TensorRef tensor = *base;
  if (parameter) tensor.is_parameter = true;
  else if (!plain) tensor.subclass = subclass;
  NodeIndex state = b.doc().node(site.args[3]).kind == ValueKind::kNone ? kNoNode : site.args[3];
  return make_tensor(b, std::move(tensor), site, state);
}

// torch.Size((2, 3)) is a tuple.
ModelResult model_size(PickleBuilder& b, const CallSite& site) {
  if (site.args.size() != 1) return not_modelled();
  const Node& source = b.doc().node(site.args[0]);
  if (source.kind != ValueKind::kTuple && source.kind != ValueKind::kList) return not_modelled();
  Node node;
  node.kind = ValueKind::kTuple;
  node.items = source.items;
  auto added = add_folded(b, std::move(node), site);
  if (!added) return added.error();
  return std::optional<NodeIndex>{*added};
}

// torch.device('cuda', 0) → "cuda:0", as str(device) gives it.
ModelResult model_device(PickleBuilder& b, const CallSite& site) {
  if (site.args.empty() || site.args.size() > 2) return not_modelled();
  const std::string* type = b.doc().as_string(site.args[0]);
  if (type == nullptr) return not_modelled();
  Node node;
  node.kind = ValueKind::kString;
  node.text = *type;
  if (site.args.size() == 2) {
    if (auto index = b.doc().as_int(site.args[1])) {
      node.text += ":" + std::to_string(*index);
    } else if (b.doc().node(site.args[1]).kind != ValueKind::kNone) {
      return not_modelled();
    }
  }
  auto added = add_folded(b, std::move(node), site);
  if (!added) return added.error();
  return std::optional<NodeIndex>{*added};
}

// torch.serialization._get_layout('torch.sparse_coo'): how torch.layout objects pickle.
ModelResult model_get_layout(PickleBuilder& b, const CallSite& site) {
  if (site.args.size() != 1) return not_modelled();
  const std::string* name = b.doc().as_string(site.args[0]);
  if (name == nullptr) return not_modelled();
  Node node;
  node.kind = ValueKind::kString;
  node.text = name->rfind("torch.", 0) == 0 ? name->substr(6) : *name;
  auto added = add_folded(b, std::move(node), site);
  if (!added) return added.error();
  return std::optional<NodeIndex>{*added};
}

constexpr ModelEntry kTorchModels[] = {
    {"torch._utils", "_rebuild_tensor", model_rebuild_tensor},
    {"torch._utils", "_rebuild_tensor_v2", model_rebuild_tensor},
    {"torch._utils", "_rebuild_tensor_v3", model_rebuild_tensor_v3},
    {"torch._utils", "_rebuild_qtensor", model_rebuild_qtensor},
    {"torch._utils", "_rebuild_parameter", model_parameter},
    {"torch._utils", "_rebuild_parameter_with_state", model_parameter},
    {"torch.nn.parameter", "Parameter", model_parameter},
    {"torch._utils", "_rebuild_meta_tensor_no_storage", model_meta_tensor},
    {"torch._utils", "_rebuild_wrapper_subclass", model_wrapper_subclass},
    {"torch._tensor", "_rebuild_from_type_v2", model_from_type},
    {"torch._tensor", "_rebuild_from_type", model_from_type},
    {"torch", "Size", model_size},
    {"torch", "device", model_device},
    {"torch.serialization", "_get_layout", model_get_layout},
};

}  // namespace

std::span<const ModelEntry> torch_models() { return kTorchModels; }

std::optional<std::string> torch_constant(std::string_view module, std::string_view name) {
  if (module != "torch") return std::nullopt;
  for (const NamePair& entry : kDtypes) {
    if (entry.torch_name == name) return std::string(entry.value);
  }
  return std::nullopt;
}

std::optional<std::string> torch_storage_dtype(std::string_view name) {
  for (const NamePair& entry : kStorageDtypes) {
    if (entry.torch_name == name) return std::string(entry.value);
  }
  return std::nullopt;
}

}  // namespace trainctl::checkpoint
