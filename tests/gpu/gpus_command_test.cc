// `trainctl gpus` end to end: the built binary run as a real process.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gpu_test_support.h"
#include "support/run_trainctl.h"
#include "support/temp_dir.h"

namespace trainctl {
namespace {

// An environment with no nvidia-smi on PATH and NVML loaded from `nvml_library`.
core::EnvironmentVars machine(const testing::TempDir& empty_bin, const std::string& nvml_library) {
  core::EnvironmentVars env;
  env.set("NO_COLOR", "1");
  env.set("PATH", empty_bin.path().string());
  env.set("TRAINCTL_NVML_LIBRARY", nvml_library);
  return env;
}

TEST(GpusCommand, NoGpuJsonExitsFourWithTheReason) {
  testing::TempDir bin;
  auto run = testing::run_trainctl({"gpus", "--json"}, machine(bin, "/nonexistent/libnvidia-ml.so.1"));
  EXPECT_EQ(run.exit_code, 4) << run.err;
  auto json = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << run.out;
  EXPECT_EQ(json["usable"], false);
  EXPECT_EQ(json["source"], "none");
  EXPECT_EQ(json["no_gpu_reason_code"], "no_driver_library");
  EXPECT_EQ(json["gpus"], nlohmann::json::array());
  EXPECT_TRUE(json["cuda_visible_devices"].is_null());
  EXPECT_EQ(run.err, "");
}

TEST(GpusCommand, NoGpuTextSaysSoPlainly) {
  testing::TempDir bin;
  auto run = testing::run_trainctl({"gpus"}, machine(bin, "/nonexistent/libnvidia-ml.so.1"));
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_EQ(run.out,
            "No GPU is usable here: neither /nonexistent/libnvidia-ml.so.1 nor nvidia-smi was found, so no NVIDIA "
            "driver is installed here.\n");
}

TEST(GpusCommand, FakeNvmlJsonListsBothGpus) {
  testing::TempDir bin;
  auto env = machine(bin, FAKE_NVML_PATH);
  env.set("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
  auto run = testing::run_trainctl({"gpus", "--json"}, env);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  auto json = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << run.out;
  EXPECT_EQ(json["usable"], true);
  EXPECT_EQ(json["source"], "nvml");
  EXPECT_EQ(json["cuda_version"], "12.4");
  ASSERT_EQ(json["gpus"].size(), 2u);
  EXPECT_EQ(json["gpus"][0]["name"], "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(json["gpus"][0]["processes"].size(), 2u);
  EXPECT_TRUE(json["gpus"][0]["processes"][1]["used_memory_bytes"].is_null());
  EXPECT_TRUE(json["gpus"][1]["power_watts"].is_null());
  EXPECT_EQ(json["visible"].size(), 2u);
  EXPECT_EQ(json["warnings"], nlohmann::json::array());
}

TEST(GpusCommand, FakeNvmlTextShowsTableProcessesAndWhatARunSees) {
  testing::TempDir bin;
  auto env = machine(bin, FAKE_NVML_PATH);
  env.set("CUDA_VISIBLE_DEVICES", "1,0");
  env.set("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
  auto run = testing::run_trainctl({"gpus"}, env);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("NVIDIA driver 550.54.15, CUDA 12.4, read through NVML\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("NVIDIA H100 80GB HBM3  10.5 GiB / 79.6 GiB"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("612 W / 700 W"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("GPU 0 processes:"), std::string::npos);
  EXPECT_NE(run.out.find("4242  /usr/bin/python3"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("A training run started here would see: cuda:0 → GPU 1 (NVIDIA A100-SXM4-40GB), "
                         "cuda:1 → GPU 0 (NVIDIA H100 80GB HBM3)\n"),
            std::string::npos)
      << run.out;
}

TEST(GpusCommand, HiddenGpusAreStillListedAndExitFour) {
  testing::TempDir bin;
  auto env = machine(bin, FAKE_NVML_PATH);
  env.set("CUDA_VISIBLE_DEVICES", "");
  auto run = testing::run_trainctl({"gpus"}, env);
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_NE(run.out.find("NVIDIA H100 80GB HBM3"), std::string::npos);
  EXPECT_NE(run.out.find("No GPU is usable here: CUDA_VISIBLE_DEVICES is set to an empty string"), std::string::npos)
      << run.out;
}

TEST(GpusCommand, DriverNotLoadedIsExitFourWithDriverError) {
  testing::TempDir bin;
  auto env = machine(bin, FAKE_NVML_PATH);
  env.set("FAKE_NVML_MODE", "driver_not_loaded");
  auto run = testing::run_trainctl({"gpus", "--json"}, env);
  EXPECT_EQ(run.exit_code, 4);
  auto json = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << run.out;
  EXPECT_EQ(json["no_gpu_reason_code"], "driver_error");
}

TEST(GpusCommand, FallsBackToNvidiaSmiOnPath) {
  testing::FakeNvidiaSmi fake("one_rtx4090");
  auto env = fake.env();
  env.set("NO_COLOR", "1");
  env.set("TRAINCTL_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1");
  auto run = testing::run_trainctl({"gpus"}, env);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("NVIDIA driver 550.54.15, CUDA 12.4, read through nvidia-smi"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("cuda:0 → GPU 0 (NVIDIA GeForce RTX 4090)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("warning: read through nvidia-smi because"), std::string::npos) << run.out;
}

TEST(GpusCommand, HelpDocumentsTheExitStatus) {
  auto run = testing::run_trainctl({"gpus", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("Exit status: 0 when at least one GPU is usable; 4 when none is"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("TRAINCTL_NVML_LIBRARY"), std::string::npos);
}

}  // namespace
}  // namespace trainctl
