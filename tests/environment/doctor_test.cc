#include "environment/doctor.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace trainctl::environment {
namespace {

InterpreterStatus interpreter(const std::string& path, const std::string& origin,
                              std::optional<std::string> torch, std::optional<std::string> torch_cuda = std::nullopt,
                              bool cuda_available = false) {
  InterpreterStatus status;
  status.candidate = {path, origin};
  status.probe.interpreter = path;
  status.probe.ran = true;
  status.probe.python_version = "3.11.2";
  status.probe.torch_version = std::move(torch);
  status.probe.torch_cuda = std::move(torch_cuda);
  if (status.probe.torch_version) status.probe.cuda_available = cuda_available;
  return status;
}

DoctorReport machine_with_gpus(std::string driver_cuda) {
  DoctorReport report;
  report.project_dir = "/proj";
  report.disk = DiskSpace{"/proj", 500ULL << 30, 200ULL << 30};
  report.gpus.source = "nvml";
  report.gpus.driver_version = "535.104.05";
  report.gpus.cuda_version = std::move(driver_cuda);
  gpu::Gpu g;
  g.name = "NVIDIA H100 80GB HBM3";
  g.uuid = "GPU-1";
  report.gpus.gpus.push_back(g);
  report.gpus.visible.push_back({0, 0, "GPU-1", false});
  return report;
}

DoctorReport machine_without_gpus(const std::string& code) {
  DoctorReport report;
  report.project_dir = "/proj";
  report.disk = DiskSpace{"/proj", 500ULL << 30, 200ULL << 30};
  report.gpus.source = "none";
  report.gpus.no_gpu_reason_code = code;
  report.gpus.no_gpu_reason = "reason for " + code;
  return report;
}

const Problem* find_problem(const DoctorReport& report, const std::string& severity, const std::string& needle) {
  for (const auto& p : report.problems) {
    if (p.severity == severity && (p.message.find(needle) != std::string::npos || p.fix.find(needle) != std::string::npos)) return &p;
  }
  return nullptr;
}

TEST(Doctor, NoInterpreterAtAllIsAnError) {
  DoctorReport report = machine_without_gpus("no_driver_library");
  diagnose(report);
  EXPECT_FALSE(report.healthy());
  EXPECT_NE(find_problem(report, "error", "no Python interpreter"), nullptr);
  EXPECT_FALSE(report.recommended_interpreter);
}

TEST(Doctor, RecommendsTheInterpreterThatHasTorchAndSaysWhyPlainPythonWillNot) {
  DoctorReport report = machine_without_gpus("no_driver_library");
  report.interpreters.push_back(interpreter("/root/.pyenv/shims/python", "PATH python", std::nullopt));
  report.interpreters.push_back(interpreter("/usr/bin/python3", "system", "1.13.0a0"));
  diagnose(report);
  EXPECT_TRUE(report.healthy());
  EXPECT_EQ(report.recommended_interpreter, "/usr/bin/python3");
  const Problem* warning = find_problem(report, "warning", "has no torch");
  ASSERT_NE(warning, nullptr);
  EXPECT_NE(warning->fix.find("/usr/bin/python3 train.py"), std::string::npos);
  const Problem* cpu = find_problem(report, "info", "training will run on the CPU");
  ASSERT_NE(cpu, nullptr);
  EXPECT_NE(cpu->message.find("reason for no_driver_library"), std::string::npos);
}

TEST(Doctor, NoTorchAnywhereIsAnErrorWithTheInstallLine) {
  DoctorReport report = machine_without_gpus("no_driver_library");
  report.interpreters.push_back(interpreter("/usr/bin/python3", "system", std::nullopt));
  diagnose(report);
  const Problem* problem = find_problem(report, "error", "no Python interpreter here has PyTorch");
  ASSERT_NE(problem, nullptr);
  EXPECT_NE(problem->fix.find("pip install torch"), std::string::npos);
}

TEST(Doctor, CpuOnlyTorchOnAGpuMachinePointsAtTheMatchingCudaWheel) {
  DoctorReport report = machine_with_gpus("12.4");
  report.interpreters.push_back(interpreter("/venv/bin/python", "active virtualenv", "2.4.1+cpu"));
  diagnose(report);
  const Problem* problem = find_problem(report, "error", "CPU-only build");
  ASSERT_NE(problem, nullptr);
  EXPECT_NE(problem->fix.find("whl/cu124"), std::string::npos) << problem->fix;
}

TEST(Doctor, TorchBuiltForANewerCudaThanTheDriverSays) {
  DoctorReport report = machine_with_gpus("11.4");
  report.interpreters.push_back(interpreter("/venv/bin/python", "active virtualenv", "2.4.1+cu124", "12.4"));
  diagnose(report);
  const Problem* problem = find_problem(report, "error", "built for CUDA 12.4");
  ASSERT_NE(problem, nullptr);
  EXPECT_NE(problem->message.find("11.4"), std::string::npos);
  EXPECT_NE(problem->fix.find("upgrade the NVIDIA driver"), std::string::npos);
}

TEST(Doctor, PrefersTheInterpreterThatCanUseTheGpus) {
  DoctorReport report = machine_with_gpus("12.4");
  report.interpreters.push_back(interpreter("/usr/bin/python3", "PATH python3", "2.1.0+cpu"));
  report.interpreters.push_back(interpreter("/proj/.venv/bin/python", "project .venv", "2.4.1+cu124", "12.4", true));
  diagnose(report);
  EXPECT_EQ(report.recommended_interpreter, "/proj/.venv/bin/python");
  EXPECT_TRUE(report.healthy());
}

TEST(Doctor, EmptyCudaVisibleDevicesSaysToUnsetIt) {
  DoctorReport report = machine_without_gpus("cuda_visible_devices_empty");
  report.interpreters.push_back(interpreter("/usr/bin/python3", "system", "2.4.1", "12.4"));
  diagnose(report);
  const Problem* problem = find_problem(report, "warning", "unset CUDA_VISIBLE_DEVICES");
  ASSERT_NE(problem, nullptr);
}

TEST(Doctor, LowDiskIsAWarningNamingTheSpaceLeft) {
  DoctorReport report = machine_without_gpus("no_driver_library");
  report.interpreters.push_back(interpreter("/usr/bin/python3", "system", "1.13.0"));
  report.disk->available_bytes = 3ULL << 30;
  diagnose(report);
  const Problem* problem = find_problem(report, "warning", "3.00 GiB free");
  ASSERT_NE(problem, nullptr);
  EXPECT_NE(problem->fix.find("du -sh"), std::string::npos);
}

TEST(Doctor, AnInterpreterThatCouldNotBeCheckedIsNamed) {
  DoctorReport report = machine_without_gpus("no_driver_library");
  InterpreterStatus hung = interpreter("/opt/conda/bin/python", "active conda env", std::nullopt);
  hung.probe.ran = false;
  hung.probe.error = "did not answer within 30 s (importing torch hangs?)";
  report.interpreters.push_back(hung);
  report.interpreters.push_back(interpreter("/usr/bin/python3", "system", "1.13.0"));
  diagnose(report);
  const Problem* problem = find_problem(report, "warning", "/opt/conda/bin/python");
  ASSERT_NE(problem, nullptr);
  EXPECT_NE(problem->message.find("did not answer"), std::string::npos);
  EXPECT_EQ(report.recommended_interpreter, "/usr/bin/python3");
}

TEST(Doctor, RunsOnThisMachineAndFindsDebianTorch) {
  testing::TempDir project;
  DoctorOptions options;
  options.env = core::EnvironmentVars::of({{"PATH", "/usr/bin:/bin"}});
  options.project_dir = project.path();
  options.probe_timeout = std::chrono::seconds(60);
  auto report = run_doctor(options);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->project_dir, project.path().string());
  EXPECT_EQ(report->recommended_interpreter, TRAINCTL_TEST_PYTHON);
  EXPECT_TRUE(report->disk);
  EXPECT_FALSE(report->gpus.usable());
  nlohmann::json j = to_json(*report);
  EXPECT_EQ(j["recommended_interpreter"], TRAINCTL_TEST_PYTHON);
  EXPECT_TRUE(j["interpreters"].is_array());
  EXPECT_TRUE(j["problems"].is_array());
  EXPECT_EQ(j["gpus"]["usable"], false);
}

TEST(Doctor, AMissingProjectDirectoryIsNotFound) {
  DoctorOptions options;
  options.project_dir = "/nonexistent/project";
  auto report = run_doctor(options);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().kind, core::ErrorKind::kNotFound);
  EXPECT_NE(report.error().message.find("/nonexistent/project"), std::string::npos);
}

}  // namespace
}  // namespace trainctl::environment
