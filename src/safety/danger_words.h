// A last line of defence for text the parser cannot read (a malformed line, a nested string that
// does not parse): whether it mentions any program or construct a deny rule is about. Used only
// to choose between `confirm` and `deny` for what cannot be understood.
#pragma once

#include <string>
#include <string_view>

namespace trainctl::safety {

// The first deny-worthy word found in `text` (e.g. "rm", "sudo", "/dev/sda"), or "".
std::string first_danger_word(std::string_view text);

}  // namespace trainctl::safety
