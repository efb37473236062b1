#include "checkpoint/pickle_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "checkpoint/pickle_fixtures.h"
#include "checkpoint/pickle_json.h"
#include "checkpoint/pickle_security.h"
#include "checkpoint/pickle_test_bytes.h"

namespace trainctl::checkpoint {
namespace {

using nlohmann::json;
using testing::as_bytes;
using testing::PickleBytes;
using testing::pickle_fixtures;
using testing::read_file;
using testing::read_json;

// Our reading in the canonical form make_pickles.py gives Python's (see its docstring).
class Canonical {
 public:
  explicit Canonical(const PickleDocument& doc) : doc_(doc), on_path_(doc.node_count(), false) {}

  json operator()(NodeIndex index) {
    const Node& n = doc_.node(index);
    switch (n.kind) {
      case ValueKind::kNone: return nullptr;
      case ValueKind::kBool: return n.integer != 0;
      case ValueKind::kInt: return n.integer;
      case ValueKind::kBigInt: return json{{"bigint", n.text}};
      case ValueKind::kFloat:
        if (std::isnan(n.real)) return json{{"float", "nan"}};
        if (std::isinf(n.real)) return json{{"float", n.real > 0 ? "inf" : "-inf"}};
        return json{{"float", n.real}};
      case ValueKind::kString: return n.text;
      case ValueKind::kBytes: {
        std::string hex;
        for (char c : n.text) hex += fmt::format("{:02x}", static_cast<unsigned char>(c));
        return json{{"bytes", hex}};
      }
      case ValueKind::kList: return guarded(index, "list", [&] { return items(n.items); });
      case ValueKind::kTuple: return json{{"tuple", items(n.items)}};
      case ValueKind::kSet: return json{{"set", items(n.items)}};
      case ValueKind::kFrozenSet: return json{{"frozenset", items(n.items)}};
      case ValueKind::kDict:
        return guarded(index, "dict", [&] {
          json pairs = json::array();
          for (const auto& [key, value] : n.entries) pairs.push_back(json::array({(*this)(key), (*this)(value)}));
          return json{{"dict", pairs}};
        });
      case ValueKind::kTensor: return tensor(*doc_.as_tensor(index));
      case ValueKind::kObject: return object(index);
      case ValueKind::kGlobal: return json{{"global", doc_.as_global(index)->qualified_name()}};
      case ValueKind::kStorage: return json{{"storage", doc_.as_storage(index)->key}};
      case ValueKind::kPersistentId: return json{{"persistent_id", (*this)(n.args)}};
    }
    return "?";
  }

 private:
  template <typename Make>
  json guarded(NodeIndex index, const char* kind, Make make) {
    if (on_path_[index]) return json{{"cycle", kind}};
    on_path_[index] = true;
    json out = make();
    on_path_[index] = false;
    return out;
  }

  json items(const std::vector<NodeIndex>& values) {
    json out = json::array();
    for (NodeIndex value : values) out.push_back((*this)(value));
    return out;
  }

  json tensor(const TensorRef& t) {
    std::string key = t.storage_key + "@" + std::to_string(t.storage_view_offset);
    auto [label, inserted] = labels_.try_emplace(key, "s" + std::to_string(labels_.size()));
    return json{{"tensor",
                 {{"dtype", t.dtype}, {"shape", t.shape}, {"stride", t.stride}, {"offset", t.storage_offset},
                  {"storage", label->second}, {"storage_numel", t.storage_numel ? json(*t.storage_numel) : json()},
                  {"location", t.location}, {"requires_grad", t.requires_grad}, {"parameter", t.is_parameter}}}};
  }

  json object(NodeIndex index) {
    if (auto array = doc_.numpy_array(index)) {
      return json{{"object", "numpy.ndarray"}, {"shape", array->shape}, {"dtype", array->dtype}};
    }
    std::string type = doc_.object_type(index);
    if (type == "argparse.Namespace") return json{{"object", type}, {"state", (*this)(doc_.node(index).state)}};
    return json{{"object", type}};
  }

  const PickleDocument& doc_;
  std::vector<bool> on_path_;
  std::unordered_map<std::string, std::string> labels_;
};

// Equality where sets compare as multisets (Python's set order is its own).
bool same(const json& a, const json& b, std::string& where);

bool same_multiset(const json& a, const json& b, std::string& where) {
  if (a.size() != b.size()) {
    where = fmt::format("set sizes {} vs {}", a.size(), b.size());
    return false;
  }
  std::vector<bool> used(b.size(), false);
  for (const json& x : a) {
    bool found = false;
    for (std::size_t i = 0; i < b.size() && !found; ++i) {
      std::string ignored;
      if (!used[i] && same(x, b[i], ignored)) used[i] = found = true;
    }
    if (!found) {
      where = "set item " + x.dump() + " not found";
      return false;
    }
  }
  return true;
}

bool same(const json& a, const json& b, std::string& where) {
  if (a.is_object() && b.is_object() && a.size() == 1 && b.size() == 1 &&
      (a.contains("set") || a.contains("frozenset")) && a.begin().key() == b.begin().key()) {
    return same_multiset(a.begin().value(), b.begin().value(), where);
  }
  if (a.type() != b.type() && !(a.is_number() && b.is_number())) {
    where = fmt::format("{} vs {}", a.dump().substr(0, 200), b.dump().substr(0, 200));
    return false;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) {
      where = fmt::format("lengths {} vs {}", a.size(), b.size());
      return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same(a[i], b[i], where)) {
        where = fmt::format("[{}] {}", i, where);
        return false;
      }
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) {
      where = fmt::format("keys of {} vs {}", a.dump().substr(0, 200), b.dump().substr(0, 200));
      return false;
    }
    for (const auto& [key, value] : a.items()) {
      if (!b.contains(key) || !same(value, b.at(key), where)) {
        where = fmt::format(".{} {}", key, where);
        return false;
      }
    }
    return true;
  }
  if (a.is_number_float() || b.is_number_float()) {
    if (a.get<double>() == b.get<double>() && std::signbit(a.get<double>()) == std::signbit(b.get<double>())) return true;
  } else if (a == b) {
    return true;
  }
  where = fmt::format("{} vs {}", a.dump(), b.dump());
  return false;
}

void expect_reads_as_python_does(const PickleDocument& doc, const json& expected) {
  json ours = Canonical(doc)(doc.root());
  std::string where;
  EXPECT_TRUE(same(ours, expected, where)) << "first difference at " << where;
}

PickleDocument read_fixture(const std::string& name) {
  std::string bytes = read_file(pickle_fixtures() / (name + ".pkl"));
  auto doc = read_pickle(as_bytes(bytes));
  EXPECT_TRUE(doc.ok()) << name << ": " << (doc.ok() ? "" : doc.error().message);
  if (!doc.ok()) return PickleDocument{};
  EXPECT_EQ(doc->bytes_consumed(), bytes.size()) << name << " should end with its STOP";
  return std::move(*doc);
}

void expect_fixture(const std::string& name) {
  SCOPED_TRACE(name);
  PickleDocument doc = read_fixture(name);
  ASSERT_NE(doc.root(), kNoNode);
  json expected = read_json(pickle_fixtures() / (name + ".json"));
  expect_reads_as_python_does(doc, expected["value"]);
  if (expected.contains("storage_keys")) {
    std::vector<std::string> keys;
    for (const StorageRef& storage : doc.storages()) keys.push_back(storage.key);
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(json(keys), expected["storage_keys"]) << "every storage must have its data/<key> record";
  }
  // Display rendering must work on every real file (and produce valid UTF-8).
  EXPECT_NO_THROW((void)to_json(doc, doc.root()).dump());
}

// One test per family rather than per file: under ctest every test is its own process, and
// each process generates the fixtures once.
TEST(PickleReader, PlainDataInEveryProtocolReadsAsPickleLoadsDoes) {
  for (int protocol = 0; protocol <= 5; ++protocol) expect_fixture("plain_p" + std::to_string(protocol));
}

TEST(PickleReader, ZipCheckpointsReadAsTorchLoadDoes) {
  for (const char* name : {"zip_checkpoint_p2", "zip_checkpoint_p4", "zip_checkpoint_p5", "zip_dtypes",
                           "zip_shared_views", "zip_shared_views_p4", "zip_whole_model", "zip_user_class"}) {
    expect_fixture(name);
  }
}

TEST(PickleReader, CanonicalFormTellsTypesApart) {
  PickleBytes p;
  p.proto(2).empty_dict().unicode("a").integer(1).op('G').raw(std::string("\x40\x04\x00\x00\x00\x00\x00\x00", 8));
  p.tuple2().setitem().stop();
  auto doc = read_pickle(p.span());
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  std::string where;
  EXPECT_TRUE(same(Canonical(*doc)(doc->root()), json::parse(R"({"dict": [["a", {"tuple": [1, {"float": 2.5}]}]]})"), where))
      << where;
  for (const char* wrong : {R"({"dict": [["a", {"tuple": [1, 2.5]}]]})", R"({"dict": [["a", [1, {"float": 2.5}]]]})",
                            R"({"dict": [["a", {"tuple": [2, {"float": 2.5}]}]]})", R"({"dict": []})"}) {
    EXPECT_FALSE(same(Canonical(*doc)(doc->root()), json::parse(wrong), where)) << wrong;
  }
  EXPECT_TRUE(same(json::parse(R"({"set": [1, 2, 3]})"), json::parse(R"({"set": [3, 1, 2]})"), where));
  EXPECT_FALSE(same(json::parse(R"({"set": [1, 2, 2]})"), json::parse(R"({"set": [1, 2, 3]})"), where));
}

// Legacy files are several pickles in a row: magic number, protocol version, sys info, the
// object, then the sorted storage keys, then raw storage bytes.
void expect_legacy(const std::string& name) {
  SCOPED_TRACE(name);
  std::string file = read_file(pickle_fixtures() / (name + ".pt"));
  json expected = read_json(pickle_fixtures() / (name + ".json"));
  std::span<const std::uint8_t> rest = as_bytes(file);
  std::vector<PickleDocument> pickles;
  for (int i = 0; i < 5; ++i) {
    auto doc = read_pickle(rest);
    ASSERT_TRUE(doc.ok()) << "pickle " << i << ": " << doc.error().message;
    rest = rest.subspan(doc->bytes_consumed());
    pickles.push_back(std::move(*doc));
  }
  EXPECT_EQ(pickles[0].node(pickles[0].root()).kind, ValueKind::kBigInt);
  EXPECT_EQ(pickles[0].node(pickles[0].root()).text, expected["magic"].get<std::string>());
  EXPECT_EQ(pickles[1].as_int(pickles[1].root()), expected["protocol_version"].get<std::int64_t>());
  auto little_endian = pickles[2].get(pickles[2].root(), "little_endian");
  ASSERT_TRUE(little_endian);
  EXPECT_EQ(pickles[2].as_bool(*little_endian), true);
  expect_reads_as_python_does(pickles[3], expected["value"]);

  std::set<std::string> listed, referenced;
  for (NodeIndex key : pickles[4].node(pickles[4].root()).items) listed.insert(*pickles[4].as_string(key));
  for (const StorageRef& storage : pickles[3].storages()) referenced.insert(storage.key);
  EXPECT_EQ(listed, referenced);
  EXPECT_FALSE(rest.empty()) << "raw storage data follows the pickles";
}

TEST(PickleReader, LegacyCheckpointsReadAsTorchLoadDoes) {
  for (const char* name : {"legacy_checkpoint_p2", "legacy_shared_views_p2", "legacy_dtypes_p4"}) expect_legacy(name);
}

TEST(PickleReader, ModelsTensorsStoragesAndArguments) {
  PickleDocument doc = read_fixture("zip_checkpoint_p2");
  EXPECT_EQ(doc.protocol(), 2);
  auto model = doc.get(doc.root(), "model");
  ASSERT_TRUE(model);
  auto weight = doc.get(*model, "0.weight");
  ASSERT_TRUE(weight);
  const TensorRef* tensor = doc.as_tensor(*weight);
  ASSERT_NE(tensor, nullptr);
  EXPECT_EQ(tensor->dtype, "float32");
  EXPECT_EQ(tensor->shape, (std::vector<std::int64_t>{8, 4}));
  EXPECT_EQ(tensor->stride, (std::vector<std::int64_t>{4, 1}));
  EXPECT_EQ(tensor->location, "cpu");
  EXPECT_EQ(tensor->storage_numel, 32);
  EXPECT_EQ(tensor->rebuilt_by, "torch._utils._rebuild_tensor_v2");
  ASSERT_TRUE(tensor->storage);
  EXPECT_EQ(doc.storages()[*tensor->storage].key, tensor->storage_key);
  EXPECT_EQ(doc.storages()[*tensor->storage].dtype, "float32");
  EXPECT_EQ(doc.storages()[*tensor->storage].storage_type, "torch.FloatStorage");
  EXPECT_EQ(doc.object_type(*model), "collections.OrderedDict");

  auto args = doc.get(doc.root(), "args");
  ASSERT_TRUE(args);
  EXPECT_EQ(doc.object_type(*args), "argparse.Namespace");
  auto lr = doc.attribute(*args, "lr");
  ASSERT_TRUE(lr);
  EXPECT_DOUBLE_EQ(*doc.as_float(*lr), 1e-3);
  auto out = doc.attribute(*args, "out");
  ASSERT_TRUE(out);
  EXPECT_EQ(*doc.as_string(*out), "/tmp/run");

  auto param = doc.as_tensor(*doc.get(doc.root(), "param"));
  ASSERT_NE(param, nullptr);
  EXPECT_TRUE(param->is_parameter);
  EXPECT_TRUE(param->requires_grad);
  EXPECT_EQ(*doc.as_string(*doc.get(doc.root(), "device")), "cuda:0");
  EXPECT_EQ(*doc.as_string(*doc.get(doc.root(), "dtype")), "bfloat16");
  EXPECT_EQ(doc.as_int(*doc.get(doc.root(), "np_i64")), 7);
  EXPECT_EQ(*doc.as_bytes(*doc.get(doc.root(), "raw")), std::string("\x00\xff" "bytes", 7));

  json shown = to_json(doc, doc.root());
  EXPECT_EQ(shown["model"]["0.weight"]["tensor"]["dtype"], "float32");
  EXPECT_EQ(shown["model"]["0.weight"]["tensor"]["shape"], json({8, 4}));
  EXPECT_EQ(shown["args"]["object"], "argparse.Namespace");
  EXPECT_EQ(shown["args"]["state"]["batch_size"], 32);
  EXPECT_EQ(shown["array"]["ndarray"]["shape"], json({2, 3}));
  EXPECT_EQ(shown["array"]["ndarray"]["dtype"], "int64");
  EXPECT_EQ(shown["optimizer"]["state"]["0"]["exp_avg"]["tensor"]["shape"], json({8, 4}));
}

TEST(PickleReader, SharesStoragesBetweenViews) {
  PickleDocument doc = read_fixture("zip_shared_views");
  const TensorRef* base = doc.as_tensor(*doc.get(doc.root(), "base"));
  const TensorRef* slice = doc.as_tensor(*doc.get(doc.root(), "slice"));
  const TensorRef* column = doc.as_tensor(*doc.get(doc.root(), "column"));
  const TensorRef* other = doc.as_tensor(*doc.get(doc.root(), "other"));
  ASSERT_TRUE(base && slice && column && other);
  EXPECT_EQ(base->storage, slice->storage);
  EXPECT_EQ(base->storage, column->storage);
  EXPECT_NE(base->storage, other->storage);
  EXPECT_EQ(slice->storage_offset, 2);
  EXPECT_EQ(column->storage_offset, 1);
  EXPECT_EQ(column->stride, (std::vector<std::int64_t>{6}));
  EXPECT_EQ(doc.storages().size(), 2u);
  // The same tensor object pickled twice is one value, through the memo.
  EXPECT_EQ(*doc.get(doc.root(), "base"), *doc.get(doc.root(), "same_again"));
}

TEST(PickleReader, KeepsSharedReferencesAndCycles) {
  PickleDocument doc = read_fixture("plain_p2");
  const Node& shared = doc.node(*doc.get(doc.root(), "shared"));
  ASSERT_EQ(shared.items.size(), 2u);
  EXPECT_EQ(shared.items[0], shared.items[1]);
  NodeIndex selfref = *doc.get(doc.root(), "selfref");
  ASSERT_EQ(doc.node(selfref).items.size(), 2u);
  EXPECT_EQ(doc.node(selfref).items[1], selfref);
  EXPECT_EQ(to_json(doc, selfref)[1], json({{"cycle", "list"}}));
}

TEST(PickleReader, ReportsWhereAPickleEndsAndLeavesTheRest) {
  auto doc = read_pickle(as_bytes(std::string("K\x05.trailing", 10)));
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->bytes_consumed(), 3u);
  EXPECT_EQ(doc->as_int(doc->root()), 5);
}

TEST(PickleReader, ReadsProtocol0Text) {
  auto doc = read_pickle(as_bytes("(I01\nI00\nI-5\nL123456789012345678901234567890L\nFnan\nF-1.5e+300\n"
                                  "S'a\\x41\\n\\'q'\nV\\u00e9\\U0001f600\\\\u0041\nPabc\nl."));
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const std::vector<NodeIndex>& items = doc->node(doc->root()).items;
  ASSERT_EQ(items.size(), 9u);
  EXPECT_EQ(doc->as_bool(items[0]), true);
  EXPECT_EQ(doc->as_bool(items[1]), false);
  EXPECT_EQ(doc->as_int(items[2]), -5);
  EXPECT_EQ(doc->node(items[3]).kind, ValueKind::kBigInt);
  EXPECT_EQ(doc->node(items[3]).text, "123456789012345678901234567890");
  EXPECT_TRUE(std::isnan(*doc->as_float(items[4])));
  EXPECT_EQ(doc->as_float(items[5]), -1.5e300);
  EXPECT_EQ(*doc->as_string(items[6]), "aA\n'q");
  EXPECT_EQ(*doc->as_string(items[7]), "\xC3\xA9\xF0\x9F\x98\x80\\\\u0041");
  EXPECT_EQ(doc->node(items[8]).kind, ValueKind::kPersistentId);
  EXPECT_EQ(*doc->as_string(doc->node(items[8]).args), "abc");
}

TEST(PickleReader, ConvertsLongBytesExactly) {
  // LONG1 with 9 bytes: -2**64 + 1 needs sign extension beyond int64.
  PickleBytes p;
  p.proto(2).op(0x8a).op(9).raw(std::string("\x01\x00\x00\x00\x00\x00\x00\x00\xff", 9)).stop();
  auto doc = read_pickle(p.span());
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->node(doc->root()).text, "-18446744073709551615");
  // 9 bytes that only sign-extend a small value still fit.
  PickleBytes q;
  q.proto(2).op(0x8a).op(9).raw(std::string("\xfe\xff\xff\xff\xff\xff\xff\xff\xff", 9)).stop();
  auto small = read_pickle(q.span());
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->as_int(small->root()), -2);
}

TEST(PickleReader, ModelsInstancesWithoutRunningThem) {
  // INST (protocol 0), NEWOBJ_EX with keywords, and BUILD on the result.
  auto doc = read_pickle(as_bytes("(I1\nimymodule\nMyClass\n(dS'k'\nI2\nsb."));
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->object_type(doc->root()), "mymodule.MyClass");
  EXPECT_EQ(doc->as_int(*doc->attribute(doc->root(), "k")), 2);
  EXPECT_TRUE(doc->globals()[0].called);

  PickleBytes p;
  p.proto(4).unicode("pkg").unicode("Thing").stack_global().empty_tuple().empty_dict().unicode("x").integer(1)
      .setitem().op(0x92).stop();
  auto ex = read_pickle(p.span());
  ASSERT_TRUE(ex.ok()) << ex.error().message;
  EXPECT_EQ(ex->object_type(ex->root()), "pkg.Thing");
  EXPECT_EQ(ex->as_int(*ex->get(ex->node(ex->root()).keywords, "x")), 1);
}

TEST(PickleReader, ModelsLegacyStorageViewsAndUntypedStorages) {
  // ('storage', torch.FloatStorage, 'root', 'cpu', 10, ('view', 4, 3)) as legacy files could hold.
  PickleBytes p;
  p.proto(2).global("torch._utils", "_rebuild_tensor_v2").mark();
  p.mark().unicode("storage").global("torch", "FloatStorage").unicode("root").unicode("cpu").integer(10);
  p.unicode("view").integer(4).integer(3).tuple3().tuple().binpersid();
  p.integer(1).integer(2).tuple1().integer(1).tuple1().boolean(false).empty_dict().tuple().reduce().stop();
  auto doc = read_pickle(p.span());
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const TensorRef* t = doc->as_tensor(doc->root());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->storage_key, "root");
  EXPECT_EQ(t->storage_view_offset, 4);
  EXPECT_EQ(t->storage_offset, 1);
  ASSERT_EQ(doc->storages().size(), 1u);
  EXPECT_EQ(doc->storages()[0].numel, 10);

  // _rebuild_tensor_v3(UntypedStorage, ..., dtype) as newer torch writes for dtypes like uint16.
  PickleBytes q;
  q.proto(2).global("torch._utils", "_rebuild_tensor_v3").mark();
  q.mark().unicode("storage").global("torch", "UntypedStorage").unicode("0").unicode("cuda:1").integer(8).tuple()
      .binpersid();
  q.integer(0).integer(4).tuple1().integer(1).tuple1().boolean(false).empty_dict().global("torch", "uint16").tuple()
      .reduce().stop();
  auto v3 = read_pickle(q.span());
  ASSERT_TRUE(v3.ok()) << v3.error().message;
  const TensorRef* u = v3->as_tensor(v3->root());
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->dtype, "uint16");
  EXPECT_EQ(u->location, "cuda:1");
  EXPECT_EQ(v3->storages()[0].dtype, "uint8");
}

TEST(PickleReader, ModelsTensorSubclassesAndMetaTensors) {
  // _rebuild_from_type_v2(_rebuild_tensor_v2, mylib.MyTensor, (storage, 0, (3,), (1,), False, {}), {})
  PickleBytes p;
  p.proto(2).global("torch._tensor", "_rebuild_from_type_v2").mark().global("torch._utils", "_rebuild_tensor_v2");
  p.global("mylib", "MyTensor").mark();
  p.mark().unicode("storage").global("torch", "HalfStorage").unicode("0").unicode("cpu").integer(3).tuple().binpersid();
  p.integer(0).integer(3).tuple1().integer(1).tuple1().boolean(true).empty_dict().tuple();
  p.empty_dict().tuple().reduce().stop();
  auto doc = read_pickle(p.span());
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  const TensorRef* t = doc->as_tensor(doc->root());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->dtype, "float16");
  EXPECT_EQ(t->subclass, "mylib.MyTensor");
  EXPECT_TRUE(t->requires_grad);
  EXPECT_EQ(t->rebuilt_by, "torch._tensor._rebuild_from_type_v2");

  // _rebuild_meta_tensor_no_storage(torch.float32, (2, 2), (2, 1), False): no storage at all.
  PickleBytes m;
  m.proto(2).global("torch._utils", "_rebuild_meta_tensor_no_storage").mark().global("torch", "float32");
  m.integer(2).integer(2).tuple2().integer(2).integer(1).tuple2().boolean(false).tuple().reduce().stop();
  auto meta = read_pickle(m.span());
  ASSERT_TRUE(meta.ok()) << meta.error().message;
  const TensorRef* mt = meta->as_tensor(meta->root());
  ASSERT_NE(mt, nullptr);
  EXPECT_EQ(mt->dtype, "float32");
  EXPECT_EQ(mt->location, "meta");
  EXPECT_FALSE(mt->storage);
  EXPECT_EQ(mt->shape, (std::vector<std::int64_t>{2, 2}));
}

TEST(PickleReader, StorageKeysGivenAsBytesBecomeText) {
  // Found by fuzzing: a persistent id whose key was bytes 0xff 0x06 put invalid UTF-8 into the
  // document, and rendering it as JSON threw.
  std::string crasher("X\0\0\0\0q\x06(X\x07\0\0\0storagec\n\nC\x02\xff\x06h\x06K\x02tQ.", 34);
  auto doc = read_pickle(as_bytes(crasher));
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  ASSERT_EQ(doc->storages().size(), 1u);
  EXPECT_EQ(doc->storages()[0].key, "\xC3\xBF\x06");
  EXPECT_NO_THROW((void)to_json(*doc, doc->root()).dump());
}

TEST(PickleReader, UnknownCallsBecomeOpaqueObjects) {
  PickleBytes p;
  p.proto(2).global("somewhere", "make").unicode("arg").tuple1().reduce().stop();
  auto doc = read_pickle(p.span());
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->node(doc->root()).kind, ValueKind::kObject);
  EXPECT_EQ(to_json(*doc, doc->root())["object"], "somewhere.make");
  EXPECT_EQ(to_json(*doc, doc->root())["args"], json({"arg"}));
}

// --- Damage: every error names an offset; nothing crashes or hangs.

void expect_error(const std::string& bytes, const std::string& fragment) {
  auto doc = read_pickle(as_bytes(bytes));
  ASSERT_FALSE(doc.ok()) << "expected an error containing '" << fragment << "'";
  EXPECT_NE(doc.error().message.find(fragment), std::string::npos) << doc.error().message;
}

TEST(PickleReader, DamageIsAnErrorWithItsOffset) {
  expect_error("", "truncated");
  expect_error(std::string("\x80\x02U\xc8hello", 9), "SHORT_BINSTRING at offset 2 needs 201 more bytes but only 6 remain");
  expect_error(std::string("\x80\x02X\xff\xff\xff\xff", 7), "BINUNICODE at offset 2");
  expect_error(std::string("\x80\x02\xff", 3), "unknown pickle opcode 0xff at offset 2");
  expect_error(std::string("\x80\x02" "a.", 4), "APPEND at offset 2: the stack is empty");
  expect_error(std::string("\x80\x02h\x05.", 5), "memo entry 5 was never stored");
  expect_error(std::string("\x80\x06N.", 4), "protocol 6");
  expect_error(".", "STOP at offset 0: the stack is empty");
  expect_error(std::string("\x80\x05\x97", 3), "out-of-band");
  expect_error(std::string("\x80\x02\x82\x01.", 5), "extension code 1");
  expect_error(std::string("\x80\x02(\x85.", 5), "no value since the last MARK");
  expect_error(std::string("\x80\x02K\x01K\x02K\x03s.", 10), "sets items on a int");
  expect_error(std::string("\x80\x02NNb.", 6), "sets state on None");
  expect_error(std::string("\x80\x04\x95\xff\x00\x00\x00\x00\x00\x00\x00N.", 13), "FRAME at offset 2");
  expect_error(std::string("\x80\x02X\x02\x00\x00\x00\xc3(.", 10), "not UTF-8");
  expect_error("Fabc\n.", "FLOAT at offset 0: its argument is not a number");
  expect_error("S'abc\n.", "must be quoted");
  expect_error("(.", "STOP at offset 1: no value since the last MARK");
  expect_error("(K\x01" "d.", "odd number");
}

// Where to cut a pickle: every offset of small ones; for larger ones the first and last bytes
// and an even spread between, so that each file costs about the same to check.
std::vector<std::size_t> cut_points(std::size_t size) {
  std::vector<std::size_t> points;
  const std::size_t spread = std::max<std::size_t>(1, size * size / 400'000);
  for (std::size_t i = 0; i < size; ++i) {
    if (i < 32 || i + 32 >= size || i % spread == 0) points.push_back(i);
  }
  return points;
}

// Each fixture's pickle on its own; for legacy files the object pickle (the fourth).
std::vector<std::string> fixture_pickles() {
  std::vector<std::string> pickles;
  for (const json& entry : testing::pickle_manifest()) {
    std::string name = entry["name"];
    bool legacy = entry["format"] == "legacy";
    std::string file = read_file(pickle_fixtures() / (name + (legacy ? ".pt" : ".pkl")));
    std::size_t start = 0;
    for (int i = 0; i < (legacy ? 3 : 0); ++i) {
      auto doc = read_pickle(as_bytes(file.substr(start)));
      if (!doc.ok()) break;
      start += doc->bytes_consumed();
    }
    auto doc = read_pickle(as_bytes(file.substr(start)));
    EXPECT_TRUE(doc.ok()) << name;
    pickles.push_back(file.substr(start, doc.ok() ? doc->bytes_consumed() : 0));
  }
  return pickles;
}

TEST(PickleReader, EveryTruncationIsAnError) {
  std::size_t checked = 0;
  for (const std::string& pickle : fixture_pickles()) {
    ASSERT_FALSE(pickle.empty());
    for (std::size_t cut : cut_points(pickle.size())) {
      std::span<const std::uint8_t> prefix = as_bytes(pickle).first(cut);
      auto doc = read_pickle(prefix);
      ASSERT_FALSE(doc.ok()) << "a pickle cut at " << cut << " of " << pickle.size() << " read";
      ASSERT_NE(doc.error().message.find("offset"), std::string::npos) << doc.error().message;
      if (cut % 8 == 0) {
        ASSERT_NE(scan_pickle(prefix).verdict, Safety::kSafe) << "an unreadable pickle is never safe";
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 3000u);
}

TEST(PickleReader, CorruptionNeverCrashes) {
  std::mt19937 random(20240601);
  std::size_t read_ok = 0, read_failed = 0;
  for (const std::string& file : fixture_pickles()) {
    for (int round = 0; round < 60; ++round) {
      std::string damaged = file;
      std::uniform_int_distribution<std::size_t> where(0, damaged.size() - 1);
      int flips = 1 + static_cast<int>(random() % 4);
      for (int i = 0; i < flips; ++i) damaged[where(random)] ^= static_cast<char>(1u << (random() % 8));
      PickleReadAttempt attempt = read_pickle_partial(as_bytes(damaged));
      SecurityVerdict verdict = judge_read(attempt, as_bytes(damaged));
      if (attempt.error) {
        ++read_failed;
        EXPECT_FALSE(attempt.error->message.empty());
        EXPECT_NE(verdict.verdict, Safety::kSafe);
      } else {
        ++read_ok;
        EXPECT_NO_THROW((void)to_json(attempt.document, attempt.document.root()).dump());
      }
      EXPECT_NO_THROW((void)verdict.to_json().dump());
    }
  }
  // Both outcomes happen: flips in string payloads read fine, flips in opcodes do not.
  EXPECT_GT(read_ok, 0u);
  EXPECT_GT(read_failed, 0u);
}

// --- Limits: hostile input hits a named limit, and sharing never multiplies memory.

TEST(PickleReader, DeepNestingHitsTheDepthLimit) {
  PickleBytes p;
  p.proto(2);
  for (int i = 0; i < 2000; ++i) p.empty_list();
  for (int i = 0; i < 1999; ++i) p.append();
  p.stop();
  auto doc = read_pickle(p.span());
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("1000 levels of nesting"), std::string::npos) << doc.error().message;
  EXPECT_NE(doc.error().message.find("max_depth"), std::string::npos);

  auto marks = read_pickle(as_bytes(std::string(2000, '(')));
  ASSERT_FALSE(marks.ok());
  EXPECT_NE(marks.error().message.find("nested MARKs"), std::string::npos) << marks.error().message;

  PickleBytes shallow;
  shallow.proto(2);
  for (int i = 0; i < 900; ++i) shallow.empty_list();
  for (int i = 0; i < 899; ++i) shallow.append();
  shallow.stop();
  EXPECT_TRUE(read_pickle(shallow.span()).ok());
}

TEST(PickleReader, SelfAppendsStayLinear) {
  // A list appended into itself 200000 times: that many references, one list.
  PickleBytes p;
  p.proto(2).empty_list();
  for (int i = 0; i < 200'000; ++i) p.op('2').append();
  p.stop();
  auto doc = read_pickle(p.span());
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->node(doc->root()).items.size(), 200'000u);
  EXPECT_LT(doc->node_count(), 10u);
  json shown = to_json(*doc, doc->root());
  EXPECT_EQ(shown.size(), 101u);  // 100 items, then "… 199900 more"
  EXPECT_EQ(shown[0], json({{"cycle", "list"}}));
}

TEST(PickleReader, SharedValuesRenderWithinTheirCap) {
  // t = (t, t) sixty times over: 2**60 paths through 61 values.
  PickleBytes p;
  p.proto(2).empty_tuple();
  for (int i = 0; i < 60; ++i) p.op('2').tuple2();
  p.stop();
  auto doc = read_pickle(p.span());
  ASSERT_TRUE(doc.ok());
  PickleJsonLimits limits;
  limits.max_values = 500;
  std::string shown = to_json(*doc, doc->root(), limits).dump();
  EXPECT_LT(shown.size(), 20'000u);
}

TEST(PickleReader, CountLimitsAreErrors) {
  PickleLimits limits;
  limits.max_nodes = 1000;
  PickleBytes many;
  many.proto(2);
  for (int i = 0; i < 2000; ++i) many.empty_list().op('0');
  many.none().stop();
  auto nodes = read_pickle(many.span(), limits);
  ASSERT_FALSE(nodes.ok());
  EXPECT_NE(nodes.error().message.find("max_nodes"), std::string::npos) << nodes.error().message;

  limits = {};
  limits.max_memo_entries = 10;
  PickleBytes memo;
  memo.proto(2).none();
  for (int i = 0; i < 20; ++i) memo.put(static_cast<std::uint8_t>(i));
  memo.stop();
  auto memo_doc = read_pickle(memo.span(), limits);
  ASSERT_FALSE(memo_doc.ok());
  EXPECT_NE(memo_doc.error().message.find("max_memo_entries"), std::string::npos);

  limits = {};
  limits.max_stack_entries = 100;
  auto stack = read_pickle(as_bytes("N" + std::string(200, '2') + "."), limits);
  ASSERT_FALSE(stack.ok());
  EXPECT_NE(stack.error().message.find("max_stack_entries"), std::string::npos);

  limits = {};
  limits.max_container_items = 1000;
  PickleBytes items;
  items.proto(2).empty_list();
  for (int i = 0; i < 2000; ++i) items.op('2').append();
  items.stop();
  auto items_doc = read_pickle(items.span(), limits);
  ASSERT_FALSE(items_doc.ok());
  EXPECT_NE(items_doc.error().message.find("max_container_items"), std::string::npos);

  // LONG4 of 100000 bytes would take quadratic time to print.
  PickleBytes long4;
  long4.proto(2).op(0x8b).little_endian(100000, 4).raw(std::string(100000, '\x7f')).stop();
  auto long_doc = read_pickle(long4.span());
  ASSERT_FALSE(long_doc.ok());
  EXPECT_NE(long_doc.error().message.find("max_long_bytes"), std::string::npos);
}

TEST(PickleReader, CopyingCallsAreChargedToTheLimits) {
  // builtins.list(L) on a 1000-item list, a thousand times: a million copied items.
  PickleLimits limits;
  limits.max_container_items = 100'000;
  PickleBytes p;
  p.proto(2).empty_list().put(0);
  for (int i = 0; i < 1000; ++i) p.op('2').append();
  p.op('0');
  p.global("builtins", "list").put(1).op('0').empty_list().put(2);
  for (int i = 0; i < 1000; ++i) p.get(2).get(1).get(0).tuple1().reduce().append();
  p.stop();
  auto doc = read_pickle(p.span(), limits);
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("max_container_items"), std::string::npos) << doc.error().message;
}

}  // namespace
}  // namespace trainctl::checkpoint
