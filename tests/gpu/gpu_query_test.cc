#include "gpu/gpu_query.h"

#include <dlfcn.h>

#include <chrono>

#include <gtest/gtest.h>

#include "core/subprocess.h"
#include "gpu_test_support.h"

namespace trainctl::gpu {
namespace {

using testing::FakeNvidiaSmi;
using testing::ScopedEnv;

constexpr const char* kNoNvml = "/nonexistent/libnvidia-ml.so.1";

GpuQueryOptions with_fake_nvml(core::EnvironmentVars env = {}) {
  GpuQueryOptions options;
  options.env = std::move(env);
  options.env.set("PATH", "/nonexistent");
  options.nvml_library = FAKE_NVML_PATH;
  return options;
}

bool has_driver_here() {
  if (void* nvml = ::dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL)) {
    ::dlclose(nvml);
    return true;
  }
  auto env = core::EnvironmentVars::from_process();
  return core::find_on_path("nvidia-smi", env.get("PATH").value_or("/usr/bin:/bin")).has_value();
}

// This machine, as it is: no driver library and no nvidia-smi, so the plain no-GPU answer.
TEST(GpuQuery, NoGpuOnThisMachineSaysNoDriverLibraryQuickly) {
  if (has_driver_here()) GTEST_SKIP() << "this machine has an NVIDIA driver";
  GpuQueryOptions options;
  options.env = core::EnvironmentVars::from_process();
  options.env.unset("CUDA_VISIBLE_DEVICES");
  options.env.unset(kNvmlLibraryVariable);
  const auto started = std::chrono::steady_clock::now();
  GpuReport report = query_gpus(options);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(report.source, "none");
  EXPECT_FALSE(report.usable());
  EXPECT_TRUE(report.gpus.empty());
  EXPECT_EQ(report.no_gpu_reason_code, kReasonNoDriverLibrary);
  EXPECT_EQ(report.no_gpu_reason, "neither libnvidia-ml.so.1 nor nvidia-smi was found, so no NVIDIA driver is installed here");
  EXPECT_TRUE(report.warnings.empty());
  // A failed dlopen and a PATH lookup: far below the 5 ms the whole command may take.
  EXPECT_LT(took, std::chrono::milliseconds(50));
}

TEST(GpuQuery, FakeNvmlGivesBothGpusAllVisible) {
  GpuReport report = query_gpus(with_fake_nvml());
  EXPECT_EQ(report.source, "nvml");
  ASSERT_EQ(report.gpus.size(), 2u);
  ASSERT_EQ(report.visible.size(), 2u);
  EXPECT_EQ(report.visible[1].gpu_index, 1u);
  EXPECT_EQ(report.visible[1].uuid, "GPU-5d5ba0d6-d33d-2b2c-524d-e6d1d4f1a6e3");
  EXPECT_TRUE(report.usable());
  EXPECT_FALSE(report.cuda_visible_devices.has_value());
  EXPECT_FALSE(report.no_gpu_reason_code.has_value());
  // An H100 and an A100: CUDA's default order may differ from the PCI order shown.
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("CUDA_DEVICE_ORDER"), std::string::npos);

  core::EnvironmentVars pci;
  pci.set("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
  EXPECT_TRUE(query_gpus(with_fake_nvml(pci)).warnings.empty());
}

TEST(GpuQuery, LibraryFromTheEnvironmentVariable) {
  GpuQueryOptions options;
  options.env.set("PATH", "/nonexistent");
  options.env.set(kNvmlLibraryVariable, FAKE_NVML_PATH);
  GpuReport report = query_gpus(options);
  EXPECT_EQ(report.source, "nvml");
  EXPECT_EQ(report.gpus.size(), 2u);
}

TEST(GpuQuery, CudaVisibleDevicesIsApplied) {
  core::EnvironmentVars one;
  one.set("CUDA_VISIBLE_DEVICES", "1");
  GpuReport report = query_gpus(with_fake_nvml(one));
  EXPECT_EQ(report.cuda_visible_devices, "1");
  ASSERT_EQ(report.visible.size(), 1u);
  EXPECT_EQ(report.visible[0].cuda_index, 0u);
  EXPECT_EQ(report.visible[0].gpu_index, 1u);

  core::EnvironmentVars empty;
  empty.set("CUDA_VISIBLE_DEVICES", "");
  GpuReport hidden = query_gpus(with_fake_nvml(empty));
  EXPECT_EQ(hidden.gpus.size(), 2u) << "the GPUs are still listed";
  EXPECT_FALSE(hidden.usable());
  EXPECT_EQ(hidden.cuda_visible_devices, "");
  EXPECT_EQ(hidden.no_gpu_reason_code, kReasonCudaVisibleDevicesEmpty);
}

TEST(GpuQuery, FakeNvmlInMigModeShowsOneMigDevice) {
  ScopedEnv mode("FAKE_NVML_MODE", "mig");
  GpuReport report = query_gpus(with_fake_nvml());
  ASSERT_EQ(report.visible.size(), 2u);
  EXPECT_FALSE(report.visible[0].mig);
  EXPECT_TRUE(report.visible[1].mig);
  EXPECT_EQ(report.visible[1].uuid, "MIG-11111111-2222-5333-8444-555555555555");
  bool warned = false;
  for (const auto& w : report.warnings) warned |= w.find("only one MIG device") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(GpuQuery, NvmlThatCannotStartIsADriverErrorAndNvidiaSmiIsNotTried) {
  ScopedEnv mode("FAKE_NVML_MODE", "driver_not_loaded");
  FakeNvidiaSmi fake("eight_h100");
  GpuQueryOptions options = with_fake_nvml(fake.env());
  options.env.set("PATH", fake.env().get("PATH").value());
  GpuReport report = query_gpus(options);
  EXPECT_FALSE(report.usable());
  EXPECT_EQ(report.source, "none");
  EXPECT_EQ(report.no_gpu_reason_code, kReasonDriverError);
  EXPECT_NE(report.no_gpu_reason->find("Driver Not Loaded"), std::string::npos);
  EXPECT_TRUE(fake.calls().empty());
}

TEST(GpuQuery, NvmlWithNoGpuIsNoDevice) {
  ScopedEnv mode("FAKE_NVML_MODE", "zero_devices");
  GpuReport report = query_gpus(with_fake_nvml());
  EXPECT_FALSE(report.usable());
  EXPECT_EQ(report.source, "nvml");
  EXPECT_EQ(report.no_gpu_reason_code, kReasonNoDevice);
}

TEST(GpuQuery, WithoutNvmlItFallsBackToNvidiaSmi) {
  FakeNvidiaSmi fake("eight_h100");
  GpuQueryOptions options;
  options.env = fake.env();
  options.env.set("CUDA_VISIBLE_DEVICES", "GPU-c94a0e7d,3");
  options.nvml_library = kNoNvml;
  GpuReport report = query_gpus(options);
  EXPECT_EQ(report.source, "nvidia-smi");
  EXPECT_EQ(report.cuda_version, "12.2");
  ASSERT_EQ(report.gpus.size(), 8u);
  ASSERT_EQ(report.visible.size(), 2u);
  EXPECT_EQ(report.visible[0].gpu_index, 2u);
  EXPECT_EQ(report.visible[1].gpu_index, 3u);
  ASSERT_FALSE(report.warnings.empty());
  EXPECT_EQ(report.warnings[0].rfind("read through nvidia-smi because cannot load NVML (" + std::string(kNoNvml), 0), 0u)
      << report.warnings[0];
}

TEST(GpuQuery, WithoutNvmlAndWithABrokenNvidiaSmiItIsADriverError) {
  FakeNvidiaSmi fake("", "cat '" + testing::gpu_data_path("driver_not_loaded.txt") + "'; exit 9");
  GpuQueryOptions options;
  options.env = fake.env();
  options.nvml_library = kNoNvml;
  GpuReport report = query_gpus(options);
  EXPECT_FALSE(report.usable());
  EXPECT_EQ(report.no_gpu_reason_code, kReasonDriverError);
  EXPECT_NE(report.no_gpu_reason->find("couldn't communicate"), std::string::npos);
}

TEST(GpuQuery, NeitherNvmlNorNvidiaSmiIsNoDriverLibrary) {
  testing::TempDir empty_bin;
  GpuQueryOptions options;
  options.env.set("PATH", empty_bin.path().string());
  options.nvml_library = kNoNvml;
  GpuReport report = query_gpus(options);
  EXPECT_EQ(report.no_gpu_reason_code, kReasonNoDriverLibrary);
  EXPECT_NE(report.no_gpu_reason->find(std::string("neither ") + kNoNvml + " nor nvidia-smi"), std::string::npos);

  // A library that exists but does not load is worth the loader's own words.
  auto broken = empty_bin.write("libnvidia-ml.so.1", "not an ELF file\n");
  options.nvml_library = broken.string();
  GpuReport broken_report = query_gpus(options);
  EXPECT_EQ(broken_report.no_gpu_reason_code, kReasonNoDriverLibrary);
  ASSERT_EQ(broken_report.warnings.size(), 1u);
  EXPECT_NE(broken_report.warnings[0].find(broken.string()), std::string::npos) << broken_report.warnings[0];

  FakeNvidiaSmi fake("eight_h100");
  GpuQueryOptions no_smi;
  no_smi.env = fake.env();
  no_smi.nvml_library = kNoNvml;
  no_smi.allow_nvidia_smi = false;
  GpuReport refused = query_gpus(no_smi);
  EXPECT_EQ(refused.no_gpu_reason_code, kReasonNoDriverLibrary);
  EXPECT_TRUE(fake.calls().empty());
}

}  // namespace
}  // namespace trainctl::gpu
