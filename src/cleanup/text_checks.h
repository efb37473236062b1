// Line checks of a project's own text files (configs, scripts): secrets (W&B keys, Hugging Face
// tokens, AWS access keys) and absolute home-directory paths, and the comment-free form of a
// config used to find copies. Reports where, never the secret itself. Reads no more than
// kMaxCheckedTextBytes of a file and kMaxCheckedLineBytes of a line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace trainctl::cleanup {

inline constexpr std::size_t kMaxCheckedTextBytes = 1024 * 1024;
inline constexpr std::size_t kMaxCheckedLineBytes = 16 * 1024;

struct LineHit {
  std::size_t line = 0;   // 1-based
  std::string what;       // "Hugging Face token", "AWS access key id", "W&B API key", "/home/alice"
};

// Tokens with a known shape: hf_ + 34 or more letters/digits; AKIA/ASIA + 16 upper-case letters or
// digits; 40 hex digits on a line that names wandb (WANDB_API_KEY, wandb.login(key=...)), or names a
// key in a file that names wandb (an api_key: under a wandb: section).
std::vector<LineHit> find_secrets(std::string_view text);

// /home/NAME/, /Users/NAME/ and /root/ spelled out (what breaks on every other machine).
std::vector<LineHit> find_home_paths(std::string_view text);

// The text without comments ('#' to the end of line, outside quotes), trailing spaces and blank
// lines: two configs with the same form differ only in comments.
std::string config_without_comments(std::string_view text);

}  // namespace trainctl::cleanup
