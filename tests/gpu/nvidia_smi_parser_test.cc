#include "gpu/nvidia_smi_parser.h"

#include <random>

#include <gtest/gtest.h>

#include "gpu_test_support.h"

namespace trainctl::gpu {
namespace {

using testing::read_gpu_data;

std::vector<std::string> fields_without(const std::string& dropped) {
  std::vector<std::string> fields = query_gpu_fields();
  fields.erase(std::find(fields.begin(), fields.end(), dropped));
  return fields;
}

TEST(NvidiaSmiParser, OneIdleRtx4090ReadsEveryFieldExactly) {
  auto rows = parse_query_gpu(read_gpu_data("one_rtx4090/query_gpu.csv"), query_gpu_fields());
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->gpus.size(), 1u);
  const Gpu& gpu = rows->gpus[0];
  EXPECT_EQ(gpu.index, 0u);
  EXPECT_EQ(gpu.name, "NVIDIA GeForce RTX 4090");
  EXPECT_EQ(gpu.uuid, "GPU-0f2a6b4e-8c1d-7e3f-9a5b-2c4d6e8f0a1b");
  EXPECT_EQ(gpu.pci_bus_id, "00000000:01:00.0");
  EXPECT_EQ(gpu.memory_total_bytes, 25757220864ULL);
  EXPECT_EQ(gpu.memory_used_bytes, 378535936ULL);
  EXPECT_EQ(gpu.memory_free_bytes, 24958205952ULL);
  EXPECT_EQ(gpu.utilization_percent, 3u);
  EXPECT_EQ(gpu.memory_utilization_percent, 1u);
  EXPECT_EQ(gpu.temperature_c, 34u);
  ASSERT_TRUE(gpu.power_watts.has_value());
  EXPECT_DOUBLE_EQ(*gpu.power_watts, 17.86);
  EXPECT_DOUBLE_EQ(gpu.power_limit_watts.value_or(0), 450.0);
  EXPECT_EQ(gpu.compute_capability, "8.9");
  EXPECT_FALSE(gpu.mig_enabled);  // "[N/A]": a GeForce has no MIG
  EXPECT_EQ(rows->driver_version, "550.54.15");

  auto apps = parse_compute_apps(read_gpu_data("one_rtx4090/compute_apps.csv"));
  ASSERT_TRUE(apps.ok());
  EXPECT_TRUE(apps->empty());
}

TEST(NvidiaSmiParser, EightH100sWithTheirProcesses) {
  auto rows = parse_query_gpu(read_gpu_data("eight_h100/query_gpu.csv"), query_gpu_fields());
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->gpus.size(), 8u);
  for (std::uint32_t i = 0; i < 8; ++i) {
    EXPECT_EQ(rows->gpus[i].index, i);
    EXPECT_EQ(rows->gpus[i].name, "NVIDIA H100 80GB HBM3");
    EXPECT_EQ(rows->gpus[i].memory_total_bytes, 85520809984ULL);
    EXPECT_EQ(rows->gpus[i].compute_capability, "9.0");
    EXPECT_FALSE(rows->gpus[i].mig_enabled);
  }
  EXPECT_EQ(rows->gpus[0].memory_used_bytes, 75961991168ULL);
  EXPECT_EQ(rows->gpus[0].memory_free_bytes, 8947499008ULL);
  EXPECT_EQ(rows->gpus[7].uuid, "GPU-4f9a7c3d-0e6b-b1d8-5c2a-e7f3b9d0a618");
  EXPECT_EQ(rows->gpus[7].pci_bus_id, "00000000:DF:00.0");
  EXPECT_DOUBLE_EQ(rows->gpus[2].power_watts.value_or(0), 634.90);
  EXPECT_EQ(rows->driver_version, "535.104.05");

  auto apps = parse_compute_apps(read_gpu_data("eight_h100/compute_apps.csv"));
  ASSERT_TRUE(apps.ok()) << apps.error().message;
  ASSERT_EQ(apps->size(), 10u);
  EXPECT_EQ((*apps)[0].gpu_uuid, "GPU-3b6d9f1a-52c4-8e07-b1d3-6a9c2e4f8b10");
  EXPECT_EQ((*apps)[0].process.pid, 1843021u);
  EXPECT_EQ((*apps)[0].process.name, "/opt/conda/envs/train/bin/python");
  EXPECT_EQ((*apps)[0].process.used_memory_bytes, 75396808704ULL);
  EXPECT_EQ((*apps)[1].process.name, "/opt/conda/envs/train/bin/torchrun");
  EXPECT_EQ((*apps)[1].process.used_memory_bytes, 543162368ULL);
  EXPECT_EQ((*apps)[5].gpu_uuid, "GPU-58f0b2e6-a3c7-4d19-8e56-b7c2d0f4a1e3");
  EXPECT_EQ((*apps)[5].process.pid, 1901355u);
  EXPECT_EQ((*apps)[5].process.used_memory_bytes, 3235905536ULL);
  EXPECT_FALSE((*apps)[5].process.gpu_instance_id.has_value());
}

TEST(NvidiaSmiParser, MigGpuHasUnknownUtilisationAndItsDevicesComeFromDashL) {
  auto rows = parse_query_gpu(read_gpu_data("a100_mig/query_gpu.csv"), query_gpu_fields());
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->gpus.size(), 2u);
  EXPECT_TRUE(rows->gpus[0].mig_enabled);
  EXPECT_FALSE(rows->gpus[0].utilization_percent.has_value());
  EXPECT_FALSE(rows->gpus[0].memory_utilization_percent.has_value());
  EXPECT_EQ(rows->gpus[0].memory_used_bytes, 11810111488ULL);
  EXPECT_FALSE(rows->gpus[1].mig_enabled);
  EXPECT_EQ(rows->gpus[1].utilization_percent, 0u);

  auto apps = parse_compute_apps(read_gpu_data("a100_mig/compute_apps.csv"));
  ASSERT_TRUE(apps.ok()) << apps.error().message;
  ASSERT_EQ(apps->size(), 2u);
  EXPECT_FALSE((*apps)[0].process.used_memory_bytes.has_value());  // "[N/A]" under MIG
  EXPECT_EQ((*apps)[1].process.name, "/usr/bin/python3.10");

  auto listed = parse_gpu_list(read_gpu_data("a100_mig/list.txt"));
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].index, 0u);
  EXPECT_EQ((*listed)[0].name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ((*listed)[0].uuid, "GPU-5d5ba0d6-d33d-2b2c-524d-e6d1d4f1a6e3");
  ASSERT_EQ((*listed)[0].mig_instances.size(), 3u);
  EXPECT_EQ((*listed)[0].mig_instances[0].profile, "3g.20gb");
  EXPECT_EQ((*listed)[0].mig_instances[0].uuid, "MIG-c6d4f1ef-42e4-5de3-91c7-45d71585f587");
  EXPECT_EQ((*listed)[0].mig_instances[2].index, 2u);
  EXPECT_EQ((*listed)[0].mig_instances[2].profile, "1g.5gb");
  EXPECT_FALSE((*listed)[0].mig_instances[0].gpu_instance_id.has_value());
  EXPECT_EQ((*listed)[1].index, 1u);
  EXPECT_TRUE((*listed)[1].mig_instances.empty());
}

TEST(NvidiaSmiParser, R450MigUuidsCarryTheInstanceIds) {
  auto listed = parse_gpu_list(read_gpu_data("a100_mig/list_r450.txt"));
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "A100-SXM4-40GB");
  ASSERT_EQ((*listed)[0].mig_instances.size(), 2u);
  const MigInstance& second = (*listed)[0].mig_instances[1];
  EXPECT_EQ(second.uuid, "MIG-GPU-e91edf3b-b297-37c1-a2a7-7601c98f2b4e/2/0");
  EXPECT_EQ(second.gpu_instance_id, 2u);
  EXPECT_EQ(second.compute_instance_id, 0u);
}

TEST(NvidiaSmiParser, OldDriverRejectsComputeCapAndTheRetryParsesWithoutIt) {
  EXPECT_EQ(rejected_query_field(read_gpu_data("old_driver/compute_cap_rejected.txt")), "compute_cap");
  EXPECT_TRUE(is_optional_query_field("compute_cap"));
  EXPECT_FALSE(is_optional_query_field("uuid"));
  EXPECT_FALSE(rejected_query_field(read_gpu_data("one_rtx4090/query_gpu.csv")).has_value());

  auto rows = parse_query_gpu(read_gpu_data("old_driver/query_gpu.csv"), fields_without("compute_cap"));
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->gpus.size(), 1u);
  EXPECT_EQ(rows->gpus[0].name, "Tesla V100-SXM2-16GB");
  EXPECT_FALSE(rows->gpus[0].compute_capability.has_value());
  EXPECT_EQ(rows->gpus[0].memory_total_bytes, 16944988160ULL);
  EXPECT_EQ(rows->driver_version, "470.182.03");
}

TEST(NvidiaSmiParser, BannerVersionsInOldNewAndDashQLayouts) {
  SmiBanner old_layout = parse_banner(read_gpu_data("old_driver/banner.txt"));
  EXPECT_EQ(old_layout.driver_version, "470.182.03");
  EXPECT_EQ(old_layout.cuda_version, "11.4");
  SmiBanner r535 = parse_banner(read_gpu_data("eight_h100/banner.txt"));
  EXPECT_EQ(r535.driver_version, "535.104.05");
  EXPECT_EQ(r535.cuda_version, "12.2");
  SmiBanner r550 = parse_banner(read_gpu_data("one_rtx4090/banner.txt"));
  EXPECT_EQ(r550.driver_version, "550.54.15");
  EXPECT_EQ(r550.cuda_version, "12.4");
  SmiBanner dash_q = parse_banner(read_gpu_data("query_q_excerpt.txt"));
  EXPECT_EQ(dash_q.driver_version, "550.54.15");
  EXPECT_EQ(dash_q.cuda_version, "12.4");
  SmiBanner not_available = parse_banner("| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: N/A |");
  EXPECT_EQ(not_available.driver_version, "535.104.05");
  EXPECT_FALSE(not_available.cuda_version.has_value());
  SmiBanner garbage = parse_banner(read_gpu_data("garbage.txt"));
  EXPECT_FALSE(garbage.driver_version.has_value());
  EXPECT_FALSE(garbage.cuda_version.has_value());
}

TEST(NvidiaSmiParser, EveryWayOfSayingUnknownBecomesNull) {
  const std::string line =
      "0, NVIDIA A10G, GPU-aaaa, [N/A], N/A, [Not Supported], [Unknown Error], [N/A], "
      "[Insufficient Permissions], [GPU requires reset], [N/A], [N/A], [N/A], [N/A], [N/A]\n";
  auto rows = parse_query_gpu(line, query_gpu_fields());
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  const Gpu& gpu = rows->gpus.at(0);
  EXPECT_EQ(gpu.pci_bus_id, "");
  EXPECT_FALSE(gpu.memory_total_bytes || gpu.memory_used_bytes || gpu.memory_free_bytes);
  EXPECT_FALSE(gpu.utilization_percent || gpu.memory_utilization_percent || gpu.temperature_c);
  EXPECT_FALSE(gpu.power_watts || gpu.power_limit_watts || gpu.compute_capability);
  EXPECT_FALSE(rows->driver_version.has_value());
}

TEST(NvidiaSmiParser, NamesWithCommasAndCrlfLineEndings) {
  const std::string line =
      "3, NVIDIA RTX 6000 Ada, Engineering Sample, GPU-bbbb, 00000000:81:00.0, 49140, 1, 48600, 0, 0, 30, "
      "20.5, 300.00, 8.9, 550.54.15, [N/A]\r\n";
  auto rows = parse_query_gpu(line, query_gpu_fields());
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ(rows->gpus.at(0).index, 3u);
  EXPECT_EQ(rows->gpus.at(0).name, "NVIDIA RTX 6000 Ada, Engineering Sample");
  EXPECT_EQ(rows->gpus.at(0).uuid, "GPU-bbbb");
  EXPECT_FALSE(rows->gpus.at(0).mig_enabled);

  auto apps = parse_compute_apps("GPU-bbbb, 77, /srv/odd, name/python, 1024\n");
  ASSERT_TRUE(apps.ok()) << apps.error().message;
  EXPECT_EQ(apps->at(0).process.name, "/srv/odd, name/python");
  EXPECT_EQ(apps->at(0).process.used_memory_bytes, 1024ULL * 1048576ULL);
}

TEST(NvidiaSmiParser, EmptyOutputsAreNothingNotErrors) {
  auto rows = parse_query_gpu("", query_gpu_fields());
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->gpus.empty());
  auto none = parse_compute_apps("No running processes found\n");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto unsupported = parse_compute_apps("[Not Supported]\n");
  ASSERT_TRUE(unsupported.ok());
  EXPECT_TRUE(unsupported->empty());
  auto listed = parse_gpu_list("\n\n");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

TEST(NvidiaSmiParser, GarbageIsAnErrorNamingTheLine) {
  auto html = parse_query_gpu(read_gpu_data("garbage.txt"), query_gpu_fields());
  ASSERT_FALSE(html.ok());
  EXPECT_NE(html.error().message.find("line 1"), std::string::npos) << html.error().message;
  EXPECT_NE(html.error().message.find("502 Bad Gateway"), std::string::npos) << html.error().message;

  auto driver = parse_query_gpu(read_gpu_data("driver_not_loaded.txt"), query_gpu_fields());
  ASSERT_FALSE(driver.ok());
  EXPECT_NE(driver.error().message.find("line 1"), std::string::npos);

  std::string truncated = read_gpu_data("eight_h100/query_gpu.csv");
  truncated.resize(truncated.find('\n', truncated.find('\n') + 1) - 40);  // line 2 cut short
  auto cut = parse_query_gpu(truncated, query_gpu_fields());
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().message.find("line 2"), std::string::npos) << cut.error().message;

  auto letters = parse_query_gpu(
      "0, X, GPU-a, 0:1:0.0, lots, 1, 1, 0, 0, 30, 20.0, 300.0, 8.0, 550.54.15, Disabled\n", query_gpu_fields());
  ASSERT_FALSE(letters.ok());
  EXPECT_NE(letters.error().message.find("memory.total is 'lots'"), std::string::npos) << letters.error().message;

  auto percent = parse_query_gpu(
      "0, X, GPU-a, 0:1:0.0, 1, 1, 1, 250, 0, 30, 20.0, 300.0, 8.0, 550.54.15, Disabled\n", query_gpu_fields());
  ASSERT_FALSE(percent.ok());
  EXPECT_NE(percent.error().message.find("utilization.gpu"), std::string::npos);

  auto overflow = parse_query_gpu(
      "0, X, GPU-a, 0:1:0.0, 99999999999999999, 1, 1, 0, 0, 30, 20.0, 300.0, 8.0, 550.54.15, Disabled\n",
      query_gpu_fields());
  EXPECT_FALSE(overflow.ok());

  auto twice = parse_query_gpu(read_gpu_data("one_rtx4090/query_gpu.csv") + read_gpu_data("one_rtx4090/query_gpu.csv"),
                               query_gpu_fields());
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("appears twice"), std::string::npos);

  auto bad_app = parse_compute_apps("GPU-a, not-a-pid, python, 100\n");
  ASSERT_FALSE(bad_app.ok());
  EXPECT_NE(bad_app.error().message.find("line 1"), std::string::npos);

  auto mig_first = parse_gpu_list("  MIG 1g.5gb Device 0: (UUID: MIG-a)\n");
  ASSERT_FALSE(mig_first.ok());
  EXPECT_NE(mig_first.error().message.find("before any GPU"), std::string::npos);

  auto stray = parse_gpu_list(read_gpu_data("a100_mig/list.txt") + "Segmentation fault\n");
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.error().message.find("line 6"), std::string::npos) << stray.error().message;
}

TEST(NvidiaSmiParser, BinaryBytesAreRefusedWithTheirValue) {
  std::string binary = read_gpu_data("one_rtx4090/query_gpu.csv");
  binary[10] = '\0';
  auto rows = parse_query_gpu(binary, query_gpu_fields());
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.error().message.find("binary byte 0x00"), std::string::npos) << rows.error().message;
  auto apps = parse_compute_apps(std::string("\x7f" "ELF\x02\x01\x01", 7));
  EXPECT_FALSE(apps.ok());
}

TEST(NvidiaSmiParser, LimitsStopHugeInputs) {
  auto long_line = parse_query_gpu(std::string(kMaxSmiLineBytes + 1, 'x'), query_gpu_fields());
  ASSERT_FALSE(long_line.ok());
  EXPECT_NE(long_line.error().message.find("longer than"), std::string::npos);
  std::string many;
  for (std::size_t i = 0; i <= kMaxSmiLines; ++i) many += "No running processes found\n";
  auto too_many = parse_compute_apps(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.error().message.find("more than"), std::string::npos);
}

// Random bytes and mangled recordings never crash a parser: each returns a value or an error.
TEST(NvidiaSmiParser, RandomInputNeverCrashes) {
  std::mt19937 random(20240312);
  const std::string base = read_gpu_data("a100_mig/query_gpu.csv") + read_gpu_data("a100_mig/list.txt");
  int errors = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string input = base;
    for (int flips = 0; flips < 1 + round % 8; ++flips) {
      input[random() % input.size()] = static_cast<char>(random() % 256);
    }
    if (round % 3 == 0) input.resize(random() % input.size());
    auto rows = parse_query_gpu(input, query_gpu_fields());
    auto apps = parse_compute_apps(input);
    auto listed = parse_gpu_list(input);
    (void)parse_banner(input);
    for (const std::string* message : {rows.ok() ? nullptr : &rows.error().message,
                                       apps.ok() ? nullptr : &apps.error().message,
                                       listed.ok() ? nullptr : &listed.error().message}) {
      if (message == nullptr) continue;
      ++errors;
      EXPECT_NE(message->find("nvidia-smi"), std::string::npos) << *message;
    }
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace trainctl::gpu
