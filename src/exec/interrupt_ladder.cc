#include "exec/interrupt_ladder.h"

#include <signal.h>

namespace trainctl::exec {

int InterruptLadder::next(Clock::time_point now) {
  if (presses_ > 0 && now - last_ > kInterruptWindow) presses_ = 0;
  last_ = now;
  ++presses_;
  if (presses_ == 1) return SIGINT;
  if (presses_ == 2) return SIGTERM;
  return SIGKILL;
}

}  // namespace trainctl::exec
