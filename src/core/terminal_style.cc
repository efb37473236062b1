#include "core/terminal_style.h"

#include <unistd.h>

namespace trainctl::core {

bool TerminalStyle::color_wanted(bool is_tty, const EnvironmentVars& env) {
  if (!is_tty) return false;
  // no-color.org: set to anything non-empty disables colour.
  if (auto no_color = env.get("NO_COLOR"); no_color && !no_color->empty()) return false;
  if (env.get("TERM").value_or("") == "dumb") return false;
  return true;
}

TerminalStyle TerminalStyle::for_stream(int fd, const EnvironmentVars& env) {
  return TerminalStyle(color_wanted(::isatty(fd) == 1, env));
}

std::string TerminalStyle::wrap(const char* code, const std::string& s) const {
  if (!color_) return s;
  return std::string("\x1b[") + code + "m" + s + "\x1b[0m";
}

}  // namespace trainctl::core
