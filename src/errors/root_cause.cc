#include "errors/root_cause.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include <fmt/format.h>

namespace trainctl::errors {
namespace {

// Scheduler kills that state a reason: what follows them is the shutdown they caused.
constexpr std::array<std::string_view, 3> kSchedulerKills = {"slurm_time_limit", "slurm_oom", "preempted"};
// Entries that kill the run from outside Python; the run ended "killed" rather than "failed".
constexpr std::array<std::string_view, 5> kKills = {"slurm_time_limit", "slurm_oom", "preempted", "cpu_oom_killed",
                                                    "segfault"};
// Errors that matter even in a run that finished: a NaN loss trains nothing.
constexpr std::array<std::string_view, 2> kMatterWhenFinished = {"nan_loss", "grad_scaler_overflow"};

template <std::size_t N>
bool in(const std::array<std::string_view, N>& list, std::string_view id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

std::optional<int> parse_code(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  bool neg = i < s.size() && s[i] == '-';
  if (neg) ++i;
  int v = 0, digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && digits < 6) {
    v = v * 10 + (s[i++] - '0');
    ++digits;
  }
  if (!digits) return std::nullopt;
  return neg ? -v : v;
}

// The exit status a marker line states.
std::optional<int> exit_code_in(std::string_view text) {
  for (std::string_view key : {"exitcode", "exit code", "exit status", "return code =", "exited with code",
                               "returned non-zero exit status"}) {
    std::size_t at = lower(text).find(key);
    if (at == std::string::npos) continue;
    std::string_view rest = text.substr(at + key.size());
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == ':')) rest.remove_prefix(1);
    if (auto code = parse_code(rest)) return code;
  }
  if (contains(text, "terminated with signal SIGKILL")) return -9;
  return std::nullopt;
}

// A normal end in the last lines: "done", a final "step N/N", a tqdm bar at 100%.
std::optional<std::size_t> finished_tail_line(const std::vector<LogLine>& tail) {
  for (std::size_t k = tail.size(); k-- > 0;) {
    std::string_view t = tail[k].text;
    if (contains(t, "100%|")) return k;
    // "step 400/400" or "Epoch 10/10"
    std::string l = lower(t);
    for (std::string_view word : {"step ", "epoch ", "iter "}) {
      std::size_t at = l.find(word);
      if (at == std::string::npos) continue;
      std::size_t i = at + word.size();
      auto a = parse_code(l.substr(i));
      std::size_t slash = l.find('/', i);
      if (a && slash != std::string::npos && slash < i + 12) {
        auto b = parse_code(l.substr(slash + 1));
        if (b && *a == *b && *a > 0) return k;
      }
    }
    if (is_progress_line(t)) return std::nullopt;  // the last progress line is not a final one
  }
  return std::nullopt;
}

}  // namespace

bool is_wrapper_exception(std::string_view type) {
  std::string_view last = type.substr(type.rfind('.') == std::string_view::npos ? 0 : type.rfind('.') + 1);
  for (std::string_view w : {"ChildFailedError", "ProcessRaisedException", "ProcessExitedException", "SignalException",
                             "CalledProcessError", "KeyboardInterrupt", "SystemExit"}) {
    if (last == w) return true;
  }
  return false;
}

bool is_progress_line(std::string_view text) {
  if (contains(text, "%|") || contains(text, "it/s]") || contains(text, "s/it]")) return true;
  std::string l = lower(text);
  bool counter = false;
  for (std::string_view word : {"step", "iter", "epoch", "batch"}) {
    std::size_t at = l.find(word);
    while (at != std::string::npos && !counter) {
      std::size_t i = at + word.size();
      while (i < l.size() && (l[i] == ' ' || l[i] == ':' || l[i] == '=' || l[i] == '[' || l[i] == 's' || l[i] == '\'' ||
                              l[i] == '"')) {
        ++i;
      }
      if (i < l.size() && std::isdigit(static_cast<unsigned char>(l[i]))) counter = true;
      at = l.find(word, at + 1);
    }
  }
  return counter && (contains(l, "loss") || contains(l, "lr") || contains(l, "/"));
}

ExitInfo describe_exit(int code) {
  ExitInfo e;
  e.code = code;
  int sig = code < 0 ? -code : (code > 128 && code < 160 ? code - 128 : 0);
  switch (sig) {
    case 9:
      e.signal = "SIGKILL";
      e.meaning = "killed with SIGKILL: the kernel's OOM killer (host RAM exhausted) or a scheduler or time limit";
      break;
    case 11:
      e.signal = "SIGSEGV";
      e.meaning = "a segmentation fault in native code (an extension, a driver, a library that is not fork-safe)";
      break;
    case 6:
      e.signal = "SIGABRT";
      e.meaning = "aborted (std::abort, often after an NCCL timeout or an uncaught C++ exception)";
      break;
    case 15:
      e.signal = "SIGTERM";
      e.meaning = "terminated with SIGTERM: stopped by the launcher after another rank failed, or by the scheduler";
      break;
    case 7:
      e.signal = "SIGBUS";
      e.meaning = "a bus error, usually shared memory (/dev/shm) running out";
      break;
    case 2:
      e.signal = "SIGINT";
      e.meaning = "interrupted (Ctrl-C)";
      break;
    case 0:
      if (code == 1) e.meaning = "a Python exception (exit status 1)";
      else if (code == 2) e.meaning = "a usage error (exit status 2: bad arguments or config)";
      else if (code == 0) e.meaning = "success";
      else e.meaning = fmt::format("exit status {}", code);
      break;
    default:
      e.signal = fmt::format("signal {}", sig);
      e.meaning = fmt::format("ended by signal {}", sig);
  }
  return e;
}

RootCause find_root_cause(const RootCauseInput& input) {
  const KnowledgeBase& kb = *input.kb;
  const LogScan& scan = *input.scan;
  const auto& chains = *input.chains;
  RootCause out;

  // The first line of a scheduler kill: later exceptions are the shutdown it caused.
  std::optional<std::uint64_t> kill_line;
  for (std::size_t e = 0; e < kb.entries.size(); ++e) {
    if (!in(kSchedulerKills, kb.entries[e].id) || scan.entries[e].hits.empty()) continue;
    std::uint64_t first = scan.entries[e].hits.front().line;
    kill_line = kill_line ? std::min(*kill_line, first) : first;
  }

  // Each rank's last chain is the one that ended it; the root is the rank named by torchrun's
  // "Root Cause" summary, else the earliest of those terminal chains. Wrappers are never the root.
  std::map<int, std::size_t> terminal;
  for (std::size_t c = 0; c < chains.size(); ++c) {
    const ExceptionChain& chain = chains[c];
    bool wrapper = std::all_of(chain.exceptions.begin(), chain.exceptions.end(), [](const PythonException& e) {
      return e.type.empty() || is_wrapper_exception(e.type);
    });
    if (wrapper || (kill_line && chain.first_line() > *kill_line)) continue;
    terminal[chain.rank] = c;
  }
  std::optional<int> summary_rank;
  for (const auto& w : *input.workers) {
    if (w.root_cause && w.rank >= 0) summary_rank = w.rank;
  }
  if (summary_rank && terminal.count(*summary_rank)) {
    out.root_chain = terminal[*summary_rank];
  } else {
    for (const auto& [rank, c] : terminal) {
      if (!out.root_chain || chains[c].first_line() < chains[*out.root_chain].first_line()) out.root_chain = c;
    }
  }
  // Training that went on after the root traceback (progress lines of the same rank well after it)
  // means it was caught and logged, not what ended the run.
  bool root_handled = false;
  if (out.root_chain) {
    const ExceptionChain& rc = chains[*out.root_chain];
    for (const LogLine& line : scan.tail) {
      if (line.number > rc.last_line() + kLinesToCountAsContinued && (rc.rank < 0 || line.rank == rc.rank) &&
          is_progress_line(line.text)) {
        root_handled = true;
      }
    }
  }
  if (out.root_chain && !root_handled) out.first_failing_rank = chains[*out.root_chain].rank;
  if (out.first_failing_rank < 0 && summary_rank) out.first_failing_rank = *summary_rank;

  // Which exception lines belong to the root chain, and the original exception's lines.
  std::set<std::uint64_t> root_lines, original_lines;
  if (out.root_chain && !root_handled) {
    const ExceptionChain& root = chains[*out.root_chain];
    for (std::size_t i = 0; i < root.exceptions.size(); ++i) {
      const PythonException& ex = root.exceptions[i];
      if (ex.line == 0) continue;
      root_lines.insert(ex.line);
      root_lines.insert(ex.message_line_numbers.begin(), ex.message_line_numbers.end());
      if (i == 0) {
        original_lines.insert(ex.line);
        original_lines.insert(ex.message_line_numbers.begin(), ex.message_line_numbers.end());
      }
    }
  }

  std::map<std::size_t, RankedEntry> ranked;
  for (std::size_t e = 0; e < kb.entries.size(); ++e) {
    if (scan.entries[e].count == 0) continue;
    RankedEntry r;
    r.entry = e;
    r.score = kb.entries[e].priority;
    ranked[e] = r;
  }
  for (const ExceptionMatch& m : *input.exception_matches) {
    for (std::size_t e : m.entries) {
      auto [it, added] = ranked.try_emplace(e);
      RankedEntry& r = it->second;
      if (added) {
        r.entry = e;
        r.score = kb.entries[e].priority;
      }
      r.exception_lines.push_back(m.line);
      r.on_exception = true;
      if (root_lines.count(m.line)) r.on_root_exception = true;
    }
  }
  bool root_known = false;
  for (auto& [e, r] : ranked) {
    const ErrorEntry& entry = kb.entries[e];
    bool original = std::any_of(r.exception_lines.begin(), r.exception_lines.end(),
                                [&](std::uint64_t l) { return original_lines.count(l) > 0; });
    if (r.on_root_exception) {
      r.score += kRootExceptionBonus + (original ? 2 : 0);
      root_known = true;
    } else if (r.on_exception) {
      r.score += kOtherExceptionBonus;
    }
    const EntryHits& hits = scan.entries[e];
    // Everything it matched came after a scheduler kill: shutdown noise.
    if (kill_line && !in(kSchedulerKills, entry.id) && !hits.hits.empty() && hits.hits.front().line > *kill_line) {
      r.score -= 20;
    }
    if (out.first_failing_rank >= 0) {
      bool from_rank = std::any_of(hits.hits.begin(), hits.hits.end(),
                                   [&](const LineHit& h) { return h.rank == out.first_failing_rank; });
      if (from_rank) r.score += 3;
    }
  }
  if (out.root_chain && !root_known && !root_handled) {
    const ExceptionChain& root = chains[*out.root_chain];
    bool has_type = std::any_of(root.exceptions.begin(), root.exceptions.end(),
                                [](const PythonException& ex) { return !ex.type.empty(); });
    if (has_type) {
      out.unrecognized_root = true;
      out.unrecognized_score = kUnrecognizedScore;
    }
  }

  // The exit status: torchrun's root-cause worker, else the last status a line states.
  for (const auto& w : *input.workers) {
    if (w.root_cause && w.exitcode) {
      out.exit = describe_exit(*w.exitcode);
      out.exit->line = w.line;
      out.exit->rank = w.rank;
    }
  }
  if (!out.exit) {
    for (auto it = scan.markers.rbegin(); it != scan.markers.rend(); ++it) {
      if (it->kind != MarkerKind::kExitStatus) continue;
      if (auto code = exit_code_in(it->text)) {
        out.exit = describe_exit(*code);
        out.exit->line = it->line;
        out.exit->rank = it->rank;
        break;
      }
    }
  }

  // How the run ended. A normal end after every error means those errors were not fatal.
  std::optional<std::uint64_t> finished_line;
  std::string finished_text;
  for (const MarkerHit& m : scan.markers) {
    if (m.kind == MarkerKind::kFinished) {
      finished_line = m.line;
      finished_text = m.text;
    }
  }
  if (auto k = finished_tail_line(scan.tail)) {
    if (!finished_line || scan.tail[*k].number > *finished_line) {
      finished_line = scan.tail[*k].number;
      finished_text = scan.tail[*k].text;
    }
  }
  std::uint64_t last_traceback = 0;
  for (const auto& chain : chains) last_traceback = std::max(last_traceback, chain.last_line());
  bool finished = finished_line && *finished_line > last_traceback;

  std::vector<RankedEntry> list;
  for (auto& [e, r] : ranked) {
    const ErrorEntry& entry = kb.entries[e];
    if (finished && !in(kMatterWhenFinished, entry.id)) {
      // Printed (or raised and handled) during a run that then finished normally: not fatal.
      const EntryHits& hits = scan.entries[e];
      std::uint64_t last = hits.last ? hits.last->line : 0;
      for (auto l : r.exception_lines) last = std::max(last, l);
      if (last < *finished_line) continue;
    }
    list.push_back(r);
  }
  std::stable_sort(list.begin(), list.end(), [&](const RankedEntry& a, const RankedEntry& b) {
    if (a.score != b.score) return a.score > b.score;
    // Same score: the one seen first (the earlier failure).
    auto first = [&](const RankedEntry& r) {
      const EntryHits& h = scan.entries[r.entry];
      std::uint64_t l = h.hits.empty() ? UINT64_MAX : h.hits.front().line;
      for (auto x : r.exception_lines) l = std::min(l, x);
      return l;
    };
    return first(a) < first(b);
  });
  out.ranked = std::move(list);
  if (finished && out.unrecognized_root) out.unrecognized_root = false;

  bool any = !out.ranked.empty() || out.unrecognized_root;
  if (any) {
    bool killed = !out.ranked.empty() && in(kKills, kb.entries[out.ranked.front().entry].id) &&
                  !(out.unrecognized_root && out.unrecognized_score > out.ranked.front().score);
    out.ended.state = killed ? "killed" : "failed";
    if (out.exit) {
      out.ended.line = out.exit->line;
      out.ended.detail = fmt::format("exit status {}{}: {}", out.exit->code,
                                     out.exit->signal.empty() ? "" : " (" + out.exit->signal + ")", out.exit->meaning);
    } else {
      out.ended.detail = killed ? "the process was killed" : "the run stopped with an error";
    }
    if (finished && out.ended.state == "failed") {
      out.ended.state = "finished";
      out.ended.line = finished_line;
      out.ended.text = finished_text;
      out.ended.detail = "the run went on to the end, but with the error above";
    }
    return out;
  }
  if (finished) {
    out.ended = {"finished", finished_line, finished_text, "the run finished normally"};
  } else if (out.exit && out.exit->code != 0) {
    out.ended = {"failed", out.exit->line, "", fmt::format("exit status {}: {}", out.exit->code, out.exit->meaning)};
  } else if (!scan.tail.empty()) {
    const LogLine& last = scan.tail.back();
    if (!scan.ends_with_newline) {
      out.ended = {"running_or_truncated", last.number, last.text,
                   "the log stops in the middle of a line: the run is still going, or the log was cut off"};
    } else if (is_progress_line(last.text)) {
      out.ended = {"running_or_truncated", last.number, last.text,
                   "the log ends with a progress line: the run is still going, was killed without a message, or the "
                   "log was cut off"};
    } else {
      out.ended = {"unknown", last.number, last.text, "the log does not say how the run ended"};
    }
  } else {
    out.ended = {"unknown", std::nullopt, "", "the log is empty"};
  }
  return out;
}

}  // namespace trainctl::errors
