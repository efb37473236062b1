#include "gpu/gpu_report.h"

#include <gtest/gtest.h>

namespace trainctl::gpu {
namespace {

GpuReport one_gpu_report() {
  GpuReport report;
  report.source = "nvml";
  report.driver_version = "550.54.15";
  report.cuda_version = "12.4";
  Gpu gpu;
  gpu.index = 0;
  gpu.name = "NVIDIA A100-SXM4-40GB";
  gpu.uuid = "GPU-5d5b";
  gpu.pci_bus_id = "00000000:07:00.0";
  gpu.memory_total_bytes = 42949672960ULL;
  gpu.power_watts = 61.5;
  gpu.compute_capability = "8.0";
  gpu.mig_enabled = true;
  MigInstance mig;
  mig.index = 2;
  mig.uuid = "MIG-c6d4";
  mig.profile = "1g.5gb";
  mig.gpu_instance_id = 9;
  gpu.mig_instances.push_back(mig);
  GpuProcess process;
  process.pid = 23051;
  process.name = "python";
  process.gpu_instance_id = 9;
  gpu.processes.push_back(process);
  report.gpus.push_back(gpu);
  report.cuda_visible_devices = "MIG-c6d4";
  report.visible.push_back({0, 0, "MIG-c6d4", true});
  report.warnings.push_back("a warning");
  return report;
}

TEST(GpuReportJson, TopLevelKeysAndValues) {
  nlohmann::json json = to_json(one_gpu_report());
  EXPECT_EQ(json["usable"], true);
  EXPECT_EQ(json["source"], "nvml");
  EXPECT_EQ(json["driver_version"], "550.54.15");
  EXPECT_EQ(json["cuda_version"], "12.4");
  EXPECT_TRUE(json["nvml_version"].is_null());
  EXPECT_EQ(json["cuda_visible_devices"], "MIG-c6d4");
  EXPECT_TRUE(json["no_gpu_reason_code"].is_null());
  EXPECT_TRUE(json["no_gpu_reason"].is_null());
  EXPECT_EQ(json["warnings"], nlohmann::json::array({"a warning"}));
  ASSERT_EQ(json["visible"].size(), 1u);
  EXPECT_EQ(json["visible"][0], (nlohmann::json{{"cuda_index", 0}, {"gpu_index", 0}, {"uuid", "MIG-c6d4"}, {"mig", true}}));
}

TEST(GpuReportJson, GpuFieldsAreBytesWattsAndNullsForUnknowns) {
  const nlohmann::json gpu = to_json(one_gpu_report())["gpus"].at(0);
  EXPECT_EQ(gpu["index"], 0);
  EXPECT_EQ(gpu["name"], "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(gpu["uuid"], "GPU-5d5b");
  EXPECT_EQ(gpu["pci_bus_id"], "00000000:07:00.0");
  EXPECT_EQ(gpu["memory_total_bytes"].get<std::uint64_t>(), 42949672960ULL);
  EXPECT_TRUE(gpu["memory_used_bytes"].is_null());
  EXPECT_TRUE(gpu["memory_free_bytes"].is_null());
  EXPECT_TRUE(gpu["utilization_percent"].is_null());
  EXPECT_TRUE(gpu["memory_utilization_percent"].is_null());
  EXPECT_TRUE(gpu["temperature_c"].is_null());
  EXPECT_DOUBLE_EQ(gpu["power_watts"].get<double>(), 61.5);
  EXPECT_TRUE(gpu["power_limit_watts"].is_null());
  EXPECT_EQ(gpu["compute_capability"], "8.0");
  EXPECT_EQ(gpu["mig_enabled"], true);
  const nlohmann::json& mig = gpu["mig_instances"].at(0);
  EXPECT_EQ(mig["index"], 2);
  EXPECT_EQ(mig["uuid"], "MIG-c6d4");
  EXPECT_EQ(mig["profile"], "1g.5gb");
  EXPECT_EQ(mig["gpu_instance_id"], 9);
  EXPECT_TRUE(mig["compute_instance_id"].is_null());
  EXPECT_TRUE(mig["memory_total_bytes"].is_null());
  const nlohmann::json& process = gpu["processes"].at(0);
  EXPECT_EQ(process["pid"], 23051);
  EXPECT_EQ(process["name"], "python");
  EXPECT_TRUE(process["used_memory_bytes"].is_null());
  EXPECT_EQ(process["gpu_instance_id"], 9);
  EXPECT_TRUE(process["compute_instance_id"].is_null());
}

TEST(GpuReportJson, NoGpuReportSaysWhyAndHasEmptyLists) {
  GpuReport report;
  report.source = "none";
  report.cuda_visible_devices = "";
  report.no_gpu_reason_code = kReasonNoDriverLibrary;
  report.no_gpu_reason = "neither libnvidia-ml.so.1 nor nvidia-smi was found";
  nlohmann::json json = to_json(report);
  EXPECT_EQ(json["usable"], false);
  EXPECT_EQ(json["source"], "none");
  EXPECT_EQ(json["gpus"], nlohmann::json::array());
  EXPECT_EQ(json["visible"], nlohmann::json::array());
  EXPECT_EQ(json["warnings"], nlohmann::json::array());
  EXPECT_EQ(json["cuda_visible_devices"], "");  // set-but-empty is not null
  EXPECT_EQ(json["no_gpu_reason_code"], "no_driver_library");
  EXPECT_TRUE(json["driver_version"].is_null());
  EXPECT_TRUE(json["cuda_version"].is_null());
  EXPECT_FALSE(report.usable());
}

}  // namespace
}  // namespace trainctl::gpu
