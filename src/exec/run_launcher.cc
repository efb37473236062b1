#include "exec/run_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "core/subprocess.h"
#include "exec/process_identity.h"
#include "exec/run_facts.h"
#include "exec/run_store.h"

namespace trainctl::exec {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Writes all of text to fd; used after fork, where only plain system calls are safe.
void write_all(int fd, const char* text, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, text, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text += n;
    size -= static_cast<std::size_t>(n);
  }
}

void reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2}) {
    ::signal(s, SIG_DFL);
  }
}

// Everything the training child needs, built before fork so the child only makes system calls.
struct ExecImage {
  std::string program;
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  std::vector<char*> argv_ptrs;
  std::vector<char*> envp_ptrs;
  std::string failure_prefix;

  void seal() {
    for (auto& a : argv) argv_ptrs.push_back(a.data());
    argv_ptrs.push_back(nullptr);
    for (auto& e : envp) envp_ptrs.push_back(e.data());
    envp_ptrs.push_back(nullptr);
  }
};

[[noreturn]] void become_training(const ExecImage& image, const std::string& cwd, int log_fd) {
  ::setpgid(0, 0);
  reset_signals();
  ::dup2(log_fd, STDOUT_FILENO);
  ::dup2(log_fd, STDERR_FILENO);
  if (log_fd > STDERR_FILENO) ::close(log_fd);
  if (::chdir(cwd.c_str()) != 0 ||
      (::execve(image.program.c_str(), image.argv_ptrs.data(), image.envp_ptrs.data()), true)) {
    const char* why = std::strerror(errno);
    write_all(STDERR_FILENO, image.failure_prefix.data(), image.failure_prefix.size());
    write_all(STDERR_FILENO, why, std::strlen(why));
    write_all(STDERR_FILENO, "\n", 1);
  }
  ::_exit(127);
}

// The reaper: runs in its own session, starts the training, waits for it, records the end.
[[noreturn]] void reap(const ExecImage& image, const RunRecord& record, const LaunchOptions& options, int report_fd) {
  ::setsid();
  reset_signals();
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(null_fd, STDERR_FILENO);
    if (null_fd > STDERR_FILENO) ::close(null_fd);
  }
  int log_fd = ::open(record.log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    int failed = -1;
    write_all(report_fd, reinterpret_cast<const char*>(&failed), sizeof failed);
    ::_exit(127);
  }
  pid_t child = ::fork();
  if (child == 0) {
    ::close(report_fd);
    // The log descriptor must survive exec: dup2 onto stdout/stderr clears close-on-exec.
    become_training(image, record.cwd, log_fd);
  }
  int reported = child > 0 ? static_cast<int>(child) : -1;
  if (child > 0) ::setpgid(child, child);  // also here, so the group exists before anyone signals it
  // trainctl may have gone (SIGKILL, --detach): writing the end to it must not kill the reaper.
  ::signal(SIGPIPE, SIG_IGN);
  write_all(report_fd, reinterpret_cast<const char*>(&reported), sizeof reported);
  auto note = [&](const std::string& line) { write_all(log_fd, line.data(), line.size()); };
  if (child < 0) {
    note(fmt::format("trainctl: cannot start the run: {}\n", std::strerror(errno)));
    ::_exit(127);
  }

  auto store = RunStore::open(options.project_dir);
  if (store) {
    auto s = store->set_process(record.id, child, process_start_ticks(child), static_cast<int>(::getpid()),
                                process_start_ticks(static_cast<int>(::getpid())));
    if (!s) note(fmt::format("trainctl: {}\n", s.error().message));
  } else {
    note(fmt::format("trainctl: {}\n", store.error().message));
  }
  // The git probes run beside the training, not before it or after it: they would delay its
  // start or the moment its end is known (bounded by kGitTimeout either way).
  RunRecord facts = record;
  std::thread git([&facts, &options] { add_git_facts(facts, options.guard, options.env); });

  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  RunEnd end;
  end.ended_at_ms = now_ms();
  if (WIFSIGNALED(status)) {
    end.signal = WTERMSIG(status);
  } else {
    end.exit_code = WEXITSTATUS(status);
  }
  end.checkpoints = checkpoints_written(record.cwd, record.started_at_ms);
  bool stop_requested = false;
  if (store) {
    if (auto current = store->get(record.id)) stop_requested = current->stop_requested;
  }
  end.status = ended_status(end.exit_code, end.signal, stop_requested);
  // The database may have failed to open above; a second try here is cheap and the end matters.
  if (!store) store = RunStore::open(options.project_dir);
  if (!store) {
    note(fmt::format("trainctl: could not record the end of the run: {}\n", store.error().message));
  } else if (auto f = store->finish(record.id, end); !f) {
    note(fmt::format("trainctl: could not record the end of the run: {}\n", f.error().message));
  }
  int code = end.signal ? 128 + *end.signal : *end.exit_code;
  // The end is recorded: trainctl may return now. The git facts follow (bounded by kGitTimeout).
  write_all(report_fd, reinterpret_cast<const char*>(&code), sizeof code);
  ::close(report_fd);
  git.join();
  if (store) {
    if (auto f = store->set_facts(facts); !f) note(fmt::format("trainctl: {}\n", f.error().message));
  }
  ::_exit(code > 255 ? 255 : code);
}

}  // namespace

core::Result<LaunchedRun> launch_run(const safety::ApprovedCommand& command, const LaunchOptions& options) {
  const auto& argv = command.argv();
  ExecImage image;
  image.argv = argv;
  if (argv[0].find('/') == std::string::npos) {
    auto found = core::find_on_path(argv[0], options.env.get("PATH").value_or("/usr/bin:/bin"));
    if (!found) {
      return core::Error::not_found(fmt::format("cannot run `{}`: {} is not on PATH", command.check().line, argv[0]));
    }
    image.program = *found;
  } else {
    image.program = argv[0];  // relative paths are from the run's folder (the child changes there first)
  }
  core::EnvironmentVars env = options.env;
  env.set("PYTHONUNBUFFERED", "1");
  for (const auto& [name, value] : env.all()) image.envp.push_back(name + "=" + value);
  image.failure_prefix = fmt::format("trainctl: cannot run {}: ", argv[0]);
  image.seal();

  RunRecord record;
  record.kind = options.kind;
  record.argv = argv;
  record.cwd = command.cwd();
  record.env = relevant_environment(options.env);
  record.host = host_name();
  record.started_at_ms = now_ms();
  record.config_path = config_in_argv(argv, record.cwd);
  if (record.config_path) record.config_hash = file_hash(*record.config_path);
  // Until the reaper records itself, this process stands for the run: if it dies before the
  // reaper starts, the next reconciliation marks the run lost instead of running forever.
  record.reaper_pid = static_cast<int>(::getpid());
  record.reaper_start = process_start_ticks(static_cast<int>(::getpid()));
  {
    // The connection is closed before fork: SQLite connections must not cross a fork.
    auto store = RunStore::open(options.project_dir);
    if (!store) return store.error();
    if (auto s = store->insert(record); !s) return s.error();
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(record.log).parent_path(), ec);
  int log_fd = ::open(record.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return core::Error::failure(fmt::format("cannot create {}: {}", record.log, std::strerror(errno)));
  ::close(log_fd);

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return core::Error::failure(fmt::format("pipe: {}", std::strerror(errno)));
  pid_t reaper = ::fork();
  if (reaper < 0) {
    ::close(report[0]);
    ::close(report[1]);
    return core::Error::failure(fmt::format("cannot start the run: {}", std::strerror(errno)));
  }
  if (reaper == 0) {
    ::close(report[0]);
    reap(image, record, options, report[1]);
  }
  ::close(report[1]);
  int pid = -1;
  ssize_t got = 0;
  while ((got = ::read(report[0], &pid, sizeof pid)) < 0 && errno == EINTR) {
  }
  if (got != static_cast<ssize_t>(sizeof pid) || pid <= 0) {
    ::close(report[0]);
    int ignored = 0;
    ::waitpid(reaper, &ignored, 0);
    if (auto store = RunStore::open(options.project_dir)) {
      RunEnd end;
      end.ended_at_ms = now_ms();
      end.exit_code = 127;
      end.status = RunStatus::kFailed;
      (void)store->finish(record.id, end);
    }
    return core::Error::failure(fmt::format("cannot start the run (see {})", record.log));
  }
  // With --detach this process exits at once, maybe before the reaper records itself: the record
  // must name live processes from then on. (Otherwise this process stands for the run until then.)
  auto pid_start = process_start_ticks(pid);
  auto reaper_start = process_start_ticks(static_cast<int>(reaper));
  if (options.detach) {
    if (auto store = RunStore::open(options.project_dir)) {
      (void)store->set_process(record.id, pid, pid_start, static_cast<int>(reaper), reaper_start);
    }
  }
  record.pid_start = pid_start;
  record.reaper_pid = static_cast<int>(reaper);
  record.reaper_start = reaper_start;
  LaunchedRun launched;
  launched.record = std::move(record);
  launched.record.pid = pid;
  launched.pid = pid;
  launched.reaper_pid = static_cast<int>(reaper);
  launched.end_fd = report[0];
  return launched;
}

}  // namespace trainctl::exec
