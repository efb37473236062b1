#include <signal.h>

#include <gtest/gtest.h>

#include "exec/interrupt_ladder.h"

namespace trainctl::exec {
namespace {

using namespace std::chrono_literals;

TEST(InterruptLadder, EscalatesWithinTheWindowAndStartsOverAfterIt) {
  InterruptLadder ladder;
  auto t = InterruptLadder::Clock::time_point{} + 100s;
  EXPECT_EQ(ladder.next(t), SIGINT);
  EXPECT_EQ(ladder.next(t + 1500ms), SIGTERM);
  EXPECT_EQ(ladder.next(t + 3000ms), SIGKILL);
  EXPECT_EQ(ladder.next(t + 3100ms), SIGKILL);
  EXPECT_EQ(ladder.next(t + 10s), SIGINT);     // quiet for longer than the window
  EXPECT_EQ(ladder.next(t + 12500ms), SIGINT);  // 2.5 s later: not a second press
}

}  // namespace
}  // namespace trainctl::exec
