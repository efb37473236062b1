#include "checkpoint/pickle_json.h"

#include <gtest/gtest.h>

#include "checkpoint/pickle_reader.h"
#include "checkpoint/pickle_test_bytes.h"

namespace trainctl::checkpoint {
namespace {

using nlohmann::json;
using testing::PickleBytes;

PickleDocument read(const PickleBytes& bytes) {
  auto doc = read_pickle(bytes.span());
  EXPECT_TRUE(doc.ok()) << doc.error().message;
  return doc.ok() ? std::move(*doc) : PickleDocument{};
}

TEST(PickleJson, ScalarsAndSpecialFloats) {
  PickleBytes p;
  p.proto(2).mark().none().boolean(true).integer(-3).unicode("x");
  p.op('G').raw(std::string("\x7f\xf8\x00\x00\x00\x00\x00\x00", 8));  // nan
  p.op('G').raw(std::string("\xff\xf0\x00\x00\x00\x00\x00\x00", 8));  // -inf
  p.bytes(std::string("\x00\xab", 2)).op('l').stop();
  PickleDocument doc = read(p);
  EXPECT_EQ(to_json(doc, doc.root()),
            json::parse(R"([null, true, -3, "x", "nan", "-inf", {"bytes": 2, "hex": "00ab"}])"));
}

TEST(PickleJson, CutsLongStringsAtACharacterBoundary) {
  PickleBytes p;
  p.proto(2).unicode("\xC3\xA9\xC3\xA9\xC3\xA9").stop();  // three 2-byte characters
  PickleDocument doc = read(p);
  PickleJsonLimits limits;
  limits.max_string_bytes = 3;
  std::string shown = to_json(doc, doc.root(), limits).get<std::string>();
  EXPECT_EQ(shown.rfind("\xC3\xA9\xE2\x80\xA6", 0), 0u) << shown;  // "é…", not half a character
  EXPECT_NO_THROW((void)to_json(doc, doc.root(), limits).dump());
}

TEST(PickleJson, DictsWithOtherKeysBecomePairs) {
  PickleBytes p;
  p.proto(2).empty_dict().integer(1).integer(2).tuple2().unicode("v").setitem().stop();
  PickleDocument doc = read(p);
  EXPECT_EQ(to_json(doc, doc.root()), json::parse(R"({"dict": [[[1, 2], "v"]]})"));

  PickleBytes q;
  q.proto(2).empty_dict().integer(7).unicode("seven").setitem().none().unicode("none").setitem().stop();
  PickleDocument plain = read(q);
  EXPECT_EQ(to_json(plain, plain.root()), json::parse(R"({"7": "seven", "None": "none"})"));
}

TEST(PickleJson, CapsItemsAndDepth) {
  PickleBytes p;
  p.proto(2).empty_list().mark();
  for (int i = 0; i < 10; ++i) p.integer(i);
  p.appends().stop();
  PickleDocument doc = read(p);
  PickleJsonLimits limits;
  limits.max_items = 3;
  EXPECT_EQ(to_json(doc, doc.root(), limits), json::parse(R"([0, 1, 2, "\u2026 7 more"])"));

  PickleBytes deep;
  deep.proto(2);
  for (int i = 0; i < 50; ++i) deep.empty_list();
  for (int i = 0; i < 49; ++i) deep.append();
  deep.stop();
  PickleDocument nested = read(deep);
  limits = {};
  limits.max_depth = 5;
  EXPECT_EQ(to_json(nested, nested.root(), limits), json::parse(R"([[[[["\u2026"]]]]])"));
}

TEST(PickleJson, OpaqueObjects) {
  PickleBytes p;
  p.proto(2).global("mylib", "Config").empty_tuple().newobj().empty_dict().unicode("layers").integer(4).setitem();
  p.build().stop();
  PickleDocument doc = read(p);
  EXPECT_EQ(to_json(doc, doc.root()), json::parse(R"({"object": "mylib.Config", "state": {"layers": 4}})"));
}

}  // namespace
}  // namespace trainctl::checkpoint
