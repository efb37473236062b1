// Runs the built trainctl binary on a pseudo-terminal, as a person at a terminal would: stdin,
// stdout and stderr are the terminal, so trainctl asks its questions. The answers are typed
// ahead (the terminal keeps them until trainctl reads), and everything it writes is collected.
#pragma once

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace trainctl::testing {

struct PtyResult {
  int exit_code = -1;     // -1 when it did not end on its own within the timeout (it is killed)
  std::string output;     // stdout and stderr together, as the terminal showed them (with echo)
};

inline PtyResult run_in_pty(const std::vector<std::string>& args, const std::string& typed,
                            std::chrono::seconds timeout = std::chrono::seconds(60)) {
  std::vector<std::string> words = {TRAINCTL_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  PtyResult result;
  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) return result;
  if (pid == 0) {
    ::setenv("NO_COLOR", "1", 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (!typed.empty()) (void)!::write(master, typed.data(), typed.size());
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{master, POLLIN, 0};
    if (::poll(&pfd, 1, 100) <= 0) continue;
    ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO: the child closed the terminal's last descriptor
    result.output.append(buffer, static_cast<std::size_t>(n));
  }
  int status = 0;
  // The terminal reads EIO as soon as the child's descriptors close, which is a moment before it
  // becomes a zombie: wait a little for it before calling it hung.
  pid_t ended = 0;
  for (int i = 0; i < 200 && (ended = ::waitpid(pid, &status, WNOHANG)) == 0; ++i) ::usleep(10'000);
  if (ended == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  ::close(master);
  return result;
}

}  // namespace trainctl::testing
