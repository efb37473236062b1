#include "safety/command_unwrap.h"

#include <algorithm>
#include <set>
#include <string_view>

namespace trainctl::safety {
namespace {

using Args = std::vector<ArgValue>;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool in(std::string_view value, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

// The text of an argument for option parsing: unknown arguments read as "" so that they are
// never mistaken for a known option, and are then taken as operands (the worst case).
std::string opt(const Args& argv, std::size_t i) { return argv[i].known() ? argv[i].text() : std::string(); }

// Skips options starting at `i`. `with_value` lists options whose value is the next argument
// (or attached, for long options with '='). Returns the index of the first operand.
std::size_t skip_options(const Args& argv, std::size_t i, std::initializer_list<std::string_view> with_value,
                         bool stop_at_double_dash = true) {
  while (i < argv.size()) {
    std::string a = opt(argv, i);
    if (a == "--" && stop_at_double_dash) return i + 1;
    if (a.size() < 2 || a[0] != '-') return i;
    if (a.find('=') == std::string::npos && in(a, with_value)) {
      i += 2;
      continue;
    }
    ++i;
  }
  return i;
}

ArgValue join_args(const Args& argv, std::size_t from, std::size_t to) {
  ArgValue joined;
  if (from >= to) return joined;
  joined.span = {argv[from].span.begin, argv[to - 1].span.end};
  std::string text;
  for (std::size_t i = from; i < to; ++i) {
    if (i > from) text += ' ';
    text += argv[i].known() ? argv[i].text() : argv[i].display;
    joined.unknown = joined.unknown || !argv[i].known() || argv[i].values.size() > 1;
    joined.produced_by.insert(joined.produced_by.end(), argv[i].produced_by.begin(), argv[i].produced_by.end());
  }
  joined.display = text;
  if (!joined.unknown) joined.values = {text};
  return joined;
}

Args tail(const Args& argv, std::size_t from) {
  return from < argv.size() ? Args(argv.begin() + static_cast<std::ptrdiff_t>(from), argv.end()) : Args{};
}

void add_inner(Unwrapped& out, const Args& argv, std::size_t from, std::string via) {
  if (from >= argv.size()) return;
  InnerCommand inner;
  inner.argv = tail(argv, from);
  inner.via = std::move(via);
  out.commands.push_back(std::move(inner));
}

void add_shell_code(Unwrapped& out, ArgValue code, std::string via, bool joined = false) {
  ShellCode sc;
  sc.code = std::move(code);
  sc.via = std::move(via);
  sc.joined = joined;
  out.shell_code.push_back(std::move(sc));
}

// sh/bash/zsh... : -c STRING, a script file, or code on stdin.
void unwrap_shell(Unwrapped& out, const Args& argv, std::size_t first, const std::string& name) {
  bool has_c = false;
  std::size_t i = first;
  while (i < argv.size()) {
    std::string a = opt(argv, i);
    if (a == "--" || a == "-") {
      ++i;
      break;
    }
    if (a.size() < 2 || (a[0] != '-' && a[0] != '+')) break;
    if (in(a, {"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})) {
      i += 2;
      continue;
    }
    if (a[0] == '-' && a[1] != '-' && a.find('c') != std::string::npos) has_c = true;
    ++i;
  }
  if (has_c) {
    if (i < argv.size()) add_shell_code(out, argv[i], name + " -c");
    return;
  }
  if (i < argv.size()) {
    out.script_file = argv[i];
    return;
  }
  out.shell_reads_stdin = true;
}

// Interpreters: the inline code, or the code on stdin when there is no script.
void unwrap_interpreter(Unwrapped& out, const Args& argv, const std::string& language, const StdinInfo& stdin_info) {
  // Per language: the flags that take the code, and options whose value is the next argument.
  std::set<std::string> code_flags;
  std::set<std::string> value_options;
  bool combined_code_flag = false;  // -Bc / -ne: the code flag may end a group of short flags
  char code_letter = 0;
  if (language == "python") {
    code_flags = {"-c"};
    value_options = {"-W", "-X", "--check-hash-based-pycs"};
    combined_code_flag = true;
    code_letter = 'c';
  } else if (language == "perl" || language == "ruby") {
    code_flags = {"-e", "-E"};
    value_options = {"-I", "-r", "-M", "-m", "-F", "-C"};
    combined_code_flag = true;
    code_letter = 'e';
  } else if (language == "javascript") {
    code_flags = {"-e", "--eval", "-p", "--print"};
    value_options = {"-r", "--require", "--import", "--loader", "--input-type"};
  } else if (language == "php") {
    code_flags = {"-r"};
    value_options = {"-d", "-c", "-f"};
  } else {
    code_flags = {"-e"};
    value_options = {"-l"};
  }
  CodeInput code;
  code.language = language;
  bool module_or_script = false;
  std::size_t i = 1;
  while (i < argv.size()) {
    if (!argv[i].known()) {
      // An unknown argument where options go: it may be `-c CODE` itself.
      code.present = true;
      code.known = false;
      code.source = "an unknown argument";
      code.span = argv[i].span;
      code.producers = argv[i].produced_by;
      break;
    }
    std::string a = argv[i].text();
    if (a == "--") {
      ++i;
      module_or_script = i < argv.size();
      break;
    }
    if (a == "-") break;
    if (a.size() < 2 || a[0] != '-') {
      module_or_script = true;
      break;
    }
    if (language == "python" && (a == "-m" || starts_with(a, "-m"))) {
      module_or_script = true;
      break;
    }
    bool takes_code = code_flags.count(a) > 0;
    std::string attached;
    if (!takes_code && combined_code_flag && a[1] != '-') {
      std::size_t at = a.find(code_letter);
      if (at != std::string::npos && at + 1 == a.size()) {
        takes_code = true;
      } else if (at != std::string::npos && at == 1) {
        attached = a.substr(2);  // -cCODE / -eCODE
      }
    }
    if (!attached.empty()) {
      code.present = true;
      code.known = true;
      code.text += attached;
      code.source = a.substr(0, 2);
      code.span = argv[i].span;
      ++i;
      continue;
    }
    if (takes_code) {
      code.present = true;
      code.source = a;
      if (i + 1 < argv.size()) {
        const ArgValue& c = argv[i + 1];
        code.span = c.span;
        code.producers.insert(code.producers.end(), c.produced_by.begin(), c.produced_by.end());
        if (c.known() && c.values.size() == 1) {
          if (!code.text.empty()) code.text += '\n';
          code.text += c.text();
          code.known = true;
        } else {
          code.known = false;
          code.unknown_part = true;
        }
      }
      i += 2;
      if (language == "python" || language == "php") break;  // the rest are the program's own arguments
      continue;
    }
    if (value_options.count(a)) {
      i += 2;
      continue;
    }
    ++i;
  }
  if (code.unknown_part) code.known = false;
  if (code.present) {
    out.code = std::move(code);
    return;
  }
  if (module_or_script) return;
  if (stdin_info.present) {
    out.code.present = true;
    out.code.language = language;
    out.code.known = stdin_info.known;
    out.code.text = stdin_info.text;
    out.code.source = stdin_info.source;
    out.code.producers = stdin_info.producers;
  }
}

// awk and sed: the program is the first operand unless given with -f / -e.
void unwrap_text_program(Unwrapped& out, const Args& argv, const std::string& language) {
  CodeInput code;
  code.language = language;
  std::size_t i = 1;
  bool from_file = false;
  while (i < argv.size()) {
    std::string a = opt(argv, i);
    if (!argv[i].known()) break;
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    if (a == "-f" || a == "--file" || starts_with(a, "--file=")) {
      from_file = true;
      i += (a.find('=') == std::string::npos) ? 2 : 1;
      continue;
    }
    if (a == "-e" || a == "--expression" || a == "--source") {
      if (i + 1 < argv.size()) {
        code.present = true;
        code.span = argv[i + 1].span;
        if (argv[i + 1].known()) {
          code.text += (code.text.empty() ? "" : "\n") + argv[i + 1].text();
          code.known = true;
        } else {
          code.unknown_part = true;
        }
      }
      i += 2;
      continue;
    }
    if (starts_with(a, "--expression=")) {
      code.present = true;
      code.known = true;
      code.text += a.substr(13);
      ++i;
      continue;
    }
    if (in(a, {"-v", "-F", "-l", "-E", "-W", "--assign", "--field-separator"}) && language == "awk") {
      i += 2;
      continue;
    }
    ++i;
  }
  if (!code.present && !from_file && i < argv.size()) {
    code.present = true;
    code.span = argv[i].span;
    code.known = argv[i].known() && argv[i].values.size() == 1;
    if (code.known) code.text = argv[i].text();
    code.producers = argv[i].produced_by;
  }
  if (code.unknown_part) code.known = false;
  code.source = language == "awk" ? "program" : "script";
  if (code.present) out.code = std::move(code);
}

void unwrap_find(Unwrapped& out, const Args& argv) {
  // The start points (before the first expression word) and whether a filter narrows the matches.
  std::vector<std::string> starts;
  bool starts_known = true;
  bool filtered = false;
  std::size_t first_expr = 1;
  while (first_expr < argv.size()) {
    std::string a = opt(argv, first_expr);
    if (argv[first_expr].known() && (a.empty() || a[0] == '-' || a == "(" || a == "!")) break;
    if (!argv[first_expr].known() || argv[first_expr].values.size() != 1) starts_known = false;
    else starts.push_back(a);
    ++first_expr;
  }
  if (starts.empty() && starts_known) starts.push_back(".");
  for (std::size_t i = first_expr; i < argv.size(); ++i) {
    if (in(opt(argv, i), {"-name", "-iname", "-path", "-ipath", "-regex", "-iregex", "-wholename", "-iwholename",
                          "-newer", "-mtime", "-mmin", "-size", "-empty", "-user", "-perm", "-links"})) {
      filtered = true;
    }
  }
  for (std::size_t i = first_expr; i < argv.size(); ++i) {
    std::string a = opt(argv, i);
    if (!in(a, {"-exec", "-execdir", "-ok", "-okdir"})) continue;
    std::size_t end = i + 1;
    while (end < argv.size() && opt(argv, end) != ";" && opt(argv, end) != "+") ++end;
    InnerCommand inner;
    inner.via = "find " + a;
    for (std::size_t j = i + 1; j < end; ++j) {
      ArgValue arg = argv[j];
      if (arg.known() && arg.text().find("{}") != std::string::npos) {
        // Each path find visits: unknown here, and possibly anything under the start points.
        arg.unknown = true;
        arg.values.clear();
        arg.known_prefix = arg.display.substr(0, arg.display.find("{}"));
        if (starts_known && arg.display == "{}") {
          arg.within = starts;
          arg.within_filtered = filtered;
        }
      }
      inner.argv.push_back(std::move(arg));
    }
    if (!inner.argv.empty()) out.commands.push_back(std::move(inner));
    i = end;
  }
}

void unwrap_xargs(Unwrapped& out, const Args& argv) {
  std::string replace;
  std::size_t i = 1;
  while (i < argv.size()) {
    std::string a = opt(argv, i);
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    if (a == "-I") {
      if (i + 1 < argv.size()) replace = opt(argv, i + 1);
      i += 2;
      continue;
    }
    if (starts_with(a, "-I")) replace = a.substr(2);
    if (a == "-i" || starts_with(a, "--replace")) replace = "{}";
    if (in(a, {"-a", "-d", "-E", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--max-args", "--max-procs",
               "--max-chars", "--max-lines", "--process-slot-var"})) {
      i += 2;
      continue;
    }
    ++i;
  }
  InnerCommand inner;
  inner.via = "xargs";
  inner.appended_unknown_args = true;
  if (i >= argv.size()) {
    ArgValue echo;
    echo.values = {"echo"};
    echo.display = "echo";
    echo.span = argv[0].span;
    inner.argv.push_back(echo);
  }
  for (std::size_t j = i; j < argv.size(); ++j) {
    ArgValue arg = argv[j];
    if (!replace.empty() && arg.known() && arg.text().find(replace) != std::string::npos) {
      arg.unknown = true;
      arg.values.clear();
      arg.known_prefix = arg.display.substr(0, arg.display.find(replace));
    }
    inner.argv.push_back(std::move(arg));
  }
  out.commands.push_back(std::move(inner));
}

void unwrap_env(Unwrapped& out, const Args& argv) {
  InnerCommand inner;
  inner.via = "env";
  std::size_t i = 1;
  while (i < argv.size()) {
    std::string a = opt(argv, i);
    if (!argv[i].known()) break;
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "-S" || a == "--split-string" || starts_with(a, "--split-string=") || (starts_with(a, "-S") && a.size() > 2)) {
      ArgValue code;
      if (a == "-S" || a == "--split-string") {
        if (i + 1 < argv.size()) code = join_args(argv, i + 1, argv.size());
      } else {
        code = join_args(argv, i, argv.size());
        if (code.known()) code.values = {a.substr(a[1] == 'S' ? 2 : 15)};
      }
      add_shell_code(out, code, "env -S", true);
      return;
    }
    if (in(a, {"-u", "--unset"})) {
      i += 2;
      continue;
    }
    if (in(a, {"-C", "--chdir"})) {
      if (i + 1 < argv.size()) inner.cwd = opt(argv, i + 1);
      i += 2;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      ++i;
      continue;
    }
    std::size_t eq = a.find('=');
    if (eq != std::string::npos && eq > 0) {
      ArgValue value = argv[i];
      value.values = {a.substr(eq + 1)};
      value.display = value.values.front();
      inner.assignments.emplace_back(a.substr(0, eq), std::move(value));
      ++i;
      continue;
    }
    break;
  }
  inner.argv = tail(argv, i);
  if (!inner.argv.empty()) out.commands.push_back(std::move(inner));
}

void unwrap_privileged(Unwrapped& out, const Args& argv, const std::string& name) {
  std::size_t first = 1;
  if (name == "sudo") {
    first = skip_options(argv, 1, {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U", "--user", "--group",
                                   "--chdir", "--host", "--prompt", "--role", "--type", "--other-user",
                                   "--close-from", "--command-timeout"});
  } else if (name == "doas") {
    first = skip_options(argv, 1, {"-u", "-C"});
  } else if (name == "pkexec") {
    first = skip_options(argv, 1, {"--user"});
  } else if (name == "runuser" || name == "su") {
    // su [options] [-] [user] [-c command]: the command string is shell code.
    for (std::size_t i = 1; i < argv.size(); ++i) {
      std::string a = opt(argv, i);
      if ((a == "-c" || a == "--command" || a == "--session-command") && i + 1 < argv.size()) {
        ShellCode sc;
        sc.code = argv[i + 1];
        sc.via = name + " -c";
        sc.under_privilege = true;
        out.shell_code.push_back(std::move(sc));
        return;
      }
      if (starts_with(a, "--command=")) {
        ShellCode sc;
        sc.code = argv[i];
        if (sc.code.known()) sc.code.values = {a.substr(10)};
        sc.via = name + " -c";
        sc.under_privilege = true;
        out.shell_code.push_back(std::move(sc));
        return;
      }
    }
    if (name == "su") return;
    first = skip_options(argv, 1, {"-u", "-g", "-G", "-s", "--user", "--group", "--shell"});
  }
  if (first >= argv.size()) return;
  InnerCommand inner;
  inner.argv = tail(argv, first);
  inner.via = name;
  inner.under_privilege = true;
  out.commands.push_back(std::move(inner));
}

// ssh -o ProxyCommand=... / LocalCommand=...: commands ssh runs on this machine.
void ssh_local_commands(Unwrapped& out, const Args& argv, std::size_t i) {
  std::string a = opt(argv, i);
  ArgValue value;
  if (a == "-o" && i + 1 < argv.size()) {
    value = argv[i + 1];
  } else if (starts_with(a, "-o") && a.size() > 2) {
    value = argv[i];
    if (value.known()) value.values = {a.substr(2)};
  } else {
    return;
  }
  if (!value.known()) {
    add_shell_code(out, value, "ssh -o");
    return;
  }
  std::string option = value.text();
  std::size_t sep = option.find_first_of("= ");
  std::string key = option.substr(0, sep);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (sep != std::string::npos && (key == "proxycommand" || key == "localcommand" || key == "knownhostscommand" ||
                                   key == "remotecommand")) {
    ArgValue code = value;
    code.values = {option.substr(sep + 1)};
    code.display = code.values.front();
    add_shell_code(out, code, "ssh -o " + key, true);
  }
}

void unwrap_ssh(Unwrapped& out, const Args& argv) {
  std::size_t i = 1;
  while (i < argv.size()) {
    ssh_local_commands(out, argv, i);
    std::string a = opt(argv, i);
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    // Short options that take a value, possibly bundled after flags: -tp 22, -i key.
    char last = a.back();
    if (a[1] != '-' && std::string_view("bcDEeFIiJLlmOopQRSWwB").find(last) != std::string_view::npos) {
      i += 2;
      continue;
    }
    ++i;
  }
  if (i + 1 >= argv.size()) return;  // no remote command: an interactive login
  ShellCode sc;
  sc.code = join_args(argv, i + 1, argv.size());
  sc.via = "ssh";
  sc.remote = true;
  sc.joined = argv.size() - (i + 1) > 1;
  out.shell_code.push_back(std::move(sc));
}

void unwrap_watch(Unwrapped& out, const Args& argv) {
  std::size_t i = 1;
  bool exec_form = false;
  while (i < argv.size()) {
    std::string a = opt(argv, i);
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    if (a == "-x" || a == "--exec") exec_form = true;
    if (a == "-n" || a == "--interval" || a == "-q" || a == "--equexit") {
      i += 2;
      continue;
    }
    ++i;
  }
  if (i >= argv.size()) return;
  if (exec_form) {
    add_inner(out, argv, i, "watch -x");
    return;
  }
  add_shell_code(out, join_args(argv, i, argv.size()), "watch", argv.size() - i > 1);
}

void unwrap_parallel(Unwrapped& out, const Args& argv) {
  std::size_t i = skip_options(argv, 1, {"-j", "--jobs", "-S", "--sshlogin", "--joblog", "-a", "--arg-file",
                                        "--delay", "--timeout", "--results", "-I", "--colsep", "--tmpdir"});
  std::size_t end = i;
  while (end < argv.size() && opt(argv, end) != ":::" && opt(argv, end) != "::::" && opt(argv, end) != ":::+") ++end;
  if (end == i) return;
  // GNU parallel runs its command through a shell, with the inputs substituted or appended.
  ArgValue code = join_args(argv, i, end);
  code.unknown = true;
  code.known_prefix = code.display;
  code.values.clear();
  InnerCommand inner;
  inner.via = "parallel";
  inner.appended_unknown_args = true;
  inner.argv = Args(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.begin() + static_cast<std::ptrdiff_t>(end));
  if (inner.argv.size() == 1 && inner.argv[0].known() && inner.argv[0].text().find(' ') != std::string::npos) {
    add_shell_code(out, inner.argv[0], "parallel");
    return;
  }
  out.commands.push_back(std::move(inner));
}

// Programs that take a command as one string option: script -c, sbatch --wrap, rsync -e.
bool unwrap_string_option(Unwrapped& out, const Args& argv, const std::string& name) {
  std::vector<std::string_view> flags;
  std::string_view long_eq;
  if (name == "script") {
    flags = {"-c", "--command"};
    long_eq = "--command=";
  } else if (name == "sbatch") {
    flags = {"--wrap"};
    long_eq = "--wrap=";
  } else if (name == "rsync") {
    flags = {"-e", "--rsh"};
    long_eq = "--rsh=";
  } else {
    return false;
  }
  bool found = false;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    std::string a = opt(argv, i);
    bool combined = name == "script" && a.size() > 2 && a[0] == '-' && a[1] != '-' && a.back() == 'c';
    bool flag = std::find(flags.begin(), flags.end(), std::string_view(a)) != flags.end();
    if ((flag || combined) && i + 1 < argv.size()) {
      add_shell_code(out, argv[i + 1], name + " " + a);
      found = true;
      ++i;
    } else if (!long_eq.empty() && starts_with(a, long_eq)) {
      ArgValue code = argv[i];
      code.values = {a.substr(long_eq.size())};
      code.display = code.values.front();
      add_shell_code(out, code, name + " " + std::string(long_eq.substr(0, long_eq.size() - 1)), true);
      found = true;
    }
  }
  if (name == "sbatch" && !found) {
    std::size_t i = skip_options(argv, 1, {"-A", "-c", "-d", "-D", "-e", "-i", "-J", "-L", "-m", "-n", "-N", "-o",
                                          "-p", "-q", "-t", "-w", "-x", "-C", "-G", "-M", "-a", "--array", "--gres",
                                          "--partition", "--nodes", "--ntasks", "--time", "--mem", "--job-name",
                                          "--account", "--qos", "--gpus", "--output", "--error", "--dependency"});
    if (i < argv.size()) out.script_file = argv[i];
    return true;
  }
  return found || name == "script";
}

// tmux new/new-window/split-window 'cmd', tmux send-keys 'cmd' Enter, screen [opts] cmd args,
// screen -X stuff 'cmd': terminal multiplexers run commands in detached sessions.
bool unwrap_multiplexer(Unwrapped& out, const Args& argv, const std::string& name) {
  if (name == "tmux") {
    std::size_t sub = skip_options(argv, 1, {"-L", "-S", "-f", "-c"});
    std::string verb = sub < argv.size() ? opt(argv, sub) : "";
    if (in(verb, {"new", "new-session", "new-window", "neww", "split-window", "splitw", "respawn-pane", "respawnp",
                  "respawn-window", "respawnw", "run-shell", "run", "if-shell", "if", "display-popup", "popup"})) {
      std::size_t i = skip_options(argv, sub + 1, {"-s", "-n", "-t", "-c", "-x", "-y", "-e", "-F", "-l", "-p", "-w",
                                                  "-f"});
      if (i < argv.size()) add_shell_code(out, join_args(argv, i, argv.size()), "tmux " + verb, argv.size() - i > 1);
    } else if (in(verb, {"send-keys", "send"})) {
      std::size_t i = skip_options(argv, sub + 1, {"-t", "-N"});
      std::size_t end = argv.size();
      while (end > i && in(opt(argv, end - 1), {"Enter", "C-m", "KPEnter"})) --end;
      if (i < end) add_shell_code(out, join_args(argv, i, end), "tmux send-keys", end - i > 1);
    }
    return true;
  }
  if (name == "screen") {
    for (std::size_t i = 1; i + 2 < argv.size(); ++i) {
      if (opt(argv, i) == "-X" && opt(argv, i + 1) == "stuff") {
        add_shell_code(out, argv[i + 2], "screen -X stuff");
        return true;
      }
    }
    // Short options bundle (-dmS name): a bundle ending in a value-taking letter takes the next word.
    std::size_t i = 1;
    while (i < argv.size()) {
      std::string a = opt(argv, i);
      if (a == "--") {
        ++i;
        break;
      }
      if (a.size() < 2 || a[0] != '-') break;
      bool takes_value = a == "-Logfile" || std::string_view("StcpehsTX").find(a.back()) != std::string_view::npos;
      i += takes_value ? 2 : 1;
    }
    add_inner(out, argv, i, "screen");
    return true;
  }
  return false;
}

struct SimpleWrapper {
  std::string_view name;
  std::initializer_list<std::string_view> with_value;
  int positional_before_command;  // operands before the command (timeout's duration, flock's file)
};

const SimpleWrapper* simple_wrapper(const std::string& name) {
  static const SimpleWrapper kWrappers[] = {
      {"nohup", {}, 0},
      {"time", {"-f", "--format", "-o", "--output"}, 0},
      {"command", {}, 0},
      {"builtin", {}, 0},
      {"exec", {"-a"}, 0},
      {"nice", {"-n", "--adjustment"}, 0},
      {"ionice", {"-c", "-n", "--class", "--classdata"}, 0},
      {"timeout", {"-s", "-k", "--signal", "--kill-after"}, 1},
      {"stdbuf", {"-i", "-o", "-e", "--input", "--output", "--error"}, 0},
      {"setsid", {}, 0},
      {"unbuffer", {}, 0},
      {"chronic", {}, 0},
      {"catchsegv", {}, 0},
      {"caffeinate", {}, 0},
      {"xvfb-run", {"-n", "-s", "-f", "-e", "-p", "--server-num", "--server-args", "--auth-file", "--error-file"}, 0},
      {"strace", {"-o", "-e", "-p", "-s", "-u", "-E", "-a", "-b", "-I", "-O", "-P", "-S", "-X"}, 0},
      {"ltrace", {"-o", "-e", "-p", "-s", "-u", "-n", "-a"}, 0},
      {"valgrind", {}, 0},
      {"flock", {"-w", "-E", "--timeout", "--conflict-exit-code"}, 1},
      {"chrt", {}, 1},
      {"taskset", {}, 1},
      {"numactl", {"-C", "-N", "-m", "-i", "-p", "--physcpubind", "--cpunodebind", "--membind", "--interleave",
                   "--preferred"}, 0},
      {"srun", {"-A", "-c", "-d", "-D", "-e", "-i", "-J", "-L", "-m", "-n", "-N", "-o", "-p", "-q", "-t", "-w", "-x",
                "-C", "-G", "-M", "-F", "--gres", "--partition", "--nodes", "--ntasks", "--ntasks-per-node",
                "--cpus-per-task", "--time", "--mem", "--job-name", "--account", "--qos", "--gpus",
                "--gpus-per-node", "--gpus-per-task", "--output", "--error", "--nodelist", "--exclude",
                "--constraint", "--mpi", "--export", "--mem-per-cpu", "--mem-per-gpu", "--chdir"}, 0},
      {"salloc", {"-A", "-c", "-J", "-n", "-N", "-p", "-q", "-t", "-w", "-G", "--gres", "--partition", "--nodes",
                  "--ntasks", "--time", "--mem", "--job-name", "--account", "--qos", "--gpus", "--gpus-per-node"}, 0},
      {"mpirun", {"-np", "-n", "-N", "-H", "--host", "-hostfile", "--hostfile", "-x", "--map-by", "--bind-to",
                  "-wdir", "--wdir", "-npernode", "--npernode"}, 0},
      {"mpiexec", {"-np", "-n", "-N", "-H", "--host", "-hostfile", "--hostfile", "-x", "--map-by", "--bind-to",
                   "-wdir", "--wdir"}, 0},
      {"systemd-run", {"-p", "-u", "-E", "--property", "--unit", "--setenv", "--uid", "--gid"}, 0},
  };
  for (const auto& w : kWrappers) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

// conda run -n env CMD, uv run CMD, poetry run CMD, docker run IMAGE CMD, ...
bool unwrap_runner(Unwrapped& out, const Args& argv, const std::string& name) {
  if (argv.size() < 2) return false;
  std::string sub = opt(argv, 1);
  if (in(name, {"conda", "mamba", "micromamba"}) && sub == "run") {
    add_inner(out, argv, skip_options(argv, 2, {"-n", "--name", "-p", "--prefix", "--cwd"}), name + " run");
    return true;
  }
  if (in(name, {"uv", "poetry", "pipenv", "pixi", "hatch", "pdm", "rye"}) && sub == "run") {
    add_inner(out, argv, skip_options(argv, 2, {"--with", "--python", "-p", "--env", "-e", "--directory", "--project"}),
              name + " run");
    return true;
  }
  if (in(name, {"docker", "podman", "nerdctl"}) && (sub == "run" || sub == "exec")) {
    std::size_t i = skip_options(argv, 2, {"-v", "--volume", "-e", "--env", "-p", "--publish", "--name", "-w",
                                           "--workdir", "--gpus", "--network", "--net", "--entrypoint", "-u", "--user",
                                           "--mount", "--shm-size", "--ipc", "-m", "--memory", "--cpus", "-h",
                                           "--hostname", "--env-file", "-l", "--label", "--runtime", "--ulimit",
                                           "--device", "--cap-add", "--cap-drop", "--security-opt", "--pid",
                                           "--platform", "--restart", "--add-host", "--tmpfs", "-a", "--attach"});
    add_inner(out, argv, i + 1, name + " " + sub);  // after the image or container
    return true;
  }
  if (in(name, {"torchrun", "accelerate", "deepspeed"})) {
    for (std::size_t i = 1; i < argv.size(); ++i) {
      std::string a = opt(argv, i);
      if (a == "--no-python" || a == "--no_python") {
        std::size_t j = i + 1;
        while (j < argv.size() && starts_with(opt(argv, j), "-")) ++j;
        add_inner(out, argv, j, name + " --no-python");
        return true;
      }
    }
  }
  if (name == "busybox" || name == "toybox") {
    add_inner(out, argv, 1, name);
    return true;
  }
  if (name == "gdb" || name == "cgdb") {
    for (std::size_t i = 1; i < argv.size(); ++i) {
      if (opt(argv, i) == "--args") {
        add_inner(out, argv, i + 1, "gdb --args");
        return true;
      }
    }
  }
  if (name == "perf" && in(sub, {"stat", "record", "trace"})) {
    add_inner(out, argv, skip_options(argv, 2, {"-e", "-o", "-p", "-t", "-c", "-F", "-g", "-r"}), "perf " + sub);
    return true;
  }
  return false;
}

}  // namespace

std::string program_base_name(const std::string& argv0) {
  std::size_t slash = argv0.find_last_of('/');
  return slash == std::string::npos ? argv0 : argv0.substr(slash + 1);
}

bool is_shell_program(const std::string& program) {
  return in(program, {"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "rbash", "fish", "csh", "tcsh", "yash",
                      "posh", "busybox-sh", "oksh", "loksh", "pdksh"});
}

namespace {
std::string interpreter_language(const std::string& program) {
  if (starts_with(program, "python") || starts_with(program, "pypy") || program == "ipython" ||
      program == "ipython3") {
    std::string rest = program.substr(starts_with(program, "pypy") ? 4 : (starts_with(program, "ipython") ? 7 : 6));
    for (char c : rest) {
      if (!(c == '.' || (c >= '0' && c <= '9') || c == 'w' || c == 'm' || c == 'd')) return "";
    }
    return "python";
  }
  if (program == "perl" || starts_with(program, "perl5")) return "perl";
  if (program == "ruby" || program == "irb") return "ruby";
  if (in(program, {"node", "nodejs", "bun", "deno", "qjs"})) return "javascript";
  if (program == "php" || starts_with(program, "php8") || starts_with(program, "php7")) return "php";
  if (program == "lua" || program == "luajit" || starts_with(program, "lua5")) return "lua";
  if (program == "Rscript" || program == "R") return "r";
  if (program == "julia") return "julia";
  if (program == "tclsh" || program == "wish") return "tcl";
  if (program == "osascript") return "applescript";
  return "";
}
}  // namespace

bool is_interpreter_program(const std::string& program) { return !interpreter_language(program).empty(); }

Unwrapped unwrap_command(const Args& argv, const StdinInfo& stdin_info) {
  Unwrapped out;
  if (argv.empty() || !argv[0].known()) return out;
  std::string name = program_base_name(argv[0].text());

  if (is_shell_program(name)) {
    unwrap_shell(out, argv, 1, name);
    return out;
  }
  if (name == "eval") {
    if (argv.size() > 1) add_shell_code(out, join_args(argv, 1, argv.size()), "eval", argv.size() > 2);
    return out;
  }
  if (name == "source" || name == ".") {
    if (argv.size() > 1) out.script_file = argv[1];
    return out;
  }
  if (std::string language = interpreter_language(name); !language.empty()) {
    unwrap_interpreter(out, argv, language, stdin_info);
    return out;
  }
  if (in(name, {"awk", "gawk", "mawk", "nawk"})) {
    unwrap_text_program(out, argv, "awk");
    return out;
  }
  if (in(name, {"sed", "gsed"})) {
    unwrap_text_program(out, argv, "sed");
    return out;
  }
  if (name == "find") {
    unwrap_find(out, argv);
    return out;
  }
  if (name == "xargs") {
    unwrap_xargs(out, argv);
    return out;
  }
  if (name == "env") {
    unwrap_env(out, argv);
    return out;
  }
  if (in(name, {"sudo", "doas", "pkexec", "su", "runuser"})) {
    unwrap_privileged(out, argv, name);
    return out;
  }
  if (in(name, {"ssh", "autossh"})) {
    unwrap_ssh(out, argv);
    return out;
  }
  if (name == "watch") {
    unwrap_watch(out, argv);
    return out;
  }
  if (name == "parallel") {
    unwrap_parallel(out, argv);
    return out;
  }
  if (name == "command" && argv.size() > 1 && in(opt(argv, 1), {"-v", "-V"})) return out;
  if (name == "trap") {
    // trap CODE SIGNAL...: the code runs when the signal (or EXIT) comes.
    std::size_t i = 1;
    if (i < argv.size() && opt(argv, i) == "--") ++i;
    if (i + 1 < argv.size() && !in(opt(argv, i), {"-l", "-p", "-"})) add_shell_code(out, argv[i], "trap");
    return out;
  }
  if (in(name, {"at", "batch"})) {
    for (std::size_t i = 1; i + 1 < argv.size(); ++i) {
      if (opt(argv, i) == "-f") {
        out.script_file = argv[i + 1];
        return out;
      }
    }
    if (!(argv.size() > 1 && in(opt(argv, 1), {"-l", "-c", "-r", "-d", "-V"}))) out.shell_reads_stdin = true;
    return out;
  }
  if (unwrap_string_option(out, argv, name)) return out;
  if (unwrap_multiplexer(out, argv, name)) return out;
  if (in(name, {"npx", "bunx", "pnpx", "uvx", "pipx"})) {
    std::size_t i = name == "pipx" ? (opt(argv, 1) == "run" ? 2 : argv.size()) : 1;
    i = skip_options(argv, i, {"-p", "--package", "-c", "--call", "--spec", "--python", "--from", "--with"});
    add_inner(out, argv, i, name);
    return out;
  }
  if (name == "flock") {
    for (std::size_t i = 1; i + 1 < argv.size(); ++i) {
      if (in(opt(argv, i), {"-c", "--command"})) {
        add_shell_code(out, argv[i + 1], "flock -c");
        return out;
      }
    }
  }
  if (unwrap_runner(out, argv, name)) return out;
  if (const SimpleWrapper* w = simple_wrapper(name)) {
    std::size_t i = skip_options(argv, 1, w->with_value);
    if (name == "nice" && i < argv.size() && starts_with(opt(argv, i), "-")) ++i;
    i += static_cast<std::size_t>(w->positional_before_command);
    add_inner(out, argv, i, name);
  }
  return out;
}

}  // namespace trainctl::safety
