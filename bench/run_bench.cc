// Issue 6's benchmark: what `trainctl run --yes` costs a command. A child printing 1,000,000
// lines, run directly and through trainctl (its output to the run's log file, followed by
// trainctl to stdout), interleaved; prints both medians and the ratio (target <= 1.05). Also
// the start-up cost: `true` directly and through trainctl (target: under 5 ms added).
// Both children print through Python with -u (unbuffered, as trainctl runs Python training) and
// through `seq` (block-buffered). Output goes to /dev/null in both cases.
//
// Usage: bench_run [--runs N] [--lines N] [--trainctl PATH]   (runs default 5)
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "process_timer.h"

namespace fs = std::filesystem;
using trainctl::bench::time_process;
using trainctl::bench::Timing;

namespace {

struct Pair {
  std::vector<double> direct, through;
  int failures = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Interleaved, so machine load falls on both sides alike.
Pair compare(const std::vector<std::string>& child, const std::string& trainctl, const std::string& project, int runs) {
  std::vector<std::string> via = {trainctl, "run", "--yes", "--project", project, "--"};
  via.insert(via.end(), child.begin(), child.end());
  Pair p;
  for (int i = 0; i < runs; ++i) {
    Timing d = time_process(child, 1, 0);
    Timing t = time_process(via, 1, 0);
    p.direct.push_back(d.seconds.front());
    p.through.push_back(t.seconds.front());
    p.failures += d.failures + t.failures;
  }
  return p;
}

void report(const char* what, const Pair& p, bool as_ms_added) {
  double d = median(p.direct), t = median(p.through);
  if (as_ms_added) {
    std::printf("%-34s direct %8.2f ms   trainctl run %8.2f ms   added %6.2f ms%s\n", what, d * 1e3, t * 1e3,
                (t - d) * 1e3, p.failures ? "   (FAILURES)" : "");
  } else {
    std::printf("%-34s direct %8.3f s    trainctl run %8.3f s    ratio %.3f%s\n", what, d, t, d > 0 ? t / d : 0,
                p.failures ? "   (FAILURES)" : "");
  }
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  long lines = 1'000'000;
  std::string trainctl = TRAINCTL_BINARY;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--lines")) lines = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--trainctl")) trainctl = argv[i + 1];
  }
  std::string pattern = (fs::temp_directory_path() / "trainctl-bench-run-XXXXXX").string();
  std::string project = ::mkdtemp(pattern.data());
  std::printf("bench_run: %d interleaved runs each, medians; records in %s/.trainctl\n", runs, project.c_str());

  std::string count = std::to_string(lines);
  std::string code = "for i in range(" + count + "): print('step', i, 'loss 1.0')";
  report(("python -u: " + count + " lines").c_str(), compare({"/usr/bin/python3", "-u", "-c", code}, trainctl, project, runs),
         false);
  // For scale: the same child writing to a file, and to a pipe with a reader (as to a terminal).
  std::vector<double> to_file, to_pipe;
  for (int i = 0; i < runs; ++i) {
    to_file.push_back(
        time_process({"sh", "-c", "/usr/bin/python3 -u -c \"" + code + "\" > " + project + "/direct.log"}, 1, 0).seconds.front());
    to_pipe.push_back(time_process({"sh", "-c", "/usr/bin/python3 -u -c \"" + code + "\" | cat"}, 1, 0).seconds.front());
  }
  std::printf("%-34s to a file %6.3f s   to a pipe read by cat %6.3f s\n", "  the same child, directly:", median(to_file),
              median(to_pipe));
  report(("seq: " + count + " lines").c_str(), compare({"seq", count}, trainctl, project, runs * 4), false);
  report("start-up: true", compare({"true"}, trainctl, project, runs * 8), true);
  std::error_code ec;
  fs::remove_all(project, ec);
  return 0;
}
