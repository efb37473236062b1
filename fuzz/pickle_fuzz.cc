// libFuzzer target for the restricted pickle reader and the security scan: any input must end in
// a document or an error, never a crash, hang or leak; whatever reads must also render as JSON.
// Seeds: the pickles tests/checkpoint/fixtures/make_pickles.py writes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "checkpoint/pickle_json.h"
#include "checkpoint/pickle_reader.h"
#include "checkpoint/pickle_security.h"

namespace {

// Small limits so that the fuzzer explores limit paths instead of spending its time on big inputs.
trainctl::checkpoint::PickleLimits fuzz_limits() {
  trainctl::checkpoint::PickleLimits limits;
  limits.max_nodes = 100'000;
  limits.max_stack_entries = 100'000;
  limits.max_memo_entries = 100'000;
  limits.max_container_items = 1'000'000;
  limits.max_string_bytes = 1 << 20;
  limits.max_total_text_bytes = 8 << 20;
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trainctl::checkpoint;
  const std::span<const std::uint8_t> bytes(data, size);
  const PickleLimits limits = fuzz_limits();
  PickleReadAttempt attempt = read_pickle_partial(bytes, limits);
  SecurityVerdict verdict = judge_read(attempt, bytes, limits);
  // An unreadable pickle is never safe.
  if (attempt.error && verdict.verdict == Safety::kSafe) __builtin_trap();
  (void)verdict.to_json().dump();
  if (!attempt.error) {
    PickleJsonLimits shown;
    shown.max_values = 2000;
    (void)to_json(attempt.document, attempt.document.root(), shown).dump();
  }
  (void)scan_pickle(bytes, limits);
  return 0;
}
