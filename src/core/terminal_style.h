// Colour for people's terminals: on only when the stream is a TTY, NO_COLOR is unset and TERM
// is not "dumb" (https://no-color.org). With colour off every helper returns its text unchanged.
#pragma once

#include <string>

#include "core/environment_vars.h"

namespace trainctl::core {

class TerminalStyle {
 public:
  explicit TerminalStyle(bool color) : color_(color) {}

  // Decides for the stream on file descriptor fd (1 for stdout).
  static TerminalStyle for_stream(int fd, const EnvironmentVars& env);
  static bool color_wanted(bool is_tty, const EnvironmentVars& env);

  bool color() const { return color_; }
  std::string bold(const std::string& s) const { return wrap("1", s); }
  std::string dim(const std::string& s) const { return wrap("2", s); }
  std::string red(const std::string& s) const { return wrap("31", s); }
  std::string green(const std::string& s) const { return wrap("32", s); }
  std::string yellow(const std::string& s) const { return wrap("33", s); }

 private:
  std::string wrap(const char* code, const std::string& s) const;
  bool color_;
};

}  // namespace trainctl::core
