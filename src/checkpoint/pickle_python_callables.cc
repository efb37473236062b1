// Models of standard-library and numpy callables that checkpoints use to pickle plain data.
#include <bit>
#include <cmath>
#include <cstring>

#include "checkpoint/pickle_callables.h"
#include "checkpoint/pickle_text_codecs.h"

namespace trainctl::checkpoint {
namespace {

using Entries = std::vector<std::pair<NodeIndex, NodeIndex>>;

ModelResult not_modelled() { return std::optional<NodeIndex>{}; }

ModelResult folded(PickleBuilder& b, Node node, const CallSite& site) {
  auto added = add_folded(b, std::move(node), site);
  if (!added) return added.error();
  return std::optional<NodeIndex>{*added};
}

// The (key, value) pairs dict(x) would take from x: a dict, or a sequence of 2-item sequences.
std::optional<Entries> pairs_of(const PickleDocument& doc, NodeIndex source) {
  const Node& n = doc.node(source);
  if (n.kind == ValueKind::kDict) return n.entries;
  if (n.kind != ValueKind::kList && n.kind != ValueKind::kTuple) return std::nullopt;
  Entries entries;
  entries.reserve(n.items.size());
  for (NodeIndex item : n.items) {
    const Node& pair = doc.node(item);
    if ((pair.kind != ValueKind::kTuple && pair.kind != ValueKind::kList) || pair.items.size() != 2) {
      return std::nullopt;
    }
    entries.emplace_back(pair.items[0], pair.items[1]);
  }
  return entries;
}

// dict(), OrderedDict(), Counter(mapping): SETITEMS usually fills them afterwards.
ModelResult model_dict(PickleBuilder& b, const CallSite& site) {
  Node node;
  node.kind = ValueKind::kDict;
  if (site.args.size() == 1) {
    auto entries = pairs_of(b.doc(), site.args[0]);
    if (!entries) return not_modelled();
    node.entries = std::move(*entries);
  } else if (!site.args.empty()) {
    return not_modelled();
  }
  return folded(b, std::move(node), site);
}

// defaultdict(factory): the factory is a global the scan judges; the value is the dict.
ModelResult model_defaultdict(PickleBuilder& b, const CallSite& site) {
  if (site.args.size() > 1) return not_modelled();
  Node node;
  node.kind = ValueKind::kDict;
  node.args = site.args_node;
  return folded(b, std::move(node), site);
}

ModelResult model_sequence(PickleBuilder& b, const CallSite& site, ValueKind kind, std::size_t max_args) {
  if (site.args.size() > max_args) return not_modelled();
  Node node;
  node.kind = kind;
  if (!site.args.empty()) {
    const Node& source = b.doc().node(site.args[0]);
    switch (source.kind) {
      case ValueKind::kList:
      case ValueKind::kTuple:
      case ValueKind::kSet:
      case ValueKind::kFrozenSet:
        node.items = source.items;
        break;
      case ValueKind::kDict:
        for (const auto& entry : source.entries) node.items.push_back(entry.first);
        break;
      default:
        return not_modelled();
    }
  }
  return folded(b, std::move(node), site);
}

ModelResult model_list(PickleBuilder& b, const CallSite& site) { return model_sequence(b, site, ValueKind::kList, 1); }
ModelResult model_deque(PickleBuilder& b, const CallSite& site) { return model_sequence(b, site, ValueKind::kList, 2); }
ModelResult model_tuple(PickleBuilder& b, const CallSite& site) { return model_sequence(b, site, ValueKind::kTuple, 1); }
ModelResult model_set(PickleBuilder& b, const CallSite& site) { return model_sequence(b, site, ValueKind::kSet, 1); }
ModelResult model_frozenset(PickleBuilder& b, const CallSite& site) {
  return model_sequence(b, site, ValueKind::kFrozenSet, 1);
}

bool is_latin1_name(std::string_view encoding) {
  return encoding == "latin1" || encoding == "latin-1" || encoding == "iso-8859-1" || encoding == "iso8859-1" ||
         encoding == "l1";
}
bool is_utf8_name(std::string_view encoding) {
  return encoding == "utf-8" || encoding == "utf8" || encoding == "UTF-8" || encoding == "utf_8";
}

// str.encode as _codecs.encode(text, encoding) and bytes(text, encoding) do it.
std::optional<std::string> encode_text(const PickleDocument& doc, NodeIndex text, std::optional<NodeIndex> encoding) {
  const std::string* value = doc.as_string(text);
  if (value == nullptr) return std::nullopt;
  std::string name = "utf-8";
  if (encoding) {
    const std::string* given = doc.as_string(*encoding);
    if (given == nullptr) return std::nullopt;
    name = *given;
  }
  if (is_latin1_name(name)) return latin1_from_utf8(*value);
  if (is_utf8_name(name)) return *value;
  return std::nullopt;
}

// Protocols 0-2 pickle bytes as _codecs.encode('<latin-1 text>', 'latin1').
ModelResult model_codecs_encode(PickleBuilder& b, const CallSite& site) {
  if (site.args.empty() || site.args.size() > 2) return not_modelled();
  auto bytes = encode_text(b.doc(), site.args[0],
                           site.args.size() == 2 ? std::optional<NodeIndex>(site.args[1]) : std::nullopt);
  if (!bytes) return not_modelled();
  Node node;
  node.kind = ValueKind::kBytes;
  node.text = std::move(*bytes);
  return folded(b, std::move(node), site);
}

// bytes(), bytes(b), bytearray(text, 'latin-1') (bytearray's protocol-2 form), bytes([1, 2]).
ModelResult model_bytes(PickleBuilder& b, const CallSite& site) {
  const PickleDocument& doc = b.doc();
  Node node;
  node.kind = ValueKind::kBytes;
  if (site.args.size() == 1 && doc.as_bytes(site.args[0])) {
    node.text = *doc.as_bytes(site.args[0]);
  } else if (site.args.size() == 2) {
    auto bytes = encode_text(doc, site.args[0], site.args[1]);
    if (!bytes) return not_modelled();
    node.text = std::move(*bytes);
  } else if (site.args.size() == 1) {
    const Node& source = doc.node(site.args[0]);
    if (source.kind != ValueKind::kList && source.kind != ValueKind::kTuple) return not_modelled();
    for (NodeIndex item : source.items) {
      auto value = doc.as_int(item);
      if (!value || *value < 0 || *value > 255) return not_modelled();
      node.text.push_back(static_cast<char>(*value));
    }
  } else if (!site.args.empty()) {
    return not_modelled();
  }
  return folded(b, std::move(node), site);
}

// PosixPath('/', 'tmp', 'run') → "/tmp/run", as str(path) gives it.
ModelResult model_path(PickleBuilder& b, const CallSite& site) {
  const bool windows = site.name.find("Windows") != std::string::npos;
  const char separator = windows ? '\\' : '/';
  std::string path;
  for (NodeIndex part_index : site.args) {
    const std::string* part = b.doc().as_string(part_index);
    if (part == nullptr) return not_modelled();
    if (part->empty()) continue;
    bool absolute = part->front() == '/' || (windows && (part->front() == '\\' || part->find(':') != std::string::npos));
    if (path.empty() || absolute) {
      path = *part;
    } else {
      if (path.back() != separator) path.push_back(separator);
      path += *part;
    }
  }
  if (path.empty()) path = ".";
  Node node;
  node.kind = ValueKind::kString;
  node.text = std::move(path);
  return folded(b, std::move(node), site);
}

// copyreg._reconstructor(cls, base, state) and numpy's _reconstruct(cls, shape, typecode):
// an instance of cls, made without running its __init__; BUILD fills it in later.
ModelResult model_instance_of_first_argument(PickleBuilder& b, const CallSite& site) {
  if (site.args.empty() || b.doc().node(site.args[0]).kind != ValueKind::kGlobal) return not_modelled();
  Node node;
  node.kind = ValueKind::kObject;
  node.callable = site.args[0];
  node.args = site.args_node;
  auto added = b.add(std::move(node));
  if (!added) return added.error();
  return std::optional<NodeIndex>{*added};
}

// copyreg.__newobj__(cls, *args) is cls.__new__(cls, *args).
ModelResult model_newobj(PickleBuilder& b, const CallSite& site) {
  if (site.args.empty() || b.doc().node(site.args[0]).kind != ValueKind::kGlobal) return not_modelled();
  auto rest = b.add_tuple(std::vector<NodeIndex>(site.args.begin() + 1, site.args.end()));
  if (!rest) return rest.error();
  auto modelled = model_call(b, site.args[0], *rest);
  if (!modelled || *modelled) return modelled;
  Node node;
  node.kind = ValueKind::kObject;
  node.callable = site.args[0];
  node.args = *rest;
  auto added = b.add(std::move(node));
  if (!added) return added.error();
  return std::optional<NodeIndex>{*added};
}

// The numpy type code and byte order a numpy.dtype object was pickled with: dtype('f4', False,
// True) then BUILD (3, '<', ...).
struct NumpyType {
  std::string code;
  char byte_order = '<';
};

std::optional<NumpyType> numpy_type(const PickleDocument& doc, NodeIndex dtype) {
  const Node& n = doc.node(dtype);
  if (n.kind != ValueKind::kObject) return std::nullopt;
  std::string type_name = doc.object_type(dtype);
  if (type_name != "numpy.dtype") return std::nullopt;
  if (n.args == kNoNode || doc.node(n.args).items.empty()) return std::nullopt;
  const std::string* code = doc.as_string(doc.node(n.args).items[0]);
  if (code == nullptr) return std::nullopt;
  NumpyType type{*code, '<'};
  if (n.state != kNoNode && doc.node(n.state).kind == ValueKind::kTuple && doc.node(n.state).items.size() >= 2) {
    const std::string* order = doc.as_string(doc.node(n.state).items[1]);
    if (order && order->size() == 1) type.byte_order = (*order)[0];
  }
  return type;
}

std::uint64_t read_unsigned(std::string_view bytes, bool big_endian) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::size_t at = big_endian ? i : bytes.size() - 1 - i;
    value = (value << 8) | static_cast<std::uint8_t>(bytes[at]);
  }
  return value;
}

double half_to_double(std::uint16_t bits) {
  int exponent = (bits >> 10) & 0x1F;
  int mantissa = bits & 0x3FF;
  double sign = (bits & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? std::nan("") : sign * INFINITY;
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

// numpy.core.multiarray.scalar(dtype, raw bytes): np.float32(1.5), np.int64(7), np.bool_(True)
// become plain numbers, as they compare equal to them in Python.
ModelResult model_numpy_scalar(PickleBuilder& b, const CallSite& site) {
  const PickleDocument& doc = b.doc();
  if (site.args.size() != 2) return not_modelled();
  auto type = numpy_type(doc, site.args[0]);
  const std::string* raw = doc.as_bytes(site.args[1]);
  if (!type || raw == nullptr || type->code.size() < 2) return not_modelled();
  const char kind = type->code[0];
  const std::string width_text = type->code.substr(1);
  std::size_t width = 0;
  if (width_text == "1") width = 1;
  else if (width_text == "2") width = 2;
  else if (width_text == "4") width = 4;
  else if (width_text == "8") width = 8;
  if (width == 0 || raw->size() != width) return not_modelled();
  const std::uint64_t bits = read_unsigned(*raw, type->byte_order == '>');
  Node node;
  switch (kind) {
    case 'b':
      if (width != 1) return not_modelled();
      node.kind = ValueKind::kBool;
      node.integer = bits != 0;
      break;
    case 'i': {
      node.kind = ValueKind::kInt;
      const unsigned shift = static_cast<unsigned>(64 - 8 * width);
      node.integer = static_cast<std::int64_t>(bits << shift) >> shift;
      break;
    }
    case 'u':
      if (bits > static_cast<std::uint64_t>(INT64_MAX)) {
        node.kind = ValueKind::kBigInt;
        node.text = std::to_string(bits);
      } else {
        node.kind = ValueKind::kInt;
        node.integer = static_cast<std::int64_t>(bits);
      }
      break;
    case 'f':
      node.kind = ValueKind::kFloat;
      if (width == 2) node.real = half_to_double(static_cast<std::uint16_t>(bits));
      else if (width == 4) node.real = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
      else if (width == 8) node.real = std::bit_cast<double>(bits);
      else return not_modelled();
      break;
    default:
      return not_modelled();
  }
  return folded(b, std::move(node), site);
}

constexpr ModelEntry kPythonModels[] = {
    {"collections", "OrderedDict", model_dict},
    {"collections", "Counter", model_dict},
    {"collections", "defaultdict", model_defaultdict},
    {"collections", "deque", model_deque},
    {"builtins", "dict", model_dict},
    {"builtins", "list", model_list},
    {"builtins", "tuple", model_tuple},
    {"builtins", "set", model_set},
    {"builtins", "frozenset", model_frozenset},
    {"builtins", "bytes", model_bytes},
    {"builtins", "bytearray", model_bytes},
    {"_codecs", "encode", model_codecs_encode},
    {"codecs", "encode", model_codecs_encode},
    {"copyreg", "_reconstructor", model_instance_of_first_argument},
    {"copyreg", "__newobj__", model_newobj},
    {"numpy.core.multiarray", "_reconstruct", model_instance_of_first_argument},
    {"numpy._core.multiarray", "_reconstruct", model_instance_of_first_argument},
    {"numpy.core.multiarray", "scalar", model_numpy_scalar},
    {"numpy._core.multiarray", "scalar", model_numpy_scalar},
    {"pathlib", "Path", model_path},
    {"pathlib", "PosixPath", model_path},
    {"pathlib", "WindowsPath", model_path},
    {"pathlib", "PurePath", model_path},
    {"pathlib", "PurePosixPath", model_path},
    {"pathlib", "PureWindowsPath", model_path},
};

}  // namespace

std::span<const ModelEntry> python_models() { return kPythonModels; }

}  // namespace trainctl::checkpoint
