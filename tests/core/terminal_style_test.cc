#include "core/terminal_style.h"

#include <gtest/gtest.h>

namespace trainctl::core {
namespace {

TEST(TerminalStyle, ColourOnlyOnATerminalWithoutNoColor) {
  auto env = EnvironmentVars::of({{"TERM", "xterm-256color"}});
  EXPECT_TRUE(TerminalStyle::color_wanted(true, env));
  EXPECT_FALSE(TerminalStyle::color_wanted(false, env));
  env.set("NO_COLOR", "1");
  EXPECT_FALSE(TerminalStyle::color_wanted(true, env));
  env.set("NO_COLOR", "");  // no-color.org: only a non-empty value disables colour
  EXPECT_TRUE(TerminalStyle::color_wanted(true, env));
  env.set("TERM", "dumb");
  EXPECT_FALSE(TerminalStyle::color_wanted(true, env));
}

TEST(TerminalStyle, PlainWhenOff) {
  TerminalStyle off(false);
  EXPECT_EQ(off.red("x"), "x");
  TerminalStyle on(true);
  EXPECT_EQ(on.red("x"), "\x1b[31mx\x1b[0m");
  EXPECT_EQ(on.bold("x"), "\x1b[1mx\x1b[0m");
}

}  // namespace
}  // namespace trainctl::core
