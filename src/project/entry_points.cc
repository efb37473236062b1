#include "project/entry_points.h"

#include <functional>
#include <set>

#include <fmt/format.h>

namespace trainctl::project {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

std::string stem_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return lower(ends_with(name, ".py") ? name.substr(0, name.size() - 3) : name);
}

bool train_name(const std::string& stem) {
  return starts_with(stem, "train") || starts_with(stem, "pretrain") || starts_with(stem, "finetune") ||
         starts_with(stem, "fine_tune") || ends_with(stem, "_train") || ends_with(stem, "-train") ||
         contains(stem, "_train_") || stem == "sft" || starts_with(stem, "sft_");
}

bool eval_name(const std::string& stem) {
  return starts_with(stem, "eval") || starts_with(stem, "validate") || stem == "test" || stem == "test_model" ||
         ends_with(stem, "_eval") || ends_with(stem, "_evaluate");
}

bool generic_name(const std::string& stem) {
  return stem == "main" || stem == "cli" || stem == "run" || starts_with(stem, "run_") || stem == "__main__" ||
         stem == "launch" || stem == "app" || stem == "experiment";
}

bool any_module(const PythonModule& m, const std::vector<const PythonModule*>& helpers,
                const std::function<bool(const PythonModule&)>& test) {
  if (test(m)) return true;
  for (const auto* h : helpers) {
    if (test(*h)) return true;
  }
  return false;
}

// Option destinations, most specific first.
const std::vector<std::string> kResumeDests = {
    "resume_from_checkpoint", "resume_from", "resume_checkpoint", "resume_ckpt", "resume_path", "resume",
    "ckpt_path", "checkpoint_path", "init_from", "load_checkpoint", "restore_from", "restore", "continue_from",
    "load_from"};
const std::vector<std::string> kCheckpointDests = {"checkpoint", "ckpt", "ckpt_path", "checkpoint_path",
                                                   "checkpoint_file", "model_path", "weights", "load_path",
                                                   "load", "resume", "init_from", "model_name_or_path", "model"};
const std::vector<std::string> kConfigDests = {"config", "config_file", "config_path", "cfg", "cfg_file", "conf",
                                               "configs", "config_yaml", "yaml", "hparams", "hparams_file",
                                               "exp_config", "experiment_config"};
const std::vector<std::string> kGpuDests = {"gpus", "num_gpus", "n_gpu", "n_gpus", "ngpu", "ngpus", "devices",
                                            "num_devices"};

const CliOption* find_dest(const CliSpec& cli, const std::vector<std::string>& dests, const std::string& subcommand) {
  for (const auto& dest : dests) {
    for (const CliOption& o : cli.options) {
      if (o.dest == dest && (o.subcommand.empty() || o.subcommand == subcommand)) return &o;
    }
  }
  return nullptr;
}

std::string training_subcommand(const CliSpec& cli) {
  for (const char* name : {"train", "fit", "run", "main"}) {
    for (const auto& s : cli.subcommands) {
      if (s == name) return s;
    }
  }
  return cli.subcommands.size() == 1 ? cli.subcommands[0] : "";
}

std::vector<std::string> extensions_named(const std::string& text) {
  std::string t = lower(text);
  std::vector<std::string> out;
  if (contains(t, "yaml") || contains(t, ".yml")) out.push_back("yaml");
  if (contains(t, "json")) out.push_back("json");
  if (contains(t, "toml")) out.push_back("toml");
  if (ends_with(t, ".py") || contains(t, "python")) out.push_back("py");
  return out;
}

}  // namespace

std::string first_paragraph(const std::string& text) {
  std::string out;
  std::size_t start = text.find_first_not_of(" \t\n");
  if (start == std::string::npos) return "";
  std::size_t end = text.find("\n\n", start);
  std::string para = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  bool space = false;
  for (char c : para) {
    if (c == '\n' || c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out.size() > 200 ? out.substr(0, 197) + "..." : out;
}

bool in_test_folder(const std::string& relative_path) {
  std::string path = "/" + lower(relative_path);
  for (const char* dir : {"/tests/", "/test/", "/testing/", "/docs/", "/benchmarks/", "/.github/"}) {
    if (contains(path, dir)) return true;
  }
  return false;
}

bool is_entry_candidate_name(const std::string& relative_path) {
  if (!ends_with(relative_path, ".py") || in_test_folder(relative_path)) return false;
  std::string stem = stem_of(relative_path);
  if (starts_with(stem, "test_") || ends_with(stem, "_test") || stem == "conftest" || stem == "setup" ||
      stem == "__init__") {
    return false;
  }
  return train_name(stem) || eval_name(stem) || generic_name(stem) || contains(stem, "train");
}

bool runs_as_script(const PythonModule& m) {
  if (m.has_main_guard) return true;
  for (const PythonCall& c : m.calls) {
    if (!c.function.empty() || !c.class_name.empty()) continue;
    std::string method = c.method();
    if (m.function(c.callee) || method == "LightningCLI" || c.callee == "fire.Fire" || c.callee == "typer.run" ||
        method == "backward" || method == "fit" || (c.callee == "exec" && contains(m.text(c.span), "configurator"))) {
      return true;
    }
    if (c.callee == "app" || c.callee == "cli" || c.callee == "main") return true;  // click/typer apps called bare
  }
  return false;
}

bool trains(const PythonModule& module, const std::vector<const PythonModule*>& helpers) {
  return any_module(module, helpers, [](const PythonModule& m) {
    for (const PythonCall& c : m.calls) {
      std::string method = c.method();
      std::string receiver = lower(c.receiver());
      if (method == "backward" || method == "LightningCLI" || method == "fit" || method == "train_model" ||
          ends_with(method, "Trainer") || method == "HfArgumentParser") {
        return true;
      }
      if (method == "step" && (contains(receiver, "optim") || contains(receiver, "scaler"))) return true;
      if (method == "train" && (contains(receiver, "trainer") || receiver.empty())) return true;
    }
    return false;
  });
}

std::optional<EntryRole> classify_entry(const std::string& relative_path, const PythonModule& module,
                                        const std::vector<const PythonModule*>& helpers,
                                        const std::string& console_script) {
  bool script = runs_as_script(module);
  std::string stem = stem_of(relative_path);
  std::string script_name = lower(console_script);
  if (!script && console_script.empty()) return std::nullopt;
  if (eval_name(stem) || (!script_name.empty() && eval_name(script_name))) return EntryRole::kEval;
  bool named = train_name(stem) || (!script_name.empty() && (train_name(script_name) || contains(script_name, "train")));
  if (named && (trains(module, helpers) || module.imports_module("torch"))) return EntryRole::kTrain;
  if ((generic_name(stem) || contains(stem, "train") || !console_script.empty()) && trains(module, helpers)) {
    return EntryRole::kTrain;
  }
  return std::nullopt;
}

Launcher detect_launcher(const PythonModule& module, const std::vector<const PythonModule*>& helpers,
                         std::string* evidence) {
  auto say = [evidence](const std::string& why) {
    if (evidence) *evidence = why;
  };
  auto uses = [&](const std::function<bool(const PythonModule&)>& test) { return any_module(module, helpers, test); };
  if (uses([](const PythonModule& m) { return m.imports_module("accelerate") || m.calls_method("Accelerator"); })) {
    say("imports accelerate (Accelerator): launched with accelerate launch");
    return Launcher::kAccelerate;
  }
  if (uses([](const PythonModule& m) {
        for (const auto& c : m.calls) {
          if (c.callee == "deepspeed.initialize") return true;
        }
        return false;
      })) {
    say("calls deepspeed.initialize: launched with the deepspeed launcher");
    return Launcher::kDeepspeed;
  }
  if (uses([](const PythonModule& m) {
        return m.calls_method("LightningCLI") ||
               ((m.imports_module("lightning") || m.imports_module("pytorch_lightning")) && m.calls_method("Trainer"));
      })) {
    say("uses Lightning's Trainer, which starts one process per device itself");
    return Launcher::kLightning;
  }
  if (uses([](const PythonModule& m) {
        return m.calls_method("init_process_group") || m.calls_method("DistributedDataParallel") ||
               m.calls_method("DDP") || m.source.find("LOCAL_RANK") != std::string::npos;
      })) {
    say("sets up torch.distributed (init_process_group / DDP / LOCAL_RANK): launched with torchrun");
    return Launcher::kTorchrun;
  }
  if (uses([](const PythonModule& m) {
        if (!m.imports_module("transformers") && !m.imports_module("trl")) return false;
        for (const auto& c : m.calls) {
          if (ends_with(c.method(), "Trainer") || c.method() == "HfArgumentParser") return true;
        }
        return false;
      })) {
    say("uses the Hugging Face Trainer, which runs distributed under torchrun");
    return Launcher::kTorchrun;
  }
  say("plain python: no torch.distributed, accelerate, deepspeed or Lightning found");
  return Launcher::kPython;
}

void read_conventions(EntryPoint& entry, const nlohmann::json& hydra_primary) {
  const CliSpec& cli = entry.cli;
  std::string sub = training_subcommand(cli);
  switch (cli.framework) {
    case CliFramework::kConfigurator:
      entry.config_flag = "config";
      entry.config_extensions = {"py"};
      if (cli.globals.contains("init_from")) {
        entry.resume = ResumeConvention{"--init_from", ResumeTakes::kKeyword, "resume",
                                        "configurator global init_from (--init_from=resume loads <out_dir>/ckpt.pt)"};
      }
      entry.checkpoint_flag = cli.globals.contains("init_from") ? "--init_from" : "";
      return;
    case CliFramework::kLightningCli:
      entry.config_flag = "--config";
      entry.config_extensions = {"yaml"};
      entry.resume = ResumeConvention{"--ckpt_path", ResumeTakes::kPath, "", "LightningCLI: fit --ckpt_path PATH"};
      entry.checkpoint_flag = "--ckpt_path";
      entry.gpu_flag = "--trainer.devices";
      return;
    case CliFramework::kHydra: {
      for (const char* key : {"ckpt_path", "resume_from_checkpoint", "resume_from", "resume_checkpoint", "resume_path",
                              "checkpoint_path", "checkpoint", "resume", "load_from", "restore_from"}) {
        auto found = keys_named(hydra_primary, {key});
        if (found.empty()) continue;
        const nlohmann::json* value = value_at(hydra_primary, found.front());
        bool boolean = value && value->is_boolean();
        ResumeConvention r{found.front(), boolean ? ResumeTakes::kBoolean : ResumeTakes::kPath, boolean ? "true" : "",
                           fmt::format("Hydra config key {}", found.front())};
        if (entry.role == EntryRole::kTrain) entry.resume = r;
        if (!boolean) entry.checkpoint_flag = found.front();
        break;
      }
      auto devices = keys_named(hydra_primary, {"devices", "gpus"});
      if (!devices.empty()) entry.gpu_flag = devices.front();
      return;
    }
    default: break;
  }
  // argparse, click, typer, fire, absl, HfArgumentParser: read the options themselves.
  if (cli.framework == CliFramework::kHfArgparser) {
    if (!cli.config_file_extensions.empty()) {
      entry.config_flag = "config_file";
      entry.config_extensions = cli.config_file_extensions;
    }
  } else if (const CliOption* config = find_dest(cli, kConfigDests, sub)) {
    entry.config_flag = config->positional ? config->dest : config->flag();
    std::string hint = config->help + " " + (config->default_value.is_string() ? config->default_value.get<std::string>() : "");
    entry.config_extensions = extensions_named(hint);
    if (entry.config_extensions.empty()) entry.config_extensions = {"yaml", "json", "toml"};
    if (config->default_value.is_string()) entry.default_config = config->default_value.get<std::string>();
  }
  if (const CliOption* gpus = find_dest(cli, kGpuDests, sub); gpus && !gpus->is_switch()) entry.gpu_flag = gpus->flag();
  if (entry.role == EntryRole::kEval) {
    if (const CliOption* ckpt = find_dest(cli, kCheckpointDests, sub)) entry.checkpoint_flag = ckpt->flag();
    return;
  }
  const CliOption* resume = find_dest(cli, kResumeDests, sub);
  if (!resume) {
    for (const CliOption& o : cli.options) {
      if (contains(o.dest, "resume") && (o.subcommand.empty() || o.subcommand == sub)) {
        resume = &o;
        break;
      }
    }
  }
  if (!resume) return;
  ResumeConvention r;
  r.flag = resume->flag();
  bool keyword = resume->dest == "init_from" || (resume->choices.is_array() && [&] {
                   for (const auto& c : resume->choices) {
                     if (c == "resume") return true;
                   }
                   return false;
                 }());
  std::string how;
  if (keyword) {
    r.takes = ResumeTakes::kKeyword;
    r.keyword = "resume";
    how = "a keyword";
  } else if (resume->is_switch()) {
    r.takes = ResumeTakes::kBoolean;
    how = "a switch";
  } else if (resume->type == "bool") {
    r.takes = ResumeTakes::kBoolean;
    r.keyword = "True";
    how = "a boolean value";
  } else if (resume->nargs == "?") {
    r.takes = ResumeTakes::kOptionalPath;
    how = "an optional path";
  } else {
    r.takes = ResumeTakes::kPath;
    how = "a path";
  }
  r.evidence = fmt::format("{} option {} takes {}", cli_framework_name(cli.framework), r.flag, how);
  entry.resume = r;
}

}  // namespace trainctl::project
