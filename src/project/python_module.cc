#include "project/python_module.h"

#include <cerrno>
#include <cstdlib>
#include <set>

namespace trainctl::project {
namespace {

const std::set<std::string, std::less<>> kKeywords = {
    "and",   "as",   "assert", "async", "await",  "break", "class",  "continue", "def",   "del",  "elif", "else",
    "except", "finally", "for", "from", "global", "if",   "import", "in",       "is",    "lambda", "nonlocal", "not",
    "or",    "pass", "raise",  "return", "try",   "while", "with",  "yield"};

// Nesting of literals ([[[...]]]) beyond this is not a config value anyone writes.
constexpr int kMaxLiteralDepth = 64;

struct Block {
  enum Kind { kDef, kClass, kMain } kind;
  std::uint32_t indent;
  std::size_t index;  // into functions or classes
};

class Reader {
 public:
  explicit Reader(PythonModule& m) : m_(m), t_(m.tokens.tokens) {}

  void run() {
    std::size_t i = 0;
    bool first_line = true;
    while (i < t_.size() && t_[i].kind != TokenKind::kEnd) {
      std::size_t b = i;
      std::size_t e = b;
      while (e < t_.size() && t_[e].kind != TokenKind::kNewline && t_[e].kind != TokenKind::kEnd) ++e;
      i = (e < t_.size() && t_[e].kind == TokenKind::kNewline) ? e + 1 : e;
      if (b == e) continue;
      line(b, e, first_line);
      first_line = false;
    }
  }

 private:
  bool is_op(std::size_t i, std::string_view op) const {
    return i < t_.size() && t_[i].kind == TokenKind::kOp && m_.text(i) == op;
  }
  bool is_name(std::size_t i, std::string_view name) const {
    return i < t_.size() && t_[i].kind == TokenKind::kName && m_.text(i) == name;
  }
  bool is_lone_string(std::size_t b, std::size_t e) const {
    for (std::size_t k = b; k < e; ++k) {
      if (t_[k].kind != TokenKind::kString) return false;
    }
    return b < e;
  }
  std::string strings_value(std::size_t b, std::size_t e) const {
    std::string out;
    for (std::size_t k = b; k < e; ++k) out += python_string_value(m_.text(k));
    return out;
  }
  std::size_t close_of(std::size_t open) const {
    std::size_t c = m_.tokens.match[open];
    return c == kNoMatch ? t_.size() - 1 : c;
  }

  // A dotted name starting at i: its text and the index after it.
  std::pair<std::string, std::size_t> dotted_at(std::size_t i, std::size_t e) const {
    std::string name;
    while (i < e && t_[i].kind == TokenKind::kName) {
      name += m_.text(i);
      if (i + 2 < e && is_op(i + 1, ".") && t_[i + 2].kind == TokenKind::kName) {
        name += '.';
        i += 2;
        continue;
      }
      ++i;
      break;
    }
    return {name, i};
  }

  // Splits [b, e) at commas outside brackets.
  std::vector<Expr> split_commas(std::size_t b, std::size_t e) const {
    std::vector<Expr> parts;
    std::size_t start = b;
    for (std::size_t k = b; k < e; ++k) {
      const std::string s = t_[k].kind == TokenKind::kOp ? m_.text(k) : std::string();
      if (s == "(" || s == "[" || s == "{") {
        k = std::min(close_of(k), e - 1);
        continue;
      }
      if (s == ",") {
        if (k > start) parts.push_back({start, k});
        start = k + 1;
      }
    }
    if (e > start) parts.push_back({start, e});
    return parts;
  }

  std::string enclosing_function() const {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->kind == Block::kDef) return m_.functions[it->index].name;
    }
    return "";
  }
  std::string enclosing_class() const {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->kind == Block::kClass) return m_.classes[it->index].name;
    }
    return "";
  }
  bool in_main() const {
    for (const Block& block : stack_) {
      if (block.kind == Block::kMain) return true;
    }
    return false;
  }

  void line(std::size_t b, std::size_t e, bool first_line) {
    std::uint32_t indent = t_[b].indent;
    if (doc_target_) {
      auto [kind, index, at] = *doc_target_;
      doc_target_.reset();
      if (indent > at && is_lone_string(b, e)) {
        (kind == Block::kDef ? m_.functions[index].docstring : m_.classes[index].docstring) = strings_value(b, e);
        return;
      }
    }
    while (!stack_.empty() && stack_.back().indent >= indent) stack_.pop_back();
    if (first_line && indent == 0 && is_lone_string(b, e)) {
      m_.docstring = strings_value(b, e);
      return;
    }
    std::size_t first_call = m_.calls.size();
    scan_calls(b, e);

    if (is_op(b, "@")) {
      auto [name, after] = dotted_at(b + 1, e);
      PythonDecorator decorator{name, std::nullopt};
      for (std::size_t c = first_call; c < m_.calls.size(); ++c) {
        if (m_.calls[c].span.begin == b + 1) decorator.call = c;
      }
      pending_.push_back(std::move(decorator));
      return;
    }
    std::size_t k = b;
    if (is_name(k, "async")) ++k;
    if (is_name(k, "def") && k + 1 < e && t_[k + 1].kind == TokenKind::kName) {
      read_def(k, e, indent);
      return;
    }
    if (is_name(b, "class") && b + 1 < e && t_[b + 1].kind == TokenKind::kName) {
      read_class(b, e, indent);
      return;
    }
    pending_.clear();
    if (is_name(b, "import") || is_name(b, "from")) {
      read_import(b, e);
      return;
    }
    if (is_name(b, "if") && is_main_test(b + 1, e)) {
      m_.has_main_guard = true;
      stack_.push_back({Block::kMain, indent, 0});
      return;
    }
    if (!stack_.empty() && stack_.back().kind == Block::kClass && t_[b].kind == TokenKind::kName && is_op(b + 1, ":")) {
      PythonField field;
      field.name = m_.text(b);
      std::size_t eq = b + 2;
      while (eq < e && !is_op(eq, "=")) {
        if (t_[eq].kind == TokenKind::kOp && (m_.text(eq) == "(" || m_.text(eq) == "[" || m_.text(eq) == "{")) {
          eq = std::min(close_of(eq), e - 1);
        }
        ++eq;
      }
      field.annotation = {b + 2, std::min(eq, e)};
      if (eq < e) field.value = {eq + 1, e};
      m_.classes[stack_.back().index].fields.push_back(field);
      return;
    }
    if (stack_.empty()) read_assignment(b, e);
  }

  // `__name__ == "__main__":` or the reverse.
  bool is_main_test(std::size_t b, std::size_t e) const {
    if (e - b < 4 || !is_op(e - 1, ":")) return false;
    bool name_first = is_name(b, "__name__") && is_op(b + 1, "==") && t_[b + 2].kind == TokenKind::kString &&
                      python_string_value(m_.text(b + 2)) == "__main__";
    bool name_last = t_[b].kind == TokenKind::kString && python_string_value(m_.text(b)) == "__main__" &&
                     is_op(b + 1, "==") && is_name(b + 2, "__name__");
    return name_first || name_last;
  }

  void read_def(std::size_t k, std::size_t e, std::uint32_t indent) {
    PythonFunction f;
    f.name = m_.text(k + 1);
    f.line = t_[k].line;
    f.decorators = std::move(pending_);
    pending_.clear();
    f.class_name = (!stack_.empty() && stack_.back().kind == Block::kClass) ? m_.classes[stack_.back().index].name : "";
    if (is_op(k + 2, "(")) {
      std::size_t close = close_of(k + 2);
      for (const Expr& part : split_commas(k + 3, std::min(close, e))) {
        PythonParam p;
        std::size_t i = part.begin;
        if (is_op(i, "*") || is_op(i, "**")) p.star = m_.text(i++);
        if (i >= part.end || t_[i].kind != TokenKind::kName) continue;  // a bare * or /
        p.name = m_.text(i++);
        std::size_t eq = i;
        while (eq < part.end && !is_op(eq, "=")) ++eq;
        if (is_op(i, ":")) p.annotation = {i + 1, eq};
        if (eq < part.end) p.default_value = {eq + 1, part.end};
        f.params.push_back(std::move(p));
      }
    }
    m_.functions.push_back(std::move(f));
    stack_.push_back({Block::kDef, indent, m_.functions.size() - 1});
    doc_target_ = {Block::kDef, m_.functions.size() - 1, indent};
  }

  void read_class(std::size_t b, std::size_t e, std::uint32_t indent) {
    PythonClass c;
    c.name = m_.text(b + 1);
    c.decorators = std::move(pending_);
    pending_.clear();
    if (is_op(b + 2, "(")) {
      std::size_t close = close_of(b + 2);
      for (const Expr& part : split_commas(b + 3, std::min(close, e))) {
        std::string base = m_.dotted(part);
        if (!base.empty()) c.bases.push_back(base);
      }
    }
    m_.classes.push_back(std::move(c));
    stack_.push_back({Block::kClass, indent, m_.classes.size() - 1});
    doc_target_ = {Block::kClass, m_.classes.size() - 1, indent};
  }

  void read_import(std::size_t b, std::size_t e) {
    if (is_name(b, "import")) {
      for (const Expr& part : split_commas(b + 1, e)) {
        auto [module, after] = dotted_at(part.begin, part.end);
        std::string alias = module.substr(0, module.find('.'));
        if (is_name(after, "as") && after + 1 < part.end) alias = m_.text(after + 1);
        if (!module.empty()) m_.imports.push_back({module, "", alias, 0});
      }
      return;
    }
    std::size_t i = b + 1;
    int level = 0;
    for (; i < e && (is_op(i, ".") || is_op(i, "...")); ++i) level += is_op(i, "...") ? 3 : 1;
    auto [module, after] = dotted_at(i, e);
    if (!is_name(after, "import")) return;
    std::size_t names_begin = after + 1, names_end = e;
    if (is_op(names_begin, "(")) {
      names_end = std::min(close_of(names_begin), e);
      ++names_begin;
    }
    for (const Expr& part : split_commas(names_begin, names_end)) {
      if (t_[part.begin].kind != TokenKind::kName && !is_op(part.begin, "*")) continue;
      std::string name = m_.text(part.begin);
      std::string alias = name;
      if (is_name(part.begin + 1, "as") && part.begin + 2 < part.end) alias = m_.text(part.begin + 2);
      m_.imports.push_back({module, name, alias, level});
    }
  }

  void read_assignment(std::size_t b, std::size_t e) {
    if (t_[b].kind != TokenKind::kName || kKeywords.count(m_.text(b))) return;
    std::size_t eq = b + 1;
    if (is_op(eq, ":")) {  // NAME: annotation = value
      while (eq < e && !is_op(eq, "=")) ++eq;
    }
    if (!is_op(eq, "=") || eq + 1 >= e) return;
    m_.assignments.push_back({m_.text(b), {eq + 1, e}, t_[b].line});
  }

  void scan_calls(std::size_t b, std::size_t e) {
    for (std::size_t k = b + 1; k < e; ++k) {
      if (!is_op(k, "(") || t_[k - 1].kind != TokenKind::kName) continue;
      // Walk back over NAME(.NAME)* to the start of the callee.
      std::size_t s = k - 1;
      while (s >= b + 2 && is_op(s - 1, ".") && t_[s - 2].kind == TokenKind::kName) s -= 2;
      if (s > b && (is_name(s - 1, "def") || is_name(s - 1, "class"))) continue;
      std::string callee;
      for (std::size_t i = s; i < k; ++i) callee += m_.text(i);
      if (kKeywords.count(callee)) continue;
      std::size_t close = std::min(close_of(k), e);
      PythonCall call;
      call.callee = std::move(callee);
      call.line = t_[s].line;
      call.span = {s, std::min(close + 1, e)};
      call.function = enclosing_function();
      call.class_name = enclosing_class();
      call.in_main_block = in_main();
      for (const Expr& part : split_commas(k + 1, close)) {
        if (is_op(part.begin, "**")) {
          call.kwargs.push_back({"**", {part.begin + 1, part.end}});
        } else if (t_[part.begin].kind == TokenKind::kName && is_op(part.begin + 1, "=") && part.begin + 2 <= part.end) {
          call.kwargs.push_back({m_.text(part.begin), {part.begin + 2, part.end}});
        } else {
          call.args.push_back(part);
        }
      }
      // `target = callee(...)` where the call is the whole right-hand side.
      auto [target, after] = dotted_at(b, e);
      if (!target.empty() && is_op(after, "=") && after + 1 == s && close + 1 == e) call.assigned_to = target;
      m_.calls.push_back(std::move(call));
    }
  }

  PythonModule& m_;
  const std::vector<Token>& t_;
  std::vector<Block> stack_;
  std::vector<PythonDecorator> pending_;
  std::optional<std::tuple<Block::Kind, std::size_t, std::uint32_t>> doc_target_;
};

std::optional<nlohmann::json> parse_number(std::string text) {
  std::string digits;
  for (char c : text) {
    if (c != '_') digits += c;
  }
  if (digits.empty() || digits.back() == 'j' || digits.back() == 'J') return std::nullopt;
  errno = 0;
  char* end = nullptr;
  bool prefixed = digits.size() > 2 && digits[0] == '0' && std::string("xXoObB").find(digits[1]) != std::string::npos;
  if (prefixed) {
    int base = (digits[1] == 'x' || digits[1] == 'X') ? 16 : (digits[1] == 'o' || digits[1] == 'O') ? 8 : 2;
    long long v = std::strtoll(digits.c_str() + 2, &end, base);
    if (errno || *end) return std::nullopt;
    return nlohmann::json(v);
  }
  if (digits.find_first_of(".eE") == std::string::npos) {
    long long v = std::strtoll(digits.c_str(), &end, 10);
    if (*end) return std::nullopt;
    if (errno == ERANGE) return nlohmann::json(std::strtod(digits.c_str(), nullptr));
    return nlohmann::json(v);
  }
  double d = std::strtod(digits.c_str(), &end);
  if (*end) return std::nullopt;
  return nlohmann::json(d);
}

class LiteralParser {
 public:
  LiteralParser(const PythonModule& m, std::size_t end) : m_(m), t_(m.tokens.tokens), end_(end) {}

  std::optional<nlohmann::json> value(std::size_t& i, int depth) {
    if (i >= end_ || depth > kMaxLiteralDepth) return std::nullopt;
    const Token& tok = t_[i];
    std::string text = m_.text(i);
    if (tok.kind == TokenKind::kString) {
      std::string out;
      while (i < end_ && t_[i].kind == TokenKind::kString) {
        if (is_fstring(m_.text(i))) return std::nullopt;
        out += python_string_value(m_.text(i++));
      }
      return nlohmann::json(out);
    }
    if (tok.kind == TokenKind::kNumber) {
      ++i;
      return parse_number(text);
    }
    if (tok.kind == TokenKind::kName) {
      ++i;
      if (text == "True") return nlohmann::json(true);
      if (text == "False") return nlohmann::json(false);
      if (text == "None") return nlohmann::json(nullptr);
      return std::nullopt;
    }
    if (tok.kind != TokenKind::kOp) return std::nullopt;
    if (text == "-" || text == "+") {
      ++i;
      auto inner = value(i, depth + 1);
      if (!inner || !inner->is_number()) return std::nullopt;
      if (text == "+") return inner;
      if (inner->is_number_integer()) return nlohmann::json(-inner->get<long long>());
      return nlohmann::json(-inner->get<double>());
    }
    if (text == "(" || text == "[" || text == "{") {
      std::string close = text == "(" ? ")" : text == "[" ? "]" : "}";
      std::size_t stop = m_.tokens.match[i];
      if (stop == kNoMatch || stop >= end_) return std::nullopt;
      ++i;
      nlohmann::json items = nlohmann::json::array();
      nlohmann::json dict = nlohmann::json::object();
      bool is_dict = false, saw_comma = false;
      while (i < stop) {
        auto item = value(i, depth + 1);
        if (!item) return std::nullopt;
        if (text == "{" && i < stop && m_.text(i) == ":") {
          ++i;
          auto v = value(i, depth + 1);
          if (!v) return std::nullopt;
          is_dict = true;
          dict[item->is_string() ? item->get<std::string>() : item->dump()] = *v;
        } else {
          items.push_back(*item);
        }
        if (i < stop) {
          if (m_.text(i) != ",") return std::nullopt;
          saw_comma = true;
          ++i;
        }
      }
      i = stop + 1;
      if (text == "{" && (is_dict || items.empty())) return dict;
      if (text == "(" && !saw_comma && items.size() == 1) return items[0];  // parentheses, not a tuple
      return items;
    }
    return std::nullopt;
  }

 private:
  const PythonModule& m_;
  const std::vector<Token>& t_;
  std::size_t end_;
};

}  // namespace

const Expr* PythonCall::kwarg(const std::string& name) const {
  for (const auto& [key, value] : kwargs) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string PythonCall::method() const {
  std::size_t dot = callee.rfind('.');
  return dot == std::string::npos ? callee : callee.substr(dot + 1);
}

std::string PythonCall::receiver() const {
  std::size_t dot = callee.rfind('.');
  return dot == std::string::npos ? "" : callee.substr(0, dot);
}

std::string PythonModule::text(std::size_t token) const {
  const Token& t = tokens.tokens[token];
  return source.substr(t.begin, t.length);
}

std::string PythonModule::text(const Expr& expr) const {
  std::string out;
  const auto& t = tokens.tokens;
  for (std::size_t i = expr.begin; i < expr.end && i < t.size(); ++i) {
    if (i > expr.begin && t[i].begin > t[i - 1].begin + t[i - 1].length) out += ' ';
    out += text(i);
  }
  return out;
}

std::string PythonModule::dotted(const Expr& expr) const {
  const auto& t = tokens.tokens;
  std::string out;
  for (std::size_t i = expr.begin; i < expr.end; ++i) {
    bool want_name = (i - expr.begin) % 2 == 0;
    if (want_name ? t[i].kind != TokenKind::kName : (t[i].kind != TokenKind::kOp || text(i) != ".")) return "";
    out += text(i);
  }
  if (out.empty() || out.back() == '.') return "";
  return out;
}

std::optional<nlohmann::json> PythonModule::literal(const Expr& expr) const {
  if (expr.empty()) return std::nullopt;
  LiteralParser parser(*this, expr.end);
  std::size_t i = expr.begin;
  auto value = parser.value(i, 0);
  if (!value || i != expr.end) return std::nullopt;
  return value;
}

std::optional<std::string> PythonModule::string_literal(const Expr& expr) const {
  auto value = literal(expr);
  if (!value || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

const PythonCall* PythonModule::call_at(const Expr& expr) const {
  for (const PythonCall& call : calls) {
    if (call.span.begin == expr.begin && call.span.end == expr.end) return &call;
  }
  return nullptr;
}

bool PythonModule::imports_module(const std::string& prefix) const {
  for (const PythonImport& imp : imports) {
    if (imp.level == 0 && (imp.module == prefix || imp.module.rfind(prefix + ".", 0) == 0)) return true;
  }
  return false;
}

bool PythonModule::imports_name(const std::string& name) const {
  for (const PythonImport& imp : imports) {
    if (imp.name == name || (imp.name.empty() && imp.module == name)) return true;
  }
  return false;
}

const PythonAssignment* PythonModule::assignment(const std::string& name) const {
  const PythonAssignment* found = nullptr;
  for (const auto& a : assignments) {
    if (a.name == name) found = &a;
  }
  return found;
}

const PythonFunction* PythonModule::function(const std::string& name) const {
  for (const auto& f : functions) {
    if (f.name == name && f.class_name.empty()) return &f;
  }
  return nullptr;
}

const PythonClass* PythonModule::find_class(const std::string& name) const {
  for (const auto& c : classes) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool PythonModule::calls_method(const std::string& method) const {
  for (const auto& c : calls) {
    if (c.method() == method) return true;
  }
  return false;
}

PythonModule read_python(std::string source) {
  PythonModule m;
  m.source = std::move(source);
  m.tokens = tokenize_python(m.source);
  Reader(m).run();
  return m;
}

}  // namespace trainctl::project
