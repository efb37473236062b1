// The real dlopen path, against tests/gpu/fake_nvml.c built as libnvidia-ml.so.1.
#include "gpu/nvml_reader.h"

#include <gtest/gtest.h>

#include "gpu_test_support.h"

namespace trainctl::gpu {
namespace {

using testing::ScopedEnv;

constexpr std::uint64_t kMiB = 1024ULL * 1024;

core::Result<GpuReport> read_fake(const std::string& mode) {
  ScopedEnv env("FAKE_NVML_MODE", mode);
  return read_nvml({FAKE_NVML_PATH});
}

TEST(NvmlReader, ReadsBothFakeGpusFieldByField) {
  auto report = read_fake("");
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->source, "nvml");
  EXPECT_EQ(report->driver_version, "550.54.15");
  EXPECT_EQ(report->cuda_version, "12.4");              // from 12040
  EXPECT_FALSE(report->nvml_version.has_value());       // the fake lacks nvmlSystemGetNVMLVersion
  EXPECT_TRUE(report->warnings.empty());
  ASSERT_EQ(report->gpus.size(), 2u);

  const Gpu& h100 = report->gpus[0];
  EXPECT_EQ(h100.index, 0u);
  EXPECT_EQ(h100.name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(h100.uuid, "GPU-3b6d9f1a-52c4-8e07-b1d3-6a9c2e4f8b10");
  EXPECT_EQ(h100.pci_bus_id, "00000000:1B:00.0");
  EXPECT_EQ(h100.memory_total_bytes, 81559 * kMiB);
  EXPECT_EQ(h100.memory_used_bytes, 10752 * kMiB);
  EXPECT_EQ(h100.memory_free_bytes, (81559 - 10752) * kMiB);
  EXPECT_EQ(h100.utilization_percent, 97u);
  EXPECT_EQ(h100.memory_utilization_percent, 41u);
  EXPECT_EQ(h100.temperature_c, 61u);
  EXPECT_DOUBLE_EQ(h100.power_watts.value_or(0), 612.345);
  EXPECT_DOUBLE_EQ(h100.power_limit_watts.value_or(0), 700.0);
  EXPECT_EQ(h100.compute_capability, "9.0");
  EXPECT_FALSE(h100.mig_enabled);
  ASSERT_EQ(h100.processes.size(), 2u);
  EXPECT_EQ(h100.processes[0].pid, 4242u);
  EXPECT_EQ(h100.processes[0].name, "/usr/bin/python3");
  EXPECT_EQ(h100.processes[0].used_memory_bytes, 10240 * kMiB);
  EXPECT_FALSE(h100.processes[0].gpu_instance_id.has_value());
  EXPECT_EQ(h100.processes[1].pid, 4243u);
  EXPECT_EQ(h100.processes[1].name, "");                     // NVML could not name it
  EXPECT_FALSE(h100.processes[1].used_memory_bytes.has_value());  // NVML_VALUE_NOT_AVAILABLE

  const Gpu& a100 = report->gpus[1];
  EXPECT_EQ(a100.name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(a100.pci_bus_id, "00000000:43:00.0");
  EXPECT_FALSE(a100.power_watts.has_value());               // NOT_SUPPORTED
  EXPECT_DOUBLE_EQ(a100.power_limit_watts.value_or(0), 400.0);
  EXPECT_EQ(a100.compute_capability, "8.0");
  ASSERT_EQ(a100.processes.size(), 1u);
  EXPECT_EQ(a100.processes[0].pid, 5151u);
  EXPECT_EQ(a100.processes[0].name, "/opt/conda/bin/python");
}

TEST(NvmlReader, MigDevicesAreReadFromTheirOwnHandles) {
  auto report = read_fake("mig");
  ASSERT_TRUE(report.ok()) << report.error().message;
  const Gpu& a100 = report->gpus.at(1);
  EXPECT_TRUE(a100.mig_enabled);
  EXPECT_FALSE(a100.utilization_percent.has_value());
  ASSERT_EQ(a100.mig_instances.size(), 2u);   // slot 1 is empty and skipped
  EXPECT_EQ(a100.mig_instances[0].index, 0u);
  EXPECT_EQ(a100.mig_instances[0].profile, "3g.20gb");
  EXPECT_EQ(a100.mig_instances[0].uuid, "MIG-11111111-2222-5333-8444-555555555555");
  EXPECT_EQ(a100.mig_instances[0].gpu_instance_id, 2u);
  EXPECT_EQ(a100.mig_instances[0].compute_instance_id, 0u);
  EXPECT_EQ(a100.mig_instances[0].memory_total_bytes, 19968 * kMiB);
  EXPECT_EQ(a100.mig_instances[1].index, 2u);
  EXPECT_EQ(a100.mig_instances[1].profile, "2g.10gb");
  EXPECT_EQ(a100.mig_instances[1].gpu_instance_id, 3u);
  ASSERT_EQ(a100.processes.size(), 1u);
  EXPECT_EQ(a100.processes[0].pid, 6001u);
  EXPECT_EQ(a100.processes[0].gpu_instance_id, 2u);
  EXPECT_EQ(a100.processes[0].used_memory_bytes, 11204 * kMiB);
  EXPECT_FALSE(report->gpus[0].mig_enabled);
}

TEST(NvmlReader, LongerR535ProcessRecordsDecodeTheSame) {
  auto report = read_fake("cc_records");
  ASSERT_TRUE(report.ok()) << report.error().message;
  const Gpu& h100 = report->gpus.at(0);
  ASSERT_EQ(h100.processes.size(), 2u);
  EXPECT_EQ(h100.processes[0].pid, 4242u);
  EXPECT_EQ(h100.processes[0].used_memory_bytes, 10240 * kMiB);
  EXPECT_EQ(h100.processes[1].pid, 4243u);
  EXPECT_TRUE(report->warnings.empty());
}

TEST(NvmlReader, DriverNotLoadedIsAFailureWithNvmlsWords) {
  auto report = read_fake("driver_not_loaded");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().kind, core::ErrorKind::kFailure);
  EXPECT_NE(report.error().message.find("Driver Not Loaded"), std::string::npos) << report.error().message;
  EXPECT_NE(report.error().message.find("kernel module"), std::string::npos);
}

TEST(NvmlReader, ZeroDevicesIsAnEmptyReport) {
  auto report = read_fake("zero_devices");
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->gpus.empty());
  EXPECT_EQ(report->driver_version, "550.54.15");
}

TEST(NvmlReader, MissingOrForeignLibrariesAreNotFound) {
  auto missing = read_nvml({"/nonexistent/libnvidia-ml.so.1"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
  EXPECT_NE(missing.error().message.find("/nonexistent/libnvidia-ml.so.1"), std::string::npos);

  testing::TempDir dir;
  auto text = dir.write("libnvidia-ml.so.1", "not an ELF file\n");
  auto not_elf = read_nvml({text.string()});
  ASSERT_FALSE(not_elf.ok());
  EXPECT_EQ(not_elf.error().kind, core::ErrorKind::kNotFound);

  auto not_nvml = read_nvml({"libm.so.6"});   // a real library without NVML's functions
  ASSERT_FALSE(not_nvml.ok());
  EXPECT_EQ(not_nvml.error().kind, core::ErrorKind::kNotFound);
  EXPECT_NE(not_nvml.error().message.find("is not NVML"), std::string::npos) << not_nvml.error().message;
}

}  // namespace
}  // namespace trainctl::gpu
