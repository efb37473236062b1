#include "core/text_table.h"

#include <gtest/gtest.h>

#include "core/terminal_style.h"

namespace trainctl::core {
namespace {

TEST(TextTable, AlignsColumnsAndTrimsTrailingSpace) {
  TextTable table({{"NAME"}, {"MEMORY", Align::kRight}, {"NOTE"}});
  table.add_row({"a100", "40 GiB", ""});
  table.add_row({"h100-sxm", "80 GiB", "busy"});
  EXPECT_EQ(table.render(),
            "NAME      MEMORY  NOTE\n"
            "a100      40 GiB\n"
            "h100-sxm  80 GiB  busy\n");
}

TEST(TextTable, PadsShortRowsAndIndents) {
  TextTable table({{"A"}, {"B"}});
  table.add_row({"x"});
  EXPECT_EQ(table.render("  "), "  A  B\n  x\n");
}

TEST(TextTable, ColourAndUtf8DoNotBreakAlignment) {
  TerminalStyle style(true);
  TextTable table({{"T"}, {"X"}});
  table.add_row({style.red("85°C"), "1"});
  table.add_row({"100°C", "2"});
  std::string out = table.render();
  EXPECT_NE(out.find("\x1b[31m85°C\x1b[0m   1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("100°C  2\n"), std::string::npos) << out;
}

TEST(DisplayWidth, CountsCodePointsNotEscapes) {
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("°C"), 2u);
  EXPECT_EQ(display_width("\x1b[1;31mred\x1b[0m"), 3u);
}

}  // namespace
}  // namespace trainctl::core
