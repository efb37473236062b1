// What a log says about the run behind it, so that fixes are shown against that run: the command
// that started it, the config it used (--config, or the command's flags, a `config: x.yaml` line, an
// error naming a config file; relative paths tried from the project, the log's folder and the
// folders of the user's own frames), the user's Python sources (which settings they read), and the
// vocabulary size the log reports. Reads files only, each within a limit below; runs nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "errors/config_text.h"
#include "errors/fix_plan.h"
#include "errors/log_scan.h"
#include "errors/traceback.h"

namespace trainctl::errors {

inline constexpr std::size_t kMaxCodeFiles = 8;             // user sources read for setting names
inline constexpr std::size_t kMaxCodeFileBytes = 1 << 20;   // larger sources are skipped

struct RunContextRequest {
  std::string project_dir = ".";            // relative paths are tried from here first
  std::optional<std::string> log_path;      // and from the log's folder
  std::optional<std::string> config_path;   // --config: used as given
  std::optional<std::string> home;          // expands ~/
};

struct RunContext {
  std::optional<std::string> command;        // the training command the log shows
  std::optional<std::string> config_file;    // the config read (its path)
  std::string config_display;                // the path as the log or --config wrote it
  std::string config_from;                   // "--config", "log" or ""
  std::optional<ConfigText> config;
  ProjectCode code;
  std::optional<std::pair<long, std::uint64_t>> log_vocab;  // the largest vocabulary the log reports, and its line
};

// A --config that does not exist is kNotFound; anything the log names but that cannot be found or
// read is simply left out.
core::Result<RunContext> find_run_context(const RunContextRequest& request, const std::vector<MarkerHit>& markers,
                                          const std::vector<ExceptionChain>& chains);

// The training command in a logged line, from the interpreter or launcher on.
std::string command_from(std::string_view line);

// A regular file's text, or nothing when it is missing, unreadable or over `limit` bytes.
std::optional<std::string> read_small_file(const std::filesystem::path& path, std::size_t limit);

}  // namespace trainctl::errors
