#include "errors/config_text.h"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace trainctl::errors {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

std::size_t indent_of(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i;
}

// The end of a value: before a comment (`#` after whitespace, outside quotes) and trailing spaces.
std::size_t value_end(std::string_view line, std::size_t begin, char comment) {
  char quote = 0;
  std::size_t end = line.size();
  for (std::size_t i = begin; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == comment && (i == begin || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      end = i;
      break;
    }
  }
  while (end > begin && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r')) --end;
  return end;
}

std::string join(const std::vector<std::string>& parts, const std::string& last) {
  std::string out;
  for (const auto& p : parts) out += p + ".";
  return out + last;
}

// `key` or "key" or 'key' at line[i]; returns the key and moves i past it.
std::optional<std::string> read_key(std::string_view line, std::size_t& i) {
  if (i >= line.size()) return std::nullopt;
  if (line[i] == '"' || line[i] == '\'') {
    char q = line[i];
    std::size_t close = line.find(q, i + 1);
    if (close == std::string_view::npos) return std::nullopt;
    std::string key(line.substr(i + 1, close - i - 1));
    i = close + 1;
    return key;
  }
  std::size_t start = i;
  while (i < line.size() && is_key_char(line[i])) ++i;
  if (i == start) return std::nullopt;
  return std::string(line.substr(start, i - start));
}

}  // namespace

std::optional<double> config_number(std::string_view text) {
  std::string s(text);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) s = s.substr(1, s.size() - 2);
  if (s.empty() || s.size() > 40) return std::nullopt;
  std::string digits;
  for (char c : s) {
    if (c != '_') digits += c;  // YAML and Python allow 1_000
  }
  char* end = nullptr;
  double v = std::strtod(digits.c_str(), &end);
  if (end == digits.c_str() || *end != '\0') return std::nullopt;
  if (digits.find_first_of("xXpP") != std::string::npos || digits.find("inf") != std::string::npos ||
      digits.find("nan") != std::string::npos) {
    return std::nullopt;
  }
  return v;
}

std::optional<bool> config_bool(std::string_view text) {
  std::string s(text);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "true") return true;
  if (s == "false") return false;
  return std::nullopt;
}

ConfigText ConfigText::parse(std::string text, std::string_view file_name) {
  ConfigText c;
  if (text.size() > kMaxConfigBytes) text.resize(0);
  c.text_ = std::move(text);
  if (ends_with(file_name, ".json")) c.format_ = ConfigFormat::kJson;
  else if (ends_with(file_name, ".toml")) c.format_ = ConfigFormat::kToml;
  else if (ends_with(file_name, ".py")) c.format_ = ConfigFormat::kPython;
  std::string_view all(c.text_);
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t nl = all.find('\n', start);
    if (nl == std::string_view::npos) nl = all.size();
    c.lines_.push_back(all.substr(start, nl - start));
    start = nl + 1;
  }

  std::vector<std::pair<std::size_t, std::string>> stack;  // YAML: (indent, key); JSON: (depth, key)
  std::vector<std::string> section;                         // TOML: [a.b]
  int json_depth = 0;
  for (std::size_t n = 0; n < c.lines_.size(); ++n) {
    std::string_view line = c.lines_[n];
    std::size_t ind = indent_of(line);
    std::size_t i = ind;
    if (i >= line.size()) continue;
    char first = line[i];
    if (c.format_ == ConfigFormat::kJson) {
      if (first == '}' || first == ']') {
        --json_depth;
        while (!stack.empty() && static_cast<int>(stack.back().first) >= json_depth) stack.pop_back();
        continue;
      }
      if (first != '"') {
        if (first == '{' || first == '[') ++json_depth;
        continue;
      }
      auto key = read_key(line, i);
      while (i < line.size() && line[i] == ' ') ++i;
      if (!key || i >= line.size() || line[i] != ':') continue;
      ++i;
      while (i < line.size() && line[i] == ' ') ++i;
      std::vector<std::string> parents;
      for (const auto& s : stack) parents.push_back(s.second);
      if (i < line.size() && (line[i] == '{' || line[i] == '[')) {
        bool closes = line.find(line[i] == '{' ? '}' : ']', i) != std::string_view::npos;
        if (!closes) {
          stack.emplace_back(static_cast<std::size_t>(json_depth), *key);
          ++json_depth;
        }
        continue;
      }
      std::size_t end = line.size();
      while (end > i && (line[end - 1] == ' ' || line[end - 1] == ',' || line[end - 1] == '\r')) --end;
      c.values_.push_back({join(parents, *key), *key, n, i, end, std::string(line.substr(i, end - i)), ind});
      continue;
    }
    if (first == '#') continue;
    if (c.format_ == ConfigFormat::kToml && first == '[') {
      std::size_t close = line.find(']', i);
      if (close == std::string_view::npos) continue;
      std::string name(line.substr(i + 1, close - i - 1));
      name.erase(std::remove(name.begin(), name.end(), '['), name.end());
      section.clear();
      std::size_t from = 0;
      while (from <= name.size()) {
        std::size_t dot = name.find('.', from);
        section.push_back(name.substr(from, dot == std::string::npos ? std::string::npos : dot - from));
        if (dot == std::string::npos) break;
        from = dot + 1;
      }
      continue;
    }
    if (c.format_ == ConfigFormat::kToml || c.format_ == ConfigFormat::kPython) {
      if (c.format_ == ConfigFormat::kPython && ind > 0) continue;  // inside a block: not a setting
      auto key = read_key(line, i);
      while (i < line.size() && line[i] == ' ') ++i;
      if (!key || i >= line.size() || line[i] != '=' || (i + 1 < line.size() && line[i + 1] == '=')) continue;
      ++i;
      while (i < line.size() && line[i] == ' ') ++i;
      std::size_t end = value_end(line, i, '#');
      if (end <= i) continue;
      c.values_.push_back({join(section, *key), *key, n, i, end, std::string(line.substr(i, end - i)), ind});
      continue;
    }
    // YAML
    if (line.substr(i, 3) == "---" || line.substr(i, 3) == "...") continue;
    if (first == '-' && i + 1 < line.size() && line[i + 1] == ' ') {
      i += 2;  // a list item holding a mapping: its keys belong to the list's parent
      while (i < line.size() && line[i] == ' ') ++i;
      ind = i;
    }
    auto key = read_key(line, i);
    if (!key || i >= line.size() || line[i] != ':' || (i + 1 < line.size() && line[i + 1] != ' ' && line[i + 1] != '\t' && line[i + 1] != '\r')) {
      continue;
    }
    ++i;
    while (!stack.empty() && stack.back().first >= ind) stack.pop_back();
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t end = value_end(line, i, '#');
    std::vector<std::string> parents;
    for (const auto& s : stack) parents.push_back(s.second);
    if (end <= i) {
      stack.emplace_back(ind, *key);  // a mapping follows
      continue;
    }
    std::string_view value = line.substr(i, end - i);
    if (value.front() == '|' || value.front() == '>' || value.front() == '&' || value.front() == '*' ||
        value.front() == '{' || value.front() == '[') {
      continue;  // block scalars, anchors, flow collections: not edited
    }
    c.values_.push_back({join(parents, *key), *key, n, i, end, std::string(value), ind});
  }
  return c;
}

const ConfigValue* ConfigText::find(std::string_view key) const {
  const ConfigValue* found = nullptr;
  for (const auto& v : values_) {
    if (v.path == key) return &v;
  }
  for (const auto& v : values_) {
    bool suffix = v.key == key || (ends_with(v.path, key) && v.path.size() > key.size() &&
                                   v.path[v.path.size() - key.size() - 1] == '.');
    if (!suffix) continue;
    if (found) return nullptr;  // ambiguous
    found = &v;
  }
  return found;
}

std::string ConfigText::line_like(const ConfigValue& sibling, std::string_view key, std::string_view value) const {
  std::string_view line = lines_[sibling.line];
  std::string prefix(line.substr(0, sibling.indent));
  switch (format_) {
    case ConfigFormat::kJson: return prefix + "\"" + std::string(key) + "\": " + std::string(value) + ",";
    case ConfigFormat::kToml:
    case ConfigFormat::kPython: return prefix + std::string(key) + " = " + std::string(value);
    case ConfigFormat::kYaml: break;
  }
  // Keep the sibling's alignment: "  batch_size: 16      # ..." gives "  accum: 2".
  if (prefix.find('-') != std::string::npos) prefix = std::string(sibling.indent, ' ');
  return prefix + std::string(key) + ": " + std::string(value);
}

std::string ConfigText::with(const std::vector<ValueEdit>& edits, const std::vector<LineInsert>& inserts) const {
  std::map<std::size_t, std::vector<const ValueEdit*>> by_line;
  for (const auto& e : edits) by_line[e.line].push_back(&e);
  std::map<std::size_t, std::vector<std::string>> after;
  for (const auto& ins : inserts) after[ins.after_line].push_back(ins.text);
  std::string out;
  for (std::size_t n = 0; n < lines_.size(); ++n) {
    std::string line(lines_[n]);
    auto it = by_line.find(n);
    if (it != by_line.end()) {
      auto list = it->second;
      std::sort(list.begin(), list.end(), [](const ValueEdit* a, const ValueEdit* b) { return a->begin > b->begin; });
      for (const ValueEdit* e : list) {
        if (e->begin <= e->end && e->end <= line.size()) line.replace(e->begin, e->end - e->begin, e->text);
      }
    }
    out += line;
    bool had_newline = n + 1 < lines_.size() || (!text_.empty() && text_.back() == '\n');
    if (had_newline || after.count(n)) out += '\n';
    if (auto a = after.find(n); a != after.end()) {
      for (std::size_t k = 0; k < a->second.size(); ++k) {
        out += a->second[k];
        if (had_newline || k + 1 < a->second.size()) out += '\n';
      }
    }
  }
  return out;
}

}  // namespace trainctl::errors
