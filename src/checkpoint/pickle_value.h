// The values a pickle builds, held in an arena owned by PickleDocument and referenced by index,
// because pickles share values and build cycles through the memo (a list inside itself, one
// storage behind many tensors). Nothing here owns anything else: no reference cycles, no leaks.
// Walkers must expect sharing and cycles; to_json (pickle_json.h) shows how.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trainctl::checkpoint {

using NodeIndex = std::uint32_t;
inline constexpr NodeIndex kNoNode = 0xFFFFFFFFu;

enum class ValueKind : std::uint8_t {
  kNone,
  kBool,
  kInt,           // fits in int64
  kBigInt,        // text holds the decimal digits (with '-' when negative)
  kFloat,
  kString,        // UTF-8 (lone surrogates become U+FFFD)
  kBytes,         // bytes and bytearray
  kList,
  kTuple,
  kDict,          // entries in insertion order; a key set twice appears twice, the later wins
  kSet,
  kFrozenSet,
  kGlobal,        // a module attribute named by GLOBAL/STACK_GLOBAL/INST, never imported
  kPersistentId,  // PERSID/BINPERSID that is not a torch storage: args holds the payload
  kStorage,       // a torch storage named by a persistent id: storage() says which
  kTensor,        // a modelled torch tensor: tensor() describes it
  kObject,        // anything else a call or class produced: callable, args, state, items
};

std::string_view kind_name(ValueKind kind);

struct Node {
  ValueKind kind = ValueKind::kNone;
  // Made by modelling a call (numpy scalar → float, pathlib path → string, torch.device → string),
  // not read from a constant opcode: STACK_GLOBAL treats such strings as computed at load time.
  bool from_call = false;
  std::uint32_t depth = 1;        // nesting as built (1 for scalars)
  std::int64_t integer = 0;       // kBool (0/1), kInt
  double real = 0;                // kFloat
  std::uint32_t ref = 0;          // kGlobal: globals(); kStorage: storages(); kTensor: tensors()
  std::string text;               // kString, kBytes, kBigInt
  std::vector<NodeIndex> items;   // list, tuple, set, frozenset; kObject: items APPENDed to it
  std::vector<std::pair<NodeIndex, NodeIndex>> entries;  // kDict; kObject: items SETITEMed on it
  NodeIndex callable = kNoNode;   // kObject: the class or function; folded values: the model used
  NodeIndex args = kNoNode;       // kObject: the argument tuple; kPersistentId/kStorage: the payload
  NodeIndex keywords = kNoNode;   // kObject from NEWOBJ_EX: the keyword dict
  NodeIndex state = kNoNode;      // what BUILD set (__setstate__ / __dict__ update)
};

// One distinct global the pickle named (module, name): where first, how often, how it was used.
struct GlobalReference {
  std::string module;
  std::string name;
  std::string opcode;              // "GLOBAL", "STACK_GLOBAL" or "INST"
  std::size_t offset = 0;          // byte offset of its first opcode
  std::size_t count = 0;           // opcodes that named it
  bool called = false;             // a REDUCE/NEWOBJ/OBJ/INST called it
  // BUILD/SETITEM/APPEND targeted it: the pickle changes a module-level object (monkey-patching).
  bool mutated = false;
  // STACK_GLOBAL whose operands were not string constants: the real name is only known when
  // Python runs the pickle. module/name then describe what the operands were.
  bool built_at_load_time = false;

  std::string qualified_name() const { return module + "." + name; }
};

// A torch storage (the bytes behind tensors), named by its persistent id.
struct StorageRef {
  std::string key;                 // zip: the data/<key> record; legacy: the key in the stream
  std::string dtype;               // element type: "float32", "bfloat16", "uint8" (untyped), ...
  std::optional<std::int64_t> numel;  // elements of dtype (bytes for untyped storages)
  std::string location;            // "cpu", "cuda:0", ...
  std::string storage_type;        // the global named: "torch.FloatStorage", "torch.UntypedStorage"
};

// A torch tensor modelled from its rebuild call, without its data.
struct TensorRef {
  std::string dtype;               // "float32", "bfloat16", "int8", "qint8", ...; empty if unknown
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> stride;
  std::int64_t storage_offset = 0;  // in elements
  // Legacy (pre-1.6) storage views only: elements into the storage record where the view starts,
  // so the data begins at storage_view_offset + storage_offset. 0 otherwise.
  std::int64_t storage_view_offset = 0;
  std::optional<std::uint32_t> storage;  // index into storages(); none for meta/wrapper tensors
  std::string storage_key;          // copy of storages()[*storage].key, for convenience
  std::string location;             // "cpu", "cuda:0", "meta", ...
  std::optional<std::int64_t> storage_numel;
  bool requires_grad = false;
  bool is_parameter = false;
  bool quantized = false;
  std::string rebuilt_by;           // "torch._utils._rebuild_tensor_v2", ...
  std::string subclass;             // a Tensor subclass from _rebuild_from_type_v2 (module.name)
};

// A numpy array as pickled, without its data.
struct NumpyArrayInfo {
  std::vector<std::int64_t> shape;
  std::string dtype;  // "int64", "float32", ...; numpy's type code ("U5") when not a plain number
};

class PickleDocument {
 public:
  PickleDocument();

  NodeIndex root() const { return root_; }
  const Node& node(NodeIndex index) const { return nodes_[index]; }
  std::size_t node_count() const { return nodes_.size(); }
  const std::vector<GlobalReference>& globals() const { return globals_; }
  const std::vector<StorageRef>& storages() const { return storages_; }
  const std::vector<TensorRef>& tensors() const { return tensors_; }
  int protocol() const { return protocol_; }               // from PROTO; 0 without one
  std::size_t bytes_consumed() const { return consumed_; }  // up to and including STOP

  // Shared singletons: every None/True/False in a pickle is one of these.
  static constexpr NodeIndex kNoneNode = 0;
  static constexpr NodeIndex kFalseNode = 1;
  static constexpr NodeIndex kTrueNode = 2;

  // Accessors; all return nullopt/nullptr rather than fail when the value has another kind.
  // Lookup by string key in a dict (or an object's SETITEMed entries): the last entry wins.
  // Linear in the dict's size.
  std::optional<NodeIndex> get(NodeIndex dict, std::string_view key) const;
  // An object's attribute from the dict its BUILD state holds (argparse.Namespace, modules).
  std::optional<NodeIndex> attribute(NodeIndex object, std::string_view name) const;
  std::optional<std::int64_t> as_int(NodeIndex index) const;      // kInt and kBool
  std::optional<double> as_float(NodeIndex index) const;          // kFloat, kInt
  std::optional<bool> as_bool(NodeIndex index) const;
  const std::string* as_string(NodeIndex index) const;            // kString
  const std::string* as_bytes(NodeIndex index) const;             // kBytes
  const TensorRef* as_tensor(NodeIndex index) const;
  const StorageRef* as_storage(NodeIndex index) const;
  const GlobalReference* as_global(NodeIndex index) const;
  // "module.name" of what made an object (its callable when that is a global); "" otherwise.
  std::string object_type(NodeIndex index) const;
  // Shape and dtype of a numpy array, from either form numpy pickles: _reconstruct + BUILD
  // state, or (protocol 5) _frombuffer(buffer, dtype, shape, order). nullopt for anything else.
  std::optional<NumpyArrayInfo> numpy_array(NodeIndex index) const;

  // Building, used by the reader and its callable models.
  NodeIndex add(Node node);
  Node& mutable_node(NodeIndex index) { return nodes_[index]; }
  std::vector<GlobalReference>& mutable_globals() { return globals_; }
  std::uint32_t add_storage(StorageRef storage);
  std::uint32_t add_tensor(TensorRef tensor);
  void set_root(NodeIndex root) { root_ = root; }
  void set_protocol(int protocol) { protocol_ = protocol; }
  void set_bytes_consumed(std::size_t consumed) { consumed_ = consumed; }

 private:
  std::vector<Node> nodes_;
  std::vector<GlobalReference> globals_;
  std::vector<StorageRef> storages_;
  std::vector<TensorRef> tensors_;
  NodeIndex root_ = kNoNode;
  int protocol_ = 0;
  std::size_t consumed_ = 0;
};

}  // namespace trainctl::checkpoint
