#include "project/python_cli.h"

#include <map>
#include <set>

namespace trainctl::project {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string dashes_to_underscores(std::string s) {
  for (char& c : s) {
    if (c == '-') c = '_';
  }
  return s;
}
std::string underscores_to_dashes(std::string s) {
  for (char& c : s) {
    if (c == '_') c = '-';
  }
  return s;
}

std::string last_part(const std::string& dotted) {
  std::size_t dot = dotted.rfind('.');
  return dot == std::string::npos ? dotted : dotted.substr(dot + 1);
}

// The fields of transformers' TrainingArguments that a launch command is written with. A table,
// because the class lives in an installed package that trainctl does not read.
struct StandardField {
  const char* name;
  const char* type;
  const char* default_json;
  const char* help;
};
constexpr StandardField kTrainingArguments[] = {
    {"output_dir", "str", "null", "where checkpoints (checkpoint-N/) and the final model are written"},
    {"overwrite_output_dir", "bool", "false", "start over in an output_dir that already has checkpoints"},
    {"do_train", "bool", "false", "run training"},
    {"do_eval", "bool", "false", "run evaluation on the validation set"},
    {"do_predict", "bool", "false", "run predictions on the test set"},
    {"resume_from_checkpoint", "str", "null", "a checkpoint-N folder to resume training from"},
    {"per_device_train_batch_size", "int", "8", "batch size per device for training"},
    {"per_device_eval_batch_size", "int", "8", "batch size per device for evaluation"},
    {"gradient_accumulation_steps", "int", "1", "steps to accumulate before an optimizer step"},
    {"learning_rate", "float", "5e-05", "initial learning rate for AdamW"},
    {"weight_decay", "float", "0.0", "weight decay"},
    {"num_train_epochs", "float", "3.0", "epochs to train"},
    {"max_steps", "int", "-1", "total optimizer steps; overrides num_train_epochs when positive"},
    {"warmup_steps", "int", "0", "linear warmup steps"},
    {"logging_steps", "float", "500", "log every N steps"},
    {"save_steps", "float", "500", "save a checkpoint every N steps"},
    {"save_total_limit", "int", "null", "keep at most N checkpoints"},
    {"eval_strategy", "str", "\"no\"", "when to evaluate: no, steps, epoch"},
    {"seed", "int", "42", "random seed"},
    {"bf16", "bool", "false", "bfloat16 mixed precision"},
    {"fp16", "bool", "false", "float16 mixed precision"},
    {"report_to", "str", "null", "where to report metrics"},
    {"deepspeed", "str", "null", "a DeepSpeed config file"},
    {"run_name", "str", "null", "a name for the run"},
};

class CliReader {
 public:
  CliReader(const PythonModule& m, const std::vector<const PythonModule*>& helpers) : m_(m) {
    modules_.push_back(&m);
    for (const auto* h : helpers) modules_.push_back(h);
  }

  CliSpec run() {
    if (read_lightning() || read_hydra() || read_hf() || read_configurator() || read_click() || read_typer() ||
        read_fire() || read_absl()) {
      return std::move(spec_);
    }
    read_argparse();
    return std::move(spec_);
  }

 private:
  // A literal, or a module-level name holding a literal, or the expression's source text.
  static nlohmann::json value_of(const PythonModule& m, const Expr& e) {
    if (auto v = m.literal(e)) return *v;
    std::string name = m.dotted(e);
    if (!name.empty() && name.find('.') == std::string::npos) {
      if (const PythonAssignment* a = m.assignment(name)) {
        if (auto v = m.literal(a->value)) return *v;
      }
    }
    return m.text(e);
  }

  static std::string type_name(const PythonModule& m, const Expr& e) {
    std::string name = m.dotted(e);
    if (name.empty()) {
      if (const PythonCall* call = m.call_at(e)) name = call->callee;
    }
    if (name.empty()) return m.text(e);
    std::string last = last_part(name);
    if (last == "int" || last == "INT" || last == "IntRange") return "int";
    if (last == "float" || last == "FLOAT" || last == "FloatRange") return "float";
    if (last == "str" || last == "STRING") return "str";
    if (last == "Path" || last == "abspath" || last == "expanduser" || last == "FileType" || last == "File") return "path";
    if (last == "Choice") return "choice";
    std::string lower;
    for (char c : last) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    if (lower.find("bool") != std::string::npos || lower == "strtobool") return "bool";
    return name;
  }

  // The type an annotation names: Optional[int] -> int, List[str] -> str (with nargs +).
  static std::string annotation_type(const PythonModule& m, const Expr& e, std::string* nargs) {
    std::string text = m.text(e);
    for (const char* wrapper : {"Optional[", "typing.Optional[", "Annotated["}) {
      if (starts_with(text, wrapper)) text = text.substr(std::string(wrapper).size());
    }
    for (const char* list : {"List[", "list[", "typing.List[", "Sequence[", "tuple[", "Tuple["}) {
      if (starts_with(text, list)) {
        if (nargs) *nargs = "+";
        text = text.substr(std::string(list).size());
      }
    }
    std::size_t end = text.find_first_of(",]| ");
    std::string base = text.substr(0, end);
    std::string last = last_part(base);
    if (last == "bool") return "bool";
    if (last == "int") return "int";
    if (last == "float") return "float";
    if (last == "str") return "str";
    if (last == "Path" || last == "PathLike") return "path";
    return base;
  }

  // ---- argparse ----
  void read_argparse() {
    std::map<std::string, std::string> sub_of;  // parser variable -> subcommand
    bool any = false;
    // The script's own parser; a helper module's only when the script declares none (an
    // args.py that builds the parser), so an imported evaluate.py does not lend its flags.
    std::vector<const PythonModule*> sources = {&m_};
    if (!m_.calls_method("add_argument")) sources.assign(modules_.begin() + 1, modules_.end());
    for (const PythonModule* m : sources) {
      for (const PythonCall& c : m->calls) {
        std::string method = c.method();
        if (method == "add_parser" && !c.args.empty()) {
          if (auto name = m->string_literal(c.args[0])) {
            if (!c.assigned_to.empty()) sub_of[c.assigned_to] = *name;
            spec_.subcommands.push_back(*name);
          }
        } else if ((method == "add_argument_group" || method == "add_mutually_exclusive_group") && !c.assigned_to.empty()) {
          auto parent = sub_of.find(c.receiver());
          if (parent != sub_of.end()) sub_of[c.assigned_to] = parent->second;
        } else if (method == "ArgumentParser" && spec_.description.empty()) {
          if (const Expr* d = c.kwarg("description")) spec_.description = m->string_literal(*d).value_or("");
        } else if (method == "add_argument") {
          any = true;
          CliOption option = argparse_option(*m, c);
          auto sub = sub_of.find(c.receiver());
          if (sub != sub_of.end()) option.subcommand = sub->second;
          if (!option.names.empty()) spec_.options.push_back(std::move(option));
        }
      }
    }
    if (any || !spec_.subcommands.empty()) spec_.framework = CliFramework::kArgparse;
  }

  static CliOption argparse_option(const PythonModule& m, const PythonCall& c) {
    CliOption o;
    for (const Expr& arg : c.args) {
      if (auto name = m.string_literal(arg)) o.names.push_back(*name);
    }
    if (o.names.empty()) return o;
    o.positional = o.names[0].empty() || o.names[0][0] != '-';
    for (const auto& [key, value] : c.kwargs) {
      if (key == "type") {
        o.type = type_name(m, value);
      } else if (key == "action") {
        auto text = m.string_literal(value);
        o.action = text ? *text : last_part(m.dotted(value));
      } else if (key == "default") {
        o.default_value = value_of(m, value);
        o.has_default = true;
      } else if (key == "required") {
        o.required = m.literal(value).value_or(false) == true;
      } else if (key == "help") {
        o.help = m.string_literal(value).value_or(m.text(value));
      } else if (key == "nargs") {
        auto n = m.literal(value);
        o.nargs = n ? (n->is_string() ? n->get<std::string>() : n->dump()) : m.text(value);
      } else if (key == "choices") {
        o.choices = value_of(m, value);
      } else if (key == "const") {
        o.const_value = value_of(m, value);
      } else if (key == "dest") {
        o.dest = m.string_literal(value).value_or("");
      }
    }
    if (o.dest.empty()) {
      std::string chosen = o.names[0];
      for (const auto& n : o.names) {
        if (starts_with(n, "--")) {
          chosen = n;
          break;
        }
      }
      std::size_t i = chosen.find_first_not_of('-');
      o.dest = dashes_to_underscores(i == std::string::npos ? chosen : chosen.substr(i));
    }
    if (o.action == "BooleanOptionalAction" && !o.names.empty()) {
      o.negative = "--no-" + o.flag().substr(2);
      o.type = "bool";
    }
    if (o.action == "store_true" || o.action == "store_false") o.type = "bool";
    return o;
  }

  // ---- HfArgumentParser ----
  bool read_hf() {
    const PythonCall* parser = nullptr;
    for (const PythonCall& c : m_.calls) {
      if (c.method() == "HfArgumentParser") parser = &c;
    }
    if (!parser) return false;
    spec_.framework = CliFramework::kHfArgparser;
    spec_.description = m_.docstring.substr(0, m_.docstring.find("\n\n"));
    std::vector<std::string> classes;
    if (!parser->args.empty()) {
      const Expr& arg = parser->args[0];
      std::string single = m_.dotted(arg);
      if (!single.empty()) {
        classes.push_back(single);
      } else {
        // A tuple or list of class names: the names between the brackets.
        for (std::size_t i = arg.begin; i < arg.end; ++i) {
          std::string name = m_.dotted({i, i + 1});
          if (!name.empty()) classes.push_back(name);
        }
      }
    }
    for (const auto& name : classes) add_dataclass(last_part(name), 0);
    for (const PythonCall& c : m_.calls) {
      if (c.method() == "parse_json_file") add_unique(spec_.config_file_extensions, "json");
      if (c.method() == "parse_yaml_file") add_unique(spec_.config_file_extensions, "yaml");
    }
    return true;
  }

  static void add_unique(std::vector<std::string>& list, const std::string& value) {
    for (const auto& v : list) {
      if (v == value) return;
    }
    list.push_back(value);
  }

  void add_dataclass(const std::string& name, int depth) {
    if (depth > 8) return;
    for (const PythonModule* m : modules_) {
      const PythonClass* cls = m->find_class(name);
      if (!cls) continue;
      for (const auto& base : cls->bases) add_dataclass(last_part(base), depth + 1);
      for (const PythonField& f : cls->fields) spec_.options.push_back(dataclass_option(*m, f, name));
      return;
    }
    if (ends_with(name, "TrainingArguments") || ends_with(name, "Config")) add_training_arguments(name);
  }

  void add_training_arguments(const std::string& source) {
    for (const StandardField& f : kTrainingArguments) {
      if (spec_.find(std::string("--") + f.name)) continue;
      CliOption o;
      o.names = {std::string("--") + f.name};
      o.dest = f.name;
      o.type = f.type;
      o.default_value = nlohmann::json::parse(f.default_json);
      o.has_default = true;
      o.help = f.help;
      o.source = source;
      if (o.type == "bool") {
        o.nargs = "?";
        o.const_value = true;
      }
      spec_.options.push_back(std::move(o));
    }
  }

  static CliOption dataclass_option(const PythonModule& m, const PythonField& f, const std::string& source) {
    CliOption o;
    o.names = {"--" + f.name};
    o.dest = f.name;
    o.source = source;
    o.type = annotation_type(m, f.annotation, &o.nargs);
    if (f.value.empty()) {
      o.required = true;
    } else if (const PythonCall* call = m.call_at(f.value); call && call->method() == "field") {
      if (const Expr* d = call->kwarg("default")) {
        o.default_value = value_of(m, *d);
        o.has_default = true;
      } else if (call->kwarg("default_factory")) {
        o.has_default = true;
      } else {
        o.required = true;
      }
      if (const Expr* meta = call->kwarg("metadata")) {
        auto value = m.literal(*meta);
        if (value && value->is_object() && value->contains("help") && (*value)["help"].is_string()) {
          o.help = (*value)["help"].get<std::string>();
        }
      }
    } else {
      o.default_value = value_of(m, f.value);
      o.has_default = true;
    }
    if (o.type == "bool") {
      o.nargs = "?";
      o.const_value = true;
    }
    return o;
  }

  // ---- LightningCLI ----
  bool read_lightning() {
    const PythonCall* cli = nullptr;
    for (const PythonCall& c : m_.calls) {
      if (c.method() == "LightningCLI") cli = &c;
    }
    if (!cli) return false;
    spec_.framework = CliFramework::kLightningCli;
    spec_.description = m_.docstring.substr(0, m_.docstring.find("\n\n"));
    if (const Expr* run = cli->kwarg("run"); run && m_.literal(*run).value_or(true) == false) {
      spec_.lightning_subcommands = false;
    } else {
      spec_.subcommands = {"fit", "validate", "test", "predict"};
    }
    auto add = [this](const char* name, const char* type, const char* help, bool per_subcommand) {
      CliOption o;
      o.names = {name};
      o.dest = dashes_to_underscores(std::string(name).substr(2));
      o.type = type;
      o.help = help;
      o.has_default = true;
      if (per_subcommand && spec_.lightning_subcommands) {
        for (const auto& sub : spec_.subcommands) {
          o.subcommand = sub;
          spec_.options.push_back(o);
        }
      } else {
        spec_.options.push_back(o);
      }
    };
    add("--config", "path", "a YAML config (repeatable); later files and flags override earlier ones", true);
    add("--ckpt_path", "path", "a checkpoint to resume from (fit) or evaluate (validate/test); \"last\" or \"best\"", true);
    add("--trainer.devices", "int", "devices per node", true);
    add("--trainer.num_nodes", "int", "nodes", true);
    add("--trainer.default_root_dir", "path", "where logs and checkpoints go", true);
    return true;
  }

  // ---- Hydra ----
  bool read_hydra() {
    for (const PythonFunction& f : m_.functions) {
      for (const PythonDecorator& d : f.decorators) {
        bool hydra = d.name == "hydra.main" || (d.name == "main" && m_.imports_module("hydra"));
        if (!hydra) continue;
        spec_.framework = CliFramework::kHydra;
        spec_.style = ValueStyle::kOverride;
        spec_.description = !f.docstring.empty() ? f.docstring : m_.docstring.substr(0, m_.docstring.find("\n\n"));
        if (d.call) {
          const PythonCall& call = m_.calls[*d.call];
          if (const Expr* p = call.kwarg("config_path")) spec_.hydra_config_path = m_.string_literal(*p).value_or("");
          if (const Expr* n = call.kwarg("config_name")) spec_.hydra_config_name = m_.string_literal(*n).value_or("");
          if (spec_.hydra_config_path.empty() && !call.args.empty()) {
            spec_.hydra_config_path = m_.string_literal(call.args[0]).value_or("");
          }
          if (spec_.hydra_config_name.empty() && call.args.size() > 1) {
            spec_.hydra_config_name = m_.string_literal(call.args[1]).value_or("");
          }
        }
        // Hydra 0.11 named the file itself in config_path.
        if (spec_.hydra_config_name.empty() &&
            (ends_with(spec_.hydra_config_path, ".yaml") || ends_with(spec_.hydra_config_path, ".yml"))) {
          std::size_t slash = spec_.hydra_config_path.rfind('/');
          spec_.hydra_config_name =
              slash == std::string::npos ? spec_.hydra_config_path : spec_.hydra_config_path.substr(slash + 1);
          spec_.hydra_config_path = slash == std::string::npos ? "" : spec_.hydra_config_path.substr(0, slash);
        }
        for (const char* ext : {".yaml", ".yml"}) {
          if (ends_with(spec_.hydra_config_name, ext)) {
            spec_.hydra_config_name.resize(spec_.hydra_config_name.size() - std::string(ext).size());
          }
        }
        return true;
      }
    }
    return false;
  }

  // ---- the nanoGPT configurator ----
  bool read_configurator() {
    const PythonCall* exec = nullptr;
    for (const PythonCall& c : m_.calls) {
      if (c.callee == "exec" && c.function.empty() && m_.text(c.span).find("configurator") != std::string::npos) {
        exec = &c;
        break;
      }
    }
    if (!exec) return false;
    spec_.framework = CliFramework::kConfigurator;
    spec_.style = ValueStyle::kEquals;
    spec_.description = m_.docstring.substr(0, m_.docstring.find("\n\n"));
    CliOption config;
    config.names = {"config"};
    config.dest = "config";
    config.positional = true;
    config.nargs = "?";
    config.type = "path";
    config.help = "a Python file of assignments run over the script's globals";
    spec_.options.push_back(config);
    for (const PythonAssignment& a : m_.assignments) {
      if (a.line >= exec->line) break;
      if (a.name.empty() || a.name[0] == '_') continue;
      auto value = m_.literal(a.value);
      if (!value || !(value->is_number() || value->is_boolean() || value->is_string())) continue;
      spec_.globals[a.name] = *value;
      CliOption o;
      o.names = {"--" + a.name};
      o.dest = a.name;
      o.type = value->is_boolean() ? "bool" : value->is_number_integer() ? "int" : value->is_number() ? "float" : "str";
      o.default_value = *value;
      o.has_default = true;
      spec_.options.push_back(std::move(o));
    }
    return true;
  }

  // ---- click ----
  bool read_click() {
    if (!m_.imports_module("click")) return false;
    bool found = false;
    for (const PythonFunction& f : m_.functions) {
      std::string command;
      bool is_command = false, in_group = false;
      for (const PythonDecorator& d : f.decorators) {
        std::string last = last_part(d.name);
        if (last == "command" || last == "group") {
          is_command = true;
          in_group = d.name != "click.command" && d.name != "click.group" && d.name != "command" && d.name != "group";
          if (d.call) {
            const PythonCall& call = m_.calls[*d.call];
            if (!call.args.empty()) command = m_.string_literal(call.args[0]).value_or("");
            if (const Expr* name = call.kwarg("name")) command = m_.string_literal(*name).value_or(command);
          }
        }
      }
      if (!is_command) continue;
      found = true;
      std::string sub = in_group ? (command.empty() ? underscores_to_dashes(f.name) : command) : "";
      if (!sub.empty()) spec_.subcommands.push_back(sub);
      if (spec_.description.empty()) spec_.description = f.docstring.substr(0, f.docstring.find("\n\n"));
      for (const PythonDecorator& d : f.decorators) {
        std::string last = last_part(d.name);
        if ((last != "option" && last != "argument") || !d.call) continue;
        CliOption o = click_option(m_.calls[*d.call], last == "argument");
        o.subcommand = sub;
        o.source = f.name;
        if (!o.names.empty()) spec_.options.push_back(std::move(o));
      }
    }
    if (found) spec_.framework = CliFramework::kClick;
    return found;
  }

  CliOption click_option(const PythonCall& c, bool argument) const {
    CliOption o;
    o.positional = argument;
    for (const Expr& arg : c.args) {
      auto name = m_.string_literal(arg);
      if (!name) continue;
      std::size_t slash = name->find('/');
      if (!argument && slash != std::string::npos && starts_with(*name, "-")) {  // "--resume/--no-resume"
        o.names.push_back(name->substr(0, slash));
        o.negative = name->substr(slash + 1);
        o.action = "flag";
        o.type = "bool";
      } else if (argument || starts_with(*name, "-")) {
        o.names.push_back(*name);
      } else {
        o.dest = *name;  // click's explicit parameter name
      }
    }
    for (const auto& [key, value] : c.kwargs) {
      if (key == "is_flag" && m_.literal(value).value_or(false) == true) {
        o.action = "flag";
        o.type = "bool";
      } else if (key == "type") {
        o.type = type_name(m_, value);
        if (const PythonCall* choice = m_.call_at(value); choice && choice->method() == "Choice" && !choice->args.empty()) {
          o.choices = value_of(m_, choice->args[0]);
        }
      } else if (key == "default") {
        o.default_value = value_of(m_, value);
        o.has_default = true;
      } else if (key == "required") {
        o.required = m_.literal(value).value_or(false) == true;
      } else if (key == "help") {
        o.help = m_.string_literal(value).value_or(m_.text(value));
      } else if (key == "count" && m_.literal(value).value_or(false) == true) {
        o.action = "count";
      } else if (key == "multiple" && m_.literal(value).value_or(false) == true) {
        o.action = "append";
      }
    }
    if (o.dest.empty() && !o.names.empty()) {
      std::string chosen = o.names[0];
      for (const auto& n : o.names) {
        if (starts_with(n, "--")) chosen = n;
      }
      std::size_t i = chosen.find_first_not_of('-');
      o.dest = dashes_to_underscores(chosen.substr(i == std::string::npos ? 0 : i));
    }
    if (argument) o.required = !o.has_default;
    return o;
  }

  // ---- typer ----
  bool read_typer() {
    if (!m_.imports_module("typer")) return false;
    std::vector<std::pair<const PythonFunction*, std::string>> commands;  // function, explicit name
    for (const PythonFunction& f : m_.functions) {
      for (const PythonDecorator& d : f.decorators) {
        if (last_part(d.name) != "command") continue;
        std::string name;
        if (d.call) {
          const PythonCall& call = m_.calls[*d.call];
          if (!call.args.empty()) name = m_.string_literal(call.args[0]).value_or("");
          if (const Expr* n = call.kwarg("name")) name = m_.string_literal(*n).value_or(name);
        }
        commands.emplace_back(&f, name);
      }
    }
    for (const PythonCall& c : m_.calls) {
      if (c.callee == "typer.run" && !c.args.empty()) {
        if (const PythonFunction* f = m_.function(m_.dotted(c.args[0]))) commands.emplace_back(f, "");
      }
    }
    if (commands.empty()) return false;
    spec_.framework = CliFramework::kTyper;
    bool single = commands.size() == 1;
    for (const auto& [f, explicit_name] : commands) {
      std::string sub = single ? "" : (explicit_name.empty() ? underscores_to_dashes(f->name) : explicit_name);
      if (!sub.empty()) spec_.subcommands.push_back(sub);
      if (spec_.description.empty()) spec_.description = f->docstring.substr(0, f->docstring.find("\n\n"));
      for (const PythonParam& p : f->params) {
        if (!p.star.empty() || p.name == "self" || p.name == "ctx") continue;
        CliOption o = typer_option(*f, p);
        o.subcommand = sub;
        spec_.options.push_back(std::move(o));
      }
    }
    return true;
  }

  CliOption typer_option(const PythonFunction& f, const PythonParam& p) const {
    CliOption o;
    o.dest = p.name;
    o.source = f.name;
    o.type = annotation_type(m_, p.annotation, &o.nargs);
    // typer.Option / typer.Argument, as the default or inside Annotated[...].
    const PythonCall* spec_call = m_.call_at(p.default_value);
    bool in_annotation = false;
    if (!spec_call || (spec_call->method() != "Option" && spec_call->method() != "Argument")) {
      spec_call = nullptr;
      for (const PythonCall& c : m_.calls) {
        if (c.span.begin >= p.annotation.begin && c.span.end <= p.annotation.end &&
            (c.method() == "Option" || c.method() == "Argument")) {
          spec_call = &c;
          in_annotation = true;
        }
      }
    }
    bool argument = spec_call ? spec_call->method() == "Argument" : p.default_value.empty();
    o.positional = argument;
    if (!p.default_value.empty() && !(spec_call && !in_annotation)) {
      o.default_value = value_of(m_, p.default_value);
      o.has_default = true;
    }
    if (spec_call) {
      std::size_t first = 0;
      if (!in_annotation && !spec_call->args.empty()) {
        auto d = m_.string_literal(spec_call->args[0]);
        if (!(d && starts_with(*d, "-"))) {
          first = 1;
          if (m_.text(spec_call->args[0]) == "...") {
            o.required = true;
          } else {
            o.default_value = value_of(m_, spec_call->args[0]);
            o.has_default = true;
          }
        }
      }
      for (std::size_t i = first; i < spec_call->args.size(); ++i) {
        if (auto name = m_.string_literal(spec_call->args[i])) {
          std::size_t slash = name->find('/');
          if (slash != std::string::npos) {
            o.names.push_back(name->substr(0, slash));
            o.negative = name->substr(slash + 1);
          } else {
            o.names.push_back(*name);
          }
        }
      }
      if (const Expr* d = spec_call->kwarg("default")) {
        o.default_value = value_of(m_, *d);
        o.has_default = true;
      }
      if (const Expr* h = spec_call->kwarg("help")) o.help = m_.string_literal(*h).value_or("");
    }
    if (o.names.empty()) o.names.push_back(argument ? p.name : "--" + underscores_to_dashes(p.name));
    if (!argument && o.type == "bool") {
      o.action = "flag";
      if (o.negative.empty()) o.negative = "--no-" + o.names[0].substr(2);
    }
    if (argument && !o.has_default) o.required = true;
    return o;
  }

  // ---- python-fire ----
  bool read_fire() {
    for (const PythonCall& c : m_.calls) {
      if (c.callee != "fire.Fire" && !(c.callee == "Fire" && m_.imports_module("fire"))) continue;
      spec_.framework = CliFramework::kFire;
      spec_.style = ValueStyle::kEquals;
      if (c.args.empty()) return true;
      const PythonFunction* f = m_.function(m_.dotted(c.args[0]));
      if (!f) return true;
      spec_.description = f->docstring.substr(0, f->docstring.find("\n\n"));
      for (const PythonParam& p : f->params) {
        if (!p.star.empty()) continue;
        CliOption o;
        o.names = {"--" + p.name};
        o.dest = p.name;
        o.source = f->name;
        o.type = annotation_type(m_, p.annotation, nullptr);
        if (!p.default_value.empty()) {
          o.default_value = value_of(m_, p.default_value);
          o.has_default = true;
          if (o.type.empty() || o.type == m_.text(p.annotation)) {
            const auto& d = o.default_value;
            if (d.is_boolean()) o.type = "bool";
          }
        } else {
          o.required = true;
        }
        spec_.options.push_back(std::move(o));
      }
      return true;
    }
    return false;
  }

  // ---- absl flags ----
  bool read_absl() {
    bool found = false;
    std::set<std::string> required;
    for (const PythonCall& c : m_.calls) {
      std::string method = c.method();
      if ((method == "mark_flag_as_required" || method == "mark_flags_as_required") && !c.args.empty()) {
        auto names = m_.literal(c.args[0]);
        if (names && names->is_string()) required.insert(names->get<std::string>());
        if (names && names->is_array()) {
          for (const auto& n : *names) {
            if (n.is_string()) required.insert(n.get<std::string>());
          }
        }
        continue;
      }
      if (!starts_with(method, "DEFINE_") || c.args.empty()) continue;
      auto name = m_.string_literal(c.args[0]);
      if (!name) continue;
      found = true;
      std::string kind = method.substr(7);
      CliOption o;
      o.names = {"--" + *name};
      o.dest = *name;
      o.type = kind == "string" ? "str" : kind == "integer" ? "int" : kind == "float" ? "float"
               : (kind == "boolean" || kind == "bool") ? "bool" : kind == "enum" ? "str"
               : (kind == "config_file") ? "path" : kind;
      const Expr* def = c.args.size() > 1 ? &c.args[1] : c.kwarg("default");
      if (def) {
        o.default_value = value_of(m_, *def);
        o.has_default = true;
      }
      std::size_t help_at = kind == "enum" ? 3 : 2;
      if (kind == "enum" && c.args.size() > 2) o.choices = value_of(m_, c.args[2]);
      const Expr* help = c.args.size() > help_at ? &c.args[help_at] : c.kwarg("help");
      if (help) o.help = m_.string_literal(*help).value_or("");
      if (o.type == "bool") {
        o.action = "flag";
        o.negative = "--no" + *name;
      }
      spec_.options.push_back(std::move(o));
    }
    if (!found) return false;
    for (auto& o : spec_.options) o.required = o.required || required.count(o.dest) > 0;
    spec_.framework = CliFramework::kAbsl;
    spec_.style = ValueStyle::kEquals;
    return true;
  }

  const PythonModule& m_;
  std::vector<const PythonModule*> modules_;
  CliSpec spec_;
};

}  // namespace

const char* cli_framework_name(CliFramework framework) {
  switch (framework) {
    case CliFramework::kNone: return "none";
    case CliFramework::kArgparse: return "argparse";
    case CliFramework::kClick: return "click";
    case CliFramework::kTyper: return "typer";
    case CliFramework::kHfArgparser: return "hf_argparser";
    case CliFramework::kLightningCli: return "lightning_cli";
    case CliFramework::kHydra: return "hydra";
    case CliFramework::kConfigurator: return "configurator";
    case CliFramework::kFire: return "fire";
    case CliFramework::kAbsl: return "absl";
  }
  return "none";
}

std::string CliOption::flag() const {
  for (const auto& n : names) {
    if (starts_with(n, "--")) return n;
  }
  return names.empty() ? dest : names[0];
}

bool CliOption::is_switch() const {
  if (action == "store_true" || action == "store_false" || action == "store_const" || action == "count" ||
      action == "flag" || action == "BooleanOptionalAction") {
    return true;
  }
  return type == "bool" && nargs == "?" && const_value == true;
}

bool CliOption::is_boolean() const { return type == "bool" || is_switch(); }

const CliOption* CliSpec::find(std::string_view name, std::string_view subcommand) const {
  for (int pass = 0; pass < 2; ++pass) {
    for (const CliOption& o : options) {
      if (pass == 0 && o.subcommand != subcommand) continue;
      if (pass == 1 && !o.subcommand.empty()) continue;
      if (o.dest == name) return &o;
      for (const auto& n : o.names) {
        if (n == name) return &o;
      }
    }
  }
  return nullptr;
}

CliSpec read_cli(const PythonModule& module, const std::vector<const PythonModule*>& helpers) {
  return CliReader(module, helpers).run();
}

nlohmann::json to_json(const CliOption& o) {
  nlohmann::json out = {{"names", o.names},
                        {"dest", o.dest},
                        {"positional", o.positional},
                        {"type", o.type.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.type)},
                        {"action", o.action.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.action)},
                        {"default", o.has_default ? o.default_value : nlohmann::json(nullptr)},
                        {"required", o.required},
                        {"help", o.help},
                        {"nargs", o.nargs.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.nargs)},
                        {"choices", o.choices},
                        {"subcommand", o.subcommand.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.subcommand)}};
  if (!o.negative.empty()) out["negative"] = o.negative;
  if (!o.source.empty()) out["declared_in"] = o.source;
  if (!o.const_value.is_null()) out["const"] = o.const_value;
  return out;
}

}  // namespace trainctl::project
