// Unified diffs (`diff -u` format) between two texts, line by line, for showing a proposed config
// change. Myers' O((N+M)D) algorithm: configs are small and changes few. Texts over
// kMaxDiffLines lines are refused (nullopt) rather than diffed slowly.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace trainctl::errors {

inline constexpr std::size_t kMaxDiffLines = 200000;

// "--- old_name\n+++ new_name\n@@ ... @@\n..." or "" when the texts are equal.
std::optional<std::string> unified_diff(std::string_view old_text, std::string_view new_text,
                                        const std::string& old_name, const std::string& new_name,
                                        std::size_t context = 3);

}  // namespace trainctl::errors
