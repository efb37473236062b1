#include "command/launcher.h"

#include <fmt/format.h>

namespace trainctl::command {
namespace {

using project::Launcher;

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The script for a launcher: a path as is, a module with the launcher's own module switch.
std::vector<std::string> launched_target(const std::vector<std::string>& target, const char* module_switch) {
  if (target.size() == 2 && target[0] == "-m") return {module_switch, target[1]};
  return target;
}

std::string device_setting(const project::EntryPoint& entry, int value, bool nodes) {
  const std::string& flag = entry.gpu_flag;
  if (entry.cli.framework == project::CliFramework::kHydra) {
    std::string key = flag;
    if (nodes) key = key.substr(0, key.rfind('.') + 1) + "num_nodes";
    return fmt::format("{}={}", key, value);
  }
  if (nodes) return fmt::format("--trainer.num_nodes={}", value);
  return fmt::format("{}={}", flag, value);
}

}  // namespace

core::Result<Launch> launch(const project::EntryPoint& entry, const std::vector<std::string>& target,
                            const std::vector<std::string>& args, const LaunchRequest& request) {
  if (request.gpus < 0 || request.gpus > kMaxGpusPerNode) {
    return core::Error::usage(fmt::format("--gpus must be between 1 and {}, got {}", kMaxGpusPerNode, request.gpus));
  }
  if (request.nodes < 1 || request.nodes > kMaxNodes) {
    return core::Error::usage(fmt::format("--nodes must be between 1 and {}, got {}", kMaxNodes, request.nodes));
  }
  Launch out;
  int gpus = std::max(1, request.gpus);
  std::vector<std::string> python = concat(concat({"python"}, target), args);
  if (gpus == 1 && request.nodes == 1) {
    out.argv = python;
    out.launcher = "python";
    return out;
  }
  if (request.nodes > 1 && request.master_addr.empty() &&
      (entry.launcher == Launcher::kTorchrun || entry.launcher == Launcher::kAccelerate ||
       entry.launcher == Launcher::kDeepspeed)) {
    return core::Error::usage(fmt::format(
        "--nodes {} needs the address of the first node for the rendezvous: set MASTER_ADDR (e.g. MASTER_ADDR=10.0.0.1)",
        request.nodes));
  }
  std::string endpoint = fmt::format("{}:{}", request.master_addr, kDefaultRendezvousPort);
  // Lightning without a device option of its own runs under torchrun: it reads torchrun's environment.
  Launcher launcher = entry.launcher == Launcher::kLightning && entry.gpu_flag.empty() ? Launcher::kTorchrun : entry.launcher;
  if (request.nodes > 1 && request.master_addr.empty() && launcher == Launcher::kTorchrun) {
    return core::Error::usage(fmt::format(
        "--nodes {} needs the address of the first node for the rendezvous: set MASTER_ADDR (e.g. MASTER_ADDR=10.0.0.1)",
        request.nodes));
  }
  switch (launcher) {
    case Launcher::kTorchrun: {
      std::vector<std::string> head = {"torchrun"};
      if (request.nodes > 1) {
        head.push_back(fmt::format("--nnodes={}", request.nodes));
        head.push_back(fmt::format("--nproc_per_node={}", gpus));
        head.push_back("--rdzv_backend=c10d");
        head.push_back("--rdzv_endpoint=" + endpoint);
        out.notes.push_back(fmt::format("run the same command on each of the {} nodes", request.nodes));
      } else {
        head.push_back(fmt::format("--nproc_per_node={}", gpus));
      }
      out.argv = concat(concat(head, launched_target(target, "-m")), args);
      out.launcher = "torchrun";
      return out;
    }
    case Launcher::kAccelerate: {
      std::vector<std::string> head = {"accelerate", "launch"};
      if (!request.launcher_config.empty()) {
        head.push_back("--config_file");
        head.push_back(request.launcher_config);
      }
      head.push_back(fmt::format("--num_processes={}", gpus * request.nodes));
      if (request.nodes > 1) {
        head.push_back(fmt::format("--num_machines={}", request.nodes));
        head.push_back("--machine_rank=0");
        head.push_back("--main_process_ip=" + request.master_addr);
        head.push_back(fmt::format("--main_process_port={}", kDefaultRendezvousPort));
        out.notes.push_back(fmt::format("on node k of {} run it with --machine_rank=k", request.nodes));
      }
      out.argv = concat(concat(head, launched_target(target, "-m")), args);
      out.launcher = "accelerate";
      return out;
    }
    case Launcher::kDeepspeed: {
      std::vector<std::string> head = {"deepspeed"};
      if (request.nodes > 1) {
        head.push_back(fmt::format("--num_nodes={}", request.nodes));
        head.push_back("--master_addr=" + request.master_addr);
        out.notes.push_back("deepspeed reads the nodes from its hostfile (/job/hostfile, or --hostfile)");
      }
      head.push_back(fmt::format("--num_gpus={}", gpus));
      out.argv = concat(concat(head, launched_target(target, "--module")), args);
      out.launcher = "deepspeed";
      return out;
    }
    case Launcher::kLightning:
    case Launcher::kPython:
      break;
  }
  if (entry.gpu_flag.empty()) {
    return core::Error::usage(fmt::format(
        "{} has no multi-GPU launch: it uses no torch.distributed, accelerate, deepspeed or Lightning and has no"
        " --gpus/--devices option, so {} processes would train {} separate copies; drop --gpus/--nodes, or add"
        " distributed support to the script",
        entry.path, gpus * request.nodes, gpus * request.nodes));
  }
  std::vector<std::string> settings;
  if (entry.gpu_flag.find('=') == std::string::npos && entry.cli.framework != project::CliFramework::kHydra &&
      entry.cli.framework != project::CliFramework::kLightningCli && entry.cli.style == project::ValueStyle::kSeparate) {
    settings = {entry.gpu_flag, std::to_string(gpus)};
  } else {
    settings = {device_setting(entry, gpus, false)};
  }
  if (request.nodes > 1) settings.push_back(device_setting(entry, request.nodes, true));
  out.argv = concat(python, settings);
  out.launcher = entry.launcher == Launcher::kLightning ? "lightning" : "python";
  out.notes.push_back(fmt::format("{} starts one process per device itself", entry.path));
  return out;
}

}  // namespace trainctl::command
