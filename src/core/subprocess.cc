#include "core/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

namespace trainctl::core {
namespace {

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Closes what it owns, so that every early return below leaks nothing.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

struct SpawnGuards {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attr{};
  SpawnGuards() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  SpawnGuards(const SpawnGuards&) = delete;
  SpawnGuards& operator=(const SpawnGuards&) = delete;
  ~SpawnGuards() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

std::optional<std::string> find_on_path(const std::string& name, const std::string& path_var) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    return is_executable_file(name) ? std::optional<std::string>(name) : std::nullopt;
  }
  std::size_t start = 0;
  while (start <= path_var.size()) {
    std::size_t end = path_var.find(':', start);
    if (end == std::string::npos) end = path_var.size();
    std::string dir = path_var.substr(start, end - start);
    if (dir.empty()) dir = ".";  // an empty PATH entry means the current directory
    std::string candidate = dir + "/" + name;
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

Result<SubprocessResult> run_subprocess(const SubprocessOptions& options) {
  if (options.argv.empty()) return Error::usage("run_subprocess: empty argv");
  auto program = find_on_path(options.argv[0], options.env.get("PATH").value_or("/usr/bin:/bin"));
  if (!program) {
    return Error::not_found(fmt::format("'{}' was not found on PATH", options.argv[0]));
  }

  std::array<int, 2> out_pipe{-1, -1};
  std::array<int, 2> err_pipe{-1, -1};
  if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0) {
    return Error::failure(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  }
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (::pipe2(err_pipe.data(), O_CLOEXEC) != 0) {
    return Error::failure(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  }
  Fd err_read(err_pipe[0]), err_write(err_pipe[1]);

  SpawnGuards spawn;
  posix_spawn_file_actions_addopen(&spawn.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&spawn.actions, out_write.fd, 1);
  posix_spawn_file_actions_adddup2(&spawn.actions, err_write.fd, 2);
  if (options.cwd) posix_spawn_file_actions_addchdir_np(&spawn.actions, options.cwd->c_str());
  // Its own process group, so that a timeout kills what it started too (pyenv shims fork python).
  posix_spawnattr_setpgroup(&spawn.attr, 0);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  sigaddset(&default_signals, SIGINT);
  sigaddset(&default_signals, SIGTERM);
  posix_spawnattr_setsigdefault(&spawn.attr, &default_signals);
  posix_spawnattr_setflags(&spawn.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> env_strings;
  for (const auto& [key, value] : options.env.all()) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = options.argv;
  std::vector<char*> argv;
  for (auto& a : argv_copy) argv.push_back(a.data());
  argv.push_back(nullptr);

  const auto started = std::chrono::steady_clock::now();
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, program->c_str(), &spawn.actions, &spawn.attr, argv.data(), envp.data());
  if (rc != 0) {
    if (rc == ENOENT || rc == EACCES) {
      return Error::not_found(fmt::format("cannot execute '{}': {}", *program, std::strerror(rc)));
    }
    return Error::failure(fmt::format("cannot start '{}': {}", *program, std::strerror(rc)));
  }
  out_write.reset();
  err_write.reset();

  SubprocessResult result;
  const auto deadline = started + options.timeout;
  std::array<pollfd, 2> fds{pollfd{out_read.fd, POLLIN, 0}, pollfd{err_read.fd, POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  std::array<char, 65536> buffer{};
  int open_streams = 2;
  while (open_streams > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      ::kill(-pid, SIGKILL);
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        std::size_t room = options.max_output_bytes - std::min(options.max_output_bytes, sinks[i]->size());
        std::size_t take = std::min(room, static_cast<std::size_t>(n));
        sinks[i]->append(buffer.data(), take);
        if (take < static_cast<std::size_t>(n)) result.output_truncated = true;
      } else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        fds[i].fd = -1;
        --open_streams;
      }
    }
  }

  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  // A child that closed its pipes but lingers is covered by waitpid; one that left grandchildren
  // holding the pipes after a timeout is covered by the group kill above.
  if (WIFEXITED(wait_status)) result.exit_code = WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) result.signal = WTERMSIG(wait_status);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace trainctl::core
