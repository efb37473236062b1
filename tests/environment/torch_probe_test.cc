#include "environment/torch_probe.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace trainctl::environment {
namespace {

core::EnvironmentVars plain_env() { return core::EnvironmentVars::of({{"PATH", "/usr/bin:/bin"}}); }

TEST(TorchProbe, RealDebianTorchIsFoundAndCudaIsNotUsableHere) {
  TorchProbe probe = probe_torch(TRAINCTL_TEST_PYTHON, plain_env(), std::chrono::seconds(60));
  ASSERT_TRUE(probe.ran) << probe.error.value_or("");
  EXPECT_FALSE(probe.error) << *probe.error;
  ASSERT_TRUE(probe.has_torch());
  EXPECT_FALSE(probe.torch_version->empty());
  ASSERT_TRUE(probe.python_version);
  EXPECT_EQ(probe.python_version->rfind("3.", 0), 0u);
  // This machine has no GPU: torch must say CUDA is not available.
  ASSERT_TRUE(probe.cuda_available);
  EXPECT_FALSE(*probe.cuda_available);
  EXPECT_EQ(probe.device_count, 0);
}

TEST(TorchProbe, AnInterpreterThatHangsIsStoppedAtTheTimeout) {
  testing::TempDir dir;
  auto hang = dir.write("python", "#!/bin/sh\nsleep 30\n", true);
  auto started = std::chrono::steady_clock::now();
  TorchProbe probe = probe_torch(hang.string(), plain_env(), std::chrono::milliseconds(300));
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 5.0);
  EXPECT_FALSE(probe.ran);
  ASSERT_TRUE(probe.error);
  EXPECT_NE(probe.error->find("did not answer"), std::string::npos) << *probe.error;
}

TEST(TorchProbe, ABrokenInterpreterReportsItsLastErrorLine) {
  testing::TempDir dir;
  auto broken = dir.write("python", "#!/bin/sh\necho 'Traceback...' >&2\necho 'ImportError: libpython3.11.so.1.0' >&2\nexit 1\n", true);
  TorchProbe probe = probe_torch(broken.string(), plain_env(), std::chrono::seconds(5));
  EXPECT_FALSE(probe.ran);
  ASSERT_TRUE(probe.error);
  EXPECT_NE(probe.error->find("status 1"), std::string::npos) << *probe.error;
  EXPECT_NE(probe.error->find("ImportError: libpython3.11.so.1.0"), std::string::npos) << *probe.error;
}

TEST(TorchProbe, MissingInterpreterIsAnErrorNotACrash) {
  TorchProbe probe = probe_torch("/nonexistent/python", plain_env(), std::chrono::seconds(5));
  EXPECT_FALSE(probe.ran);
  ASSERT_TRUE(probe.error);
  EXPECT_NE(probe.error->find("/nonexistent/python"), std::string::npos);
}

TEST(TorchProbeOutput, FindsItsLineAfterNoiseAndReadsTorchErrors) {
  TorchProbe probe;
  ASSERT_TRUE(parse_torch_probe_output(
      "sitecustomize says hi\nTRAINCTL_PROBE {\"python_version\": \"3.10.12\", \"executable\": \"/opt/x/bin/python\", "
      "\"torch_error\": \"ModuleNotFoundError: No module named 'torch'\"}\n",
      probe));
  EXPECT_TRUE(probe.ran);
  EXPECT_EQ(probe.python_version, "3.10.12");
  EXPECT_FALSE(probe.has_torch());
  ASSERT_TRUE(probe.error);
  EXPECT_NE(probe.error->find("No module named 'torch'"), std::string::npos);
}

TEST(TorchProbeOutput, ReadsACudaBuild) {
  TorchProbe probe;
  ASSERT_TRUE(parse_torch_probe_output(
      "TRAINCTL_PROBE {\"python_version\": \"3.11.9\", \"torch_version\": \"2.4.1+cu124\", \"torch_cuda\": \"12.4\", "
      "\"cuda_available\": true, \"device_count\": 8}",
      probe));
  EXPECT_EQ(probe.torch_version, "2.4.1+cu124");
  EXPECT_EQ(probe.torch_cuda, "12.4");
  EXPECT_EQ(probe.cuda_available, true);
  EXPECT_EQ(probe.device_count, 8);
  EXPECT_FALSE(probe.error);
}

TEST(TorchProbeOutput, RejectsGarbage) {
  TorchProbe probe;
  EXPECT_FALSE(parse_torch_probe_output("", probe));
  EXPECT_FALSE(parse_torch_probe_output("TRAINCTL_PROBE {not json", probe));
  EXPECT_FALSE(parse_torch_probe_output("TRAINCTL_PROBE [1,2]", probe));
  EXPECT_FALSE(parse_torch_probe_output(std::string("\x00\xff\xfe", 3), probe));
  EXPECT_FALSE(probe.ran);
}

}  // namespace
}  // namespace trainctl::environment
