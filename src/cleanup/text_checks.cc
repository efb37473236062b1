#include "cleanup/text_checks.h"

#include <cctype>

namespace trainctl::cleanup {
namespace {

// Calls f(line_number, line) for each line, each cut at kMaxCheckedLineBytes.
template <typename F>
void each_line(std::string_view text, F f) {
  if (text.size() > kMaxCheckedTextBytes) text = text.substr(0, kMaxCheckedTextBytes);
  std::size_t number = 0;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    ++number;
    f(number, line.substr(0, kMaxCheckedLineBytes));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A run of `count` or more characters satisfying pred at text[pos]; returns its length (0 if shorter).
template <typename P>
std::size_t run_of(std::string_view text, std::size_t pos, P pred) {
  std::size_t n = 0;
  while (pos + n < text.size() && pred(text[pos + n])) ++n;
  return n;
}

bool contains_nocase(std::string_view s, std::string_view word) {
  for (std::size_t i = 0; i + word.size() <= s.size(); ++i) {
    bool same = true;
    for (std::size_t j = 0; j < word.size() && same; ++j) {
      same = std::tolower(static_cast<unsigned char>(s[i + j])) == word[j];
    }
    if (same) return true;
  }
  return false;
}

std::string line_secret(std::string_view line, bool file_mentions_wandb) {
  for (std::size_t i = 0; i + 3 < line.size(); ++i) {
    if (i > 0 && word_char(line[i - 1])) continue;
    if (line.compare(i, 3, "hf_") == 0) {
      std::size_t n = run_of(line, i + 3, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
      if (n >= 34) return "Hugging Face token";
    }
    if (line.compare(i, 4, "AKIA") == 0 || line.compare(i, 4, "ASIA") == 0) {
      std::size_t n = run_of(line, i + 4, [](char c) { return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)); });
      if (n == 16) return "AWS access key id";
    }
  }
  if (contains_nocase(line, "wandb") || (file_mentions_wandb && contains_nocase(line, "key"))) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (i > 0 && std::isxdigit(static_cast<unsigned char>(line[i - 1]))) continue;
      std::size_t n = run_of(line, i, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
      if (n == 40) return "W&B API key";
      if (n > 0) i += n - 1;
    }
  }
  return {};
}

}  // namespace

std::vector<LineHit> find_secrets(std::string_view text) {
  std::vector<LineHit> hits;
  bool wandb = contains_nocase(text.substr(0, kMaxCheckedTextBytes), "wandb");
  each_line(text, [&](std::size_t number, std::string_view line) {
    if (std::string what = line_secret(line, wandb); !what.empty()) hits.push_back({number, what});
  });
  return hits;
}

std::vector<LineHit> find_home_paths(std::string_view text) {
  std::vector<LineHit> hits;
  each_line(text, [&](std::size_t number, std::string_view line) {
    for (std::string_view prefix : {"/home/", "/Users/"}) {
      std::size_t at = line.find(prefix);
      if (at == std::string_view::npos || (at > 0 && word_char(line[at - 1]))) continue;
      std::size_t n = run_of(line, at + prefix.size(), [](char c) { return word_char(c) || c == '-' || c == '.'; });
      if (n == 0) continue;
      hits.push_back({number, std::string(line.substr(at, prefix.size() + n))});
      return;
    }
    std::size_t at = line.find("/root/");
    if (at != std::string_view::npos && (at == 0 || !word_char(line[at - 1]))) hits.push_back({number, "/root"});
  });
  return hits;
}

std::string config_without_comments(std::string_view text) {
  std::string out;
  each_line(text, [&](std::size_t, std::string_view line) {
    char quote = 0;
    std::size_t cut = line.size();
    for (std::size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#' && (i == 0 || std::isspace(static_cast<unsigned char>(line[i - 1])))) {
        cut = i;
        break;
      }
    }
    std::string_view kept = line.substr(0, cut);
    while (!kept.empty() && std::isspace(static_cast<unsigned char>(kept.back()))) kept.remove_suffix(1);
    if (kept.empty()) return;
    out.append(kept);
    out.push_back('\n');
  });
  return out;
}

}  // namespace trainctl::cleanup
