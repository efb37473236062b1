// What every subcommand needs from the front end: the environment, where to print, whether the
// user asked for JSON, and the exit status to return. Commands read it; main owns it.
#pragma once

#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/environment_vars.h"
#include "core/exit_status.h"
#include "core/result.h"
#include "core/terminal_style.h"

namespace trainctl::cli {

struct CliContext {
  core::EnvironmentVars env;
  std::ostream* out = &std::cout;
  std::ostream* err = &std::cerr;
  core::TerminalStyle out_style{false};
  core::TerminalStyle err_style{false};
  bool json = false;       // --json: one JSON document on stdout, nothing else there
  bool no_color = false;   // --no-color
  int exit_status = core::kExitSuccess;
  std::vector<std::string> raw_args;  // the command line after the program name, as given

  // Prints the error for people (stderr) or as {"error": {...}} for --json, and sets the status.
  void fail(const core::Error& error);
  // Prints one JSON document on stdout.
  void print_json(const nlohmann::json& document) const;
};

}  // namespace trainctl::cli
