// Programs judged by what they are and their subcommands: git, package managers, processes and
// system configuration, network tools, GPU and job tools, training launchers, and the read-only
// inspection tools that can run at once.
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "safety/command_unwrap.h"
#include "safety/policy_judge.h"

namespace trainctl::safety {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool in(std::string_view v, std::initializer_list<std::string_view> set) {
  for (auto s : set) {
    if (v == s) return true;
  }
  return false;
}

// The first operand after global options, and its index.
std::size_t subcommand_index(const Judge& j, std::size_t first, std::initializer_list<std::string_view> with_value) {
  std::size_t i = first;
  while (i < j.command.argv.size()) {
    const std::string& a = j.arg(i);
    if (!j.command.argv[i].known()) return i;
    if (a.size() > 1 && a[0] == '-') {
      bool takes = a.find('=') == std::string::npos && in(a, with_value);
      i += takes ? 2 : 1;
      continue;
    }
    return i;
  }
  return i;
}

// ---- git ---------------------------------------------------------------------------------------

void judge_git_config(Judge& j, std::size_t sub) {
  ParsedArgs p = j.parse(sub + 1, {"-f", "--file", "--blob", "--type", "--default"});
  bool reading = p.has("--get") || p.has("--get-all") || p.has("--get-regexp") || p.has("--list", 'l') ||
                 p.has("--show-origin") || p.has("--get-urlmatch") || p.operands.size() <= 1;
  for (const ArgValue* a : p.operands) {
    if (a->known() && (starts_with(a->text(), "credential") || a->text().find("sshCommand") != std::string::npos ||
                       starts_with(a->text(), "core.askPass") || starts_with(a->text(), "url."))) {
      if (!reading) j.add("credential-tampering", fmt::format("git config sets {}", a->text()), a->span);
    }
    if (a->known() && !reading &&
        (starts_with(a->text(), "alias.") || in(a->text(), {"core.pager", "core.editor", "core.fsmonitor",
                                                           "core.hooksPath", "diff.external", "sequence.editor",
                                                           "gpg.program", "core.gitProxy"}) ||
         starts_with(a->text(), "filter."))) {
      j.add("unknown-code", fmt::format("git config {} makes git run a command from configuration", a->text()), a->span);
    }
  }
  if (reading) {
    j.add("read-only", "git config reads settings");
  } else if (p.has("--global") || p.has("--system")) {
    j.add("write-outside-project", "git config --global/--system writes a configuration file outside the project");
  } else {
    j.add("git-write", "git config changes the repository's settings");
  }
}

void judge_git_pathspec_discard(Judge& j, std::size_t sub, std::string_view what) {
  ParsedArgs p = j.parse(sub + 1, {"-b", "-B", "--orphan", "-s", "--source", "--conflict", "--pathspec-from-file"});
  if (p.has("--force", 'f') || p.has("--discard-changes")) {
    j.add("git-destructive", fmt::format("git {} --force discards uncommitted changes", what));
    return;
  }
  bool whole_tree = false;
  bool after_dashdash = false;
  for (std::size_t i = sub + 1; i < j.command.argv.size(); ++i) {
    const std::string& a = j.arg(i);
    if (a == "--") after_dashdash = true;
    if (in(a, {".", ":/", "*", ":(top)", "./", ":/*"}) || (after_dashdash && !j.command.argv[i].known())) whole_tree = true;
  }
  if (p.unknown_options) whole_tree = true;
  if (whole_tree && !(what == "restore" && p.has("--staged", 'S') && !p.has("--worktree", 'W'))) {
    j.add("git-destructive", fmt::format("git {} over the whole tree discards every uncommitted change", what));
    return;
  }
  j.add("git-write", fmt::format("git {} changes the working tree", what));
}

void judge_git_push(Judge& j, std::size_t sub) {
  ParsedArgs p = j.parse(sub + 1, {"-o", "--push-option", "--repo", "--receive-pack", "--exec"});
  if (p.has("--force", 'f') || p.has("--force-with-lease") || p.has("--force-if-includes") || p.has("--mirror") ||
      p.has("--delete", 'd') || p.has("--prune")) {
    j.add("git-destructive", "git push with --force/--delete/--mirror/--prune rewrites or deletes shared history");
    return;
  }
  for (const ArgValue* a : p.operands) {
    if (a->known() && (starts_with(a->text(), "+") || starts_with(a->text(), ":"))) {
      j.add("git-destructive", fmt::format("git push {}: a '+' refspec forces, a ':' refspec deletes", a->text()), a->span);
      return;
    }
  }
  if (p.unknown_options) {
    j.add("unknown-destructive-argument", "git push gets arguments only known at run time; they could be --force");
    return;
  }
  j.add("network-access", "git push uploads commits");
}

void judge_git_command(Judge& j) {
  std::size_t sub = subcommand_index(j, 1, {"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path",
                                            "--config-env"});
  for (std::size_t i = 1; i < sub && i < j.command.argv.size(); ++i) {
    if ((j.arg(i) == "-c" || j.arg(i) == "--config-env") && i + 1 < j.command.argv.size()) {
      const ArgValue& kv = j.command.argv[i + 1];
      std::string key = kv.known() ? kv.text().substr(0, kv.text().find('=')) : "";
      if (!kv.known() || starts_with(key, "alias.") || starts_with(key, "core.") || starts_with(key, "credential") ||
          in(key, {"diff.external", "sequence.editor", "gpg.program", "uploadpack.packObjectsHook"}) ||
          starts_with(key, "filter.") || starts_with(key, "pager.")) {
        j.add("unknown-code", fmt::format("git -c {} can make git run a command", kv.display), kv.span);
      }
    }
  }
  if (sub >= j.command.argv.size()) {
    j.add("read-only", "git without a subcommand prints its help");
    return;
  }
  if (!j.command.argv[sub].known()) {
    j.unknown_argument(j.command.argv[sub], "the git subcommand");
    return;
  }
  const std::string& s = j.arg(sub);
  ParsedArgs p = j.parse(sub + 1);
  if (in(s, {"status", "log", "diff", "show", "rev-parse", "describe", "ls-files", "ls-tree", "blame", "shortlog",
             "grep", "cat-file", "rev-list", "cherry", "name-rev", "merge-base", "whatchanged", "version", "help",
             "diff-tree", "diff-index", "diff-files", "for-each-ref", "show-ref", "var", "check-ignore",
             "check-attr", "count-objects", "fsck", "show-branch", "range-diff", "annotate", "verify-commit",
             "ls-remote"})) {
    if (p.has("--output")) {
      ArgValue out;
      std::string file = p.text_value({"--output"});
      if (const ArgValue* v = p.value({"--output"})) {
        out = *v;
      } else {
        out.values = {file};
        out.display = file;
        out.span = j.command.span;
      }
      j.judge_write_target(out, fmt::format("git {} --output writes", s));
    } else if (s == "ls-remote") {
      j.add("network-access", "git ls-remote asks a remote");
    } else {
      j.add("read-only", fmt::format("git {} only reads the repository", s));
    }
    return;
  }
  if (s == "branch") {
    if (p.has("--delete", 'd') || p.has("", 'D') || p.has("--move", 'm') || p.has("", 'M') || p.has("--copy", 'c') ||
        p.has("--force", 'f') || p.has("--set-upstream-to", 'u') || p.has("--unset-upstream") ||
        (!p.operands.empty() && !p.has("--list", 'l') && !p.has("--contains") && !p.has("--merged"))) {
      j.add("git-write", "git branch changes branches");
    } else {
      j.add("read-only", "git branch lists branches");
    }
    return;
  }
  if (s == "tag" || s == "remote" || s == "stash" || s == "worktree" || s == "submodule" || s == "notes" ||
      s == "reflog" || s == "lfs") {
    std::string verb = p.operands.empty() ? "" : (p.operands[0]->known() ? p.operands[0]->text() : "?");
    if (s == "stash" && (verb.empty() || in(verb, {"push", "save", "pop", "apply", "drop", "branch", "create",
                                                   "store"}))) {
      j.add("git-write", fmt::format("git stash {} changes the working tree or the stash list", verb));
    } else if (s == "stash" && in(verb, {"clear"})) {
      j.add("git-destructive", "git stash clear deletes every stash");
    } else if (s == "reflog" && in(verb, {"expire", "delete"})) {
      j.add("git-destructive", fmt::format("git reflog {} removes the record that lets lost commits be recovered", verb));
    } else if (verb.empty() || in(verb, {"list", "show", "-v", "get-url", "status", "ls-files", "env", "logs"}) ||
               (s == "tag" && (p.has("--list", 'l') || p.operands.empty())) || (s == "remote" && p.has("--verbose", 'v') && p.operands.empty())) {
      j.add("read-only", fmt::format("git {} {} only reads", s, verb));
    } else if (s == "lfs" && in(verb, {"pull", "fetch"})) {
      j.add("network-access", fmt::format("git lfs {} downloads", verb));
    } else {
      j.add("git-write", fmt::format("git {} {} changes the repository", s, verb));
    }
    return;
  }
  if (s == "config") {
    judge_git_config(j, sub);
    return;
  }
  if (s == "clean") {
    if (p.has("--dry-run", 'n') && !p.has("--force", 'f')) {
      j.add("read-only", "git clean --dry-run only lists");
    } else {
      j.add("git-destructive", "git clean deletes untracked files (uncommitted work that git cannot bring back)");
    }
    return;
  }
  if (s == "reset") {
    if (p.has("--hard") || p.has("--merge")) {
      j.add("git-destructive", "git reset --hard discards every uncommitted change");
    } else if (p.unknown_options) {
      j.add("unknown-destructive-argument", "git reset gets arguments only known at run time; they could be --hard");
    } else {
      j.add("git-write", "git reset moves the branch or unstages changes");
    }
    return;
  }
  if (s == "checkout") {
    judge_git_pathspec_discard(j, sub, "checkout");
    return;
  }
  if (s == "restore") {
    judge_git_pathspec_discard(j, sub, "restore");
    return;
  }
  if (s == "switch") {
    if (p.has("--discard-changes") || p.has("--force", 'f')) {
      j.add("git-destructive", "git switch --discard-changes throws away uncommitted changes");
    } else {
      j.add("git-write", "git switch changes branch");
    }
    return;
  }
  if (s == "push") {
    judge_git_push(j, sub);
    return;
  }
  if (s == "clone") {
    ParsedArgs c = j.parse(sub + 1, {"-b", "--branch", "--depth", "-o", "--origin", "-c", "--config", "--reference",
                                     "--separate-git-dir", "-u", "--upload-pack", "-j", "--jobs", "--filter"});
    if (c.operands.size() >= 2) j.judge_write_target(*c.operands[1], "git clone writes");
    j.add("network-access", "git clone downloads a repository");
    return;
  }
  if (in(s, {"fetch", "pull"})) {
    j.add("network-access", fmt::format("git {} downloads", s));
    if (s == "pull") j.add("git-write", "git pull merges into the working tree");
    return;
  }
  if (s == "rm") {
    bool recursive = p.has("", 'r') || p.unknown_options;
    bool whole = p.unknown_options;
    for (const ArgValue* a : p.operands) {
      whole = whole || !a->known() || in(a->text(), {".", "./", "*", ":/", "/"});
    }
    if (recursive && whole) {
      j.add("git-destructive", "git rm -r over the whole tree deletes every tracked file");
    } else {
      for (const ArgValue* a : p.operands) {
        if (p.has("--cached")) continue;
        j.judge_delete_target(*a, "git rm deletes", recursive);
      }
      j.add("git-write", "git rm removes files from the index");
    }
    return;
  }
  if (in(s, {"filter-branch", "filter-repo", "update-ref", "replace", "gc", "prune"})) {
    bool destroys = (s == "gc" && (p.has("--prune") || p.text_value({"--prune"}) == "now")) || s == "prune" ||
                    (s == "update-ref" && p.has("", 'd'));
    if (destroys) {
      j.add("git-destructive", fmt::format("git {} removes unreachable commits for good", s));
    } else {
      j.add("git-write", fmt::format("git {} rewrites the repository", s));
    }
    return;
  }
  j.add("git-write", fmt::format("git {} changes the repository", s));
}

// ---- packages ----------------------------------------------------------------------------------

void judge_pip(Judge& j, std::size_t sub) {
  std::size_t at = subcommand_index(j, sub, {"--python", "--log", "--proxy", "--cache-dir", "--timeout"});
  const std::string& s = j.arg(at);
  if (at >= j.command.argv.size() || in(s, {"list", "show", "freeze", "check", "--version", "-V", "help", "debug",
                                            "inspect", "index", "search", "hash"})) {
    j.add("read-only", fmt::format("pip {} only reads", s));
    return;
  }
  if (s == "config" || s == "cache") {
    std::string verb = j.arg(at + 1);
    if (in(verb, {"list", "get", "debug", "dir", "info"})) j.add("read-only", fmt::format("pip {} {} only reads", s, verb));
    else j.add("package-install", fmt::format("pip {} {} changes pip's settings or cache", s, verb));
    return;
  }
  ParsedArgs p = j.parse(at + 1, {"-t", "--target", "--prefix", "--root", "-r", "--requirement", "-c", "--constraint",
                                  "-e", "--editable", "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
                                  "--src", "-d", "--dest"});
  for (auto opt : {"-t", "--target", "--prefix", "--root", "--src", "-d", "--dest"}) {
    if (const ArgValue* v = p.value({opt})) j.judge_write_target(*v, fmt::format("pip {} {} installs into", s, opt));
  }
  j.add("package-install", fmt::format("pip {} changes the Python environment", s));
}

bool judge_package_manager(Judge& j) {
  const std::string& n = j.program;
  if (in(n, {"pip", "pip3"}) || starts_with(n, "pip3.")) {
    judge_pip(j, 1);
    return true;
  }
  if (n == "uv" && j.arg(1) == "pip") {
    judge_pip(j, 2);
    return true;
  }
  if (in(n, {"uv", "poetry", "pipenv", "pdm", "rye", "hatch", "pixi"})) {
    std::string s = j.arg(1);
    if (in(s, {"--version", "version", "show", "tree", "list", "info", "env", "--help", "help"})) {
      j.add("read-only", fmt::format("{} {} only reads", n, s));
    } else {
      j.add("package-install", fmt::format("{} {} changes the project's environment", n, s));
    }
    return true;
  }
  if (in(n, {"conda", "mamba", "micromamba"})) {
    std::string s = j.arg(1);
    std::string verb = j.arg(2);
    if (in(s, {"list", "info", "search", "--version", "-V", "doctor", "compare"}) ||
        (s == "env" && in(verb, {"list", "export"})) || (s == "config" && (verb == "--show" || verb == "--get" || verb == "--show-sources"))) {
      j.add("read-only", fmt::format("{} {} only reads", n, s));
    } else if (in(s, {"activate", "deactivate"})) {
      j.add("shell-state", fmt::format("{} {} switches the environment of this shell", n, s));
    } else {
      j.add("package-install", fmt::format("{} {} changes environments or packages", n, s));
    }
    return true;
  }
  if (in(n, {"apt", "apt-get", "aptitude", "dnf", "yum", "zypper", "pacman", "apk", "brew", "snap", "flatpak", "port",
             "dpkg", "rpm", "npm", "pnpm", "yarn", "cargo", "gem", "go", "spack", "module", "ml"})) {
    std::string s = j.arg(1);
    if (in(s, {"list", "show", "search", "policy", "info", "--version", "-v", "-V", "version", "-l", "-L", "-s", "-q",
               "--list", "avail", "spider", "ls", "outdated", "view", "which", "env", "query"}) ||
        (in(n, {"apt-cache", "dpkg-query"}))) {
      j.add("read-only", fmt::format("{} {} only reads", n, s));
    } else if (in(n, {"module", "ml"}) && in(s, {"load", "unload", "purge", "swap", "use"})) {
      j.add("shell-state", fmt::format("module {} changes this shell's environment", s));
    } else if (in(n, {"apt", "apt-get", "aptitude", "dnf", "yum", "zypper", "pacman", "apk", "snap"}) &&
               in(s, {"remove", "purge", "autoremove", "erase", "-R", "-Rs", "-Rns", "del", "dist-upgrade",
                      "full-upgrade"})) {
      j.add("system-configuration", fmt::format("{} {} removes or replaces system packages", n, s));
    } else if (in(n, {"dpkg", "rpm"}) && (s == "-r" || s == "-P" || s == "--purge" || s == "-e")) {
      j.add("system-configuration", fmt::format("{} {} removes system packages", n, s));
    } else if (in(n, {"dpkg", "rpm"}) && (s == "-i" || s == "-U")) {
      j.add("package-install", fmt::format("{} {} installs or removes system packages", n, s));
    } else if (n == "go" && in(s, {"build", "run", "test", "vet"})) {
      j.add("script-execution", fmt::format("go {} builds and runs code", s));
    } else if (in(n, {"npm", "pnpm", "yarn"}) && in(s, {"run", "start", "test", "exec", "x", "dlx"})) {
      j.add("script-execution", fmt::format("{} {} runs a package script", n, s));
    } else {
      j.add("package-install", fmt::format("{} {} changes installed packages", n, s));
    }
    return true;
  }
  if (in(n, {"apt-cache", "dpkg-query", "apt-file"})) {
    j.add("read-only", fmt::format("{} only reads the package database", n));
    return true;
  }
  return false;
}

// ---- processes and the system ------------------------------------------------------------------

// kill [-s SIG | -n NUM | -SIG] [--] TARGET...: only the first word may be a signal; after it,
// -1 means every process, 0 the caller's group, 1 init.
void judge_kill(Judge& j) {
  const auto& argv = j.command.argv;
  std::size_t i = 1;
  if (i < argv.size() && in(j.arg(i), {"-l", "-L", "--list", "--table"})) {
    j.add("read-only", "kill -l lists signal names");
    return;
  }
  if (i < argv.size() && in(j.arg(i), {"-s", "-n", "--signal"})) {
    i += 2;
  } else if (i < argv.size() && j.arg(i).size() > 1 && j.arg(i)[0] == '-' && j.arg(i) != "--") {
    ++i;
  }
  if (i < argv.size() && j.arg(i) == "--") ++i;
  bool any_target = false;
  for (; i < argv.size(); ++i) {
    const ArgValue& a = argv[i];
    if (!a.known()) {
      static const std::set<std::string, std::less<>> kPidSources = {"pgrep", "pidof", "cat", "jobs", "head", "tail",
                                                                      "awk", "grep", "cut", "squeue", "sort", "ps"};
      bool from_pid_tools = !a.produced_by.empty();
      for (const auto& p : a.produced_by) from_pid_tools = from_pid_tools && kPidSources.count(p);
      if (from_pid_tools) {
        any_target = true;
        continue;
      }
      j.unknown_argument(a, "the process to signal");
      return;
    }
    const std::string& t = a.text();
    if (t == "-1" || t == "0" || t == "1") {
      j.add("kill-all-processes",
            t == "-1" ? "kill -1 signals every process the user can reach"
                      : (t == "1" ? "kill 1 signals init" : "kill 0 signals the whole process group of the shell"),
            a.span);
      return;
    }
    any_target = true;
  }
  if (j.command.appended_unknown_args) {
    j.add("kill-all-processes", fmt::format("kill gets its process ids at run time from {}", j.command.via));
    return;
  }
  if (!any_target) {
    j.add("read-only", "kill without a process does nothing");
    return;
  }
  j.add("process-signal", "kill signals named processes");
}

void judge_pkill(Judge& j) {
  ParsedArgs p = j.parse(1, {"-u", "-U", "-g", "-G", "-s", "-t", "-P", "--signal", "-o", "-n", "--euid", "--uid",
                             "--pgroup", "--group", "--session", "--terminal", "--parent", "--ns", "-F", "--pidfile"});
  bool by_user = p.value({"-u", "-U", "--euid", "--uid", "-g", "-G", "--pgroup", "--group", "-s", "--session", "-t"}) ||
                 p.has("--user", 'u');
  std::string pattern = p.operands.empty() ? "" : (p.operands[0]->known() ? p.operands[0]->text() : "?");
  bool broad = pattern.empty() || in(pattern, {"python", "python3", "bash", "sh", "zsh", ".", ".*", "?", "-", "ssh",
                                               "sshd", "tmux", "screen", "java", "node", "init", "systemd"});
  if (j.program == "killall5" || (j.program == "killall" && (p.has("--user", 'u') || p.has("", '9') || p.has("", 's') ||
                                                             broad))) {
    j.add("kill-all-processes", fmt::format("{} {} ends every process of that kind, not one identified run", j.program, pattern));
    return;
  }
  if (by_user || broad) {
    j.add("kill-all-processes",
          fmt::format("{} {} matches every process of a user or a common program, not one run", j.program, pattern));
    return;
  }
  j.add("process-signal", fmt::format("{} signals the processes matching '{}'", j.program, pattern));
}

bool judge_system(Judge& j) {
  const std::string& n = j.program;
  std::string s = j.arg(1);
  if (in(n, {"sudo", "sudoedit", "doas", "su", "pkexec", "runuser", "chroot", "setpriv", "newgrp", "sg", "unshare", "nsenter",
             "capsh", "machinectl"})) {
    j.add("privilege-escalation", fmt::format("{} runs commands as another user or in another namespace", n),
          j.command.argv[0].span);
    return true;
  }
  if (in(n, {"shutdown", "reboot", "halt", "poweroff", "telinit", "kexec", "rtcwake", "pm-suspend", "pm-hibernate"}) ||
      (n == "init" && !s.empty()) || (n == "systemctl" && in(s, {"reboot", "poweroff", "halt", "suspend", "hibernate",
                                                                   "kexec", "emergency", "rescue", "isolate",
                                                                   "hybrid-sleep", "soft-reboot", "default"})) ||
      (n == "loginctl" && in(s, {"poweroff", "reboot", "suspend", "hibernate", "terminate-user", "kill-user",
                                 "terminate-session"})) ||
      (n == "scontrol" && s == "reboot")) {
    j.add("power-state", fmt::format("{} {} stops or restarts the machine or the session", n, s));
    return true;
  }
  if (in(n, {"kill"})) {
    judge_kill(j);
    return true;
  }
  if (in(n, {"pkill", "killall", "killall5", "skill", "slay"})) {
    judge_pkill(j);
    return true;
  }
  if (n == "systemctl" || n == "service") {
    std::string verb = n == "service" ? j.arg(2) : s;
    if (n == "service" && s == "--status-all") verb = "status";
    if (in(verb, {"status", "list-units", "list-unit-files", "is-active", "is-enabled", "is-failed", "show", "cat",
                  "list-timers", "list-sockets", "list-dependencies", "--version", "help", ""})) {
      j.add("read-only", fmt::format("{} {} only reads", n, verb));
    } else {
      j.add("system-configuration", fmt::format("{} {} changes the machine's services", n, verb));
    }
    return true;
  }
  if (n == "crontab") {
    if (s == "-l") j.add("read-only", "crontab -l lists the schedule");
    else j.add("system-configuration", fmt::format("crontab {} replaces or removes the user's scheduled jobs", s));
    return true;
  }
  if (in(n, {"iptables", "ip6tables", "iptables-restore", "ip6tables-restore", "nft", "ufw", "firewall-cmd",
             "ebtables", "arptables"})) {
    bool listing = false;
    for (std::size_t i = 1; i < j.command.argv.size(); ++i) {
      const std::string& a = j.arg(i);
      listing = listing || in(a, {"-L", "--list", "-S", "--list-rules", "list", "status", "--state", "--list-all",
                                  "-nL", "-vL", "-nvL"});
    }
    if (listing && !in(s, {"flush", "-F", "--flush", "-X", "reset", "disable"})) j.add("read-only", fmt::format("{} lists rules", n));
    else j.add("system-configuration", fmt::format("{} changes the firewall", n));
    return true;
  }
  if (n == "sysctl") {
    bool writes = false;
    for (std::size_t i = 1; i < j.command.argv.size(); ++i) {
      writes = writes || j.arg(i) == "-w" || j.arg(i).find('=') != std::string::npos || j.arg(i) == "-p" ||
               j.arg(i) == "--system" || j.arg(i) == "--load";
    }
    if (writes) j.add("system-configuration", "sysctl changes kernel settings");
    else j.add("read-only", "sysctl reads kernel settings");
    return true;
  }
  if (in(n, {"modprobe", "insmod", "rmmod", "depmod", "mount", "umount", "swapoff", "swapon", "useradd", "userdel",
             "usermod", "groupadd", "groupdel", "groupmod", "passwd", "chpasswd", "adduser", "deluser", "visudo",
             "update-alternatives", "ldconfig", "setcap", "hostnamectl", "timedatectl", "localectl", "update-grub",
             "grub-install", "efibootmgr", "dmsetup", "auditctl", "setenforce", "aa-disable", "chsh", "chfn",
             "vipw", "pwck", "quotaon", "quotaoff", "tc", "ethtool", "nmcli", "ifconfig", "ifdown", "ifup", "route",
             "ip", "hostname", "date", "hwclock", "journalctl", "dmesg", "nvidia-persistenced", "nvidia-xconfig",
             "service", "update-rc.d", "chkconfig", "sysctl", "lsmod"})) {
    bool read_only = false;
    const auto& argv = j.command.argv;
    if (in(n, {"mount", "swapon"}) && (argv.size() == 1 || s == "--show" || s == "-l" || s == "-s")) read_only = true;
    if (n == "ldconfig" && (s == "-p" || s == "--print-cache")) read_only = true;
    if (in(n, {"hostnamectl", "timedatectl", "localectl"}) && (argv.size() == 1 || s == "status" || starts_with(s, "list") || s == "show")) read_only = true;
    if (n == "ip" && (argv.size() == 1 || in(s, {"a", "addr", "address", "link", "route", "r", "neigh", "-s", "-br",
                                                 "-c", "-4", "-6", "-j"}))) {
      read_only = true;
      for (std::size_t i = 2; i < argv.size(); ++i) {
        if (in(j.arg(i), {"add", "del", "delete", "set", "change", "replace", "flush", "append"})) read_only = false;
      }
    }
    if (in(n, {"ifconfig", "route", "ethtool", "nmcli", "tc"}) && argv.size() <= 2 &&
        !in(s, {"down", "up", "add", "del", "-s", "--change"})) {
      read_only = true;
    }
    if (n == "hostname" && (argv.size() == 1 || (s.size() > 1 && s[0] == '-' && s != "-F" && s != "--file"))) read_only = true;
    if (n == "date" && !(j.parse(1, {}).has("--set", 's'))) {
      read_only = true;
      for (std::size_t i = 1; i < argv.size(); ++i) {
        const std::string& a = j.arg(i);
        if (!a.empty() && a[0] != '-' && a[0] != '+') read_only = false;  // date MMDDhhmm sets the clock
      }
    }
    if (n == "journalctl" && !j.parse(1, {}).has("--vacuum-size") && !j.parse(1, {}).has("--vacuum-time") &&
        !j.parse(1, {}).has("--rotate") && !j.parse(1, {}).has("--flush")) {
      read_only = true;
      for (std::size_t i = 1; i < argv.size(); ++i) {
        if (starts_with(j.arg(i), "--vacuum") || j.arg(i) == "--rotate") read_only = false;
      }
    }
    if (n == "dmesg") {
      read_only = true;
      ParsedArgs p = j.parse(1, {});
      if (p.has("--clear", 'C') || p.has("--read-clear", 'c') || p.has("--console-off", 'D') || p.has("--console-level", 'n')) {
        read_only = false;
      }
    }
    if (n == "lsmod") read_only = true;
    if (read_only) j.add("read-only", fmt::format("{} only reads", n));
    else if (n == "dmesg") j.add("history-tampering", "dmesg --clear erases the kernel log");
    else if (n == "journalctl") j.add("history-tampering", "journalctl --vacuum/--rotate deletes system logs");
    else j.add("system-configuration", fmt::format("{} {} changes the machine's configuration", n, s));
    return true;
  }
  if (n == "history") {
    ParsedArgs p = j.parse(1, {"-d"});
    if (p.has("", 'c') || p.has("", 'd') || p.has("", 'w') || p.has("", 'r') || p.has("", 'a') || p.has("", 'n') ||
        p.has("", 's')) {
      j.add("history-tampering", "history changes or erases the shell history");
    } else {
      j.add("read-only", "history lists past commands");
    }
    return true;
  }
  if (n == "set" || n == "shopt") {
    for (std::size_t i = 1; i + 1 < j.command.argv.size(); ++i) {
      if ((j.arg(i) == "+o" || j.arg(i) == "-u") && j.arg(i + 1) == "history") {
        j.add("history-tampering", "turns shell history off", j.command.argv[i + 1].span);
        return true;
      }
    }
    j.add("shell-state", fmt::format("{} changes shell options", n));
    return true;
  }
  if (n == "unset" || n == "export" || n == "declare" || n == "typeset" || n == "readonly" || n == "local") {
    for (std::size_t i = 1; i < j.command.argv.size(); ++i) {
      std::string name = j.arg(i).substr(0, j.arg(i).find('='));
      if (starts_with(name, "HIST")) {
        j.add("history-tampering", fmt::format("{} {} changes what shell history keeps", n, name), j.command.argv[i].span);
        return true;
      }
      if (in(name, {"PROMPT_COMMAND", "BASH_ENV", "ENV", "LD_PRELOAD", "LD_AUDIT", "PS4", "PYTHONSTARTUP", "PERL5OPT",
                    "NODE_OPTIONS", "GIT_SSH_COMMAND", "PAGER", "EDITOR", "GIT_PAGER", "SHELLOPTS"}) &&
          j.arg(i).find('=') != std::string::npos) {
        j.add("unknown-code", fmt::format("{} {} makes programs run code of its value", n, name), j.command.argv[i].span);
        return true;
      }
    }
    j.add("shell-state", fmt::format("{} changes shell variables", n));
    return true;
  }
  if (n == "trap") {
    j.add("shell-state", "trap sets a handler (its code is judged on its own)");
    return true;
  }
  if (in(n, {"docker", "podman", "nerdctl"})) {
    bool privileged = false;
    for (std::size_t i = 2; i < j.command.argv.size(); ++i) {
      const std::string& a = j.arg(i);
      std::string next = j.arg(i + 1);
      if (a == "--privileged" || starts_with(a, "--pid=host") || (a == "--pid" && next == "host") ||
          starts_with(a, "--cap-add") || starts_with(a, "--security-opt") || starts_with(a, "--userns=host") ||
          ((a == "-v" || a == "--volume") && (starts_with(next, "/:") || starts_with(next, "/etc") ||
                                              starts_with(next, "/var/run/docker.sock") || starts_with(next, "/root"))) ||
          starts_with(a, "-v/:") || starts_with(a, "--volume=/:") || starts_with(a, "--device")) {
        privileged = true;
      }
    }
    if (privileged) {
      j.add("privilege-escalation", fmt::format("{} {} gives the container root access to the host", n, s));
    } else if (in(s, {"ps", "images", "logs", "inspect", "version", "info", "stats", "top", "port", "diff", "history",
                      "search", "events"})) {
      j.add("read-only", fmt::format("{} {} only reads", n, s));
    } else if (in(s, {"run", "exec", "compose", "start"})) {
      j.add("training-launch", fmt::format("{} {} starts a container", n, s));
    } else {
      j.add("write-in-project", fmt::format("{} {} changes containers or images", n, s));
    }
    return true;
  }
  return false;
}

// ---- network -----------------------------------------------------------------------------------

bool judge_network_tools(Judge& j) {
  const std::string& n = j.program;
  if (in(n, {"nc", "ncat", "netcat", "socat", "telnet", "curl", "wget", "aria2c", "http", "https", "httpie", "xh",
             "scp", "rsync", "sftp", "rclone", "ftp", "lftp", "aws", "gsutil", "gcloud", "az", "s3cmd", "mc", "azcopy"})) {
    j.line.network = true;
  }
  if (in(n, {"nc", "ncat", "netcat", "socat", "telnet"})) {
    for (std::size_t i = 1; i < j.command.argv.size(); ++i) {
      const std::string& a = j.arg(i);
      if (in(a, {"-e", "-c", "--exec", "--sh-exec", "--lua-exec"}) || starts_with(a, "exec:") ||
          starts_with(a, "EXEC:") || starts_with(a, "system:") || starts_with(a, "SYSTEM:")) {
        j.add("reverse-shell", fmt::format("{} {} connects a program's input and output to the network", n, a),
              j.command.argv[i].span);
        return true;
      }
    }
    j.add("network-access", fmt::format("{} opens a network connection", n));
    return true;
  }
  if (in(n, {"curl", "wget", "aria2c", "http", "https", "httpie", "xh", "lynx", "w3m"})) {
    ParsedArgs p = j.parse(1, {"-o", "--output", "-O", "--output-document", "-P", "--directory-prefix", "--output-dir",
                               "-d", "--data", "--data-binary", "--data-raw", "--data-urlencode", "-F", "--form", "-T",
                               "--upload-file", "-H", "--header", "-u", "--user", "-X", "--request", "-A",
                               "--user-agent", "-e", "--referer", "-b", "--cookie", "-c", "--cookie-jar", "-K",
                               "--config", "-x", "--proxy", "--dir", "--out", "-a", "--append-output", "--post-file",
                               "--body-file", "--load-cookies", "--save-cookies", "-w", "--write-out", "-m",
                               "--max-time", "--retry", "-r", "--range", "--connect-timeout"});
    // Files it writes.
    if (n == "curl") {
      if (const ArgValue* o = p.value({"-o", "--output"})) j.judge_write_target(*o, "curl saves to");
      if (const ArgValue* d = p.value({"--output-dir"})) j.judge_write_target(*d, "curl saves into");
      if (const ArgValue* c = p.value({"-c", "--cookie-jar"})) j.judge_write_target(*c, "curl saves cookies to");
      for (const auto& o : p.options) {
        if (o.size() > 2 && o[0] == '-' && o[1] == 'o') {
          ArgValue v;
          v.values = {o.substr(2)};
          v.display = v.values[0];
          v.span = j.command.span;
          j.judge_write_target(v, "curl saves to");
        }
      }
    } else if (n == "wget") {
      if (const ArgValue* o = p.value({"-O", "--output-document"})) {
        if (!(o->known() && o->text() == "-")) j.judge_write_target(*o, "wget saves to");
      } else if (const ArgValue* d = p.value({"-P", "--directory-prefix"})) {
        j.judge_write_target(*d, "wget saves into");
      } else {
        ArgValue here;
        here.values = {"."};
        here.display = ".";
        here.span = j.command.span;
        j.judge_write_target(here, "wget saves into");
      }
      for (const auto& o : p.options) {
        if (starts_with(o, "--output-document=") && o != "--output-document=-") {
          ArgValue v;
          v.values = {o.substr(18)};
          v.display = v.values[0];
          v.span = j.command.span;
          j.judge_write_target(v, "wget saves to");
        }
      }
    } else if (n == "aria2c") {
      if (const ArgValue* d = p.value({"-d", "--dir"})) j.judge_write_target(*d, "aria2c saves into");
    }
    // Uploads of local files: -d @file, -F x=@file, -T file.
    for (auto opt : {"-d", "--data", "--data-binary", "-F", "--form", "-T", "--upload-file", "--post-file",
                     "--body-file", "--data-urlencode"}) {
      if (const ArgValue* v = p.value({opt})) {
        std::string text = v->known() ? v->text() : "";
        std::size_t at = text.find('@');
        std::string file = opt == std::string_view("-T") || opt == std::string_view("--upload-file") ||
                                   opt == std::string_view("--post-file") || opt == std::string_view("--body-file")
                               ? text
                               : (at == std::string::npos ? "" : text.substr(at + 1));
        if (!file.empty()) {
          ArgValue f;
          f.values = {file};
          f.display = file;
          f.span = v->span;
          for (const PlacedPath& placed : j.place(f)) {
            if (placed.credential) {
              j.add("credential-tampering", fmt::format("{} uploads {}, which holds credentials", n, placed.shown), v->span);
            }
          }
        }
      }
    }
    j.add("network-access", fmt::format("{} downloads or uploads", n));
    return true;
  }
  if (in(n, {"scp", "rsync", "sftp", "rclone", "ftp", "lftp"})) {
    ParsedArgs p = j.parse(1, {"-P", "-p", "-i", "-o", "-F", "-J", "-l", "-c", "-e", "--rsh", "--exclude", "--include",
                               "--filter", "-f", "--log-file", "--temp-dir", "-T", "--backup-dir", "--partial-dir",
                               "--chmod", "--chown", "--timeout", "--bwlimit", "--config"});
    std::vector<const ArgValue*> operands = p.operands;
    std::size_t skip = n == "rclone" ? 1 : 0;  // rclone SUBCOMMAND SRC DST
    std::string rclone_verb = n == "rclone" && !operands.empty() && operands[0]->known() ? operands[0]->text() : "";
    if (skip <= operands.size()) operands.erase(operands.begin(), operands.begin() + static_cast<std::ptrdiff_t>(skip));
    bool deletes = p.has("--delete") || p.has("--delete-before") || p.has("--delete-after") || p.has("--delete-during") ||
                   p.has("--remove-source-files") || in(rclone_verb, {"sync", "delete", "purge", "deletefile", "move", "rmdir", "rmdirs", "cleanup"});
    if (in(rclone_verb, {"ls", "lsd", "lsl", "lsf", "size", "about", "listremotes", "cat", "check", "tree", "config",
                         "version", "md5sum", "sha1sum"})) {
      j.add("read-only", fmt::format("rclone {} only reads", rclone_verb));
      return true;
    }
    if (!operands.empty()) {
      const ArgValue& dest = *operands.back();
      bool remote = dest.known() && dest.text().find(':') != std::string::npos && dest.text()[0] != '/' &&
                    dest.text().find('/') > dest.text().find(':');
      if (remote) {
        if (deletes) j.add("delete-outside-project", fmt::format("{} deletes files on the remote side", n), dest.span);
      } else if (operands.size() >= 2 || n == "rclone") {
        j.judge_write_target(dest, fmt::format("{} writes to", n));
        if (deletes) j.judge_delete_target(dest, fmt::format("{} --delete removes files under", n), true, true);
      }
      for (std::size_t i = 0; i + 1 < operands.size(); ++i) {
        for (const PlacedPath& placed : j.place(*operands[i])) {
          if (placed.credential) {
            j.add("credential-tampering", fmt::format("{} copies {}, which holds credentials", n, placed.shown),
                  operands[i]->span);
          }
        }
        if (p.has("--remove-source-files") || rclone_verb == "move") j.judge_delete_target(*operands[i], fmt::format("{} moves away", n), true, true);
      }
    }
    j.add("network-access", fmt::format("{} copies files between machines", n));
    return true;
  }
  if (in(n, {"huggingface-cli", "hf"})) {
    std::string s = j.arg(1);
    if (in(s, {"login", "logout"}) || (s == "auth" && in(j.arg(2), {"login", "logout", "switch"}))) {
      j.add("tool-settings", fmt::format("{} {} stores or removes the Hub token through its own command", n, s));
    } else if (in(s, {"whoami", "env", "scan-cache", "version", "--help", ""})) {
      j.add("read-only", fmt::format("{} {} only reads", n, s));
    } else if (s == "download") {
      ParsedArgs p = j.parse(2, {"--local-dir", "--cache-dir", "--revision", "--include", "--exclude", "--repo-type", "--token"});
      if (const ArgValue* d = p.value({"--local-dir"})) j.judge_write_target(*d, "huggingface-cli download saves into");
      j.add("network-access", fmt::format("{} download fetches a model or dataset into the cache", n));
    } else if (s == "delete-cache") {
      j.add("delete-in-project", fmt::format("{} delete-cache deletes cached models (after its own prompt)", n));
    } else {
      j.add("network-access", fmt::format("{} {} talks to the Hugging Face Hub", n, s));
    }
    return true;
  }
  if (in(n, {"aws", "gsutil", "gcloud", "az", "s3cmd", "mc", "azcopy"})) {
    std::string joined;
    for (std::size_t i = 1; i < j.command.argv.size() && i < 4; ++i) joined += j.arg(i) + " ";
    bool destroys = joined.find(" rm ") != std::string::npos || starts_with(joined, "rm ") ||
                    joined.find(" rb ") != std::string::npos || joined.find("delete") != std::string::npos ||
                    joined.find(" rsync -d") != std::string::npos || joined.find("remove") != std::string::npos;
    for (std::size_t i = 1; i < j.command.argv.size(); ++i) {
      destroys = destroys || j.arg(i) == "--delete" || (j.arg(i) == "-d" && n == "gsutil");
    }
    if (destroys) {
      j.add("delete-outside-project", fmt::format("{} {}deletes data in cloud storage", n, joined));
    } else if (joined.find(" ls") != std::string::npos || starts_with(joined, "ls") || joined.find("describe") != std::string::npos ||
               joined.find(" list") != std::string::npos || starts_with(joined, "cat")) {
      j.add("read-only", fmt::format("{} {}only reads", n, joined));
    } else {
      j.add("network-access", fmt::format("{} {}transfers data", n, joined));
    }
    return true;
  }
  if (in(n, {"ping", "dig", "nslookup", "host", "traceroute", "tracepath", "mtr", "whois", "ss", "netstat", "lsof",
             "ibstat", "ibv_devinfo", "ibstatus", "iblinkinfo", "nvidia-smi-topo"})) {
    j.add("read-only", fmt::format("{} only reads network state", n));
    return true;
  }
  if (in(n, {"ssh", "autossh", "mosh"})) {
    j.line.network = true;
    // With a command, what runs remotely was read and is judged command by command.
    if (!j.command.nested_code) j.add("remote-command", fmt::format("{} opens a session on another machine", n));
    return true;
  }
  if (in(n, {"ssh-keygen", "ssh-copy-id", "ssh-add", "ssh-agent", "ssh-keyscan"})) {
    ParsedArgs p = j.parse(1, {"-f", "-t", "-b", "-C", "-N", "-P", "-i", "-O", "-a", "-Z", "-E", "-n", "-V", "-z", "-I",
                               "-s", "-R", "-F", "-p", "-o"});
    bool reading = n == "ssh-keyscan" || n == "ssh-agent" || p.has("", 'l') || p.has("", 'y') || p.has("", 'F') ||
                   (n == "ssh-add" && (p.has("", 'l') || p.has("", 'L')));
    if (reading) {
      j.add("read-only", fmt::format("{} only reads keys", n));
    } else if (const ArgValue* f = p.value({"-f"}); f && n == "ssh-keygen") {
      j.judge_write_target(*f, "ssh-keygen writes a key to");
      for (const PlacedPath& placed : j.place(*f)) {
        if (placed.place == PathPlace::kInsideProject) j.add("secret-read", "ssh-keygen writes a private key into the project");
      }
    } else {
      j.add("credential-tampering", fmt::format("{} changes SSH keys or authorized_keys", n));
    }
    return true;
  }
  if (n == "wandb") {
    std::string s = j.arg(1);
    if (in(s, {"status", "--version", "verify", "version", ""})) j.add("read-only", "wandb status only reads");
    else if (in(s, {"login", "logout", "offline", "online", "disabled", "enabled"})) j.add("tool-settings", fmt::format("wandb {} changes its own settings", s));
    else if (in(s, {"agent", "sweep", "launch"})) j.add("training-launch", fmt::format("wandb {} starts training runs", s));
    else j.add("network-access", fmt::format("wandb {} talks to Weights & Biases or changes its settings", s));
    return true;
  }
  return false;
}

// ---- GPUs, jobs and launchers -----------------------------------------------------------------

bool python_script_trains(const std::string& script) {
  std::string base = program_base_name(script);
  for (auto w : {"train", "finetune", "fine_tune", "pretrain", "eval", "test", "launch", "run", "main", "fit", "sft",
                 "dpo", "ppo", "rlhf", "infer", "predict", "generate", "benchmark", "sample"}) {
    if (base.find(w) != std::string::npos) return true;
  }
  return false;
}

bool judge_python_program(Judge& j) {
  if (!is_interpreter_program(j.program)) return false;
  const auto& argv = j.command.argv;
  bool version_only = argv.size() > 1;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    version_only = version_only && in(j.arg(i), {"--version", "-V", "-VV", "-h", "--help", "-v"});
  }
  if (version_only) {
    j.add("read-only", fmt::format("{} {} prints its version or help", j.program, j.arg(1)));
    return true;
  }
  // python -m MODULE ...
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = j.arg(i);
    if (a == "-m" || (starts_with(a, "-m") && a.size() > 2)) {
      std::string module = a == "-m" ? j.arg(i + 1) : a.substr(2);
      std::size_t rest = a == "-m" ? i + 2 : i + 1;
      if (in(module, {"pip", "pip3"})) {
        judge_pip(j, rest);
      } else if (in(module, {"torch.distributed.run", "torch.distributed.launch", "accelerate.commands.launch",
                             "deepspeed.launcher.runner", "lightning", "torchrun"})) {
        j.add("training-launch", fmt::format("python -m {} launches distributed training", module));
      } else if (in(module, {"torch.utils.collect_env", "json.tool", "site", "sysconfig", "platform", "pydoc",
                             "tokenize", "dis", "timeit", "torch.__config__", "pstats", "tabnanny", "pyclbr",
                             "transformers.commands.env", "accelerate.commands.env", "deepspeed.env_report",
                             "bitsandbytes", "xformers.info"})) {
        j.add("read-only", fmt::format("python -m {} only reports", module));
      } else if (in(module, {"http.server", "SimpleHTTPServer", "jupyter", "notebook", "jupyterlab", "tensorboard.main",
                             "tensorboard", "smtpd", "gradio", "streamlit"})) {
        j.add("long-running", fmt::format("python -m {} starts a server", module));
      } else if (in(module, {"venv", "virtualenv", "ensurepip", "compileall", "py_compile", "zipapp"})) {
        j.add("write-in-project", fmt::format("python -m {} writes files", module));
      } else if (module.empty()) {
        j.unknown_argument(argv[i + 1 < argv.size() ? i + 1 : i], "the module to run");
      } else {
        j.add("training-launch", fmt::format("python -m {} runs the project's module", module));
      }
      return true;
    }
  }
  // python SCRIPT ...: the first operand.
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (!argv[i].known()) {
      j.unknown_argument(argv[i], "the script to run");
      return true;
    }
    const std::string& a = j.arg(i);
    if (in(a, {"-W", "-X"})) {
      ++i;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') continue;
    if (a == "-") return true;  // code on stdin: judged as code
    if (!argv[i].produced_by.empty()) {
      j.add("download-and-execute", fmt::format("{} runs a script produced by {}", j.program, argv[i].produced_by.front()),
            argv[i].span);
      return true;
    }
    j.add(python_script_trains(a) ? "training-launch" : "script-execution",
          fmt::format("{} runs the script {}", j.program, a), argv[i].span);
    return true;
  }
  if (!j.command.code.present) j.add("script-execution", fmt::format("starts an interactive {}", j.program));
  return true;
}

bool judge_gpu_tools(Judge& j) {
  const std::string& n = j.program;
  if (n == "nvidia-smi") {
    const auto& argv = j.command.argv;
    std::string sub = argv.size() > 1 && !j.arg(1).empty() && j.arg(1)[0] != '-' ? j.arg(1) : "";
    bool changes = false;
    std::string what;
    for (std::size_t i = 1; i < argv.size(); ++i) {
      const std::string& a = j.arg(i);
      std::string name = a.substr(0, a.find('='));
      bool top_level = sub.empty();
      if ((top_level && in(name, {"-r", "--gpu-reset", "-pm", "--persistence-mode", "-pl", "--power-limit", "-c",
                                  "--compute-mode", "-e", "--ecc-config", "-p", "--reset-ecc-errors", "-ac",
                                  "--applications-clocks", "-rac", "--reset-applications-clocks", "-lgc",
                                  "--lock-gpu-clocks", "-rgc", "--reset-gpu-clocks", "-lmc", "--lock-memory-clocks",
                                  "-rmc", "--reset-memory-clocks", "-am", "--accounting-mode", "-caa",
                                  "--clear-accounted-apps", "--auto-boost-default", "--auto-boost-permission",
                                  "-mig", "--multi-instance-gpu", "-dm", "--driver-model", "-fdm", "--cuda-clocks",
                                  "-cc", "--gom", "--gpu-operation-mode"})) ||
          (sub == "mig" && in(name, {"-cgi", "-dgi", "-cci", "-dci", "--create-gpu-instance", "--destroy-gpu-instance",
                                     "--create-compute-instance", "--destroy-compute-instance"})) ||
          (in(sub, {"drain", "clocks", "nvlink"}) && in(name, {"-m", "--mode", "-r", "--reset", "-sc", "--set"}))) {
        changes = true;
        what = a;
      }
      if ((a == "-f" || a == "--filename") && i + 1 < argv.size()) j.judge_write_target(argv[i + 1], "nvidia-smi logs to");
    }
    if (changes) j.add("gpu-settings", fmt::format("nvidia-smi {} changes GPU state", what));
    else j.add("read-only", "nvidia-smi only queries the GPUs");
    return true;
  }
  if (in(n, {"nvtop", "gpustat", "nvitop", "rocm-smi", "amd-smi", "dcgmi", "nvidia-debugdump", "nvcc", "xpu-smi",
             "hl-smi", "deviceQuery", "clinfo", "vulkaninfo", "nsys", "ncu"})) {
    bool sets = false;
    for (std::size_t i = 1; i < j.command.argv.size(); ++i) {
      const std::string& a = j.arg(i);
      sets = sets || starts_with(a, "--set") || starts_with(a, "--reset") || (a == "-r" && n == "rocm-smi");
    }
    if (sets) j.add("gpu-settings", fmt::format("{} changes GPU state", n));
    else if (n == "nvcc" && !in(j.arg(1), {"--version", "-V", "--help", "-h", "--list-gpu-arch", "--list-gpu-code"})) {
      j.add("write-in-project", "nvcc compiles and writes outputs");
    } else if (in(n, {"nsys", "ncu"})) {
      j.add("training-launch", fmt::format("{} profiles a program it runs", n));
    } else {
      j.add("read-only", fmt::format("{} only queries the GPUs", n));
    }
    return true;
  }
  if (in(n, {"torchrun", "deepspeed", "horovodrun", "mpirun", "mpiexec", "composer", "lightning", "ray", "sky",
             "colossalai", "tune", "litgpt", "axolotl", "llamafactory-cli", "olmo", "nemo", "srun", "salloc",
             "sbatch", "qsub", "bsub", "flux", "torchx", "composer_launch"})) {
    if (n == "ray" && in(j.arg(1), {"status", "list", "summary", "memory", "timeline"})) {
      j.add("read-only", fmt::format("ray {} only reports", j.arg(1)));
    } else if (n == "sbatch" && j.command.argv.size() > 1) {
      j.add("training-launch", fmt::format("sbatch submits {} to the Slurm queue", j.command.argv.back().display));
    } else {
      j.add("training-launch", fmt::format("{} launches training or a job", n));
    }
    return true;
  }
  if (n == "accelerate") {
    std::string s = j.arg(1);
    if (in(s, {"env", "--version", "-h", "--help", "estimate-memory"})) j.add("read-only", fmt::format("accelerate {} only reports", s));
    else if (s == "config") j.add("tool-settings", "accelerate config writes its own settings under ~/.cache/huggingface");
    else j.add("training-launch", fmt::format("accelerate {} launches training", s));
    return true;
  }
  if (in(n, {"squeue", "sinfo", "sacct", "sstat", "sshare", "sprio", "sreport", "sdiag", "seff", "qstat", "bjobs",
             "bqueues", "showq", "sview"})) {
    j.add("read-only", fmt::format("{} only reads the job queue", n));
    return true;
  }
  if (n == "scancel" || n == "qdel" || n == "bkill") {
    ParsedArgs p = j.parse(1, {"-u", "--user", "-A", "--account", "-p", "--partition", "-n", "--name", "-t", "--state",
                               "-q", "--qos", "-w", "--nodelist", "-s", "--signal"});
    if (p.value({"-u", "--user", "-A", "--account", "-p", "--partition"}) || p.has("--me") ||
        (p.operands.empty() && !p.value({"-n", "--name"}))) {
      j.add("kill-all-processes", fmt::format("{} cancels every job of a user, account or partition", n));
    } else {
      j.add("process-signal", fmt::format("{} cancels the named jobs", n));
    }
    return true;
  }
  if (n == "scontrol") {
    std::string s = j.arg(1);
    if (in(s, {"show", "ping", "version", "listpids", "-V", "--version"})) j.add("read-only", "scontrol show only reads");
    else if (in(s, {"shutdown", "takeover"})) j.add("system-configuration", fmt::format("scontrol {} stops the Slurm controller", s));
    else j.add("process-signal", fmt::format("scontrol {} changes jobs or nodes", s));
    return true;
  }
  if (in(n, {"tensorboard", "jupyter", "jupyter-lab", "jupyter-notebook", "jupyterlab", "streamlit", "gradio",
             "mlflow", "aim", "code-server", "ipcluster", "voila", "panel", "optuna-dashboard", "http-server",
             "serve", "vllm", "tritonserver", "text-generation-launcher", "ollama"})) {
    if (n == "mlflow" && !in(j.arg(1), {"ui", "server"})) j.add("network-access", fmt::format("mlflow {} talks to a tracking server", j.arg(1)));
    else if (n == "jupyter" && (in(j.arg(1), {"--version", "kernelspec", "--paths", "troubleshoot"}) ||
                                in(j.arg(2), {"list", "--version"}))) {
      j.add("read-only", "jupyter only reports");
    }
    else j.add("long-running", fmt::format("{} starts a server that runs until stopped", n));
    return true;
  }
  if (in(n, {"tmux", "screen", "byobu", "nohup-run"})) {
    std::string s = j.arg(1);
    if (in(s, {"ls", "list-sessions", "-ls", "-list", "list-windows", "has-session", "attach", "a", "attach-session",
               "-r", "-x", "capture-pane"})) {
      j.add("read-only", fmt::format("{} {} only looks at sessions", n, s));
    } else {
      j.add("long-running", fmt::format("{} {} starts or changes a detached session", n, s));
    }
    return true;
  }
  if (n == "sleep") {
    double seconds = 0;
    bool known = true;
    for (std::size_t i = 1; i < j.command.argv.size(); ++i) {
      const std::string& a = j.arg(i);
      if (a.empty()) {
        known = false;
        continue;
      }
      double factor = 1;
      std::string number = a;
      char unit = a.back();
      if (unit == 's' || unit == 'm' || unit == 'h' || unit == 'd') {
        factor = unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 1;
        number.pop_back();
      }
      char* end = nullptr;
      double value = number == "infinity" ? 1e9 : std::strtod(number.c_str(), &end);
      if (number == "infinity" || (!number.empty() && end == number.c_str() + number.size() &&
                                   number.find_first_not_of("0123456789.") == std::string::npos)) {
        seconds += value * factor;
      } else {
        known = false;
      }
    }
    if (!known || seconds >= 60) j.add("long-running", "sleep waits a long time");
    else j.add("read-only", "sleep waits briefly");
    return true;
  }
  if (in(n, {"make", "cmake", "ninja", "bazel", "just", "task", "invoke", "nox", "tox", "pytest", "py.test"})) {
    for (std::size_t i = 1; i < j.command.argv.size(); ++i) {
      const std::string& a = j.arg(i);
      if (n == "make" && (a == "--eval" || a == "-E" || starts_with(a, "--eval="))) {
        j.add("interpreter-dangerous-code", "make --eval runs make code written on the command line", j.command.argv[i].span);
        return true;
      }
    }
    std::string target = j.command.argv.size() > 1 ? j.arg(1) : "";
    if (n == "make" && (in(target, {"-n", "--dry-run", "--just-print", "-p", "-q", "--version", "-v"}))) {
      j.add("read-only", "make only prints what it would do");
    } else {
      j.add("script-execution", fmt::format("{} {} runs the project's own build or task recipe", n, target));
    }
    return true;
  }
  return false;
}

// ---- read-only inspection ----------------------------------------------------------------------

const std::set<std::string, std::less<>>& read_only_programs() {
  static const std::set<std::string, std::less<>> kPrograms = {
      "ls", "ll", "la", "dir", "vdir", "cat", "tac", "head", "tail", "less", "more", "most", "bat", "batcat", "wc",
      "grep", "egrep", "fgrep", "rg", "ag", "ack", "zgrep", "zcat", "zless", "xzcat", "bzcat", "cut", "tr", "column",
      "paste", "join", "comm", "fold", "fmt", "nl", "expand", "unexpand", "rev", "od", "hexdump", "hd", "strings",
      "file", "stat", "du", "df", "free", "vmstat", "iostat", "mpstat", "pidstat", "top", "htop", "btop", "atop",
      "glances", "ps", "pgrep", "pidof", "pstree", "uptime", "w", "who", "whoami", "id", "groups", "uname",
      "lscpu", "lsblk", "lspci", "lsusb", "lsmem", "lshw", "nproc", "arch", "cal", "printenv", "echo", "printf",
      "pwd", "realpath", "readlink", "basename", "dirname", "which", "whereis", "type", "locate", "tree", "diff",
      "cmp", "colordiff", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum",
      "sum", "base64", "base32", "basenc", "jq", "numfmt", "seq", "yes", "true", "false", "test", "[", "[[", "expr",
      "bc", "getent", "locale", "ulimit", "last", "lastlog", "iotop", "sar", "numastat", "smartctl", "ldd", "objdump",
      "nm", "readelf", "python-config", "python3-config", "tty", "stty", "env", "whatis", "apropos", "man", "info",
      "help", "cd", "pushd", "popd", "dirs", "alias", "unalias", "hash", "wait", "jobs", "fg", "bg", "disown",
      "read", "getopts", "shift", "exit", "return", "break", "continue", ":", "umask", "times", "command", "builtin",
      "exec", "nohup", "time", "nice", "ionice", "timeout", "stdbuf", "setsid", "unbuffer", "chronic", "watch",
      "xargs", "parallel", "xvfb-run", "strace", "ltrace", "valgrind", "taskset", "numactl", "chrt", "flock",
      "catchsegv", "caffeinate", "perf", "gdb", "cgdb", "busybox", "toybox", "systemd-run", "conda-run", "sort",
      "uniq", "shuf", "tsort", "xxd", "iconv", "dos2unix-check", "csvlook", "csvstat", "mlr", "xsv", "qsv", "yq",
      "vim-read", "view", "lsattr", "getfacl", "findmnt", "blkid", "lsns", "lslocks", "lsipc", "free", "nvidia-container-cli",
      "hyperfine", "md5", "shasum", "tput", "clear", "reset", "sync", "logname", "users", "finger", "mesg", "wall",
      "beep", "look", "units", "factor", "pr", "ts", "pv", "ncdu", "duf", "dust", "fd", "fdfind", "exa", "eza", "lsd",
      "highlight", "pygmentize", "h5dump", "h5ls", "safetensors", "parquet-tools", "identify", "ffprobe", "mediainfo",
      "exiftool", "pdfinfo", "trainctl", "git-lfs-check", "nvidia-smi-query", "sqlite3-read", "source-highlight",
  };
  return kPrograms;
}

void judge_read_only_program(Judge& j) {
  const std::string& n = j.program;
  if (in(n, {"cd", "pushd", "popd", "dirs", "alias", "unalias", "hash", "umask", "shift", "getopts", "read", "wait",
             "jobs", "fg", "bg", "disown", "exit", "return", "break", "continue", ":", "true", "false", "times"})) {
    j.add("shell-state", fmt::format("{} changes or reads only the shell's own state", n));
    return;
  }
  for (std::size_t i = 1; i < j.command.argv.size(); ++i) {
    const ArgValue& a = j.command.argv[i];
    if (!a.known() || a.text().empty() || a.text()[0] == '-') continue;
    for (const PlacedPath& p : j.place(a)) {
      if (p.credential && !p.history) {
        j.add("secret-read", fmt::format("{} reads {}, which holds credentials", n, p.shown), a.span);
        if (!j.line.secret_read) j.line.secret_span = a.span;
        j.line.secret_read = true;
      }
    }
  }
  // Read-only tools that write when asked.
  if (n == "sort") {
    ParsedArgs p = j.parse(1, {"-o", "--output", "-k", "--key", "-t", "--field-separator", "-S", "--buffer-size", "-T",
                               "--temporary-directory", "--parallel", "--batch-size", "--compress-program"});
    if (const ArgValue* o = p.value({"-o", "--output"})) {
      j.judge_write_target(*o, "sort writes to");
      return;
    }
    if (p.value({"--compress-program"})) {
      j.add("interpreter-dangerous-code", "sort --compress-program runs a program");
      return;
    }
  }
  if (n == "uniq") {
    ParsedArgs p = j.parse(1, {"-f", "-s", "-w", "--skip-fields", "--skip-chars", "--check-chars"});
    if (p.operands.size() >= 2) {
      j.judge_write_target(*p.operands[1], "uniq writes to");
      return;
    }
  }
  if (n == "xxd") {
    ParsedArgs p = j.parse(1, {"-c", "-g", "-l", "-o", "-s", "-n"});
    if (p.operands.size() >= 2) {
      j.judge_write_target(*p.operands[1], "xxd writes to");
      return;
    }
  }
  if (n == "yq") {
    ParsedArgs p = j.parse(1);
    if (p.has("--inplace", 'i')) {
      for (std::size_t k = 1; k < p.operands.size(); ++k) j.judge_write_target(*p.operands[k], "yq -i edits");
      return;
    }
  }
  if (n == "env" && j.command.argv.size() > 1) {
    // env with a command: the command is judged on its own entry.
    return;
  }
  if (in(n, {"nohup", "time", "nice", "ionice", "timeout", "stdbuf", "setsid", "unbuffer", "chronic", "watch", "xargs",
             "parallel", "xvfb-run", "strace", "ltrace", "valgrind", "taskset", "numactl", "chrt", "flock",
             "catchsegv", "caffeinate", "perf", "gdb", "cgdb", "busybox", "toybox", "systemd-run", "exec", "command",
             "builtin"}) && j.command.argv.size() > 1) {
    if (n == "systemd-run") j.add("long-running", "systemd-run starts a unit that outlives the command");
    if (n == "exec") return;
    if (n == "command" && in(j.arg(1), {"-v", "-V"})) j.add("read-only", "command -v looks a program up");
    return;  // the wrapped command is judged on its own entry
  }
  if (n == "tail") {
    j.add("read-only", "tail reads files (following them with -f until stopped)");
    return;
  }
  if (in(n, {"top", "htop", "btop", "atop", "glances", "iotop", "less", "more", "most", "watch", "yes"})) {
    j.add("read-only", fmt::format("{} only displays (it runs until stopped)", n));
    return;
  }
  j.add("read-only", fmt::format("{} only reads and prints", n));
}

}  // namespace

bool judge_git(Judge& j) {
  if (j.program != "git") return false;
  judge_git_command(j);
  return true;
}

bool judge_packages(Judge& j) { return judge_package_manager(j); }

bool judge_processes_and_system(Judge& j) { return judge_system(j); }

bool judge_network(Judge& j) { return judge_network_tools(j); }

bool judge_gpu_and_jobs(Judge& j) { return judge_python_program(j) || judge_gpu_tools(j); }

bool judge_read_only(Judge& j) {
  if (!read_only_programs().count(j.program)) return false;
  judge_read_only_program(j);
  return true;
}

}  // namespace trainctl::safety
