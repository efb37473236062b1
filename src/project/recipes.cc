#include "project/recipes.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "safety/shell_parser.h"

namespace trainctl::project {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string basename(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_python_program(const std::string& word) {
  std::string name = basename(word);
  if (word == "$PYTHON" || word == "${PYTHON}" || word == "$(PYTHON)") return true;
  if (!starts_with(name, "python")) return false;
  for (char c : name.substr(6)) {
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  }
  return true;
}

// The launcher options that never take a value; any other option without '=' takes the next
// word unless that word is the script.
const std::set<std::string> kSwitches = {"--standalone", "--no_python", "--no-python", "--run_path", "--run-path",
                                         "--multi_gpu", "--multi-gpu", "--use_deepspeed", "--use-deepspeed",
                                         "--use_fsdp", "--use-fsdp", "--cpu", "--use_cpu", "--debug", "-q", "--quiet",
                                         "--tpu", "--use_megatron_lm", "--autotuning", "--force_multi",
                                         "--no_local_rank", "--bind_cores_to_rank", "--no_ssh_check"};

void split_launcher(Recipe& recipe, const std::vector<std::string>& words, std::size_t i) {
  for (; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "-m" || w == "--module") {
      if (i + 1 < words.size()) recipe.module = words[i + 1];
      recipe.args.assign(words.begin() + static_cast<std::ptrdiff_t>(std::min(i + 2, words.size())), words.end());
      return;
    }
    if (starts_with(w, "-")) {
      recipe.launcher_args.push_back(w);
      bool takes_value = w.find('=') == std::string::npos && !kSwitches.count(w) && i + 1 < words.size() &&
                         !starts_with(words[i + 1], "-") && !ends_with(words[i + 1], ".py");
      if (takes_value) recipe.launcher_args.push_back(words[++i]);
      continue;
    }
    recipe.script = w;
    recipe.args.assign(words.begin() + static_cast<std::ptrdiff_t>(i + 1), words.end());
    return;
  }
}

std::string word_text(const safety::Word& word, std::string_view source) {
  if (safety::word_is_literal(word)) return safety::literal_text(word);
  std::string raw(source.substr(word.span.begin, word.span.end - word.span.begin));
  // Keep variables as written but drop the quotes around them: "$CONFIG" -> $CONFIG.
  if (raw.size() >= 2 && (raw.front() == '"' || raw.front() == '\'') && raw.back() == raw.front()) {
    raw = raw.substr(1, raw.size() - 2);
  }
  return raw;
}

void collect(const safety::Script& script, std::string_view source, std::vector<std::pair<std::vector<std::string>, std::uint32_t>>& out);

void collect_command(const safety::Command& command, std::string_view source,
                     std::vector<std::pair<std::vector<std::string>, std::uint32_t>>& out) {
  if (command.kind == safety::CommandKind::kSimple) {
    std::vector<std::string> words;
    for (const auto& w : command.words) words.push_back(word_text(w, source));
    if (!words.empty()) out.emplace_back(std::move(words), command.span.begin);
    return;
  }
  for (const auto& body : command.bodies) collect(body, source, out);
  for (const auto& item : command.case_items) {
    for (const auto& body : item.body) collect(body, source, out);
  }
}

void collect(const safety::Script& script, std::string_view source,
             std::vector<std::pair<std::vector<std::string>, std::uint32_t>>& out) {
  for (const auto& item : script.items) {
    for (const auto& pipeline : item.and_or.pipelines) {
      for (const auto& command : pipeline.commands) collect_command(command, source, out);
    }
  }
}

std::uint32_t line_of(std::string_view text, std::uint32_t offset) {
  std::uint32_t line = 1;
  for (std::uint32_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

// The simple commands of a shell text with the line each starts on; empty when it does not parse.
std::vector<std::pair<std::vector<std::string>, std::uint32_t>> shell_commands(std::string_view text) {
  std::vector<std::pair<std::vector<std::string>, std::uint32_t>> out;
  auto parsed = safety::parse_shell(text);
  if (const auto* script = std::get_if<safety::Script>(&parsed)) collect(*script, text, out);
  for (auto& [words, offset] : out) offset = line_of(text, offset);
  return out;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

std::string trim(std::string s) {
  std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  std::size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

const char* launcher_name(Launcher launcher) {
  switch (launcher) {
    case Launcher::kPython: return "python";
    case Launcher::kTorchrun: return "torchrun";
    case Launcher::kAccelerate: return "accelerate";
    case Launcher::kDeepspeed: return "deepspeed";
    case Launcher::kLightning: return "lightning";
  }
  return "python";
}

std::optional<Recipe> recipe_from_words(const std::vector<std::string>& words) {
  if (words.empty()) return std::nullopt;
  Recipe recipe;
  recipe.words = words;
  std::string program = basename(words[0]);
  if (is_python_program(words[0])) {
    std::size_t i = 1;
    while (i < words.size() && starts_with(words[i], "-") && words[i] != "-m" && words[i] != "-c") {
      i += (words[i] == "-W" || words[i] == "-X") ? 2 : 1;
    }
    if (i >= words.size() || words[i] == "-c") return std::nullopt;
    if (words[i] == "-m") {
      if (i + 1 >= words.size()) return std::nullopt;
      const std::string& module = words[i + 1];
      if (module == "torch.distributed.run" || module == "torch.distributed.launch") {
        recipe.launcher = Launcher::kTorchrun;
        split_launcher(recipe, words, i + 2);
        return recipe.script.empty() && recipe.module.empty() ? std::nullopt : std::optional<Recipe>(recipe);
      }
      if (module == "pip" || module == "pytest" || module == "venv" || module == "http.server") return std::nullopt;
      recipe.module = module;
      recipe.args.assign(words.begin() + static_cast<std::ptrdiff_t>(i + 2), words.end());
      return recipe;
    }
    if (!ends_with(words[i], ".py")) return std::nullopt;
    recipe.script = words[i];
    recipe.args.assign(words.begin() + static_cast<std::ptrdiff_t>(i + 1), words.end());
    return recipe;
  }
  if (program == "torchrun") {
    recipe.launcher = Launcher::kTorchrun;
    split_launcher(recipe, words, 1);
  } else if (program == "accelerate" && words.size() > 1 && words[1] == "launch") {
    recipe.launcher = Launcher::kAccelerate;
    split_launcher(recipe, words, 2);
  } else if (program == "deepspeed") {
    recipe.launcher = Launcher::kDeepspeed;
    split_launcher(recipe, words, 1);
  } else {
    return std::nullopt;
  }
  if (recipe.script.empty() && recipe.module.empty()) return std::nullopt;
  return recipe;
}

std::vector<Recipe> recipes_in_shell(std::string_view text, const std::string& source_name) {
  std::vector<Recipe> out;
  for (auto& [words, line] : shell_commands(text)) {
    if (out.size() >= kMaxRecipesPerFile) break;
    if (auto recipe = recipe_from_words(words)) {
      recipe->source = fmt::format("{}:{}", source_name, line);
      out.push_back(std::move(*recipe));
    }
  }
  return out;
}

std::vector<Recipe> recipes_in_markdown(std::string_view text, const std::string& source_name) {
  static const std::set<std::string> kShellLanguages = {"", "bash", "sh", "shell", "console", "zsh", "shell-session",
                                                        "sh-session", "text", "bash-session"};
  std::vector<Recipe> out;
  std::vector<std::string> lines = split_lines(text);
  bool in_block = false, shell = false;
  std::string fence;
  for (std::size_t n = 0; n < lines.size() && out.size() < kMaxRecipesPerFile; ++n) {
    std::string line = trim(lines[n]);
    if (!in_block) {
      if (starts_with(line, "```") || starts_with(line, "~~~")) {
        in_block = true;
        fence = line.substr(0, 3);
        std::string language = trim(line.substr(3));
        language = language.substr(0, language.find_first_of(" {"));
        for (char& c : language) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        shell = kShellLanguages.count(language) > 0;
      }
      continue;
    }
    if (starts_with(line, fence)) {
      in_block = false;
      continue;
    }
    if (!shell || line.empty() || line[0] == '#') continue;
    std::size_t first = n;
    if (starts_with(line, "$ ")) line = line.substr(2);
    while (!line.empty() && line.back() == '\\' && n + 1 < lines.size()) {
      line.pop_back();
      line += " " + trim(lines[++n]);
    }
    for (auto& [words, unused] : shell_commands(line)) {
      if (auto recipe = recipe_from_words(words)) {
        recipe->source = fmt::format("{}:{}", source_name, first + 1);
        out.push_back(std::move(*recipe));
      }
    }
  }
  return out;
}

std::vector<Recipe> recipes_in_makefile(std::string_view text, const std::string& source_name) {
  std::vector<Recipe> out;
  std::map<std::string, std::string> vars;
  std::vector<std::string> lines = split_lines(text);
  auto substitute = [&vars](std::string s) {
    for (int round = 0; round < 4; ++round) {
      std::string next;
      bool changed = false;
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '$') {
          next += "$$";
          ++i;
          continue;
        }
        if (s[i] == '$' && i + 1 < s.size() && (s[i + 1] == '(' || s[i + 1] == '{')) {
          char close = s[i + 1] == '(' ? ')' : '}';
          std::size_t end = s.find(close, i + 2);
          if (end != std::string::npos) {
            auto it = vars.find(s.substr(i + 2, end - i - 2));
            if (it != vars.end()) {
              next += it->second;
              i = end;
              changed = true;
              continue;
            }
          }
        }
        next += s[i];
      }
      s = std::move(next);
      if (!changed) break;
    }
    std::string unescaped;
    for (std::size_t i = 0; i < s.size(); ++i) {
      unescaped += s[i];
      if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '$') ++i;
    }
    return unescaped;
  };
  std::string target;
  for (std::size_t n = 0; n < lines.size() && out.size() < kMaxRecipesPerFile; ++n) {
    std::string line = lines[n];
    while (!line.empty() && line.back() == '\\' && n + 1 < lines.size()) {
      line.pop_back();
      line += " " + trim(lines[++n]);
    }
    if (!line.empty() && line[0] == '\t') {
      if (target.empty()) continue;
      std::string command = trim(line);
      while (!command.empty() && (command[0] == '@' || command[0] == '-' || command[0] == '+')) command.erase(0, 1);
      for (auto& [words, unused] : shell_commands(substitute(command))) {
        if (auto recipe = recipe_from_words(words)) {
          recipe->source = fmt::format("{}:{}", source_name, target);
          recipe->target = target;
          out.push_back(std::move(*recipe));
        }
      }
      continue;
    }
    std::string plain = trim(line);
    if (plain.empty() || plain[0] == '#') continue;
    std::size_t assign = plain.find('=');
    std::size_t colon = plain.find(':');
    if (assign != std::string::npos && (colon == std::string::npos || colon >= assign - 1)) {
      std::string name = trim(plain.substr(0, assign));
      while (!name.empty() && (name.back() == ':' || name.back() == '?' || name.back() == '+')) name.pop_back();
      if (starts_with(name, "export ")) name = trim(name.substr(7));
      vars[trim(name)] = trim(plain.substr(assign + 1));
      target.clear();
      continue;
    }
    if (colon != std::string::npos && colon > 0) {
      target = trim(plain.substr(0, colon));
      if (target.find(' ') != std::string::npos || target[0] == '.') target.clear();
    }
  }
  return out;
}

nlohmann::json to_json(const Recipe& recipe) {
  return {{"source", recipe.source},
          {"launcher", launcher_name(recipe.launcher)},
          {"launcher_args", recipe.launcher_args},
          {"script", recipe.script.empty() ? nlohmann::json(nullptr) : nlohmann::json(recipe.script)},
          {"module", recipe.module.empty() ? nlohmann::json(nullptr) : nlohmann::json(recipe.module)},
          {"args", recipe.args},
          {"words", recipe.words}};
}

}  // namespace trainctl::project
