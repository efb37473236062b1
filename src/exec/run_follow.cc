#include "exec/run_follow.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "exec/interrupt_ladder.h"
#include "exec/log_follow.h"
#include "exec/process_identity.h"

namespace trainctl::exec {
namespace {

// A signal handler can only reach the loop through a descriptor it writes to: this is the one
// piece of process-wide state here, set only while a run is followed.
int g_interrupt_pipe = -1;

extern "C" void on_interrupt(int) {
  int saved = errno;
  if (g_interrupt_pipe >= 0) {
    char byte = 1;
    (void)!::write(g_interrupt_pipe, &byte, 1);
  }
  errno = saved;
}

class InterruptForwarding {
 public:
  InterruptForwarding() {
    if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) return;
    g_interrupt_pipe = pipe_[1];
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, &previous_);
  }
  ~InterruptForwarding() {
    if (pipe_[0] < 0) return;
    ::sigaction(SIGINT, &previous_, nullptr);
    g_interrupt_pipe = -1;
    ::close(pipe_[0]);
    ::close(pipe_[1]);
  }
  InterruptForwarding(const InterruptForwarding&) = delete;
  InterruptForwarding& operator=(const InterruptForwarding&) = delete;

  int fd() const { return pipe_[0]; }
  // How many interrupts arrived since the last call.
  int take() {
    int n = 0;
    char buffer[64];
    ssize_t got;
    while ((got = ::read(pipe_[0], buffer, sizeof buffer)) > 0) n += static_cast<int>(got);
    return n;
  }

 private:
  int pipe_[2] = {-1, -1};
  struct sigaction previous_ {};
};

}  // namespace

core::Result<int> follow_started_run(const LaunchedRun& run, int out_fd) {
  auto follower = LogFollower::open(run.record.log);
  if (!follower) return follower.error();
  InterruptForwarding interrupts;
  InterruptLadder ladder;
  int status = -1;
  bool done = false;
  while (!done) {
    auto copied = follower->pump(out_fd);
    if (!copied) return copied.error();
    // Polled on a timer (see log_follow.h): soon while output flows, a little later when quiet.
    pollfd fds[2] = {{run.end_fd, POLLIN, 0}, {interrupts.fd(), POLLIN, 0}};
    int timeout = static_cast<int>((*copied > 0 ? kFollowBatch : kFollowIdle).count());
    int ready = ::poll(fds, 2, timeout);
    if (ready < 0 && errno != EINTR) break;
    if (fds[1].revents & POLLIN) {
      for (int n = interrupts.take(); n > 0; --n) ::kill(-run.pid, ladder.next(InterruptLadder::Clock::now()));
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      // The reaper writes the run's status once the end is recorded; EOF alone means it died.
      int code = -1;
      ssize_t got;
      while ((got = ::read(run.end_fd, &code, sizeof code)) < 0 && errno == EINTR) {
      }
      if (got == static_cast<ssize_t>(sizeof code)) status = code;
      done = true;
    }
  }
  if (auto copied = follower->pump(out_fd); !copied) return copied.error();
  if (status < 0) {
    return core::Error::failure(fmt::format("trainctl lost track of run {} (its reaper ended without recording the end); "
                                            "trainctl runs show {} tells what is known",
                                            run.record.id, run.record.id));
  }
  return status;
}

core::Status copy_run_log(const RunRecord& record, int out_fd, bool follow) {
  auto follower = LogFollower::open(record.log);
  if (!follower) return follower.error();
  if (auto copied = follower->pump(out_fd); !copied) return copied.error();
  if (!follow) return core::Ok{};
  auto alive = [&record] {
    return (record.reaper_pid && same_process_alive(*record.reaper_pid, record.reaper_start)) ||
           (record.pid && process_group_alive(*record.pid) && same_process_alive(*record.pid, record.pid_start));
  };
  if (record.status != RunStatus::kRunning) return core::Ok{};
  for (int polls = 0; polls % kLivenessEvery != 0 || alive(); ++polls) {
    ::poll(nullptr, 0, static_cast<int>(kFollowIdle.count()));
    if (auto copied = follower->pump(out_fd); !copied) return copied.error();
  }
  if (auto copied = follower->pump(out_fd); !copied) return copied.error();
  return core::Ok{};
}

}  // namespace trainctl::exec
