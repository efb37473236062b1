// libFuzzer target for the whole command-safety guard: parse, evaluate (sh -c strings, aliases,
// wrappers, here-documents), judge. Any input must produce a verdict without crashing, hanging or
// tripping a sanitizer, and a line that parses must never be judged `allow` while the guard also
// names a deny reason for it (the verdict is the strictest reason).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "safety/command_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const trainctl::safety::CheckOptions options = [] {
    trainctl::safety::CheckOptions o;
    o.project_root = "/nonexistent-trainctl-fuzz-project";
    o.home = "/home/user";
    return o;
  }();
  std::string_view line(reinterpret_cast<const char*>(data), size);
  trainctl::safety::CommandCheck check = trainctl::safety::check_command(line, options);
  for (const auto& reason : check.reasons) {
    if (reason.verdict > check.verdict) std::abort();
    if (reason.span.begin > reason.span.end || reason.span.end > size) std::abort();
  }
  return 0;
}
