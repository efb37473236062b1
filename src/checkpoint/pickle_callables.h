// Internal to the pickle reader: the allowlisted callables it models symbolically instead of
// calling (OrderedDict → dict, _rebuild_tensor_v2 → tensor, numpy scalar → number, ...). Models
// only read the document and add to it through PickleBuilder; nothing is imported or run. A
// call no model covers, or covers with arguments it does not expect, becomes an opaque object.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checkpoint/pickle_builder.h"

namespace trainctl::checkpoint {

// Models take at most this many arguments; a longer tuple is never copied (it stays opaque).
inline constexpr std::size_t kMaxModelledArguments = 16;

using ModelResult = core::Result<std::optional<NodeIndex>>;

struct CallSite {
  NodeIndex callable = kNoNode;     // the global node called
  std::string module;               // its Python 3 module and name
  std::string name;
  NodeIndex args_node = kNoNode;    // the argument tuple
  std::vector<NodeIndex> args;      // a copy of its items (at most kMaxModelledArguments)
};

using CallModel = ModelResult (*)(PickleBuilder&, const CallSite&);

// REDUCE/NEWOBJ/INST/OBJ of `callable` with the tuple `args`: a modelled value, nullopt when
// no model applies (the reader then records an opaque object), or a limit error.
ModelResult model_call(PickleBuilder& builder, NodeIndex callable, NodeIndex args);

// The value a global stands for when it names a constant, not a callable (torch.float16 →
// "float16", torch.strided → "strided"); nullopt for everything else.
std::optional<std::string> model_global_constant(std::string_view module, std::string_view name);

// PERSID/BINPERSID: torch's ('storage', type, key, location, numel[, view]) becomes a storage
// node (one per key) recorded in the document's storages; any other payload a persistent-id node.
core::Result<NodeIndex> model_persistent_id(PickleBuilder& builder, NodeIndex pid);

// One row of a model table: the global a model stands for.
struct ModelEntry {
  std::string_view module;
  std::string_view name;
  CallModel model;
};

// The model tables, by family (pickle_python_callables.cc, pickle_torch_callables.cc).
std::span<const ModelEntry> python_models();
std::span<const ModelEntry> torch_models();
std::optional<std::string> torch_constant(std::string_view module, std::string_view name);
// Element dtype of a torch storage class name ("FloatStorage" → "float32"); nullopt if none.
std::optional<std::string> torch_storage_dtype(std::string_view name);

// Helpers shared by the model families.
core::Result<NodeIndex> add_folded(PickleBuilder& builder, Node node, const CallSite& site);
std::optional<std::vector<std::int64_t>> int_sequence(const PickleDocument& doc, NodeIndex index,
                                                      std::size_t max_items);
std::optional<bool> truthy(const PickleDocument& doc, NodeIndex index);

}  // namespace trainctl::checkpoint
