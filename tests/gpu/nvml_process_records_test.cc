#include "gpu/nvml_process_records.h"

#include <cstring>

#include <gtest/gtest.h>

#include "gpu/nvml_api.h"

namespace trainctl::gpu {
namespace {

constexpr std::uint64_t kGiB = 1024ULL * 1024 * 1024;
constexpr std::optional<std::uint64_t> kTotal = 80 * kGiB;

struct Sample {
  unsigned int pid;
  unsigned long long memory;
  unsigned int gpu_instance;
  unsigned int compute_instance;
};

const std::vector<Sample> kSamples = {{1843021, 70 * kGiB, nvml::kInvalidInstanceId, nvml::kInvalidInstanceId},
                                      {1843022, nvml::kValueNotAvailable, nvml::kInvalidInstanceId, nvml::kInvalidInstanceId},
                                      {1901355, 3 * kGiB + 123 * 1024 * 1024, 2, 0}};

// The samples laid out as a driver writing `record`-byte records would.
std::vector<unsigned char> records(std::size_t record, const std::vector<Sample>& samples = kSamples) {
  std::vector<unsigned char> bytes(samples.size() * record + 64, 0);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    unsigned char* at = bytes.data() + i * record;
    std::memcpy(at, &samples[i].pid, 4);
    std::memcpy(at + 8, &samples[i].memory, 8);
    if (record >= 24) {
      std::memcpy(at + 16, &samples[i].gpu_instance, 4);
      std::memcpy(at + 20, &samples[i].compute_instance, 4);
    }
  }
  return bytes;
}

void expect_samples(const std::vector<GpuProcess>& processes, bool with_ids) {
  ASSERT_EQ(processes.size(), 3u);
  EXPECT_EQ(processes[0].pid, 1843021u);
  EXPECT_EQ(processes[0].used_memory_bytes, 70 * kGiB);
  EXPECT_FALSE(processes[0].gpu_instance_id.has_value());
  EXPECT_EQ(processes[1].pid, 1843022u);
  EXPECT_FALSE(processes[1].used_memory_bytes.has_value());
  EXPECT_EQ(processes[2].pid, 1901355u);
  EXPECT_EQ(processes[2].used_memory_bytes, 3 * kGiB + 123 * 1024 * 1024);
  EXPECT_EQ(processes[2].gpu_instance_id.has_value(), with_ids);
  if (with_ids) {
    EXPECT_EQ(processes[2].gpu_instance_id, 2u);
    EXPECT_EQ(processes[2].compute_instance_id, 0u);
  }
}

TEST(NvmlProcessRecords, InfersEachRecordSizeDriversWrite) {
  for (std::size_t size : {24u, 32u}) {
    auto bytes = records(size);
    auto decoded = decode_process_records(bytes, 3, kProcessRecordSizesV3, kTotal);
    ASSERT_TRUE(decoded.ok()) << size << ": " << decoded.error().message;
    expect_samples(*decoded, true);
  }
  auto v1 = records(16);
  auto decoded = decode_process_records(v1, 3, kProcessRecordSizesV3, kTotal);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  expect_samples(*decoded, false);
}

TEST(NvmlProcessRecords, OneRecordReadsTheSameWhateverTheSize) {
  std::vector<Sample> one = {kSamples[2]};
  auto bytes = records(32, one);
  auto decoded = decode_process_records(bytes, 1, kProcessRecordSizesV3, kTotal);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ((*decoded)[0].pid, 1901355u);
  EXPECT_EQ((*decoded)[0].gpu_instance_id, 2u);
}

TEST(NvmlProcessRecords, ImplausibleArraysAreErrors) {
  std::vector<Sample> zero_pid = {{0, kGiB, 0, 0}};
  auto zero = records(24, zero_pid);
  EXPECT_FALSE(decode_process_records(zero, 1, kProcessRecordSizesV3, kTotal).ok());

  std::vector<Sample> too_big = {{77, 200 * kGiB, 0, 0}};   // more than the GPU has
  auto big = records(24, too_big);
  auto decoded = decode_process_records(big, 1, kProcessRecordSizesV3, kTotal);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("nvidia-smi"), std::string::npos);

  std::vector<Sample> same_pid = {{77, kGiB, 0, 0}, {77, kGiB, 0, 0}};
  auto twice = records(24, same_pid);
  EXPECT_FALSE(decode_process_records(twice, 2, kProcessRecordSizesV3, kTotal).ok());

  auto short_buffer = records(24);
  EXPECT_FALSE(decode_process_records(std::span(short_buffer).first(40), 3, kProcessRecordSizesV3, kTotal).ok());
}

TEST(NvmlProcessRecords, KnownSizeIsNotSecondGuessed) {
  static constexpr std::size_t kOnlyV2[] = {24};
  auto cc = records(32);
  // Read as 24-byte records, a 32-byte array is garbage from the second record on.
  EXPECT_FALSE(decode_process_records(cc, 3, kOnlyV2, kTotal).ok());
}

}  // namespace
}  // namespace trainctl::gpu
