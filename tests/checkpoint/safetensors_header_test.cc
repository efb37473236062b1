#include "checkpoint/safetensors_header.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace trainctl::checkpoint {
namespace {

// Lays a file out as the safetensors writer does: u64 header size, JSON header padded with
// spaces to 8 bytes, then the data section.
std::string safetensors_file(const std::string& header_json, std::size_t data_bytes) {
  std::string header = header_json;
  while ((header.size() % 8) != 0) header += ' ';
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xFF));
  return out + header + std::string(data_bytes, '\x01');
}

constexpr const char* kHeader =
    R"({"__metadata__":{"format":"pt","step":"1200"},)"
    R"("model.embed.weight":{"dtype":"BF16","shape":[100,16],"data_offsets":[0,3200]},)"
    R"("model.head.bias":{"dtype":"F32","shape":[100],"data_offsets":[3200,3600]},)"
    R"("model.mask":{"dtype":"BOOL","shape":[4],"data_offsets":[3600,3604]}})";

TEST(SafetensorsHeader, ReadsTensorsAndMetadata) {
  testing::TempDir dir;
  auto path = dir.write("model.safetensors", safetensors_file(kHeader, 3604));
  auto header = read_safetensors_header(path.string());
  ASSERT_TRUE(header.ok()) << header.error().message;
  ASSERT_EQ(header->tensors.size(), 3u);
  EXPECT_EQ(header->metadata.at("format"), "pt");
  EXPECT_EQ(header->metadata.at("step"), "1200");
  EXPECT_EQ(header->data_bytes, 3604u);
  const auto& embed = header->tensors[0];
  EXPECT_EQ(embed.name, "model.embed.weight");
  EXPECT_EQ(embed.dtype, "bfloat16");
  EXPECT_EQ(embed.shape, (std::vector<std::int64_t>{100, 16}));
  EXPECT_EQ(header->tensors[2].dtype, "bool");
}

TEST(SafetensorsHeader, ATruncatedFileSaysHowMuchArrived) {
  testing::TempDir dir;
  std::string whole = safetensors_file(kHeader, 3604);
  auto path = dir.write("cut.safetensors", whole.substr(0, whole.size() - 1000));
  auto header = read_safetensors_header(path.string());
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().message.rfind("truncated: ", 0), 0u) << header.error().message;
  // Every shorter prefix fails too, never crashes.
  for (std::size_t size = 0; size < whole.size(); size += 97) {
    auto p = dir.write("prefix.safetensors", whole.substr(0, size));
    EXPECT_FALSE(read_safetensors_header(p.string()).ok()) << size;
  }
}

TEST(SafetensorsHeader, RejectsHostileHeaders) {
  testing::TempDir dir;
  std::string huge(8, '\xff');  // a header size of 2^64-1
  EXPECT_FALSE(read_safetensors_header(dir.write("huge.safetensors", huge + "{}").string()).ok());
  auto not_json = read_safetensors_header(dir.write("garbage.safetensors", safetensors_file("{not json", 0)).string());
  ASSERT_FALSE(not_json.ok());
  EXPECT_NE(not_json.error().message.find("not a JSON object"), std::string::npos);
  auto bad_range = read_safetensors_header(dir.write("range.safetensors",
      safetensors_file(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}})", 8)).string());
  ASSERT_FALSE(bad_range.ok());
  EXPECT_NE(bad_range.error().message.find("do not fit"), std::string::npos);
  auto bad_dtype = read_safetensors_header(dir.write("dtype.safetensors",
      safetensors_file(R"({"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}})", 16)).string());
  ASSERT_FALSE(bad_dtype.ok());
  EXPECT_NE(bad_dtype.error().message.find("F128"), std::string::npos);
  auto overflow = read_safetensors_header(dir.write("overflow.safetensors",
      safetensors_file(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}})", 16)).string());
  EXPECT_FALSE(overflow.ok());
  auto empty = read_safetensors_header(dir.write("empty.safetensors", "").string());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);
}

TEST(DtypeNames, MapSafetensorsCodesAndSizes) {
  EXPECT_EQ(safetensors_dtype_name("F16"), "float16");
  EXPECT_EQ(safetensors_dtype_name("I8"), "int8");
  EXPECT_EQ(safetensors_dtype_name("nope"), "");
  EXPECT_EQ(dtype_size("bfloat16"), 2u);
  EXPECT_EQ(dtype_size("float64"), 8u);
  EXPECT_EQ(dtype_size("mystery"), 0u);
}

}  // namespace
}  // namespace trainctl::checkpoint
