#include "safety/word_expansion.h"

#include <deque>
#include <optional>

namespace trainctl::safety {
namespace {

using PartList = std::vector<const WordPart*>;

struct PartValue {
  std::vector<std::string> options;  // when known
  bool unknown = false;
  bool splittable = false;           // an unquoted expansion: its value is split into words
  bool glob = false;
  std::vector<std::string> produced_by;
};

std::string slice(std::string_view source, Span span) {
  if (span.begin > span.end || span.end > source.size()) return {};
  return std::string(source.substr(span.begin, span.end - span.begin));
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Range braces {1..5}, {a..e}, {0..10..2}: the words they make, or empty when too many or odd.
std::vector<std::string> brace_range(const std::string& text) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (true) {
    std::size_t dots = text.find("..", start);
    pieces.push_back(text.substr(start, dots == std::string::npos ? std::string::npos : dots - start));
    if (dots == std::string::npos) break;
    start = dots + 2;
  }
  if (pieces.size() < 2 || pieces.size() > 3) return {};
  auto integer = [](const std::string& s, long& out) {
    if (s.empty() || s.size() > 9) return false;
    std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size()) return false;
    for (std::size_t j = i; j < s.size(); ++j) {
      if (s[j] < '0' || s[j] > '9') return false;
    }
    out = std::stol(s);
    return true;
  };
  long step = 1;
  if (pieces.size() == 3 && (!integer(pieces[2], step) || step == 0)) return {};
  if (step < 0) step = -step;
  std::vector<std::string> out;
  long a = 0, b = 0;
  if (integer(pieces[0], a) && integer(pieces[1], b)) {
    long count = (a > b ? a - b : b - a) / step + 1;
    if (count > static_cast<long>(kMaxBraceWords)) return {};
    for (long v = a, n = 0; n < count; ++n, v += (a <= b ? step : -step)) out.push_back(std::to_string(v));
    return out;
  }
  if (pieces[0].size() == 1 && pieces[1].size() == 1) {
    char x = pieces[0][0], y = pieces[1][0];
    long count = (x > y ? x - y : y - x) / step + 1;
    if (count > static_cast<long>(kMaxBraceWords)) return {};
    for (long n = 0; n < count; ++n) out.emplace_back(1, static_cast<char>(x <= y ? x + n * step : x - n * step));
  }
  return out;
}

// Brace expansion at the part level: each alternative becomes its own sequence of parts.
// Synthetic literal parts (from ranges) live in `storage`, whose addresses are stable.
std::vector<PartList> brace_sequences(const std::vector<WordPart>& parts, std::deque<WordPart>& storage) {
  std::vector<PartList> sequences(1);
  for (const auto& part : parts) {
    std::vector<PartList> choices;
    if (part.kind == WordPartKind::kBrace && !part.args.empty()) {
      for (const auto& alt : part.args) {
        for (auto& seq : brace_sequences(alt.parts, storage)) choices.push_back(std::move(seq));
      }
    } else if (part.kind == WordPartKind::kBrace) {
      for (auto& text : brace_range(part.text)) {
        WordPart literal;
        literal.kind = WordPartKind::kLiteral;
        literal.span = part.span;
        literal.text = std::move(text);
        storage.push_back(std::move(literal));
        choices.push_back({&storage.back()});
      }
      if (choices.empty()) choices.push_back({&part});  // too wide: judged as unknown
    } else {
      choices.push_back({&part});
    }
    std::vector<PartList> next;
    for (const auto& prefix : sequences) {
      for (const auto& choice : choices) {
        if (next.size() >= kMaxBraceWords) break;
        PartList joined = prefix;
        joined.insert(joined.end(), choice.begin(), choice.end());
        next.push_back(std::move(joined));
      }
    }
    sequences = std::move(next);
  }
  return sequences;
}

void walk_args(const WordPart& part, const ExpansionContext& ctx) {
  for (const auto& arg : part.args) (void)expand_word_single(arg, ctx);
}

// $(pwd) and $(echo literal...) are common enough in paths to be worth knowing exactly.
std::optional<std::string> trivial_substitution_value(const Script& script, const ShellScope& scope) {
  if (script.items.size() != 1) return std::nullopt;
  const auto& and_or = script.items[0].and_or;
  if (and_or.pipelines.size() != 1 || and_or.pipelines[0].commands.size() != 1) return std::nullopt;
  const Command& command = and_or.pipelines[0].commands[0];
  if (command.kind != CommandKind::kSimple || command.words.empty() || !command.redirects.empty()) return std::nullopt;
  for (const auto& w : command.words) {
    for (const auto& p : w.parts) {
      if (p.kind != WordPartKind::kLiteral) return std::nullopt;
    }
  }
  std::string name;
  for (const auto& p : command.words[0].parts) name += p.text;
  if (name == "pwd" && command.words.size() == 1 && !scope.cwd_unknown) return scope.cwd;
  if (name == "echo") {
    std::string out;
    for (std::size_t i = 1; i < command.words.size(); ++i) {
      std::string w;
      for (const auto& p : command.words[i].parts) w += p.text;
      if (i == 1 && (w == "-n" || w == "-e" || w == "-E")) continue;
      if (!out.empty()) out += ' ';
      out += w;
    }
    return out;
  }
  return std::nullopt;
}

PartValue parameter_value(const WordPart& part, const ExpansionContext& ctx) {
  PartValue value;
  value.splittable = !part.quoted;
  walk_args(part, ctx);
  for (const auto& w : part.subscript_words) (void)expand_word_single(w, ctx);
  static const std::string kSpecial = "@*#?$!0-";
  bool special = part.name.size() == 1 && (kSpecial.find(part.name[0]) != std::string::npos ||
                                           (part.name[0] >= '1' && part.name[0] <= '9'));
  if (special || !part.subscript.empty() || part.indirect) {
    value.unknown = true;
    return value;
  }
  VarValue var = ctx.scope.lookup(part.name);
  value.produced_by = var.producers;
  const std::string& op = part.op;
  if (op.empty() || op == ":?" || op == "?") {
    value.unknown = var.unknown;
    value.options = var.values;
  } else if (op == ":-" || op == "-" || op == ":=" || op == "=") {
    value.unknown = var.unknown;
    ArgValue fallback = part.args.empty() ? ArgValue{} : expand_word_single(part.args[0], ctx);
    for (const auto& v : var.values) {
      if (!v.empty() || op == "-" || op == "=") {
        value.options.push_back(v);
      } else if (fallback.known()) {
        for (const auto& f : fallback.values) value.options.push_back(f);
      } else {
        value.unknown = true;
      }
    }
    if (var.unknown && !fallback.known()) value.unknown = true;
  } else if (op == ":+" || op == "+") {
    ArgValue alternate = part.args.empty() ? ArgValue{} : expand_word_single(part.args[0], ctx);
    value.unknown = var.unknown || !alternate.known();
    for (const auto& v : var.values) {
      if (v.empty() && op == ":+") {
        value.options.push_back("");
      } else if (alternate.known()) {
        for (const auto& a : alternate.values) value.options.push_back(a);
      }
    }
  } else {
    // Pattern removal, substitution, case changes, substrings, lengths, indirection: the result
    // depends on the pattern semantics; judged unknown rather than approximated.
    value.unknown = true;
  }
  if (value.options.empty()) value.unknown = true;
  return value;
}

PartValue part_value(const WordPart& part, const ExpansionContext& ctx) {
  PartValue value;
  switch (part.kind) {
    case WordPartKind::kLiteral:
      value.options.push_back(part.text);
      break;
    case WordPartKind::kParameter:
      value = parameter_value(part, ctx);
      break;
    case WordPartKind::kCommandSubstitution: {
      value.splittable = !part.quoted;
      if (!part.script.empty()) {
        value.produced_by = ctx.substitution(part.script[0], part.span);
        if (auto trivial = trivial_substitution_value(part.script[0], ctx.scope)) {
          value.options.push_back(*trivial);
          break;
        }
      }
      value.unknown = true;
      break;
    }
    case WordPartKind::kProcessSubstitution:
      if (!part.script.empty()) value.produced_by = ctx.substitution(part.script[0], part.span);
      value.options.push_back("/dev/fd/63");
      break;
    case WordPartKind::kArithmetic:
      walk_args(part, ctx);
      value.unknown = true;
      value.splittable = !part.quoted;
      break;
    case WordPartKind::kTilde:
      if (part.text.empty()) {
        VarValue home = ctx.scope.lookup("HOME");
        value.options = home.values;
        value.unknown = home.unknown || home.values.empty();
      } else {
        value.options.push_back(part.text == "root" ? "/root" : "/home/" + part.text);
      }
      break;
    case WordPartKind::kGlob:
      value.options.push_back(part.text);
      value.glob = !part.quoted;
      break;
    case WordPartKind::kBrace:
      value.unknown = true;  // only a range too wide to expand reaches here
      break;
  }
  // With IFS changed in the line, unquoted expansions split in ways not modelled here.
  if (value.splittable && ctx.scope.vars.count("IFS")) {
    value.unknown = true;
    value.options.clear();
  }
  return value;
}

// Combines the parts of one brace-free sequence into an argument (before field splitting).
struct Combined {
  ArgValue arg;
  bool split_candidate = false;   // a known splittable part contributed whitespace
  bool only_splittable = true;    // every part is an unquoted expansion (empty -> no word)
};

Combined combine(const PartList& parts, const ExpansionContext& ctx) {
  Combined out;
  std::vector<std::string> combos{""};
  bool unknown = false;
  bool prefix_open = true;
  for (const WordPart* part : parts) {
    PartValue value = part_value(*part, ctx);
    out.arg.produced_by.insert(out.arg.produced_by.end(), value.produced_by.begin(), value.produced_by.end());
    if (part->kind == WordPartKind::kLiteral || part->kind == WordPartKind::kGlob ||
        part->kind == WordPartKind::kTilde || part->quoted) {
      out.only_splittable = false;
    }
    out.arg.glob = out.arg.glob || value.glob;
    if (value.unknown) {
      unknown = true;
      prefix_open = false;
      if (value.splittable) out.arg.may_split = true;
      continue;
    }
    if (prefix_open && !value.options.empty()) out.arg.known_prefix += value.options.front();
    if (value.splittable) {
      for (const auto& o : value.options) {
        for (char c : o) out.split_candidate = out.split_candidate || is_space(c);
      }
    }
    if (unknown) continue;
    std::vector<std::string> next;
    for (const auto& c : combos) {
      for (const auto& o : value.options) {
        if (next.size() >= kMaxWordValues || c.size() + o.size() > kMaxValueBytes) {
          unknown = true;
          break;
        }
        next.push_back(c + o);
      }
    }
    combos = std::move(next);
  }
  out.arg.unknown = unknown;
  if (!unknown) out.arg.values = std::move(combos);
  return out;
}

}  // namespace

ArgValue expand_word_single(const Word& word, const ExpansionContext& ctx) {
  PartList parts;
  for (const auto& p : word.parts) parts.push_back(&p);
  Combined combined = combine(parts, ctx);
  ArgValue arg = std::move(combined.arg);
  arg.span = ctx.spans.map(word.span);
  arg.display = arg.known() && arg.values.size() == 1 ? arg.values.front() : slice(ctx.source, word.span);
  return arg;
}

std::vector<ArgValue> expand_word(const Word& word, const ExpansionContext& ctx) {
  std::deque<WordPart> storage;
  std::vector<ArgValue> out;
  Span span = ctx.spans.map(word.span);
  std::string source_text = slice(ctx.source, word.span);
  for (const auto& sequence : brace_sequences(word.parts, storage)) {
    Combined combined = combine(sequence, ctx);
    ArgValue arg = std::move(combined.arg);
    arg.span = span;
    if (arg.known() && arg.values.size() == 1 && combined.split_candidate) {
      // An unquoted expansion with spaces becomes several words, as the shell splits it.
      std::string current;
      auto flush = [&] {
        if (current.empty()) return;
        ArgValue piece = arg;
        piece.values = {current};
        piece.display = current;
        piece.known_prefix = current;
        out.push_back(std::move(piece));
        current.clear();
      };
      for (char c : arg.values.front()) {
        if (is_space(c)) {
          flush();
        } else {
          current += c;
        }
      }
      flush();
      continue;
    }
    if (arg.known() && combined.only_splittable && arg.values.size() == 1 && arg.values.front().empty()) {
      continue;  // an unquoted empty expansion makes no word at all
    }
    arg.display = arg.known() && arg.values.size() == 1 ? arg.values.front() : source_text;
    out.push_back(std::move(arg));
  }
  return out;
}

}  // namespace trainctl::safety
