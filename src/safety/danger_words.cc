#include "safety/danger_words.h"

#include <array>

namespace trainctl::safety {
namespace {

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.';
}

}  // namespace

std::string first_danger_word(std::string_view text) {
  static constexpr std::array<std::string_view, 44> kWords = {
      "rm", "rmdir", "sudo", "doas", "su", "pkexec", "dd", "mkfs", "wipefs", "shred", "fdisk", "parted",
      "reboot", "shutdown", "poweroff", "halt", "init", "kill", "pkill", "killall", "chmod", "chown",
      "curl", "wget", "eval", "exec", "sh", "bash", "zsh", "dash", "python", "python3", "perl", "ruby",
      "node", "mv", "truncate", "crontab", "iptables", "nft", "git", "history", "base64", "nc"};
  // Words are compared after stripping quotes and backslashes, which cannot be trusted here.
  std::string cleaned;
  cleaned.reserve(text.size());
  for (char c : text) {
    if (c == '\'' || c == '"' || c == '\\') continue;
    cleaned += c;
  }
  std::size_t i = 0;
  while (i < cleaned.size()) {
    if (!word_char(cleaned[i])) {
      if (cleaned[i] == '>' || cleaned[i] == '`' || (cleaned[i] == '$' && i + 1 < cleaned.size() && cleaned[i + 1] == '(')) {
        return std::string(1, cleaned[i]) + (cleaned[i] == '$' ? "(" : "");
      }
      if (cleaned.compare(i, 5, "/dev/") == 0) return "/dev/";
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < cleaned.size() && word_char(cleaned[i])) ++i;
    std::string_view word(cleaned.data() + start, i - start);
    for (auto w : kWords) {
      if (word == w || (w == "mkfs" && word.substr(0, 5) == "mkfs.") || (w == "python" && word.substr(0, 6) == "python")) {
        return std::string(word);
      }
    }
  }
  return "";
}

}  // namespace trainctl::safety
