#include "checkpoint/zip_archive.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "python_fixture.h"
#include "temp_dir.h"

namespace trainctl::checkpoint {
namespace {

namespace fs = std::filesystem;

// Real files written once per test binary by tests/checkpoint/fixtures/make_zip_fixtures.py.
const fs::path& fixtures() {
  static testing::TempDir dir;
  static std::once_flag once;
  std::call_once(once, [] {
    testing::run_fixture_script(std::string(TRAINCTL_SOURCE_DIR) + "/tests/checkpoint/fixtures/make_zip_fixtures.py",
                                {dir.path().string()});
  });
  return dir.path();
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void put(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

// A minimal stored-zip writer, so that tests can build what no library writes on demand:
// zip64 fields on small files, and hostile directories.
std::string build_zip(const std::vector<std::pair<std::string, std::string>>& records, bool zip64) {
  std::string out, directory;
  for (const auto& [name, data] : records) {
    std::uint64_t offset = out.size();
    auto crc = static_cast<std::uint32_t>(::crc32_z(0, reinterpret_cast<const Bytef*>(data.data()), data.size()));
    put(out, 0x04034b50, 4); put(out, 20, 2); put(out, 0, 2); put(out, 0, 2); put(out, 0, 4);
    put(out, crc, 4); put(out, data.size(), 4); put(out, data.size(), 4);
    put(out, name.size(), 2); put(out, 0, 2);
    out += name;
    out += data;
    put(directory, 0x02014b50, 4); put(directory, 45, 2); put(directory, 45, 2); put(directory, 0, 2);
    put(directory, 0, 2); put(directory, 0, 4); put(directory, crc, 4);
    put(directory, zip64 ? 0xFFFFFFFF : data.size(), 4); put(directory, zip64 ? 0xFFFFFFFF : data.size(), 4);
    put(directory, name.size(), 2); put(directory, zip64 ? 28 : 0, 2); put(directory, 0, 2);
    put(directory, 0, 2); put(directory, 0, 2); put(directory, 0, 4);
    put(directory, zip64 ? 0xFFFFFFFF : offset, 4);
    directory += name;
    if (zip64) {
      put(directory, 0x0001, 2); put(directory, 24, 2);
      put(directory, data.size(), 8); put(directory, data.size(), 8); put(directory, offset, 8);
    }
  }
  std::uint64_t directory_offset = out.size();
  out += directory;
  if (zip64) {
    std::uint64_t end64 = out.size();
    put(out, 0x06064b50, 4); put(out, 44, 8); put(out, 45, 2); put(out, 45, 2); put(out, 0, 4); put(out, 0, 4);
    put(out, records.size(), 8); put(out, records.size(), 8); put(out, directory.size(), 8); put(out, directory_offset, 8);
    put(out, 0x07064b50, 4); put(out, 0, 4); put(out, end64, 8); put(out, 1, 4);
  }
  put(out, 0x06054b50, 4); put(out, 0, 2); put(out, 0, 2);
  put(out, zip64 ? 0xFFFF : records.size(), 2); put(out, zip64 ? 0xFFFF : records.size(), 2);
  put(out, zip64 ? 0xFFFFFFFF : directory.size(), 4); put(out, zip64 ? 0xFFFFFFFF : directory_offset, 4);
  put(out, 0, 2);
  return out;
}

std::string read_text(const ZipArchive& archive, const std::string& name) {
  const ZipEntry* entry = archive.find(name);
  if (!entry) return "<missing>";
  auto data = archive.read(*entry, 1 << 20);
  if (!data) return "<error: " + data.error().message + ">";
  return std::string(data->begin(), data->end());
}

const ZipEntry* find_suffix(const ZipArchive& archive, const std::string& suffix) {
  for (const auto& e : archive.entries()) {
    if (e.name.size() >= suffix.size() && e.name.compare(e.name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return &e;
    }
  }
  return nullptr;
}

TEST(ZipArchive, ReadsATorchSaveFileAndItsPickle) {
  auto archive = ZipArchive::open((fixtures() / "small.pt").string());
  ASSERT_TRUE(archive.ok()) << archive.error().message;
  const ZipEntry* pickle = find_suffix(*archive, "/data.pkl");
  ASSERT_NE(pickle, nullptr);
  auto bytes = archive->read(*pickle, 1 << 20);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  ASSERT_GE(bytes->size(), 2u);
  EXPECT_EQ((*bytes)[0], 0x80);   // PROTO opcode
  EXPECT_EQ(bytes->back(), '.');  // STOP opcode
  // PyTorch aligns every tensor record to 64 bytes through the local header's extra field.
  int tensors = 0;
  for (const auto& entry : archive->entries()) {
    if (entry.name.find("/data/") == std::string::npos) continue;
    ++tensors;
    auto offset = archive->data_offset(entry);
    ASSERT_TRUE(offset.ok()) << offset.error().message;
    EXPECT_EQ(*offset % 64, 0u) << entry.name;
    EXPECT_TRUE(archive->verify(entry).ok()) << entry.name;
  }
  EXPECT_EQ(tensors, 4);  // two Linear layers: weight and bias each
}

TEST(ZipArchive, MetadataOfABigCheckpointReadsAFewKilobytes) {
  auto archive = ZipArchive::open((fixtures() / "big.pt").string());
  ASSERT_TRUE(archive.ok()) << archive.error().message;
  EXPECT_GT(archive->file_size(), 48u << 20);
  ASSERT_TRUE(archive->read(*find_suffix(*archive, "/data.pkl"), 1 << 20).ok());
  EXPECT_LT(archive->bytes_read(), 128u * 1024);
}

TEST(ZipArchive, EveryTruncationIsAnErrorAndTheLocalScanSaysWhatArrived) {
  std::string whole = slurp(fixtures() / "small.pt");
  testing::TempDir dir;
  fs::path cut = dir.path() / "cut.pt";
  // Every offset would be slow to scan; every 7th byte covers headers, records and the directory.
  for (std::size_t size = 0; size < whole.size(); size += 7) {
    { std::ofstream(cut, std::ios::binary) << whole.substr(0, size); }
    auto archive = ZipArchive::open(cut.string());
    if (archive.ok()) {
      // Losing only bytes after the end record cannot happen: it is the last thing in the file.
      ADD_FAILURE() << "a file truncated to " << size << " of " << whole.size() << " bytes opened";
      continue;
    }
    auto scan = scan_local_headers(cut.string());
    ASSERT_TRUE(scan.ok());
    EXPECT_EQ(scan->file_size, size);
    for (const auto& entry : scan->complete) EXPECT_LE(entry.local_header_offset + entry.compressed_size, size);
    if (scan->cut) {
      EXPECT_GT(scan->cut_expected_end, size);
    }
  }
}

TEST(ZipArchive, ACorruptRecordFailsItsCrc) {
  std::string bytes = slurp(fixtures() / "small.pt");
  auto original = ZipArchive::open((fixtures() / "small.pt").string());
  ASSERT_TRUE(original.ok());
  const ZipEntry* pickle = find_suffix(*original, "/data.pkl");
  const ZipEntry* tensor = find_suffix(*original, "/data/0");
  ASSERT_TRUE(pickle && tensor);
  auto pickle_at = original->data_offset(*pickle);
  auto tensor_at = original->data_offset(*tensor);
  ASSERT_TRUE(pickle_at.ok() && tensor_at.ok());
  bytes[*pickle_at + 5] = static_cast<char>(bytes[*pickle_at + 5] ^ 0x01);
  bytes[*tensor_at + 3] = static_cast<char>(bytes[*tensor_at + 3] ^ 0x40);
  testing::TempDir dir;
  fs::path damaged = dir.path() / "damaged.pt";
  std::ofstream(damaged, std::ios::binary) << bytes;
  auto archive = ZipArchive::open(damaged.string());
  ASSERT_TRUE(archive.ok());
  auto data = archive->read(*find_suffix(*archive, "/data.pkl"), 1 << 20);
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.error().message.find("CRC-32"), std::string::npos) << data.error().message;
  EXPECT_TRUE(archive->read(*find_suffix(*archive, "/data.pkl"), 1 << 20, /*verify_crc=*/false).ok());
  auto verified = archive->verify(*find_suffix(*archive, "/data/0"));
  ASSERT_FALSE(verified.ok());
  EXPECT_NE(verified.error().message.find("corrupt"), std::string::npos);
}

TEST(ZipArchive, ReadsZip64DirectoriesAndFields) {
  testing::TempDir dir;
  auto path = dir.write("z64.zip", build_zip({{"a/data.pkl", "hello"}, {"a/data/0", std::string(100, 'x')}}, true));
  auto archive = ZipArchive::open(path.string());
  ASSERT_TRUE(archive.ok()) << archive.error().message;
  ASSERT_EQ(archive->entries().size(), 2u);
  EXPECT_EQ(archive->entries()[1].uncompressed_size, 100u);
  EXPECT_EQ(read_text(*archive, "a/data.pkl"), "hello");
  EXPECT_EQ(read_text(*archive, "a/data/0"), std::string(100, 'x'));
}

TEST(ZipArchive, PlainBuiltArchiveRoundTrips) {
  testing::TempDir dir;
  auto path = dir.write("plain.zip", build_zip({{"x", "1"}, {"y", ""}}, false));
  auto archive = ZipArchive::open(path.string());
  ASSERT_TRUE(archive.ok()) << archive.error().message;
  EXPECT_EQ(read_text(*archive, "x"), "1");
  EXPECT_EQ(read_text(*archive, "y"), "");
  EXPECT_EQ(archive->find("z"), nullptr);
}

TEST(ZipArchive, HostileDirectoriesAreErrorsNotCrashes) {
  testing::TempDir dir;
  std::string good = build_zip({{"a", "data"}}, false);
  std::size_t end = good.size() - 22;
  // Directory offset pointing past the end of the file.
  std::string bad_offset = good;
  bad_offset[end + 16] = '\x7f'; bad_offset[end + 19] = '\x7f';
  // Entry count far over what the directory holds.
  std::string bad_count = good;
  bad_count[end + 10] = '\x10'; bad_count[end + 8] = '\x10';
  // A name length that runs past the directory.
  std::string bad_name = good;
  std::size_t central = good.find(std::string("PK\x01\x02", 4));
  bad_name[central + 28] = '\xff';
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"offset", bad_offset}, {"count", bad_count}, {"name", bad_name}}) {
    auto path = dir.write(name + ".zip", bytes);
    auto archive = ZipArchive::open(path.string());
    EXPECT_FALSE(archive.ok()) << name;
    if (!archive.ok()) {
      EXPECT_NE(archive.error().message.find(path.string()), std::string::npos);
    }
  }
  ZipLimits tight;
  tight.max_entries = 0;
  auto limited = ZipArchive::open(dir.write("one.zip", good).string(), tight);
  ASSERT_FALSE(limited.ok());
  EXPECT_NE(limited.error().message.find("limit"), std::string::npos);
}

TEST(ZipArchive, NonZipsAreNamedForWhatTheyAre) {
  auto text = ZipArchive::open((fixtures() / "not_a_zip.txt").string());
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message.find("not a zip archive"), std::string::npos) << text.error().message;
  auto empty = ZipArchive::open((fixtures() / "empty.pt").string());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("too small"), std::string::npos);
  auto missing = ZipArchive::open((fixtures() / "missing.pt").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
  auto directory = ZipArchive::open(fixtures().string());
  EXPECT_FALSE(directory.ok());
}

TEST(ZipArchive, CompressedRecordsAreRefusedWithTheReason) {
  auto archive = ZipArchive::open((fixtures() / "deflated.zip").string());
  ASSERT_TRUE(archive.ok()) << archive.error().message;
  auto data = archive->read(archive->entries().at(0), 1 << 20);
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.error().message.find("compressed"), std::string::npos);
}

TEST(ZipArchive, OversizedRecordsAreRefused) {
  auto archive = ZipArchive::open((fixtures() / "big.pt").string());
  ASSERT_TRUE(archive.ok());
  auto data = archive->read(*find_suffix(*archive, "/data/0"), 1 << 20);
  ASSERT_FALSE(data.ok());
  EXPECT_NE(data.error().message.find("over the limit"), std::string::npos);
}

TEST(StartsLikeZip, ChecksTheSignature) {
  EXPECT_TRUE(starts_like_zip(std::string_view("PK\x03\x04rest", 8)));
  EXPECT_FALSE(starts_like_zip("PK"));
  EXPECT_FALSE(starts_like_zip(std::string_view("\x80\x02\x8a\x0a", 4)));
}

}  // namespace
}  // namespace trainctl::checkpoint
