// Python names as a pickle gives them, made comparable: the Python 2 module and attribute names
// that Python 3's unpickler maps on load (fix_imports, e.g. __builtin__ → builtins, commands →
// subprocess), and the test for a plain dotted identifier.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace trainctl::checkpoint {

// (module, name) as Python 3 resolves it; unchanged when no mapping applies.
std::pair<std::string, std::string> python3_global(std::string_view module, std::string_view name);

// "a.b_c.D": ASCII identifiers joined by single dots. Anything else in a GLOBAL is a sign of a
// hand-made pickle.
bool is_dotted_identifier(std::string_view text);

}  // namespace trainctl::checkpoint
