#include "safety/command_evaluator.h"

#include <fstream>
#include <iterator>
#include <memory>

#include <fmt/format.h>

#include "safety/command_unwrap.h"
#include "safety/danger_words.h"
#include "safety/project_paths.h"
#include "safety/shell_parser.h"
#include "safety/evaluation_scope.h"
#include "safety/word_expansion.h"

namespace trainctl::safety {

std::string EvaluatedCommand::program() const {
  if (argv.empty() || !argv[0].known()) return "";
  return program_base_name(argv[0].text());
}

namespace {

struct Frame {
  std::string_view source;   // the text being walked (spans of its tree index into it)
  SpanMap spans;
  std::string via;
  int depth = 0;
  bool under_privilege = false;
  bool remote = false;
};

// What a pipeline stage hands to the next one.
struct StageOutput {
  std::vector<std::string> producers;  // programs whose output this is, nearest first
  bool known = false;
  std::string text;
};

// Reads a small regular file (a script run by `bash FILE` or `sh < FILE`); nullopt otherwise.
std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxCodeFileBytes) return std::nullopt;
  }
  return text;
}

std::string decode_simple_escapes(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char n = s[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The text echo/printf/cat would print, when it is known.
std::optional<std::string> printed_text(const EvaluatedCommand& c, const StdinInfo& stdin_info, const std::string& cwd) {
  std::string program = c.program();
  for (const auto& a : c.argv) {
    if (!a.known() || a.values.size() > 1) return std::nullopt;
  }
  if (program == "echo") {
    std::string out;
    bool newline = true;
    std::size_t i = 1;
    for (; i < c.argv.size(); ++i) {
      const std::string& a = c.argv[i].text();
      if (a == "-n") newline = false;
      else if (a != "-e" && a != "-E") break;
    }
    for (std::size_t j = i; j < c.argv.size(); ++j) {
      if (j > i) out += ' ';
      out += c.argv[j].text();
    }
    return newline ? out + "\n" : out;
  }
  if (program == "printf" && c.argv.size() >= 2) {
    const std::string& format = c.argv[1].text();
    if (format.find('%') == std::string::npos) return decode_simple_escapes(format);
    if (format == "%s" || format == "%s\\n") {
      std::string out;
      for (std::size_t j = 2; j < c.argv.size(); ++j) out += c.argv[j].text() + (format == "%s" ? "" : "\n");
      return out;
    }
    return std::nullopt;
  }
  if (program == "cat") {
    if (c.argv.size() == 1) {
      if (stdin_info.known) return stdin_info.text;
      return std::nullopt;
    }
    std::string out;
    for (std::size_t j = 1; j < c.argv.size(); ++j) {
      auto text = read_small_file(lexically_absolute(cwd, c.argv[j].text()));
      if (!text) return std::nullopt;
      out += *text;
    }
    return out;
  }
  return std::nullopt;
}

// Whether a function's body calls the function itself in a way that multiplies processes.
void find_self_calls(const Script& script, const std::string& name, int& calls, bool& spawning);

void find_self_calls_in_command(const Command& command, const std::string& name, int& calls, bool& spawning,
                                bool in_multi_pipeline) {
  if (command.kind == CommandKind::kSimple) {
    if (!command.words.empty() && literal_text(command.words[0]) == name && word_is_literal(command.words[0])) {
      ++calls;
      if (in_multi_pipeline) spawning = true;
    }
    return;
  }
  for (const auto& body : command.bodies) find_self_calls(body, name, calls, spawning);
  for (const auto& item : command.case_items) {
    for (const auto& body : item.body) find_self_calls(body, name, calls, spawning);
  }
}

void find_self_calls(const Script& script, const std::string& name, int& calls, bool& spawning) {
  for (const auto& item : script.items) {
    int before = calls;
    for (const auto& pipeline : item.and_or.pipelines) {
      for (const auto& command : pipeline.commands) {
        find_self_calls_in_command(command, name, calls, spawning, pipeline.commands.size() > 1);
      }
    }
    if (item.background && calls > before) spawning = true;
  }
}

class Evaluator {
 public:
  Evaluator(std::string_view top, const EvaluationContext& context, Evaluation& out)
      : top_(top), context_(context), out_(out) {}

  void run(const Script& script) {
    ShellScope scope;
    scope.cwd = context_.cwd;
    scope.home = context_.home;
    Frame frame;
    frame.source = top_;
    walk_script(script, scope, frame);
  }

 private:
  void note(std::string rule, std::string message, Span span) {
    out_.notes.push_back({std::move(rule), std::move(message), span});
  }

  bool over_budget(Span span) {
    if (out_.commands.size() < kMaxEvaluatedCommands) return false;
    if (!budget_noted_) {
      budget_noted_ = true;
      note("unknown-code", fmt::format("the line runs more than {} commands; the rest cannot be judged",
                                       kMaxEvaluatedCommands), span);
    }
    return true;
  }

  ExpansionContext expansion(ShellScope& scope, const Frame& frame, SubstitutionHandler& handler) {
    handler = [this, &scope, &frame](const Script& body, Span span) { return substitution(body, span, scope, frame); };
    return ExpansionContext{scope, frame.spans, frame.source, handler};
  }

  std::vector<std::string> substitution(const Script& body, Span span, const ShellScope& scope, const Frame& frame) {
    ShellScope inner = scope;  // a subshell: its assignments and cd do not leak
    Frame child = frame;
    child.via = frame.via.empty() ? "$(...)" : frame.via + " > $(...)";
    (void)span;
    std::size_t first = out_.commands.size();
    walk_script(body, inner, child);
    std::vector<std::string> programs;
    for (std::size_t i = first; i < out_.commands.size(); ++i) {
      std::string p = out_.commands[i].program();
      programs.push_back(p.empty() ? "(unknown program)" : p);
    }
    return programs;
  }

  void walk_script(const Script& script, ShellScope& scope, const Frame& frame) {
    for (const auto& item : script.items) {
      bool was_conditional = scope.conditional;
      if (item.background) {
        // A background job's assignments and cd stay in its own subshell.
        ShellScope copy = scope;
        walk_and_or(item.and_or, copy, frame);
      } else {
        walk_and_or(item.and_or, scope, frame);
      }
      scope.conditional = was_conditional;
    }
  }

  void walk_and_or(const AndOr& and_or, ShellScope& scope, const Frame& frame) {
    bool was_conditional = scope.conditional;
    for (std::size_t i = 0; i < and_or.pipelines.size(); ++i) {
      if (i > 0) scope.conditional = true;  // runs only if the previous one succeeded/failed
      walk_pipeline(and_or.pipelines[i], scope, frame);
    }
    scope.conditional = was_conditional;
  }

  void walk_pipeline(const Pipeline& pipeline, ShellScope& scope, const Frame& frame) {
    StageOutput previous;
    bool piped = pipeline.commands.size() > 1;
    for (std::size_t i = 0; i < pipeline.commands.size(); ++i) {
      StdinInfo stdin_info;
      if (i > 0) {
        stdin_info.present = true;
        stdin_info.known = previous.known;
        stdin_info.text = previous.text;
        stdin_info.producers = previous.producers;
        stdin_info.source = previous.producers.empty() ? "pipe" : "pipe from " + previous.producers.front();
      }
      if (piped) {
        ShellScope stage = scope;  // each stage of a pipeline runs in a subshell
        previous = walk_command(pipeline.commands[i], stage, frame, stdin_info);
      } else {
        previous = walk_command(pipeline.commands[i], scope, frame, stdin_info);
      }
    }
  }

  // Redirections of any command; fills `stdin_info` from <, << and <<<.
  std::vector<EvaluatedRedirect> walk_redirects(const std::vector<Redirect>& redirects, ShellScope& scope,
                                                const Frame& frame, StdinInfo& stdin_info) {
    SubstitutionHandler handler;
    ExpansionContext ctx = expansion(scope, frame, handler);
    std::vector<EvaluatedRedirect> out;
    for (const auto& r : redirects) {
      EvaluatedRedirect e;
      e.span = frame.spans.map(r.span);
      e.op = r.op;
      e.fd = r.fd;
      if (r.op == "<<" || r.op == "<<-") {
        ArgValue body = expand_word_single(r.heredoc_body, ctx);
        stdin_info = StdinInfo{};
        stdin_info.present = true;
        stdin_info.known = body.known() && body.values.size() == 1;
        stdin_info.text = stdin_info.known ? body.text() : std::string();
        stdin_info.source = "here-document";
        stdin_info.producers = body.produced_by;
        e.target = expand_word_single(r.target, ctx);
      } else {
        e.target = expand_word_single(r.target, ctx);
        if (r.op == "<<<") {
          stdin_info = StdinInfo{};
          stdin_info.present = true;
          stdin_info.known = e.target.known() && e.target.values.size() == 1;
          stdin_info.text = stdin_info.known ? e.target.text() + "\n" : std::string();
          stdin_info.source = "here-string";
          stdin_info.producers = e.target.produced_by;
        } else if (r.op == "<" && (r.fd == -1 || r.fd == 0)) {
          stdin_info = StdinInfo{};
          stdin_info.present = true;
          stdin_info.source = "file " + e.target.display;
          stdin_info.producers = e.target.produced_by;
          if (e.target.known() && !scope.cwd_unknown) {
            if (auto text = read_small_file(lexically_absolute(scope.cwd, e.target.text()))) {
              stdin_info.known = true;
              stdin_info.text = std::move(*text);
            }
          }
        }
      }
      out.push_back(std::move(e));
    }
    return out;
  }

  StageOutput walk_command(const Command& command, ShellScope& scope, const Frame& frame, StdinInfo stdin_info) {
    if (over_budget(frame.spans.map(command.span))) return {};
    if (command.kind == CommandKind::kSimple) return walk_simple(command, scope, frame, stdin_info);

    StageOutput output;
    std::size_t first = out_.commands.size();
    auto redirects = walk_redirects(command.redirects, scope, frame, stdin_info);
    if (!redirects.empty()) {
      EvaluatedCommand holder;  // the compound's own redirections, judged like a command's
      holder.redirects = std::move(redirects);
      holder.span = frame.spans.map(command.span);
      holder.via = frame.via;
      holder.cwd = scope.cwd;
      holder.cwd_unknown = scope.cwd_unknown;
      out_.commands.push_back(std::move(holder));
    }
    SubstitutionHandler handler;
    ExpansionContext ctx = expansion(scope, frame, handler);
    bool was_conditional = scope.conditional;
    switch (command.kind) {
      case CommandKind::kSubshell: {
        ShellScope inner = scope;
        for (const auto& body : command.bodies) walk_script(body, inner, frame);
        break;
      }
      case CommandKind::kBraceGroup:
        for (const auto& body : command.bodies) walk_script(body, scope, frame);
        break;
      case CommandKind::kIf:
      case CommandKind::kWhile:
      case CommandKind::kUntil:
        if (command.kind != CommandKind::kIf && command.bodies.size() > 1) {
          for (const auto& item : command.bodies.back().items) {
            if (item.background) {
              note("fork-bomb", "a while/until loop starts a background job on every turn, with no bound on how many",
                   frame.spans.map(item.span));
            }
          }
        }
        for (std::size_t i = 0; i < command.bodies.size(); ++i) {
          // The first condition always runs; everything else depends on it.
          scope.conditional = was_conditional || i > 0 || command.kind != CommandKind::kIf;
          walk_script(command.bodies[i], scope, frame);
        }
        break;
      case CommandKind::kFor:
      case CommandKind::kSelect: {
        VarValue values;
        values.unknown = !command.in_list;
        for (const auto& w : command.words) {
          for (auto& arg : expand_word(w, ctx)) {
            if (command.arithmetic_for) continue;
            if (!arg.known()) values.unknown = true;
            for (auto& v : arg.values) values.values.push_back(v);
          }
        }
        scope.conditional = true;
        if (!command.arithmetic_for && !command.name.empty()) scope.assign(command.name, values);
        for (const auto& body : command.bodies) walk_script(body, scope, frame);
        break;
      }
      case CommandKind::kCase:
        for (const auto& w : command.words) (void)expand_word_single(w, ctx);
        scope.conditional = true;
        for (const auto& item : command.case_items) {
          for (const auto& p : item.patterns) (void)expand_word_single(p, ctx);
          for (const auto& body : item.body) walk_script(body, scope, frame);
        }
        break;
      case CommandKind::kFunction:
        walk_function(command, scope, frame);
        break;
      case CommandKind::kArithmetic:
      case CommandKind::kConditional:
        for (const auto& w : command.words) (void)expand_word_single(w, ctx);
        break;
      case CommandKind::kCoproc: {
        ShellScope inner = scope;
        for (const auto& body : command.bodies) walk_script(body, inner, frame);
        break;
      }
      case CommandKind::kSimple:
        break;
    }
    scope.conditional = was_conditional;
    for (std::size_t i = first; i < out_.commands.size(); ++i) {
      std::string p = out_.commands[i].program();
      if (!p.empty()) output.producers.push_back(p);
    }
    output.producers.insert(output.producers.end(), stdin_info.producers.begin(), stdin_info.producers.end());
    return output;
  }

  void walk_function(const Command& command, ShellScope& scope, const Frame& frame) {
    int calls = 0;
    bool spawning = false;
    for (const auto& body : command.bodies) find_self_calls(body, command.name, calls, spawning);
    if (calls > 0 && (spawning || calls > 1)) {
      note("fork-bomb",
           fmt::format("function '{}' calls itself {} — every call starts more copies until the machine runs out of "
                       "processes",
                       command.name, spawning ? "in a pipe or in the background" : "more than once"),
           frame.spans.map(command.span));
    }
    // The body is judged as if the function were called, with whatever arguments.
    ShellScope inner = scope;
    inner.conditional = true;
    Frame child = frame;
    child.via = frame.via.empty() ? "function " + command.name : frame.via + " > function " + command.name;
    for (const auto& body : command.bodies) walk_script(body, inner, child);
  }

  StageOutput walk_simple(const Command& command, ShellScope& scope, const Frame& frame, StdinInfo stdin_info) {
    SubstitutionHandler handler;
    ExpansionContext ctx = expansion(scope, frame, handler);
    std::size_t first = out_.commands.size();

    std::vector<std::pair<std::string, ArgValue>> assignments;
    for (const auto& a : command.assignments) {
      for (const auto& w : a.subscript_words) (void)expand_word_single(w, ctx);
      ArgValue value;
      if (a.is_array) {
        for (const auto& w : a.array_values) (void)expand_word(w, ctx);
        value.unknown = true;
        value.display = "(...)";
      } else {
        value = expand_word_single(a.value, ctx);
      }
      value.span = frame.spans.map(a.span);
      assignments.emplace_back(a.name, std::move(value));
    }
    std::vector<ArgValue> argv;
    for (const auto& w : command.words) {
      for (auto& arg : expand_word(w, ctx)) argv.push_back(std::move(arg));
    }
    auto redirects = walk_redirects(command.redirects, scope, frame, stdin_info);
    Span span = frame.spans.map(command.span);

    if (argv.empty()) {
      for (const auto& [name, value] : assignments) {
        VarValue v;
        v.unknown = !value.known();
        v.values = value.values;
        v.producers = value.produced_by;
        scope.assign(name, v);
      }
      EvaluatedCommand c;
      c.assignments = std::move(assignments);
      c.redirects = std::move(redirects);
      c.span = span;
      c.via = frame.via;
      c.cwd = scope.cwd;
      c.cwd_unknown = scope.cwd_unknown;
      out_.commands.push_back(std::move(c));
      return collect(first, stdin_info, std::nullopt);
    }

    // An alias defined earlier in the line replaces the first word, as bash would with
    // expand_aliases: the replacement text is judged as shell code.
    if (argv[0].known() && argv[0].values.size() == 1) {
      if (auto alias = scope.aliases.find(argv[0].text()); alias != scope.aliases.end()) {
        std::string code = alias->second;
        for (std::size_t i = 1; i < command.words.size(); ++i) {
          const Span& ws = command.words[i].span;
          if (ws.end <= frame.source.size()) code += " " + std::string(frame.source.substr(ws.begin, ws.end - ws.begin));
        }
        ArgValue code_arg;
        code_arg.values = {code};
        code_arg.display = code;
        code_arg.span = span;
        walk_code(code_arg, "alias " + argv[0].text(), scope, frame, false, false, {});
        return collect(first, stdin_info, std::nullopt);
      }
    }

    apply_builtin(argv, scope);

    // A program name with several possible values (X=ls or X=rm): each is judged.
    std::vector<std::vector<ArgValue>> variants;
    if (argv[0].known() && argv[0].values.size() > 1) {
      for (const auto& v : argv[0].values) {
        auto copy = argv;
        copy[0].values = {v};
        copy[0].display = v;
        variants.push_back(std::move(copy));
      }
    } else {
      variants.push_back(argv);
    }
    std::optional<std::string> printed;
    for (auto& variant : variants) {
      EvaluatedCommand c;
      c.argv = std::move(variant);
      c.assignments = assignments;
      c.redirects = redirects;
      c.span = span;
      c.via = frame.via;
      c.under_privilege = frame.under_privilege;
      c.remote = frame.remote;
      c.cwd = scope.cwd;
      c.cwd_unknown = scope.cwd_unknown;
      c.stdin_producers = stdin_info.producers;
      if (!printed && !scope.cwd_unknown) printed = printed_text(c, stdin_info, scope.cwd);
      process(std::move(c), scope, frame, stdin_info, 0);
    }
    return collect(first, stdin_info, variants.size() == 1 ? printed : std::nullopt);
  }

  StageOutput collect(std::size_t first, const StdinInfo& stdin_info, std::optional<std::string> printed) {
    StageOutput output;
    for (std::size_t i = first; i < out_.commands.size(); ++i) {
      std::string p = out_.commands[i].program();
      if (!p.empty()) output.producers.push_back(p);
      else if (!out_.commands[i].argv.empty()) output.producers.push_back("(unknown program)");
    }
    output.producers.insert(output.producers.end(), stdin_info.producers.begin(), stdin_info.producers.end());
    if (printed) {
      output.known = true;
      output.text = std::move(*printed);
    }
    return output;
  }

  // Builtins that change what later commands in the line mean: cd, export, alias, unset.
  void apply_builtin(const std::vector<ArgValue>& argv, ShellScope& scope) {
    if (!argv[0].known()) return;
    const std::string& name = argv[0].text();
    if (name == "cd" || name == "pushd" || name == "popd" || name == "chdir") {
      std::size_t i = 1;
      while (i < argv.size() && argv[i].known() && (argv[i].text() == "-P" || argv[i].text() == "-L" ||
                                                   argv[i].text() == "-e" || argv[i].text() == "--")) {
        ++i;
      }
      std::string target;
      bool known = true;
      if (name == "popd" || (i < argv.size() && argv[i].known() && argv[i].text() == "-")) {
        known = false;
      } else if (i >= argv.size()) {
        target = scope.home;
        known = !scope.home.empty();
      } else if (argv[i].known() && argv[i].values.size() == 1) {
        target = argv[i].text();
      } else {
        known = false;
      }
      if (!known || scope.cwd_unknown) {
        scope.cwd_unknown = true;
        return;
      }
      std::string next = lexically_absolute(scope.cwd, target);
      if (scope.conditional && next != scope.cwd) {
        scope.cwd_unknown = true;  // it may or may not have changed
        return;
      }
      scope.cwd = next;
      return;
    }
    if (name == "export" || name == "declare" || name == "typeset" || name == "local" || name == "readonly") {
      for (std::size_t i = 1; i < argv.size(); ++i) {
        if (!argv[i].known()) continue;
        const std::string& a = argv[i].text();
        std::size_t eq = a.find('=');
        if (eq == std::string::npos || eq == 0 || a[0] == '-') continue;
        VarValue v;
        v.unknown = argv[i].values.size() > 1;
        v.values = {a.substr(eq + 1)};
        scope.assign(a.substr(0, eq), v);
      }
      return;
    }
    if (name == "unset") {
      for (std::size_t i = 1; i < argv.size(); ++i) {
        if (argv[i].known() && argv[i].text()[0] != '-') scope.assign(argv[i].text(), VarValue{{""}, false, {}});
      }
      return;
    }
    if (name == "alias") {
      for (std::size_t i = 1; i < argv.size(); ++i) {
        if (!argv[i].known()) continue;
        const std::string& a = argv[i].text();
        std::size_t eq = a.find('=');
        if (eq != std::string::npos && eq > 0) scope.aliases[a.substr(0, eq)] = a.substr(eq + 1);
      }
    }
  }

  // Records one command and follows what it runs in turn.
  void process(EvaluatedCommand c, ShellScope& scope, const Frame& frame, const StdinInfo& stdin_info, int depth) {
    if (over_budget(c.span)) return;
    Unwrapped unwrapped = unwrap_command(c.argv, stdin_info);
    c.code = unwrapped.code;
    std::vector<ShellCode> shell_code = std::move(unwrapped.shell_code);

    if (unwrapped.shell_reads_stdin && stdin_info.present) {
      ArgValue code;
      code.span = c.span;
      code.display = stdin_info.source;
      code.produced_by = stdin_info.producers;
      if (stdin_info.known) {
        code.values = {stdin_info.text};
      } else {
        code.unknown = true;
      }
      shell_code.push_back(ShellCode{code, true, c.program() + " < " + stdin_info.source, false, false});
    }
    // ./script.sh of the project with a shell #! line: the script's own commands are judged too.
    // (Programs outside the project are judged by name, like any installed tool.)
    const std::string program_path =
        !c.argv.empty() && c.argv[0].known() && !scope.cwd_unknown ? lexically_absolute(scope.cwd, c.argv[0].text()) : "";
    const std::string& root = context_.project_root;
    bool in_project = !root.empty() && program_path.size() > root.size() && program_path.compare(0, root.size(), root) == 0 &&
                      program_path[root.size()] == '/';
    if (!unwrapped.script_file && in_project && c.argv[0].text().find('/') != std::string::npos) {
      if (auto text = read_small_file(program_path)) {
        std::string first_line = text->substr(0, text->find('\n'));
        if (first_line.rfind("#!", 0) == 0) {
          std::string interpreter = first_line.substr(2);
          std::size_t env_at = interpreter.find("env ");
          if (env_at != std::string::npos) interpreter = interpreter.substr(env_at + 4);
          std::size_t start = interpreter.find_first_not_of(" \t");
          interpreter = start == std::string::npos ? "" : interpreter.substr(start);
          interpreter = interpreter.substr(0, interpreter.find_first_of(" \t\r"));
          if (is_shell_program(program_base_name(interpreter))) unwrapped.script_file = c.argv[0];
        }
      }
    }
    if (unwrapped.script_file) {
      const ArgValue& file = *unwrapped.script_file;
      ArgValue code;
      code.span = file.span;
      code.display = file.display;
      code.produced_by = file.produced_by;
      code.unknown = true;
      if (file.known() && file.values.size() == 1 && file.produced_by.empty() && !scope.cwd_unknown) {
        if (auto text = read_small_file(lexically_absolute(scope.cwd, file.text()))) {
          code.values = {std::move(*text)};
          code.unknown = false;
        } else {
          code.unknown = false;  // a missing or unreadable file runs nothing we could judge: the
          code.values.clear();   // program itself is judged (script-execution)
        }
      }
      if (code.unknown || code.known()) {
        shell_code.push_back(ShellCode{code, true, "file " + file.display, false, false});
      }
    }

    for (const auto& sc : shell_code) {
      if (sc.code.known() && sc.code.values.size() == 1) continue;
      c.code.present = true;
      c.code.known = false;
      c.code.language = "shell";
      c.code.source = sc.via;
      c.code.span = sc.code.span;
      c.code.producers = sc.code.produced_by;
    }
    for (const auto& sc : shell_code) c.nested_code = c.nested_code || (sc.code.known() && sc.code.values.size() == 1);
    out_.commands.push_back(c);

    for (const auto& sc : shell_code) {
      if (!sc.code.known() || sc.code.values.size() != 1) continue;
      walk_code(sc.code, frame.via.empty() ? sc.via : frame.via + " > " + sc.via, scope, frame,
                sc.under_privilege || c.under_privilege, sc.remote || c.remote, sc.joined ? std::optional<Span>(sc.code.span) : std::nullopt);
    }
    if (depth >= kMaxCodeNesting) return;
    Unwrapped again = std::move(unwrapped);
    for (auto& inner : again.commands) {
      EvaluatedCommand next;
      next.argv = std::move(inner.argv);
      next.assignments = std::move(inner.assignments);
      next.span = c.span;
      next.via = frame.via.empty() ? inner.via : frame.via + " > " + inner.via;
      next.cwd = c.cwd;
      next.cwd_unknown = c.cwd_unknown;
      if (inner.cwd) {
        if (c.cwd_unknown) next.cwd_unknown = true;
        else next.cwd = lexically_absolute(c.cwd, *inner.cwd);
      }
      next.appended_unknown_args = inner.appended_unknown_args || c.appended_unknown_args;
      next.under_privilege = inner.under_privilege || c.under_privilege;
      next.remote = c.remote;
      next.stdin_producers = c.stdin_producers;
      if (next.argv.empty()) continue;
      if (!next.argv[0].known() || next.argv[0].values.size() <= 1) {
        process(std::move(next), scope, frame, stdin_info, depth + 1);
        continue;
      }
      for (const auto& v : next.argv[0].values) {
        EvaluatedCommand variant = next;
        variant.argv[0].values = {v};
        variant.argv[0].display = v;
        process(std::move(variant), scope, frame, stdin_info, depth + 1);
      }
    }
  }

  // Parses and walks a string run as shell code. Its spans map onto the checked line exactly
  // when the string is written there verbatim (bare or in quotes); otherwise onto `code.span`.
  void walk_code(const ArgValue& code, const std::string& via, const ShellScope& scope, const Frame& frame,
                 bool under_privilege, bool remote, std::optional<Span> joined_span) {
    const std::string text = code.text();
    if (frame.depth + 1 > kMaxCodeNesting) {
      note("unknown-code", fmt::format("code nested more than {} levels deep ({}); what it runs is not judged",
                                       kMaxCodeNesting, via), code.span);
      return;
    }
    ShellParse parsed = parse_shell(text);
    if (auto* error = std::get_if<ShellSyntaxError>(&parsed)) {
      std::string word = first_danger_word(text);
      if (!word.empty()) {
        note("unparsable-with-danger",
             fmt::format("the code run by {} does not parse ({}) and mentions '{}'", via, error->describe(), word),
             code.span);
      } else {
        note("unparsable", fmt::format("the code run by {} does not parse: {}", via, error->describe()), code.span);
      }
      return;
    }
    SpanMap map;
    map.exact = false;
    map.fallback = joined_span.value_or(code.span);
    if (!joined_span && code.span.end <= top_.size() && code.span.begin <= code.span.end) {
      std::string_view written = top_.substr(code.span.begin, code.span.end - code.span.begin);
      if (written == text) {
        map.exact = true;
        map.base = code.span.begin;
      } else if (written.size() == text.size() + 2 && (written.front() == '\'' || written.front() == '"') &&
                 written.back() == written.front() && written.substr(1, text.size()) == text) {
        map.exact = true;
        map.base = code.span.begin + 1;
      }
    }
    Frame child;
    child.source = text;
    child.spans = map;
    child.via = via;
    child.depth = frame.depth + 1;
    child.under_privilege = under_privilege || frame.under_privilege;
    child.remote = remote || frame.remote;
    ShellScope inner = scope;
    if (remote) inner.cwd_unknown = true;  // the remote shell starts in the remote home
    walk_script(std::get<Script>(parsed), inner, child);
  }

  std::string_view top_;
  const EvaluationContext& context_;
  Evaluation& out_;
  bool budget_noted_ = false;
};

}  // namespace

Evaluation evaluate_script(const Script& script, std::string_view source, const EvaluationContext& context) {
  Evaluation out;
  Evaluator(source, context, out).run(script);
  return out;
}

}  // namespace trainctl::safety
