// `trainctl explain`: reads a training log of any size once, finds its structure (tracebacks,
// ranks, torchrun's summary, exit statuses) and every knowledge-base error in it, ranks the root
// cause first, and proposes fixes — shown against the config the run used when the log names it
// (or --config does). Nothing is written: apply_config_patch does that, after the user agreed.
// The result is a plain struct with to_json(); the CLI renders it for people.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "errors/fix_plan.h"
#include "errors/knowledge_base.h"
#include "errors/log_reader.h"
#include "errors/log_scan.h"
#include "errors/root_cause.h"
#include "errors/traceback.h"

namespace trainctl::errors {

// The id of a finding for an exception no knowledge-base entry recognises.
inline constexpr std::string_view kUnrecognizedId = "unrecognized_exception";
// Findings kept in an explanation (the rest are counted).
inline constexpr std::size_t kMaxFindings = 12;
// Evidence lines kept per finding.
inline constexpr std::size_t kMaxEvidence = 8;

struct ExplainRequest {
  enum class Input { kFile, kDescriptor, kText };
  Input input = Input::kFile;
  std::string path;                         // kFile: the log
  int fd = 0;                               // kDescriptor: stdin
  std::string text;                         // kText
  std::optional<std::string> config_path;   // --config: the config the run used
  std::string project_dir = ".";            // relative paths in the log are tried from here first
  KnowledgeBaseSources kb_sources;
  std::optional<std::string> cache_dir;     // for the compiled pattern database
  std::optional<std::string> home;          // expands ~/ in paths the log names
  ScanLimits limits;
  std::size_t window_bytes = kLogWindowBytes;
};

struct Evidence {
  std::uint64_t line = 0;
  int rank = -1;
  std::string text;
};

struct FixSuggestion {
  std::string title;
  std::string detail;
  std::string action;
  std::vector<std::string> config_keys;
  bool patched = false;  // the finding's patch makes this change
};

struct Finding {
  std::string id;
  std::string title;
  std::string family;
  double confidence = 0;
  double score = 0;
  int priority = 0;
  std::uint64_t count = 0;                  // matching lines in the log
  int rank = -1;                            // the rank it was seen on first, -1 if none
  bool root_exception = false;              // it is the root traceback's exception
  std::vector<Evidence> evidence;
  std::string cause;
  std::vector<FixSuggestion> fixes;
  std::map<std::string, std::string> values;
  std::optional<Frame> where;               // the user's own line of code, when a traceback shows it
  std::optional<ConfigPatch> patch;
  std::vector<std::string> notes;           // facts from the log and the config that bear on the fixes
  std::vector<std::string> see_also;

  nlohmann::json to_json() const;
};

struct Explanation {
  std::string source;                       // the log's name: a path, "-" or "--text"
  std::uint64_t bytes = 0;
  std::uint64_t lines = 0;
  std::vector<Finding> findings;            // best first; empty when the log shows no error
  std::size_t more_findings = 0;            // matched but not kept (kMaxFindings)
  std::optional<PythonException> exception; // the root exception (the one the top finding is about)
  std::vector<PythonException> chain;       // its whole chain, the original first
  std::vector<WorkerFailure> workers;       // torchrun's summary
  std::optional<ExitInfo> exit;
  RunEnd ended;
  int first_failing_rank = -1;
  std::optional<std::string> command;       // the training command the log shows
  std::optional<std::string> config_file;   // the config used (resolved path)
  std::string config_from;                  // "--config", "log" or ""
  std::size_t kb_entries = 0;
  std::size_t patterns = 0;

  bool clean() const { return findings.empty(); }
  nlohmann::json to_json() const;
};

core::Result<Explanation> explain(const ExplainRequest& request);

struct AppliedPatch {
  std::string file;
  std::string backup;
};

// Writes patch.patched to patch.file after copying the file to FILE.bak (FILE.bak.1, ... when
// taken). Refused when the file changed since explain read it; a command patch cannot be applied.
core::Result<AppliedPatch> apply_config_patch(const ConfigPatch& patch);

// A cause or fix text with {name} replaced from values; a sentence whose placeholders are not all
// known is left out.
std::string render_template(std::string_view text, const std::map<std::string, std::string>& values);

}  // namespace trainctl::errors
