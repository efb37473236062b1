// Whole-process wall time for benchmarks: start a program, wait for it, and take the median of
// many runs. Output goes to /dev/null so that terminal speed never enters the figure.
#pragma once

#include <string>
#include <vector>

namespace trainctl::bench {

struct Timing {
  std::vector<double> seconds;   // one per run, in run order
  int failures = 0;              // runs whose exit status was not the expected one
  double median() const;
  double min() const;
};

inline constexpr int kAnyExitStatus = -2;  // any exit status is fine; only a failure to start counts

// Runs argv `runs` times (after one unmeasured warm-up run); a run counts as failed when its exit
// status differs from expected_status.
Timing time_process(const std::vector<std::string>& argv, int runs, int expected_status);

}  // namespace trainctl::bench
