#include "checkpoint/pickle_security.h"

#include <fmt/format.h>

#include "checkpoint/pickle_opcodes.h"
#include "checkpoint/pickle_text_codecs.h"

namespace trainctl::checkpoint {
namespace {

// Text that can go into JSON whatever bytes the damaged pickle holds.
std::string printable(std::string_view bytes) {
  return is_utf8_with_surrogates(bytes) ? replace_surrogates(bytes) : utf8_from_latin1(bytes);
}

// After a read error the stack is gone, so STACK_GLOBAL's operands are guessed as the two most
// recent string constants, which is how pickles write them unless they come from the memo.
void scan_after_error(std::span<const std::uint8_t> bytes, std::size_t offset, const PickleLimits& limits,
                      SecurityVerdict& verdict) {
  std::string previous, latest;
  bool have_two = false;
  int strings_seen = 0;
  while (offset < bytes.size()) {
    auto op = decode_opcode(bytes, offset, limits.max_string_bytes);
    if (!op) return;
    const std::uint8_t code = op->info->code;
    GlobalReference global;
    bool found = false;
    switch (code) {
      case 'X': case 0x8c: case 0x8d: case 'T': case 'U': case 'S': case 'V': {
        std::string_view text = op->data;
        if (code == 'S' && text.size() >= 2) text = text.substr(1, text.size() - 2);  // drop the quotes
        previous = std::move(latest);
        latest = printable(text);
        have_two = ++strings_seen >= 2;
        break;
      }
      case 'c': case 'i':
        global.module = printable(op->data);
        global.name = printable(op->data2);
        found = true;
        break;
      case 0x93:
        if (have_two) {
          global.module = previous;
          global.name = latest;
          found = true;
        }
        break;
      default:
        break;
    }
    if (found) {
      global.opcode = std::string(op->info->name);
      global.offset = offset;
      global.count = 1;
      GlobalFinding finding = judge_global(global);
      finding.after_read_error = true;
      // Only what raises the verdict matters past an error; the read is already "unknown".
      if (finding.safety == Safety::kDangerous) verdict.globals.push_back(std::move(finding));
    }
    offset += op->size;
    if (code == '.') return;
  }
}

}  // namespace

std::size_t SecurityVerdict::count(Safety safety) const {
  std::size_t n = 0;
  for (const GlobalFinding& finding : globals) n += finding.safety == safety;
  return n;
}

nlohmann::json SecurityVerdict::to_json() const {
  nlohmann::json out;
  out["verdict"] = safety_name(verdict);
  out["read_error"] = read_error ? nlohmann::json(*read_error) : nlohmann::json(nullptr);
  out["bytes_consumed"] = bytes_consumed;
  out["globals"] = nlohmann::json::array();
  for (const GlobalFinding& finding : globals) {
    const GlobalReference& g = finding.global;
    out["globals"].push_back({
        {"module", g.module},
        {"name", g.name},
        {"opcode", g.opcode},
        {"offset", g.offset},
        {"count", g.count},
        {"called", g.called},
        {"mutated", g.mutated},
        {"built_at_load_time", g.built_at_load_time},
        {"after_read_error", finding.after_read_error},
        {"safety", safety_name(finding.safety)},
        {"reason", finding.reason},
    });
  }
  return out;
}

GlobalFinding judge_global(const GlobalReference& global) {
  GlobalFinding finding;
  finding.global = global;
  if (global.built_at_load_time) {
    finding.safety = Safety::kDangerous;
    finding.reason = fmt::format(
        "STACK_GLOBAL at offset {} names a global from values computed at load time ({} / {}), so what "
        "it imports cannot be known without running the pickle",
        global.offset, global.module, global.name);
    return finding;
  }
  GlobalClassification classification = classify_global(global.module, global.name);
  finding.safety = classification.safety;
  finding.reason = std::move(classification.reason);
  if (global.mutated) {
    finding.safety = Safety::kDangerous;
    finding.reason = fmt::format("the pickle modifies {} itself (BUILD/SETITEM/APPEND on a global), which "
                                 "changes what later code runs; {}",
                                 global.qualified_name(), finding.reason);
  }
  return finding;
}

SecurityVerdict judge_read(const PickleReadAttempt& attempt, std::span<const std::uint8_t> bytes,
                           const PickleLimits& limits) {
  SecurityVerdict verdict;
  for (const GlobalReference& global : attempt.document.globals()) verdict.globals.push_back(judge_global(global));
  if (attempt.error) {
    verdict.read_error = attempt.error->message;
    scan_after_error(bytes, attempt.error_offset, limits, verdict);
  } else {
    verdict.bytes_consumed = attempt.document.bytes_consumed();
  }
  if (verdict.count(Safety::kDangerous) > 0) {
    verdict.verdict = Safety::kDangerous;
  } else if (verdict.read_error || verdict.count(Safety::kUnknown) > 0) {
    verdict.verdict = Safety::kUnknown;
  } else {
    verdict.verdict = Safety::kSafe;
  }
  return verdict;
}

SecurityVerdict scan_pickle(std::span<const std::uint8_t> bytes, const PickleLimits& limits) {
  return judge_read(read_pickle_partial(bytes, limits), bytes, limits);
}

}  // namespace trainctl::checkpoint
