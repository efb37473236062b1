// libFuzzer target for what `trainctl explain` reads from untrusted logs and configs: the windowed
// reader, line normalisation (ANSI, carriage returns, rank prefixes), the traceback and torchrun
// summary parsers, and the line-based config reader. Any input must come back as lines and
// structures that stay inside it, never a crash, hang or leak. Any violation aborts.
// Seeds: the knowledge base's example lines and the string literals of tests/errors/*_test.cc.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "errors/config_text.h"
#include "errors/log_line.h"
#include "errors/log_reader.h"
#include "errors/traceback.h"

namespace {

using namespace trainctl::errors;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);

  // Windows of a size that depends on the input, so that chunk boundaries fall everywhere.
  std::size_t window = 16 + (size ? data[0] : 0);
  LogReader reader = LogReader::from_text(input, window);
  std::vector<LogLine> lines;
  std::string joined;
  std::uint64_t line = 1;
  std::string partial;
  while (true) {
    auto chunk = reader.next();
    check(chunk.ok());
    if (!*chunk) break;
    const LogChunk& c = **chunk;
    check(c.offset == joined.size());
    check(c.first_line == line);
    check(c.bytes.size() <= window);
    check(c.newlines == count_newlines(c.bytes));
    joined.append(c.bytes);
    line += c.newlines;
    // Lines as the scanner sees them: each complete line normalised.
    std::string_view rest = c.bytes;
    while (!rest.empty()) {
      std::size_t nl = rest.find('\n');
      partial.append(rest.substr(0, nl));
      if (nl == std::string_view::npos) break;
      NormalizedLine n = normalize_line(partial);
      check(n.text.size() <= partial.size());
      check(n.text.find('\n') == std::string::npos && n.text.find('\r') == std::string::npos);
      check(n.text.find('\x1b') == std::string::npos);
      check(n.rank >= -1);
      for (const auto& seg : normalize_segments(partial)) check(seg.text.size() <= partial.size());
      lines.push_back({lines.size() + 1, n.rank, std::move(n.text)});
      partial.clear();
      rest.remove_prefix(nl + 1);
    }
  }
  check(joined == input);
  check(strip_ansi(input).size() <= input.size());

  for (const auto& chain : parse_tracebacks(lines)) {
    check(!chain.exceptions.empty());
    for (const auto& ex : chain.exceptions) {
      check(ex.traceback_line >= 1 && ex.traceback_line <= lines.size());
      check(ex.line == 0 || (ex.line > ex.traceback_line && ex.line <= lines.size()));
      check(ex.frames.size() <= kMaxFrames);
      check(ex.message_lines.size() <= kMaxMessageLines);
      check(ex.message_lines.size() == ex.message_line_numbers.size());
      for (const auto& f : ex.frames) check(f.log_line > ex.traceback_line && f.log_line <= lines.size());
    }
  }
  for (const auto& w : parse_worker_failures(lines)) check(w.line >= 1 && w.line <= lines.size());

  for (const char* name : {"c.yaml", "c.json", "c.toml", "c.py"}) {
    ConfigText config = ConfigText::parse(input, name);
    for (const auto& v : config.values()) {
      check(v.begin <= v.end);
      check(v.text.size() == v.end - v.begin);
    }
    if (!config.values().empty()) {
      const ConfigValue& v = config.values().front();
      std::string edited = config.with({{v.line, v.begin, v.end, "8"}}, {{v.line, config.line_like(v, "k", "2")}});
      check(edited.size() <= input.size() + 64 + v.indent);
    }
  }
  return 0;
}
