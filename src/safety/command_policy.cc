#include "safety/command_policy.h"

#include <algorithm>

#include <fmt/format.h>

#include "safety/command_unwrap.h"
#include "safety/interpreter_code.h"
#include "safety/policy_judge.h"
#include "safety/policy_rules.h"

namespace trainctl::safety {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool is_under(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && starts_with(path, dir) && path[dir.size()] == '/');
}

const std::string kEmpty;

// Programs whose output, run as code, means code from the network or a hidden payload.
bool fetches_or_decodes(const std::string& program) {
  static const std::set<std::string, std::less<>> kPrograms = {
      "curl", "wget", "fetch", "aria2c", "http", "https", "httpie", "nc", "ncat", "netcat", "socat", "ssh", "scp",
      "base64", "base32", "basenc", "xxd", "openssl", "gpg", "uudecode", "gunzip", "zcat", "gzip", "bzip2",
      "bzcat", "xz", "xzcat", "unxz", "zstd", "rev", "tr", "python", "python3", "perl", "ruby", "node", "lynx",
      "links", "w3m", "aws", "gsutil", "gcloud", "rclone", "huggingface-cli", "hf", "git", "(unknown program)"};
  return kPrograms.count(program) > 0 || starts_with(program, "python");
}

}  // namespace

// ---- ParsedArgs --------------------------------------------------------------------------------

bool ParsedArgs::has(std::string_view long_name, char short_letter) const {
  for (const auto& o : options) {
    if (!long_name.empty() && (o == long_name || starts_with(o, std::string(long_name) + "="))) return true;
    if (short_letter && o.size() >= 2 && o[0] == '-' && o[1] != '-' && o.find(short_letter, 1) != std::string::npos) {
      return true;
    }
  }
  return false;
}

const ArgValue* ParsedArgs::value(std::initializer_list<std::string_view> names) const {
  for (auto n : names) {
    if (auto it = values.find(std::string(n)); it != values.end()) return it->second;
  }
  return nullptr;
}

std::string ParsedArgs::text_value(std::initializer_list<std::string_view> names) const {
  for (auto n : names) {
    if (auto it = values.find(std::string(n)); it != values.end()) return it->second->known() ? it->second->text() : "";
    for (const auto& o : options) {
      if (starts_with(o, std::string(n) + "=")) return o.substr(n.size() + 1);
    }
  }
  return "";
}

// ---- Judge -------------------------------------------------------------------------------------

Judge::Judge(const EvaluatedCommand& c, int index, const PolicyContext& context, LineState& line_state,
             std::vector<Reason>& out)
    : command(c), program(c.program()), line(line_state), index_(index), context_(context), out_(out) {}

void Judge::add(std::string_view rule, std::string message, Span span) {
  const PolicyRule* r = find_policy_rule(rule);
  Reason reason;
  reason.rule = std::string(rule);
  reason.verdict = r ? r->verdict : Verdict::kDeny;
  if (!command.via.empty()) message += fmt::format(" (run through {})", command.via);
  reason.message = std::move(message);
  reason.span = span;
  reason.command = index_;
  out_.push_back(std::move(reason));
}

const std::string& Judge::arg(std::size_t i) const {
  if (i >= command.argv.size() || !command.argv[i].known()) return kEmpty;
  return command.argv[i].text();
}

bool Judge::all_known(std::size_t first) const {
  for (std::size_t i = first; i < command.argv.size(); ++i) {
    if (!command.argv[i].known()) return false;
  }
  return !command.appended_unknown_args;
}

ParsedArgs Judge::parse(std::size_t first, std::initializer_list<std::string_view> with_value, bool options_anywhere) const {
  ParsedArgs p;
  bool only_operands = false;
  for (std::size_t i = first; i < command.argv.size(); ++i) {
    const ArgValue& a = command.argv[i];
    if (!a.known()) {
      if (a.may_split) p.unknown_options = true;
      p.operands.push_back(&a);
      continue;
    }
    const std::string& t = a.text();
    if (!only_operands && t == "--") {
      only_operands = true;
      continue;
    }
    if (!only_operands && t.size() > 1 && t[0] == '-') {
      p.options.push_back(t);
      if (t.find('=') == std::string::npos &&
          std::find(with_value.begin(), with_value.end(), std::string_view(t)) != with_value.end() &&
          i + 1 < command.argv.size()) {
        p.values[t] = &command.argv[i + 1];
        ++i;
      }
      continue;
    }
    p.operands.push_back(&a);
    if (!options_anywhere) only_operands = true;
  }
  return p;
}

std::vector<PlacedPath> Judge::place(const ArgValue& arg, bool follow_last) const {
  std::vector<PlacedPath> out;
  const ProjectPaths& paths = *context_.paths;
  auto finish = [&](PlacedPath& p) {
    const std::string& home = context_.home;
    static const char* kCredentials[] = {"/.ssh", "/.aws", "/.netrc", "/.gnupg", "/.config/gcloud", "/.kube",
                                         "/.docker/config.json", "/.cache/huggingface/token", "/.huggingface/token",
                                         "/.git-credentials", "/.pypirc", "/.config/gh", "/.npmrc", "/.azure",
                                         "/.config/hub", "/.wandb", "/.netrc.gpg", "/.config/rclone"};
    static const char* kHistory[] = {"/.bash_history", "/.zsh_history", "/.python_history", "/.histfile",
                                     "/.local/share/fish/fish_history", "/.sh_history", "/.lesshst", "/.viminfo"};
    for (const std::string& base : {home, std::string("/root")}) {
      if (base.empty()) continue;
      for (const char* c : kCredentials) p.credential = p.credential || is_under(p.resolved, base + c);
      for (const char* h : kHistory) p.history = p.history || is_under(p.resolved, base + h);
    }
    // /etc/passwd is world-readable; writing it is denied anyway, as a system path.
    for (const char* system : {"/etc/shadow", "/etc/sudoers", "/etc/gshadow", "/etc/ssh/ssh_host"}) {
      p.credential = p.credential || is_under(p.resolved, system);
    }
    if (p.resolved.find("/.ssh/") != std::string::npos || p.resolved.find("/authorized_keys") != std::string::npos) {
      p.credential = true;
    }
  };
  if (command.cwd_unknown) {
    // Relative paths mean nothing when the directory is unknown.
    bool absolute = arg.known() && !arg.text().empty() && arg.text()[0] == '/';
    if (!absolute) {
      PlacedPath p;
      p.unknown = true;
      p.place = PathPlace::kInsideProject;
      p.shown = arg.display;
      out.push_back(p);
      return out;
    }
  }
  if (!arg.known() && !arg.within.empty()) {
    // find -exec {}: some path under each start point.
    for (const auto& start : arg.within) {
      PlacedPath p;
      p.shown = start + "/...";
      p.glob = true;
      p.filtered = arg.within_filtered;
      p.glob_everything = !arg.within_filtered;
      PathJudgement j = paths.judge(command.cwd, start, true);
      p.glob_dir_resolved = j.place == PathPlace::kProjectRoot ? paths.root() : j.resolved;
      p.resolved = j.resolved + "/...";
      p.place = j.place == PathPlace::kProjectRoot ? PathPlace::kInsideProject : j.place;
      p.left_through_symlink = j.left_through_symlink;
      finish(p);
      out.push_back(p);
    }
    return out;
  }
  if (!arg.known()) {
    PlacedPath p;
    p.unknown = true;
    p.place = PathPlace::kInsideProject;  // until a known prefix shows it is outside
    p.shown = arg.display;
    // A prefix that already leaves the project settles it: /etc/$X is outside whatever X is.
    const std::string& prefix = arg.known_prefix;
    if (!prefix.empty() && (prefix[0] == '/' || prefix[0] == '~')) {
      std::string dir = prefix.substr(0, prefix.rfind('/') + 1);
      if (!dir.empty()) {
        PathJudgement j = paths.judge(command.cwd, dir, true);
        if (j.place == PathPlace::kOutside || j.place == PathPlace::kDevice) {
          p.place = j.place;
          p.resolved = j.resolved;
        }
      }
    }
    out.push_back(p);
    return out;
  }
  for (const std::string& value : arg.values) {
    PlacedPath p;
    p.shown = value;
    std::string path = value;
    if (auto link = line.links.find(lexically_absolute(command.cwd, path)); link != line.links.end()) {
      path = lexically_absolute(command.cwd, link->second);  // a link made earlier in this line
    }
    if (arg.glob) {
      p.glob = true;
      std::size_t first_glob = path.find_first_of("*?[");
      std::size_t slash = first_glob == std::string::npos ? std::string::npos : path.rfind('/', first_glob);
      std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
      std::string last = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
      p.glob_everything = last == "*" || last == ".*" || last == "*.*" || last == "**" || last == ".??*" ||
                          last == "[!.]*" || last == "*/" || path.back() == '/';
      if (slash != std::string::npos && path.find('/', first_glob) != std::string::npos) p.glob_everything = true;
      PathJudgement j = paths.judge(command.cwd, dir, true);
      p.glob_dir_resolved = j.resolved;
      p.resolved = (j.resolved == "/" ? "" : j.resolved) + "/" + last;
      p.place = j.place == PathPlace::kProjectRoot ? PathPlace::kInsideProject : j.place;
      if (j.place == PathPlace::kProjectRoot) p.glob_dir_resolved = paths.root();
      p.left_through_symlink = j.left_through_symlink;
      finish(p);
      out.push_back(p);
      continue;
    }
    PathJudgement j = paths.judge(command.cwd, path, follow_last);
    p.place = j.place;
    p.resolved = j.resolved;
    p.left_through_symlink = j.left_through_symlink;
    finish(p);
    out.push_back(p);
  }
  return out;
}

void Judge::unknown_argument(const ArgValue& arg, std::string_view what) {
  add("unknown-destructive-argument",
      fmt::format("{} '{}' is only known when the command runs; it could be any path or option", what, arg.display),
      arg.span);
}

namespace {
std::string where(const PlacedPath& p) {
  if (p.left_through_symlink) return fmt::format("{} (a symlink that leads out of the project, to {})", p.shown, p.resolved);
  if (p.shown != p.resolved && !p.resolved.empty()) return fmt::format("{} ({})", p.shown, p.resolved);
  return p.shown;
}
}  // namespace

void Judge::judge_write_target(const ArgValue& a, std::string_view verb, std::string_view outside_rule,
                               bool follow_last, bool sink_ok) {
  for (const PlacedPath& p : place(a, follow_last)) {
    if (p.unknown && p.place != PathPlace::kOutside && p.place != PathPlace::kDevice) {
      unknown_argument(a, fmt::format("{} target", verb));
      continue;
    }
    switch (p.place) {
      case PathPlace::kNullDevice:
        if (!sink_ok) add(outside_rule, fmt::format("{} {}: the file is destroyed", verb, p.shown), a.span);
        break;
      case PathPlace::kDevice:
        if (starts_with(p.resolved, "/dev/tcp/") || starts_with(p.resolved, "/dev/udp/")) {
          add("reverse-shell", fmt::format("{} a network socket {}", verb, p.shown), a.span);
        } else {
          add("device-write", fmt::format("{} the device {}", verb, p.shown), a.span);
        }
        break;
      case PathPlace::kOutside:
        if (p.credential) add("credential-tampering", fmt::format("{} {}, which holds credentials", verb, where(p)), a.span);
        else if (p.history) add("history-tampering", fmt::format("{} the shell history {}", verb, where(p)), a.span);
        else if (starts_with(p.resolved, "/proc/sysrq-trigger")) add("power-state", fmt::format("{} {}", verb, p.shown), a.span);
        else add(outside_rule, fmt::format("{} {}, outside the project", verb, where(p)), a.span);
        break;
      case PathPlace::kTrainctlDir:
        add("trainctl-output", fmt::format("{} {} under .trainctl/", verb, p.shown), a.span);
        break;
      case PathPlace::kProjectRoot:
      case PathPlace::kInsideProject:
        add("write-in-project", fmt::format("{} {} in the project", verb, p.shown), a.span);
        break;
    }
  }
}

void Judge::judge_delete_target(const ArgValue& a, std::string_view verb, bool recursive, bool named_filter) {
  for (const PlacedPath& p : place(a, /*follow_last=*/false)) {
    if (p.unknown && p.place != PathPlace::kOutside && p.place != PathPlace::kDevice) {
      unknown_argument(a, fmt::format("the path to {}", verb));
      continue;
    }
    switch (p.place) {
      case PathPlace::kNullDevice:
      case PathPlace::kDevice:
        add("device-write", fmt::format("{} the device {}", verb, p.shown), a.span);
        break;
      case PathPlace::kOutside:
        if (p.credential) add("credential-tampering", fmt::format("{} {}, which holds credentials", verb, where(p)), a.span);
        else if (p.history) add("history-tampering", fmt::format("{} the shell history {}", verb, where(p)), a.span);
        else add("delete-outside-project", fmt::format("{} {}, outside the project", verb, where(p)), a.span);
        break;
      case PathPlace::kProjectRoot:
        if (named_filter) {
          add("delete-in-project", fmt::format("{} the project ({}), only what the filter matches", verb, p.shown), a.span);
        } else {
          add("recursive-delete-unnamed", fmt::format("{} the project folder itself ({})", verb, p.shown), a.span);
        }
        break;
      case PathPlace::kTrainctlDir:
      case PathPlace::kInsideProject:
        if (p.glob && p.glob_everything && p.glob_dir_resolved == context_.paths->root() && !named_filter && !p.filtered) {
          add("recursive-delete-unnamed",
              fmt::format("{} '{}' matches everything in the project folder", verb, p.shown), a.span);
        } else if (recursive && p.glob && p.glob_dir_resolved == context_.paths->root() && !named_filter && !p.filtered) {
          add("recursive-delete-unnamed",
              fmt::format("{} '{}' recursively: a pattern at the top of the project, not a named folder", verb, p.shown),
              a.span);
        } else {
          add("delete-in-project", fmt::format("{} {}{}", verb, p.shown, recursive ? " and everything in it" : ""), a.span);
        }
        break;
    }
  }
}

// ---- CommandPolicy -----------------------------------------------------------------------------

namespace {

void judge_redirects(Judge& j) {
  for (const auto& r : j.command.redirects) {
    bool output = r.op == ">" || r.op == ">>" || r.op == ">|" || r.op == "&>" || r.op == "&>>" || r.op == "<>";
    if ((r.op == ">&" || r.op == "<&") && !(r.target.known() && !r.target.text().empty() &&
                                            (std::isdigit(static_cast<unsigned char>(r.target.text()[0])) ||
                                             r.target.text() == "-"))) {
      output = r.op == ">&";
    }
    if (r.op == "<" || r.op == "<&") {
      if (r.target.known() && (starts_with(r.target.text(), "/dev/tcp/") || starts_with(r.target.text(), "/dev/udp/"))) {
        j.add("reverse-shell", fmt::format("reads from a network socket {}", r.target.text()), r.span);
      }
      continue;
    }
    if (!output) continue;
    std::string verb = r.op == ">>" || r.op == "&>>" ? "appends to" : "writes (truncating) to";
    // Redirection targets made by formatters ($(date +%F)) cannot contain a path escape.
    ArgValue target = r.target;
    target.span = r.span;  // reasons point at the whole redirection: ">> ~/.bashrc"
    if (target.unknown && !target.produced_by.empty() && !target.may_split) {
      static const std::set<std::string, std::less<>> kFormatters = {"date", "hostname", "whoami", "id", "uname",
                                                                      "nproc", "basename"};
      bool formatted = std::all_of(target.produced_by.begin(), target.produced_by.end(),
                                   [](const std::string& p) { return kFormatters.count(p) > 0; });
      if (formatted && !target.known_prefix.empty()) {
        target.unknown = false;
        target.values = {target.known_prefix + "X"};
      }
    }
    j.judge_write_target(target, verb, "redirect-outside-project");
  }
}

void judge_assignments(Judge& j) {
  for (const auto& [name, value] : j.command.assignments) {
    if (name == "HISTFILE" || name == "HISTSIZE" || name == "HISTFILESIZE" || name == "HISTCONTROL" ||
        name == "HISTIGNORE") {
      j.add("history-tampering", fmt::format("sets {}, which controls what shell history keeps", name), value.span);
    } else if (name == "PROMPT_COMMAND" || name == "BASH_ENV" || name == "ENV" || name == "LD_PRELOAD" ||
               name == "LD_AUDIT" || name == "PS4" || name == "PYTHONSTARTUP" || name == "PERL5OPT" ||
               name == "NODE_OPTIONS" || name == "GIT_SSH_COMMAND" || name == "GIT_EXTERNAL_DIFF" ||
               name == "PAGER" || name == "EDITOR" || name == "GIT_PAGER" || name == "SHELLOPTS") {
      j.add("unknown-code", fmt::format("sets {}, which makes programs run code of its value", name), value.span);
    } else if (name == "PATH" || name == "PYTHONPATH" || name == "LD_LIBRARY_PATH") {
      if (!j.command.argv.empty()) continue;  // for one command: its own business
      j.add("shell-state", fmt::format("sets {} for the commands after it", name), value.span);
    } else if (j.command.argv.empty()) {
      j.add("shell-state", fmt::format("sets the shell variable {}", name), value.span);
    }
  }
}

// The code a shell or interpreter runs, when trainctl could not read it or judged it inline.
void judge_code(Judge& j) {
  const CodeInput& code = j.command.code;
  if (!code.present) return;
  if (!code.known) {
    std::vector<std::string> risky;
    for (const auto& p : code.producers) {
      if (fetches_or_decodes(p) && std::find(risky.begin(), risky.end(), p) == risky.end()) risky.push_back(p);
    }
    if (!risky.empty()) {
      j.add("download-and-execute",
            fmt::format("{} runs code produced by {} ({}) without anyone reading it", j.program.empty() ? "it" : j.program,
                        risky.front(), code.source),
            code.span);
    } else {
      j.add("unknown-code",
            fmt::format("{} runs {} code that is only known when the command runs ({})",
                        j.program.empty() ? "it" : j.program, code.language.empty() ? "shell" : code.language,
                        code.source.empty() ? "input" : code.source),
            code.span);
    }
    return;
  }
  if (code.language == "shell") return;  // its commands were found and are judged one by one
  CodeJudgement judgement = judge_interpreter_code(code.language, code.text);
  j.add(judgement.rule, judgement.message, code.span);
}

// A shell given -c code or code on stdin adds nothing itself (the code's commands are judged);
// running a script file of the project, or an interactive shell, is the user's decision.
void judge_shell_itself(Judge& j) {
  const auto& argv = j.command.argv;
  if (j.program == "eval") return;
  if (j.program == "source" || j.program == ".") {
    j.add("script-execution", fmt::format("runs the shell file {} in the current shell",
                                          argv.size() > 1 ? argv[1].display : std::string("(none)")));
    return;
  }
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = j.arg(i);
    if (a.size() > 1 && a[0] == '-' && a[1] != '-' && a.find('c') != std::string::npos) return;  // -c code
    if (a == "-o" || a == "+o" || a == "-O" || a == "+O") {
      ++i;
      continue;
    }
    if (!a.empty() && a[0] != '-' && a[0] != '+') {
      j.add("script-execution", fmt::format("runs the shell script {}", argv[i].display), argv[i].span);
      return;
    }
  }
  bool has_input = !j.command.stdin_producers.empty();
  for (const auto& r : j.command.redirects) has_input = has_input || r.op == "<" || r.op == "<<" || r.op == "<<-" || r.op == "<<<";
  if (!has_input) j.add("script-execution", fmt::format("starts an interactive {}", j.program));
}

}  // namespace

std::vector<Reason> CommandPolicy::finish() const {
  std::vector<Reason> reasons;
  if (line_.secret_read && line_.network) {
    const PolicyRule* rule = find_policy_rule("credential-tampering");
    reasons.push_back({"credential-tampering", rule->verdict,
                       "reads a credential file in a line that also talks to the network: the secret could leave the "
                       "machine",
                       line_.secret_span, -1});
  }
  return reasons;
}

namespace {

// Files a download earlier in the line saved, for `curl -o x.sh ... && sh x.sh`.
void record_downloads(const Judge& j, LineState& line) {
  const auto& argv = j.command.argv;
  if (j.program != "curl" && j.program != "wget") return;
  auto save = [&](const std::string& path) { line.downloads.insert(lexically_absolute(j.command.cwd, path)); };
  std::string directory = ".";
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = j.arg(i);
    if ((a == "-P" || a == "--directory-prefix" || a == "--output-dir") && i + 1 < argv.size()) directory = j.arg(i + 1);
  }
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = j.arg(i);
    if ((a == "-o" || a == "--output" || (a == "-O" && j.program == "wget") || a == "--output-document") &&
        i + 1 < argv.size()) {
      save(j.arg(i + 1));
      ++i;
    } else if (starts_with(a, "--output-document=")) {
      save(a.substr(18));
    } else if (starts_with(a, "http://") || starts_with(a, "https://") || starts_with(a, "ftp://")) {
      // wget (and curl -O) name the file after the URL's last component.
      std::string name = a.substr(a.find("://") + 3);
      name = name.substr(0, name.find_first_of("?#"));
      std::size_t slash = name.rfind('/');
      if (slash != std::string::npos && slash + 1 < name.size()) save(directory + "/" + name.substr(slash + 1));
    }
  }
}

// The file a command runs as a program or script, if any: ./x, sh x, python x, source x.
std::string executed_file(const Judge& j) {
  const auto& argv = j.command.argv;
  if (argv[0].text().find('/') != std::string::npos) return argv[0].text();
  bool runner = is_shell_program(j.program) || is_interpreter_program(j.program) || j.program == "source" ||
                j.program == "." || j.program == "torchrun" || j.program == "accelerate" || j.program == "deepspeed";
  if (!runner) return "";
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = j.arg(i);
    if (a.empty()) return "";
    if (a == "-c" || a == "-m" || a == "-e") return "";
    if (a[0] == '-' || a == "launch") continue;
    return a;
  }
  return "";
}

}  // namespace

std::vector<Reason> CommandPolicy::judge(const EvaluatedCommand& command, int index) {
  std::vector<Reason> reasons;
  Judge j(command, index, context_, line_, reasons);
  if (!command.argv.empty() && command.argv[0].known()) {
    std::string file = executed_file(j);
    if (!file.empty() && line_.downloads.count(lexically_absolute(command.cwd, file))) {
      j.add("download-and-execute", fmt::format("runs {}, which this line just downloaded", file));
    }
  }
  judge_redirects(j);
  judge_assignments(j);
  if (command.argv.empty()) return reasons;
  if (!command.argv[0].known()) {
    j.add("unknown-command-name",
          fmt::format("the program to run, '{}', is only known when the command runs", command.argv[0].display),
          command.argv[0].span);
    return reasons;
  }
  judge_code(j);
  if (command.code.present && command.code.language != "shell") {
    // Inline code was judged; the interpreter's own options rarely matter beyond it, except
    // in-place editing (perl -i, sed -i) which the file-operation rules read.
    if (j.program != "sed" && j.program != "perl" && j.program != "gsed") return reasons;
  }
  bool known = judge_file_operation(j) || judge_git(j) || judge_packages(j) || judge_processes_and_system(j) ||
               judge_network(j) || judge_gpu_and_jobs(j) || judge_read_only(j);
  record_downloads(j, line_);
  if (!known && !command.code.present) {
    if (is_shell_program(j.program) || j.program == "eval" || j.program == "source" || j.program == ".") {
      judge_shell_itself(j);
    } else if (command.argv[0].text().find('/') != std::string::npos) {
      j.add("script-execution", fmt::format("runs the program {}", command.argv[0].text()), command.argv[0].span);
    } else {
      j.add("unknown-program", fmt::format("'{}' is not a program trainctl knows; its effects cannot be judged", j.program),
            command.argv[0].span);
    }
  } else if (!known && command.code.present && command.code.language == "shell" && command.code.known) {
    // sh -c 'known code': the shell itself adds nothing.
  }
  if (command.under_privilege && reasons.empty()) {
    // Nothing else to say about the command itself; the privilege rule is on sudo's own entry.
  }
  return reasons;
}

}  // namespace trainctl::safety
