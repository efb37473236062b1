// Root cause, not the loudest line: ranks the knowledge-base entries a log matched. The entry
// priorities (data/errors/README.md) encode which errors cause which; the log's structure adds
// what priorities cannot know: which traceback belongs to the rank that failed first (torchrun's
// "Root Cause" summary, else the earliest rank to die), that a wrapper (ChildFailedError) is never
// the root, that the original exception of a chain is the cause, that exceptions after a
// scheduler kill are its shutdown, and that a run that finished normally had no fatal error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "errors/knowledge_base.h"
#include "errors/log_scan.h"
#include "errors/traceback.h"

namespace trainctl::errors {

// Score added to an entry that matches the root exception chain, and to one that matches another
// traceback's exception line.
inline constexpr double kRootExceptionBonus = 25;
inline constexpr double kOtherExceptionBonus = 5;
// An exception no entry knows, on the root chain, scores this (a KB entry wins a tie).
inline constexpr double kUnrecognizedScore = 70;
// Progress lines this far after a traceback mean training went on: the exception was handled.
inline constexpr std::uint64_t kLinesToCountAsContinued = 20;

struct ExceptionMatch {
  std::uint64_t line = 0;                // the exception or message line
  std::set<std::size_t> entries;         // entries whose patterns match it
};

struct RankedEntry {
  std::size_t entry = 0;
  double score = 0;
  bool on_root_exception = false;
  bool on_exception = false;
  std::vector<std::uint64_t> exception_lines;  // the exception lines it matched
};

struct RunEnd {
  std::string state;                     // failed, killed, finished, running_or_truncated, unknown
  std::optional<std::uint64_t> line;     // the line that shows it
  std::string text;
  std::string detail;                    // one sentence for people
};

struct ExitInfo {
  int code = 0;                          // as printed: 137, -9, 1
  std::string signal;                    // SIGKILL, SIGSEGV, ... or ""
  std::string meaning;
  std::uint64_t line = 0;
  int rank = -1;
};

struct RootCauseInput {
  const KnowledgeBase* kb = nullptr;
  const LogScan* scan = nullptr;
  const std::vector<ExceptionChain>* chains = nullptr;
  const std::vector<WorkerFailure>* workers = nullptr;
  // For every exception line of every chain, the entries that match it (explain computes it with
  // the pattern set).
  const std::vector<ExceptionMatch>* exception_matches = nullptr;
};

struct RootCause {
  std::optional<std::size_t> root_chain;  // index into the chains
  int first_failing_rank = -1;
  std::vector<RankedEntry> ranked;        // best first; entries dropped as non-fatal are absent
  bool unrecognized_root = false;         // the root chain's exception matches no entry
  double unrecognized_score = 0;
  std::optional<ExitInfo> exit;
  RunEnd ended;
};

RootCause find_root_cause(const RootCauseInput& input);

// What an exit status means: 137/-9 SIGKILL, 139/-11 SIGSEGV, 134/-6 SIGABRT, 143/-15 SIGTERM, 1, 2.
ExitInfo describe_exit(int code);

// A training progress line: tqdm bars, "step 10/400 | loss ...", "Epoch 3: ... loss=...".
bool is_progress_line(std::string_view text);

// Python exception types that only wrap another process's failure.
bool is_wrapper_exception(std::string_view type);

}  // namespace trainctl::errors
