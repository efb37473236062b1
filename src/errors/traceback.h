// The structure of a failure in a log: Python tracebacks (frames, the exception's type and
// message, chains joined by "During handling of the above exception..." or "The above exception
// was the direct cause..."), PyTorch's C++ context ("Exception raised from ... at ..."), and
// torchrun's ChildFailedError summary (which rank failed first, with what exit code). Works on
// normalised lines of any ranks interleaved: each rank's lines are read on their own. Bounded:
// frames, message lines and junk lines inside a traceback each have a limit below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "errors/log_line.h"

namespace trainctl::errors {

inline constexpr std::size_t kMaxFrames = 200;          // per traceback; deeper ones keep the innermost
inline constexpr std::size_t kMaxMessageLines = 40;     // lines after the exception line kept as its message
inline constexpr std::size_t kMaxJunkLines = 60;        // unrelated lines tolerated inside a traceback

struct Frame {
  std::string file;
  std::uint64_t file_line = 0;
  std::string function;
  std::string code;           // the source line Python printed under the frame, trimmed
  std::uint64_t log_line = 0;
  bool user = false;          // the user's own code, not a library (see is_library_path)

  nlohmann::json to_json() const;
};

struct CppContext {
  std::string function;       // "c10_cuda_check_implementation"
  std::string location;       // "../c10/cuda/CUDAException.cpp:44"
  std::uint64_t log_line = 0;
};

struct PythonException {
  std::string type;                        // "torch.OutOfMemoryError"
  std::string message;                     // the rest of the exception line
  std::vector<std::string> message_lines;  // the lines after it that belong to the message
  std::vector<std::uint64_t> message_line_numbers;
  std::uint64_t line = 0;                  // the exception line
  std::uint64_t traceback_line = 0;        // "Traceback (most recent call last):"
  int rank = -1;
  std::vector<Frame> frames;               // outermost first, as Python prints them
  std::optional<CppContext> cpp;
  std::string chained;                     // how it follows the previous one: "", "context" or "cause"

  // The innermost frame in the user's own code, if any.
  const Frame* user_frame() const;
  nlohmann::json to_json() const;
};

// One traceback, or several joined by chain markers; the original exception first.
struct ExceptionChain {
  std::vector<PythonException> exceptions;
  int rank = -1;

  std::uint64_t first_line() const { return exceptions.front().traceback_line; }
  std::uint64_t last_line() const { return exceptions.back().line; }
};

// A failed worker in torchrun's ChildFailedError summary.
struct WorkerFailure {
  int rank = -1;
  int local_rank = -1;
  std::optional<int> exitcode;
  std::string host;
  std::string time;
  std::string traceback;     // the summary's `traceback :` field, first line
  bool root_cause = false;   // listed under "Root Cause (first observed failure)"
  std::uint64_t line = 0;
};

// Every traceback in `lines` (in log order, any ranks interleaved), chains joined.
std::vector<ExceptionChain> parse_tracebacks(const std::vector<LogLine>& lines);

// The workers torchrun lists under "Failures:" and "Root Cause (first observed failure):".
std::vector<WorkerFailure> parse_worker_failures(const std::vector<LogLine>& lines);

// Whether a traceback path is library code: site-packages, dist-packages, the standard library,
// a PyTorch checkout (.../torch/...), <frozen ...> modules.
bool is_library_path(std::string_view path);

// Parses `type: message` when `text` looks like a Python exception line; nullopt otherwise.
std::optional<std::pair<std::string, std::string>> parse_exception_line(std::string_view text);

}  // namespace trainctl::errors
