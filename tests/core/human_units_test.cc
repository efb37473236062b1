#include "core/human_units.h"

#include <gtest/gtest.h>

namespace trainctl::core {
namespace {

TEST(FormatBytes, UsesBinaryUnitsWithThreeSignificantDigits) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1.00 KiB");
  EXPECT_EQ(format_bytes(81559ULL * 1024 * 1024), "79.6 GiB");
  EXPECT_EQ(format_bytes(256ULL << 30), "256 GiB");
  EXPECT_EQ(format_bytes(3ULL << 40), "3.00 TiB");
}

TEST(FormatSeconds, PicksAReadableUnit) {
  EXPECT_EQ(format_seconds(0.085), "85 ms");
  EXPECT_EQ(format_seconds(1.44), "1.4 s");
  EXPECT_EQ(format_seconds(200), "3 min 20 s");
  EXPECT_EQ(format_seconds(7500), "2 h 05 min");
  EXPECT_EQ(format_seconds(-1), "0 ms");
}

}  // namespace
}  // namespace trainctl::core
