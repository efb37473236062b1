// What Ctrl-C at trainctl's terminal sends to a followed run: the first goes to the run's process
// group as SIGINT, as the terminal would send it without trainctl; another within
// kInterruptWindow of the previous one escalates to SIGTERM, a third to SIGKILL. After a quiet
// kInterruptWindow the ladder starts again at SIGINT. Times are given, so it is tested without clocks.
#pragma once

#include <chrono>

namespace trainctl::exec {

inline constexpr std::chrono::milliseconds kInterruptWindow{2000};

class InterruptLadder {
 public:
  using Clock = std::chrono::steady_clock;
  // The signal to send for an interrupt at `now`.
  int next(Clock::time_point now);

 private:
  int presses_ = 0;
  Clock::time_point last_{};
};

}  // namespace trainctl::exec
