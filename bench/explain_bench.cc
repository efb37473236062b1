// `trainctl explain` on a 1 GB multi-rank training log with one error at the end, against
// `grep -c -E -f PATTERNS` given the same knowledge-base patterns (converted to GNU ERE). Both run
// as separate processes on the same file, warm in the page cache, in this one run; prints both
// times, the ratio and each one's peak resident memory (ru_maxrss from wait4).
//   bench_explain [--gigabytes N] [--runs N] [--keep]     (the log goes to /tmp and is removed)
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "errors/knowledge_base.h"

extern char** environ;  // NOLINT: the benchmarked programs get our environment unchanged.

namespace {

using trainctl::errors::ErrorEntry;

struct Run {
  double seconds = 0;
  long max_rss_kb = 0;
  int status = -1;
};

// Runs argv with stdout to `out` (or /dev/null), stderr to /dev/null; times it and reads its rusage.
Run run_process(const std::vector<std::string>& argv, const std::string& out = "/dev/null") {
  std::vector<std::string> copy = argv;
  std::vector<char*> args;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(fd, 1);
    ::dup2(null, 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  Run run;
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.max_rss_kb = usage.ru_maxrss;
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

// A knowledge-base regex (the RE2/Hyperscan subset) as GNU grep -E reads it: (?: groups become
// plain groups, lazy quantifiers greedy, \d [0-9], escapes inside brackets POSIX classes, and
// case-insensitive patterns spell out both cases of each letter (grep has one -i for all).
std::string to_grep_ere(const std::string& rx, bool nocase) {
  auto both = [](char c) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      return fmt::format("[{}{}]", static_cast<char>(std::tolower(c)), static_cast<char>(std::toupper(c)));
    }
    return std::string(1, c);
  };
  const std::string meta = ".[]()*+?{}|^$\\";
  std::string out;
  for (std::size_t i = 0; i < rx.size(); ++i) {
    char c = rx[i];
    if (c == '(' && rx.compare(i, 3, "(?:") == 0) {
      out += '(';
      i += 2;
      continue;
    }
    if (c == '(' && rx.compare(i, 4, "(?i)") == 0) {
      i += 3;
      continue;
    }
    if ((c == '?' || c == '+') && i > 0 && (rx[i - 1] == '*' || rx[i - 1] == '+' || rx[i - 1] == '?' || rx[i - 1] == '}') &&
        (i < 2 || rx[i - 2] != '\\')) {
      if (c == '?') continue;  // lazy: grep has only greedy, which matches the same lines
    }
    if (c == '\\' && i + 1 < rx.size()) {
      char e = rx[++i];
      if (e == 'd') out += "[0-9]";
      else if (e == 'D') out += "[^0-9]";
      else if (e == 'n' || e == 't') out += e == 't' ? "\t" : "";
      else if (std::strchr("sSwWbB", e)) out += std::string("\\") + e;
      else if (meta.find(e) != std::string::npos) out += std::string("\\") + e;
      else out += nocase ? both(e) : std::string(1, e);
      continue;
    }
    if (c == '[') {
      // A bracket expression: rebuild it with POSIX classes for the escapes.
      std::size_t j = i + 1;
      bool negated = j < rx.size() && rx[j] == '^';
      if (negated) ++j;
      std::string items;
      bool close_bracket = false, dash = false;
      if (j < rx.size() && rx[j] == ']') {
        close_bracket = true;
        ++j;
      }
      for (; j < rx.size() && rx[j] != ']'; ++j) {
        char d = rx[j];
        if (d == '\\' && j + 1 < rx.size()) {
          char e = rx[++j];
          if (e == 'd') items += "0-9";
          else if (e == 's') items += "[:space:]";
          else if (e == 'w') items += "[:alnum:]_";
          else if (e == 'n' || e == 'S' || e == 'W' || e == 'D') continue;
          else if (e == 't') items += '\t';
          else if (e == ']') close_bracket = true;
          else if (e == '-') dash = true;
          else items += e;
          continue;
        }
        if (nocase && std::isalpha(static_cast<unsigned char>(d)) &&
            !(j + 1 < rx.size() && rx[j + 1] == '-') && !(j > 0 && rx[j - 1] == '-')) {
          items += static_cast<char>(std::tolower(d));
          items += static_cast<char>(std::toupper(d));
        } else {
          items += d;
        }
      }
      i = j;
      if (items.empty() && !close_bracket && !dash) {
        out += negated ? "." : "";  // [^\n]: any character of a line
        continue;
      }
      out += std::string("[") + (negated ? "^" : "") + (close_bracket ? "]" : "") + items + (dash ? "-" : "") + "]";
      continue;
    }
    out += nocase ? both(c) : std::string(1, c);
  }
  return out;
}

// The log: eight ranks of progress lines, tqdm redraws, NCCL INFO and warnings, then rank 5 runs
// out of memory and the others time out, as a 1 GB torchrun log would end.
void write_log(const std::string& path, std::uint64_t bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  std::vector<char> buffer(1 << 20);
  std::setvbuf(f, buffer.data(), _IOFBF, buffer.size());
  std::uint64_t written = 0;
  char line[512];
  for (std::uint64_t step = 1; written < bytes; ++step) {
    for (int r = 0; r < 8; ++r) {
      int n = std::snprintf(line, sizeof line,
                            "[rank%d]:step %llu/2000000 | loss %.4f | lr %.1e | grad_norm %.3f | %d ms/step | tok/s %d\n",
                            r, static_cast<unsigned long long>(step), 2.0 + 1.0 / static_cast<double>(step % 977 + 1),
                            3e-4, 0.5 + static_cast<double>(step % 13) / 10, 400 + static_cast<int>(step % 37), 41000 + r);
      written += std::fwrite(line, 1, static_cast<std::size_t>(n), f);
    }
    if (step % 50 == 0) {
      int n = std::snprintf(line, sizeof line,
                            "[rank0]:{'loss': %.4f, 'grad_norm': 0.8123, 'learning_rate': 1.9e-05, 'epoch': %.2f}\n"
                            "Epoch 1:  %llu%%|#####     | %llu/2000000 [01:02<01:10, 18.9it/s]\r"
                            "Epoch 1:  %llu%%|#####     | %llu/2000000 [01:02<01:10, 18.9it/s, loss=2.31]\n",
                            1.3 + 1.0 / static_cast<double>(step), static_cast<double>(step) / 1e5,
                            static_cast<unsigned long long>(step % 100), static_cast<unsigned long long>(step),
                            static_cast<unsigned long long>(step % 100), static_cast<unsigned long long>(step));
      written += std::fwrite(line, 1, static_cast<std::size_t>(n), f);
    }
    if (step % 997 == 0) {
      const char* extra =
          "gpu-node17:2233:2290 [3] NCCL INFO Channel 00/0 : 3[3] -> 4[4] via P2P/IPC/read\n"
          "[rank2]:/usr/lib/python3/dist-packages/torch/utils/checkpoint.py:429: UserWarning: torch.utils.checkpoint: "
          "please pass in use_reentrant=True or use_reentrant=False explicitly.\n"
          "[rank0]:saving checkpoint to runs/oom_sweep/step_1000.pt (error: 0.0123)\n";
      written += std::fwrite(extra, 1, std::strlen(extra), f);
    }
  }
  const char* end =
      "[rank5]:Traceback (most recent call last):\n"
      "[rank5]:  File \"/home/alice/llm/train.py\", line 118, in train_step\n"
      "[rank5]:    logits = model(input_ids).logits\n"
      "[rank5]:torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 5 has a total capacity of "
      "79.14 GiB of which 1.21 GiB is free.\n"
      "[rank0]:[E321 02:07:08.408271257 ProcessGroupNCCL.cpp:607] [Rank 0] Watchdog caught collective operation timeout: "
      "WorkNCCL(SeqNum=1580, OpType=ALLREDUCE, NumelIn=466119168, NumelOut=466119168, Timeout(ms)=600000) ran for "
      "600060 milliseconds before timing out.\n"
      "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: \n";
  std::fwrite(end, 1, std::strlen(end), f);
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  double gigabytes = 1.0;
  int runs = 1;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--gigabytes" && i + 1 < argc) gigabytes = std::stod(argv[++i]);
    else if (a == "--runs" && i + 1 < argc) runs = std::stoi(argv[++i]);
    else if (a == "--keep") keep = true;
  }
  auto kb = trainctl::errors::load_knowledge_base({});
  if (!kb) {
    std::fprintf(stderr, "%s\n", kb.error().message.c_str());
    return 1;
  }
  std::string dir = fmt::format("/tmp/trainctl-explain-bench-{}", ::getpid());
  std::string log = dir + "/train.log", patterns = dir + "/patterns.ere";
  ::mkdir(dir.c_str(), 0755);
  std::size_t count = 0;
  {
    std::ofstream out(patterns);
    for (const ErrorEntry& e : kb->entries) {
      for (const auto& p : e.patterns) {
        out << to_grep_ere(p, false) << "\n";
        ++count;
      }
      for (const auto& p : e.patterns_nocase) {
        out << to_grep_ere(p, true) << "\n";
        ++count;
      }
    }
  }
  auto bytes = static_cast<std::uint64_t>(gigabytes * 1e9);
  std::printf("writing a %.2f GB multi-rank log to %s ...\n", gigabytes, log.c_str());
  write_log(log, bytes);

  // Check that grep accepts every converted pattern, and warm the page cache for both.
  Run check = run_process({"grep", "-c", "-E", "-f", patterns, "/dev/null"});
  if (check.status > 1) {
    std::fprintf(stderr, "grep rejects the converted patterns (%s)\n", patterns.c_str());
    return 1;
  }
  run_process({"cat", log});
  run_process({TRAINCTL_BINARY, "explain", "--json", log});  // compiles and caches the pattern database

  Run best_grep, best_trainctl;
  best_grep.seconds = best_trainctl.seconds = 1e9;
  std::string grep_count, finding;
  for (int i = 0; i < runs; ++i) {
    Run g = run_process({"grep", "-c", "-E", "-f", patterns, log}, dir + "/grep.out");
    Run t = run_process({TRAINCTL_BINARY, "explain", "--json", log}, dir + "/explain.json");
    if (g.seconds < best_grep.seconds) best_grep = g;
    if (t.seconds < best_trainctl.seconds) best_trainctl = t;
  }
  std::ifstream(dir + "/grep.out") >> grep_count;
  std::ifstream explain_out(dir + "/explain.json");
  for (std::string line; std::getline(explain_out, line);) {
    if (finding.empty() && line.find("\"id\": ") != std::string::npos) {
      finding = line.substr(line.find(':') + 2);
      while (!finding.empty() && (finding.back() == ',' || finding.back() == '"')) finding.pop_back();
      if (!finding.empty() && finding.front() == '"') finding.erase(0, 1);
    }
  }
  std::printf("log: %.2f GB, %zu knowledge-base patterns (grep -E -f gets the same, converted to ERE)\n", gigabytes, count);
  std::printf("grep -c -E -f PATTERNS   %7.2f s   %6.1f MB resident   %s matching lines\n", best_grep.seconds,
              static_cast<double>(best_grep.max_rss_kb) / 1024, grep_count.c_str());
  std::printf("trainctl explain --json  %7.2f s   %6.1f MB resident   first finding %s (exit %d)\n",
              best_trainctl.seconds, static_cast<double>(best_trainctl.max_rss_kb) / 1024, finding.c_str(),
              best_trainctl.status);
  std::printf("ratio: trainctl explain is %.1fx faster than grep (%d run%s each, best)\n",
              best_grep.seconds / best_trainctl.seconds, runs, runs == 1 ? "" : "s");
  if (!keep) {
    std::remove(log.c_str());
    std::remove(patterns.c_str());
    std::remove((dir + "/grep.out").c_str());
    std::remove((dir + "/explain.json").c_str());
    ::rmdir(dir.c_str());
  }
  return best_trainctl.status == 0 ? 0 : 1;
}
