// What the evaluator finds in a command line: every simple command the line can run, with its
// words expanded as far as they can be known at check time. A word that depends on something
// unknown (a variable set elsewhere, a substitution) says so; nothing unknown is ever guessed
// to be harmless. The policy judges these, never the raw text.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "safety/shell_ast.h"

namespace trainctl::safety {

// One argument after expansion.
struct ArgValue {
  Span span;                         // where it is written in the checked line
  std::string display;               // how it reads: the value, or the source text when unknown
  std::vector<std::string> values;   // its possible values when known (usually one); empty when unknown
  bool unknown = false;              // depends on something unknown at check time
  bool may_split = false;            // an unquoted unknown expansion: may become several words or options
  bool glob = false;                 // contains unquoted glob characters (kept in values)
  std::string known_prefix;          // the literal text before the first unknown part
  std::vector<std::string> produced_by;  // programs whose output makes up this word ($(...), <(...))
  std::vector<std::string> within;   // unknown, but certainly a path under one of these (find -exec {})
  bool within_filtered = false;      // ... and only those matching a name/path/time filter

  bool known() const { return !unknown && !values.empty(); }
  const std::string& text() const { return values.empty() ? display : values.front(); }
};

struct EvaluatedRedirect {
  Span span;
  std::string op;                    // as in the tree: ">", ">>", "<", "&>", ...
  int fd = -1;
  ArgValue target;                   // the file (or fd text for >&N)
};

// The code an interpreter or shell is given (-c string, here-document, pipe, script file).
struct CodeInput {
  bool present = false;
  bool known = false;                // text holds the whole code
  std::string language;              // "python", "perl", "ruby", "javascript", "php", "lua", "r", "awk", "sed"
  bool unknown_part = false;         // some piece of it is only known at run time
  std::string text;
  std::string source;                // "-c", "-e", "here-document", "pipe from echo", "file scripts/x.sh"
  std::vector<std::string> producers;  // programs whose output is the code (curl, base64, ...)
  Span span;
};

struct EvaluatedCommand {
  std::vector<ArgValue> argv;        // argv[0] is the program as written (path kept)
  std::vector<EvaluatedRedirect> redirects;
  std::vector<std::pair<std::string, ArgValue>> assignments;  // NAME=value before the command
  Span span;                         // the command in the checked line
  std::string via;                   // how the line reaches it: "" directly, else "sh -c", "xargs", "$(...)", ...
  std::string cwd;                   // the directory it runs in, when known
  bool cwd_unknown = false;
  bool appended_unknown_args = false;  // xargs, find -exec {}: more arguments come at run time
  bool under_privilege = false;      // reached through sudo/doas/su
  bool remote = false;               // runs on another machine (ssh host CMD)
  CodeInput code;                    // for shells and interpreters: the code they run
  bool nested_code = false;          // it runs shell code that was read and judged command by command
  std::vector<std::string> stdin_producers;  // programs piped into this one, nearest first

  // The program's base name ("/usr/bin/rm" -> "rm"), or "" when argv[0] is unknown.
  std::string program() const;
};

// Notes the evaluator itself makes about the line as a whole.
struct EvaluationNote {
  std::string rule;                  // a policy rule id
  std::string message;
  Span span;
};

struct Evaluation {
  std::vector<EvaluatedCommand> commands;
  std::vector<EvaluationNote> notes;
};

}  // namespace trainctl::safety
