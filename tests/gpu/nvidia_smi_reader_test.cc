// read_nvidia_smi through real processes: a fake nvidia-smi script replaying recorded outputs.
#include "gpu/nvidia_smi_reader.h"

#include <chrono>

#include <gtest/gtest.h>

#include "gpu_test_support.h"

namespace trainctl::gpu {
namespace {

using testing::FakeNvidiaSmi;

core::Result<GpuReport> read_with(const FakeNvidiaSmi& fake, std::chrono::milliseconds timeout = kNvidiaSmiTimeout) {
  return read_nvidia_smi({fake.program(), fake.env(), timeout, {}});
}

bool called_with(const FakeNvidiaSmi& fake, const std::string& prefix) {
  for (const std::string& call : fake.calls()) {
    if (call.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

TEST(NvidiaSmiReader, EightGpusGetTheirProcessesAndTheBannersCudaVersion) {
  FakeNvidiaSmi fake("eight_h100");
  auto report = read_with(fake);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->source, "nvidia-smi");
  EXPECT_EQ(report->driver_version, "535.104.05");
  EXPECT_EQ(report->cuda_version, "12.2");
  ASSERT_EQ(report->gpus.size(), 8u);
  EXPECT_EQ(report->gpus[0].processes.size(), 2u);
  EXPECT_EQ(report->gpus[3].processes.size(), 2u);
  EXPECT_EQ(report->gpus[3].processes[1].pid, 1901355u);
  EXPECT_EQ(report->gpus[7].processes.size(), 1u);
  EXPECT_EQ(report->gpus[7].processes[0].pid, 1843028u);
  EXPECT_TRUE(report->warnings.empty());
  EXPECT_FALSE(called_with(fake, "-L")) << "no MIG GPU, so no -L run";
  EXPECT_EQ(fake.calls().size(), 3u);
}

TEST(NvidiaSmiReader, MigDevicesComeFromDashLAndProcessesStayOnTheirGpu) {
  FakeNvidiaSmi fake("a100_mig");
  auto report = read_with(fake);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(called_with(fake, "-L"));
  const Gpu& mig_gpu = report->gpus.at(0);
  EXPECT_TRUE(mig_gpu.mig_enabled);
  ASSERT_EQ(mig_gpu.mig_instances.size(), 3u);
  EXPECT_EQ(mig_gpu.mig_instances[1].profile, "2g.10gb");
  ASSERT_EQ(mig_gpu.processes.size(), 2u);
  EXPECT_FALSE(mig_gpu.processes[0].used_memory_bytes.has_value());
  EXPECT_TRUE(report->gpus.at(1).mig_instances.empty());
  EXPECT_TRUE(report->gpus.at(1).processes.empty());
}

TEST(NvidiaSmiReader, OldDriverIsAskedAgainWithoutComputeCap) {
  FakeNvidiaSmi fake("old_driver");
  auto report = read_with(fake);
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report->gpus.size(), 1u);
  EXPECT_FALSE(report->gpus[0].compute_capability.has_value());
  EXPECT_EQ(report->gpus[0].name, "Tesla V100-SXM2-16GB");
  EXPECT_EQ(report->cuda_version, "11.4");
  const auto calls = fake.calls();
  ASSERT_GE(calls.size(), 2u);
  EXPECT_NE(calls[0].find("compute_cap"), std::string::npos);
  EXPECT_EQ(calls[1].find("compute_cap"), std::string::npos);
  EXPECT_NE(calls[1].find("--query-gpu=index,name,uuid"), std::string::npos);
}

TEST(NvidiaSmiReader, GarbageOutputIsAnErrorNamingTheLine) {
  FakeNvidiaSmi fake("", "cat '" + testing::gpu_data_path("garbage.txt") + "'");
  auto report = read_with(fake);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().kind, core::ErrorKind::kFailure);
  EXPECT_NE(report.error().message.find("line 1"), std::string::npos) << report.error().message;
}

TEST(NvidiaSmiReader, DriverFailureQuotesNvidiaSmi) {
  FakeNvidiaSmi fake("", "cat '" + testing::gpu_data_path("driver_not_loaded.txt") + "'; exit 9");
  auto report = read_with(fake);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("exited with status 9"), std::string::npos) << report.error().message;
  EXPECT_NE(report.error().message.find("couldn't communicate with the NVIDIA driver"), std::string::npos);
}

TEST(NvidiaSmiReader, NoDevicesIsAnEmptyReport) {
  FakeNvidiaSmi fake("", "echo 'No devices were found'; exit 6");
  auto report = read_with(fake);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->gpus.empty());
  EXPECT_EQ(fake.calls().size(), 1u);
}

TEST(NvidiaSmiReader, HungNvidiaSmiIsKilledAtTheTimeout) {
  FakeNvidiaSmi fake("", "exec sleep 30");
  const auto started = std::chrono::steady_clock::now();
  auto report = read_with(fake, std::chrono::milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("did not finish within 300 ms"), std::string::npos) << report.error().message;
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(NvidiaSmiReader, HangAfterTheGpuQueryStopsFurtherRuns) {
  const std::string data = testing::gpu_data_path("eight_h100");
  FakeNvidiaSmi fake("", "case \"$1\" in --query-gpu=*) cat '" + data + "/query_gpu.csv' ;; *) exec sleep 30 ;; esac");
  auto report = read_with(fake, std::chrono::milliseconds(300));
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->gpus.size(), 8u);
  EXPECT_EQ(fake.calls().size(), 2u) << "the banner run is skipped once the process query hung";
  ASSERT_EQ(report->warnings.size(), 1u);
  EXPECT_NE(report->warnings[0].find("GPU processes not listed"), std::string::npos);
  EXPECT_FALSE(report->cuda_version.has_value());
}

TEST(NvidiaSmiReader, MissingProgramIsNotFound) {
  auto report = read_nvidia_smi({"/nonexistent/nvidia-smi", core::EnvironmentVars(), kNvidiaSmiTimeout, {}});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().kind, core::ErrorKind::kNotFound);
}

}  // namespace
}  // namespace trainctl::gpu
