#include "errors/traceback.h"

#include <algorithm>
#include <array>
#include <map>

namespace trainctl::errors {
namespace {

constexpr std::string_view kTracebackMarker = "Traceback (most recent call last):";
// IPython and Jupyter: "OutOfMemoryError                          Traceback (most recent call last)".
constexpr std::string_view kIpythonMarker = "Traceback (most recent call last)";
constexpr std::string_view kContextMarker = "During handling of the above exception, another exception occurred";
constexpr std::string_view kCauseMarker = "The above exception was the direct cause of the following exception";

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::size_t indent(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// `  File "path", line N, in function`
std::optional<Frame> parse_frame_line(std::string_view text) {
  std::string_view s = trim(text);
  if (s.substr(0, 6) != "File \"") return std::nullopt;
  std::size_t close = s.find("\", line ", 6);
  if (close == std::string_view::npos) return std::nullopt;
  Frame f;
  f.file = std::string(s.substr(6, close - 6));
  std::size_t i = close + 8;
  std::uint64_t n = 0;
  std::size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 12) {
    n = n * 10 + static_cast<std::uint64_t>(s[i++] - '0');
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  f.file_line = n;
  if (s.substr(i, 5) == ", in ") f.function = std::string(trim(s.substr(i + 5)));
  f.user = !is_library_path(f.file);
  return f;
}

// IPython frames: "File /path/x.py:123, in f(a, b)" and "Cell In[5], line 3".
std::optional<Frame> parse_ipython_frame(std::string_view text) {
  std::string_view s = trim(text);
  Frame f;
  if (s.substr(0, 8) == "Cell In[") {
    std::size_t comma = s.find("], line ");
    if (comma == std::string_view::npos) return std::nullopt;
    f.file = std::string(s.substr(0, comma + 1));
    std::size_t i = comma + 8;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && f.file_line < 1000000000) {
      f.file_line = f.file_line * 10 + static_cast<std::uint64_t>(s[i++] - '0');
    }
    f.user = true;
    return f;
  }
  if (s.substr(0, 5) != "File " || (s.size() > 5 && s[5] == '"')) return std::nullopt;
  std::size_t in = s.find(", in ");
  std::size_t colon = s.rfind(':', in == std::string_view::npos ? s.size() : in);
  if (colon == std::string_view::npos || colon <= 5) return std::nullopt;
  std::size_t i = colon + 1;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && f.file_line < 1000000000) {
    f.file_line = f.file_line * 10 + static_cast<std::uint64_t>(s[i++] - '0');
  }
  if (i == colon + 1) return std::nullopt;
  f.file = std::string(s.substr(5, colon - 5));
  if (in != std::string_view::npos) {
    std::string_view fn = s.substr(in + 5);
    f.function = std::string(fn.substr(0, fn.find('(')));
  }
  f.user = !is_library_path(f.file);
  return f;
}

// IPython's source context: "----> 3 trainer.train()" and "      2 x = 1".
bool is_ipython_context(std::string_view text) {
  std::string_view s = trim(text);
  if (s.substr(0, 2) == "--" && s.find("> ") != std::string_view::npos) return true;
  std::size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i > 0 && (i == s.size() || s[i] == ' ');
}

// A line of carets and tildes under a frame's code (Python 3.11+), or "...<N lines>...".
bool is_marker_line(std::string_view text) {
  std::string_view s = trim(text);
  if (s.empty()) return false;
  if (s.substr(0, 4) == "...<" || s.substr(0, 22) == "[Previous line repeated") return true;
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '^' || c == '~' || c == ' '; });
}

bool has_exception_suffix(std::string_view name) {
  static constexpr std::array<std::string_view, 14> kSuffixes = {
      "Error", "Exception", "Exit", "Interrupt", "Warning", "Failure", "Fault",
      "Timeout", "Failed", "NotFound", "Iteration", "Abort", "Exhausted", "Unavailable"};
  for (std::string_view suffix : kSuffixes) {
    if (name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix) return true;
  }
  return false;
}

std::optional<CppContext> parse_cpp_context(std::string_view text, std::uint64_t line) {
  constexpr std::string_view kRaised = "Exception raised from ";
  std::size_t at = text.find(kRaised);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(at + kRaised.size());
  std::size_t sep = rest.find(" at ");
  if (sep == std::string_view::npos) return std::nullopt;
  CppContext c;
  c.function = std::string(rest.substr(0, sep));
  std::string_view location = rest.substr(sep + 4);
  std::size_t end = location.find(" (most recent call first)");
  c.location = std::string(location.substr(0, end));
  c.log_line = line;
  return c;
}

struct RankLines {
  std::vector<const LogLine*> lines;
};

// "OutOfMemoryError                          Traceback (most recent call last)"
bool is_ipython_header(std::string_view text) {
  std::size_t at = text.find(kIpythonMarker);
  if (at == std::string_view::npos || at + kIpythonMarker.size() != text.size()) return false;
  return parse_exception_line(text.substr(0, at)).has_value() || trim(text.substr(0, at)).empty();
}

class RankParser {
 public:
  explicit RankParser(const std::vector<const LogLine*>& lines) : l_(lines) {}

  std::vector<ExceptionChain> run() {
    std::vector<ExceptionChain> chains;
    std::string pending;  // a chain marker seen since the last exception
    std::size_t since_exception = 0;
    for (std::size_t i = 0; i < l_.size();) {
      std::string_view t = l_[i]->text;
      if (contains(t, kTracebackMarker) || is_ipython_header(t)) {
        auto [exception, next] = parse_one(i);
        if (!pending.empty() && !chains.empty() && since_exception < 20) {
          exception.chained = pending;
          chains.back().exceptions.push_back(std::move(exception));
        } else {
          ExceptionChain chain;
          chain.rank = exception.rank;
          chain.exceptions.push_back(std::move(exception));
          chains.push_back(std::move(chain));
        }
        pending.clear();
        since_exception = 0;
        i = std::max(next, i + 1);
        continue;
      }
      if (contains(t, kContextMarker)) pending = "context";
      else if (contains(t, kCauseMarker)) pending = "cause";
      ++since_exception;
      ++i;
    }
    // A traceback that never reached its exception line (a log cut off mid-traceback) is kept
    // only if it has frames: they still say where it was.
    std::vector<ExceptionChain> out;
    for (auto& chain : chains) {
      auto& ex = chain.exceptions;
      ex.erase(std::remove_if(ex.begin(), ex.end(), [](const PythonException& e) { return e.type.empty() && e.frames.empty(); }),
               ex.end());
      if (!ex.empty()) out.push_back(std::move(chain));
    }
    return out;
  }

 private:
  std::pair<PythonException, std::size_t> parse_one(std::size_t start) {
    PythonException ex;
    ex.traceback_line = l_[start]->number;
    ex.rank = l_[start]->rank;
    // The indentation of "Traceback" (torchrun's summary indents the worker's traceback).
    std::string_view head = l_[start]->text;
    std::size_t base = head.find(kTracebackMarker);
    base = indent(head.substr(0, base)) == base ? base : 0;
    std::size_t frame_indent = std::string::npos;
    std::size_t junk = 0;
    std::size_t i = start + 1;
    while (i < l_.size()) {
      std::string_view t = l_[i]->text;
      if (auto frame = parse_frame_line(t)) {
        frame->log_line = l_[i]->number;
        frame_indent = std::min(frame_indent, indent(t));
        ++i;
        // The source line Python printed, unless the file was not readable.
        if (i < l_.size() && !parse_frame_line(l_[i]->text) && indent(l_[i]->text) > indent(t) &&
            !is_marker_line(l_[i]->text)) {
          frame->code = std::string(trim(l_[i]->text));
          ++i;
        }
        while (i < l_.size() && is_marker_line(l_[i]->text)) ++i;
        if (ex.frames.size() >= kMaxFrames) ex.frames.erase(ex.frames.begin());
        ex.frames.push_back(std::move(*frame));
        continue;
      }
      if (auto frame = parse_ipython_frame(t)) {
        frame->log_line = l_[i]->number;
        ++i;
        // The line the arrow points at is the frame's code.
        while (i < l_.size() && is_ipython_context(l_[i]->text)) {
          std::string_view c = trim(l_[i]->text);
          if (c.substr(0, 2) == "--") frame->code = std::string(trim(c.substr(c.find("> ") + 2)));
          ++i;
        }
        std::size_t sp = frame->code.find_first_not_of("0123456789");
        if (sp != std::string::npos && sp > 0) frame->code = std::string(trim(std::string_view(frame->code).substr(sp)));
        if (ex.frames.size() >= kMaxFrames) ex.frames.erase(ex.frames.begin());
        ex.frames.push_back(std::move(*frame));
        continue;
      }
      if (is_marker_line(t) || is_ipython_context(t) || (!t.empty() && t.find_first_not_of('-') == std::string_view::npos)) {
        ++i;
        continue;
      }
      if (contains(t, kTracebackMarker) || is_ipython_header(t)) break;  // a new traceback before this one ended
      std::size_t ind = indent(t);
      bool shallow = frame_indent == std::string::npos || ind < frame_indent || ind <= base;
      if (shallow) {
        if (auto parsed = parse_exception_line(t)) {
          ex.type = parsed->first;
          ex.message = parsed->second;
          ex.line = l_[i]->number;
          return {std::move(ex), read_message(ex, i + 1)};
        }
      }
      if (++junk > kMaxJunkLines) break;
      ++i;
    }
    return {std::move(ex), i};
  }

  // Reads the message lines after the exception line; returns the index after them.
  std::size_t read_message(PythonException& ex, std::size_t i) {
    while (i < l_.size() && ex.message_lines.size() < kMaxMessageLines) {
      std::string_view t = l_[i]->text;
      if (contains(t, kTracebackMarker) || contains(t, kContextMarker) || contains(t, kCauseMarker)) break;
      if (t.empty()) {
        // A blank line ends the message unless PyTorch's C++ context or an indented part follows.
        std::size_t j = i + 1;
        if (j >= l_.size()) break;
        std::string_view next = l_[j]->text;
        if (!(contains(next, "Exception raised from") || (!next.empty() && (next[0] == ' ' || next[0] == '\t')) ||
              next.substr(0, 7) == "frame #" || next.substr(0, 4) == "CUDA" || next.substr(0, 3) == "For")) {
          break;
        }
        ++i;
        continue;
      }
      if (!ex.cpp) ex.cpp = parse_cpp_context(t, l_[i]->number);
      ex.message_lines.emplace_back(t);
      ex.message_line_numbers.push_back(l_[i]->number);
      ++i;
    }
    return i;
  }

  const std::vector<const LogLine*>& l_;
};

int parse_int(std::string_view s, std::size_t& i) {
  bool negative = i < s.size() && s[i] == '-';
  if (negative) ++i;
  int v = 0, digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 9) {
    v = v * 10 + (s[i++] - '0');
    ++digits;
  }
  return negative ? -v : v;
}

// "  name      : value" -> value, when the line's field is `name`.
std::optional<std::string_view> field(std::string_view text, std::string_view name) {
  std::string_view s = trim(text);
  if (s.substr(0, name.size()) != name) return std::nullopt;
  std::string_view rest = trim(s.substr(name.size()));
  if (rest.empty() || rest[0] != ':') return std::nullopt;
  return trim(rest.substr(1));
}

}  // namespace

bool is_library_path(std::string_view path) {
  if (path.empty()) return true;
  if (path.front() == '<') return path.substr(0, 6) != "<stdin" && path.substr(0, 7) != "<ipytho";
  for (std::string_view part : {"site-packages", "dist-packages", "/lib/python", "\\lib\\python", "\\Lib\\",
                                "/torch/", "\\torch\\", "/pytorch/", "/usr/lib/python"}) {
    if (contains(path, part)) return true;
  }
  return false;
}

std::optional<std::pair<std::string, std::string>> parse_exception_line(std::string_view text) {
  std::string_view s = trim(text);
  std::size_t i = 0;
  while (i < s.size() && (is_word_char(s[i]) || s[i] == '.')) ++i;
  if (i == 0 || i > 200) return std::nullopt;
  std::string_view type = s.substr(0, i);
  if (type.front() == '.' || type.back() == '.' || (type.front() >= '0' && type.front() <= '9')) return std::nullopt;
  if (i < s.size() && s[i] != ':') return std::nullopt;
  std::string_view last = type.substr(type.rfind('.') == std::string_view::npos ? 0 : type.rfind('.') + 1);
  if (last.empty() || last.front() < 'A' || last.front() > 'Z') return std::nullopt;
  bool lower = std::any_of(last.begin(), last.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  static constexpr std::array<std::string_view, 4> kBare = {"KeyboardInterrupt", "StopIteration", "SystemExit",
                                                            "GeneratorExit"};
  bool known = std::find(kBare.begin(), kBare.end(), last) != kBare.end();
  if (!lower || !(has_exception_suffix(last) || known)) return std::nullopt;
  std::string message;
  if (i < s.size()) message = std::string(trim(s.substr(i + 1)));
  return std::make_pair(std::string(type), message);
}

const Frame* PythonException::user_frame() const {
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    if (it->user) return &*it;
  }
  return nullptr;
}

nlohmann::json Frame::to_json() const {
  return {{"file", file}, {"line", file_line}, {"function", function}, {"code", code}, {"user", user},
          {"log_line", log_line}};
}

nlohmann::json PythonException::to_json() const {
  nlohmann::json j = {{"type", type}, {"message", message}, {"line", line}, {"traceback_line", traceback_line},
                      {"rank", rank < 0 ? nlohmann::json(nullptr) : nlohmann::json(rank)},
                      {"chained", chained.empty() ? nlohmann::json(nullptr) : nlohmann::json(chained)}};
  j["message_lines"] = message_lines;
  j["cpp"] = cpp ? nlohmann::json{{"function", cpp->function}, {"location", cpp->location}, {"line", cpp->log_line}}
                 : nlohmann::json(nullptr);
  const Frame* user = user_frame();
  j["user_frame"] = user ? user->to_json() : nlohmann::json(nullptr);
  return j;
}

std::vector<ExceptionChain> parse_tracebacks(const std::vector<LogLine>& lines) {
  std::map<int, std::vector<const LogLine*>> by_rank;
  for (const LogLine& line : lines) by_rank[line.rank].push_back(&line);
  std::vector<ExceptionChain> chains;
  for (const auto& [rank, rank_lines] : by_rank) {
    auto found = RankParser(rank_lines).run();
    for (auto& chain : found) chains.push_back(std::move(chain));
  }
  std::sort(chains.begin(), chains.end(),
            [](const ExceptionChain& a, const ExceptionChain& b) { return a.first_line() < b.first_line(); });
  return chains;
}

std::vector<WorkerFailure> parse_worker_failures(const std::vector<LogLine>& lines) {
  std::vector<WorkerFailure> out;
  bool in_failures = false, in_root = false;
  WorkerFailure* current = nullptr;
  for (const LogLine& line : lines) {
    std::string_view t = trim(line.text);
    if (t == "Failures:") {
      in_failures = true;
      in_root = false;
      current = nullptr;
      continue;
    }
    if (contains(t, "Root Cause (first observed failure)")) {
      in_root = true;
      in_failures = false;
      current = nullptr;
      continue;
    }
    if (!in_failures && !in_root) continue;
    if (t.size() >= 3 && t.front() == '[' && t.back() == ':' && t[t.size() - 2] == ']') {
      out.push_back({});
      current = &out.back();
      current->root_cause = in_root;
      current->line = line.number;
      continue;
    }
    if (t.size() > 10 && t.find_first_not_of('=') == std::string_view::npos) {
      in_failures = in_root = false;  // the closing rule of the summary
      current = nullptr;
      continue;
    }
    if (!current) continue;
    if (auto v = field(t, "rank")) {
      std::size_t i = 0;
      current->rank = parse_int(*v, i);
      std::size_t lr = v->find("local_rank:");
      if (lr != std::string_view::npos) {
        std::size_t j = lr + 11;
        while (j < v->size() && (*v)[j] == ' ') ++j;
        current->local_rank = parse_int(*v, j);
      }
    } else if (auto code = field(t, "exitcode")) {
      std::size_t i = 0;
      if (!code->empty() && (((*code)[0] >= '0' && (*code)[0] <= '9') || (*code)[0] == '-')) current->exitcode = parse_int(*code, i);
    } else if (auto host = field(t, "host")) {
      current->host = std::string(*host);
    } else if (auto time = field(t, "time")) {
      current->time = std::string(*time);
    } else if (auto tb = field(t, "traceback")) {
      current->traceback = std::string(*tb);
    }
  }
  return out;
}

}  // namespace trainctl::errors
