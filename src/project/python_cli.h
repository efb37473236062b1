// A training script's command-line interface, read from its source without running it: argparse
// (add_argument with names, type, action, default, required, help, nargs, choices, const; sub-
// parsers), click and typer options and commands, HfArgumentParser with its dataclasses (and the
// standard TrainingArguments), LightningCLI (fit/validate/test, --config, --ckpt_path), Hydra
// (@hydra.main config_path/config_name), the nanoGPT configurator (a positional config module and
// --key=value over the script's globals), python-fire and absl flags.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "project/python_module.h"

namespace trainctl::project {

enum class CliFramework {
  kNone,
  kArgparse,
  kClick,
  kTyper,
  kHfArgparser,
  kLightningCli,
  kHydra,
  kConfigurator,
  kFire,
  kAbsl,
};
const char* cli_framework_name(CliFramework framework);

// How a value is written on the command line.
enum class ValueStyle {
  kSeparate,  // --flag VALUE (argparse, click, typer, Lightning)
  kEquals,    // --flag=VALUE (absl, fire, the configurator)
  kOverride,  // key=VALUE (Hydra)
};

struct CliOption {
  std::vector<std::string> names;  // "--config", "-c"; a positional's name without dashes
  std::string dest;                // the Python name the value lands in
  bool positional = false;
  std::string type;                // "int", "float", "str", "bool", "path", "" when not said
  std::string action;              // argparse's action ("store_true", ...); "flag" for click/typer/absl booleans
  nlohmann::json default_value;    // as written: a literal, or the source text of an expression
  bool has_default = false;
  bool required = false;
  std::string help;
  std::string nargs;               // "?", "*", "+", a count, or ""
  nlohmann::json choices;          // array, or null
  nlohmann::json const_value;      // argparse's const, or null
  std::string subcommand;          // the subcommand it belongs to; "" for the top level
  std::string negative;            // the negating spelling of a boolean pair: "--no-resume", "--noresume"
  std::string source;              // where it was declared: a dataclass, a function, "TrainingArguments"

  // The spelling used to pass it: the first long name, else the first name.
  std::string flag() const;
  // Takes no value: store_true/store_false/count, click/typer/absl flags.
  bool is_switch() const;
  // A boolean that is written with a value: HF's `--do_train True`, typer's bool with a type.
  bool is_boolean() const;
};

struct CliSpec {
  CliFramework framework = CliFramework::kNone;
  ValueStyle style = ValueStyle::kSeparate;
  std::string description;
  std::vector<CliOption> options;
  std::vector<std::string> subcommands;  // argparse subparsers, click/typer commands, fit/validate/test
  // Hydra: as written in @hydra.main (config_path is relative to the script's folder).
  std::string hydra_config_path;
  std::string hydra_config_name;
  // HfArgumentParser: `script.py file.json` (or .yaml) as the only argument is supported.
  std::vector<std::string> config_file_extensions;
  // LightningCLI(run=False): no subcommand is written.
  bool lightning_subcommands = true;
  // The configurator: the globals it may override, with their values in the script.
  nlohmann::json globals = nlohmann::json::object();

  // By spelling ("--config", "-c", "config") or by dest; in `subcommand` or at the top level.
  const CliOption* find(std::string_view name, std::string_view subcommand = "") const;
};

// Reads the CLI of `module`; `helpers` are the project's own modules it imports (an argparse
// set up in args.py, dataclasses in another file), read too.
CliSpec read_cli(const PythonModule& module, const std::vector<const PythonModule*>& helpers = {});

nlohmann::json to_json(const CliOption& option);

}  // namespace trainctl::project
