#include "gpu/visible_devices.h"

#include <gtest/gtest.h>

namespace trainctl::gpu {
namespace {

const std::optional<std::string> kUnset;
const std::optional<std::string> kPciOrder = "PCI_BUS_ID";

Gpu make_gpu(std::uint32_t index, std::string uuid, std::string name = "NVIDIA H100 80GB HBM3") {
  Gpu gpu;
  gpu.index = index;
  gpu.uuid = std::move(uuid);
  gpu.name = std::move(name);
  return gpu;
}

std::vector<Gpu> four_gpus() {
  return {make_gpu(0, "GPU-3b6d9f1a-52c4-8e07-b1d3-6a9c2e4f8b10"), make_gpu(1, "GPU-7e21c3b5-9d48-f6a2-0c7e-18b4d5f3a926"),
          make_gpu(2, "GPU-7e29aaaa-16f3-2b58-d0a9-4e7f1c6b3d85"), make_gpu(3, "GPU-58f0b2e6-a3c7-4d19-8e56-b7c2d0f4a1e3")};
}

// GPU 0 in MIG mode with two MIG devices, GPU 1 a whole GPU.
std::vector<Gpu> mig_machine() {
  std::vector<Gpu> gpus = {make_gpu(0, "GPU-5d5ba0d6-d33d-2b2c-524d-e6d1d4f1a6e3", "NVIDIA A100-SXM4-40GB"),
                           make_gpu(1, "GPU-9b1e7d04-6c2a-f83e-45d1-0a7c3e9f2b68", "NVIDIA A100-SXM4-40GB")};
  gpus[0].mig_enabled = true;
  MigInstance first;
  first.index = 0;
  first.uuid = "MIG-c6d4f1ef-42e4-5de3-91c7-45d71585f587";
  first.profile = "3g.20gb";
  first.gpu_instance_id = 2;
  first.compute_instance_id = 0;
  MigInstance second = first;
  second.index = 1;
  second.uuid = "MIG-0a3f9b2e-7d51-5c86-b4e0-9f2d6a1c8e37";
  second.profile = "2g.10gb";
  second.gpu_instance_id = 3;
  gpus[0].mig_instances = {first, second};
  return gpus;
}

std::vector<std::uint32_t> gpu_indices(const Visibility& v) {
  std::vector<std::uint32_t> out;
  for (const VisibleDevice& d : v.visible) out.push_back(d.gpu_index);
  return out;
}

bool any_warning_has(const Visibility& v, const std::string& text) {
  for (const std::string& w : v.warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(VisibleDevices, UnsetShowsEveryGpuInOrder) {
  Visibility v = resolve_visible_devices(four_gpus(), kUnset, kUnset);
  EXPECT_EQ(gpu_indices(v), (std::vector<std::uint32_t>{0, 1, 2, 3}));
  for (std::uint32_t i = 0; i < v.visible.size(); ++i) {
    EXPECT_EQ(v.visible[i].cuda_index, i);
    EXPECT_FALSE(v.visible[i].mig);
  }
  EXPECT_EQ(v.visible[3].uuid, "GPU-58f0b2e6-a3c7-4d19-8e56-b7c2d0f4a1e3");
  EXPECT_TRUE(v.warnings.empty());
  EXPECT_FALSE(v.no_gpu_reason_code.has_value());
}

TEST(VisibleDevices, EmptyHidesEverythingWithItsOwnReason) {
  for (const std::string value : {"", "  "}) {
    Visibility v = resolve_visible_devices(four_gpus(), value, kUnset);
    EXPECT_TRUE(v.visible.empty());
    EXPECT_EQ(v.no_gpu_reason_code, kReasonCudaVisibleDevicesEmpty);
    EXPECT_NE(v.no_gpu_reason->find("empty string"), std::string::npos);
  }
}

TEST(VisibleDevices, IndicesReorderCudaNumbering) {
  Visibility v = resolve_visible_devices(four_gpus(), "1,0", kUnset);
  EXPECT_EQ(gpu_indices(v), (std::vector<std::uint32_t>{1, 0}));
  EXPECT_EQ(v.visible[0].cuda_index, 0u);
  EXPECT_EQ(v.visible[1].cuda_index, 1u);
  EXPECT_TRUE(v.warnings.empty());
  Visibility spaced = resolve_visible_devices(four_gpus(), " 2 , 3 ", kUnset);
  EXPECT_EQ(gpu_indices(spaced), (std::vector<std::uint32_t>{2, 3}));
}

TEST(VisibleDevices, UuidPrefixesMatchWhenUnique) {
  Visibility full = resolve_visible_devices(four_gpus(), "GPU-58f0b2e6-a3c7-4d19-8e56-b7c2d0f4a1e3", kUnset);
  EXPECT_EQ(gpu_indices(full), (std::vector<std::uint32_t>{3}));
  Visibility prefix = resolve_visible_devices(four_gpus(), "GPU-3B6D9F1A,GPU-7e21", kUnset);  // any case
  EXPECT_EQ(gpu_indices(prefix), (std::vector<std::uint32_t>{0, 1}));
  // "GPU-7e2" starts two UUIDs: CUDA cannot pick one, so it stops there.
  Visibility ambiguous = resolve_visible_devices(four_gpus(), "GPU-7e2", kUnset);
  EXPECT_TRUE(ambiguous.visible.empty());
  EXPECT_EQ(ambiguous.no_gpu_reason_code, kReasonCudaVisibleDevicesEmpty);
  EXPECT_TRUE(any_warning_has(ambiguous, "'GPU-7e2' matches no GPU"));
}

TEST(VisibleDevices, AnInvalidEntryStopsTheListAndIsNamed) {
  Visibility v = resolve_visible_devices(four_gpus(), "0,2,-1,1", kUnset);
  EXPECT_EQ(gpu_indices(v), (std::vector<std::uint32_t>{0, 2}));
  ASSERT_EQ(v.warnings.size(), 1u);
  EXPECT_NE(v.warnings[0].find("'-1'"), std::string::npos) << v.warnings[0];
  EXPECT_NE(v.warnings[0].find("everything after it: -1,1"), std::string::npos) << v.warnings[0];
}

TEST(VisibleDevices, OutOfRangeIndexStopsToo) {
  Visibility v = resolve_visible_devices(four_gpus(), "1,7,2", kUnset);
  EXPECT_EQ(gpu_indices(v), (std::vector<std::uint32_t>{1}));
  EXPECT_TRUE(any_warning_has(v, "'7' matches no GPU here (indices 0-3"));
  Visibility only = resolve_visible_devices(four_gpus(), "4", kUnset);
  EXPECT_TRUE(only.visible.empty());
  EXPECT_EQ(only.no_gpu_reason_code, kReasonCudaVisibleDevicesEmpty);
}

TEST(VisibleDevices, MinusOneHidesEveryGpu) {
  Visibility v = resolve_visible_devices(four_gpus(), "-1", kUnset);
  EXPECT_TRUE(v.visible.empty());
  EXPECT_EQ(v.no_gpu_reason_code, kReasonCudaVisibleDevicesEmpty);
  EXPECT_NE(v.no_gpu_reason->find("CUDA_VISIBLE_DEVICES=-1 names none of the 4 GPUs"), std::string::npos)
      << *v.no_gpu_reason;
}

TEST(VisibleDevices, DuplicatesAreWarnedAndListedOnce) {
  Visibility v = resolve_visible_devices(four_gpus(), "0,1,GPU-3b6d9f1a", kUnset);
  EXPECT_EQ(gpu_indices(v), (std::vector<std::uint32_t>{0, 1}));
  EXPECT_TRUE(any_warning_has(v, "names GPU 0 more than once (again as 'GPU-3b6d9f1a')"));
}

TEST(VisibleDevices, UnsetOnAMigMachineShowsOneMigDeviceAndTheWholeGpus) {
  Visibility v = resolve_visible_devices(mig_machine(), kUnset, kUnset);
  ASSERT_EQ(v.visible.size(), 2u);
  EXPECT_TRUE(v.visible[0].mig);
  EXPECT_EQ(v.visible[0].gpu_index, 0u);
  EXPECT_EQ(v.visible[0].uuid, "MIG-c6d4f1ef-42e4-5de3-91c7-45d71585f587");
  EXPECT_FALSE(v.visible[1].mig);
  EXPECT_EQ(v.visible[1].gpu_index, 1u);
  EXPECT_TRUE(any_warning_has(v, "only one MIG device per process"));
  EXPECT_TRUE(any_warning_has(v, "not the other 1 MIG device;"));
}

TEST(VisibleDevices, MigUuidsSelectOneMigDevice) {
  Visibility full = resolve_visible_devices(mig_machine(), "MIG-0a3f9b2e-7d51-5c86-b4e0-9f2d6a1c8e37", kUnset);
  ASSERT_EQ(full.visible.size(), 1u);
  EXPECT_TRUE(full.visible[0].mig);
  EXPECT_EQ(full.visible[0].uuid, "MIG-0a3f9b2e-7d51-5c86-b4e0-9f2d6a1c8e37");
  EXPECT_TRUE(full.warnings.empty());
  Visibility prefix = resolve_visible_devices(mig_machine(), "MIG-c6d4", kUnset);
  ASSERT_EQ(prefix.visible.size(), 1u);
  EXPECT_EQ(prefix.visible[0].uuid, "MIG-c6d4f1ef-42e4-5de3-91c7-45d71585f587");
  // The R450 form names the MIG device by its GPU and instance ids.
  Visibility legacy =
      resolve_visible_devices(mig_machine(), "MIG-GPU-5d5ba0d6-d33d-2b2c-524d-e6d1d4f1a6e3/3/0", kUnset);
  ASSERT_EQ(legacy.visible.size(), 1u);
  EXPECT_EQ(legacy.visible[0].uuid, "MIG-0a3f9b2e-7d51-5c86-b4e0-9f2d6a1c8e37");
  Visibility unknown = resolve_visible_devices(mig_machine(), "MIG-ffff", kUnset);
  EXPECT_TRUE(unknown.visible.empty());
  EXPECT_EQ(unknown.no_gpu_reason_code, kReasonCudaVisibleDevicesEmpty);
}

TEST(VisibleDevices, MigModeWithoutMigDevicesLeavesNothing) {
  std::vector<Gpu> gpus = {make_gpu(0, "GPU-aaaa", "NVIDIA A100-SXM4-40GB")};
  gpus[0].mig_enabled = true;
  Visibility v = resolve_visible_devices(gpus, kUnset, kUnset);
  EXPECT_TRUE(v.visible.empty());
  EXPECT_EQ(v.no_gpu_reason_code, kReasonNoDevice);
  EXPECT_NE(v.no_gpu_reason->find("GPU 0 is in MIG mode with no MIG devices"), std::string::npos) << *v.no_gpu_reason;
}

TEST(VisibleDevices, MixedModelsWarnAboutCudaDeviceOrderUnlessPciBusId) {
  std::vector<Gpu> gpus = {make_gpu(0, "GPU-aaaa", "NVIDIA GeForce RTX 3060"),
                           make_gpu(1, "GPU-bbbb", "NVIDIA GeForce RTX 4090")};
  Visibility fastest_first = resolve_visible_devices(gpus, kUnset, kUnset);
  EXPECT_TRUE(any_warning_has(fastest_first, "CUDA_DEVICE_ORDER=PCI_BUS_ID"));
  Visibility pci = resolve_visible_devices(gpus, kUnset, kPciOrder);
  EXPECT_TRUE(pci.warnings.empty());
  Visibility same_model = resolve_visible_devices(four_gpus(), kUnset, kUnset);
  EXPECT_TRUE(same_model.warnings.empty());
}

TEST(VisibleDevices, NoGpusIsNoDevice) {
  Visibility v = resolve_visible_devices({}, kUnset, kUnset);
  EXPECT_TRUE(v.visible.empty());
  EXPECT_EQ(v.no_gpu_reason_code, kReasonNoDevice);
}

}  // namespace
}  // namespace trainctl::gpu
