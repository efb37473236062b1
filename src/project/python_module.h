// What trainctl reads of one Python file without running it: the module docstring, imports,
// module-level assignments, functions (parameters, decorators), classes (bases, decorators,
// annotated fields), every call with its positional and keyword arguments, and whether the file
// runs as a script. Token-level, not a full parser: robust to multi-line calls, f-strings,
// continuations and broken code, and bounded by the tokenizer's limits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "project/python_tokens.h"

namespace trainctl::project {

// A run of tokens [begin, end): an argument, a default, a right-hand side.
struct Expr {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool empty() const { return begin >= end; }
};

struct PythonCall {
  std::string callee;             // dotted, as written: "parser.add_argument", "hydra.main"
  std::vector<Expr> args;         // positional (a *args splat is kept, with its star)
  std::vector<std::pair<std::string, Expr>> kwargs;  // keyword=value; "**" for a **kwargs splat
  std::uint32_t line = 0;
  Expr span;                      // the whole call, from the callee to the closing parenthesis
  std::string assigned_to;        // "parser" for `parser = argparse.ArgumentParser(...)`
  std::string function;           // the enclosing def ("" at module level)
  std::string class_name;         // the enclosing class ("" when none)
  bool in_main_block = false;     // under `if __name__ == "__main__":`

  const Expr* kwarg(const std::string& name) const;
  // The last component of the callee: "add_argument" for "parser.add_argument".
  std::string method() const;
  // Everything before the last component: "parser" for "parser.add_argument".
  std::string receiver() const;
};

struct PythonParam {
  std::string name;
  std::string star;               // "", "*" or "**"
  Expr annotation;
  Expr default_value;
};

struct PythonDecorator {
  std::string name;               // dotted: "click.option", "hydra.main", "app.command"
  std::optional<std::size_t> call;  // index into PythonModule::calls when it is called
};

struct PythonFunction {
  std::string name;
  std::string class_name;         // "" for a module-level function
  std::vector<PythonParam> params;
  std::vector<PythonDecorator> decorators;
  std::string docstring;
  std::uint32_t line = 0;
};

struct PythonField {
  std::string name;
  Expr annotation;
  Expr value;                     // empty when there is no `= value`
};

struct PythonClass {
  std::string name;
  std::vector<std::string> bases;
  std::vector<PythonDecorator> decorators;
  std::vector<PythonField> fields;  // annotated class-level names, in order
  std::string docstring;
};

struct PythonAssignment {
  std::string name;
  Expr value;
  std::uint32_t line = 0;
};

struct PythonImport {
  std::string module;             // "transformers", "model" ("" for `from . import x`)
  std::string name;               // the imported name for `from m import name`; "" for `import m`
  std::string alias;              // the name it is bound to here
  int level = 0;                  // leading dots of a relative import
};

class PythonModule {
 public:
  std::string source;
  TokenStream tokens;
  std::string docstring;
  std::vector<PythonImport> imports;
  std::vector<PythonAssignment> assignments;  // module level only, in order
  std::vector<PythonFunction> functions;
  std::vector<PythonClass> classes;
  std::vector<PythonCall> calls;
  bool has_main_guard = false;

  std::string text(std::size_t token) const;
  // The source text of an expression, as written (joined over lines).
  std::string text(const Expr& expr) const;
  // The dotted name an expression is made of ("int", "click.Path"), or "" when it is anything else.
  std::string dotted(const Expr& expr) const;
  // The value of a literal expression (strings, numbers, True/False/None, lists, tuples, dicts,
  // unary minus), or nullopt. An f-string is not a literal.
  std::optional<nlohmann::json> literal(const Expr& expr) const;
  // The string a literal expression holds, or nullopt.
  std::optional<std::string> string_literal(const Expr& expr) const;
  // The call that an expression is (the whole expression), if any.
  const PythonCall* call_at(const Expr& expr) const;

  bool imports_module(const std::string& prefix) const;  // "accelerate" matches "accelerate.utils"
  bool imports_name(const std::string& name) const;      // `from x import name` or `import name`
  const PythonAssignment* assignment(const std::string& name) const;  // the last one
  const PythonFunction* function(const std::string& name) const;
  const PythonClass* find_class(const std::string& name) const;
  // Any call whose callee's last component is `method`.
  bool calls_method(const std::string& method) const;
};

PythonModule read_python(std::string source);

}  // namespace trainctl::project
