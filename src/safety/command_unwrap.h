// Knows which programs run other programs, and how: wrappers that run their arguments as a
// command (env, nohup, timeout, nice, xargs, find -exec, sudo, srun, ...), programs that run a
// string as shell code (sh -c, eval, watch, ssh, su -c), and interpreters given code inline or
// on stdin (python -c, perl -e, node -e, awk). The evaluator follows what this returns, so that
// every command a line can run is judged, however deeply it is wrapped.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "safety/evaluated_command.h"

namespace trainctl::safety {

// What arrives on the command's standard input, as far as it is known.
struct StdinInfo {
  bool present = false;               // a pipe, here-document, here-string or < file
  bool known = false;                 // text is exactly what arrives
  std::string text;
  std::string source;                 // "pipe from echo", "here-document", "file x"
  std::vector<std::string> producers; // programs whose output it is, nearest first
};

// A command run by a wrapper, with its own arguments.
struct InnerCommand {
  std::vector<ArgValue> argv;
  std::string via;                    // "env", "xargs", "find -exec", "sudo", ...
  bool appended_unknown_args = false;
  bool under_privilege = false;
  std::vector<std::pair<std::string, ArgValue>> assignments;  // env NAME=value
  std::optional<std::string> cwd;     // env -C DIR
};

// A string run as shell code.
struct ShellCode {
  ArgValue code;                      // known() when the text is known; may be a join of several words
  bool joined = false;                // made by joining words (eval a b, ssh host a b): spans are the words'
  std::string via;                    // "sh -c", "eval", "watch", "ssh", "su -c", "alias"
  bool remote = false;
  bool under_privilege = false;
};

struct Unwrapped {
  std::vector<InnerCommand> commands;
  std::vector<ShellCode> shell_code;
  CodeInput code;                     // interpreter code (python -c, perl -e, awk program, stdin)
  bool shell_reads_stdin = false;     // a shell with no -c and no script: runs its stdin
  std::optional<ArgValue> script_file;  // bash FILE, source FILE: a file of shell code to read
};

Unwrapped unwrap_command(const std::vector<ArgValue>& argv, const StdinInfo& stdin_info);

// Program names, for the policy: shells and code interpreters.
bool is_shell_program(const std::string& program);
bool is_interpreter_program(const std::string& program);
std::string program_base_name(const std::string& argv0);

}  // namespace trainctl::safety
